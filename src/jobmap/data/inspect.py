"""``jobmap inspect``: the first look at a dataset, every table with its shape, types and nulls."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from jobmap.data.dataset import Dataset, load

EXAMPLE_WIDTH = 60


def _shorten(value: object) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= EXAMPLE_WIDTH else text[: EXAMPLE_WIDTH - 1] + "…"


def _examples(df: pd.DataFrame) -> list[str]:
    """The first non-missing value of each column, shortened (one pass over the table)."""
    if df.empty:
        return ["" for _ in df.columns]
    arr = df.to_numpy(dtype=object)
    present = ~pd.isna(arr)
    first = present.argmax(axis=0)
    cols = np.arange(arr.shape[1])
    return [_shorten(arr[r, c]) if present[r, c] else "" for r, c in zip(first, cols, strict=True)]


def summarize(ds: Dataset, n_samples: int = 3, seed: int = 0) -> dict[str, pd.DataFrame]:
    """The inspection of an already loaded dataset (see :func:`inspect`)."""
    overview_rows = []
    column_rows = []
    out: dict[str, pd.DataFrame] = {}
    files = ds.manifest.get("files", {})
    for name in ds.table_names:
        df = ds.table(name)
        overview_rows.append(
            {
                "table": name,
                "rows": len(df),
                "columns": df.shape[1],
                "file": files.get(name, {}).get("file", ""),
            }
        )
        nulls = df.isna().mean().to_numpy() if len(df) else np.zeros(df.shape[1])
        examples = _examples(df)
        for j, (column, dtype) in enumerate(df.dtypes.items()):
            column_rows.append(
                {
                    "table": name,
                    "column": column,
                    "type": str(dtype),
                    "null_share": float(nulls[j]),
                    "example": examples[j],
                }
            )
        k = min(n_samples, len(df))
        out[f"sample:{name}"] = df.sample(n=k, random_state=seed) if k else df.head(0)
    out["tables"] = pd.DataFrame(overview_rows, columns=["table", "rows", "columns", "file"])
    out["columns"] = pd.DataFrame(
        column_rows, columns=["table", "column", "type", "null_share", "example"]
    )
    out["notes"] = pd.DataFrame({"note": ds.notes}, dtype="string")
    order = ["tables", "columns", "notes"] + [k for k in out if k.startswith("sample:")]
    return {k: out[k] for k in order}


def inspect(
    data: str | os.PathLike[str] | None = None,
    *,
    columns: dict[str, str] | list[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    n_samples: int = 3,
    seed: int = 0,
) -> dict[str, pd.DataFrame]:
    """Every table of a dataset: a dict of DataFrames.

    ``"tables"``: table, rows, columns, file; ``"columns"``: one row per table column with its type,
    null share and an example; ``"notes"``: what was missing, skipped or repaired;
    ``"sample:<table>"``: a few random rows of each table.

    >>> import jobmap
    >>> info = jobmap.inspect()
    >>> info["tables"].set_index("table").loc["postings", "rows"]
    np.int64(665)
    """
    ds = load(data, columns=columns, cache_dir=cache_dir)
    return summarize(ds, n_samples=n_samples, seed=seed)
