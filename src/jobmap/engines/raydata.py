"""``--engine ray``: the pipeline's embedding and scoring on Ray Data.

The same steps as the local engine, spread over a Ray cluster (``$RAY_ADDRESS``; a local one of
this machine's CPUs otherwise):

* **embedding**: the titles are de-duplicated across the whole dataset on the driver, the ones
  not in the embedding cache are embedded by ``map_batches`` with a callable class (the model
  loaded once per actor; one GPU per actor where the cluster has GPUs, CPU actors otherwise), and
  the vectors go into the same cache (a folder every worker must reach on a real cluster);
* **scoring**: the cached postings table is read as a Ray Dataset (only the columns the method
  reads), each batch scored by the fitted method (shipped once to each actor) in a
  ``map_batches`` actor, the scores written as parquet shards and gathered back, in the
  postings' order, into the output contract of the local engine.

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

from jobmap.config import Settings
from jobmap.data import Dataset
from jobmap.data.dataset import batch_rows
from jobmap.embeddings import EmbeddingEngine
from jobmap.embeddings.cache import text_key
from jobmap.errors import ConfigError
from jobmap.methods import Method, MethodContext
from jobmap.texts import clean

#: Texts per call of an embedding actor.
EMBED_ROWS = 4096


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
        address = os.environ.get("RAY_ADDRESS") or None
        os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "error")  # Ray's C++ notices
        if not progress:
            for name in ("ray", "ray.data"):
                logging.getLogger(name).setLevel(logging.ERROR)
        ray.init(
            address=address,
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


def _actors(ray: Any) -> tuple[int, float]:
    """How many actors to start, and the GPUs each takes (1 where the cluster has GPUs)."""
    resources = ray.cluster_resources()
    gpus = int(resources.get("GPU", 0))
    if gpus:
        return gpus, 1.0
    # one CPU left for the tasks that read the parquet files: actors holding every CPU would
    # wait forever for batches no task can read
    return max(1, int(resources.get("CPU", 1)) - 1), 0.0


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


class _Scorer:
    """One scoring actor: the fitted method arrives once, pickled (without its engine), and
    gets a context of its own (the shared embedding cache)."""

    def __init__(self, method: Method, context: MethodContext) -> None:
        self.method = method.use(context)

    def __call__(self, batch: pd.DataFrame) -> pd.DataFrame:
        scores = self.method.score(batch.reset_index(drop=True))
        scores.insert(0, "job_id", batch["job_id"].to_numpy())
        return scores


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
    if dataset.folder is not None:
        source = ray.data.read_parquet(str(dataset.folder / "postings.parquet"))
        if columns is not None:
            source = source.select_columns(columns)
    else:  # a dataset the cache could not hold: from memory
        source = ray.data.from_pandas(dataset.read(columns))
    n_actors, _ = _actors(ray)
    # the run's context without its engine (each actor builds one on the shared cache)
    ctx = dataclasses.replace(context, progress=False, engine_=None)
    scored = source.map_batches(
        _Scorer,
        fn_constructor_kwargs={"method": method, "context": ctx},
        batch_size=batch_rows(),
        batch_format="pandas",
        compute=ray.data.ActorPoolStrategy(size=n_actors),
    )
    shards = Path(
        tempfile.mkdtemp(prefix=f"ray-scores-{uuid.uuid4().hex[:8]}-", dir=_scratch(settings))
    )
    try:
        scored.write_parquet(str(shards))
        out = pd.read_parquet(shards)
    finally:
        shutil.rmtree(shards, ignore_errors=True)
    order = dataset.read(["job_id"])["job_id"].astype("int64").to_numpy()
    out["job_id"] = out["job_id"].astype("int64")
    if len(out) != len(order) or not out["job_id"].is_unique:
        raise ConfigError(
            f"the Ray engine scored {len(out):,} postings of {len(order):,}; run again (a worker "
            "that died is retried by Ray; what was embedded is in the cache)."
        )
    out = out.set_index("job_id").loc[order].reset_index(drop=True)
    for column in out.columns:  # parquet gives strings back as Arrow strings: as the local engine
        if pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = out[column].astype(object)
    return out


def _scratch(settings: Settings) -> Path:
    """Where the score shards are written (beside the cache: a path the workers reach)."""
    folder = settings.cache_dir / "ray-scores"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
