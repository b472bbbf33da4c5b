"""Read raw files into typed tables, skipping and counting bad rows, never crashing.

Everything is read as text first and typed by :mod:`jobmap.data.schema`, so that types do not
depend on which rows pandas happened to see first.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from jobmap.data.schema import (
    POSTINGS,
    CoercionProblem,
    TableSpec,
    add_annual_salary,
    coerce_column,
)
from jobmap.data.sources import SourceFile
from jobmap.errors import DataError

#: Column names that other postings files use, normalised (lower case, ``_`` for space and ``-``).
ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "job_title", "jobtitle", "position", "position_title", "job_name", "role"),
    "description": (
        "description",
        "job_description",
        "jobdescription",
        "job_summary",
        "summary",
        "text",
        "job_text",
        "body",
    ),
    "job_id": ("job_id", "jobid", "id", "posting_id", "job_posting_id", "job_key"),
    "company_name": ("company_name", "company", "employer", "employer_name", "organization"),
    "location": ("location", "job_location", "city_state"),
}

PROGRESS_MIN_BYTES = 8 << 20
CHUNK_ROWS = 50_000
_SKIP_RE = re.compile(r"Skipping line (\d+)")
_EOF_RE = re.compile(r"EOF inside string starting at row (\d+)")


@dataclass
class _Tally:
    """A note that counts across the parts of a file read in parts."""

    render: Callable[[int, list[int]], str]
    warn: bool
    count: int = 0
    rows: list[int] = field(default_factory=list)


#: How many example rows a counted note shows.
SHOWN_ROWS = 5


def shown_rows(rows: list[int], total: int) -> str:
    """``1, 4, 9 ...``: the first rows of a counted note (1-based already)."""
    return ", ".join(str(r) for r in rows[:SHOWN_ROWS]) + (" ..." if total > SHOWN_ROWS else "")


@dataclass
class ReadLog:
    """What reading one file skipped or repaired: becomes warnings and the dataset's notes.

    A note that counts (rows skipped, values left empty) is a *tally*: a file read in parts adds
    to one note per kind, and says the total and the first rows, as a file read whole does."""

    _order: list[str] = field(default_factory=list)
    _plain: dict[str, tuple[str, bool]] = field(default_factory=dict)
    _tallies: dict[str, _Tally] = field(default_factory=dict)

    def add(self, note: str, *, warn: bool = True) -> None:
        """Record a note; ``warn`` ones (data skipped or repaired) are also shown as warnings."""
        key = f"note:{len(self._order)}"
        self._order.append(key)
        self._plain[key] = (note, warn)

    def tally(
        self,
        key: str,
        count: int,
        rows: list[int],
        render: Callable[[int, list[int]], str],
        *,
        warn: bool = True,
    ) -> None:
        """Add ``count`` to the note ``key`` (``rows``: where, 1-based); ``render(total, rows)``
        writes it (the first part's ``render`` is kept: it names the first example)."""
        if count <= 0:
            return
        tally = self._tallies.get(key)
        if tally is None:
            tally = self._tallies[key] = _Tally(render, warn)
            self._order.append(key)
        tally.count += count
        tally.rows.extend(rows[: max(0, SHOWN_ROWS + 1 - len(tally.rows))])

    def _entries(self) -> list[tuple[str, bool]]:
        out = []
        for key in self._order:
            if key in self._plain:
                out.append(self._plain[key])
            else:
                t = self._tallies[key]
                out.append((t.render(t.count, t.rows), t.warn))
        return out

    @property
    def notes(self) -> list[str]:
        return [text for text, _ in self._entries()]

    @property
    def warnings(self) -> list[str]:
        return [text for text, warn in self._entries() if warn]


def _norm(name: str) -> str:
    return re.sub(r"[\s\-./]+", "_", str(name).strip().lower())


def _scan_encoding(sf: SourceFile, encoding: str) -> tuple[int, int]:
    """Count lines that do not decode; return (count, first bad line number, 1-based)."""
    bad = 0
    first = 0
    line_no = 0
    carry = b""
    with sf.open() as fh:
        while True:
            block = fh.read(1 << 22)
            data = carry + block
            if not data:
                break
            if block:
                cut = data.rfind(b"\n") + 1
                if cut == 0:
                    carry = data
                    continue
                data, carry = data[:cut], data[cut:]
            else:
                carry = b""
            try:
                data.decode(encoding)
                line_no += data.count(b"\n")
            except UnicodeDecodeError:
                for line in data.splitlines(keepends=True):
                    line_no += 1
                    try:
                        line.decode(encoding)
                    except UnicodeDecodeError:
                        bad += 1
                        first = first or line_no
            if not block:
                break
    return bad, first


def read_raw_csv(
    sf: SourceFile,
    *,
    log: ReadLog,
    sep: str = ",",
    encoding: str = "utf-8",
    progress: bool = True,
    what: str = "rows",
) -> pd.DataFrame:
    """Read a CSV as text columns. Bad rows are skipped and counted in ``log``.

    Raises :class:`DataError` (one line: file, row, fix) when the file cannot be read at all.
    """
    chunks = list(
        iter_raw_csv(sf, log=log, sep=sep, encoding=encoding, progress=progress, what=what)
    )
    if not chunks:  # pragma: no cover - pandas yields one (empty) chunk for a header-only file
        return pd.DataFrame()
    return pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]


