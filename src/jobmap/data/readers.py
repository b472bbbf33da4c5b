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
    round_trips,
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

    render: Callable[[int, list[Any]], str]
    warn: bool
    count: int = 0
    rows: list[Any] = field(default_factory=list)


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
        rows: list[Any],
        render: Callable[[int, list[Any]], str],
        *,
        warn: bool = True,
    ) -> None:
        """Add ``count`` to the note ``key`` (``rows``: where, 1-based row numbers or what the
        render takes); ``render(total, rows)``
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


#: Byte-order marks that name an encoding the file's bytes must be read with (longest first:
#: UTF-32's little-endian mark starts with UTF-16's).
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _ascii_compatible(encoding: str) -> bool:
    """Whether a newline is the byte ``\\n`` in this encoding (not in UTF-16 or UTF-32)."""
    return "\n".encode(encoding) == b"\n"


def sniff_encoding(sf: SourceFile, encoding: str, log: ReadLog | None = None) -> str:
    """The encoding to read ``sf`` with: the one given, unless the file starts with a UTF-16 or
    UTF-32 byte-order mark, which no UTF-8 (or cp1252) file does; then that one, said in a note."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise DataError(
            f"--encoding {encoding!r}: unknown encoding. Try utf-8, cp1252 or latin-1."
        ) from None
    if not _ascii_compatible(encoding):
        return encoding  # the user named UTF-16/32: their codec reads (and drops) the mark
    try:
        with sf.open() as fh:
            head = fh.read(4)
    except OSError:
        return encoding  # the reader says what is wrong with the file
    for bom, name in BOMS:
        if head.startswith(bom):
            if log is not None:
                log.add(
                    f"{sf.label}: starts with a {name.upper()} byte-order mark; read as {name} "
                    f"(not {encoding}).",
                    warn=False,
                )
            return name
    return encoding


def _scan_encoding(sf: SourceFile, encoding: str) -> tuple[int, int]:
    """Count lines that do not decode; return (count, first bad line number, 1-based; 0 when
    the encoding's newline is not one byte, as in UTF-16, where bad sequences are counted)."""
    if not _ascii_compatible(encoding):
        return _scan_wide_encoding(sf, encoding)
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


