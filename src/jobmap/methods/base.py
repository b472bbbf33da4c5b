"""The one interface every method follows (scikit-learn style).

``__init__`` only stores arguments; ``fit(postings, family, context)`` learns what it needs and
returns ``self`` (learned state ends in ``_``); ``score(postings)`` returns one row per posting, in
order, with a ``score`` column (higher = more likely in the family) and evidence columns;
``explain(row)`` says in words why a posting got its score.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

import pandas as pd

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
    _engine: EmbeddingEngine | None = field(default=None, repr=False)

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

    @abstractmethod
    def explain(self, row: pd.Series) -> str:
        """Why a scored posting got its score, in words."""

    @abstractmethod
    def params(self) -> dict[str, Any]:
        """Arguments and learned facts worth recording in the run manifest."""