def iter_raw_csv(
    sf: SourceFile,
    *,
    log: ReadLog,
    sep: str = ",",
    encoding: str = "utf-8",
    progress: bool = True,
    what: str = "rows",
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[pd.DataFrame]:
    """:func:`read_raw_csv` in parts of ``chunk_rows`` rows (text columns, a RangeIndex that
    continues from part to part), so that a file larger than memory can be read. The notes
    (lines skipped, rows merged) are complete once the last part is read."""
    try:
        size = sf.size
    except OSError as exc:
        raise DataError(f"{sf.label}: cannot read the file ({exc.strerror or exc}).") from None
    if size == 0:
        raise DataError(f"{sf.label}: the file is empty (0 bytes). Replace it with a full copy.")
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise DataError(
            f"--encoding {encoding!r}: unknown encoding. Try utf-8, cp1252 or latin-1."
        ) from None

    bad_lines, first_bad = _scan_encoding(sf, encoding)
    errors = "strict"
    if bad_lines:
        errors = "replace"
        log.add(
            f"{sf.label}: {bad_lines} line(s) hold bytes that are not {encoding} (first at line "
            f"{first_bad}); they were read with '\ufffd' in their place. If the file uses another "
            "encoding, pass --encoding cp1252 (or latin-1)."
        )

    skipped: list[int] = []
    merged_rows: list[int] = []
    merged_count = inside_total = 0
    offset = 0
    bar = None
    with sf.open() as fh, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        if progress and size >= PROGRESS_MIN_BYTES:
            bar = tqdm(
                total=size, unit="B", unit_scale=True, desc=f"reading {sf.label}", leave=False
            )
        try:
            reader = pd.read_csv(
                fh,
                sep=sep,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                encoding=encoding,
                encoding_errors=errors,
                on_bad_lines="warn",
                chunksize=chunk_rows,
                low_memory=False,
            )
            last = 0
            for chunk in reader:
                if bar is not None:
                    pos = fh.tell()
                    bar.update(pos - last)
                    last = pos
                chunk.columns = [str(c).strip() for c in chunk.columns]
                chunk.index = pd.RangeIndex(offset, offset + len(chunk))
                merged, inside = swallowed_rows(chunk, sep)
                if len(merged):
                    merged_count += len(merged)
                    inside_total += inside
                    merged_rows.extend(offset + i + 1 for i in merged[: SHOWN_ROWS + 1])
                offset += len(chunk)
                yield chunk
        except pd.errors.EmptyDataError:
            raise DataError(
                f"{sf.label}: the file has no header line and no rows. Replace it with a full copy."
            ) from None
        except pd.errors.ParserError as exc:
            msg = str(exc)
            m = _EOF_RE.search(msg)
            if m:
                raise DataError(
                    f"{sf.label}: a quoted field that opens at data row {m.group(1)} is never "
                    'closed (broken quoting). Fix the stray " in that row, or remove the row.'
                ) from None
            raise DataError(
                f'{sf.label}: cannot parse the CSV ({msg.strip()}). Check its quoting (a " '
                "that opens a field must close it)."
            ) from None
        except UnicodeDecodeError as exc:  # pragma: no cover - the scan above replaces bytes
            raise DataError(
                f"{sf.label}: bytes that are not {encoding} ({exc.reason}). "
                "Pass --encoding cp1252 (or latin-1)."
            ) from None
        finally:
            if bar is not None:
                bar.close()
        for w in caught:
            if issubclass(w.category, pd.errors.ParserWarning):
                skipped.extend(int(n) for n in _SKIP_RE.findall(str(w.message)))
    if skipped:
        log.add(
            f"{sf.label}: skipped {len(skipped)} {what} with the wrong number of fields "
            f"(line {shown_rows(skipped, len(skipped))}). Fix or remove those lines to keep them."
        )
    if merged_count:
        log.add(
            f"{sf.label}: {merged_count} row(s) hold what looks like {inside_total} further "
            f"row(s) (a line break in a title, or a line inside a field that starts like a new "
            f"row; data row {shown_rows(merged_rows, merged_count)}): a quote left open probably "
            'merged them. They were kept as read; close the stray " to get the merged rows back.'
        )


_SEP_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "pipes"}


