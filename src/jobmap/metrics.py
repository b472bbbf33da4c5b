"""The one metrics module: precision, recall and F1 of a set of matches against labels, and the
F1-best threshold. ``evaluate``, the simulated review, the review page's figures, the head's
out-of-fold threshold and clustering's label-free default all count here, so that a figure
means the same wherever it is shown."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Counts:
    """Matches against labels: true and false positives, false and true negatives.

    >>> c = counts(np.array([True, True, False, False]), np.array([True, False, True, False]))
    >>> c, c.precision, c.recall, c.f1
    (Counts(tp=1, fp=1, fn=1, tn=1), 0.5, 0.5, 0.5)
    >>> counts(np.array([False]), np.array([False])).precision is None
    True
    """

    tp: int
    fp: int
    fn: int
    tn: int = 0

    @property
    def precision(self) -> float | None:
        """Of the matches, the share in the family; None with no match (nothing to judge)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        """Of the family, the share matched; None with nothing in the family."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float:
        """The harmonic mean of precision and recall (0 without a true positive)."""
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp else 0.0

    def rates(self) -> tuple[float, float, float]:
        """(precision, recall, F1), an undefined rate counted as 0 (as tables and curves show
        it)."""
        return self.precision or 0.0, self.recall or 0.0, self.f1


def counts(match: np.ndarray, label: np.ndarray, where: np.ndarray | None = None) -> Counts:
    """The :class:`Counts` of ``match`` against ``label`` (booleans), over the rows ``where``
    marks (all by default)."""
    m = np.asarray(match, dtype=bool)
    y = np.asarray(label, dtype=bool)
    w = np.ones(len(m), dtype=bool) if where is None else np.asarray(where, dtype=bool)
    return Counts(
        tp=int((m & y & w).sum()),
        fp=int((m & ~y & w).sum()),
        fn=int((~m & y & w).sum()),
        tn=int((~m & ~y & w).sum()),
    )


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


__all__ = ["Counts", "counts", "f1_best_threshold"]
