"""``--engine ray``: the pipeline's embedding and scoring on Ray Data.

The same steps as the local engine, spread over a Ray cluster (``$RAY_ADDRESS``; a local one of
this machine's CPUs otherwise):

* **embedding**: the titles are de-duplicated across the whole dataset on the driver, the ones
  not in the embedding cache are embedded by ``map_batches`` with a callable class (the model
  loaded once per actor; one GPU per actor where the cluster has GPUs, CPU actors otherwise), and
  the vectors go into the same cache (a folder every worker must reach on a real cluster);
* **scoring**: the cached postings file is scored as a Ray Dataset of its row groups: each task
  names consecutive row groups, a ``map_batches`` actor (holding the fitted method, shipped once)
  reads them itself (only the columns the method reads), scores them and writes a parquet shard;
  the driver gathers the shards, in the postings' order, into the output contract of the local
  engine. The descriptions never pass through the object store.

The fit stays on the driver (it reads the titles only, or what the method declares). Ray is an
optional extra: ``pip install 'jobmap[ray]'``.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jobmap.config import (
    BATCH_ROWS_ENV,
    RAY_OBJECT_STORE,
    Settings,
    batch_rows,
    env_text,
    ray_address,
    ray_object_store,
)
from jobmap.data import Dataset
from jobmap.embeddings import EmbeddingEngine
from jobmap.embeddings.cache import text_key
from jobmap.errors import ConfigError, EngineError
from jobmap.methods import Method, MethodContext
from jobmap.texts import clean

#: Texts per call of an embedding actor.
EMBED_ROWS = 4096


#: The object store of a local cluster (bytes; ``$JOBMAP_RAY_OBJECT_STORE``): Ray's default, 30%
#: of the memory, lets the read tasks run ahead of the scoring actors until it holds the whole
#: dataset; a bounded store makes Ray Data hold the reads back instead.
LOCAL_OBJECT_STORE = RAY_OBJECT_STORE


def local_object_store() -> int:
    """The object store of a local cluster (:data:`LOCAL_OBJECT_STORE`); at least Ray's 80 MB."""
    return ray_object_store()


def require_ray() -> Any:
    """The ``ray`` module, or a clear error saying how to install it."""
    try:
        import ray
        import ray.data
    except ImportError:
        raise ConfigError(
            "--engine ray needs Ray Data: pip install 'jobmap[ray]' (or 'ray[data]'), or run "
            "with --engine local."
        ) from None
    return ray


def start(progress: bool = True) -> Any:
    """Connect to the cluster at ``$RAY_ADDRESS``, or start a local one (once per process)."""
    ray = require_ray()
    if not ray.is_initialized():
        address = ray_address()
        os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "error")  # Ray's C++ notices
        if not progress:
            for name in ("ray", "ray.data"):
                logging.getLogger(name).setLevel(logging.ERROR)
        local: dict[str, Any] = {}
        if address is None:  # a local cluster: a bounded object store (see LOCAL_OBJECT_STORE)
            local["object_store_memory"] = local_object_store()
        ray.init(
            address=address,
            **local,
            include_dashboard=False,
            log_to_driver=False,
            ignore_reinit_error=True,
            logging_level="ERROR",
            # the workers import jobmap as the driver does (a local cluster shares the venv;
            # a remote one needs jobmap installed in its image)
        )
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = progress
    ctx.execution_options.preserve_order = True
    ctx.execution_options.verbose_progress = False
    return ray


def _actors(ray: Any, reading: bool = True) -> tuple[int, float]:
    """How many actors to start, and the GPUs each takes (1 where the cluster has GPUs).
    ``reading``: tasks must also run beside them (a repartition, a read): one CPU is left for
    those, as actors holding every CPU would wait forever for blocks no task can make."""
    resources = ray.cluster_resources()
    gpus = int(resources.get("GPU", 0))
    if gpus and reading:
        return gpus, 1.0
    cpus = int(resources.get("CPU", 1))
    return max(1, cpus - 1 if reading else cpus), 0.0


class _Encoder:
    """One embedding actor: the model is loaded once, then encodes batch after batch."""

    def __init__(
        self,
        model: str,
        backend: str,
        device: str | None,
        batch_size: int,
        cache_dir: str | None = None,
    ) -> None:
        from jobmap.embeddings.backends import make_backend

        self.backend = make_backend(model, device=device, backend=backend, cache_dir=cache_dir)
        self.batch_size = batch_size

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        vecs = self.backend.encode([str(t) for t in batch["text"]], self.batch_size)
        return {"i": batch["i"], "vec": np.asarray(vecs, dtype=np.float32)}


