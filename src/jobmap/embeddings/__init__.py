"""Embeddings: one engine, ``embed(texts) -> float32 matrix``, batched, de-duplicated and cached by
(model id, text hash), shared by every method."""

from jobmap.embeddings.backends import (
    DEFAULT_MODEL,
    Backend,
    SentenceTransformerBackend,
    register_backend,
    unregister_backend,
)
from jobmap.embeddings.engine import EmbeddingEngine, EmbedStats, embed

__all__ = [
    "DEFAULT_MODEL",
    "Backend",
    "EmbedStats",
    "EmbeddingEngine",
    "SentenceTransformerBackend",
    "embed",
    "register_backend",
    "unregister_backend",
]
