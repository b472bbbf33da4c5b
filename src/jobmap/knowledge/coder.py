"""The occupational coder: each posting's O*NET-SOC occupation, a calibrated confidence, and why.

How a posting is coded (each step chosen by measurement on the dev gold; see the README):

1. **Exact title.** The title's readings (:func:`jobmap.knowledge.titles.title_queries`: the whole
   title without seniority, schedule, pay and place; each part between separators; "director of X"
   as "X director") are looked up among O*NET's occupation titles and 56,495 alternate titles,
   normalised the same way; then each reading without its first words ("prepared food dishwasher"
   -> "dishwasher"), the head noun phrase that names the work.
2. **Word overlap.** TF-IDF over the words and word pairs of the normalised O*NET titles.
3. **Nearest titles by embedding.** The title's vector (``"Job title: " + title``, the one ``find``
   caches) against every O*NET title's, and the nearest titles vote for their occupations.
4. **Rules** of the SOC coding manual: a supervisor of workers goes to the first-line supervisors
   (xx-1xxx), a manager of a function to management (11-), a sales representative to sales (41-).
5. **The description**, where the posting has one, re-ranks the best candidates by its overlap with
   each occupation's description, task statements and technology skills.

A title that names no occupation ("Multiple Openings", "Hiring Event") is coded to none, with the
reason. ``confidence`` is calibrated: the score margin mapped through a logistic fitted on the dev
gold's tune half (see ``CALIBRATION``).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jobmap._atomic import atomic_path
from jobmap.knowledge import (
    alternate_titles,
    occupation_titles,
    occupations,
    tasks,
    technologies,
)
from jobmap.knowledge.titles import normalise, singular, title_queries

__all__ = ["NO_OCCUPATION", "Coder", "major_groups"]

#: Titles that name no occupation: a general application, several openings.
NO_OCCUPATION = re.compile(
    r"^\W*(?:multiple|various|several|many|general|open|all)\s+(?:openings?|positions?|roles?|jobs?|"
    r"opportunit(?:y|ies)|applications?|vacanc(?:y|ies))\b|"
    r"^\W*(?:now hiring|we are hiring|we're hiring|hiring now|join our team|"
    r"talent (?:pool|community|network)|general application|open application|apply here|"
    r"future opportunit(?:y|ies)|expression of interest|test (?:job|posting)|"
    r"(?:job|career) opportunit(?:y|ies))\W*$",
    re.IGNORECASE,
)
#: An event, not a job: it names an occupation only where what is left is an O*NET title
#: ("Hiring Event Servers!", "Maintenance Technician Career Fair").
EVENT = re.compile(
    r"\b(?:virtual |open )?(?:hiring|recruiting|recruitment|interview) (?:event|day)s?\b|"
    r"\b(?:virtual )?(?:job|career) fairs?\b",
    re.IGNORECASE,
)

#: The SOC major groups (2018 SOC), by their two digits.
MAJOR_GROUPS = {
    "11": "Management",
    "13": "Business and Financial Operations",
    "15": "Computer and Mathematical",
    "17": "Architecture and Engineering",
    "19": "Life, Physical, and Social Science",
    "21": "Community and Social Service",
    "23": "Legal",
    "25": "Educational Instruction and Library",
    "27": "Arts, Design, Entertainment, Sports, and Media",
    "29": "Healthcare Practitioners and Technical",
    "31": "Healthcare Support",
    "33": "Protective Service",
    "35": "Food Preparation and Serving Related",
    "37": "Building and Grounds Cleaning and Maintenance",
    "39": "Personal Care and Service",
    "41": "Sales and Related",
    "43": "Office and Administrative Support",
    "45": "Farming, Fishing, and Forestry",
    "47": "Construction and Extraction",
    "49": "Installation, Maintenance, and Repair",
    "51": "Production",
    "53": "Transportation and Material Moving",
    "55": "Military Specific",
}


def major_groups() -> dict[str, str]:
    """The SOC major groups: two digits -> name."""
    return dict(MAJOR_GROUPS)


#: Weights of the evidence, chosen on the dev gold's tune half (README, "Occupations").
WEIGHTS = {"exact": 1.0, "words": 0.5, "nearest": 1.0, "rules": 0.3, "description": 0.3}
#: The logistic that turns a posting's score margin over the second code, and its score, into a
#: confidence (fitted on the dev gold's tune half; on the check half, postings given 0.85 or more
#: were right 97% of the time at 6 digits, those under 0.5, 41%).
CALIBRATION = (-0.93, 2.36, 0.37)
#: How many candidates each posting keeps for the rules and the description to re-rank.
CANDIDATES = 30
#: How much each later reading of a title counts (the whole title first), and how a reading's last
#: words alone count against the whole reading (by the share of its words they keep).
RANK_DECAY = 0.9
DROP_POWER = 1.0
#: A reading's last word alone ("engineer", "associate") is no evidence when titles of more than
#: this many occupations end in it ("dishwasher": 2; "nurse": 17; "engineer": 163).
GENERIC_HEAD = 25

_SUPERVISOR = re.compile(r"\b(supervisor|foreman|forewoman|crew lead|team lead|shift lead)\b")
#: Managers of managers or of a function (SOC: 11-); a plain "manager" is coded to what it manages.
_MANAGER = re.compile(r"\b(director|head|vice president|chief|president)\b")
_SALES = re.compile(r"\b(sales|account executive|business development)\b")


@dataclass
class _Index:
    """O*NET's titles, normalised, with what the coder looks up in them."""

    names: dict[str, str]
    exact: dict[str, dict[str, float]]
    titles: list[str]
    title_codes: np.ndarray
    words: Any = None
    word_matrix: Any = None
    vectors: np.ndarray | None = None
    profiles: dict[str, str] = field(default_factory=dict)
    #: For each last word of a title, how many occupations have titles ending in it.
    generic: dict[str, int] = field(default_factory=dict)
    #: Each normalised title as O*NET writes it (for ``why``).
    shown: dict[str, str] = field(default_factory=dict)


