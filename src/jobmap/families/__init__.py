"""Families: what a job family is, in one TOML file format (see ``builtin.toml`` for the fields).

The built-in families ship with the package; users add or replace families in a file of their own
(``--families my.toml`` or ``$JOBMAP_FAMILIES``) or in the per-user file.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import platformdirs
import regex

from jobmap._atomic import atomic_path
from jobmap.answers import Answer
from jobmap.config import resolve_families_file
from jobmap.errors import ConfigError

_LIST_FIELDS = (
    "anchors",
    "keywords",
    "examples",
    "exclude",
    "positives",
    "negatives",
    "rejected",
    "occupations",
    "rejected_occupations",
    "titles_in",
    "titles_out",
)
#: An O*NET-SOC code or a prefix of one: "15", "15-12", "15-1212", "15-1299.05".
SOC_PREFIX = re.compile(r"^\d{2}(?:-\d{1,4}(?:\.\d{1,2})?)?$")
_TEXT_FIELDS = ("title", "description", "probe")


@dataclass(frozen=True)
class Family:
    """One job family."""

    name: str
    anchors: tuple[str, ...]
    title: str = ""
    description: str = ""
    probe: str = ""
    examples: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    positives: tuple[str, ...] = ()
    negatives: tuple[str, ...] = ()
    thresholds: dict[str, float] = field(default_factory=dict)
    origin: str = ""
    #: Phrases a person answered no: none of their titles is in the family, but for those the
    #: rule matches (see :func:`with_answers`).
    rejected: tuple[str, ...] = ()
    #: O*NET-SOC codes or prefixes ("15-1212", "15-1299.05"): postings coded to them are in the
    #: family (``find`` says so in its evidence).
    occupations: tuple[str, ...] = ()
    #: Occupations a person answered no: not asked again, never added.
    rejected_occupations: tuple[str, ...] = ()
    #: Titles a person answered yes (``titles_in``) or no (``titles_out``): every posting with
    #: the title (as :func:`jobmap.answers.normalise_title` reads it) is in, or out, whatever the
    #: rule and the model say; the methods that learn take them as examples too.
    titles_in: tuple[str, ...] = ()
    titles_out: tuple[str, ...] = ()

    @property
    def trusted(self) -> bool:
        """Whether the family is one jobmap ships (its ``re:`` patterns are jobmap's own, and
        run on the fast engine without a time limit; a user's run with one)."""
        return bool(self.origin) and Path(self.origin) == builtin_families_file()

    def examples_in(self) -> tuple[str, ...]:
        """The titles known to be in the family, to learn from: its positives and its titles
        answered yes."""
        return tuple(dict.fromkeys([*self.positives, *self.titles_in]))

    def examples_out(self) -> tuple[str, ...]:
        """The titles known to be out, to learn from: its negatives and its titles answered no."""
        return tuple(dict.fromkeys([*self.negatives, *self.titles_out]))

    def rule_phrases(self) -> tuple[str, ...]:
        """The phrases of the family's rule: its keywords, else its anchor phrases."""
        return self.keywords or self.anchors

    def threshold(self, method: str, default: float) -> float:
        """The family's calibrated threshold for ``method``, else ``default``."""
        return float(self.thresholds.get(method, default))

    def manifest(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "origin": self.origin,
            "anchors": list(self.anchors),
            "occupations": list(self.occupations),
            "thresholds": dict(self.thresholds),
        }


def user_families_file() -> Path:
    """The per-user families file (it need not exist)."""
    return Path(platformdirs.user_config_dir("jobmap", appauthor=False)) / "families.toml"


def builtin_families_file() -> Path:
    return Path(str(resources.files("jobmap.families") / "builtin.toml"))


def _parse(path: Path) -> dict[str, Family]:
    if path.exists() and not path.is_file():
        raise ConfigError(f"{path}: not a regular file (a folder, a pipe or a device).")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such families file.") from None
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path}: not UTF-8 (a byte {exc.object[exc.start : exc.start + 1]!r} on line "
            f"{line}). Save the file as UTF-8."
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it ({exc.strerror or exc}).") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}). Fix the line it names.") from None
    table = data.get("families")
    if not isinstance(table, dict):
        raise ConfigError(
            f"{path}: no [families.NAME] tables. See the built-in file for the format."
        )
    out: dict[str, Family] = {}
    for name, spec in table.items():
        where = f"{path}: [families.{name}]"
        if not isinstance(spec, dict):
            raise ConfigError(f"{where} must be a table of fields.")
        unknown = set(spec) - set(_LIST_FIELDS) - set(_TEXT_FIELDS) - {"thresholds"}
        if unknown:
            raise ConfigError(
                f"{where}: unknown field(s) {', '.join(sorted(unknown))}; "
                f"known: {', '.join((*_TEXT_FIELDS, *_LIST_FIELDS, 'thresholds'))}."
            )
        for key in _LIST_FIELDS:
            value = spec.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{where}: {key} must be a list of strings.")
        for key in _TEXT_FIELDS:
            if not isinstance(spec.get(key, ""), str):
                raise ConfigError(f"{where}: {key} must be a string.")
        for key in ("anchors", "keywords", "exclude", "rejected"):
            for item in spec.get(key, []):
                check_phrase_rule(item, f"{where}: {key}")
        thresholds = spec.get("thresholds", {})
        if not isinstance(thresholds, dict) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in thresholds.values()
        ):
            raise ConfigError(f"{where}: thresholds must map method names to numbers.")
        for method, value in thresholds.items():
            if not -1.0 <= float(value) <= 1.0:
                raise ConfigError(
                    f"{where}: thresholds.{method} = {value}: give a number between -1 and 1 "
                    "(as --threshold takes)."
                )
        for key in ("occupations", "rejected_occupations"):
            for item in spec.get(key, []):
                check_soc(item, f"{where}: {key}")
        anchors = tuple(a.strip() for a in spec.get("anchors", []) if a.strip())
        if not anchors and not spec.get("occupations"):
            raise ConfigError(
                f'{where}: give at least one anchor phrase, e.g. anchors = ["machine learning"], '
                'or the occupations it holds, e.g. occupations = ["15-1212"].'
            )
        out[name] = Family(
            name=name,
            anchors=anchors,
            title=spec.get("title", ""),
            description=" ".join(spec.get("description", "").split()),
            probe=spec.get("probe", ""),
            examples=tuple(spec.get("examples", [])),
            keywords=tuple(spec.get("keywords", [])),
            exclude=tuple(spec.get("exclude", [])),
            positives=tuple(spec.get("positives", [])),
            negatives=tuple(spec.get("negatives", [])),
            rejected=tuple(spec.get("rejected", [])),
            occupations=tuple(o.strip() for o in spec.get("occupations", [])),
            rejected_occupations=tuple(o.strip() for o in spec.get("rejected_occupations", [])),
            titles_in=tuple(spec.get("titles_in", [])),
            titles_out=tuple(spec.get("titles_out", [])),
            thresholds={k: float(v) for k, v in thresholds.items()},
            origin=str(path),
        )
    return out