def embed_titles(
    titles: pd.Series, prefix: str, engine: EmbeddingEngine, settings: Settings
) -> int:
    """Embed on the cluster the texts of the distinct ``titles`` (as a method embeds them:
    ``prefix`` + the cleaned title) that the cache lacks, each once; returns how many were
    computed (the others were in the cache)."""
    ray = start(settings.progress)
    first: dict[bytes, str] = {}
    for title in titles.astype(str).unique().tolist():
        text = prefix + clean(title)
        first.setdefault(text_key(text), text)
    keys = list(first)
    todo = [keys[j] for j in engine.cache.missing(keys)]
    if not todo:
        return 0
    n_actors, gpus = _actors(ray)
    items = pd.DataFrame({"i": np.arange(len(todo)), "text": [first[k] for k in todo]})
    ds = ray.data.from_pandas(items).repartition(max(1, min(len(todo) // 1024, 64)))
    vectors = ds.map_batches(
        _Encoder,
        fn_constructor_kwargs={
            "model": settings.model,
            "backend": settings.backend,
            "device": None if gpus else settings.device or "cpu",
            "batch_size": settings.batch_size,
            "cache_dir": str(settings.cache_dir),
        },
        batch_size=EMBED_ROWS,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=n_actors),
        num_gpus=gpus or None,
    )
    done = 0
    for batch in vectors.iter_batches(batch_size=EMBED_ROWS, batch_format="numpy"):
        part = [todo[int(i)] for i in batch["i"]]
        with engine.cache.lock():
            engine.cache.add(part, np.asarray(batch["vec"], dtype=np.float32))
        done += len(part)
    return done


class _RowGroupStep:
    """An actor that maps one step over the cached postings: each task names consecutive row
    groups of the postings file, which the actor reads itself (only ``columns``), and the step's
    table (:meth:`step`) is written as one parquet shard, so that the descriptions never pass
    through the object store and a task's memory is its row groups'."""

    def __init__(self, path: str, columns: list[str] | None, shards: str) -> None:
        self.path, self.columns, self.shards = path, columns, Path(shards)

    def step(self, postings: pd.DataFrame) -> pd.DataFrame:
        raise NotImplementedError

    def __call__(self, tasks: pd.DataFrame) -> pd.DataFrame:
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(self.path)
        written = []
        for first, last in zip(tasks["first"], tasks["last"], strict=True):
            postings = pf.read_row_groups(range(first, last + 1), columns=self.columns).to_pandas()
            table = self.step(postings)
            table.to_parquet(self.shards / f"part-{first:06d}.parquet", index=False)
            written.append({"first": first, "rows": len(table)})
        return pd.DataFrame(written)


class _Scorer(_RowGroupStep):
    """One scoring actor: the fitted method arrives once, pickled (without its engine), and
    gets a context of its own (the shared embedding cache); it scores each task's postings."""

    def __init__(
        self, method: Method, context: MethodContext, path: str, columns: list[str] | None,
        shards: str,
    ) -> None:  # fmt: skip
        super().__init__(path, columns, shards)
        self.method = method.use(context)

    def step(self, postings: pd.DataFrame) -> pd.DataFrame:
        scores = self.method.score(postings)
        scores.insert(0, "job_id", postings["job_id"].to_numpy())
        return scores


#: Postings per scoring task (one part of a cached file read in parts) unless
#: ``$JOBMAP_BATCH_ROWS`` says otherwise: an actor holds a task's postings and its copies while
#: scoring, and with several actors on one machine the local engine's 50,000 cost too much.
TASK_ROWS = 10_000


def task_rows() -> int:
    """Postings per scoring task: ``$JOBMAP_BATCH_ROWS`` when set, else :data:`TASK_ROWS`."""
    return batch_rows() if env_text(BATCH_ROWS_ENV) else TASK_ROWS


def row_group_tasks(path: Path, rows: int) -> list[dict[str, int]]:
    """Consecutive row groups of a parquet file in tasks of about ``rows`` rows each."""
    import pyarrow.parquet as pq

    meta = pq.read_metadata(path)
    tasks: list[dict[str, int]] = []
    first = held = 0
    for i in range(meta.num_row_groups):
        held += meta.row_group(i).num_rows
        if held >= rows or i == meta.num_row_groups - 1:
            tasks.append({"first": first, "last": i})
            first, held = i + 1, 0
    return tasks


def score(
    dataset: Dataset, method: Method, settings: Settings, context: MethodContext
) -> pd.DataFrame:
    """``method``'s scores of every posting of ``dataset``, computed on the cluster, in the
    postings' order: what :meth:`jobmap.pipeline.Pipeline.score` gives locally."""
    ray = start(settings.progress)
    extra = method.reads()
    columns = None if extra is None else ["job_id", "title", *extra]
    prefix = getattr(method.decided_by, "prefix", None)
    if isinstance(prefix, str):  # a method that embeds titles: each distinct title once
        embed_titles(dataset.read(["title"])["title"], prefix, context.engine(), settings)
    if dataset.folder is None:  # a dataset the cache could not hold: write it where tasks read
        raise ConfigError(
            "--engine ray reads the postings from jobmap's cache, which could not be written; "
            "pass --cache-dir DIR (a folder every node of the cluster reaches)."
        )
    path = dataset.folder / "postings.parquet"
    tasks = row_group_tasks(path, task_rows())
    # the run's context without its engine (each actor builds one on the shared cache)
    ctx = dataclasses.replace(context, progress=False, engine_=None)
    out = _map_row_groups(
        ray,
        _Scorer,
        {"method": method, "context": ctx, "path": str(path), "columns": columns},
        tasks,
        settings,
        "scores",
    )
    if out is None:
        out = pd.DataFrame(columns=["job_id"])
    order = dataset.read(["job_id"])["job_id"].astype("int64").to_numpy()
    out["job_id"] = out["job_id"].astype("int64")
    if len(out) != len(order) or not (out["job_id"].to_numpy() == order).all():
        raise EngineError(
            f"the Ray engine scored {len(out):,} postings of {len(order):,}; run again."
        )
    out = out.drop(columns="job_id")
    for column in out.columns:  # parquet gives strings back as Arrow strings: as the local engine
        if pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = out[column].astype(object)
    return out


def _map_row_groups(
    ray: Any,
    actor: type,
    kwargs: dict[str, Any],
    tasks: list[dict[str, int]],
    settings: Settings,
    what: str,
) -> pd.DataFrame | None:
    """Run ``actor`` (built with ``kwargs`` and a ``shards`` folder) on a pool of Ray actors, one
    task (consecutive row groups of the cached postings) at a time, each task writing one parquet
    shard; the shards read back in the postings' order (None for no task). A task that never
    finished is an error, and the shards are removed whatever happens."""
    shards = Path(
        tempfile.mkdtemp(prefix=f"ray-{what}-{uuid.uuid4().hex[:8]}-", dir=_scratch(settings))
    )
    try:
        n_actors = _actors(ray, reading=False)[0]
        done = (
            ray.data.from_items(tasks)
            .map_batches(
                actor,
                fn_constructor_kwargs={**kwargs, "shards": str(shards)},
                batch_size=1,
                batch_format="pandas",
                compute=ray.data.ActorPoolStrategy(size=max(1, min(n_actors, len(tasks)))),
            )
            .take_all()
        )
        written = sorted(shards.glob("part-*.parquet"))
        if len(done) != len(tasks) or len(written) != len(tasks):
            raise EngineError(
                f"the Ray engine finished {len(written)} of {len(tasks)} parts of the postings "
                f"({what}); run again (a worker that died is retried by Ray; what was embedded is "
                "in the cache)."
            )
        parts = [pd.read_parquet(f) for f in written]
        return pd.concat(parts, ignore_index=True) if parts else None
    finally:
        shutil.rmtree(shards, ignore_errors=True)


def _scratch(settings: Settings) -> Path:
    """Where the score shards are written (beside the cache: a path the workers reach)."""
    folder = settings.cache_dir / "ray-scores"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class _TechnologyFinder(_RowGroupStep):
    """One technology actor: builds the finder once (its index of names), then finds each task's
    postings' technologies (title, description, company)."""

    def __init__(self, path: str, columns: list[str], shards: str) -> None:
        from jobmap.knowledge.mentions import TechnologyFinder

        super().__init__(path, columns, shards)
        self.finder = TechnologyFinder()

    def step(self, postings: pd.DataFrame) -> pd.DataFrame:
        return self.finder.frame(postings)


def technologies(dataset: Dataset, settings: Settings) -> pd.DataFrame:
    """Every posting's technologies (:meth:`jobmap.knowledge.mentions.TechnologyFinder.frame`),
    found on the cluster, in the postings' order: what the local engine gives."""
    from jobmap.knowledge.mentions import COLUMNS, READS

    ray = start(settings.progress)
    if dataset.folder is None:
        raise ConfigError(
            "--engine ray reads the postings from jobmap's cache, which could not be written; "
            "pass --cache-dir DIR (a folder every node of the cluster reaches)."
        )
    path = dataset.folder / "postings.parquet"
    columns = [c for c in READS if c in dataset.columns()]
    tasks = row_group_tasks(path, task_rows())
    out = _map_row_groups(
        ray,
        _TechnologyFinder,
        {"path": str(path), "columns": columns},
        tasks,
        settings,
        "technologies",
    )
    if out is None:
        out = pd.DataFrame(columns=COLUMNS)
    for column in ("technology", "category", "evidence"):
        out[column] = out[column].astype(object)
    return out.astype({"hot": bool})
