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


#: What a phrase index keeps of a text (lower case): letters, digits and ``+#.`` ("c++", "c#",
#: ".net", "node.js"); a full stop only inside a word ("asp.net", not the end of a sentence).
_NOT_KEPT = re.compile(r"[^a-z0-9+#.]+|\.(?![a-z0-9])")


#: A full stop between two sentences or list items glued together ("preferred.Proficiency in",
#: "using MailChimp.5. Conduct").
GLUED_STOP = re.compile(r"(?<=[a-z]{2})\.(?=[A-Z][a-z]{2}|\d\.)")


_GLUED_WORDS = re.compile(r"(?<=[a-z])(?=[A-Z])")


def unglue(text: str) -> str:
    """``text`` with a space where a lower-case letter meets a capital: list items whose line
    breaks the data lost ("Microsoft WordOutlookSmart Phone") read apart."""
    return _GLUED_WORDS.sub(" ", text)


def index_text(text: str) -> str:
    """``text`` as a :class:`PhraseIndex` reads it: lower case, every run of other characters one
    space (and a full stop that glues two sentences, :data:`GLUED_STOP`), padded with a space at
    each end (so that a phrase ``" excel "`` is a whole word)."""
    return " " + _NOT_KEPT.sub(" ", GLUED_STOP.sub(" ", text).lower()).strip() + " "


class PhraseIndex:
    """Which of many phrases (thousands: the names of technologies) a text holds as whole words,
    case-insensitively, in one pass (with ``glued``, also where the data glued words together at
    a capital, :func:`unglue`): an Aho–Corasick automaton over the texts as
    :func:`index_text` reads them (``engine="automaton"``, the default, with ``pyahocorasick``),
    or one compiled alternation of them all (``engine="regex"``, the baseline it is measured
    against in ``benchmarks/bench_technologies.py``). Built once, used for every text.

    >>> index = PhraseIndex(["Excel", "Microsoft Excel", "C++", "SQL Server"])
    >>> sorted(index.find("MS Excel and C++/SQL  server; excellent."))
    ['C++', 'Excel', 'SQL Server']
    """

    def __init__(
        self, phrases: Iterable[str], engine: str = "automaton", glued: bool = False
    ) -> None:
        self.phrases = list(dict.fromkeys(p for p in phrases if index_text(p).strip()))
        self.glued = glued
        keys: dict[str, list[str]] = {}
        for phrase in self.phrases:
            keys.setdefault(index_text(phrase), []).append(phrase)
        self._keys = keys
        self.engine = engine
        if engine == "automaton":
            import ahocorasick

            automaton = ahocorasick.Automaton()
            for key, value in keys.items():
                automaton.add_word(key, value)
            automaton.make_automaton()
            self._automaton = automaton
        elif engine == "regex":
            # longest first; a lookahead so that overlapping phrases ("sql", "sql server") all
            # match, each ending before the space that closes it
            ordered = sorted(keys, key=len, reverse=True)
            body = "|".join(re.escape(k[1:-1]) for k in ordered)
            self._regex = re.compile(f"(?=( (?:{body}) ))")
            # the shorter keys that begin a longer one ("sql" of "sql server"): matched where it is
            self._within = {
                key: [key[: i + 1] for i in range(1, len(key) - 1) if key[i] == " "] for key in keys
            }
        else:
            raise ValueError(f"unknown engine {engine!r}: automaton or regex")

    def find(self, text: str) -> set[str]:
        """The phrases ``text`` holds (as given to the index; several may share one key)."""
        if not isinstance(text, str) or not text:
            return set()
        seen = index_text(text)
        if self.glued:  # the text as written, and read apart at its capitals: one pass
            seen += index_text(unglue(text))
        found: set[str] = set()
        if self.engine == "automaton":
            for _, value in self._automaton.iter(seen):
                found.update(value)
        else:
            # the longest phrase matched at a place hides the shorter ones that begin it
            for m in self._regex.finditer(seen):
                key = m.group(1)
                found.update(self._keys[key])
                for shorter in self._within[key]:
                    found.update(self._keys.get(shorter, ()))
        return found


__all__ = [
    "GLUED_STOP",
    "SEPARATORS",
    "PhraseIndex",
    "index_text",
    "is_raw",
    "phrase_body",
    "phrase_pattern",
    "phrase_regex",
    "phrases_in",
    "phrases_pattern",
    "substring_in",
    "unglue",
]
