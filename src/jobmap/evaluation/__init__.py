"""Evaluation's figures: an evaluated method's counts, rates, useful thresholds and worst errors
(:mod:`jobmap.evaluation.metrics`, over :mod:`jobmap.metrics`), and its precision-recall plot.
The run that scores methods against labels is :func:`jobmap.runs.evaluate`."""

from jobmap.evaluation.metrics import scores_metrics, worst_errors
from jobmap.evaluation.plot import pr_plot

__all__ = ["pr_plot", "scores_metrics", "worst_errors"]
