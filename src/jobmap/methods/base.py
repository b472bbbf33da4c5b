"""The one interface every method follows (scikit-learn style).

``__init__`` only stores arguments; ``fit(postings, family, labels=None)`` learns what it needs and
returns ``self`` (learned state ends in ``_``; ``labels`` are labelled postings, scikit-learn's
``y``); ``score(postings)`` returns one row per posting, in order, with a ``score`` column (higher =
more likely in the family) and the evidence columns; ``explain(row)`` says in words why a posting
got its score; ``describe()`` is the method's part of a run's summary line.

What a method needs from the run (the embedding engine, the cache folder, whether to show progress)
is injected with :meth:`Method.use` (as BERTopic takes ``embedding_model=``), never looked up. Facts
about a method live on its class: whether it learns from labels, whether its rule decides a match.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Self

import joblib
import numpy as np
import pandas as pd

from jobmap._atomic import atomic_path
from jobmap._version import code_fingerprint
from jobmap.config import Settings, resolve_cache_dir
from jobmap.embeddings import DEFAULT_MODEL, EmbeddingEngine
from jobmap.families import Family


@dataclass
class MethodContext:
    """What a run gives its method: the embedding engine (built on first use unless one is
    injected), the cache folder and the dataset's content key (for caching what it fits), and
    whether to show progress."""

    model: str = DEFAULT_MODEL
    backend: str = "torch"
    device: str | None = None
    cache_dir: str | None = None
    batch_size: int = 64
    progress: bool = True
    #: The dataset's content key: methods cache what they fit under it (with their parameters).
    data_key: str | None = None
    #: Keep vectors in memory too (a process that re-fits again and again: the review page).
    memory: bool = False
    #: Whether the dataset has descriptions, for a method that picks by it but is given only
    #: the columns it fits on (None: look at the postings it is given).
    has_descriptions: bool | None = None
    engine_: EmbeddingEngine | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, *, memory: bool = False) -> MethodContext:
        """The context of a run with these settings (``memory``: see the field)."""
        return cls(
            model=settings.model,
            backend=settings.backend,
            device=settings.device,
            cache_dir=str(settings.cache_dir),
            batch_size=settings.batch_size,
            progress=settings.progress,
            memory=memory,
        )

    def model_file(self, method: str, params: dict[str, Any]) -> Path | None:
        """Where a fitted model for this dataset, these parameters and this code is cached (None:
        no dataset key)."""
        if self.data_key is None:
            return None
        ident = json.dumps(
            {"data": self.data_key, "method": method, "code": code_fingerprint(), **params},
            sort_keys=True,
            default=str,
        )
        digest = hashlib.sha256(ident.encode()).hexdigest()[:20]
        return resolve_cache_dir(self.cache_dir) / "models" / f"{method}-{digest}.joblib"

    def engine(self) -> EmbeddingEngine:
        if self.engine_ is None:
            self.engine_ = EmbeddingEngine(
                self.model,
                cache_dir=self.cache_dir,
                device=self.device,
                backend=self.backend,
                batch_size=self.batch_size,
                progress=self.progress,
                memory=self.memory,
            )
        return self.engine_

    def manifest(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "model": self.model,
            "backend": self.backend,
            "batch_size": self.batch_size,
        }
        if self.engine_ is not None:
            out["model_id"] = self.engine_.model_id
            out["device"] = getattr(self.engine_.backend, "device", self.device)
        else:
            out["device"] = self.device
        return out


class Method(ABC):
    """Base class of every method that scores postings for a family."""

    name: ClassVar[str]
    #: The threshold used when neither the user nor the family gives one.
    default_threshold: ClassVar[float]
    #: Columns of :meth:`score`'s output besides ``score``.
    evidence_columns: ClassVar[tuple[str, ...]] = ()
    #: It learns from labels (evaluate scores it by cross-validation, never on what it saw).
    learns_from_labels: ClassVar[bool] = False
    #: A keyword rule decides its matches: a threshold calibrated on one label file means nothing.
    rule_decides: ClassVar[bool] = False
    #: One line for ``--help``.
    summary: ClassVar[str] = ""
    #: The posting columns :meth:`fit` reads besides ``job_id`` and ``title`` (None: any, it is
    #: given every column). A run over data larger than memory reads only these for the fit.
    fit_columns: ClassVar[tuple[str, ...] | None] = None
    #: The posting columns :meth:`score` reads besides ``job_id`` and ``title`` (None: any).
    #: :meth:`score` sees one row at a time in effect: scoring a table in batches gives what
    #: scoring it whole gives (the contract test checks it), so a run scores batch by batch.
    score_columns: ClassVar[tuple[str, ...] | None] = None

    def reads(self) -> tuple[str, ...] | None:
        """The columns :meth:`score` reads (``auto`` answers for the method it picked)."""
        return self.score_columns

    #: What the run injected (see :meth:`use`); not part of the fitted state.
    context: MethodContext | None = None

    def use(self, context: MethodContext) -> Self:
        """Inject the run's context (engine, cache, progress) into this method and those it
        holds; returns ``self``."""
        self.context = context
        for value in self.__dict__.values():
            if isinstance(value, Method) and value is not self:
                value.use(context)
        return self

    def _context(self) -> MethodContext:
        if self.context is None:
            self.context = MethodContext()
        return self.context

    @property
    def engine(self) -> EmbeddingEngine:
        """The injected embedding engine."""
        return self._context().engine()

    @classmethod
    def arguments(cls) -> tuple[str, ...]:
        """The names of the arguments ``__init__`` takes."""
        variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        signature = inspect.signature(cls.__init__)
        return tuple(
            n for n, p in signature.parameters.items() if n != "self" and p.kind not in variadic
        )

    def get_params(self) -> dict[str, Any]:
        """The constructor arguments as given (scikit-learn's ``get_params``)."""
        return {name: getattr(self, name, None) for name in self.arguments()}

    @abstractmethod
    def fit(
        self, postings: pd.DataFrame, family: Family, labels: pd.DataFrame | None = None
    ) -> Self:
        """Learn from the postings, the family's definition and, if given, labelled postings
        (``job_id, title, label``)."""

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

    def describe(self) -> str:
        """What the fit found, for the summary line of a run ("39 anchor titles"); may be ""."""
        return ""

    def rule_hits(self, titles: pd.Series) -> np.ndarray | None:
        """Which titles the method's own rule puts in the family (its keywords, the initialisms
        it grew...), or None for a method without a rule. A phrase a person answered no does not
        overrule these."""
        return None

    def grown_phrases(self) -> dict[str, str]:
        """Terms the method added to the family's rule from the data, each with the phrase it
        grew from (``{"RN": "registered nurse"}``): no person has confirmed them, so the review
        page lists them, each kept or dropped with one answer. A term the family rejects is not
        grown again."""
        return {}

    @property
    def decided_by(self) -> Method:
        """The method whose scores these are: itself, or the one ``auto`` picked."""
        return self

    def __getstate__(self) -> dict[str, Any]:
        # A fitted method is cached without what the run injected: the engine holds a model.
        state = dict(self.__dict__)
        state.pop("context", None)
        return state


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
