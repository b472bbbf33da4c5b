"""``jobmap.load``: any supported source in, a typed and cached :class:`Dataset` out."""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from jobmap._version import __version__
from jobmap.config import parse_column_mapping, resolve_cache_dir
from jobmap.data.readers import (
    ReadLog,
    finish_postings,
    read_postings_file,
    read_raw_csv,
    type_table,
)
from jobmap.data.schema import SCHEMA_VERSION, TABLES, TABLES_BY_NAME, has_descriptions
from jobmap.data.sources import Source, content_hash, detect
from jobmap.data.store import Store
from jobmap.errors import ConfigError, DataError, DataWarning

BUNDLED_NAME = "linkedin-2024-sample"


def bundled_sample_path() -> Path:
    """The real 665-posting sample shipped inside the package (CC BY-SA 4.0, see its NOTICE)."""
    return Path(str(resources.files("jobmap.data") / "bundled" / BUNDLED_NAME))


@dataclass
class Dataset:
    """A typed dataset: the postings and whichever side tables the source had.

    Tables load lazily from the cache's parquet files. ``notes`` lists what was missing, skipped or
    repaired while reading.

    >>> ds = load()                                    # the bundled sample
    >>> ds.postings[["job_id", "title"]].shape[0]
    665
    """

    manifest: dict[str, Any]
    folder: Path | None = None
    from_cache: bool = False
    _tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def key(self) -> str:
        """The content key of this dataset in the cache."""
        return str(self.manifest["key"])

    @property
    def source(self) -> str:
        """What was read (the path given as ``--data``)."""
        return str(self.manifest["source"])

    @property
    def kind(self) -> str:
        """``kaggle-2024``, ``kaggle-2023`` or ``file``."""
        return str(self.manifest["kind"])

    @property
    def notes(self) -> list[str]:
        """What was missing, skipped or repaired, in words."""
        return [n["text"] for n in self.note_records()]

    @property
    def warnings(self) -> list[str]:
        """What reading skipped, merged or repaired: said again on every run."""
        return [n["text"] for n in self.note_records() if n.get("warn")]

    def note_records(self, *kinds: str) -> list[dict[str, Any]]:
        """The notes as records ``{"kind", "text"}``, of the given kinds (default: all).

        Kinds: ``missing_table`` (a table the source does not have), ``coverage`` (a side table
        with rows for only some companies), ``descriptions`` (too few to read), ``read`` (rows or
        bytes skipped or repaired while reading)."""
        records = [
            n if isinstance(n, dict) else {"kind": "read", "text": str(n)}
            for n in self.manifest.get("notes", [])
        ]
        return [n for n in records if not kinds or n["kind"] in kinds]

    @property
    def table_names(self) -> list[str]:
        """Names of the tables present, in schema order."""
        return list(self.manifest["tables"])

    def rows(self, name: str) -> int:
        """Row count of a table, from the manifest (no read)."""
        return int(self.manifest["tables"][name]["rows"])

    def has(self, name: str) -> bool:
        return name in self.manifest["tables"]

    def table(self, name: str) -> pd.DataFrame:
        """One table as a DataFrame. Raises :class:`DataError` if the source did not have it."""
        if name not in self.manifest["tables"]:
            raise DataError(
                f"{self.source}: no {name!r} table (present: {', '.join(self.table_names)})."
            )
        if name not in self._tables:
            if self.folder is None:  # pragma: no cover - in-memory datasets hold every table
                raise DataError(f"table {name!r} is not loaded")
            self._tables[name] = pd.read_parquet(self.folder / f"{name}.parquet")
        return self._tables[name]

    @property
    def postings(self) -> pd.DataFrame:
        """The postings table (always present)."""
        return self.table("postings")

    def __repr__(self) -> str:
        parts = ", ".join(f"{n}={self.rows(n)}" for n in self.table_names)
        return f"Dataset({self.source!r}, kind={self.kind!r}, {parts})"


def _dataset_key(
    source: Source, hashes: dict[str, str], columns: dict[str, str], encoding: str
) -> str:
    ident = {
        "schema": SCHEMA_VERSION,
        "kind": source.kind,
        "files": {name: hashes[name] for name in sorted(hashes)},
        "members": {t: f.member for t, f in sorted(source.files.items())},
        "columns": columns,
        "encoding": encoding,
    }
    return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:20]


def _note(kind: str, text: str, warn: bool = False) -> dict[str, Any]:
    """A dataset note; ``warn``: rows were skipped, merged or repaired, so every run that uses
    the dataset says it again (a warm run too), and its manifest records it."""
    return {"kind": kind, "text": text, "warn": warn}


def _coverage_notes(tables: dict[str, pd.DataFrame]) -> list[dict[str, str]]:
    notes: list[dict[str, str]] = []
    postings = tables["postings"]
    if not has_descriptions(postings):
        present = (
            int(postings["description"].notna().sum()) if "description" in postings.columns else 0
        )
        text = (
            f"postings: descriptions for only {present:,} of {len(postings):,} postings; "
            "methods will work on titles alone."
            if present
            else "postings: no descriptions; methods will work on titles alone."
        )
        notes.append(_note("descriptions", text))
    if "company_id" in postings.columns:
        ids = set(postings["company_id"].dropna().astype("int64").tolist())
        for name in ("companies", "company_industries", "employee_counts"):
            if name in tables and ids:
                have = set(tables[name]["company_id"].dropna().astype("int64").tolist())
                n = len(ids & have)
                if n < len(ids):
                    notes.append(
                        _note(
                            "coverage",
                            f"{name}: rows for {n:,} of the {len(ids):,} companies in postings.",
                        )
                    )
    return notes


