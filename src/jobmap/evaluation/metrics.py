"""An evaluation's figures of one scored method: its counts and rates (:mod:`jobmap.metrics`),
average precision and the useful thresholds, and its worst errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, precision_recall_curve

from jobmap.metrics import counts, f1_best_threshold


def scores_metrics(
    y: np.ndarray, score: np.ndarray, threshold: float, target_precision: float
) -> dict[str, Any]:
    """Metrics at ``threshold``, plus the F1-best threshold and the lowest threshold whose
    precision reaches ``target_precision`` (with the recall it keeps)."""
    y = y.astype(bool)
    c = counts(score >= threshold, y)
    precision, recall, f1 = c.rates()
    with np.errstate(divide="ignore", invalid="ignore"):
        p_curve, r_curve, t_curve = precision_recall_curve(y, score)
    best_threshold, best_f1 = f1_best_threshold(score, y)
    reach = np.flatnonzero(p_curve[:-1] >= target_precision)
    at_target = int(reach[np.argmax(r_curve[reach])]) if len(reach) else None
    return {
        "threshold": threshold,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "average_precision": float(average_precision_score(y, score)),
        "best_f1": best_f1,
        "best_f1_threshold": best_threshold,
        "threshold_at_target_precision": (
            float(t_curve[at_target]) if at_target is not None else float("nan")
        ),
        "recall_at_target_precision": (float(r_curve[at_target]) if at_target is not None else 0.0),
        "tp": c.tp,
        "fp": c.fp,
        "fn": c.fn,
        "tn": c.tn,
    }


def worst_errors(labelled: pd.DataFrame, threshold: float, n: int) -> pd.DataFrame:
    """The highest-scored false positives and the lowest-scored false negatives."""
    pred = labelled["score"] >= threshold
    fps = labelled[pred & ~labelled["label"]].sort_values("score", ascending=False).head(n)
    fns = labelled[~pred & labelled["label"]].sort_values("score").head(n)
    return pd.concat([fps.assign(error="false positive"), fns.assign(error="false negative")])
