"""``jobmap evaluate``: every method against labels, with the keyword rule as the baseline."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from jobmap.data import load
from jobmap.embeddings import DEFAULT_MODEL
from jobmap.evaluate.labels import join_labels, read_labels, titles_as_postings
from jobmap.evaluate.metrics import scores_metrics, worst_errors
from jobmap.families import get_family
from jobmap.finder import choose_threshold
from jobmap.methods import MethodContext, make_method

#: Methods that learn from labels: evaluated by cross-validation (never scored on what they saw).
LEARNS_FROM_LABELS = ("head", "knn")
BASELINE = "keywords"


def _folds(y: np.ndarray, k: int, seed: int) -> list[np.ndarray]:
    """Stratified fold index of each labelled posting."""
    rng = np.random.default_rng(seed)
    fold = np.empty(len(y), dtype=int)
    for cls in (True, False):
        idx = rng.permutation(np.flatnonzero(y == cls))
        fold[idx] = np.arange(len(idx)) % k
    return [np.flatnonzero(fold == f) for f in range(k)]


def evaluate(
    family: str = "ml-ai",
    data: str | os.PathLike[str] | None = None,
    *,
    labels: str | os.PathLike[str],
    methods: list[str] | tuple[str, ...] = ("auto",),
    threshold: float | None = None,
    target_precision: float = 0.95,
    folds: int = 5,
    worst: int = 5,
    plot: str | os.PathLike[str] | None = None,
    model: str = DEFAULT_MODEL,
    families: str | os.PathLike[str] | None = None,
    seed: int = 567,
    cache_dir: str | os.PathLike[str] | None = None,
    progress: bool = True,
    options: dict[str, Any] | None = None,
) -> dict[str, pd.DataFrame]:
    """Score ``methods`` against a label file; the keyword rule is always in the table.

    Returns ``{"summary": one row per method, "errors": worst false positives and negatives,
    "scores": every labelled posting's score per method}``. Methods that learn from labels
    (head, knn) are scored by ``folds``-fold cross-validation. Without ``data``, a title-only label
    file is evaluated on its own titles.

    >>> import jobmap  # doctest: +SKIP
    >>> jobmap.evaluate("ml-ai", "linkedin-2023/", labels="dev.csv", methods=["anchors"])
    """
    lab = read_labels(labels)
    tmp: tempfile.TemporaryDirectory[str] | None = None
    if data is None and lab.attrs["key"] == "title":
        tmp = tempfile.TemporaryDirectory()
        data = titles_as_postings(lab, Path(tmp.name) / "titles.csv")
    try:
        ds = load(data, cache_dir=cache_dir, progress=progress)
        postings = ds.postings
        labelled = join_labels(lab, postings)
        fam = get_family(family, families)
        wanted = list(dict.fromkeys([BASELINE, *methods]))
        rows, errors, scores = [], [], []
        position = pd.Series(np.arange(len(postings)), index=postings["job_id"].astype("int64"))
        at = position[labelled["job_id"].astype("int64")].to_numpy()
        y = labelled["label"].to_numpy(dtype=bool)
        for name in tqdm(wanted, desc="evaluating", disable=not progress, leave=False):
            context = MethodContext(
                model=model,
                cache_dir=None if cache_dir is None else str(cache_dir),
                progress=progress,
                data_key=ds.key,
            )
            finder = make_method(name, seed=seed, **(options or {}))
            cv = name in LEARNS_FROM_LABELS
            fold_cuts: list[float] = []
            if cv:
                score = np.zeros(len(labelled))
                for held in _folds(y, folds, seed):
                    train = labelled.drop(index=labelled.index[held])
                    context.labels = train
                    finder = make_method(name, seed=seed, **(options or {}))
                    finder.fit(postings, fam, context)
                    fold_score = finder.score(postings.iloc[at[held]])["score"].to_numpy()
                    fitted = finder.fitted_threshold()
                    if fitted is not None:  # score each fold at its own threshold, then pool
                        fold_cuts.append(fitted)
                        fold_score = fold_score - fitted + 0.5
                    score[held] = fold_score
            else:
                finder.fit(postings, fam, context)
                score = finder.score(postings.iloc[at])["score"].to_numpy()
            cut, cut_from = choose_threshold(
                None if name == BASELINE else threshold,
                fam,
                name,
                finder.fitted_threshold(),
                finder.default_threshold,
            )
            if cv and fold_cuts and threshold is None and name not in fam.thresholds:
                # each fold chose its threshold on its own training folds, and its scores were
                # shifted so that this threshold sits at 0.5
                cut, cut_from = 0.5, "cross-validated"
            metrics = scores_metrics(y, score, cut, target_precision)
            picked = finder.params().get("picked", "")
            rows.append(
                {
                    "method": name,
                    "picked": picked,
                    "cross_validated": cv,
                    "threshold_from": cut_from,
                    **metrics,
                    "labelled": len(y),
                    "positives": int(y.sum()),
                }
            )
            scored = labelled.assign(score=score, method=name)
            errors.append(worst_errors(scored, cut, worst).assign(method=name))
            scores.append(scored)
        summary = pd.DataFrame(rows)
        summary.attrs.update(
            {
                "unknown_labels": labelled.attrs.get("unknown", 0),
                "unsure_labels": lab.attrs.get("unsure", 0),
                "target_precision": target_precision,
            }
        )
        out = {
            "summary": summary,
            "errors": pd.concat(errors, ignore_index=True)[
                ["method", "error", "job_id", "title", "score"]
            ],
            "scores": pd.concat(scores, ignore_index=True),
        }
        if plot is not None:
            pr_plot(out["scores"], summary, Path(plot), title=f"{family}: precision-recall")
        return out
    finally:
        if tmp is not None:
            tmp.cleanup()


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
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
