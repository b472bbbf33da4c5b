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
from jobmap.embeddings.fast import FastBackend

# jobmap's own static model goes through the same registry as any other (llm's plugin style).
register_backend("fast", FastBackend)

__all__ = [
    "DEFAULT_MODEL",
    "Backend",
    "EmbedStats",
    "EmbeddingEngine",
    "FastBackend",
    "SentenceTransformerBackend",
    "embed",
    "register_backend",
    "unregister_backend",
]
