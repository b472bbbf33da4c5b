"""Tables jobmap keeps in its cache to save time (a dataset's occupation codes, its technologies):
where one is kept, by a key of what it depends on; reading it back, where a damaged entry is only a
re-run; writing it atomically, where no room for the cache is no error."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from jobmap._atomic import atomic_path


def table_path(cache_dir: str | os.PathLike[str], folder: str, ident: dict[str, Any]) -> Path:
    """Where the table ``ident`` names (its data's key, jobmap's code...) is kept under
    ``cache_dir/folder``."""
    key = hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:24]
    return Path(cache_dir) / folder / f"{key}.parquet"


def read_table(path: Path) -> pd.DataFrame | None:
    """The table kept at ``path``, or None (absent, or damaged: it is made again)."""
    if not path.is_file():
        return None
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError):
        return None


def write_table(path: Path, table: pd.DataFrame) -> None:
    """Keep ``table`` at ``path`` (a name of its own per writer, renamed into place); without
    room for the cache the run goes on without it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            table.to_parquet(tmp, index=False)
    except OSError:
        pass


__all__ = ["read_table", "table_path", "write_table"]