def check_soc(item: str, where: str) -> None:
    """An occupation of a family is an O*NET-SOC code or a prefix of one ("15-1212" covers
    15-1212.00; "15-12" every computer occupation)."""
    if not SOC_PREFIX.match(item.strip()):
        raise ConfigError(
            f"{where} {item!r} is not an O*NET-SOC code or prefix; write it as 15-1212, "
            "15-1299.05 or 15-12 (jobmap occupations --about says where the codes come from)."
        )


def check_phrase_rule(item: str, where: str) -> None:
    """A phrase of a family's rule must say something: a ``re:`` pattern must compile and must
    not match an empty title (``re:``, ``re:.*``: every posting would match, silently); a plain
    phrase must hold a letter or digit (``*`` alone matches every title too)."""
    text = item.strip()
    if text.startswith("re:"):
        try:
            pattern = regex.compile(text[3:])
        except regex.error as exc:
            raise ConfigError(
                f"{where} {item!r} is not a valid regular expression ({exc}). Fix the pattern, "
                "or write the phrase without re:."
            ) from None
        try:
            empty = pattern.search("", timeout=1.0) is not None
        except TimeoutError:
            empty = False
        if empty:
            raise ConfigError(
                f"{where} {item!r} matches an empty title, so it matches every posting. Give a "
                "pattern that needs some text."
            )
    elif not any(ch.isalnum() for ch in text):
        raise ConfigError(
            f"{where} {item!r} holds no letter or digit, so it matches every posting (or none). "
            "Give a word or a phrase."
        )


