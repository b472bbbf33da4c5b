"""The embedding engine every method shares: batched, de-duplicated, cached, resumable."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from jobmap.config import resolve_cache_dir
from jobmap.embeddings.backends import DEFAULT_MODEL, Backend, make_backend
from jobmap.embeddings.cache import VectorCache, text_key

#: Texts embedded between two cache writes: a killed run loses at most this much work.
CHUNK = 2048


@dataclass
class EmbedStats:
    """What the last :meth:`EmbeddingEngine.embed` call did."""

    texts: int = 0
    unique: int = 0
    from_cache: int = 0
    computed: int = 0
    seconds: float = 0.0


class EmbeddingEngine:
    """``embed(texts) -> float32 matrix`` (rows L2-normalised), shared by every method.

    Each distinct text is embedded once; vectors are cached on disk by (model id, text hash), so a
    re-run, or another method, never embeds the same text twice. Work is saved every ``CHUNK``
    texts, so a run that is killed resumes where it stopped.

    >>> engine = EmbeddingEngine()                        # all-MiniLM-L6-v2, offline
    >>> engine.embed(["Job title: Data Scientist"]).shape
    (1, 384)
    """

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        cache_dir: str | os.PathLike[str] | None = None,
        device: str | None = None,
        backend: str = "torch",
        batch_size: int = 64,
        progress: bool = True,
        memory: bool = False,
    ) -> None:
        self.model = model
        #: ``memory=True`` also keeps every vector in memory: a process that embeds the same texts
        #: again and again (the review page re-fits after each answer) skips the disk.
        self.memory: dict[bytes, np.ndarray] | None = {} if memory else None
        self.backend: Backend = make_backend(
            model, device=device, backend=backend, cache_dir=cache_dir
        )
        self.cache = VectorCache(resolve_cache_dir(cache_dir), self.backend.model_id)
        self.batch_size = batch_size
        self.progress = progress
        self.stats = EmbedStats()

    @property
    def model_id(self) -> str:
        return self.backend.model_id

    def embed(self, texts: Sequence[str], desc: str = "embedding") -> np.ndarray:
        """Vectors for ``texts``, in order; each distinct text computed at most once, ever."""
        start = time.perf_counter()
        keys = [text_key(t) for t in texts]
        first: dict[bytes, int] = {}
        for i, k in enumerate(keys):
            first.setdefault(k, i)
        unique_keys = list(first)
        if self.memory is not None and texts and all(k in self.memory for k in unique_keys):
            self.stats = EmbedStats(texts=len(texts), unique=len(unique_keys))
            self.stats.from_cache = len(unique_keys)
            out = np.stack([self.memory[k] for k in keys])
            self.stats.seconds = time.perf_counter() - start
            return out
        todo = self.cache.missing(unique_keys)
        self.stats = EmbedStats(
            texts=len(texts),
            unique=len(unique_keys),
            from_cache=len(unique_keys) - len(todo),
            computed=len(todo),
        )
        if todo:
            warm = getattr(self.backend, "load", None)
            if callable(warm):
                warm()  # load the model before the bar starts, so its rate means texts/s
            bar = tqdm(
                total=len(todo),
                desc=desc,
                unit="text",
                disable=not self.progress,
                leave=False,
                smoothing=0.1,
            )
            computed = 0
            try:
                for lo in range(0, len(todo), CHUNK):
                    part = todo[lo : lo + CHUNK]
                    with self.cache.lock():
                        # another run on this cache may have embedded these meanwhile
                        self.cache.refresh()
                        still = self.cache.missing([unique_keys[j] for j in part])
                        part = [part[i] for i in still]
                        if part:
                            batch_texts = [texts[first[unique_keys[j]]] for j in part]
                            vecs = self.backend.encode(batch_texts, self.batch_size)
                            self.cache.add([unique_keys[j] for j in part], vecs)
                            computed += len(part)
                    bar.update(min(CHUNK, len(todo) - lo))
            finally:
                bar.close()
            self.stats.computed = computed
            self.stats.from_cache = len(unique_keys) - computed
        if not texts:
            return np.zeros((0, max(self.backend.dim, 0)), dtype=np.float32)
        dim = self._dim()
        unique_vecs = self.cache.get(unique_keys, dim)
        pos = {k: i for i, k in enumerate(unique_keys)}
        out = unique_vecs[[pos[k] for k in keys]]
        if self.memory is not None:
            self.memory.update(zip(unique_keys, unique_vecs, strict=True))
        self.stats.seconds = time.perf_counter() - start
        return out

    def _dim(self) -> int:
        if self.backend.dim > 0:
            return self.backend.dim
        return int(self.backend.encode(["dimension probe"], 1).shape[1])


def embed(texts: Sequence[str], *, model: str = DEFAULT_MODEL, **options: Any) -> np.ndarray:
    """Embed texts with the shared, cached engine; ``options`` are :class:`EmbeddingEngine`'s
    (``cache_dir``, ``device``, ``backend``, ``batch_size``, ``progress``)."""
    return EmbeddingEngine(model, **options).embed(texts)