def _strip_brackets(title: str) -> str:
    return re.sub(r"\([^)]*\)", " ", title)


def _build_index() -> _Index:
    occ = occupations()
    alt = alternate_titles()
    names = occupation_titles()
    rows: list[tuple[str, str, float]] = []
    for code, title in zip(occ["code"], occ["title"], strict=True):
        # "Sales Engineers": the occupation's own title counts three times an alternate title.
        rows.append((code, title, 3.0))
    for code, title, short, sources in zip(
        alt["code"], alt["title"], alt["short_title"], alt["sources"], strict=True
    ):
        # Titles from employers' job listings (source 10) are the ones postings use.
        weight = 1.0 + 0.5 * ("10" in str(sources).split(","))
        rows.append((code, _strip_brackets(title), weight))
        if short:
            rows.append((code, short, weight))
    exact: dict[str, dict[str, float]] = {}
    pairs: dict[tuple[str, str], str] = {}
    for code, title, weight in rows:
        key = normalise(title)
        if not key:
            continue
        slot = exact.setdefault(key, {})
        slot[code] = slot.get(code, 0.0) + weight
        pairs.setdefault((key, code), " ".join(title.split()))
    titles = [k for k, _ in pairs]
    shown = {k: t for (k, _), t in reversed(pairs.items())}
    title_codes = np.array([c for _, c in pairs], dtype=object)
    heads: dict[str, set[str]] = {}
    for key, code in pairs:
        heads.setdefault(key.rsplit(" ", 1)[-1], set()).add(code)
    generic = {word: len(codes) for word, codes in heads.items()}
    return _Index(names, exact, titles, title_codes, generic=generic, shown=shown)


