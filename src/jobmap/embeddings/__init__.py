"""Embeddings: one engine, ``embed(texts) -> float32 matrix``, batched, de-duplicated and cached by
(model id, text hash), shared by every method."""
