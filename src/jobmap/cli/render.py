"""Rendering for the terminal: data values in one line, score tables, marked tables."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table


def _fmt(value: Any, width: int = 40) -> str:
    """A data value for a rich table: one line, at most ``width`` characters, markup escaped
    (a title such as "[remote] Data Scientist" must show as it is)."""
    # a list or struct cell of a parquet file (an array, a dict) is shown, never tested as NA
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    text = " ".join(str(value).split())
    return escape(text if len(text) <= width else text[: width - 1] + "…")


def _figure(value: Any, count: bool) -> str:
    """A cell of an evaluation table: a count, or a rate to three decimals; "-" for none
    (a half with no postings)."""
    if value is None or value != value:
        return "-"
    return f"{int(value):,}" if count else f"{float(value):.3f}"


def _relative(label: str, ds: Any) -> str:
    """A source file as a path inside the dataset (``jobs/benefits.csv``), to keep tables narrow."""
    base = str(ds.source).rstrip("/") + "/"
    if label.startswith(base):
        return label[len(base) :]
    zip_prefix = str(ds.source) + ":"
    return label[len(zip_prefix) :] if label.startswith(zip_prefix) else label


def _score_table(title: str, df: pd.DataFrame, evidence: tuple[str, ...], width: int) -> Table:
    t = Table(title=title, title_justify="left")
    t.add_column("score", justify="right", no_wrap=True)
    t.add_column("title", overflow="ellipsis", no_wrap=True, max_width=max(20, width // 2 - 8))
    for column in evidence:
        t.add_column(
            column.replace("_", " "),
            overflow="ellipsis",
            no_wrap=True,
            max_width=max(16, width // 2 - 8),
        )
    for rec in df.to_dict("records"):
        t.add_row(
            f"{rec['score']:.3f}", _fmt(rec["title"], 80), *[_fmt(rec[c], 80) for c in evidence]
        )
    return t


def _print_curve(con: Console, params: dict[str, Any]) -> None:
    curve = params.get("k_curve") or []
    if curve:
        t = Table(title="K by silhouette (cosine, on a sample)", title_justify="left")
        t.add_column("K", justify="right")
        t.add_column("silhouette", justify="right")
        best = max(curve, key=lambda kv: kv["silhouette"])["k"]
        for point in curve:
            mark = "  <- chosen" if point["k"] == best else ""
            t.add_row(str(point["k"]), f"{point['silhouette']:.4f}{mark}")
        con.print(t)


def _marked_table(title: str, df: pd.DataFrame, family: str, columns: list[str]) -> Table:
    """A table of topics or clusters; the first column marks the family's rows."""
    t = Table(title=title, title_justify="left")
    for i, column in enumerate(columns):
        last = i == len(columns) - 1
        t.add_column(
            column.replace("_", " "),
            justify="left" if last else "right",
            overflow="fold" if last else "ellipsis",
        )
    for rec in df.to_dict("records"):
        cells = [
            f"{v:,}" if isinstance(v, (int, np.integer)) else _fmt(v, 500)
            for v in (rec[c] for c in columns)
        ]
        if rec["family"]:
            cells[0] += f" <- {escape(family)}"
        t.add_row(*cells)
    return t


def _print_model_file(con: Console, params: dict[str, Any], fit_cached: bool) -> None:
    cached = " (from the cache)" if params["model_from_cache"] or fit_cached else ""
    con.print(escape(f"Model: {params['model_file']}{cached}"), soft_wrap=True)
