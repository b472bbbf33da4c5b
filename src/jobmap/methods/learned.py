"""Learned methods on the shared embeddings, and the default finder.

* ``head``: a logistic-regression head on the MiniLM title embeddings (setfit's "body + head"),
  trained on labelled examples: the family's ``positives``/``negatives``, the labels passed in
  (``evaluate`` passes the training folds), and, when a family has neither, pseudo-labels
  bootstrapped from its anchor phrases (titles with a phrase are positives, the titles least like
  them are negatives).
* ``knn``: label propagation by the k nearest labelled examples, similarity-weighted.
* ``hybrid``: the family's keyword rule on the title, plus description evidence: a title that
  does not match still scores by how often the family's keywords occur in its description
  (``n / (n + 5)``: five mentions reach 0.5), so a "Senior DevOps Engineer" whose posting is about
  MLOps is found while a posting that mentions AI once is not.
* ``bootstrap``: for a family without labels, its phrases as a rule grown from the data (the
  initialisms the data confirm), a head trained on the rule's matches that adds the titles it is
  sure of, and description mentions as in ``hybrid``.
* ``auto`` (the default): ``hybrid`` when the data has descriptions and the family has a keyword
  rule, ``keywords`` on titles alone, and ``bootstrap`` for a family with no rule.
"""

from __future__ import annotations

import re
from typing import Any, Self

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from jobmap.embeddings import EmbeddingEngine
from jobmap.families import Family
from jobmap.methods.base import Method, MethodContext
from jobmap.methods.keywords import (
    KeywordMethod,
    compile_phrases,
    initialism,
    initialism_pattern,
    is_vetoed,
    keyword_hits,
)
from jobmap.texts import TITLE_PREFIX, clean

#: Mentions in a description that count as much as a keyword in the title (score 0.5).
DESCRIPTION_HALF = 5
_URL = re.compile(
    r"\b(?:https?://|www\.)\S+|\b[\w.+-]+@[\w.-]+|\b[\w-]+\.(?:ai|com|io|org)\b", re.IGNORECASE
)


def training_set(family: Family, labels: pd.DataFrame | None) -> tuple[list[str], np.ndarray, str]:
    """Titles and 0/1 targets to learn from, and where they came from."""
    titles: list[str] = list(family.positives) + list(family.negatives)
    target = [1] * len(family.positives) + [0] * len(family.negatives)
    source = "family examples" if titles else ""
    if labels is not None and len(labels):
        titles += [clean(t) for t in labels["title"]]
        target += labels["label"].astype(int).tolist()
        source = (source + " + " if source else "") + f"{len(labels):,} labels"
    return titles, np.asarray(target), source


def bootstrap_set(
    family: Family, vecs: np.ndarray, titles: np.ndarray, seed: int
) -> tuple[list[str], np.ndarray]:
    """Pseudo-labels from anchor phrases alone: titles with a phrase are positives; the titles
    least similar to them (below the 70th percentile of similarity) are negatives."""
    rule = compile_phrases(family.keywords or family.anchors)
    hits, _ = keyword_hits(pd.Series(titles), rule, compile_phrases(family.exclude))
    if not hits.any():
        return [], np.zeros(0)
    centroid = vecs[hits].mean(axis=0)
    sims = vecs @ (centroid / np.linalg.norm(centroid))
    cut = np.quantile(sims[~hits], 0.7) if (~hits).any() else -1.0
    pool = np.flatnonzero(~hits & (sims <= cut))
    rng = np.random.default_rng(seed)
    neg = rng.choice(pool, size=min(len(pool), max(200, 5 * int(hits.sum()))), replace=False)
    pos = np.flatnonzero(hits)
    chosen = np.concatenate([pos, neg])
    return titles[chosen].tolist(), np.concatenate([np.ones(len(pos)), np.zeros(len(neg))])


def distinct_titles(
    postings: pd.DataFrame, engine: EmbeddingEngine, prefix: str
) -> tuple[np.ndarray, np.ndarray]:
    """The distinct cleaned titles of the postings (sorted) and their embeddings."""
    uniq = np.unique(np.asarray([clean(t) for t in postings["title"]], dtype=object))
    return uniq, engine.embed([prefix + t for t in uniq], desc="embedding titles")


