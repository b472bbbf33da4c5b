"""One place that resolves settings, with a stated precedence: option > environment > default.

Every output of jobmap records the settings it ran with (see :func:`Settings.manifest`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from jobmap.errors import ConfigError

#: Environment variable that sets the cache directory when ``--cache-dir`` is not given.
CACHE_ENV = "JOBMAP_CACHE"


def default_cache_dir() -> Path:
    """The per-user cache folder (``~/.cache/jobmap`` on Linux)."""
    return Path(platformdirs.user_cache_dir("jobmap", appauthor=False))


def resolve_cache_dir(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """``cache_dir`` if given, else ``$JOBMAP_CACHE``, else :func:`default_cache_dir`."""
    if cache_dir is not None and str(cache_dir) != "":
        return Path(cache_dir).expanduser()
    env = os.environ.get(CACHE_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    return default_cache_dir()


def parse_column_mapping(
    items: list[str] | tuple[str, ...] | dict[str, str] | None,
) -> dict[str, str]:
    """Parse ``["title=Job Title", "description=Job Description"]`` into a dict.

    Keys are jobmap's column names, values the column names found in the user's file.

    >>> parse_column_mapping(["title=Job Title"])
    {'title': 'Job Title'}
    """
    if not items:
        return {}
    if isinstance(items, dict):
        return {str(k).strip(): str(v) for k, v in items.items()}
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ConfigError(
                f"--columns {item!r}: expected JOBMAP_NAME=YOUR_COLUMN, "
                'for example --columns title="Job Title"'
            )
        out[key.strip()] = value.strip()
    return out


@dataclass(frozen=True)
class Settings:
    """Everything a run depends on; written into every run manifest."""

    data: str | None = None
    cache_dir: Path = field(default_factory=resolve_cache_dir)
    columns: dict[str, str] = field(default_factory=dict)
    encoding: str = "utf-8"

    def manifest(self) -> dict[str, object]:
        """The settings as plain JSON-ready values."""
        return {
            "data": self.data,
            "cache_dir": str(self.cache_dir),
            "columns": dict(self.columns),
            "encoding": self.encoding,
        }