def load_families(families_file: str | os.PathLike[str] | None = None) -> dict[str, Family]:
    """Every family: built-in, then the per-user file, then ``families_file`` (or
    ``$JOBMAP_FAMILIES``); a later file replaces a family of the same name."""
    found = _parse(builtin_families_file())
    user = user_families_file()
    if user.is_file():
        found.update(_parse(user))
    extra = resolve_families_file(families_file)
    if extra is not None:
        found.update(_parse(extra))
    return found


def get_family(name: str, families_file: str | os.PathLike[str] | None = None) -> Family:
    """One family by name; an unknown name is an error that lists the known ones."""
    families = load_families(families_file)
    if name not in families:
        raise ConfigError(
            f"unknown family {name!r}; known: {', '.join(sorted(families))}. Define it in a "
            "families file (--families my.toml, format in the README) or in "
            f"{user_families_file()}."
        )
    return families[name]


def _toml_list(values: list[str] | tuple[str, ...]) -> str:
    # JSON strings are valid TOML basic strings.
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def _toml_key(name: str) -> str:
    """A family name as a TOML key: bare when it can be, quoted otherwise ("ai jobs")."""
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name)


def _drop_family_block(text: str, name: str) -> str:
    """``text`` without the tables of family ``name`` (its header line up to the next header of
    another table)."""
    key = "(?:" + re.escape(name) + "|" + re.escape(json.dumps(name)) + ")"
    own = re.compile(rf"^\s*\[families\.{key}(\.[^\]]+)?\]\s*$")
    header = re.compile(r"^\s*\[[^\]]+\]\s*$")
    out: list[str] = []
    skipping = False
    for line in text.splitlines():
        if own.match(line):
            skipping = True
            continue
        if skipping and header.match(line):
            skipping = False
        if not skipping:
            out.append(line)
    return "\n".join(out) + "\n"


def add_family(
    name: str,
    anchors: list[str],
    *,
    examples: str | os.PathLike[str] | None = None,
    title: str = "",
    keywords: list[str] | None = None,
    occupations: list[str] | None = None,
    families_file: str | os.PathLike[str] | None = None,
    replace: bool = False,
) -> Path:
    """Add a family to a families file (default: the per-user one) and return the file's path.

    ``examples`` is a CSV of ``title,label`` (yes/no or 1/0): its titles become the family's
    positives and negatives. Without examples or keywords the family learns from its anchors.
    """
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", name):
        raise ConfigError(f"family name {name!r}: use letters, digits, - and _ only.")
    anchors = [a.strip() for a in anchors if a.strip()]
    occupations = [o.strip() for o in occupations or [] if o.strip()]
    if not anchors and not occupations:
        raise ConfigError(
            'give at least one --anchors phrase, e.g. --anchors "registered nurse", or an '
            "occupation, e.g. --soc 29-1141."
        )
    for option, items in (("--anchors", anchors), ("--keywords", keywords or [])):
        for item in items:
            check_phrase_rule(item, option)
    for item in occupations:
        check_soc(item, "--soc")
    target = Path(families_file).expanduser() if families_file else user_families_file()
    existing: dict[str, Family] = _parse(target) if target.is_file() else {}
    if name in existing and not replace:
        raise ConfigError(
            f"{target}: family {name!r} exists already. Pass --replace to overwrite it."
        )
    positives: list[str] = []
    negatives: list[str] = []
    if examples is not None:
        from jobmap.data.labels import read_labels

        labelled = read_labels(examples)
        if labelled.attrs["key"] != "title":
            raise ConfigError(f"{examples}: examples need a title column (title,label).")
        positives = labelled.loc[labelled["label"], "key"].tolist()
        negatives = labelled.loc[~labelled["label"], "key"].tolist()
    fam = Family(
        name=name,
        anchors=tuple(anchors),
        title=title,
        keywords=tuple(keywords or ()),
        positives=tuple(positives),
        negatives=tuple(negatives),
        occupations=tuple(occupations),
    )
    _write_family(target, fam)
    return target


