"""The one interface every method follows (scikit-learn style).

``__init__`` only stores arguments; ``fit(postings, family, context)`` learns what it needs and
returns ``self`` (learned state ends in ``_``); ``score(postings)`` returns one row per posting, in
order, with a ``score`` column (higher = more likely in the family) and evidence columns;
``explain(row)`` says in words why a posting got its score.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Self

import joblib
import pandas as pd

from jobmap._atomic import atomic_path
from jobmap.config import resolve_cache_dir
from jobmap.embeddings import EmbeddingEngine
from jobmap.families import Family


@dataclass
class MethodContext:
    """What methods share in one run: the embedding engine (built on first use) and settings."""

    model: str = "all-MiniLM-L6-v2"
    backend: str = "torch"
    device: str | None = None
    cache_dir: str | None = None
    batch_size: int = 64
    progress: bool = True
    #: The dataset's content key: methods cache what they fit under it (with their parameters).
    data_key: str | None = None
    #: Labelled postings to learn from (``job_id, title, label``): evaluate passes training folds.
    labels: pd.DataFrame | None = None
    #: The embedding manifest of the run whose scores were reused from the cache, if any.
    cached_manifest: dict[str, Any] | None = None
    _engine: EmbeddingEngine | None = field(default=None, repr=False)

    def model_file(self, method: str, params: dict[str, Any]) -> Path | None:
        """Where a fitted model for this dataset and these parameters is cached (None: no key)."""
        if self.data_key is None:
            return None
        ident = json.dumps(
            {"data": self.data_key, "method": method, **params}, sort_keys=True, default=str
        )
        digest = hashlib.sha256(ident.encode()).hexdigest()[:20]
        return resolve_cache_dir(self.cache_dir) / "models" / f"{method}-{digest}.joblib"

    def engine(self) -> EmbeddingEngine:
        if self._engine is None:
            self._engine = EmbeddingEngine(
                self.model,
                cache_dir=self.cache_dir,
                device=self.device,
                backend=self.backend,
                batch_size=self.batch_size,
                progress=self.progress,
            )
        return self._engine

    def manifest(self) -> dict[str, Any]:
        if self._engine is None and self.cached_manifest is not None:
            return {**self.cached_manifest, "scores_from_cache": True}
        out: dict[str, Any] = {"model": self.model, "backend": self.backend}
        if self._engine is not None:
            out["model_id"] = self._engine.model_id
            out["device"] = getattr(self._engine.backend, "device", None)
        return out


class Method(ABC):
    """Base class of every family finder."""

    name: ClassVar[str]
    #: The threshold used when neither the user nor the family gives one.
    default_threshold: ClassVar[float]
    #: Columns of :meth:`score`'s output besides ``score``.
    evidence_columns: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def fit(self, postings: pd.DataFrame, family: Family, context: MethodContext) -> Self:
        """Learn from the postings (and the family's definition)."""

    @abstractmethod
    def score(self, postings: pd.DataFrame) -> pd.DataFrame:
        """One row per posting, in the same order: ``score`` plus the evidence columns."""

    def fitted_threshold(self) -> float | None:
        """A threshold learned in fit without labels (e.g. clustering's), else None."""
        value = getattr(self, "threshold_", None)
        return None if value is None else float(value)

    @abstractmethod
    def explain(self, row: pd.Series) -> str:
        """Why a scored posting got its score, in words."""

    @abstractmethod
    def params(self) -> dict[str, Any]:
        """Arguments and learned facts worth recording in the run manifest."""


def save_model(path: Path | None, state: dict[str, Any]) -> None:
    """Write a fitted model's state atomically (a killed run leaves no half file)."""
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            joblib.dump(state, tmp)
    except OSError:
        pass  # the cache only saves time


def load_model(path: Path | None) -> dict[str, Any] | None:
    """A cached fitted state, or None (absent or unreadable: fit again)."""
    if path is None or not path.is_file():
        return None
    try:
        state = joblib.load(path)
    except Exception:  # a damaged file only costs a refit
        return None
    return state if isinstance(state, dict) else None
