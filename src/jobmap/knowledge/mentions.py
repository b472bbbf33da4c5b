"""The named technologies a posting mentions: every name of every technology in the catalogue
(:func:`jobmap.knowledge.catalogue.aliases`) looked up at once in the title and description
(:class:`jobmap.texts.match.PhraseIndex`), then each name found checked where it stands.

A name that is only a technology's ("PostgreSQL", "QuickBooks", "Power BI") counts wherever it is
a whole word, in any case. A name that is also an ordinary word, a vendor or a letter ("Excel",
"Word", "Access", "Teams", "Oracle", "R", "Go") counts only as written (capitals) and where the
words around it mean the technology: after "proficient in", "experience with", "knowledge of",
"using"...; before "spreadsheets", "skills", "programming"...; or beside another technology in
the same list ("Word, Excel, PowerPoint"; "Python, R and SQL"), and never in "excel at", "access
to", "word of mouth". Links and e-mail addresses are blanked out first, and the company's own name
counts only where the words around it mean its product.

>>> finder = TechnologyFinder()
>>> [t for t, _ in finder.find("Proficient in MS Excel, Word and Postgres. You excel at SQL.")]
['Microsoft Excel', 'Microsoft Word', 'PostgreSQL', 'Structured query language SQL']
>>> finder.find("Our teams excel at giving access to care; word of mouth.")
[]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pandas as pd

from jobmap.knowledge.catalogue import aliases, catalogue
from jobmap.texts.match import PhraseIndex, index_text

#: Links and e-mail addresses: never evidence (blanked to spaces, so positions stay).
_LINKS = re.compile(r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.-]+", re.IGNORECASE)
#: Where a sentence or list item ends: a technology beside another across one is not a list.
_BREAK = re.compile(r"[.!?;:]\s|\n|\u2022")
#: A word just before a name that says it is the technology ("using Excel", "MS Word").
_CUE_BEFORE = re.compile(
    r"\b(?:using|use|uses|used|utiliz\w*|via|such as|like|e\.g\.|i\.e\.|including|include|"
    r"includes|Microsoft|MS|Adobe|Apache|Google|Oracle|Amazon)\W{0,3}$|[(]\s*$"
)
#: A skill and a preposition before a name ("proficient in Excel", "knowledge of Python").
_SKILL_BEFORE = re.compile(
    r"(?:proficien\w*|experience[ds]?|expert\w*|knowledge\w*|familiar\w*|skill\w*|"
    r"competen\w*|fluen\w*|versed|background|understanding|work(?:ing)?|trained|certified|"
    r"abilit\w*)\b"
    r"[^.;:\n]{0,30}\b(?:in|with|of|on)\W{0,3}$",
    re.IGNORECASE,
)
#: Words just after a name that say it is the technology ("Excel spreadsheets").
_CUE_AFTER = re.compile(
    r"^\W{0,3}(?:spreadsheets?|workbooks?|formulas?|pivot\w*|macros?|vba|skills?|proficiency|"
    r"experience|programming|language|scripts?|scripting|developers?|development|framework|"
    r"library|libraries|stack|database|queries|query|reports?|dashboards?|suite|documents?|"
    r"platform|software|systems?|accounts?|ads|campaigns?|365|20\d\d)\b",
    re.IGNORECASE,
)
#: Words just after a name that make it an ordinary word ("excel at", "access to").
_NOT_AFTER = re.compile(
    r"^\s+(?:at|to|of|and\s+(?:grow|thrive|succeed)|in\s+(?:a|an|the|this|our|your|their|"
    r"all|every|fast|high|dynamic))\b|^-[a-z]|^&",
    re.IGNORECASE,
)
_SEP = r"(?:[^A-Za-z0-9+#.]|\.(?![A-Za-z0-9]))+"
#: A list: another technology within this many characters, no sentence between.
LIST_REACH = 60


@dataclass(frozen=True)
class Mention:
    technology: str
    start: int
    end: int
    evidence: str


class TechnologyFinder:
    """Finds the catalogue's technologies in texts (see the module docstring). Built once (about a
    second: the index of some 10,000 names), then :meth:`find` per text or :meth:`frame` per
    batch of postings. ``engine``: that of :class:`~jobmap.texts.match.PhraseIndex`."""

    def __init__(self, engine: str = "automaton") -> None:
        table = aliases()
        self.technology = dict(zip(table["alias"], table["technology"], strict=True))
        self.ambiguous = dict(zip(table["alias"], table["ambiguous"], strict=True))
        self.index = PhraseIndex(table["alias"], engine=engine, glued=True)
        info = catalogue().set_index("technology")
        self.category = info["category"].to_dict()
        self.hot = info["hot"].astype(bool).to_dict()
        self._split: dict[str, tuple[str, re.Pattern[str] | None, str | None]] = {}
        self._word_sets: dict[str, set[str]] = {}

    def _spans(self, alias: str, text: str, low: str) -> Iterator[tuple[int, int]]:
        """Where ``alias`` stands in ``text`` (``low``: its lower case, of the same length): each
        place its first word starts (a plain search) that is a word's start (:func:`_starts_word`,
        glued words included), as written where its capitals count (an ambiguous name), with the
        rest of its words after it (any run of other characters between them) and a word's end
        there (:func:`_ends_word`)."""
        first, rest, exact = self._parts(alias)
        size = len(first)
        at = low.find(first)
        while at >= 0:
            end = at + size
            if _starts_word(text, at) and (exact is None or text.startswith(exact, at)):
                if rest is not None:
                    tail = rest.match(text, end)
                    end = tail.end() if tail else -1
                if end >= 0 and _ends_word(text, end):
                    yield at, end
            at = low.find(first, at + 1)

    def _words(self, alias: str) -> set[str]:
        words = self._word_sets.get(alias)
        if words is None:
            words = self._word_sets[alias] = set(index_text(alias).split())
        return words

    def _parts(self, alias: str) -> tuple[str, re.Pattern[str] | None, str | None]:
        """``alias``'s first word (lower case), a pattern for the rest of its words after it
        (None for one word), and its first word as written where its capitals count."""
        parts = self._split.get(alias)
        if parts is None:
            words = index_text(alias).split()
            written = _split_like(alias, words) if self.ambiguous[alias] else None
            rest = None
            if len(words) > 1:
                tail = written[1:] if written else words[1:]
                body = "".join(_SEP + re.escape(w) for w in tail)
                rest = re.compile(body, 0 if written else re.IGNORECASE)
            parts = (words[0], rest, written[0] if written else None)
            self._split[alias] = parts
        return parts

    def mentions(self, text: str, company: str = "") -> list[Mention]:
        """Every accepted mention in ``text``, in order (several per technology)."""
        if not isinstance(text, str) or not text.strip():
            return []
        if "@" in text or "http" in text or "www." in text:
            text = _LINKS.sub(lambda m: " " * len(m.group()), text)
        found = self.index.find(text)  # glued list items read apart ("WordOutlookSmart Phone")
        if not found:
            return []
        low = text.lower()
        if len(low) != len(text):  # a letter whose lower case is longer ("İ"): left as it is
            low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        own = set()
        if isinstance(company, str) and company:
            own = {w for w in index_text(company).split() if len(w) > 2}
        firm: list[Mention] = []
        doubtful: list[Mention] = []
        for alias in found:
            unsure = self.ambiguous[alias] or bool(own and own & self._words(alias))
            for start, end in self._spans(alias, text, low):
                mention = Mention(self.technology[alias], start, end, text[start:end])
                if not unsure:
                    firm.append(mention)
                    continue
                before, after = text[max(0, start - 40) : start], text[end : end + 40]
                if _NOT_AFTER.search(after):
                    continue
                # a letter or two ("R", "Go", "C") only after a skill ("proficient in R"), before
                # "programming", or in a list beside another technology
                short = len(alias) <= 2
                skilled = _SKILL_BEFORE.search(before)
                cued = skilled or _CUE_BEFORE.search(before) or _CUE_AFTER.search(after)
                if (not short and cued) or (
                    short
                    and (skilled or re.match(r"^\W{0,3}(?:programming|language|scripts?)", after))
                ):
                    firm.append(mention)
                else:
                    doubtful.append(mention)
        # a doubtful name beside a sure one in the same list ("Word, Excel, PowerPoint")
        changed = True
        while changed and doubtful:
            changed = False
            for mention in list(doubtful):
                if any(_listed_with(text, mention, other) for other in firm):
                    firm.append(mention)
                    doubtful.remove(mention)
                    changed = True
        # a name inside a longer one found at the same place is the longer one's ("Java" in
        # "JavaScript", "SQL" in "SQL Server")
        firm.sort(key=lambda m: (m.start, -(m.end - m.start), m.technology))
        kept: list[Mention] = []
        reach = -1
        for mention in firm:
            if mention.end <= reach:
                continue
            kept.append(mention)
            reach = max(reach, mention.end)
        return kept

    def find(self, text: str, company: str = "") -> list[tuple[str, str]]:
        """The technologies ``text`` mentions, each once, in order of first mention, with the
        words of that mention."""
        out: dict[str, str] = {}
        for mention in self.mentions(text, company):
            out.setdefault(mention.technology, mention.evidence)
        return list(out.items())

    def frame(self, batch: pd.DataFrame) -> pd.DataFrame:
        """One row per posting of ``batch`` and technology it mentions (title, then description):
        ``job_id``, ``technology``, ``category``, ``hot``, ``evidence``."""
        rows: list[tuple[object, str, str, bool, str]] = []
        titles = _column(batch, "title")
        descriptions = _column(batch, "description")
        companies = _column(batch, "company_name")
        for job, title, text, company in zip(
            batch["job_id"].tolist(), titles, descriptions, companies, strict=True
        ):
            for technology, evidence in self.find(f"{title}\n{text}", company):
                rows.append(
                    (job, technology, self.category[technology], self.hot[technology], evidence)
                )
        return pd.DataFrame(rows, columns=COLUMNS).astype({"hot": bool})


#: The columns of :meth:`TechnologyFinder.frame` (and of ``jobmap technologies``).
COLUMNS = ["job_id", "technology", "category", "hot", "evidence"]
#: The posting columns it reads.
READS = ("job_id", "title", "description", "company_name")


def _column(batch: pd.DataFrame, name: str) -> list[str]:
    if name not in batch:
        return [""] * len(batch)
    return batch[name].astype("string").fillna("").tolist()


_WORDISH = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+#")


def _starts_word(text: str, at: int) -> bool:
    """Whether a name may start at ``at``: after no letter, digit, ``+``, ``#`` or ``.``, or
    where words were glued at a capital ("WordOutlook", "preferred.Proficiency")."""
    if at == 0:
        return True
    before = text[at - 1]
    if before not in _WORDISH and before != ".":
        return True
    if not text[at].isupper():
        return False
    if before == ".":
        return at >= 3 and text[at - 3 : at - 1].isalpha() and text[at - 3 : at - 1].islower()
    return before.islower()


def _ends_word(text: str, end: int) -> bool:
    """Whether a name may end at ``end``: before no letter, digit, ``+`` or ``#``, nor a full
    stop inside a word ("Node.js"), unless words were glued there ("OutlookSmart",
    "MailChimp.5.", "JavaScript.Familiarity")."""
    if end >= len(text):
        return True
    after = text[end]
    if after == ".":
        following = text[end + 1 : end + 4]
        if not following or following[0] not in _WORDISH:
            return True
        glued = following[0].isupper() and following[1:3].isalpha() and following[1:3].islower()
        return glued or (following[0].isdigit() and following[1:2] == ".")
    if after not in _WORDISH:
        return True
    return after.isupper() and text[end - 1].islower()


def _split_like(alias: str, words: Iterable[str]) -> list[str]:
    """The words of ``alias`` as written (its capitals), as :func:`index_text` splits them."""
    out, rest = [], alias
    for word in words:
        at = rest.lower().find(word)
        out.append(rest[at : at + len(word)] if at >= 0 else word)
        rest = rest[at + len(word) :] if at >= 0 else rest
    return out


def _listed_with(text: str, mention: Mention, other: Mention) -> bool:
    """Whether two mentions stand in one list: close, with no sentence between them."""
    if other is mention or (
        other.technology == mention.technology and other.start == mention.start
    ):
        return False
    lo, hi = sorted((mention, other), key=lambda m: m.start)
    if hi.start - lo.end > LIST_REACH:
        return False
    return not _BREAK.search(text[lo.end : hi.start])


__all__ = ["COLUMNS", "LIST_REACH", "READS", "Mention", "TechnologyFinder"]
