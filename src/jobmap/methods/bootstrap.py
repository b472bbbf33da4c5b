"""``bootstrap``: for a family without labels, its phrases as a rule grown from the data (the
initialisms the data confirm), a head trained on the rule's matches that adds the titles it is
sure of, and description mentions as in ``hybrid``.
"""

from __future__ import annotations

import re
from typing import Any, Self

import numpy as np
import pandas as pd

from jobmap.errors import ConfigError
from jobmap.families import Family
from jobmap.methods.evidence import DESCRIPTION, NEARER_OUT, TITLE, VETOED, Evidence, is_vetoed
from jobmap.methods.head import TitleHead, distinct_titles, training_set
from jobmap.methods.hybrid import DESCRIPTION_HALF, description_evidence, description_mentions
from jobmap.methods.keywords import (
    compile_phrases,
    compile_rule,
    initialism,
    initialism_pattern,
    is_untrusted,
    keyword_hits,
)
from jobmap.texts import clean
from jobmap.texts.match import phrases_in

#: A bootstrapped head adds a title without the family's phrases only when it is this sure; its
#: probability is rescaled so that this value scores 0.5, the method's threshold.
HEAD_SURE = 0.9
#: A term the data suggest (an initialism of a phrase, or the long form of an initialism) joins
#: the rule when three quarters of the titles with it rank in the top (1 - INITIALISM_RANK) of all
#: titles by similarity to those with the family's phrase: "RN" for "registered nurse" and "AI"
#: do; "PM" for "project manager" (mostly afternoon shifts) and "DE" (Delaware) do not.
INITIALISM_RANK = 0.9
#: The score of a title the head is sure of but that is more like a title known to be out of the
#: family than like any known to be in it: below the method's threshold.
NEARER_OUT_SCORE = 0.49
#: Titles known to be in (or out of) the family kept for the nearest-known check, at most.
MAX_KNOWN = 20_000
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


