"""The precision-recall plot of an evaluation."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from jobmap.outputs import write_figure


def pr_plot(scores: pd.DataFrame, summary: pd.DataFrame, path: Path, title: str) -> Path:
    """Precision-recall curves of every method, its operating point marked, as an image file."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve

    fig, ax = plt.subplots(figsize=(7, 5.5), dpi=120)
    for row in summary.to_dict("records"):
        part = scores[scores["method"] == row["method"]]
        p, r, _ = precision_recall_curve(part["label"], part["score"])
        label = f"{row['method']} (AP {row['average_precision']:.2f}, F1 {row['f1']:.2f})"
        line = ax.step(r, p, where="post", label=label)[0]
        ax.plot([row["recall"]], [row["precision"]], "o", color=line.get_color())
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_title(title + " (dots: each method's threshold)")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    try:
        write_figure(path, fig)  # into an existing folder: none is created on the way
    finally:
        plt.close(fig)
    return path


__all__ = ["pr_plot"]
