"""``jobmap inspect``: the first look at a dataset, every table with its shape, types and nulls."""

from __future__ import annotations

import os

import pandas as pd

from jobmap.data.dataset import Dataset, load

EXAMPLE_WIDTH = 60


def _example(series: pd.Series) -> str:
    values = series.dropna()
    if values.empty:
        return ""
    text = " ".join(str(values.iloc[0]).split())
    return text if len(text) <= EXAMPLE_WIDTH else text[: EXAMPLE_WIDTH - 1] + "…"


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
        nulls = df.isna().mean() if len(df) else pd.Series(0.0, index=df.columns)
        for column in df.columns:
            column_rows.append(
                {
                    "table": name,
                    "column": column,
                    "type": str(df[column].dtype),
                    "null_share": float(nulls[column]),
                    "example": _example(df[column]),
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
