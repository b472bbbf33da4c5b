"""One phrase matcher: which texts hold a phrase, for a family's rule, an answer about a phrase,
the review queue's phrase questions and every other "titles containing ...".

A phrase matches case-insensitively as whole words; the words of a phrase may be joined by
spaces, hyphens and dashes, ``/``, ``_`` or nothing ("Machine-Learning", "Data–Science",
"DataScientist"); a trailing ``*`` matches any word ending ("data scien*"). A family's rule may
also hold raw regular expressions (``re:...``); an answer may not.

The notebook's methods (``anchors``, ``cluster``) keep the notebook's own test, a plain substring
(:func:`substring_in`): it also matches inside a word ("AI" in "Chair"), which is why everything
else matches whole words.

>>> import pandas as pd
>>> titles = pd.Series(["DataScientist", "Data–Scientist II", "Big Data Scientists", "Chair"])
>>> phrases_in(titles, ["data scientist"]).tolist()
[True, True, False, False]
>>> phrases_in(titles, ["data scientist*"]).tolist()
[True, True, True, False]
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

#: What may stand between the words of a phrase: spaces, hyphens and dashes, slashes,
#: underscores, or nothing ("DataScientist").
SEPARATORS = r"[\s\-\u2010-\u2015/_]*"
#: Around a phrase: no letter or digit (a whole word).
BEFORE, AFTER = r"(?<![a-z0-9])", r"(?![a-z0-9])"
#: What starts a raw regular expression in a family's rule.
RAW = "re:"


def is_raw(phrase: str) -> bool:
    """Whether ``phrase`` is a raw regular expression (``re:...``)."""
    return phrase.strip().startswith(RAW)


def phrase_body(phrase: str) -> str:
    """The regular expression of a plain phrase's words, without the word boundaries (so that
    many phrases can share one pair: :func:`phrases_pattern`)."""
    text = phrase.strip()
    wildcard = text.endswith("*")
    words = text.rstrip("*").strip().split()
    body = SEPARATORS.join(re.escape(w) for w in words)
    return body + (r"[a-z0-9]*" if wildcard else "")


def phrase_pattern(phrase: str) -> str:
    """The regular expression of one phrase: a plain one whole-word, a ``re:`` one as written."""
    text = phrase.strip()
    if text.startswith(RAW):
        return f"(?:{text[len(RAW) :]})"
    return BEFORE + phrase_body(text) + AFTER


def phrases_pattern(phrases: Iterable[str]) -> str:
    """One regular expression for many phrases (empty for none): the word boundaries are written
    once around all plain phrases, not around each (the same matches, and several times faster
    on long descriptions); raw ones are added as they are."""
    unique = list(dict.fromkeys(p.strip() for p in phrases if p.strip()))
    plain = [phrase_body(p) for p in unique if not is_raw(p)]
    raw = [phrase_pattern(p) for p in unique if is_raw(p)]
    parts = [f"{BEFORE}(?:{'|'.join(plain)}){AFTER}"] if plain else []
    return "|".join(parts + raw)


def phrase_regex(phrase: str) -> re.Pattern[str]:
    """A plain phrase compiled (case-insensitive), for a search over titles."""
    return re.compile(phrase_pattern(phrase), re.IGNORECASE)


def phrases_in(texts: pd.Series, phrases: Iterable[str]) -> np.ndarray:
    """Which texts hold one of the plain ``phrases``, in one pass however many there are."""
    pattern = phrases_pattern(p for p in phrases if p and not is_raw(p))
    if not pattern:
        return np.zeros(len(texts), dtype=bool)
    either = re.compile(pattern, re.IGNORECASE)
    found = texts.astype("string").str.contains(either, regex=True)
    return found.fillna(False).to_numpy(dtype=bool)


def substring_in(titles: Iterable[object], phrases: tuple[str, ...] | list[str]) -> np.ndarray:
    """Which titles hold one of ``phrases`` as a plain, case-insensitive substring: the
    notebook's test for its anchors ("machine learning" in the title), kept by ``anchors`` and
    ``cluster`` to reproduce the notebook (see the module docstring)."""
    needles = [p.lower() for p in phrases if p]
    values = list(titles.tolist() if hasattr(titles, "tolist") else titles)
    out = np.zeros(len(values), dtype=bool)
    if not needles:
        return out
    for i, title in enumerate(values):
        if isinstance(title, str):
            low = title.lower()
            out[i] = any(n in low for n in needles)
    return out


__all__ = [
    "SEPARATORS",
    "is_raw",
    "phrase_body",
    "phrase_pattern",
    "phrase_regex",
    "phrases_in",
    "phrases_pattern",
    "substring_in",
]
