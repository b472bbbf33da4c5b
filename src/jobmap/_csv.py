"""CSV files that open safely: every CSV jobmap writes goes through :func:`write_csv`.

* Line breaks inside a field never split a row: lines end in CRLF (RFC 4180), so that a field
  holding a bare carriage return is quoted like one holding a newline (with LF endings Python's
  writer leaves a bare CR unquoted, and readers then see two rows).
* Cells a spreadsheet would run as a formula (text starting with ``=``, ``+``, ``-``, ``@``, a tab
  or a carriage return, as OWASP lists them) are written with a leading ``'``, which spreadsheets
  show as text; a plain number written as text (an id ``-1``) is read as that number, never run,
  and is left as it is. ``raw=True`` (``--raw``) writes the bytes unchanged, for programs that
  need them.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


#: A plain number written as text ("-1", "+3", "-0.5"): a spreadsheet reads it as that number,
#: never as a formula, so it is left as it is (an id "-1" must join back).
_PLAIN_NUMBER = r"[+-]?\d+(?:\.\d+)?"


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells that start like a formula begin with ``'``; numbers, and text
    that is a plain number, untouched."""
    out = df.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            text = values.astype("string")
            starts = text.str.startswith(FORMULA_START) & ~text.str.fullmatch(_PLAIN_NUMBER)
            risky = starts.fillna(False).to_numpy(dtype=bool)
            if risky.any():
                values = values.astype(object)
                values[risky] = "'" + text[risky].astype(str)
                out[column] = values
    return out


def write_csv(
    df: pd.DataFrame, target: str | os.PathLike[str] | io.StringIO, *, raw: bool = False
) -> None:
    """Write ``df`` as CSV, safe to open (see the module docstring) unless ``raw``."""
    frame = df if raw else neutralise(df)
    if isinstance(target, io.StringIO):
        frame.to_csv(target, index=False, lineterminator="\r\n")
    else:
        frame.to_csv(Path(target), index=False, lineterminator="\r\n")


def csv_text(df: pd.DataFrame, *, raw: bool = False) -> str:
    buf = io.StringIO()
    write_csv(df, buf, raw=raw)
    return buf.getvalue()


__all__ = ["FORMULA_START", "csv_text", "neutralise", "write_csv"]
