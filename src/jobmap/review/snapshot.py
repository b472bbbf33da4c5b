"""What one fit of a review says: its scores, matches and answers, each title's probability,
and the ranked questions (the session keeps the current one; the questions and the page's views
read it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jobmap.families import Family
from jobmap.review.questions import Group


@dataclass
class Snapshot:
    """What one fit says: scores, matches, answers, title probabilities and the queue."""

    scores: pd.DataFrame
    threshold: float
    match: np.ndarray
    answered: pd.Series
    p: np.ndarray
    matched_share: np.ndarray
    settled: np.ndarray
    yes_share: np.ndarray
    queue: list[tuple[Group, float]]
    method: Any
    family: Family
    seconds: float
    answers: int
    #: The method's own score of each posting, before its answer decides it.
    model_score: np.ndarray
    #: Which distinct titles the method's rule matches (None: the method has no rule).
    rule_hit: np.ndarray | None = None
    #: The terms the method grew into the rule and no answer has settled: term, the phrase it
    #: grew from, the subject that answers it, and its postings.
    grown: list[dict[str, Any]] = field(default_factory=list)


__all__ = ["Snapshot"]
