"""Families: what a job family is, in one TOML file format (see ``builtin.toml`` for the fields).

The built-in families ship with the package; users add or replace families in a file of their own
(``--families my.toml`` or ``$JOBMAP_FAMILIES``) or in the per-user file.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import platformdirs

from jobmap.errors import ConfigError

FAMILIES_ENV = "JOBMAP_FAMILIES"
_LIST_FIELDS = ("anchors", "keywords", "examples", "exclude", "positives", "negatives")
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

    def threshold(self, method: str, default: float) -> float:
        """The family's calibrated threshold for ``method``, else ``default``."""
        return float(self.thresholds.get(method, default))

    def manifest(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "origin": self.origin,
            "anchors": list(self.anchors),
            "thresholds": dict(self.thresholds),
        }


def user_families_file() -> Path:
    """The per-user families file (it need not exist)."""
    return Path(platformdirs.user_config_dir("jobmap", appauthor=False)) / "families.toml"


def builtin_families_file() -> Path:
    return Path(str(resources.files("jobmap.families") / "builtin.toml"))


def _parse(path: Path) -> dict[str, Family]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such families file.") from None
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
        thresholds = spec.get("thresholds", {})
        if not isinstance(thresholds, dict) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in thresholds.values()
        ):
            raise ConfigError(f"{where}: thresholds must map method names to numbers.")
        anchors = tuple(a.strip() for a in spec.get("anchors", []) if a.strip())
        if not anchors:
            raise ConfigError(
                f'{where}: give at least one anchor phrase, e.g. anchors = ["machine learning"].'
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
            thresholds={k: float(v) for k, v in thresholds.items()},
            origin=str(path),
        )
    return out


def load_families(families_file: str | os.PathLike[str] | None = None) -> dict[str, Family]:
    """Every family: built-in, then the per-user file, then ``families_file`` (or
    ``$JOBMAP_FAMILIES``); a later file replaces a family of the same name."""
    found = _parse(builtin_families_file())
    user = user_families_file()
    if user.is_file():
        found.update(_parse(user))
    extra = families_file or os.environ.get(FAMILIES_ENV) or None
    if extra:
        found.update(_parse(Path(extra).expanduser()))
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


__all__ = ["Family", "get_family", "load_families", "user_families_file"]
