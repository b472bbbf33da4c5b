"""What an answer is about (its *subject*), written one way wherever it is given:

* ``posting:<job_id>``: one posting;
* ``title:<normalised title>``: every posting with that title (:func:`normalise_title`);
* ``phrase:<phrase>``: every posting whose title holds the phrase, as
  :mod:`jobmap.texts.match` matches every phrase (words only: a wildcard or a ``re:`` pattern
  is refused, :func:`check_phrase`).
"""

from __future__ import annotations

import re

from jobmap.errors import ConfigError, quoted
from jobmap.texts import clean

#: What a person may answer.
ANSWERS = ("yes", "no", "skip")
#: What an answer may be about.
KINDS = ("posting", "title", "phrase", "occupation")
#: An occupation is answered by its full O*NET-SOC code.
_OCCUPATION = re.compile(r"^\d{2}-\d{4}\.\d{2}$")

_ASIDE = re.compile(r"\(([^)]*)\)|\[([^\]]*)\]")
_EDGE = re.compile(r"^[\W_]+|[\W_]+$")
#: Words of a bracketed aside that say where, when or on what terms, not what the job is: an
#: aside made only of these (and numbers: pay, dates, ids) is left out of a title's group.
_ASIDE_NOISE = frozenset(
    re.findall(
        r"\S+",
        """remote hybrid onsite on site in office virtual wfh telecommute work from home full part
    time fulltime parttime ft pt temporary temp contract contractor seasonal per diem prn w c
    corp to hire only or and entry level us usa u s night nights day days evening evenings
    weekend weekends overnight shift st nd rd th travel relocation possible eligible available
    immediate hiring urgent urgently k usd hour hr hourly year yr annual salary bonus sign on
    up plus summer fall spring winter am pm weekday weekdays mon tue wed thu thur thurs fri sat
    sun m f job req ref id no yrs years open""",
    )
)


def _aside(match: re.Match[str]) -> str:
    """A bracketed aside: dropped when it only says where, when or on what terms ("(Remote)",
    "[Part-Time]", "($67,332 - $74,297)"); its words kept otherwise ("(Machine Learning)", "(RN)":
    they say what the job is, and a title's group must not mix it with the plain title)."""
    inside = match.group(1) if match.group(1) is not None else match.group(2)
    words = re.findall(r"[a-z]+|[0-9]+", inside)
    if all(w.isdigit() or w in _ASIDE_NOISE for w in words):
        return " "
    return f" {inside} "


def normalise_title(title: object) -> str:
    """The form of a title that groups postings: lower case, single spaces, surrounding
    punctuation removed, and bracketed asides about where, when or on what terms ("(Remote)",
    "[Hybrid]", "(Part Time)") left out; an aside that says what the job is keeps its words.

    >>> normalise_title("  Senior Data Scientist (Remote) - ")
    'senior data scientist'
    >>> normalise_title("Software Engineer (Machine Learning)")
    'software engineer machine learning'
    """
    text = _ASIDE.sub(_aside, clean(title).lower())
    return _EDGE.sub("", " ".join(text.split()))


def check_phrase(phrase: str) -> None:
    """A phrase one answer can settle: words, not a pattern. ``*`` or ``re:`` would make an
    answered phrase a wildcard or a regular expression in the family's rule (``phrase:*``
    answered every posting), and a phrase of punctuation alone matches every title."""
    if phrase.startswith("re:"):
        raise ConfigError(
            f"phrase {quoted(phrase)}: a regular expression is not a phrase; search with it in "
            "the list and answer the titles it finds."
        )
    if "*" in phrase:
        raise ConfigError(f"phrase {quoted(phrase)}: give words, not a wildcard.")
    if not any(ch.isalnum() for ch in phrase):
        raise ConfigError(f"phrase {quoted(phrase)}: give at least one letter or digit.")


def subject(kind: str, key: object) -> str:
    """The subject string of a question: ``title:senior data scientist``."""
    if kind not in KINDS:
        raise ConfigError(f"unknown kind of subject {quoted(kind)}; one of {', '.join(KINDS)}.")
    if kind == "posting":
        try:
            return f"posting:{int(str(key))}"
        except ValueError:
            raise ConfigError(
                f"posting {quoted(key)}: a posting is answered by its job id, a whole number."
            ) from None
    if kind == "occupation":
        code = str(key).strip()
        if not _OCCUPATION.match(code):
            raise ConfigError(
                f"occupation {quoted(key)}: an occupation is answered by its O*NET-SOC code, "
                "e.g. 15-1212.00."
            )
        return f"occupation:{code}"
    text = normalise_title(key) if kind == "title" else " ".join(str(key).lower().split())
    if not text:
        raise ConfigError(f"an empty {kind} cannot be answered.")
    if kind == "phrase":
        check_phrase(text)
    return f"{kind}:{text}"


__all__ = ["ANSWERS", "KINDS", "check_phrase", "normalise_title", "subject"]