def sniff_separator(sf: SourceFile, named: str, encoding: str) -> str:
    """The separator of a delimited file: the one its name says, unless its header line holds
    none of it and another (``;``, tab, ``|``) instead, as a TSV named ``.csv`` or a European
    ``;`` file does."""
    try:
        with sf.open() as fh:
            head = fh.read(65536)
    except OSError:
        return named
    try:
        line = head.decode(encoding, errors="replace").splitlines()[0] if head else ""
    except LookupError:  # an unknown encoding: the reader says so
        return named
    if named in line or not line:
        return named
    counts = {sep: line.count(sep) for sep in _SEP_NAMES if sep != named}
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] > 0 else named


#: Above this many columns, a file is searched row by row rather than column by column.
WIDE_COLUMNS = 200
_TITLE_NAMES = ("title", "job_title", "job title", "position", "jobtitle")


def swallowed_rows(df: pd.DataFrame, sep: str = ",") -> tuple[list[int], int]:
    """Rows that hold other rows, the sign of a quote left open, and about how many rows they
    hold. A title never holds a line break; and where the first column is a numeric id, a line
    inside any field that starts with an id of that length and the separator is where a row
    should have started."""
    if df.empty:
        return [], 0
    held = np.zeros(len(df), dtype=np.int64)
    for column in df.columns:
        if str(column).strip().lower() in _TITLE_NAMES:
            text = df[column].astype("string").fillna("")
            held = np.maximum(held, text.str.count(r"\r\n|\r|\n").to_numpy(np.int64))
    first = df[df.columns[0]].astype("string").dropna()
    if df.shape[1] > 1 and len(first) and first.str.fullmatch(r"\s*\d+\s*").all():
        # a row starts with an id as long as the file's ids ("2,000 employees" in a description
        # of a file with ten-digit ids is no row)
        lengths = first.str.strip().str.len()
        shortest, longest = int(lengths.min()), int(lengths.max())
        row_start = r"(?:\r\n|\r|\n)\s*\d{" + f"{shortest},{longest}" + r"}" + re.escape(sep)
        if df.shape[1] <= WIDE_COLUMNS:  # column by column: light on memory for long files
            starts = np.zeros(len(df), dtype=np.int64)
            for column in df.columns[1:]:
                text = df[column].astype("string").fillna("")
                starts += text.str.count(row_start).to_numpy(np.int64)
            held = np.maximum(held, starts)
        else:  # a very wide file: one string per row (cells joined by a byte no text holds)
            rest = df.to_numpy(dtype=object)[:, 1:]
            joined = pd.Series(
                ["\x1f".join(v for v in row if isinstance(v, str)) for row in rest],
                index=df.index,
                dtype="string",
            )
            held = np.maximum(held, joined.str.count(row_start).to_numpy(np.int64))
    rows = np.flatnonzero(held > 0)
    return rows.tolist(), int(held[rows].sum())


