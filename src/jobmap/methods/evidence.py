"""Why a posting got its score, as data: what a method found (a keyword in the title, mentions in
the description, its head, a veto, an answer), written as the text of an evidence column in one
place (:meth:`Evidence.text`) and read back from it in the same place (:meth:`Evidence.read`),
for rows that keep the text alone (``find``'s output, ``auto``'s scores).

>>> Evidence.title("Machine Learning").text()
'title: Machine Learning'
>>> Evidence.read("description: 5 mentions")
Evidence(kind='description', term='', count=5)
>>> Evidence.read(Evidence.nearer_out("Data Engineer").text()).term
'Data Engineer'
>>> Evidence.read("'AI' vetoed by 'sales'").kind
'vetoed'
>>> Evidence.occupation("Penetration Testers", "title matches O*NET 'Red Team Member'").text()
"occupation: Penetration Testers (title matches O*NET 'Red Team Member')"

"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

#: The kinds of evidence.
TITLE, DESCRIPTION, HEAD, NEARER_OUT, VETOED, ANSWERED, KEYWORD, NONE, OCCUPATION = (
    "title",
    "description",
    "head",
    "nearer_out",
    "vetoed",
    "answered",
    "keyword",
    "none",
    "occupation",
)
_VETO = " vetoed by "
_DESCRIPTION = re.compile(r"description: (\d+) mentions?$")
_NEARER = re.compile(r"head; nearer (.*), known out$", re.S)


@dataclass(frozen=True)
class Evidence:
    """One posting's evidence: its ``kind``, the ``term`` it names (a keyword, a vetoed match,
    a title known to be out, an answer) and a ``count`` (description mentions)."""

    kind: str
    term: str = ""
    count: int = 0

    @classmethod
    def title(cls, keyword: str) -> Evidence:
        """A keyword of the rule in the title."""
        return cls(TITLE, keyword)

    @classmethod
    def description(cls, mentions: int) -> Evidence:
        """The rule's phrases this many times in the description."""
        return cls(DESCRIPTION, count=int(mentions))

    @classmethod
    def head(cls) -> Evidence:
        """A head's probability decided."""
        return cls(HEAD)

    @classmethod
    def nearer_out(cls, title: str) -> Evidence:
        """A head would add it, but the title is nearer ``title``, known to be out."""
        return cls(NEARER_OUT, title)

    @classmethod
    def vetoed(cls, found: str, veto: str) -> Evidence:
        """A keyword found, and an exclusion that vetoed it."""
        return cls(VETOED, f"{found!r}{_VETO}{veto!r}")

    @classmethod
    def answered(cls, answer: str) -> Evidence:
        """A person's answer decides the posting."""
        return cls(ANSWERED, answer)

    @classmethod
    def occupation(cls, title: str, why: str) -> Evidence:
        """The posting is coded to one of the family's occupations (``why``: the coder's)."""
        return cls(OCCUPATION, f"{title} ({why})" if why else title)

    @classmethod
    def keyword(cls, found: str) -> Evidence:
        """What the keyword rule found ("" for nothing)."""
        return cls(KEYWORD, found) if found else cls(NONE)

    def text(self) -> str:
        """The evidence column's text: the one way it is written."""
        if self.kind == TITLE:
            return f"title: {self.term}"
        if self.kind == DESCRIPTION:
            return f"description: {self.count} mentions"
        if self.kind == NEARER_OUT:
            return f"head; nearer {self.term!r}, known out"
        if self.kind == ANSWERED:
            return f"answered: {self.term}"
        if self.kind == OCCUPATION:
            return f"occupation: {self.term}"
        if self.kind == HEAD:
            return "head"
        return self.term  # a keyword, a veto ("'AI' vetoed by 'sales'"), or nothing

    @classmethod
    def read(cls, value: Any) -> Evidence:
        """The evidence a column's text says (the inverse of :meth:`text`)."""
        text = "" if value is None or value is np.nan else str(value)
        if text.startswith("title: "):
            return cls(TITLE, text[len("title: ") :])
        if text.startswith("answered: "):
            return cls(ANSWERED, text[len("answered: ") :])
        if text.startswith("occupation: "):
            return cls(OCCUPATION, text[len("occupation: ") :])
        if (m := _DESCRIPTION.match(text)) is not None:
            return cls(DESCRIPTION, count=int(m.group(1)))
        if (m := _NEARER.match(text)) is not None:
            try:  # written with repr(): read back with its quotes and escapes
                nearer = str(ast.literal_eval(m.group(1)))
            except (ValueError, SyntaxError):
                nearer = m.group(1)
            return cls(NEARER_OUT, nearer)
        if text == "head":
            return cls(HEAD)
        if _VETO in text:
            return cls(VETOED, text)
        return cls(KEYWORD, text) if text else cls(NONE)


def is_vetoed(evidence: list[str] | Any) -> np.ndarray:
    """Which evidence texts are of a keyword an exclusion vetoed (:meth:`Evidence.read`'s
    test alone: a column of a million postings is tested at once)."""
    return np.asarray([_VETO in str(e) for e in evidence], dtype=bool)


__all__ = [
    "ANSWERED",
    "DESCRIPTION",
    "HEAD",
    "KEYWORD",
    "NEARER_OUT",
    "NONE",
    "TITLE",
    "VETOED",
    "Evidence",
    "is_vetoed",
]
