"""A dataset's postings coded to occupations, once: the coded table is kept in the cache by the
data's content, the embedding model and jobmap's code, so that ``find`` with a family by
occupation, the report's occupation map and the review's occupation questions share one coding."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jobmap._cached import read_table, table_path, write_table
from jobmap._version import code_fingerprint
from jobmap.config import Settings
from jobmap.data import Dataset
from jobmap.knowledge.coder import Coder

#: How many codes a posting keeps in the cache (``--top`` up to this is served from it).
CACHED_TOP = 3
#: Posting columns carried into the coded table when the data has them.
CARRIED = ("job_id", "title", "source_id")


def cache_path(cache_dir: str | os.PathLike[str], ds: Dataset, model_id: str) -> Path:
    """Where the coded table of ``ds`` is kept."""
    ident = {"data": ds.key, "model": model_id, "code": code_fingerprint(), "top": CACHED_TOP}
    return table_path(cache_dir, "occupations", ident)


def code_dataset(
    ds: Dataset,
    engine: Any,
    *,
    cache_dir: str | os.PathLike[str],
    batch_rows: int,
    progress: bool = False,
    top: int = CACHED_TOP,
    use_cache: bool = True,
) -> pd.DataFrame:
    """Every posting of ``ds`` coded (``job_id``, ``title``, the codes, ``confidence``, ``why``)
    in the data's order, read in batches of ``batch_rows``; from the cache when this data, model
    and code were coded before. ``engine`` embeds the titles (the vectors ``find`` caches)."""
    from jobmap.texts.builders import text_keys, title_texts

    width = max(top, CACHED_TOP)
    path = cache_path(cache_dir, ds, engine.model_id)
    if use_cache and width == CACHED_TOP:
        kept = read_table(path)
        if kept is not None:
            return kept
    coder = Coder(engine=engine, progress=progress)
    coder.reference_vectors()
    parts = []
    batches = ds.batches([*CARRIED, "description"], rows=max(batch_rows, 1))
    n = ds.rows("postings")
    if progress and n > batch_rows:
        from tqdm.auto import tqdm

        batches = tqdm(batches, total=-(-n // batch_rows), desc="coding", unit="batch", leave=False)
    for batch in batches:
        # each distinct title and description once: postings that repeat another's text (a
        # job posted in many places) take its codes
        inverse, _ = pd.factorize(text_keys(batch, ("title", "description")))
        first = np.unique(inverse, return_index=True)[1]
        distinct = batch.iloc[first]
        vectors = engine.embed(title_texts(distinct), desc="embedding titles")
        coded = coder.code(distinct, top=width, vectors=np.asarray(vectors))
        coded = coded.iloc[inverse].reset_index(drop=True)
        keep = [c for c in CARRIED if c in batch.columns]
        parts.append(pd.concat([batch[keep].reset_index(drop=True), coded], axis=1))
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if width == CACHED_TOP and len(table):
        write_table(path, table)  # a name of its own per writer: the review codes in two threads
    return table


def coded_for(
    ds: Dataset,
    settings: Settings,
    engine: Any,
    *,
    top: int = CACHED_TOP,
    use_cache: bool = True,
    progress: bool | None = None,
) -> pd.DataFrame:
    """:func:`code_dataset` with a run's settings (its cache folder, batch size and progress)."""
    return code_dataset(
        ds,
        engine,
        cache_dir=settings.cache_dir,
        batch_rows=settings.batch_rows,
        progress=settings.progress if progress is None else progress,
        top=top,
        use_cache=use_cache,
    )


__all__ = ["CACHED_TOP", "cache_path", "code_dataset", "coded_for"]
