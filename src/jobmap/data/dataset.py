"""``jobmap.load``: any supported source in, a typed and cached :class:`Dataset` out."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from jobmap import config
from jobmap._version import __version__
from jobmap.config import parse_column_mapping, resolve_cache_dir
from jobmap.data.readers import (
    STREAMED,
    IdsAreText,
    PartState,
    Reader,
    ReadLog,
    parquet_batches,
    read_raw_csv,
    reader_for,
    type_table,
)
from jobmap.data.schema import (
    SCHEMA_VERSION,
    TABLES,
    TABLES_BY_NAME,
    described,
    enough_descriptions,
    has_descriptions,
)
from jobmap.data.sources import Source, content_hash, detect
from jobmap.data.store import Store
from jobmap.errors import ConfigError, DataError, DataWarning, StorageError

BUNDLED_NAME = "linkedin-2024-sample"
#: Rows per batch when a run reads the postings in batches (see :func:`jobmap.config.batch_rows`).
BATCH_ROWS = config.BATCH_ROWS
#: Rows per part when a large postings file is read into the cache in parts (from the size
#: :func:`jobmap.config.stream_bytes` says).
PART_ROWS = 10_000


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
        """The postings table (always present), whole. For data larger than memory, read
        :meth:`batches` or :meth:`read` a few columns instead."""
        return self.table("postings")

    def columns(self, name: str = "postings") -> list[str]:
        """The columns of a table, from the manifest (no read)."""
        return list(self.manifest["tables"][name]["columns"])

    def _present(self, columns: list[str] | tuple[str, ...] | None, name: str) -> list[str]:
        have = self.columns(name)
        if columns is None:
            return have
        present = set(have)
        return list(dict.fromkeys(c for c in columns if c in present))

    def read(
        self, columns: list[str] | tuple[str, ...] | None = None, name: str = "postings"
    ) -> pd.DataFrame:
        """Some columns of a table (those of ``columns`` it has, in that order; all with
        None): a few columns of a million postings fit in memory where the table would not."""
        cols = self._present(columns, name)
        if name in self._tables or self.folder is None:
            return self.table(name)[cols]
        return pd.read_parquet(self.folder / f"{name}.parquet", columns=cols)

    def batches(
        self,
        columns: list[str] | tuple[str, ...] | None = None,
        rows: int = BATCH_ROWS,
        name: str = "postings",
    ) -> Iterator[pd.DataFrame]:
        """A table in batches of ``rows`` rows (of ``columns``; all with None), in order, each
        indexed by its rows' positions in the table: every step of a run over the postings reads
        them this way, so that its memory depends on ``rows``, not on the data."""
        cols = self._present(columns, name)
        if name in self._tables or self.folder is None:
            df = self.table(name)[cols]
            for start in range(0, len(df), rows):
                part = df.iloc[start : start + rows]
                yield part.set_axis(pd.RangeIndex(start, start + len(part)), axis=0)
            return
        yield from parquet_batches(self.folder / f"{name}.parquet", rows, cols)

    @cached_property
    def has_descriptions(self) -> bool:
        """Whether the postings have descriptions to read (see
        :func:`jobmap.data.schema.has_descriptions`), without reading them again."""
        if "postings" in self._tables:
            return has_descriptions(self._tables["postings"])
        if "description" not in self.columns():
            return False
        return not self.note_records("descriptions")

    def check(self) -> None:
        """Read what a damaged cache entry would fail on: every table's parquet footer, and
        the postings whole unless they are large (those are read in batches anyway)."""
        if self.folder is None:
            return
        import pyarrow.parquet as pq

        for name in self.table_names:
            pq.read_metadata(self.folder / f"{name}.parquet")
        if self.rows("postings") <= BATCH_ROWS:
            self.postings  # noqa: B018 - read now: a damaged entry is found here, not later

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


@dataclass
class _PostingStats:
    """What the notes say of the postings, counted part by part for a file read in parts."""

    rows: int = 0
    described: int = 0
    has_column: bool = False
    company_ids: set[int] = field(default_factory=set)

    def add(self, part: pd.DataFrame) -> None:
        self.rows += len(part)
        if "description" in part.columns:
            self.has_column = True
            self.described += described(part["description"])
        if "company_id" in part.columns:
            self.company_ids.update(part["company_id"].dropna().astype("int64").tolist())


def _coverage_notes(stats: _PostingStats, tables: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    notes: list[dict[str, Any]] = []
    if not (stats.has_column and enough_descriptions(stats.described, stats.rows)):
        present = stats.described
        text = (
            f"postings: descriptions for only {present:,} of {stats.rows:,} postings; "
            "methods will work on titles alone."
            if present
            else "postings: no descriptions; methods will work on titles alone."
        )
        notes.append(_note("descriptions", text))
    ids = stats.company_ids
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


def _reader(
    source: Source, mapping: dict[str, str], encoding: str, progress: bool, log: ReadLog
) -> Reader:
    return reader_for(
        source.files["postings"],
        source.kind,
        source.file_format,
        mapping=mapping,
        encoding=encoding,
        log=log,
        progress=progress,
    )


def _read_tables(
    source: Source,
    columns: dict[str, str],
    encoding: str,
    progress: bool,
    log: ReadLog,
    postings: bool = True,
) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """Every table of the source as a DataFrame (without the postings unless ``postings``)."""
    tables: dict[str, pd.DataFrame] = {}
    applied: dict[str, str] = {}
    for name, sf in source.files.items():
        spec = TABLES_BY_NAME[name]
        if name == "postings":
            if not postings:
                continue
            reader = _reader(source, columns, encoding, progress, log)
            tables[name] = reader.read()
            applied = reader.applied
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
    stream_bytes: int | None = None,
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
    if data is not None and not str(data).strip():
        # an unset variable ("--data $DATA"): never the current folder, searched below
        raise DataError("--data is empty. Give the Kaggle zip, its folder, or a postings file.")
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
            given = _as_given(store.read_manifest(folder), src_path, source)
            cached = Dataset(manifest=given, folder=folder, from_cache=True)
            cached.check()
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
    tmp = None
    if _in_parts(source, stream_bytes):
        try:
            tmp = store.begin(key)
        except ConfigError as exc:
            warnings.warn(
                f"{exc} Reading {source.files['postings'].label} whole, in memory.",
                DataWarning,
                stacklevel=2,
            )
    stats = _PostingStats()
    if tmp is not None:
        try:
            try:
                tables, applied, info = _read_in_parts(
                    source, mapping, encoding, progress, log, tmp, stats
                )
            except IdsAreText:
                # a later part's ids are text where the first part's were integers: read the
                # file again with every id kept as text, rather than drop those postings
                log, stats = ReadLog(), _PostingStats()
                tables, applied, info = _read_in_parts(
                    source, mapping, encoding, progress, log, tmp, stats, text_ids=True
                )
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):
                raise store.cannot_write(exc) from None  # the postings go there part by part
            raise
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    else:
        tables, applied = _read_tables(source, mapping, encoding, progress, log)
        stats.add(tables["postings"])
        info = {}
    notes = [_note("missing_table", f"{name}: table not in the source") for name in source.missing]
    notes += [_note("read", n, warn=n in log.warnings) for n in log.notes]
    notes += _coverage_notes(stats, tables)
    for note in log.warnings:
        warnings.warn(note, DataWarning, stacklevel=2)
    info.update(
        {
            name: {"rows": len(df), "columns": {c: str(t) for c, t in df.dtypes.items()}}
            for name, df in tables.items()
        }
    )
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
        "tables": {t.name: info[t.name] for t in TABLES if t.name in info},
        "notes": notes,
    }
    if tmp is not None:  # the postings are written already; the side tables are small
        folder = store.put(key, tables, manifest, replace=damaged or refresh, tmp=tmp)
        return Dataset(manifest=manifest, folder=folder, from_cache=False, _tables=tables)
    try:
        folder = store.put(key, tables, manifest, replace=damaged or refresh)
    except (ConfigError, StorageError) as exc:
        warnings.warn(f"{exc} Continuing without the cache.", DataWarning, stacklevel=2)
        return Dataset(manifest=manifest, folder=None, from_cache=False, _tables=tables)
    return Dataset(manifest=manifest, folder=folder, from_cache=False, _tables=tables)


def _as_given(manifest: dict[str, Any], src_path: Path, source: Source) -> dict[str, Any]:
    """A cached dataset's manifest as for the path given now: the cache is keyed by content, so
    the entry may come from another file with the same bytes, and its notes must name this one."""
    out = dict(manifest)
    out["source"] = str(src_path)
    files = {name: dict(entry) for name, entry in manifest.get("files", {}).items()}
    renames: list[tuple[str, str]] = []
    for name, entry in files.items():
        if name in source.files and entry.get("file") != source.files[name].label:
            renames.append((str(entry.get("file")), source.files[name].label))
            entry["file"] = source.files[name].label
    out["files"] = files
    if renames:
        renames.sort(key=lambda pair: -len(pair[0]))  # a longer old name first: no half-renames
        notes = []
        for note in manifest.get("notes", []):
            if isinstance(note, dict):
                text = str(note.get("text", ""))
                for old, new in renames:
                    text = text.replace(old, new)
                note = {**note, "text": text}
            notes.append(note)
        out["notes"] = notes
    return out


def _in_parts(source: Source, threshold: int | None = None) -> bool:
    """Whether the postings file is large enough to be read in parts: ``threshold`` bytes, else
    :func:`jobmap.config.stream_bytes`."""
    sf = source.files["postings"]
    if threshold is None:
        threshold = config.stream_bytes()  # a bad setting is an error, not a reason to read whole
    try:
        size = sf.size
        if sf.member is None and sf.path.suffix.lower() in (".parquet", ".pq"):
            size = max(size, decoded_parquet_bytes(sf.path))
        return size >= threshold
    except Exception:
        return False  # the reader says what is wrong with the file


#: Rows of each sampled row group whose decoded size estimates a parquet file's.
SIZE_SAMPLE_ROWS = 1_000


def decoded_parquet_bytes(path: Path) -> int:
    """About how many bytes a parquet file's rows take once read: the decoded size of a sample
    of rows (the first, middle and last row groups) times the rows. Not the row groups'
    ``total_byte_size``: that counts a dictionary-encoded column's dictionary once, so a file
    whose million descriptions repeat 665 texts looks a few MB large and is read whole (7 GB)."""
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path, **STREAMED)  # never a whole row group's bytes to sample it
    meta = pf.metadata
    if meta.num_rows == 0 or meta.num_row_groups == 0:
        return 0
    groups = sorted({0, meta.num_row_groups // 2, meta.num_row_groups - 1})
    sampled = held = 0
    for i in groups:
        # the first rows of the group, decoded: never the whole group (it may be the file)
        batch = next(pf.iter_batches(batch_size=SIZE_SAMPLE_ROWS, row_groups=[i]), None)
        if batch is None or batch.num_rows == 0:
            continue
        held += batch.nbytes
        sampled += batch.num_rows
    if sampled == 0:
        return 0
    return int(held / sampled * meta.num_rows)


def _read_in_parts(
    source: Source,
    mapping: dict[str, str],
    encoding: str,
    progress: bool,
    log: ReadLog,
    folder: Path,
    stats: _PostingStats,
    text_ids: bool | None = None,
) -> tuple[dict[str, pd.DataFrame], dict[str, str], dict[str, Any]]:
    """Read the postings in parts into ``folder``/postings.parquet (memory bounded by a part,
    not by the file) and the side tables whole. Returns the side tables, the column mapping
    applied and the postings' entry of the manifest's tables."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    state = PartState(text_ids=text_ids)
    writer = None
    schema = None
    dtypes: dict[str, str] = {}
    try:
        reader = _reader(source, mapping, encoding, progress, log)
        for part in reader.iter_parts(PART_ROWS, state):
            stats.add(part)
            table = pa.Table.from_pandas(part, preserve_index=False)
            if writer is None:
                schema = pa.schema(
                    [
                        f.with_type(pa.large_string()) if pa.types.is_null(f.type) else f
                        for f in table.schema
                    ],
                    metadata=table.schema.metadata,
                )
                dtypes = {str(c): str(t) for c, t in part.dtypes.items()}
                writer = pq.ParquetWriter(folder / "postings.parquet", schema)
            assert schema is not None
            writer.write_table(table.select(schema.names).cast(schema))
    finally:
        if writer is not None:
            writer.close()
    tables, _ = _read_tables(source, mapping, encoding, progress, log, postings=False)
    info = {"postings": {"rows": state.rows, "columns": dtypes, "read_in_parts": True}}
    return tables, state.applied, info
