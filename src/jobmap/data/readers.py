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
from dataclasses import dataclass, field

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
class ReadLog:
    """What reading one file skipped or repaired: becomes warnings and the dataset's notes."""

    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, note: str, *, warn: bool = True) -> None:
        """Record a note; ``warn`` ones (data skipped or repaired) are also shown as warnings."""
        self.notes.append(note)
        if warn:
            self.warnings.append(note)


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

    chunks: list[pd.DataFrame] = []
    skipped: list[int] = []
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
                chunksize=CHUNK_ROWS,
                low_memory=False,
            )
            last = 0
            for chunk in reader:
                chunks.append(chunk)
                if bar is not None:
                    pos = fh.tell()
                    bar.update(pos - last)
                    last = pos
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
        shown = ", ".join(str(n) for n in skipped[:5]) + (" ..." if len(skipped) > 5 else "")
        log.add(
            f"{sf.label}: skipped {len(skipped)} {what} with the wrong number of fields "
            f"(line {shown}). Fix or remove those lines to keep them."
        )
    if not chunks:  # pragma: no cover - pandas yields one (empty) chunk for a header-only file
        return pd.DataFrame()
    df = pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]
    df.columns = [str(c).strip() for c in df.columns]
    merged, inside = swallowed_rows(df, sep)
    if len(merged):
        shown = ", ".join(str(i + 1) for i in merged[:5]) + (" ..." if len(merged) > 5 else "")
        log.add(
            f"{sf.label}: {len(merged)} row(s) hold what looks like {inside} further row(s) (a "
            f"line break in a title, or a line inside a field that starts like a new row; data "
            f"row {shown}): a quote left open probably merged them. They were kept as read; "
            'close the stray " to get the merged rows back.'
        )
    return df


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


def read_raw_parquet(sf: SourceFile) -> pd.DataFrame:
    """Read a parquet file; columns keep their stored types."""
    if sf.size == 0:
        raise DataError(f"{sf.label}: the file is empty (0 bytes). Replace it with a full copy.")
    try:
        with sf.open() as fh:
            return pd.read_parquet(io.BytesIO(fh.read()))
    except (OSError, ValueError) as exc:
        raise DataError(
            f"{sf.label}: not a readable parquet file ({str(exc).splitlines()[0]}). "
            "Check the file, or pass a CSV."
        ) from None


def type_table(df: pd.DataFrame, spec: TableSpec, label: str, log: ReadLog) -> pd.DataFrame:
    """Type the known columns. Bad values become missing and are counted; rows whose key (id) is
    bad are dropped."""
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
        n_bad = int((~good).sum())
        if column == spec.key:
            drop |= ~good
            action = "those rows were skipped"
        else:
            action = "those values were left empty"
        log.add(
            f"{label}: column {column!r} has {n_bad} value(s) that are not {problem.expected} "
            f"(first at data row {problem.row + 1}: {problem.value!r}); {action}."
        )
    if drop.any():
        out = out.loc[~drop].reset_index(drop=True)
    return add_annual_salary(out)


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


def stable_ids(df: pd.DataFrame) -> pd.Series:
    """A job_id derived from each row's content, stable across runs and row order.

    Identical rows get distinct ids by the order in which they occur (first, second, ...).
    """
    if df.empty:  # a header-only file: no ids to derive (the caller says there are no postings)
        return pd.Series([], index=df.index, dtype="Int64")
    parts = [c for c in ("title", "company_name", "location", "description") if c in df.columns]
    content = df[parts].astype("string").fillna("").agg("\x1f".join, axis=1)
    occurrence = content.groupby(content).cumcount()

    def _one(text: str, k: int) -> int:
        digest = hashlib.sha256(f"{text}\x1e{k}".encode()).digest()
        return int.from_bytes(digest[:8], "big") & 0x7FFF_FFFF_FFFF_FFFF

    ids = [_one(t, int(k)) for t, k in zip(content.tolist(), occurrence.tolist(), strict=True)]
    return pd.Series(ids, index=df.index, dtype="Int64")


def finish_postings(
    df: pd.DataFrame,
    label: str,
    log: ReadLog,
    *,
    mapping: dict[str, str] | None = None,
    derive_ids: bool = False,
) -> pd.DataFrame:
    """Checks every source's postings get: a title column, non-empty titles, unique job ids."""
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
    out = df
    if derive_ids:
        if "job_id" in out.columns:
            raw = out["job_id"]
            as_int = pd.to_numeric(raw, errors="coerce")
            is_whole = as_int.notna() & (as_int == np.floor(as_int.fillna(0)))
            if not bool(is_whole.all()):
                # Ids that are not whole numbers (e.g. "jk_3f9a"): keep them, derive integers.
                out = out.rename(columns={"job_id": "source_id"})
                out.insert(0, "job_id", stable_ids(out))
                log.add(
                    f"{label}: job ids are not all whole numbers; kept as source_id, "
                    "and job_id was derived from each row's content.",
                    warn=False,
                )
        else:
            out = out.copy()
            out.insert(0, "job_id", stable_ids(out))
            log.add(
                f"{label}: no job id column; job_id was derived from each row's content.",
                warn=False,
            )
    if out.empty:
        raise DataError(f"{label}: the file has a header but no postings.")

    title = out["title"].astype("string").str.strip()
    empty = title.isna() | (title == "")
    if empty.any():
        rows = np.flatnonzero(empty.to_numpy())
        shown = ", ".join(str(r + 1) for r in rows[:5]) + (" ..." if len(rows) > 5 else "")
        log.add(f"{label}: skipped {len(rows)} posting(s) with an empty title (data row {shown}).")
        out = out.loc[~empty.to_numpy()].reset_index(drop=True)
        if out.empty:
            raise DataError(f"{label}: every posting has an empty title; nothing to read.")
    out = type_table(out, POSTINGS, label, log)
    dup = out["job_id"].duplicated(keep="first")
    if dup.any():
        first = out.loc[dup, "job_id"].iloc[0]
        log.add(
            f"{label}: {int(dup.sum())} posting(s) repeat a job_id already seen "
            f"(first: {first}); the first of each was kept."
        )
        out = out.loc[~dup.to_numpy()].reset_index(drop=True)
    return out


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
        named = "\t" if fmt == "tsv" else ","
        sep = sniff_separator(sf, named, encoding)
        if sep != named:
            log.add(
                f"{sf.label}: its header is separated by {_SEP_NAMES[sep]}, not "
                f"{_SEP_NAMES[named]} as the file name says; read with {_SEP_NAMES[sep]}."
            )
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
