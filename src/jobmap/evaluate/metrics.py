"""Precision, recall, F1, average precision and the useful thresholds of one scored method."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, precision_recall_curve

from jobmap.methods.thresholds import f1_best_threshold


def scores_metrics(
    y: np.ndarray, score: np.ndarray, threshold: float, target_precision: float
) -> dict[str, Any]:
    """Metrics at ``threshold``, plus the F1-best threshold and the lowest threshold whose
    precision reaches ``target_precision`` (with the recall it keeps)."""
    y = y.astype(bool)
    pred = score >= threshold
    tp = int((pred & y).sum())
    fp = int((pred & ~y).sum())
    fn = int((~pred & y).sum())
    tn = int((~pred & ~y).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
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
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
    }


def worst_errors(labelled: pd.DataFrame, threshold: float, n: int) -> pd.DataFrame:
    """The highest-scored false positives and the lowest-scored false negatives."""
    pred = labelled["score"] >= threshold
    fps = labelled[pred & ~labelled["label"]].sort_values("score", ascending=False).head(n)
    fns = labelled[~pred & labelled["label"]].sort_values("score").head(n)
    return pd.concat([fps.assign(error="false positive"), fns.assign(error="false negative")])