@contextmanager
def _reading_parquet(sf: SourceFile) -> Iterator[None]:
    """An empty or unreadable parquet file as one clear error (whole or in parts)."""
    if sf.size == 0:
        raise DataError(f"{sf.label}: the file is empty (0 bytes). Replace it with a full copy.")
    try:
        yield
    except (OSError, ValueError) as exc:
        raise DataError(
            f"{sf.label}: not a readable parquet file ({str(exc).splitlines()[0]}). "
            "Check the file, or pass a CSV."
        ) from None


def read_raw_parquet(sf: SourceFile) -> pd.DataFrame:
    """Read a parquet file; columns keep their stored types."""
    with _reading_parquet(sf), sf.open() as fh:
        return pd.read_parquet(io.BytesIO(fh.read()))


def type_table(
    df: pd.DataFrame, spec: TableSpec, label: str, log: ReadLog, *, offset: int = 0
) -> pd.DataFrame:
    """Type the known columns. Bad values become missing and are counted; rows whose key (id) is
    bad are dropped. ``offset``: the rows before this part of the file (for the row numbers)."""
    out = df.copy()
    drop = np.zeros(len(out), dtype=bool)
    for column, kind in spec.columns.items():
        if column not in out.columns:
            continue
        series = out[column]
        try:
            out[column] = coerce_column(series, kind, column)
            continue
        except CoercionProblem as first:
            problem = first
        # Slow path: type value by value to find every bad one.
        good = np.ones(len(series), dtype=bool)
        values = series.to_numpy(dtype=object)
        for i, value in enumerate(values):
            try:
                coerce_column(pd.Series([value], dtype=object), kind, column)
            except CoercionProblem:
                good[i] = False
        masked = series.where(good, None)
        out[column] = coerce_column(masked, kind, column)
        if column == spec.key:
            drop |= ~good
            action = "those rows were skipped"
        else:
            action = "those values were left empty"
        row, expected, value = offset + problem.row + 1, problem.expected, problem.value

        def render(
            n: int,
            rows: list[int],
            column: str = column,
            expected: str = expected,
            row: int = row,
            value: object = value,
            action: str = action,
        ) -> str:
            return (
                f"{label}: column {column!r} has {n} value(s) that are not {expected} "
                f"(first at data row {row}: {value!r}); {action}."
            )

        log.tally(f"type:{label}:{column}", int((~good).sum()), [row], render)
    if drop.any():
        out = out.loc[~drop]
    return add_annual_salary(out.reset_index(drop=True))


def _infer_numbers(df: pd.DataFrame, known: set[str]) -> pd.DataFrame:
    """Columns of a user's file that jobmap does not know: numeric where every value is.

    All candidate cells are converted in one call (a file with 100,000 columns is as quick as
    one with 30)."""
    candidates = [
        c
        for c, dtype in df.dtypes.items()
        if c not in known
        and (pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype))
    ]
    if not candidates or df.empty:
        return df
    block = df[candidates].to_numpy(dtype=object)
    flat = pd.to_numeric(pd.Series(block.ravel(order="F")), errors="coerce").to_numpy()
    nums = flat.reshape(block.shape, order="F")
    present = ~pd.isna(block)
    converted = ~np.isnan(nums.astype(float))
    numeric = (converted.sum(axis=0) == present.sum(axis=0)) & converted.any(axis=0)
    if numeric.any():
        chosen = {c: j for j, (c, ok) in enumerate(zip(candidates, numeric, strict=True)) if ok}
        if nums.dtype.kind in "iu":  # every cell a whole number: one cast for them all
            for c, j in chosen.items():
                df[c] = nums[:, j]
        else:  # column by column, as pd.to_numeric types each (int64, float64)
            for c in chosen:
                df[c] = pd.to_numeric(df[c])
    return df


