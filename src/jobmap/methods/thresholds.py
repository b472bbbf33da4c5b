"""The F1-best threshold: one function for the head's out-of-fold choice, clustering's label-free
default and evaluate's "best F1" column."""

from __future__ import annotations

import numpy as np


def f1_best_threshold(
    scores: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None
) -> tuple[float, float]:
    """The threshold ``t`` (one of the scores) at which "score >= t" has the highest F1 against
    ``y``, and that F1; rows may carry ``weights`` (postings per distinct title).

    Tied scores are one threshold (all of them match or none does); among thresholds of equal F1
    the highest wins. With no positive in ``y``: the highest score and F1 0. With no score at all:
    NaN and 0.

    >>> f1_best_threshold(np.array([0.9, 0.8, 0.3, 0.1]), np.array([1, 1, 0, 1]))
    (0.1, 0.8571428571428571)
    """
    s = np.asarray(scores, dtype=np.float64)
    if not len(s):
        return float("nan"), 0.0
    t = np.asarray(y, dtype=np.float64)
    w = np.ones(len(s)) if weights is None else np.asarray(weights, dtype=np.float64)
    order = np.argsort(-s, kind="stable")
    s, t, w = s[order], t[order] * w[order], w[order]
    actual = float(t.sum())
    if actual == 0:
        return float(s[0]), 0.0
    tp = np.cumsum(t)
    predicted = np.cumsum(w)
    f1 = 2 * tp / (predicted + actual)
    last_of_tie = np.r_[s[1:] != s[:-1], True]
    f1 = np.where(last_of_tie, f1, -1.0)
    best = int(np.argmax(f1))
    return float(s[best]), float(f1[best])
