"""Job titles as an occupational coder reads them: the words that name the work, without seniority,
schedule, pay, place or the employer's codes, each word in its singular form, initialisms spelled
out. One function, :func:`title_queries`, gives the readings of a title that the coder looks up.

>>> normalise("Sr. Registered Nurses - Nights $2,000 Sign-On Bonus")
'registered nurse'
>>> title_queries("Full Remote Position @SAP Security Analyst I Only W2")
['sap security analyst']
>>> title_queries("Director, Data Engineering")[:2]
['data engineering director', 'director data engineering']
>>> normalise("RN")
'registered nurse'
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

__all__ = ["initialisms", "normalise", "singular", "title_queries"]

#: Seniority and grade: "Senior", "Lead", "II" do not change the occupation (SOC coding rules).
_LEVEL = (
    r"senior|sr|junior|jr|lead|principal|staff|entry[ -]level|experienced|"
    r"associate(?= (?:director|professor|attorney|dentist))|mid[ -]level|level \w+|"
    r"i{1,3}|iv|vi{0,3}|[1-5]"
)
#: Schedule, contract, pay and place: the circumstances of a job, not its work.
_CIRCUMSTANCE = (
    r"full[ -]?time|full(?= remote)|part[ -]?time|ft|prn|per diem|remote|hybrid|on[ -]?site|"
    r"onsite|in[ -]office|"
    r"temporary|temp|contract(?:or)?|seasonal|weekends?|nights?|days?|evenings?|overnights?|"
    r"(?:1st|2nd|3rd|first|second|third|day|night|evening|swing|weekend) shift|shifts?|w2|c2c|1099|"
    r"hourly|salaried|bonus|sign[- ]on|relocation|urgent(?:ly)?|hiring|immediate(?:ly)?|now|"
    r"opportunity|position|job|role|opening|openings|needed|wanted|travel(?:ing)?|local|"
    r"new grad(?:uate)?s?|summer|fall|winter|only|up to|per|hour|week|wk|year|yr|annual|k|usd|"
    r"multiple locations?|various locations?|nationwide|statewide|us|usa|united states"
)
#: Trainees are coded to the occupation they train for; the word itself says nothing of the work.
_TRAINEE = (
    r"intern(?:ship)?s?|trainee|apprentice(?:ship)?|student|co[- ]?op|graduate program|"
    r"fellow(?:ship)?"
)

_SEPARATORS = re.compile(r"\s+[-–—|:]+\s+|\s*[|@;(),\[\]]\s*|\s[-–—]|[-–—]\s|\s/\s|/")
_WORD = re.compile(r"[a-z0-9+#]+(?:[.'][a-z0-9]+)*")
_NOISE = re.compile(rf"\b(?:{_LEVEL}|{_CIRCUMSTANCE}|{_TRAINEE})\b")
_MONEY = re.compile(r"\$\s*[\d,.]+\s*[kK]?(?:\s*/\s*\w+)?|\b\d[\d,.]*\s*(?:k|/hr|/wk|/yr)\b")
_CODES = re.compile(r"\b(?=[a-z]*\d)[a-z0-9]*[a-z][a-z0-9]*\b|#\s*\d+|\b\d{3,}\b")

#: Words whose singular is not the word less its final ``s``.
_IRREGULAR = {
    "people": "people",
    "men": "man",
    "women": "woman",
    "staff": "staff",
    "sales": "sales",
    "series": "series",
    "species": "species",
    "news": "news",
    "physics": "physics",
    "analytics": "analytics",
    "economics": "economics",
    "logistics": "logistics",
    "mathematics": "mathematics",
    "statistics": "statistics",
    "operations": "operations",
    "services": "services",
    "relations": "relations",
    "communications": "communications",
    "systems": "systems",
    "affairs": "affairs",
    "goods": "goods",
    "arts": "arts",
    "sciences": "sciences",
    "resources": "resources",
    "claims": "claims",
    "ethics": "ethics",
    "graphics": "graphics",
    "electronics": "electronics",
    "robotics": "robotics",
    "athletics": "athletics",
    "aerobics": "aerobics",
    "diagnostics": "diagnostics",
    "wares": "wares",
    "ms": "ms",
    "aws": "aws",
    "gis": "gis",
    "cbs": "cbs",
    "os": "os",
    "hvac": "hvac",
    "us": "us",
}
_NO_S = ("ss", "us", "is", "ics", "ous", "ys")


def singular(word: str) -> str:
    """The singular of an English occupational noun ("secretaries" -> "secretary")."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 3 or not word.endswith("s") or word.endswith(_NO_S):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    return word[:-1]


@cache
def initialisms() -> dict[str, str]:
    """Initialisms common in job titles and what they stand for (``knowledge/initialisms.tsv``)."""
    table: dict[str, str] = {}
    text = (resources.files("jobmap.knowledge") / "initialisms.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            short, _, long = line.partition("\t")
            table[short.strip().lower()] = long.strip().lower()
    return table


def _words(text: str) -> list[str]:
    expand = initialisms()
    out: list[str] = []
    for word in _WORD.findall(text):
        long = expand.get(word)
        out.extend(long.split() if long else [singular(word)])
    return out


def normalise(title: str, *, expand: bool = True) -> str:
    """The words of a title that name the work, lower case, singular, initialisms spelled out."""
    text = title.lower().replace("&", " and ").replace("’", "'")
    text = re.sub(
        r"\b(sr|jr|mgr|asst|assoc|dir|eng|engr|tech|rep|coord|spec|admin|svc)\.", r"\1 ", text
    )
    text = _MONEY.sub(" ", text)
    text = _NOISE.sub(" ", text)
    text = _CODES.sub(" ", text)
    words = _words(text) if expand else [singular(w) for w in _WORD.findall(text)]
    words = [w for w in words if not _NOISE.fullmatch(w)]
    return " ".join(words)


_OF_FUNCTION = re.compile(
    r"^(director|head|vice president|vp|svp|evp|avp|manager|supervisor|chief|dean|officer)"
    r"(?: of| for|,| -|:)? (?:the )?(.+)$"
)


def title_queries(title: str) -> list[str]:
    """The readings of a title to look up, best first: the part that names an occupation, the whole
    title, each part between separators, and "director of X" read as "X director"."""
    raw = title.lower()
    parts = [p for p in (normalise(s) for s in _SEPARATORS.split(raw)) if p]
    whole = normalise(raw)
    queries: list[str] = []
    for query in [whole, *parts]:
        moved = _OF_FUNCTION.match(query)
        if moved:
            queries.append(f"{moved.group(2)} {moved.group(1)}")
        queries.append(query)
    # "Director, Data Engineering" is two parts; read them together as the function's director.
    raw_parts = [normalise(s) for s in re.split(r"\s*[,:|–—-]\s*", raw) if normalise(s)]
    if len(raw_parts) >= 2 and _OF_FUNCTION.match(raw_parts[0] + " x"):
        queries.append(f"{raw_parts[1]} {raw_parts[0]}")
    seen: dict[str, None] = {}
    for q in queries:
        seen.setdefault(q, None)
    return list(seen)