class Coder:
    """Codes postings to O*NET-SOC occupations.

    >>> coder = Coder(embeddings=False)
    >>> coder.code(pd.DataFrame({"title": ["Registered Nurse - ICU", "Multiple Openings"]}))[
    ...     ["occupation_code", "occupation_title"]].values.tolist()
    [['29-1141.00', 'Registered Nurses'], ['', '']]
    """

    def __init__(
        self,
        *,
        engine: Any = None,
        embeddings: bool = True,
        weights: dict[str, float] | None = None,
        progress: bool = False,
    ) -> None:
        self.weights = {**WEIGHTS, **(weights or {})}
        self.index = _build_index()
        self._engine = engine
        self.use_embeddings = embeddings
        self.progress = progress
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.index.words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        self.index.word_matrix = self.index.words.fit_transform(self.index.titles)
        self._profiles: tuple[Any, Any, list[str]] | None = None

    # -- the engine and the reference vectors -----------------------------------------------------
    def engine(self) -> Any:
        if self._engine is None:
            from jobmap.embeddings import EmbeddingEngine

            self._engine = EmbeddingEngine(progress=self.progress)
        return self._engine

    def reference_vectors(self) -> np.ndarray:
        """Every O*NET title's vector: embedded once per model and O*NET release (about a
        minute on two cores), then read from ``knowledge_cache_dir()``."""
        if self.index.vectors is None:
            from jobmap.config import knowledge_cache_dir
            from jobmap.texts.builders import TITLE_PREFIX

            engine = self.engine()
            texts = [TITLE_PREFIX + t for t in self.index.titles]
            digest = hashlib.sha256(
                json.dumps([engine.model_id, texts]).encode("utf-8")
            ).hexdigest()[:20]
            root = engine.cache.folder.parent.parent  # the cache folder the engine uses
            path = knowledge_cache_dir(root) / f"onet-{digest}.npy"
            vectors = None
            if path.is_file():
                try:
                    vectors = np.load(path)
                except (OSError, ValueError):
                    vectors = None  # a damaged file only costs embedding again
            if vectors is None or vectors.shape[0] != len(texts):
                if self.progress:
                    import sys

                    print(
                        f"Embedding O*NET's {len(set(texts)):,} titles once for {engine.model_id} "
                        f"(a few minutes on a CPU; kept in {path.parent}).",
                        file=sys.stderr,
                    )
                vectors = engine.embed(texts, desc="embedding O*NET titles")
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
                        np.save(fh, vectors)
                except OSError:
                    pass  # no room: embedded again next time
            self.index.vectors = np.asarray(vectors, dtype=np.float32)
        return self.index.vectors

    # -- evidence ---------------------------------------------------------------------------------
    def _exact(self, queries: list[str]) -> tuple[dict[str, float], str]:
        """Each code's share of the best exact reading, and the O*NET title matched."""
        best: dict[str, float] = {}
        matched, top = "", 0.0
        for rank, query in enumerate(queries):
            words = query.split()
            for drop in range(len(words)):
                key = " ".join(words[drop:])
                hit = self.index.exact.get(key)
                if not hit or (drop and self.index.generic.get(key, 0) > GENERIC_HEAD):
                    continue
                # A reading matched whole counts most; its last words alone, by how much is left.
                strength = (RANK_DECAY**rank) * ((len(words) - drop) / len(words)) ** DROP_POWER
                total = sum(hit.values())
                for c, w in hit.items():
                    best[c] = max(best.get(c, 0.0), strength * w / total)
                if strength > top:
                    matched, top = key, strength
                break
        return best, matched

    def _words(self, queries: list[list[str]]) -> Any:
        """Each posting's whole reading as a TF-IDF row over the O*NET titles' words."""
        return self.index.words.transform([qs[0] if qs else "" for qs in queries])

    def profiles(self) -> dict[str, str]:
        """Each occupation's text for the description: title, description, tasks, tools."""
        if not self.index.profiles:
            occ = occupations()
            text = dict(zip(occ["code"], occ["title"] + ". " + occ["description"], strict=True))
            for code, group in tasks().groupby("code")["task"]:
                text[code] = text.get(code, "") + " " + " ".join(group)
            for code, group in technologies().groupby("code")["technology"]:
                text[code] = text.get(code, "") + " " + " ".join(group)
            self.index.profiles = text
        return self.index.profiles

    # -- coding -----------------------------------------------------------------------------------
    def code(
        self,
        postings: pd.DataFrame,
        *,
        top: int = 1,
        vectors: np.ndarray | None = None,
        raw: bool = False,
    ) -> pd.DataFrame:
        """One row per posting: ``occupation_code``, ``occupation_title``, ``confidence``, ``why``
        and, for ``top`` > 1, ``occupation_code_2`` ... with their titles. ``raw=True`` adds the
        ``score`` and ``margin`` the confidence is calibrated from."""
        titles = [str(t) if isinstance(t, str) else "" for t in postings["title"].tolist()]
        descriptions = (
            [str(d) if isinstance(d, str) else "" for d in postings["description"].tolist()]
            if "description" in postings.columns
            else [""] * len(titles)
        )
        # Code each distinct title once (postings repeat titles): the description only re-ranks.
        uniq: dict[str, int] = {}
        for t in titles:
            uniq.setdefault(t, len(uniq))
        keys = list(uniq)
        # An event's title is coded from what is left of it ("Hiring Event Servers!" -> servers).
        queries = [title_queries(EVENT.sub(" ", t)) for t in keys]
        cands = self._candidates(keys, queries, vectors, [uniq[t] for t in titles])
        rows: list[tuple[list[str], list[float], float, str]] = []
        for i, title in enumerate(titles):
            u = uniq[title]
            scores, why = cands[u]
            reason = self._no_occupation(keys[u])
            if reason or not scores:
                rows.append(([], [0.0, 0.0], 0.0, reason or "no O*NET title is near it"))
                continue
            scores = dict(scores)
            why_i = why
            if descriptions[i].strip() and self.weights["description"]:
                scores, note = self._reread(scores, descriptions[i])
                if note:
                    why_i = f"{why}; {note}"
            ranked = sorted(scores, key=lambda c: -scores[c])
            best = scores[ranked[0]]
            second = scores[ranked[1]] if len(ranked) > 1 else 0.0
            rows.append(
                (ranked[:top], [best, best - second], self._confidence(best, second), why_i)
            )
        frame = self._frame(rows, top)
        if raw:
            frame["score"] = [r[1][0] for r in rows]
            frame["margin"] = [r[1][1] for r in rows]
        return frame

    def _no_occupation(self, title: str) -> str:
        """Why a title names no occupation, or "" where it names one."""
        if not title.strip():
            return "no title"
        if NO_OCCUPATION.search(title):
            return "the title names no occupation"
        if EVENT.search(title):
            rest = normalise(EVENT.sub(" ", title))
            if not any(q in self.index.exact for q in title_queries(rest)):
                return "the title names an event, not an occupation"
        return ""

    def _confidence(self, best: float, second: float) -> float:
        a, b_margin, b_score = CALIBRATION
        z = a + b_margin * (best - second) + b_score * best
        return round(1.0 / (1.0 + math.exp(-z)), 3)

    def _frame(
        self, rows: list[tuple[list[str], list[float], float, str]], top: int
    ) -> pd.DataFrame:
        names = self.index.names
        out: dict[str, list[Any]] = {
            "occupation_code": [r[0][0] if r[0] else "" for r in rows],
            "occupation_title": [names[r[0][0]] if r[0] else "" for r in rows],
            "confidence": [r[2] for r in rows],
            "why": [r[3] for r in rows],
        }
        for k in range(2, top + 1):
            out[f"occupation_code_{k}"] = [r[0][k - 1] if len(r[0]) >= k else "" for r in rows]
            out[f"occupation_title_{k}"] = [
                names[r[0][k - 1]] if len(r[0]) >= k else "" for r in rows
            ]
        return pd.DataFrame(out)

    def _candidates(
        self,
        keys: list[str],
        queries: list[list[str]],
        vectors: np.ndarray | None,
        order: list[int],
    ) -> list[tuple[dict[str, float], str]]:
        w = self.weights
        idx = self.index
        word_q = self._words(queries)
        near: list[dict[str, float]] = [{} for _ in keys]
        near_title: list[str] = ["" for _ in keys]
        if self.use_embeddings and w["nearest"]:
            ref = self.reference_vectors()
            if vectors is None:
                from jobmap.texts.builders import TITLE_PREFIX, clean

                qv = self.engine().embed(
                    [TITLE_PREFIX + clean(t) for t in keys], desc="embedding titles"
                )
            else:
                # The caller's vectors are per posting; keep each distinct title's first.
                first: dict[int, int] = {}
                for i, u in enumerate(order):
                    first.setdefault(u, i)
                qv = vectors[[first[u] for u in range(len(keys))]]
            for start in range(0, len(keys), 1024):
                sims = qv[start : start + 1024] @ ref.T
                top = np.argpartition(-sims, CANDIDATES, axis=1)[:, :CANDIDATES]
                for r in range(sims.shape[0]):
                    best: dict[str, float] = {}
                    cols = top[r][np.argsort(-sims[r, top[r]])]
                    for j in cols:
                        c = idx.title_codes[j]
                        if c not in best:
                            best[c] = float(sims[r, j])
                    near[start + r] = best
                    near_title[start + r] = idx.titles[cols[0]]
        word_best = self._word_candidates(word_q) if w["words"] else [{} for _ in keys]
        out = []
        for u, qs in enumerate(queries):
            scores: dict[str, float] = {}
            exact, matched = self._exact(qs)
            for c, s in exact.items():
                scores[c] = scores.get(c, 0.0) + w["exact"] * s
            for c, s in word_best[u].items():
                scores[c] = scores.get(c, 0.0) + w["words"] * s
            for c, s in near[u].items():
                scores[c] = scores.get(c, 0.0) + w["nearest"] * s
            self._rules(qs[0] if qs else "", scores)
            if matched:
                why = f"title matches O*NET '{idx.shown.get(matched, matched)}'"
            elif near_title[u]:
                why = f"title nearest to O*NET '{idx.shown.get(near_title[u], near_title[u])}'"
            else:
                why = "title words"
            out.append((scores, why))
        return out

    def _word_candidates(self, word_q: Any) -> list[dict[str, float]]:
        """Each reading's best TF-IDF cosine per occupation among its ``CANDIDATES`` nearest
        O*NET titles (one sparse product per block of readings, not one per title)."""
        idx = self.index
        out: list[dict[str, float]] = []
        for start in range(0, word_q.shape[0], 2048):
            sims = (word_q[start : start + 2048] @ idx.word_matrix.T).tocsr()
            for r in range(sims.shape[0]):
                lo, hi = sims.indptr[r], sims.indptr[r + 1]
                data, cols = sims.data[lo:hi], sims.indices[lo:hi]
                if len(data) > CANDIDATES:
                    keep = np.argpartition(-data, CANDIDATES)[:CANDIDATES]
                    data, cols = data[keep], cols[keep]
                best: dict[str, float] = {}
                for j, v in zip(cols, data, strict=True):
                    c = idx.title_codes[j]
                    if v > best.get(c, 0.0):
                        best[c] = float(v)
                out.append(best)
        return out

    def _rules(self, reading: str, scores: dict[str, float]) -> None:
        bonus = self.weights["rules"]
        if not bonus or not scores:
            return
        supervisor = bool(_SUPERVISOR.search(reading))
        manager = bool(_MANAGER.search(reading)) and not supervisor
        sales = bool(_SALES.search(reading))
        for c in scores:
            if supervisor and c[3] == "1" and c[:2] != "11":
                scores[c] += bonus
            if manager and c.startswith("11-"):
                scores[c] += bonus
            if sales and c.startswith("41-"):
                scores[c] += bonus

    def _profile_index(self) -> tuple[Any, Any, list[str]]:
        """TF-IDF over each occupation's profile (title, description, tasks, technologies)."""
        if self._profiles is None:
            from sklearn.feature_extraction.text import TfidfVectorizer

            profiles = self.profiles()
            codes = list(profiles)
            vec = TfidfVectorizer(
                tokenizer=_tokens,
                lowercase=False,
                token_pattern=None,
                sublinear_tf=True,
                min_df=2,
                max_df=0.3,
            )
            self._profiles = (vec, vec.fit_transform([profiles[c] for c in codes]), codes)
        return self._profiles

    def _reread(self, scores: dict[str, float], description: str) -> tuple[dict[str, float], str]:
        """Add the description's evidence: its TF-IDF cosine with every occupation's profile,
        scaled so that the closest occupation gets the full weight; the closest ten are added
        as candidates, so that a generic title ("Technician") can be decided by its tasks."""
        vec, matrix, codes = self._profile_index()
        q = vec.transform([description])
        if not q.nnz:
            return scores, ""
        sims = (matrix @ q.T).toarray().ravel()
        top = np.argsort(-sims)[:10]
        best = float(sims[top[0]]) or 1.0
        lead_before = max(scores, key=lambda c: scores[c])
        out = dict(scores)
        for j in top:
            c = codes[j]
            out[c] = out.get(c, 0.0) + self.weights["description"] * float(sims[j]) / best
        lead = max(out, key=lambda c: out[c])
        note = "" if lead == lead_before else "the description's tasks and tools decided"
        return out, note


