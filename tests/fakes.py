"""A deterministic fake embedder for fast tests (the real model runs in the `slow` tier)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np


class HashBackend:
    """Bag of hashed character trigrams of the lower-cased text, L2-normalised.

    Texts that share many trigrams are close, like titles that share words; ``calls`` records every
    text it was asked to embed, so tests can check what was (not) computed.
    """

    dim = 64

    def __init__(self, name: str = "fake", **_: object) -> None:
        self.model_id = f"fake:{name}"
        self.calls: list[str] = []
        self.batch_sizes: list[int] = []
        self.fail_after: int | None = None  # raise KeyboardInterrupt after this many texts

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        if self.fail_after is not None and len(self.calls) + len(texts) > self.fail_after:
            raise KeyboardInterrupt
        self.calls.extend(texts)
        self.batch_sizes.append(batch_size)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            t = f"  {text.lower()}  "
            for j in range(len(t) - 2):
                h = int.from_bytes(hashlib.md5(t[j : j + 3].encode()).digest()[:4], "little")
                out[i, h % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)