def map_columns(
    df: pd.DataFrame, mapping: dict[str, str], label: str
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Rename a user's columns to jobmap's: the explicit mapping first, then known aliases.

    Returns the renamed frame and the mapping that was applied (jobmap name -> original name).
    """
    found = list(df.columns)
    applied: dict[str, str] = {}
    for target, original in mapping.items():
        if original not in df.columns:
            raise DataError(
                f"{label}: --columns {target}={original!r} names no column of this file; "
                f"its columns are: {', '.join(map(repr, found))}."
            )
        applied[target] = original
    taken = set(applied.values())
    normalised = {_norm(c): c for c in df.columns}
    for target, aliases in ALIASES.items():
        if target in applied:
            continue
        for alias in aliases:
            hit = normalised.get(alias)
            if hit is not None and hit not in taken:
                applied[target] = hit
                taken.add(hit)
                break
    renamed = df.rename(columns={v: k for k, v in applied.items() if k != v})
    # A column already called like a target (but not chosen) would now clash: keep the chosen one.
    renamed = renamed.loc[:, ~renamed.columns.duplicated(keep="last")]
    return renamed, applied


def stable_ids(df: pd.DataFrame, seen: dict[str, int] | None = None) -> pd.Series:
    """A job_id derived from each row's content, stable across runs and row order.

    Identical rows get distinct ids by the order in which they occur (first, second, ...).
    ``seen`` counts the contents of earlier parts of a file read in parts (and is updated).
    """
    if df.empty:  # a header-only file: no ids to derive (the caller says there are no postings)
        return pd.Series([], index=df.index, dtype="Int64")
    parts = [c for c in ("title", "company_name", "location", "description") if c in df.columns]
    content = df[parts].astype("string").fillna("").agg("\x1f".join, axis=1)
    occurrence = content.groupby(content).cumcount()
    if seen is not None:
        keys = [hashlib.sha1(t.encode()).hexdigest() for t in content.tolist()]
        before = np.asarray([seen.get(k, 0) for k in keys], dtype=np.int64)
        occurrence = occurrence + before
        for k in keys:
            seen[k] = seen.get(k, 0) + 1

    def _one(text: str, k: int) -> int:
        digest = hashlib.sha256(f"{text}\x1e{k}".encode()).digest()
        return int.from_bytes(digest[:8], "big") & 0x7FFF_FFFF_FFFF_FFFF

    ids = [_one(t, int(k)) for t, k in zip(content.tolist(), occurrence.tolist(), strict=True)]
    return pd.Series(ids, index=df.index, dtype="Int64")


@dataclass
class PartState:
    """What reading a postings file in parts carries from one part to the next."""

    #: Rows of the file before this part.
    offset: int = 0
    #: Job ids kept so far (a repeat in a later part is a repeat too).
    ids: set[int] = field(default_factory=set)
    #: Contents seen so far, for ids derived from content.
    contents: dict[str, int] = field(default_factory=dict)
    #: Whether the file's ids are kept as ``source_id`` (decided by its first part).
    source_ids: bool | None = None
    #: Postings kept.
    rows: int = 0
    #: The column mapping applied (jobmap name -> the file's name).
    applied: dict[str, str] = field(default_factory=dict)


def finish_postings(
    df: pd.DataFrame,
    label: str,
    log: ReadLog,
    *,
    mapping: dict[str, str] | None = None,
    derive_ids: bool = False,
    state: PartState | None = None,
) -> pd.DataFrame:
    """Checks every source's postings get: a title column, non-empty titles, unique job ids.

    ``state``: the file is read in parts and this is one (the first decides how ids are made;
    empty titles and repeated ids are counted across all parts)."""
    if "title" not in df.columns:
        hint = (
            'Name it with --columns title="YOUR TITLE COLUMN".'
            if derive_ids or mapping is not None
            else "This file does not look like a Kaggle postings file; check --data."
        )
        raise DataError(
            f"{label}: no job title column (looked for {', '.join(ALIASES['title'])}); "
            f"found: {', '.join(map(repr, df.columns))}. {hint}"
        )
    first_part = state is None or state.offset == 0
    offset = state.offset if state is not None else 0
    out = df.reset_index(drop=True)
    if derive_ids:
        contents = state.contents if state is not None else None
        if "job_id" in out.columns:
            if state is not None and state.source_ids is not None:
                as_source = state.source_ids
            else:
                as_int = pd.to_numeric(out["job_id"], errors="coerce")
                is_whole = as_int.notna() & (as_int == np.floor(as_int.fillna(0)))
                as_source = not bool(is_whole.all())
            if as_source:
                # Ids that are not whole numbers (e.g. "jk_3f9a"): keep them, derive integers.
                out = out.rename(columns={"job_id": "source_id"})
                out.insert(0, "job_id", stable_ids(out, contents))
                if first_part:
                    log.add(
                        f"{label}: job ids are not all whole numbers; kept as source_id, "
                        "and job_id was derived from each row's content.",
                        warn=False,
                    )
            if state is not None:
                state.source_ids = as_source
        else:
            out = out.copy()
            out.insert(0, "job_id", stable_ids(out, contents))
            if first_part:
                log.add(
                    f"{label}: no job id column; job_id was derived from each row's content.",
                    warn=False,
                )
    if out.empty and first_part:
        raise DataError(f"{label}: the file has a header but no postings.")

    title = out["title"].astype("string").str.strip()
    empty = title.isna() | (title == "")
    if empty.any():
        rows = (np.flatnonzero(empty.to_numpy()) + offset + 1).tolist()
        log.tally(
            f"empty-title:{label}",
            len(rows),
            rows,
            lambda n, rows: (
                f"{label}: skipped {n} posting(s) with an empty title "
                f"(data row {shown_rows(rows, n)})."
            ),
        )
        out = out.loc[~empty.to_numpy()].reset_index(drop=True)
        if out.empty and state is None:
            raise DataError(f"{label}: every posting has an empty title; nothing to read.")
    out = type_table(out, POSTINGS, label, log, offset=offset)
    dup = out["job_id"].duplicated(keep="first")
    if state is not None and len(out):
        ids = out["job_id"].astype("int64")
        dup = dup | ids.isin(state.ids)
        state.ids.update(ids[~dup].tolist())
    if dup.any():
        first = out.loc[dup, "job_id"].iloc[0]
        log.tally(
            f"repeat-id:{label}",
            int(dup.sum()),
            [],
            lambda n, rows: (
                f"{label}: {n} posting(s) repeat a job_id already seen "
                f"(first: {first}); the first of each was kept."
            ),
        )
        out = out.loc[~dup.to_numpy()].reset_index(drop=True)
    if state is not None:
        state.offset += len(df)
        state.rows += len(out)
    return out


def _separator(sf: SourceFile, fmt: str, encoding: str, log: ReadLog) -> str:
    named = "\t" if fmt == "tsv" else ","
    sep = sniff_separator(sf, named, encoding)
    if sep != named:
        log.add(
            f"{sf.label}: its header is separated by {_SEP_NAMES[sep]}, not "
            f"{_SEP_NAMES[named]} as the file name says; read with {_SEP_NAMES[sep]}."
        )
    return sep


def read_postings_file(
    sf: SourceFile,
    fmt: str,
    *,
    mapping: dict[str, str],
    encoding: str,
    log: ReadLog,
    progress: bool,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """A single postings file from any source: map columns, derive ids, type, check."""
    if fmt == "parquet":
        raw = read_raw_parquet(sf)
    else:
        sep = _separator(sf, fmt, encoding, log)
        raw = read_raw_csv(
            sf,
            log=log,
            sep=sep,
            encoding=encoding,
            progress=progress,
            what="postings",
        )
    renamed, applied = map_columns(raw, mapping, sf.label)
    renamed = _infer_numbers(renamed, set(POSTINGS.columns))
    return finish_postings(renamed, sf.label, log, mapping=mapping, derive_ids=True), applied


def parquet_batches(
    source: Any, rows: int, columns: list[str] | None = None
) -> Iterator[pd.DataFrame]:
    """A parquet file in DataFrames of about ``rows`` rows (row groups read a few at a time,
    one larger than ``rows`` cut), indexed by their rows' positions in the file.

    Row groups, not ``ParquetFile.iter_batches``: with today's pyarrow the latter keeps what it
    read allocated until the end of the file (about 90 MB per 50,000 postings with
    descriptions; apache/arrow#39808), the former frees each part."""
    import pyarrow.parquet as pq

    pf = source if isinstance(source, pq.ParquetFile) else pq.ParquetFile(source)
    meta = pf.metadata
    start = 0
    group: list[int] = []
    held = 0
    for i in range(meta.num_row_groups):
        group.append(i)
        held += meta.row_group(i).num_rows
        if held < rows and i < meta.num_row_groups - 1:
            continue
        table = pf.read_row_groups(group, columns=columns)
        group, held = [], 0
        for lo in range(0, max(table.num_rows, 1), rows):
            part = table.slice(lo, rows).to_pandas()
            if not len(part) and start:
                break
            part.index = pd.RangeIndex(start, start + len(part))
            start += len(part)
            yield part
        del table


def iter_raw_parquet(sf: SourceFile, chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """A parquet file in parts of ``chunk_rows`` rows; columns keep their stored types."""
    import pyarrow.parquet as pq

    with _reading_parquet(sf):
        if sf.member is None:
            pf = pq.ParquetFile(sf.path)
        else:  # a member of a zip: read whole (zip members cannot be read in place)
            with sf.open() as fh:
                pf = pq.ParquetFile(io.BytesIO(fh.read()))
        yield from parquet_batches(pf, chunk_rows)


def _not_numbers(label: str, column: str, first: object) -> Callable[[int, list[int]], str]:
    def render(n: int, rows: list[int]) -> str:
        return (
            f"{label}: column {column!r} has {n} value(s) that are not numbers (first at data "
            f"row {rows[0]}: {first!r}); those values were left empty."
        )

    return render


def iter_postings(
    sf: SourceFile,
    fmt: str,
    *,
    mapping: dict[str, str],
    encoding: str,
    log: ReadLog,
    progress: bool,
    state: PartState,
    derive_ids: bool = True,
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[pd.DataFrame]:
    """A postings file read, mapped, typed and checked in parts, for files larger than memory.

    Each part gets what :func:`read_postings_file` does to a whole file, with the counts and
    repeated ids carried across parts in ``state``; columns jobmap does not know are numbers
    where the first part's are (a later value that is not one is left empty, and counted), text
    otherwise. ``state.applied`` is the column mapping applied."""
    if fmt == "parquet":
        raw_parts = iter_raw_parquet(sf, chunk_rows)
    else:
        sep = _separator(sf, fmt, encoding, log) if derive_ids else ","
        raw_parts = iter_raw_csv(
            sf,
            log=log,
            sep=sep,
            encoding=encoding,
            progress=progress,
            what="postings",
            chunk_rows=chunk_rows,
        )
    known = set(POSTINGS.columns)
    numeric: list[str] | None = None
    text: list[str] = []
    for raw in raw_parts:
        if derive_ids:
            renamed, applied = map_columns(raw, mapping, sf.label)
        else:
            renamed = raw.rename(columns={v: k for k, v in mapping.items()})
            applied = dict(mapping)
        state.applied = applied
        if numeric is None:  # the first part decides which unknown columns are numbers
            before = dict(renamed.dtypes)
            if derive_ids:  # as read_postings_file: a Kaggle layout's columns stay text
                renamed = _infer_numbers(renamed, known)
            numeric = [
                c for c in renamed.columns if c not in known and before[c] != renamed[c].dtype
            ]
            text = [
                c
                for c in renamed.columns
                if c not in known
                and c not in numeric
                and (
                    pd.api.types.is_object_dtype(renamed[c].dtype)
                    or pd.api.types.is_string_dtype(renamed[c].dtype)
                )
            ]
        else:
            for c in numeric:
                if c not in renamed.columns:
                    continue
                values = pd.to_numeric(renamed[c], errors="coerce")
                lost = values.isna() & renamed[c].notna()
                if lost.any():
                    rows = (np.flatnonzero(lost.to_numpy()) + state.offset + 1).tolist()
                    log.tally(
                        f"number:{sf.label}:{c}",
                        len(rows),
                        rows,
                        _not_numbers(sf.label, str(c), renamed[c][lost].iloc[0]),
                    )
                renamed[c] = values
        # one type per column in every part (the cache's file has one schema)
        for c in text:
            if c in renamed.columns:
                renamed[c] = renamed[c].astype("string")
        for c in numeric:
            if c in renamed.columns:
                renamed[c] = renamed[c].astype("float64")
        part = finish_postings(
            renamed, sf.label, log, mapping=mapping, derive_ids=derive_ids, state=state
        )
        if len(part):
            yield part
    if state.rows == 0:
        raise DataError(
            f"{sf.label}: no postings were read (every posting has an empty title, or the file "
            "has a header but no rows)."
        )