class BootstrapMethod(TitleHead):
    """The family's phrases as a rule, grown from the data, for families without labels.

    1. The rule: the family's keywords (else its anchor phrases) in the title, plus what the data
       confirm of the initialisms of its multi-word phrases and the long forms of its initialisms
       (see :func:`grown_terms`), minus its exclusions. A title the rule matches scores 1.
    2. A logistic-regression head on the title embeddings, trained on the titles the rule
       matches (and the family's examples, and labels when given) against the other titles. It
       adds a title only when its probability reaches ``HEAD_SURE``, and only when the title is
       not more like a title known to be out of the family (a negative example, or a title with
       a phrase answered no) than like every title known to be in it (the rule's matches and
       the positive examples): an answer speaks for the titles very like the ones it settled.
    3. With descriptions: how often the rule occurs in the description (``n / (n + 5)``, as in
       ``hybrid``).
    """

    name = "bootstrap"
    default_threshold = 0.5
    evidence_columns = ("evidence", "head_probability", "description_mentions")
    fit_columns = ()
    score_columns = ("description",)
    summary = (
        "the anchor phrases as a rule grown from the data, and a head, for families without labels"
    )

    def fit(
        self, postings: pd.DataFrame, family: Family, labels: pd.DataFrame | None = None
    ) -> Self:
        phrases = tuple(family.keywords or family.anchors)
        uniq, vecs = distinct_titles(postings, self.engine, self.prefix)
        # a phrase that is the initialism of another ("ml" beside "machine learning": a grown
        # term a person answered yes) is that initialism, confirmed: it keeps its case-sensitive
        # pattern ("MLOps", "AI/ML"), not the plain phrase's
        of = {initialism(p): p for p in phrases if initialism(p)}
        confirmed = {
            str(letters): str(source)
            for letters, source in of.items()
            if any(p.strip().upper() == letters for p in phrases)
        }
        base = tuple(p for p in phrases if p.strip().upper() not in confirmed)
        self.grown_ = grown_terms(base, uniq, vecs)
        for letters, source in confirmed.items():
            self.grown_[letters] = {
                "of": source,
                "kind": "initialism",
                "titles": None,
                "rank": None,
                "used": True,
                "confirmed": True,
            }
        # a term a person answered no (the family's rejected phrases) is not grown
        rejected = {r.strip().lower() for r in family.rejected}
        for term, v in self.grown_.items():
            if v["used"] and term.lower() in rejected:
                v["used"], v["rejected"] = False, True
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
        self.rule_ = compile_rule(pattern, untrusted=is_untrusted(include)) if pattern else None
        self.exclude_ = compile_phrases(family.exclude)
        hits, _ = keyword_hits(pd.Series(uniq, dtype=object), self.rule_, self.exclude_)

        titles, target, source = training_set(family, labels)
        negatives = np.flatnonzero(~hits)
        if len(negatives) > MAX_NEGATIVES:
            rng = np.random.default_rng(self.seed)
            negatives = np.sort(rng.choice(negatives, MAX_NEGATIVES, replace=False))
        n_pos = int(hits.sum()) + int(target.sum())
        if n_pos == 0 or len(negatives) + int((target == 0).sum()) == 0:
            raise ConfigError(
                f"{family.name!r} has nothing to learn from: no title has one of its phrases "
                f"({', '.join(phrases)}) and it has no examples or labels. Add examples "
                "(jobmap family add NAME --examples FILE) or other anchors."
            )
        examples = (
            self.engine.embed([self.prefix + clean(t) for t in titles], desc="embedding examples")
            if titles
            else np.zeros((0, vecs.shape[1]), dtype=vecs.dtype)
        )
        x = np.vstack([vecs[hits], vecs[negatives], examples])
        y = np.concatenate([np.ones(int(hits.sum())), np.zeros(len(negatives)), target])
        self.model_ = self._model().fit(x, y)
        # training_set lists the family's positives, then its negatives, then the labels
        n_positives, n_negatives = len(family.examples_in()), len(family.examples_out())
        self._keep_known(
            family,
            uniq,
            vecs,
            hits,
            examples[:n_positives],
            examples[n_positives : n_positives + n_negatives],
        )
        n_hits = int(hits.sum())
        self.trained_on_ = (
            f"{n_hits:,} title{'' if n_hits == 1 else 's'} the rule matches against "
            f"{len(negatives):,} others" + (f", plus {source}" if source else "")
        )
        return self

    def _keep_known(
        self,
        family: Family,
        uniq: np.ndarray,
        vecs: np.ndarray,
        hits: np.ndarray,
        positives: np.ndarray,
        negatives: np.ndarray,
    ) -> None:
        """The titles known to be in the family (the rule's, the positive examples) and out of
        it (the negative examples, the titles with a rejected phrase the rule does not match),
        by embedding, for :meth:`score`'s nearest-known check. ``positives`` and ``negatives``
        are the family's examples as the fit embedded them."""
        rejected = phrases_in(pd.Series(uniq, dtype=object), family.rejected)
        out_rows = np.flatnonzero(rejected & ~hits)
        n_out = len(out_rows) + len(family.examples_out())
        if n_out == 0:  # nothing known to be out: nothing to check against (nor to keep)
            self.known_out_ = self.known_in_ = np.zeros((0, vecs.shape[1]), dtype=np.float32)
            self.known_out_titles_: list[str] = []
            return
        rng = np.random.default_rng(self.seed)
        in_rows = np.flatnonzero(hits)
        # at most MAX_KNOWN of each, drawn with the seed (the check runs on a few titles, and a
        # broad rule or rejected phrase can hold a hundred thousand)
        if len(out_rows) > MAX_KNOWN:
            out_rows = np.sort(rng.choice(out_rows, MAX_KNOWN, replace=False))
        if len(in_rows) > MAX_KNOWN:
            in_rows = np.sort(rng.choice(in_rows, MAX_KNOWN, replace=False))
        self.known_out_ = np.vstack([vecs[out_rows], negatives]).astype(np.float32)
        self.known_in_ = np.vstack([vecs[in_rows], positives]).astype(np.float32)
        self.known_out_titles_ = [str(t) for t in uniq[out_rows]] + list(family.examples_out())

    def _nearer_out(self, x: np.ndarray, candidates: np.ndarray) -> dict[int, str]:
        """For the rows ``candidates`` of ``x``: those nearer a title known to be out of the
        family than any known to be in it, with that title."""
        out_vecs = getattr(self, "known_out_", None)
        if out_vecs is None or not len(out_vecs) or not len(candidates):
            return {}
        sims_out = x[candidates] @ out_vecs.T
        best_in = (
            (x[candidates] @ self.known_in_.T).max(axis=1)
            if len(self.known_in_)
            else np.full(len(candidates), -np.inf)
        )
        nearest = sims_out.argmax(axis=1)
        nearer = sims_out[np.arange(len(candidates)), nearest] > best_in
        return {
            int(c): self.known_out_titles_[int(j)]
            for c, j, n in zip(candidates, nearest, nearer, strict=True)
            if n
        }

    def grown_phrases(self) -> dict[str, str]:
        return {
            k: str(v["of"]) for k, v in self.grown_.items() if v["used"] and not v.get("confirmed")
        }

    def grown(self) -> str:
        """What the data added to the rule, in words."""
        parts = [
            f"{k!r} for {v['of']!r} "
            + (
                "confirmed by an answer"
                if v.get("confirmed")
                else "added"
                if v["used"]
                else "rejected"
                if v.get("rejected")
                else "not confirmed"
            )
            for k, v in self.grown_.items()
            if (v["titles"] or v.get("confirmed"))
            and (v["used"] or v.get("rejected") or v["kind"] == "initialism")
        ]
        others = sum(
            1
            for v in self.grown_.values()
            if v["kind"] == "long form" and not v["used"] and not v.get("rejected")
        )
        if others:
            parts.append(f"{others} other long form{'s' if others > 1 else ''} not confirmed")
        return "; ".join([*parts, f"head trained on {self.trained_on_}"])

    def score(self, postings: pd.DataFrame) -> pd.DataFrame:
        hits, found = keyword_hits(postings["title"], self.rule_, self.exclude_)
        vetoed = is_vetoed(found)
        x = self.engine.embed(
            [self.prefix + clean(t) for t in postings["title"]], desc="embedding titles"
        )
        proba = self.model_.predict_proba(x)[:, 1] if len(x) else np.zeros(0)
        head = np.where(
            proba >= HEAD_SURE,
            0.5 + 0.5 * (proba - HEAD_SURE) / (1 - HEAD_SURE),
            0.5 * proba / HEAD_SURE,
        )
        # a title the head would add that is more like one known to be out stays out
        nearer_out = self._nearer_out(x, np.flatnonzero(~hits & ~vetoed & (head >= 0.5)))
        if nearer_out:
            rows = np.fromiter(nearer_out, dtype=np.int64)
            head[rows] = np.minimum(head[rows], NEARER_OUT_SCORE)
        mentions, desc = description_evidence(postings, self.rule_, vetoed)
        score = np.where(hits, 1.0, np.minimum(np.maximum(head, desc), 0.99))
        score = np.where(vetoed, 0.0, score)
        evidence = []
        for i, (hit, f, h, d, n) in enumerate(zip(hits, found, head, desc, mentions, strict=True)):
            if hit:
                said = Evidence.title(f)
            elif f:
                said = Evidence.keyword(f)  # a veto
            elif d >= h and n:
                said = Evidence.description(int(n))
            elif i in nearer_out:
                said = Evidence.nearer_out(nearer_out[i])
            else:
                said = Evidence.head()
            evidence.append(said.text())
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
        ev = Evidence.read(row["evidence"])
        if ev.kind == TITLE:
            return f"the title contains {ev.term}"
        if ev.kind == DESCRIPTION:
            return (
                f"the description mentions the family's phrases {description_mentions(row)} "
                f"times ({DESCRIPTION_HALF} count as much as a phrase in the title)"
            )
        if ev.kind == VETOED:
            return f"excluded: {ev.term}"
        p = row.get("head_probability")
        # a row that keeps the evidence alone (auto's) has the score, the probability rescaled
        known = p is not None and not pd.isna(p)
        gives = (
            f"gives probability {p:.2f}"
            if known
            else f"gives score {row['score']:.2f} (0.5 where its probability is {HEAD_SURE})"
        )
        if ev.kind == NEARER_OUT:
            return (
                f"a head trained on {self.trained_on_} {gives}, but the title is more like "
                f"{ev.term!r}, a title known to be out of the family, than like any known to be "
                "in it"
            )
        sure = f" ({HEAD_SURE} or more matches)" if known else ""
        return f"a head trained on {self.trained_on_} {gives}{sure}"

    def describe(self) -> str:
        return self.grown() if hasattr(self, "trained_on_") else ""

    def rule_hits(self, titles: pd.Series) -> np.ndarray | None:
        return keyword_hits(titles, self.rule_, self.exclude_)[0]

    def params(self) -> dict[str, Any]:
        out: dict[str, Any] = {"C": self.C, "seed": self.seed, "head_sure": HEAD_SURE}
        if hasattr(self, "trained_on_"):
            out.update(
                {"grown": self.grown_, "trained_on": self.trained_on_, "summary": self.grown()}
            )
        return out
