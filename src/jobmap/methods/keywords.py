"""Keyword rules: the baseline every evaluation shows, and the backbone of the default method.

A family's ``keywords`` are phrases matched as :mod:`jobmap.texts.match` matches every phrase in
jobmap (case-insensitive whole words; a trailing ``*`` matches any word ending: ``data scien*``; a
space also matches hyphens and dashes, ``/``, ``_`` or nothing, as in "Machine–Learning",
"Data_Science" or "DataScientist"; ``re:`` starts a raw regular expression). A posting matches
when a keyword matches and no ``exclude`` phrase does. With no keywords, the family's anchor
phrases are the rule.

Rules run on the ``regex`` package (the syntax of Python's ``re``) with a time limit on every
match: a pattern from a families file such as ``re:(a+)+$`` can take exponential time on some
titles, and a run must stop with a clear error instead of hanging (:data:`MATCH_SECONDS`, for all
the slow matches of a batch together).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
import pandas as pd
import regex

from jobmap.errors import ConfigError
from jobmap.families import Family
from jobmap.methods.base import Method
from jobmap.methods.evidence import Evidence
from jobmap.texts.match import is_raw, phrases_pattern

#: A compiled rule (a ``regex`` pattern).
Rule = Any
#: The time a user's pattern may take on one batch of texts, counting the matches that are
#: slow (:data:`SLOW_MATCH` or more): a pattern that takes 1.5 s on each of 50 titles is
#: stopped after 2 s in all, not after 75 (the limit was per match).
MATCH_SECONDS = 2.0
#: A match this slow counts toward :data:`MATCH_SECONDS`: catastrophic backtracking takes
#: seconds a text, an ordinary pattern on a long description milliseconds (tens on a busy
#: machine: a budget counting those stopped sound runs in CI).
SLOW_MATCH = 0.25


@dataclass
class MatchBudget:
    """What is left of :data:`MATCH_SECONDS` for one batch of matches."""

    seconds: float = MATCH_SECONDS
    slow: int = 0

    def spend(self, took: float) -> None:
        if took >= SLOW_MATCH:
            self.seconds -= took
            self.slow += 1


def compile_rule(pattern: str, untrusted: bool = True) -> Rule:
    """A case-insensitive rule from a regular expression: on the ``regex`` engine, whose matches
    :func:`rule_search` stops when they exhaust a :class:`MatchBudget`, when the pattern holds
    a user's ``re:`` pattern (``untrusted``); on Python's ``re`` (faster) when jobmap wrote all
    of it."""
    if untrusted:
        return regex.compile(pattern, regex.IGNORECASE)
    return re.compile(pattern, re.IGNORECASE)


def is_untrusted(rule: Rule | None) -> bool:
    """Whether a compiled rule holds a user's pattern (runs with a time limit)."""
    return rule is not None and not isinstance(rule, re.Pattern)


def _too_slow(rule: Rule, text: str, budget: MatchBudget) -> ConfigError:
    shown = text if len(text) <= 60 else text[:57] + "..."
    return ConfigError(
        f"a family pattern took more than {MATCH_SECONDS:g} s in all ({budget.slow + 1} slow "
        f"match(es), the last on the text {shown!r}) and was stopped "
        f"({str(rule.pattern)[:80]!r}...): simplify the re: pattern (nested repeats such as "
        "(a+)+ can take forever)."
    )


def _timed(rule: Rule, text: str, budget: MatchBudget | None, find_all: bool) -> Any:
    """A user's pattern on ``text`` within what is left of ``budget`` (a fresh one without)."""
    budget = budget if budget is not None else MatchBudget()
    if budget.seconds <= 0:
        raise _too_slow(rule, text, budget)
    started = time.perf_counter()
    try:
        if find_all:
            return list(rule.findall(text, timeout=budget.seconds))
        return rule.search(text, timeout=budget.seconds)
    except TimeoutError:
        raise _too_slow(rule, text, budget) from None
    finally:
        budget.spend(time.perf_counter() - started)


def rule_search(rule: Rule, text: str, budget: MatchBudget | None = None) -> Any:
    """``rule.search(text)``; a user's pattern is stopped with a clear error once its slow
    matches have taken :data:`MATCH_SECONDS` of ``budget`` (one batch's)."""
    if isinstance(rule, re.Pattern):
        return rule.search(text)
    return _timed(rule, text, budget, find_all=False)


def rule_findall(rule: Rule, text: str, budget: MatchBudget | None = None) -> list[Any]:
    """``rule.findall(text)``, with the time limit of :func:`rule_search`."""
    if isinstance(rule, re.Pattern):
        return rule.findall(text)
    return list(_timed(rule, text, budget, find_all=True))


