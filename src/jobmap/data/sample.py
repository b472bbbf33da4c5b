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
from jobmap.outputs import check_file, check_folder, output_errors, record_folder, remove_written


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
    inputs = [*source.disk_files, *([source.origin] if source.kind != "file" else [])]
    # before any work: the input is never the output, and nothing jobmap did not write is
    # replaced or removed (a folder it filled before lists its files)
    if source.kind == "file":
        check_file(
            out_path,
            suffixes=SUFFIXES[source.file_format],
            overwrite=overwrite,
            inputs=inputs,
        )
    else:
        check_folder(out_path, option="--out", overwrite=overwrite, inputs=inputs, create=False)
        if not out_path.exists() and not out_path.absolute().parent.is_dir():
            raise ConfigError(
                f"--out {out_path}: the folder {out_path.parent} does not exist. Create it first."
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

    parent = out_path.parent if str(out_path.parent) else Path(".")
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
            with output_errors(out_path):
                os.replace(target, out_path)
            return out_path
        log = ReadLog()
        written: list[str] = []
        for name, sf in source.files.items():
            spec = TABLES_BY_NAME[name]
            raw = read_raw_csv(sf, log=log, encoding=encoding, progress=False)
            if spec.key == "job_id" and "job_id" in raw.columns:
                raw = raw[_ids(raw["job_id"]).isin(job_ids).fillna(False).to_numpy()]
            elif spec.key == "company_id" and "company_id" in raw.columns:
                raw = raw[_ids(raw["company_id"]).isin(company_ids).fillna(False).to_numpy()]
            rel = spec.paths[source.kind]
            dest = tmp / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            raw.to_csv(dest, index=False)
            written.append(rel)
        with output_errors(out_path):
            if out_path.is_dir():
                remove_written(out_path)  # only what an earlier sample wrote there
            out_path.mkdir(exist_ok=True)
            for rel in written:
                (out_path / rel).parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp / rel, out_path / rel)
            record_folder(out_path, written, "sample")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out_path


#: The endings a sample of a single file may have, by the file's format.
SUFFIXES = {
    "csv": (".csv", ".txt"),
    "tsv": (".tsv", ".txt"),
    "parquet": (".parquet", ".pq"),
}


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
