"""Evaluation: precision, recall and F1 of every method against labelled postings."""

from jobmap.data.labels import join_labels, read_labels
from jobmap.evaluate.run import evaluate, pr_plot

__all__ = ["evaluate", "join_labels", "pr_plot", "read_labels"]