_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "or",
        "the",
        "of",
        "to",
        "in",
        "for",
        "with",
        "on",
        "at",
        "by",
        "as",
        "is",
        "are",
        "be",
        "will",
        "from",
        "that",
        "this",
        "our",
        "your",
        "you",
        "we",
        "their",
        "they",
        "it",
        "its",
        "all",
        "any",
        "other",
        "such",
        "may",
        "must",
        "can",
        "including",
        "include",
        "includes",
        "using",
        "use",
    ]
)


def _tokens(text: str) -> list[str]:
    return [singular(w) for w in re.findall(r"[a-z][a-z+#]{2,}", text.lower()) if w not in _STOP]


def soc_matches(code: str, prefixes: Sequence[str]) -> bool:
    """Whether an O*NET-SOC code falls under any of the SOC prefixes (``15-1212`` covers
    ``15-1212.00``; ``15-12`` covers both ``15-1211.00`` and ``15-1299.05``)."""
    return bool(code) and any(code.startswith(p) for p in prefixes)


def covered(prefixes: Sequence[str]) -> list[str]:
    """The O*NET-SOC codes the prefixes cover, in code order."""
    return [c for c in occupations()["code"] if soc_matches(c, prefixes)]


def check_occupations(prefixes: Sequence[str], where: str = "occupations") -> None:
    """Every prefix covers at least one O*NET-SOC code, or a ConfigError names it."""
    from jobmap.errors import ConfigError

    codes = occupations()["code"].tolist()
    for prefix in prefixes:
        if not any(c.startswith(prefix) for c in codes):
            raise ConfigError(
                f"{where}: no O*NET-SOC occupation has a code starting {prefix!r}; find codes "
                "with jobmap occupations (the codes of your postings) or in O*NET OnLine."
            )


def occupation_phrases(prefixes: Sequence[str]) -> list[str]:
    """Anchor phrases for a family given by occupations alone: each covered occupation's title
    in the singular ("Information Security Analysts" -> "information security analyst"),
    titles joined by "and" or commas split into their parts."""
    names = occupation_titles()
    out: dict[str, None] = {}
    for code in covered(prefixes):
        title = re.sub(r",? (?:All Other|Except .*)$", "", names[code])
        for part in re.split(r",\s*|\s+and\s+|/", title):
            phrase = " ".join(singular(w) for w in part.lower().split())
            if len(phrase) > 2:
                out.setdefault(phrase, None)
    return list(out)