def _scan_wide_encoding(sf: SourceFile, encoding: str) -> tuple[int, int]:
    """:func:`_scan_encoding` for UTF-16/32: the byte sequences that do not decode, counted
    with an incremental decoder (a newline is two or four bytes there)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    bad = 0
    with sf.open() as fh:
        while True:
            block = fh.read(1 << 22)
            final = not block
            while True:
                try:
                    decoder.decode(block, final=final)
                    break
                except UnicodeDecodeError as exc:
                    bad += 1
                    # go on after the bad sequence, with what the decoder had not yet used
                    pending, _ = decoder.getstate()
                    block = (pending + block)[exc.end :] if exc.end else block[1:]
                    decoder.reset()
                    if not block:
                        break
            if final:
                break
    return bad, 0


@dataclass
class CsvShape:
    """The fields of a delimited file's records, counted by Python's csv module before pandas
    reads it: pandas fills a short row with empty values and, when the first data row has one
    field more than the header, takes the first column for the index and shifts every other
    one left. Knowing the widest record, jobmap names every field, so that nothing shifts."""

    #: The header's names, as written (stripped).
    header: list[str]
    #: The lines the header takes (a quoted name may hold a line break).
    header_lines: int
    #: The most fields any record has.
    widest: int
    #: Lines (1-based, where the record starts) of records with fewer fields than the header.
    fewer: list[int] = field(default_factory=list)
    fewer_count: int = 0
    #: Records with more fields than the header whose extra fields are all empty (a trailing
    #: separator): their lines and count.
    trailing: list[int] = field(default_factory=list)
    trailing_count: int = 0
    #: Records whose fields beyond the header's hold something: their lines and count.
    over: list[int] = field(default_factory=list)
    over_count: int = 0


def scan_fields(sf: SourceFile, sep: str, encoding: str) -> CsvShape | None:
    """Count every record's fields (see :class:`CsvShape`); None when the csv module cannot
    read the file (pandas then says what is wrong) or the file has no header."""
    import csv

    enc = "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding
    limit = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)  # a description may be longer than the default 128 KiB
    try:
        with sf.open() as fh:
            text = io.TextIOWrapper(fh, encoding=enc, errors="replace", newline="")
            reader = csv.reader(text, delimiter=sep, quotechar='"', doublequote=True)
            header = next(reader, None)
            if not header:
                return None
            width = len(header)
            shape = CsvShape(
                header=[h.strip() for h in header], header_lines=reader.line_num, widest=width
            )
            line = reader.line_num
            for record in reader:
                start, line = line + 1, reader.line_num
                n = len(record)
                if n == 0 or n == width:  # a blank line (pandas skips it) or a whole record
                    continue
                if n < width:
                    shape.fewer_count += 1
                    if len(shape.fewer) <= SHOWN_ROWS:
                        shape.fewer.append(start)
                    continue
                shape.widest = max(shape.widest, n)
                if not any(v.strip() for v in record[width:]):
                    shape.trailing_count += 1
                    if len(shape.trailing) <= SHOWN_ROWS:
                        shape.trailing.append(start)
                else:
                    shape.over_count += 1
                    if len(shape.over) <= SHOWN_ROWS:
                        shape.over.append(start)
            return shape
    except (csv.Error, OSError, UnicodeError, LookupError):
        return None
    finally:
        csv.field_size_limit(limit)


#: The name jobmap gives the fields of a record beyond its header's (never a real column's).
EXTRA_FIELD = "\x00extra field {}"


def _unique_names(names: list[str], label: str, log: ReadLog) -> list[str]:
    """The header's names, a repeated one made unique as pandas does (``title``, ``title.1``)
    and said in a warning: which column jobmap reads as ``title`` must never be a guess."""
    seen: dict[str, int] = {}
    out: list[str] = []
    taken = set(names)
    for i, name in enumerate(names):
        if name not in seen:
            seen[name] = 0
            out.append(name)
            continue
        k = seen[name]
        new = f"{name}.{k + 1}"
        while new in taken:
            k += 1
            new = f"{name}.{k + 1}"
        seen[name] = k + 1
        taken.add(new)
        out.append(new)
        first = names.index(name) + 1
        log.add(
            f"{label}: columns {first} and {i + 1} are both named {name!r}; jobmap reads "
            f"column {first} as {name!r} and column {i + 1} as {new!r}. Rename one in the header "
            "(or name the right one with --columns) if that is not what you mean."
        )
    return out


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
    # the index is each row's place among the file's records (see iter_raw_csv): kept
    return pd.concat(chunks) if len(chunks) > 1 else chunks[0]


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
    """:func:`read_raw_csv` in parts of ``chunk_rows`` rows (text columns), so that a file larger
    than memory can be read. Each row's index is its place among the file's records (0 for the
    first data row), a row skipped for its fields included: the notes' row numbers are the file's,
    whatever was skipped before. The notes (lines skipped, rows merged) are complete once the
    last part is read."""
    try:
        size = sf.size
    except OSError as exc:
        raise DataError(f"{sf.label}: cannot read the file ({exc.strerror or exc}).") from None
    if size == 0:
        raise DataError(f"{sf.label}: the file is empty (0 bytes). Replace it with a full copy.")
    encoding = sniff_encoding(sf, encoding, log)

    bad_lines, first_bad = _scan_encoding(sf, encoding)
    errors = "strict"
    if bad_lines:
        errors = "replace"
        where = f"first at line {first_bad}" if first_bad else "byte sequences"
        log.add(
            f"{sf.label}: {bad_lines} line(s) hold bytes that are not {encoding} ({where}); "
            f"they were read with '\ufffd' in their place. If the file uses another "
            "encoding, pass --encoding cp1252 (or latin-1)."
        )

    shape = scan_fields(sf, sep, encoding)
    names: list[str] | None = None
    extra: list[str] = []
    if shape is not None:
        names = _unique_names(shape.header, sf.label, log)
        extra = [EXTRA_FIELD.format(i) for i in range(1, shape.widest - len(names) + 1)]
        if shape.trailing_count:
            log.add(
                f"{sf.label}: {shape.trailing_count} {what} end in empty field(s) the header "
                f"does not have (a separator at the end of the line; line "
                f"{shown_rows(shape.trailing, shape.trailing_count)}); the empty fields were "
                "dropped."
            )
        if shape.fewer_count:
            log.add(
                f"{sf.label}: {shape.fewer_count} {what} have fewer fields than the header's "
                f"{len(names)} (line {shown_rows(shape.fewer, shape.fewer_count)}); their "
                "missing fields were left empty. Check those lines."
            )

    skipped: list[int] = []
    over_rows: list[int] = []
    over_count = over_held = 0
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
                # the header as the csv module read it, every field of the widest row named
                header=0 if names is None else None,
                skiprows=None if shape is None else shape.header_lines,
                names=None if names is None else [*names, *extra],
                # never the first column as an index: with a field more in the first data row
                # pandas would take it so and shift every other column left
                index_col=False,
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
                if names is None:
                    chunk.columns = [str(c).strip() for c in chunk.columns]
                chunk.index = pd.RangeIndex(offset, offset + len(chunk))
                offset += len(chunk)
                held = held_rows(chunk, sep)
                if extra:
                    # a record with content beyond the header's fields: skipped and counted
                    # (its values cannot be told apart), never shifted into other columns
                    over = chunk[extra].notna().any(axis=1).to_numpy()
                    if over.any():
                        over_count += int(over.sum())
                        # a quote left open may have merged further rows into a skipped one
                        over_held += int(held[over].sum())
                        over_rows.extend((chunk.index[over][: SHOWN_ROWS + 1] + 1).tolist())
                    chunk, held = chunk.loc[~over, list(names or [])], held[~over]
                merged = np.flatnonzero(held > 0)
                if len(merged):
                    merged_count += len(merged)
                    inside_total += int(held[merged].sum())
                    merged_rows.extend((chunk.index[merged][: SHOWN_ROWS + 1] + 1).tolist())
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
    wrong = len(skipped) + over_count
    if wrong:
        # lines as the csv module counted them (pandas skips only where the two disagree)
        lines = sorted(skipped + (shape.over[: SHOWN_ROWS + 1] if shape is not None else []))
        where = (
            f"line {shown_rows(lines, wrong)}"
            if lines
            else f"data row {shown_rows(over_rows, over_count)}"
        )
        inside = (
            f"; they hold what looks like {over_held} further row(s) that a quote left open "
            "merged into them"
            if over_held
            else ""
        )
        log.add(
            f"{sf.label}: skipped {wrong} {what} with the wrong number of fields ({where}; "
            f"more than the header's {len(names) if names else 'columns'}). Fix or remove "
            f"those lines to keep them{inside}."
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
#: Columns that never hold a line break (normalised names): a title, a company, a place, an id.
_ONE_LINE = frozenset(
    ALIASES["title"] + ALIASES["company_name"] + ALIASES["location"] + ALIASES["job_id"]
)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _row_like(line: str, sep: str, width: int, title_at: int | None) -> bool:
    """Whether a line inside a field reads like the start of a record of the file: split by
    the separator it has 2 to ``width`` fields, none after the first starting with white space
    (prose puts a space after a comma, a CSV writer does not), and a letter where the title
    goes."""
    fields = line.split(sep)
    if not 2 <= len(fields) <= width:
        return False
    if any(f[:1].isspace() for f in fields[1:]):
        return False
    if title_at is not None and title_at < len(fields):
        return any(ch.isalpha() for ch in fields[title_at])
    return True


def swallowed_rows(df: pd.DataFrame, sep: str = ",") -> tuple[list[int], int]:
    """Rows that hold other rows, the sign of a quote left open, and about how many rows they
    hold (see :func:`held_rows`)."""
    held = held_rows(df, sep)
    rows = np.flatnonzero(held > 0)
    return rows.tolist(), int(held[rows].sum())


def held_rows(df: pd.DataFrame, sep: str = ",") -> np.ndarray:
    """How many further rows each row seems to hold. A title, a company, a location or an id
    never holds a line break; where the first column is a numeric id, a line inside any field
    that starts with an id of that length and the separator is where a row should have
    started; without such ids, a line inside a field that reads like a record of the file
    (:func:`_row_like`) is."""
    held = np.zeros(len(df), dtype=np.int64)
    if df.empty:
        return held
    names = [_norm(c) for c in df.columns]
    for column, name in zip(df.columns, names, strict=True):
        if name in _ONE_LINE:
            text = df[column].astype("string").fillna("")
            held = np.maximum(held, text.str.count(_LINE_BREAK.pattern).to_numpy(np.int64))
    first = df[df.columns[0]].astype("string").dropna()
    if df.shape[1] > 1 and len(first) and first.str.fullmatch(r"\s*\d+\s*").all():
        # a row starts with an id about as long as the file's ids ("2,000 employees" in a
        # description of a file with ten-digit ids is no row)
        lengths = first.str.strip().str.len()
        # a few digits of slack: a merged row's id may be the file's shortest or longest
        shortest, longest = max(1, int(lengths.min()) - 2), int(lengths.max()) + 2
        sep_re = re.escape(sep)
        row_start = r"(?:\r\n|\r|\n)\s*\d{" + f"{shortest},{longest}" + r"}" + sep_re
        if df.shape[1] <= WIDE_COLUMNS:  # column by column: light on memory for long files
            # or an id of any length and exactly the file's fields, none starting with a space
            # (the last line of a merge may be cut short; the rule above then counts it)
            whole_row = (
                r"(?:\r\n|\r|\n)\d+(?:"
                + sep_re
                + r"(?![ \t])[^"
                + sep_re
                + r"\r\n]*){"
                + str(df.shape[1] - 1)
                + r"}(?=\r\n|\r|\n|$)"
            )
            either = f"(?:{row_start}|{whole_row})"
            starts = np.zeros(len(df), dtype=np.int64)
            for column in df.columns[1:]:
                text = df[column].astype("string").fillna("")
                starts += text.str.count(either).to_numpy(np.int64)
            held = np.maximum(held, starts)
        else:  # a very wide file: one string per row (cells joined by a byte no text holds)
            rest = df.to_numpy(dtype=object)[:, 1:]
            joined = pd.Series(
                ["\x1f".join(v for v in row if isinstance(v, str)) for row in rest],
                index=df.index,
                dtype="string",
            )
            held = np.maximum(held, joined.str.count(row_start).to_numpy(np.int64))
    elif df.shape[1] > 1 and df.shape[1] <= WIDE_COLUMNS:
        title_at = next((i for i, n in enumerate(names) if n in ALIASES["title"]), None)
        for column, name in zip(df.columns, names, strict=True):
            if name in _ONE_LINE:
                continue
            text = df[column].astype("string")
            multi = text.str.contains(_LINE_BREAK.pattern, regex=True).fillna(False).to_numpy()
            for i in np.flatnonzero(multi):
                lines = _LINE_BREAK.split(str(text.iloc[i]))[1:]
                n = sum(_row_like(line, sep, df.shape[1], title_at) for line in lines)
                held[i] = max(held[i], n)
    return held


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
    df: pd.DataFrame,
    spec: TableSpec,
    label: str,
    log: ReadLog,
    *,
    offset: int = 0,
    rows: np.ndarray | None = None,
) -> pd.DataFrame:
    """Type the known columns. Bad values become missing and are counted; rows whose key (id) is
    bad are dropped. The notes' row numbers: ``rows`` (each row's data row in the file), else the
    index when it says them (a raw read's), else ``offset`` (the rows before this part) plus the
    row's place."""
    if rows is None:
        rows = _data_rows(df, offset)
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
        row, expected, value = int(rows[problem.row]), problem.expected, problem.value

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


def _data_rows(df: pd.DataFrame, offset: int) -> np.ndarray:
    """Each row's data row number (1-based): from the index when a raw read set it (its place
    among the file's records), else ``offset`` plus the row's place."""
    index = df.index
    if pd.api.types.is_integer_dtype(index.dtype) and (len(index) == 0 or index.min() >= 0):
        return index.to_numpy(dtype=np.int64) + 1
    return np.arange(offset + 1, offset + len(df) + 1, dtype=np.int64)


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
            typed = {c: nums[:, j] for c, j in chosen.items()}
        else:  # column by column, as pd.to_numeric types each (int64, float64)
            typed = {c: pd.to_numeric(df[c]).to_numpy() for c in chosen}
        # one new frame, not a column set at a time: each set on a wide frame copies its
        # blocks (100,000 columns took minutes)
        order = list(df.columns)
        fresh = pd.DataFrame(typed, index=df.index)
        df = pd.concat([df.drop(columns=list(typed)), fresh], axis=1)[order]
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
    if "title" not in applied:  # said with the file's own column names, before any renaming
        raise DataError(
            f"{label}: no job title column (looked for {', '.join(ALIASES['title'])}); found: "
            f'{", ".join(map(repr, found))}. Name it with --columns title="YOUR TITLE COLUMN".'
        )
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


class IdsAreText(Exception):
    """A later part of a file read in parts has ids that are not integers after the first
    part's were: the file is read again from the start with its ids kept as text."""


@dataclass
class PartState:
    """What reading a postings file in parts carries from one part to the next."""

    #: Rows of the file before this part.
    offset: int = 0
    #: Job ids kept so far, with the data row each was first seen at (a repeat in a later part
    #: is a repeat too).
    ids: dict[int, int] = field(default_factory=dict)
    #: The same for ids kept as text (``source_id``).
    source_ids: dict[str, int] = field(default_factory=dict)
    #: Contents seen so far, for ids derived from content.
    contents: dict[str, int] = field(default_factory=dict)
    #: Whether the file's ids are kept as ``source_id`` (decided by its first part, unless set
    #: before the read).
    text_ids: bool | None = None
    #: Postings kept.
    rows: int = 0
    #: The column mapping applied (jobmap name -> the file's name).
    applied: dict[str, str] = field(default_factory=dict)


#: The column that carries each row's data row number through the checks (dropped after).
_ROW = "\x00row"


def _repeats(
    keys: pd.Series, rows: pd.Series, seen: dict[Any, int]
) -> tuple[np.ndarray, list[tuple[Any, int, int]]]:
    """Which of ``keys`` repeat one seen before (in this part or in ``seen``, which is
    updated with the rest), and (key, first row, repeating row) for the first few."""
    present = keys.notna().to_numpy(dtype=bool)
    repeat = keys.duplicated(keep="first").to_numpy(dtype=bool) & present
    if seen:
        known = np.fromiter((k in seen for k in keys.tolist()), dtype=bool, count=len(keys))
        repeat |= known & present
    fresh = present & ~repeat
    shown: list[tuple[Any, int, int]] = []
    if repeat.any():
        first_here = dict(zip(keys[fresh].tolist(), rows[fresh].tolist(), strict=True))
        values = keys.tolist()  # Python values: the note shows 5, not np.int64(5)
        for i in np.flatnonzero(repeat)[: SHOWN_ROWS + 1]:
            key = values[i]
            first = seen.get(key, first_here.get(key, 0))
            shown.append((key, int(first or 0), int(rows.iloc[i])))
    seen.update(zip(keys[fresh].tolist(), rows[fresh].tolist(), strict=True))
    return repeat, shown


def _tally_repeats(
    log: ReadLog,
    df: pd.DataFrame,
    column: str,
    seen: dict[Any, int],
    label: str,
    what: str,
    action: str,
) -> np.ndarray:
    """Count the rows of ``df`` whose ``column`` repeats a value seen before (see
    :func:`_repeats`) in one note of ``log``; returns which rows repeat."""
    repeat, pairs = _repeats(df[column], df[_ROW], seen)
    if repeat.any():
        log.tally(
            f"repeat-{column}:{label}", int(repeat.sum()), pairs, _repeat_note(label, what, action)
        )
    return repeat


def _repeat_note(
    label: str, what: str, action: str
) -> Callable[[int, list[tuple[Any, int, int]]], str]:
    def render(n: int, pairs: list[tuple[Any, int, int]]) -> str:
        key, first, again = pairs[0]
        more = "" if n == 1 else f"; {n - 1} more"
        return (
            f"{label}: {n} posting(s) repeat {what} already seen (first: {key!r} at data "
            f"rows {first} and {again}{more}); {action}."
        )

    return render


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

    Ids are integers only where every one reads back as written (:func:`round_trips`); else
    they are kept as text in ``source_id`` and ``job_id`` is derived from each row's content.
    ``state``: the file is read in parts and this is one (the first decides how ids are made,
    unless a later one has ids that are not integers: :class:`IdsAreText`; empty titles and
    repeated ids are counted across all parts)."""
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
    out[_ROW] = _data_rows(df, offset)
    text_ids = False
    if derive_ids:
        contents = state.contents if state is not None else None
        if "job_id" in out.columns:
            as_text = not round_trips(out["job_id"])
            if state is not None and state.text_ids is not None:
                if as_text and not state.text_ids:
                    raise IdsAreText(label)
                as_text = state.text_ids
            if as_text:
                # Ids that are not integers as written ("jk_3f9a", "007"): keep them as text,
                # derive integers.
                out = out.rename(columns={"job_id": "source_id"})
                out["source_id"] = out["source_id"].astype("string")
                out.insert(0, "job_id", stable_ids(out.drop(columns=_ROW), contents))
                if first_part:
                    log.add(
                        f"{label}: job ids are not all integers as written (e.g. text, leading "
                        "zeros, or beyond 64 bits); kept as source_id, and job_id was derived "
                        "from each row's content.",
                        warn=False,
                    )
            if state is not None:
                state.text_ids = as_text
            text_ids = as_text
        else:
            out = out.copy()
            out.insert(0, "job_id", stable_ids(out.drop(columns=_ROW), contents))
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
        rows = out.loc[empty.to_numpy(), _ROW].tolist()
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
    out = type_table(out, POSTINGS, label, log, rows=out[_ROW].to_numpy())
    dup = _tally_repeats(
        log, out, "job_id", state.ids if state is not None else {}, label, "a job_id",
        "the first of each was kept",
    )  # fmt: skip
    out = out.loc[~dup].reset_index(drop=True)
    if text_ids:
        _tally_repeats(
            log, out, "source_id", state.source_ids if state is not None else {}, label, "an id",
            "all were kept, each with its own job_id (see source_id)",
        )  # fmt: skip
    out = out.drop(columns=_ROW)
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


def _dictionary_columns(pf: Any) -> list[str]:
    """The text columns a parquet file stores dictionary-encoded (in its first row group)."""
    import pyarrow as pa

    meta = pf.metadata
    if meta.num_row_groups == 0:
        return []
    schema = pf.schema_arrow
    group = meta.row_group(0)
    out = []
    for j in range(group.num_columns):
        chunk = group.column(j)
        name = chunk.path_in_schema
        if "." in name or name not in schema.names:
            continue
        kind = schema.field(name).type
        if (pa.types.is_string(kind) or pa.types.is_large_string(kind)) and (
            chunk.has_dictionary_page
        ):
            out.append(name)
    return out


#: How a parquet file is opened to be read in parts: its column chunks streamed through a
#: buffer, not read whole first (pyarrow's default, ``pre_buffer``, holds a row group's
#: compressed bytes: 1.8 GB for a million descriptions written by one ``to_parquet`` call).
STREAMED = {"pre_buffer": False, "buffer_size": 8 << 20}


def open_parquet(source: Any) -> Any:
    """A :class:`pyarrow.parquet.ParquetFile` to read in parts (:data:`STREAMED`) that reads
    dictionary-encoded text columns as dictionaries (each distinct text held once; decoded part
    by part by :func:`parquet_batches`): a million postings whose descriptions repeat 665 texts
    are a few MB so, and several GB decoded at once."""
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(source, **STREAMED)
    encoded = _dictionary_columns(pf)
    if not encoded:
        return pf
    if hasattr(source, "seek"):
        source.seek(0)
    return pq.ParquetFile(source, read_dictionary=encoded, **STREAMED)


def _decoded(table: Any) -> Any:
    """``table`` with its dictionary columns decoded (only the rows of one part)."""
    import pyarrow as pa

    for i, f in enumerate(table.schema):
        if pa.types.is_dictionary(f.type):
            table = table.set_column(i, f.name, table.column(i).cast(f.type.value_type))
    return table


def parquet_batches(
    source: Any, rows: int, columns: list[str] | None = None
) -> Iterator[pd.DataFrame]:
    """A parquet file in DataFrames of about ``rows`` rows (row groups read a few at a time,
    one larger than ``rows`` cut), indexed by their rows' positions in the file.

    Row groups, not ``ParquetFile.iter_batches``: with today's pyarrow the latter keeps what it
    read allocated until the end of the file (about 90 MB per 50,000 postings with
    descriptions; apache/arrow#39808), the former frees each part. A row group may hold the
    whole file (``DataFrame.to_parquet`` writes a million rows as one): its dictionary-encoded
    columns stay encoded until each part is cut (:func:`open_parquet`)."""
    import pyarrow.parquet as pq

    pf = source if isinstance(source, pq.ParquetFile) else open_parquet(source)
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
            part = _decoded(table.slice(lo, rows)).to_pandas()
            if not len(part) and start:
                break
            part.index = pd.RangeIndex(start, start + len(part))
            start += len(part)
            yield part
        del table


def iter_raw_parquet(sf: SourceFile, chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """A parquet file in parts of ``chunk_rows`` rows; columns keep their stored types."""
    with _reading_parquet(sf):
        if sf.member is None:
            pf = open_parquet(sf.path)
        else:  # a member of a zip: read whole (zip members cannot be read in place)
            with sf.open() as fh:
                pf = open_parquet(io.BytesIO(fh.read()))
        yield from parquet_batches(pf, chunk_rows)


def _not_numbers(label: str, column: str, first: object) -> Callable[[int, list[int]], str]:
    def render(n: int, rows: list[int]) -> str:
        return (
            f"{label}: column {column!r} has {n} value(s) that are not numbers (first at data "
            f"row {rows[0]}: {first!r}); those values were left empty."
        )

    return render


class Reader:
    """A source's postings file: read in parts (:meth:`iter_parts`, for files larger than memory)
    or whole (:meth:`read`: the parts of one), so that every check a read makes is made once and
    the same way. One reader per source kind: :class:`KaggleReader`, :class:`CsvReader`,
    :class:`ParquetReader` (:func:`reader_for`).

    A file of any other source may have no ids, or text ones (``derive_ids``): they are kept as
    ``source_id`` and ``job_id`` is derived from each row's content; its columns are found by
    their common names. A Kaggle file's ids are integers and its names are the schema's."""

    derive_ids = True

    def __init__(
        self,
        sf: SourceFile,
        *,
        mapping: dict[str, str],
        encoding: str,
        log: ReadLog,
        progress: bool,
    ) -> None:
        self.sf = sf
        self.mapping = mapping
        self.encoding = encoding
        self.log = log
        self.progress = progress
        #: The column mapping applied (jobmap name -> the file's name), once a part is read.
        self.applied: dict[str, str] = {}

    def raw_parts(self, rows: int | None) -> Iterator[pd.DataFrame]:
        """The file as read, in parts of ``rows`` rows (one part with None), each indexed by
        its rows' places among the file's records."""
        raise NotImplementedError

    def name_columns(self, raw: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
        """A part with jobmap's column names, and the mapping applied."""
        renamed, applied = map_columns(raw, self.mapping, self.sf.label)
        return renamed, applied

    def read(self) -> pd.DataFrame:
        """The whole file, as one part."""
        return pd.concat(list(self.iter_parts(None)), ignore_index=True)

    def iter_parts(
        self, rows: int | None = None, state: PartState | None = None
    ) -> Iterator[pd.DataFrame]:
        """The file mapped, typed and checked, in parts of ``rows`` rows (one part with None).
        In parts, the counts and repeated ids are carried from part to part in ``state``; the
        columns jobmap does not know are numbers where the first part's are (a later value that
        is not one is left empty, and counted), text otherwise, one type in every part."""
        label, log = self.sf.label, self.log
        whole = rows is None
        if not whole and state is None:
            state = PartState()
        known = set(POSTINGS.columns)
        numeric: list[str] | None = None
        text: list[str] = []
        kept = 0
        for raw in self.raw_parts(rows):
            renamed, self.applied = self.name_columns(raw)
            if state is not None:
                state.applied = self.applied
            if numeric is None:  # the first part decides which unknown columns are numbers
                before = dict(renamed.dtypes)
                if self.derive_ids:  # a Kaggle layout's unknown columns stay text
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
                    lost = (values.isna() & renamed[c].notna()).to_numpy()
                    if lost.any():
                        where = (_data_rows(renamed, 0)[lost]).tolist()
                        log.tally(
                            f"number:{label}:{c}",
                            len(where),
                            where,
                            _not_numbers(label, str(c), renamed[c][lost].iloc[0]),
                        )
                    renamed[c] = values
            if not whole:  # one type per column in every part (the cache's file has one schema)
                for c in text:
                    if c in renamed.columns:
                        renamed[c] = renamed[c].astype("string")
                for c in numeric:
                    if c in renamed.columns:
                        renamed[c] = renamed[c].astype("float64")
            part = finish_postings(
                renamed,
                label,
                log,
                # a Kaggle layout without --columns: its hint says it is not a Kaggle file
                mapping=self.mapping if self.derive_ids else (self.mapping or None),
                derive_ids=self.derive_ids,
                state=state,
            )
            kept += len(part)
            if len(part) or whole:
                yield part
        if kept == 0 and not whole:
            raise DataError(
                f"{label}: no postings were read (every posting has an empty title, or the file "
                "has a header but no rows)."
            )


class KaggleReader(Reader):
    """The postings file of a Kaggle layout (``postings.csv`` or ``job_postings.csv``)."""

    derive_ids = False

    def raw_parts(self, rows: int | None) -> Iterator[pd.DataFrame]:
        if rows is None:
            yield read_raw_csv(
                self.sf, log=self.log, encoding=self.encoding, progress=self.progress,
                what="postings",
            )  # fmt: skip
            return
        yield from iter_raw_csv(
            self.sf, log=self.log, encoding=self.encoding, progress=self.progress,
            what="postings", chunk_rows=rows,
        )  # fmt: skip

    def name_columns(self, raw: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
        return raw.rename(columns={v: k for k, v in self.mapping.items()}), dict(self.mapping)


class CsvReader(Reader):
    """A postings file of any other source, delimited (CSV, TSV, or either named ``.csv``)."""

    def __init__(self, sf: SourceFile, fmt: str = "csv", **kwargs: Any) -> None:
        super().__init__(sf, **kwargs)
        self.fmt = fmt
        self._sep: str | None = None

    @property
    def sep(self) -> str:
        if self._sep is None:
            self._sep = _separator(self.sf, self.fmt, self.encoding, self.log)
        return self._sep

    def raw_parts(self, rows: int | None) -> Iterator[pd.DataFrame]:
        sf, log, sep, encoding = self.sf, self.log, self.sep, self.encoding
        if rows is None:
            yield read_raw_csv(
                sf, log=log, sep=sep, encoding=encoding, progress=self.progress, what="postings"
            )
            return
        yield from iter_raw_csv(
            sf, log=log, sep=sep, encoding=encoding, progress=self.progress, what="postings",
            chunk_rows=rows,
        )  # fmt: skip


class ParquetReader(Reader):
    """A postings file of any other source, in parquet."""

    def raw_parts(self, rows: int | None) -> Iterator[pd.DataFrame]:
        if rows is None:
            yield read_raw_parquet(self.sf)
            return
        yield from iter_raw_parquet(self.sf, rows)


def reader_for(
    sf: SourceFile,
    kind: str,
    fmt: str,
    *,
    mapping: dict[str, str],
    encoding: str,
    log: ReadLog,
    progress: bool,
) -> Reader:
    """The reader of a source's postings file: by the source's ``kind`` (a Kaggle layout or a
    single file) and the file's format."""
    options: dict[str, Any] = {
        "mapping": mapping,
        "encoding": encoding,
        "log": log,
        "progress": progress,
    }
    if kind != "file":
        return KaggleReader(sf, **options)
    if fmt == "parquet":
        return ParquetReader(sf, **options)
    return CsvReader(sf, fmt, **options)