def _read_tables(
    source: Source, columns: dict[str, str], encoding: str, progress: bool, log: ReadLog
) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    tables: dict[str, pd.DataFrame] = {}
    applied: dict[str, str] = {}
    if source.kind == "file":
        tables["postings"], applied = read_postings_file(
            source.files["postings"],
            source.file_format,
            mapping=columns,
            encoding=encoding,
            log=log,
            progress=progress,
        )
        return tables, applied
    for name, sf in source.files.items():
        spec = TABLES_BY_NAME[name]
        if name == "postings":
            raw = read_raw_csv(sf, log=log, encoding=encoding, progress=progress, what="postings")
            if columns:
                raw = raw.rename(columns={v: k for k, v in columns.items()})
                applied = dict(columns)
            tables[name] = finish_postings(raw, sf.label, log)
            continue
        try:
            raw = read_raw_csv(sf, log=log, encoding=encoding, progress=progress)
        except DataError as exc:  # a broken side table is reported, not fatal
            log.add(f"{name}: not read: {exc}")
            continue
        absent = [c for c in spec.required if c not in raw.columns]
        if absent:
            log.add(
                f"{sf.label}: no {', '.join(absent)} column (found: "
                f"{', '.join(map(str, raw.columns))}); the {name} table was left out."
            )
            continue
        tables[name] = type_table(raw, spec, sf.label, log)
    return tables, applied


def load(
    data: str | os.PathLike[str] | None = None,
    *,
    columns: dict[str, str] | list[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    encoding: str = "utf-8",
    progress: bool = True,
    refresh: bool = False,
) -> Dataset:
    """Read a dataset into the typed, cached store and return it.

    ``data`` is the Kaggle zip, its unzipped folder (2024 or 2023 layout) or one CSV/parquet file
    of postings; ``None`` means the bundled sample. ``columns`` maps jobmap's names to a file's
    columns (``{"title": "Job Title"}``). The first read converts the sources into parquet files
    in the cache; later calls with unchanged files read those instead. ``refresh=True`` re-reads.

    >>> import jobmap
    >>> ds = jobmap.load()
    >>> ds.kind, ds.rows("postings")
    ('kaggle-2024', 665)
    """
    mapping = parse_column_mapping(columns)
    src_path = Path(data).expanduser() if data is not None else bundled_sample_path()
    source = detect(src_path)
    store = Store(resolve_cache_dir(cache_dir))

    hashes: dict[str, str] = {}
    for name, sf in source.files.items():
        try:
            hashes[name] = content_hash(sf.path, store.hash_index)
        except OSError as exc:
            raise DataError(f"{sf.label}: cannot read the file ({exc.strerror or exc}).") from None
    key = _dataset_key(source, hashes, mapping, encoding)

    folder = None if refresh else store.get(key)
    damaged = False
    if folder is not None:
        try:
            cached = Dataset(manifest=store.read_manifest(folder), folder=folder, from_cache=True)
            cached.postings  # noqa: B018 - read now: a damaged entry is found here, not later
            for note in cached.warnings:  # said on every run, not only the first
                warnings.warn(note, DataWarning, stacklevel=2)
            return cached
        except Exception as exc:  # a damaged cache entry of any kind: rebuild it from the source
            damaged = True
            warnings.warn(
                f"the cached copy of {src_path} in {folder} is damaged "
                f"({type(exc).__name__}: {str(exc).splitlines()[0][:120]}); reading the source "
                "again and replacing it.",
                DataWarning,
                stacklevel=2,
            )

    log = ReadLog()
    tables, applied = _read_tables(source, mapping, encoding, progress, log)
    notes = [_note("missing_table", f"{name}: table not in the source") for name in source.missing]
    notes += [_note("read", n, warn=n in log.warnings) for n in log.notes]
    notes += _coverage_notes(tables)
    for note in log.warnings:
        warnings.warn(note, DataWarning, stacklevel=2)
    manifest: dict[str, Any] = {
        "key": key,
        "source": str(src_path),
        "kind": source.kind,
        "jobmap_version": __version__,
        "schema_version": SCHEMA_VERSION,
        "encoding": encoding,
        "columns": applied,
        "files": {
            name: {"file": source.files[name].label, "sha256": hashes[name]} for name in hashes
        },
        "tables": {
            name: {"rows": len(df), "columns": {c: str(t) for c, t in df.dtypes.items()}}
            for name, df in ((t.name, tables[t.name]) for t in TABLES if t.name in tables)
        },
        "notes": notes,
    }
    try:
        folder = store.put(key, tables, manifest, replace=damaged or refresh)
    except ConfigError as exc:
        warnings.warn(f"{exc} Continuing without the cache.", DataWarning, stacklevel=2)
        return Dataset(manifest=manifest, folder=None, from_cache=False, _tables=tables)
    return Dataset(manifest=manifest, folder=folder, from_cache=False, _tables=tables)
