"""The on-disk vector cache, keyed by (model id, text hash).

One folder per model id, holding shards written as runs go: ``<id>.vecs.npy`` (float32 matrix)
then ``<id>.keys.npy`` (16-byte text hashes). Each file is written under a temporary name and
renamed; a shard counts only once its keys file exists, and the keys are renamed last, so a run
killed at any moment leaves every finished shard usable and nothing corrupt.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import uuid
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from filelock import FileLock

from jobmap._atomic import atomic_path
from jobmap.errors import DataWarning

KEY_BYTES = 16


def text_key(text: str) -> bytes:
    """The cache key of one text."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=KEY_BYTES).digest()


def _safe(model_id: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", model_id)[:60]
    return f"{slug}-{hashlib.sha256(model_id.encode()).hexdigest()[:10]}"


def _save_npy_atomic(path: Path, array: np.ndarray) -> None:
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        np.save(fh, array)
        fh.flush()
        os.fsync(fh.fileno())


class VectorCache:
    """Vectors of one model, looked up by text."""

    def __init__(self, cache_dir: Path, model_id: str) -> None:
        self.model_id = model_id
        self.folder = cache_dir / "embeddings" / _safe(model_id)
        self._index: dict[bytes, tuple[int, int]] | None = None
        self._shards: list[np.ndarray] = []
        self._loaded: set[str] = set()
        #: False once a write failed: the rest of the run keeps its vectors in memory.
        self.writable = True

    def _load_index(self) -> dict[bytes, tuple[int, int]]:
        if self._index is not None:
            return self._index
        self._index, self._shards, self._loaded = {}, [], set()
        self.refresh()
        return self._index

    def refresh(self) -> None:
        """Read the shards other processes committed since this cache last looked."""
        if self._index is None:
            self._load_index()
            return
        if not self.folder.is_dir():
            return
        for keys_file in sorted(self.folder.glob("*.keys.npy")):
            if keys_file.name in self._loaded:
                continue
            vecs_file = keys_file.with_name(keys_file.name.replace(".keys.npy", ".vecs.npy"))
            try:
                keys = np.load(keys_file)
                vecs = np.load(vecs_file, mmap_mode="r")
            except (OSError, ValueError):
                continue  # unreadable shard: ignored, its texts are embedded again
            self._loaded.add(keys_file.name)
            if len(keys) != len(vecs):
                continue
            s = len(self._shards)
            self._shards.append(vecs)
            raw = keys.tobytes()
            for row in range(len(keys)):
                key = raw[row * KEY_BYTES : (row + 1) * KEY_BYTES]
                self._index.setdefault(key, (s, row))

    @contextmanager
    def lock(self) -> Iterator[None]:
        """A lock across processes on this model's cache: two runs on one cache embed each text
        once between them (the second finds the first's shard when it gets the lock). Without a
        writable cache, no lock."""
        if not self.writable:
            yield
            return
        try:
            self.folder.parent.mkdir(parents=True, exist_ok=True)
            lock = FileLock(str(self.folder) + ".lock")
            lock.acquire()
        except OSError:
            yield
            return
        try:
            yield
        finally:
            lock.release()

    def __len__(self) -> int:
        return len(self._load_index())

    def missing(self, keys: Iterable[bytes]) -> list[int]:
        """Positions of the keys that have no vector yet."""
        index = self._load_index()
        return [i for i, k in enumerate(keys) if k not in index]

    def get(self, keys: Sequence[bytes], dim: int) -> np.ndarray:
        """Vectors for keys that are all present (see :meth:`missing`), in order."""
        index = self._load_index()
        out = np.empty((len(keys), dim), dtype=np.float32)
        by_shard: dict[int, tuple[list[int], list[int]]] = {}
        for i, k in enumerate(keys):
            s, row = index[k]
            pos, rows = by_shard.setdefault(s, ([], []))
            pos.append(i)
            rows.append(row)
        for s, (pos, rows) in by_shard.items():
            out[pos] = self._shards[s][rows]
        return out

    def add(self, keys: Sequence[bytes], vecs: np.ndarray) -> None:
        """Store one finished batch as a new shard."""
        if len(keys) == 0:
            return
        index = self._load_index()  # before writing, so the new shard is not read back twice
        name = uuid.uuid4().hex
        vec_arr = np.ascontiguousarray(vecs, dtype=np.float32)
        key_arr = np.frombuffer(b"".join(keys), dtype=f"V{KEY_BYTES}")
        if self.writable:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                _save_npy_atomic(self.folder / f"{name}.vecs.npy", vec_arr)
                _save_npy_atomic(self.folder / f"{name}.keys.npy", key_arr)  # last: commits it
            except OSError as exc:
                # a read-only, missing or full cache only costs time: keep the vectors in
                # memory for this run, and say so once
                self.writable = False
                why = "the disk is full" if exc.errno == errno.ENOSPC else exc.strerror or exc
                warnings.warn(
                    f"cannot write the embedding cache {self.folder} ({why}); this run goes on "
                    "without it and will embed these texts again next time. Pass --cache-dir "
                    "DIR or set JOBMAP_CACHE to a folder you can write.",
                    DataWarning,
                    stacklevel=3,
                )
        s = len(self._shards)
        self._shards.append(vec_arr)
        for row, k in enumerate(keys):
            index[k] = (s, row)