def compile_phrases(phrases: tuple[str, ...] | list[str], trusted: bool = False) -> Rule | None:
    """One case-insensitive pattern for a list of phrases, as :mod:`jobmap.texts.match` matches
    them (None for an empty list); ``trusted``: the phrases are jobmap's own (a shipped
    family's), not a user's."""
    pattern = phrases_pattern(phrases)
    if not pattern:
        return None
    raw = any(is_raw(p) for p in phrases)
    return compile_rule(pattern, untrusted=raw and not trusted)


def initialism(phrase: str) -> str | None:
    """The initialism of a plain phrase of two or more words ("machine learning" -> "ML"), else
    None (one word, a regular expression or a wildcard)."""
    phrase = phrase.strip()
    if phrase.startswith("re:") or phrase.endswith("*"):
        return None
    words = phrase.split()
    if len(words) < 2 or not all(w.isascii() and w.isalpha() for w in words):
        return None
    return "".join(w[0] for w in words).upper()


def initialism_pattern(letters: str) -> str:
    """Case-sensitive whole-word pattern of an initialism: dotted or not, its plural, and at the
    start of a CamelCase word ("AI", "A.I.", "RNs", "MLOps")."""
    end = r"(?:(?:\.|s)?(?![A-Za-z0-9])|(?=[A-Z][a-z]))"
    return r"(?<![A-Za-z0-9])" + r"\.?".join(letters) + end


def keyword_hits(
    texts: pd.Series, include: Rule | None, exclude: Rule | None
) -> tuple[np.ndarray, list[str]]:
    """(matches, evidence) for each text: the first keyword found, or why it was vetoed."""
    hits = np.zeros(len(texts), dtype=bool)
    evidence: list[str] = []
    seen: dict[str, tuple[bool, str]] = {}  # a title repeats across postings: search it once
    budget = MatchBudget()  # one for the batch: a slow pattern is stopped once, not per title
    for i, text in enumerate(texts.fillna("").astype(str).tolist()):
        known = seen.get(text)
        if known is None:
            known = seen[text] = _keyword_hit(text, include, exclude, budget)
        hits[i] = known[0]
        evidence.append(known[1])
    return hits, evidence


def _keyword_hit(
    text: str, include: Rule | None, exclude: Rule | None, budget: MatchBudget
) -> tuple[bool, str]:
    found = rule_search(include, text, budget) if include is not None else None
    if found is None:
        return False, ""
    veto = rule_search(exclude, text, budget) if exclude is not None else None
    if veto is not None:
        return False, Evidence.vetoed(found.group(0), veto.group(0)).text()
    return True, found.group(0)


class KeywordMethod(Method):
    """1 when a family keyword is in the title and no exclusion is, else 0."""

    name = "keywords"
    default_threshold = 0.5
    evidence_columns = ("keyword",)
    rule_decides = True
    summary = "the family's keyword rule on the title (whole words), with exclusions"
    fit_columns = ()
    score_columns = ()

    def __init__(self, keywords: list[str] | None = None, exclude: list[str] | None = None) -> None:
        self.keywords = keywords
        self.exclude = exclude

    def fit(
        self, postings: pd.DataFrame, family: Family, labels: pd.DataFrame | None = None
    ) -> Self:
        self.keywords_ = tuple(self.keywords or family.keywords or family.anchors)
        self.exclude_ = tuple(self.exclude if self.exclude is not None else family.exclude)
        # a shipped family's patterns are jobmap's own: the fast engine (a user's get a limit)
        self.include_re_ = compile_phrases(self.keywords_, family.trusted and not self.keywords)
        self.exclude_re_ = compile_phrases(self.exclude_, family.trusted and self.exclude is None)
        return self

    def score(self, postings: pd.DataFrame) -> pd.DataFrame:
        hits, evidence = keyword_hits(postings["title"], self.include_re_, self.exclude_re_)
        return pd.DataFrame(
            {"score": hits.astype("float64"), "keyword": evidence}, index=postings.index
        )

    def rule_hits(self, titles: pd.Series) -> np.ndarray | None:
        return keyword_hits(titles, self.include_re_, self.exclude_re_)[0]

    def explain(self, row: pd.Series) -> str:
        if row["score"] >= 0.5:
            return f"the title contains the keyword {row['keyword']!r}"
        return f"no keyword in the title ({row['keyword']})" if row["keyword"] else "no keyword"

    def params(self) -> dict[str, Any]:
        out: dict[str, Any] = {"keywords": self.keywords, "exclude": self.exclude}
        if hasattr(self, "keywords_"):
            out.update({"rule_keywords": list(self.keywords_), "rule_exclude": list(self.exclude_)})
        return out
