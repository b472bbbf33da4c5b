"""``jobmap sample``: a random subset of a dataset, written in the source's own layout.

The notebook's "start small, then go big": the subset is read by every command like the original.
Rows are copied as they are in the source files (not re-formatted), side tables are filtered to the
sampled postings and their companies, and the id mappings are copied whole.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from jobmap.data.dataset import Dataset, load
from jobmap.data.readers import (
    ReadLog,
    finish_postings,
    map_columns,
    read_raw_csv,
    read_raw_parquet,
)
from jobmap.data.schema import TABLES_BY_NAME
from jobmap.data.sources import SourceFile, detect
from jobmap.errors import ConfigError, DataWarning


def _ids(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype("Int64")


def sample(
    data: str | os.PathLike[str] | None,
    n: int,
    out: str | os.PathLike[str],
    *,
    seed: int = 0,
    columns: dict[str, str] | list[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    encoding: str = "utf-8",
) -> Path:
    """Write ``n`` random postings (``seed`` makes it repeatable) and their side-table rows.

    Kaggle sources become a folder in the same layout; a single file becomes a file of the same
    format. Returns the path written.

    >>> import jobmap, tempfile
    >>> out = jobmap.sample(None, 50, tempfile.mkdtemp() + "/small", seed=1)
    >>> jobmap.load(out).rows("postings")
    50
    """
    if n < 1:
        raise ConfigError(f"sample size {n}: give a positive number of postings.")
    ds = load(data, columns=columns, cache_dir=cache_dir, encoding=encoding)
    source = detect(ds.source)
    out_path = Path(out).expanduser()
    if out_path.exists() and (out_path.is_file() or any(out_path.iterdir())) and not overwrite:
        raise ConfigError(
            f"--out {out_path}: already exists. Choose a new path or pass --overwrite."
        )
    postings = ds.postings
    if n > len(postings):
        warnings.warn(
            f"asked for {n} postings but the dataset has {len(postings)}; writing all of them.",
            DataWarning,
            stacklevel=2,
        )
        n = len(postings)
    rng = np.random.default_rng(seed)
    picked = np.sort(rng.choice(len(postings), size=n, replace=False))
    chosen = postings.iloc[picked]
    job_ids = set(chosen["job_id"].astype("int64").tolist())
    company_ids: set[int] = set()
    if "company_id" in chosen.columns:
        company_ids = set(chosen["company_id"].dropna().astype("int64").tolist())

    parent = out_path.parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_path.name}.tmp-", dir=parent))
    try:
        if source.kind == "file":
            raw = _raw_single(source.files["postings"], source.file_format, encoding)
            rows = raw.iloc[_file_rows(ds, raw, chosen)]
            target = tmp / out_path.name
            if source.file_format == "parquet":
                rows.to_parquet(target, index=False)
            else:
                rows.to_csv(target, index=False, sep="\t" if source.file_format == "tsv" else ",")
            written = target
        else:
            log = ReadLog()
            for name, sf in source.files.items():
                spec = TABLES_BY_NAME[name]
                raw = read_raw_csv(sf, log=log, encoding=encoding, progress=False)
                if spec.key == "job_id" and "job_id" in raw.columns:
                    raw = raw[_ids(raw["job_id"]).isin(job_ids).fillna(False).to_numpy()]
                elif spec.key == "company_id" and "company_id" in raw.columns:
                    raw = raw[_ids(raw["company_id"]).isin(company_ids).fillna(False).to_numpy()]
                dest = tmp / spec.paths[source.kind]
                dest.parent.mkdir(parents=True, exist_ok=True)
                raw.to_csv(dest, index=False)
            written = tmp
        if out_path.exists():
            if out_path.is_dir():
                shutil.rmtree(out_path)
            else:
                out_path.unlink()
        os.replace(written, out_path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out_path


def _raw_single(sf: SourceFile, fmt: str, encoding: str) -> pd.DataFrame:
    if fmt == "parquet":
        return read_raw_parquet(sf)
    return read_raw_csv(
        sf, log=ReadLog(), sep="\t" if fmt == "tsv" else ",", encoding=encoding, progress=False
    )


def _file_rows(ds: Dataset, raw: pd.DataFrame, chosen: pd.DataFrame) -> list[int]:
    """Positions in the raw file of the chosen postings: the file is typed again exactly as
    :func:`load` did, carrying each row's position along, and matched on job_id."""
    mapping = ds.manifest.get("columns", {})
    renamed, _ = map_columns(raw.assign(_row=np.arange(len(raw))), mapping, "sample")
    typed = finish_postings(renamed, "sample", ReadLog(), derive_ids=True)
    pos = typed.set_index("job_id")["_row"]
    return sorted(int(pos[j]) for j in chosen["job_id"].astype("int64"))