def add_bootstrap(
    titles: list[str],
    target: np.ndarray,
    postings: pd.DataFrame,
    family: Family,
    engine: EmbeddingEngine,
    prefix: str,
    seed: int,
) -> tuple[list[str], np.ndarray]:
    """``titles``/``target`` plus pseudo-labels bootstrapped from the family's anchor phrases."""
    uniq, vecs = distinct_titles(postings, engine, prefix)
    boot_titles, boot_target = bootstrap_set(family, vecs, uniq, seed)
    return titles + boot_titles, np.concatenate([target, boot_target])


class _TitleHead(Method):
    """What the methods with a logistic-regression head on the title embeddings share."""

    def __init__(self, C: float = 4.0, seed: int = 567, prefix: str = TITLE_PREFIX) -> None:
        self.C = C
        self.seed = seed
        self.prefix = prefix

    def _model(self) -> LogisticRegression:
        return LogisticRegression(
            C=self.C, class_weight="balanced", max_iter=2000, random_state=self.seed
        )


class HeadMethod(_TitleHead):
    """Probability from a logistic-regression head on the title embeddings."""

    name = "head"
    default_threshold = 0.5
    evidence_columns = ("trained_on",)

    def fit(self, postings: pd.DataFrame, family: Family, context: MethodContext) -> Self:
        self.engine_ = context.engine()
        titles, target, source = training_set(family, context.labels)
        if target.sum() == 0 or (target == 0).sum() == 0:
            titles, target = add_bootstrap(
                titles, target, postings, family, self.engine_, self.prefix, self.seed
            )
            source = f"{int(target.sum()):,} anchor-phrase titles (bootstrapped)"
        if target.sum() == 0 or (target == 0).sum() == 0:
            from jobmap.errors import ConfigError

            raise ConfigError(
                f"{family.name!r} has nothing to learn from: no positives/negatives in its "
                "family file, no labels, and no title with an anchor phrase. Add examples "
                "(jobmap family add NAME --examples FILE) or other anchors."
            )
        x = self.engine_.embed([self.prefix + clean(t) for t in titles], desc="embedding examples")
        self.model_ = self._model().fit(x, target)
        # The threshold is chosen on validation data: out-of-fold probabilities of the examples
        # (labelled, or pseudo-labelled from the anchors).
        self.threshold_ = self._cv_threshold(x, target)
        self.trained_on_ = f"{len(target):,} examples: {source}"
        self.n_positive_ = int(target.sum())
        return self

    def _cv_threshold(self, x: np.ndarray, target: np.ndarray) -> float | None:
        """The F1-best threshold on 3-fold out-of-fold probabilities of the training examples."""
        from sklearn.model_selection import StratifiedKFold, cross_val_predict

        if min(int(target.sum()), int((target == 0).sum())) < 3:
            return None
        folds = StratifiedKFold(3, shuffle=True, random_state=self.seed)
        oof = cross_val_predict(self._model(), x, target, cv=folds, method="predict_proba")[:, 1]
        order = np.argsort(-oof)
        tp = np.cumsum(target[order])
        f1 = 2 * tp / (np.arange(1, len(oof) + 1) + target.sum())
        return float(oof[order][int(np.argmax(f1))])

    def score(self, postings: pd.DataFrame) -> pd.DataFrame:
        x = self.engine_.embed(
            [self.prefix + clean(t) for t in postings["title"]], desc="embedding titles"
        )
        proba = self.model_.predict_proba(x)[:, 1] if len(x) else np.zeros(0)
        return pd.DataFrame(
            {"score": proba.astype("float64"), "trained_on": self.trained_on_}, index=postings.index
        )

    def explain(self, row: pd.Series) -> str:
        return f"probability {row['score']:.2f} from a head trained on {self.trained_on_}"

    def params(self) -> dict[str, Any]:
        out: dict[str, Any] = {"C": self.C, "seed": self.seed}
        if hasattr(self, "trained_on_"):
            out.update({"trained_on": self.trained_on_, "positives": self.n_positive_})
        return out


