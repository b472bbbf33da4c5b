"""The columnar cache: one folder of parquet files per dataset, keyed by the sources' content.

Layout::

    <cache>/datasets/<key>/manifest.json     what was read, from where, with which settings
    <cache>/datasets/<key>/<table>.parquet   one typed table each
    <cache>/file-hashes.json                 (size, mtime) -> sha256, so big files are hashed once

A dataset is written into a temporary folder and renamed into place when complete, so a run that
is killed half-way never leaves a half-written dataset behind.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from jobmap.errors import ConfigError, StorageError

MANIFEST = "manifest.json"


class Store:
    """A folder of cached datasets."""

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir
        self.root = cache_dir / "datasets"

    @property
    def hash_index(self) -> Path:
        return self.cache_dir / "file-hashes.json"

    def folder(self, key: str) -> Path:
        return self.root / key

    def get(self, key: str) -> Path | None:
        """The folder of a complete cached dataset, or None."""
        folder = self.folder(key)
        if (folder / MANIFEST).is_file():
            return folder
        return None

    def begin(self, key: str) -> Path:
        """A new temporary folder to write the dataset ``key`` into (see :meth:`commit`)."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self.clean_stale()
            return Path(tempfile.mkdtemp(prefix=f".tmp-{key}-", dir=self.root))
        except OSError as exc:
            raise ConfigError(
                f"cannot write the cache folder {self.root} ({exc.strerror or exc}). "
                "Pass --cache-dir DIR or set JOBMAP_CACHE to a folder you can write."
            ) from None

    def commit(self, tmp: Path, key: str, manifest: dict[str, Any], replace: bool = False) -> Path:
        """Write the manifest into ``tmp`` (whose tables are written) and move it into place,
        atomically. ``replace``: the entry there is damaged; put this one in its place."""
        try:
            (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str))
            target = self.folder(key)
            if target.exists():  # another process finished first, or a stale folder
                if (target / MANIFEST).is_file() and not replace:
                    shutil.rmtree(tmp, ignore_errors=True)
                    return target
                shutil.rmtree(target, ignore_errors=True)
            os.replace(tmp, target)
            return target
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    def put(
        self,
        key: str,
        tables: dict[str, pd.DataFrame],
        manifest: dict[str, Any],
        replace: bool = False,
        tmp: Path | None = None,
    ) -> Path:
        """Write every table and the manifest, atomically. Returns the dataset's folder.
        ``replace``: the entry there is damaged; put this one in its place. ``tmp``: a folder of
        :meth:`begin` that already holds some tables (a large one written part by part)."""
        tmp = tmp or self.begin(key)
        try:
            for name, df in tables.items():
                df.to_parquet(tmp / f"{name}.parquet", index=False)
        except OSError as exc:  # a full disk: the caller goes on without the cache
            shutil.rmtree(tmp, ignore_errors=True)
            raise self.cannot_write(exc) from None
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        try:
            return self.commit(tmp, key, manifest, replace)
        except OSError as exc:
            raise self.cannot_write(exc) from None

    def cannot_write(self, exc: OSError) -> StorageError:
        """A failed write into the cache as one clear error (the temporary folder is gone)."""
        why = "the disk is full" if exc.errno == errno.ENOSPC else exc.strerror or str(exc)
        return StorageError(
            f"cannot write the cache folder {self.root} ({why}). Free some space, or pass "
            "--cache-dir DIR (or set JOBMAP_CACHE) to a folder with room."
        )

    def read_manifest(self, folder: Path) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((folder / MANIFEST).read_text())
        return data

    def clean_stale(self, older_than_s: float = 6 * 3600) -> int:
        """Remove temporary folders that killed runs left behind (old ones only: a folder of a
        run still in progress elsewhere is young). Returns how many were removed."""
        if not self.root.is_dir():
            return 0
        removed = 0
        now = time.time()
        for p in self.root.glob(".tmp-*"):
            try:
                if now - p.stat().st_mtime > older_than_s:
                    shutil.rmtree(p, ignore_errors=True)
                    removed += 1
            except OSError:
                continue
        return removed
