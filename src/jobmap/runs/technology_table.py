"""The technologies of every posting of a dataset, once: read batch by batch (each distinct text
once, in one process a core where there are many), or on Ray, and kept in the cache by the data's
content and jobmap's code (which holds the catalogue), so that ``jobmap technologies``, ``report``
and ``find --with technologies`` share one table."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jobmap._cached import read_table, table_path, write_table
from jobmap._version import code_fingerprint
from jobmap.config import Settings
from jobmap.data import Dataset
from jobmap.knowledge.mentions import COLUMNS, READS, TechnologyFinder
from jobmap.texts.builders import text_keys

#: Postings from which the local engine reads technologies in several processes (one a core,
#: at most :data:`MAX_WORKERS`), in batches of :data:`WORKER_ROWS`; fewer are read in this one.
PARALLEL_FROM = 20_000
MAX_WORKERS = 8
WORKER_ROWS = 10_000

_FINDER: TechnologyFinder | None = None


def _start_worker() -> None:
    global _FINDER
    if _FINDER is None:  # a spawned process builds its own; a forked one has the parent's
        _FINDER = TechnologyFinder()


def _frame_in_worker(batch: pd.DataFrame) -> pd.DataFrame:
    assert _FINDER is not None
    return _FINDER.frame(batch)


def workers_for(postings: int) -> int:
    """Processes the local engine reads ``postings`` with (see :data:`PARALLEL_FROM`)."""
    if postings < PARALLEL_FROM:
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS, postings // WORKER_ROWS))


def find_in(dataset: Dataset, finder: TechnologyFinder, settings: Settings) -> pd.DataFrame:
    """Every posting's technologies, batch by batch (see :meth:`TechnologyFinder.frame`), each
    distinct text once (a posting whose title, description and company repeat another's gets its
    rows): in this process, or for many postings in one process per core (batches in flight at
    most two a process, so memory stays bounded by the batches); the Ray engine maps the same
    step over the cached postings' row groups."""
    if settings.engine == "ray":
        from jobmap.engines.raydata import technologies as on_ray

        return on_ray(dataset, settings)
    total = dataset.rows("postings")
    if not total:
        return pd.DataFrame(columns=COLUMNS)
    job_ids = dataset.read(["job_id"])["job_id"].to_numpy()
    keys: list[np.ndarray] = []  # each posting's text key, batch by batch, as they are read
    seen: set[int] = set()

    def batches(rows: int) -> Iterator[pd.DataFrame]:
        """The postings in one pass, each text the first time it comes (a repeat gets the rows
        of its first at the end); the row's position stands for its job id until then."""
        for batch in dataset.batches(list(READS), rows=rows):
            key = text_keys(batch, READS[1:])
            keys.append(key)
            fresh = np.zeros(len(batch), dtype=bool)
            for i in np.unique(key, return_index=True)[1]:
                if int(key[i]) not in seen:
                    seen.add(int(key[i]))
                    fresh[i] = True
            part = batch[fresh]
            yield part.assign(job_id=part.index.to_numpy())

    workers = workers_for(total)
    from tqdm.auto import tqdm

    parts: list[pd.DataFrame] = []
    with tqdm(
        total=total, desc="technologies", unit="postings", disable=not settings.progress
    ) as bar:
        if workers == 1:
            for batch in batches(settings.batch_rows):
                parts.append(finder.frame(batch))
                bar.update(len(batch))
        else:
            parts = _in_processes(batches(WORKER_ROWS), finder, workers, bar)
        bar.update(total - bar.n)
    distinct, inverse = np.unique(np.concatenate(keys), return_inverse=True)
    repeated = len(distinct) < total
    found = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
    position = found["job_id"].to_numpy(dtype=np.int64)
    if repeated:  # each posting takes the rows of the first posting with its text
        group = inverse[position]  # each row's distinct text
        order = np.argsort(inverse, kind="stable")  # the postings, text by text
        starts = np.searchsorted(inverse[order], np.arange(len(distinct)))
        sizes = np.bincount(inverse, minlength=len(distinct))[group]
        take = np.repeat(np.arange(len(found)), sizes)
        within = np.arange(len(take)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        position = order[np.repeat(starts[group], sizes) + within]
        ordered = np.argsort(position, kind="stable")
        found = found.iloc[take[ordered]].reset_index(drop=True)
        position = position[ordered]
    found["job_id"] = job_ids[position]
    return found


def cache_path(cache_dir: str | os.PathLike[str], ds: Dataset) -> Path:
    """Where the technologies of ``ds`` are kept (by the data's content and jobmap's code, which
    holds the catalogue)."""
    return table_path(cache_dir, "technologies", {"data": ds.key, "code": code_fingerprint()})


def technologies_for(
    ds: Dataset, settings: Settings, finder: TechnologyFinder | None = None, use_cache: bool = True
) -> pd.DataFrame:
    """:func:`find_in`, kept in the cache: ``report`` and ``find --with technologies`` read the
    table a first run wrote."""
    path = cache_path(settings.cache_dir, ds)
    kept = read_table(path) if use_cache else None
    if kept is not None:
        return kept
    found = find_in(ds, finder or TechnologyFinder(), settings)
    write_table(path, found)
    return found


def _in_processes(
    batches: Iterator[pd.DataFrame], finder: TechnologyFinder, workers: int, bar: Any
) -> list[pd.DataFrame]:
    import multiprocessing
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor

    global _FINDER
    _FINDER = finder  # a forked worker starts with it built
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    parts: list[pd.DataFrame] = []
    pending: deque[tuple[Future[pd.DataFrame], int]] = deque()
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker) as pool:
        for batch in batches:
            pending.append((pool.submit(_frame_in_worker, batch), len(batch)))
            while len(pending) >= 2 * workers:
                done, rows = pending.popleft()
                parts.append(done.result())
                bar.update(rows)
        while pending:
            done, rows = pending.popleft()
            parts.append(done.result())
            bar.update(rows)
    return parts


__all__ = [
    "MAX_WORKERS",
    "PARALLEL_FROM",
    "WORKER_ROWS",
    "cache_path",
    "find_in",
    "technologies_for",
    "workers_for",
]