class KnnMethod(Method):
    """Similarity-weighted vote of the k nearest labelled examples."""

    name = "knn"
    default_threshold = 0.5
    evidence_columns = ("nearest_example",)

    def __init__(self, k: int = 10, prefix: str = TITLE_PREFIX, seed: int = 567) -> None:
        self.k = k
        self.prefix = prefix
        self.seed = seed

    def fit(self, postings: pd.DataFrame, family: Family, context: MethodContext) -> Self:
        self.engine_ = context.engine()
        titles, target, source = training_set(family, context.labels)
        if target.sum() == 0:
            titles, target = add_bootstrap(
                titles, target, postings, family, self.engine_, self.prefix, self.seed
            )
            source = "anchor-phrase titles (bootstrapped)"
        self.seed_titles_ = [clean(t) for t in titles]
        self.seed_target_ = target.astype(np.float64)
        self.seed_vecs_ = self.engine_.embed(
            [self.prefix + t for t in self.seed_titles_], desc="embedding examples"
        )
        self.source_ = source
        return self

    def score(self, postings: pd.DataFrame) -> pd.DataFrame:
        x = self.engine_.embed(
            [self.prefix + clean(t) for t in postings["title"]], desc="embedding titles"
        )
        k = min(self.k, len(self.seed_titles_))
        scores = np.zeros(len(x))
        nearest: list[str] = []
        for lo in range(0, len(x), 4096):
            sims = x[lo : lo + 4096] @ self.seed_vecs_.T
            top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
            top_sims = np.clip(np.take_along_axis(sims, top, axis=1), 1e-6, None)
            votes = self.seed_target_[top]
            scores[lo : lo + len(sims)] = (top_sims * votes).sum(axis=1) / top_sims.sum(axis=1)
            best = top[np.arange(len(top)), top_sims.argmax(axis=1)]
            nearest.extend(self.seed_titles_[i] for i in best)
        return pd.DataFrame({"score": scores, "nearest_example": nearest}, index=postings.index)

    def explain(self, row: pd.Series) -> str:
        return (
            f"{row['score']:.2f} of the {self.k} nearest labelled titles (weighted) are in "
            f"the family; nearest: {row['nearest_example']!r}"
        )

    def params(self) -> dict[str, Any]:
        out: dict[str, Any] = {"k": self.k}
        if hasattr(self, "source_"):
            out.update({"examples": len(self.seed_titles_), "source": self.source_})
        return out


def description_evidence(
    postings: pd.DataFrame, rule: re.Pattern[str] | None, vetoed: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """How often the rule occurs in each posting's description (links and emails removed; none
    without a description column), and the score that gives: ``n / (n + DESCRIPTION_HALF)``,
    0 where an exclusion vetoed the title."""
    if rule is None or "description" not in postings.columns:
        mentions = np.zeros(len(postings))
    else:
        texts = postings["description"].fillna("").astype(str).tolist()
        mentions = np.asarray(
            [len(rule.findall(_URL.sub(" ", t))) for t in texts], dtype=np.float64
        )
    return mentions, np.where(vetoed, 0.0, mentions / (mentions + DESCRIPTION_HALF))


class HybridMethod(Method):
    """The keyword rule on titles, plus keyword evidence from descriptions."""

    name = "hybrid"
    default_threshold = 0.5
    evidence_columns = ("evidence", "description_mentions")

    def fit(self, postings: pd.DataFrame, family: Family, context: MethodContext) -> Self:
        self.rule_ = KeywordMethod().fit(postings, family, context)
        return self

    def score(self, postings: pd.DataFrame) -> pd.DataFrame:
        title = self.rule_.score(postings)
        mentions, desc_score = description_evidence(
            postings, self.rule_.include_re_, is_vetoed(title["keyword"])
        )
        in_title = title["score"].to_numpy() >= 0.5
        score = np.where(in_title, 1.0, np.minimum(desc_score, 0.99))
        evidence = [
            f"title: {kw}" if hit else (f"description: {int(n)} mentions" if n else kw)
            for hit, kw, n in zip(in_title, title["keyword"], mentions, strict=True)
        ]
        return pd.DataFrame(
            {
                "score": score,
                "evidence": evidence,
                "description_mentions": mentions.astype(int),
            },
            index=postings.index,
        )

    def explain(self, row: pd.Series) -> str:
        if row["score"] >= 1.0:
            return f"the title contains a keyword ({row['evidence']})"
        return (
            f"the description mentions the family's keywords {row['description_mentions']} "
            f"times ({DESCRIPTION_HALF} count as much as a keyword in the title)"
        )

    def params(self) -> dict[str, Any]:
        out = {"description_half": DESCRIPTION_HALF}
        if hasattr(self, "rule_"):
            out.update(self.rule_.params())
        return out


#: A bootstrapped head adds a title without the family's phrases only when it is this sure; its
#: probability is rescaled so that this value scores 0.5, the method's threshold.
HEAD_SURE = 0.9
#: A term the data suggest (an initialism of a phrase, or the long form of an initialism) joins
#: the rule when three quarters of the titles with it rank in the top (1 - INITIALISM_RANK) of all
#: titles by similarity to those with the family's phrase: "RN" for "registered nurse" and "AI"
#: do; "PM" for "project manager" (mostly afternoon shifts) and "DE" (Delaware) do not.
INITIALISM_RANK = 0.9
#: Titles without the family's phrases sampled as the bootstrapped head's negatives, at most.
MAX_NEGATIVES = 50_000
#: Long forms of an initialism anchor tested, the most frequent first; as several are tried for
#: each anchor, one joins the rule only above the stricter LONG_FORM_RANK.
LONG_FORMS_TRIED = 10
LONG_FORM_RANK = 0.95
#: Words that do not start a word of a long form: function words and Roman numerals.
_NOT_INITIAL = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "ii",
        "iii",
        "iv",
        "vi",
        "vii",
        "viii",
        "ix",
        "xi",
    ]
)