def family_block(fam: Family) -> str:
    """The TOML tables of one family (every field it sets), as a families file holds them."""
    lines = [f"[families.{_toml_key(fam.name)}]"]
    for key in _TEXT_FIELDS:
        if getattr(fam, key):
            lines.append(f"{key} = {json.dumps(getattr(fam, key))}")
    for key in _LIST_FIELDS:
        if getattr(fam, key):
            lines.append(f"{key} = {_toml_list(getattr(fam, key))}")
    if fam.thresholds:
        lines.append(f"[families.{_toml_key(fam.name)}.thresholds]")
        lines += [f"{json.dumps(k)} = {v:.6g}" for k, v in sorted(fam.thresholds.items())]
    return "\n".join(lines) + "\n"


def _write_family(target: Path, fam: Family) -> None:
    """Put ``fam``'s tables in ``target`` in place of any it had, atomically, and check that the
    file reads back."""
    text = target.read_text(encoding="utf-8") if target.is_file() else ""
    text = _drop_family_block(text, fam.name) if text.strip() else ""
    text = (text.rstrip() + "\n\n" if text.strip() else "") + family_block(fam)
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
        _parse(tmp)  # never leave a file that does not read back


def save_thresholds(
    name: str,
    thresholds: dict[str, float],
    families_file: str | os.PathLike[str] | None = None,
) -> Path:
    """Store calibrated thresholds (method -> threshold) with family ``name`` and return the file.

    The family is rewritten in the file it comes from; a built-in family is copied, thresholds
    and all, into ``families_file`` or the per-user file, where it replaces the built-in one.
    Comments inside the family's own tables are not kept.
    """
    fam = get_family(name, families_file)
    if Path(fam.origin) == builtin_families_file():
        target = Path(families_file).expanduser() if families_file else user_families_file()
    else:
        target = Path(fam.origin)
    updated = replace(fam, thresholds={**fam.thresholds, **thresholds})
    _write_family(target, updated)
    return target


__all__ = [
    "SOC_PREFIX",
    "Family",
    "add_family",
    "check_soc",
    "family_block",
    "get_family",
    "load_families",
    "save_thresholds",
    "user_families_file",
]


def with_answers(family: Family, answers: list[Answer]) -> Family:
    """The family as a person's answers refine it: phrases answered yes join its rule (its
    keywords, or its anchor phrases when it has none); the titles answered become ``titles_in``
    and ``titles_out`` (each decides every posting with the title, and is an example for the
    methods that learn); the titles of answered postings become positive and negative examples
    (the answer decides that posting alone, and a families file has no postings). A phrase
    answered no is not an exclusion (that would veto the rule's own titles, "Machine Learning
    Software Engineer" for "software engineer"): the answers decide its postings instead
    (:func:`jobmap.answers.resolve`), and it is kept as ``rejected``."""
    decided = [a for a in answers if a.answer in ("yes", "no")]
    if not decided:
        return family
    yes_phrases = [a.key for a in decided if a.kind == "phrase" and a.answer == "yes"]
    yes_codes = [a.key for a in decided if a.kind == "occupation" and a.answer == "yes"]
    no_codes = [a.key for a in decided if a.kind == "occupation" and a.answer == "no"]
    no_phrases = [a.key for a in decided if a.kind == "phrase" and a.answer == "no"]
    # a posting's answer is an example of its title; a title's answer decides the title
    # (every posting with it), in a families file too
    postings = [a for a in decided if a.kind == "posting"]
    positives = [a.title or a.key for a in postings if a.answer == "yes"]
    negatives = [a.title or a.key for a in postings if a.answer == "no"]
    titles = {a.key: a for a in decided if a.kind == "title"}  # the latest answer per title
    titles_in = [a.title or a.key for a in titles.values() if a.answer == "yes"]
    titles_out = [a.title or a.key for a in titles.values() if a.answer == "no"]

    def plus(base: tuple[str, ...], extra: list[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*base, *extra]))

    if family.keywords:
        changes: dict[str, Any] = {"keywords": plus(family.keywords, yes_phrases)}
    else:
        changes = {"anchors": plus(family.anchors, yes_phrases)}
    return replace(
        family,
        rejected=plus(family.rejected, no_phrases),
        occupations=plus(family.occupations, yes_codes),
        rejected_occupations=plus(family.rejected_occupations, no_codes),
        positives=plus(family.positives, positives),
        negatives=plus(family.negatives, negatives),
        titles_in=plus(family.titles_in, titles_in),
        titles_out=plus(family.titles_out, titles_out),
        **changes,
    )