def _confirmation(has_phrase: np.ndarray, has_term: np.ndarray, vecs: np.ndarray) -> float:
    """Where the titles with a term rank, by similarity to the centroid of the titles with the
    phrase, among the titles with neither: the 25th percentile of their ranks (1 = the most
    similar), or NaN with no phrase title or fewer than two term titles."""
    if not has_phrase.any() or has_term.sum() < 2:
        return float("nan")
    centroid = vecs[has_phrase].mean(axis=0)
    sims = vecs @ (centroid / max(float(np.linalg.norm(centroid)), 1e-12))
    others = np.sort(sims[~has_phrase & ~has_term])
    ranks = np.searchsorted(others, sims[has_term]) / max(len(others), 1)
    return float(np.quantile(ranks, 0.25))


def _long_forms(letters: str, titles: np.ndarray) -> list[str]:
    """Runs of words in the titles whose initials spell ``letters`` ("machine learning" for
    "ML"), the most frequent first; never the initialism itself or one-letter words."""
    n = len(letters)
    counts: dict[str, int] = {}
    for title in titles:
        words = re.findall(r"[A-Za-z]+", str(title))
        seen = set()
        for i in range(len(words) - n + 1):
            run = words[i : i + n]
            if any(len(w) < 2 or w.upper() == letters or w.lower() in _NOT_INITIAL for w in run):
                continue
            if "".join(w[0] for w in run).upper() == letters:
                seen.add(" ".join(w.lower() for w in run))
        for form in seen:
            counts[form] = counts.get(form, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [form for form, c in ranked[:LONG_FORMS_TRIED] if c >= 2]


def grown_terms(
    phrases: tuple[str, ...], titles: np.ndarray, vecs: np.ndarray
) -> dict[str, dict[str, Any]]:
    """Terms the data suggest for a family's phrases, and whether the data confirm them: the
    initialism of a phrase of several words ("ML" for "machine learning"), and the long forms of
    a phrase that is an initialism ("machine learning" for "ML").

    ``titles`` are distinct titles and ``vecs`` their embeddings. A term is confirmed when at
    least two titles use it and three quarters of them rank in the top 10% by similarity to the
    centroid of the titles with the phrase (see :func:`_confirmation`).
    """
    out: dict[str, dict[str, Any]] = {}
    series = pd.Series(titles, dtype=object)
    for phrase in phrases:
        letters = initialism(phrase)
        word = phrase.strip()
        short = bool(re.fullmatch(r"[A-Z]{2,5}", word))  # an initialism, as the user wrote it
        if letters is None and not short:
            continue
        has_phrase, _ = keyword_hits(series, compile_phrases([phrase]), None)
        candidates: list[tuple[str, str, np.ndarray]] = []
        if letters is not None:
            pattern = re.compile(initialism_pattern(letters))
            has = np.asarray([pattern.search(t) is not None for t in titles])
            candidates.append((letters, "initialism", has))
        else:
            for form in _long_forms(word.upper(), titles):
                has, _ = keyword_hits(series, compile_phrases([form]), None)
                candidates.append((form, "long form", has))
        for term, kind, has in candidates:
            if term in out or term.lower() in (p.strip().lower() for p in phrases):
                continue
            has_term = has & ~has_phrase
            rank = _confirmation(has_phrase, has_term, vecs)
            out[term] = {
                "of": phrase,
                "kind": kind,
                "titles": int(has_term.sum()),
                "rank": round(rank, 3) if rank == rank else None,
                "used": bool(rank >= (INITIALISM_RANK if kind == "initialism" else LONG_FORM_RANK)),
            }
    return out


class BootstrapMethod(_TitleHead):
    """The family's phrases as a rule, grown from the data, for families without labels.

    1. The rule: the family's keywords (else its anchor phrases) in the title, plus what the data
       confirm of the initialisms of its multi-word phrases and the long forms of its initialisms
       (see :func:`grown_terms`), minus its exclusions. A title the rule matches scores 1.
    2. A logistic-regression head on the title embeddings, trained on the titles the rule
       matches (and the family's examples, and labels when given) against the other titles. It
       adds a title only when its probability reaches ``HEAD_SURE``.
    3. With descriptions: how often the rule occurs in the description (``n / (n + 5)``, as in
       ``hybrid``).
    """

    name = "bootstrap"
    default_threshold = 0.5
    evidence_columns = ("evidence", "head_probability", "description_mentions")

    def fit(self, postings: pd.DataFrame, family: Family, context: MethodContext) -> Self:
        self.engine_ = context.engine()
        phrases = tuple(family.keywords or family.anchors)
        uniq, vecs = distinct_titles(postings, self.engine_, self.prefix)
        self.grown_ = grown_terms(phrases, uniq, vecs)
        used = {k: v for k, v in self.grown_.items() if v["used"]}
        long_forms = [k for k, v in used.items() if v["kind"] == "long form"]
        # The initialisms: those confirmed, and the anchors whose long forms are.
        initials = [k for k, v in used.items() if v["kind"] == "initialism"]
        initials += [v["of"].strip().upper() for v in used.values() if v["kind"] == "long form"]
        initials = list(dict.fromkeys(initials))
        # Two initialisms written together count too: "AIML" for "AI/ML".
        joined = [a + b for a in initials for b in initials if a != b]
        patterns = [initialism_pattern(k) for k in initials] + [
            rf"(?<![A-Za-z0-9]){j}(?![A-Za-z0-9])" for j in joined
        ]
        include = compile_phrases(list(phrases) + long_forms)
        pattern = "|".join(
            ([include.pattern] if include is not None else []) + [f"(?-i:{u})" for u in patterns]
        )
        self.rule_ = re.compile(pattern, re.IGNORECASE) if pattern else None
        self.exclude_ = compile_phrases(family.exclude)
        hits, _ = keyword_hits(pd.Series(uniq, dtype=object), self.rule_, self.exclude_)

        titles, target, source = training_set(family, context.labels)
        negatives = np.flatnonzero(~hits)
        if len(negatives) > MAX_NEGATIVES:
            rng = np.random.default_rng(self.seed)
            negatives = np.sort(rng.choice(negatives, MAX_NEGATIVES, replace=False))
        n_pos = int(hits.sum()) + int(target.sum())
        if n_pos == 0 or len(negatives) + int((target == 0).sum()) == 0:
            from jobmap.errors import ConfigError

            raise ConfigError(
                f"{family.name!r} has nothing to learn from: no title has one of its phrases "
                f"({', '.join(phrases)}) and it has no examples or labels. Add examples "
                "(jobmap family add NAME --examples FILE) or other anchors."
            )
        x = np.vstack(
            [
                vecs[hits],
                vecs[negatives],
                self.engine_.embed(
                    [self.prefix + clean(t) for t in titles], desc="embedding examples"
                )
                if titles
                else np.zeros((0, vecs.shape[1]), dtype=vecs.dtype),
            ]
        )
        y = np.concatenate([np.ones(int(hits.sum())), np.zeros(len(negatives)), target])
        self.model_ = self._model().fit(x, y)
        n_hits = int(hits.sum())
        self.trained_on_ = (
            f"{n_hits:,} title{'' if n_hits == 1 else 's'} the rule matches against "
            f"{len(negatives):,} others" + (f", plus {source}" if source else "")
        )
        return self

    def grown(self) -> str:
        """What the data added to the rule, in words."""
        parts = [
            f"{k!r} for {v['of']!r} {'added' if v['used'] else 'not confirmed'}"
            for k, v in self.grown_.items()
            if v["titles"] and (v["used"] or v["kind"] == "initialism")
        ]
        others = sum(1 for v in self.grown_.values() if v["kind"] == "long form" and not v["used"])
        if others:
            parts.append(f"{others} other long form{'s' if others > 1 else ''} not confirmed")
        return "; ".join([*parts, f"head trained on {self.trained_on_}"])

    def score(self, postings: pd.DataFrame) -> pd.DataFrame:
        hits, found = keyword_hits(postings["title"], self.rule_, self.exclude_)
        vetoed = is_vetoed(found)
        x = self.engine_.embed(
            [self.prefix + clean(t) for t in postings["title"]], desc="embedding titles"
        )
        proba = self.model_.predict_proba(x)[:, 1] if len(x) else np.zeros(0)
        head = np.where(
            proba >= HEAD_SURE,
            0.5 + 0.5 * (proba - HEAD_SURE) / (1 - HEAD_SURE),
            0.5 * proba / HEAD_SURE,
        )
        mentions, desc = description_evidence(postings, self.rule_, vetoed)
        score = np.where(hits, 1.0, np.minimum(np.maximum(head, desc), 0.99))
        score = np.where(vetoed, 0.0, score)
        evidence = []
        for hit, f, h, d, n in zip(hits, found, head, desc, mentions, strict=True):
            if hit:
                evidence.append(f"title: {f}")
            elif f:
                evidence.append(f)
            elif d >= h and n:
                evidence.append(f"description: {int(n)} mentions")
            else:
                evidence.append("head")
        return pd.DataFrame(
            {
                "score": score,
                "evidence": evidence,
                "head_probability": proba.round(4),
                "description_mentions": mentions.astype(int),
            },
            index=postings.index,
        )

    def explain(self, row: pd.Series) -> str:
        ev = str(row["evidence"])
        if ev.startswith("title: "):
            return f"the title contains {ev[7:]}"
        if ev.startswith("description: "):
            return (
                f"the description mentions the family's phrases {row['description_mentions']} "
                f"times ({DESCRIPTION_HALF} count as much as a phrase in the title)"
            )
        if is_vetoed([ev])[0]:
            return f"excluded: {ev}"
        return (
            f"a head trained on {self.trained_on_} gives probability "
            f"{row['head_probability']:.2f} ({HEAD_SURE} or more matches)"
        )

    def params(self) -> dict[str, Any]:
        out: dict[str, Any] = {"C": self.C, "seed": self.seed, "head_sure": HEAD_SURE}
        if hasattr(self, "trained_on_"):
            out.update(
                {"grown": self.grown_, "trained_on": self.trained_on_, "summary": self.grown()}
            )
        return out


class AutoMethod(Method):
    """Picks the best method for the data and the family, and says which."""

    name = "auto"
    default_threshold = 0.5
    evidence_columns = ("evidence",)

    def fit(self, postings: pd.DataFrame, family: Family, context: MethodContext) -> Self:
        has_desc = bool(
            "description" in postings.columns and postings["description"].notna().mean() > 0.5
        )
        inner: Method
        if family.keywords and has_desc:
            inner, why = HybridMethod(), "descriptions and a keyword rule"
        elif family.keywords:
            inner, why = KeywordMethod(), "titles only, and a keyword rule"
        else:
            inner, why = (
                BootstrapMethod(),
                "no keyword rule: the anchor phrases as a rule, grown by a head",
            )
        self.inner_ = inner.fit(postings, family, context)
        self.picked_ = inner.name
        self.why_ = why
        return self

    def score(self, postings: pd.DataFrame) -> pd.DataFrame:
        inner = self.inner_.score(postings)
        first = self.inner_.evidence_columns[0]
        return pd.DataFrame(
            {"score": inner["score"], "evidence": inner[first].astype(str)}, index=postings.index
        )

    def fitted_threshold(self) -> float | None:
        return self.inner_.fitted_threshold()

    def explain(self, row: pd.Series) -> str:
        return f"{self.picked_} (picked for {self.why_}): {row['evidence']}"

    def params(self) -> dict[str, Any]:
        if not hasattr(self, "inner_"):
            return {}
        return {"picked": self.picked_, "why": self.why_, **self.inner_.params()}
