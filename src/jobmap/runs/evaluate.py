"""``jobmap evaluate``: every method against labels, with the keyword rule as the baseline."""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from jobmap.config import Settings, option_flag
from jobmap.data.labels import join_labels, read_labels, titles_as_postings
from jobmap.errors import ConfigError
from jobmap.evaluation import pr_plot, scores_metrics, worst_errors
from jobmap.families import save_thresholds as families_save
from jobmap.methods import METHODS, method_class
from jobmap.outputs import (
    PLOT_SUFFIXES,
    check_file,
    jobmap_figure,
    write_output,
)
from jobmap.pipeline import Pipeline, occupation_score
from jobmap.runs.find import check_out, run_inputs
from jobmap.runs.manifest import finish, start

BASELINE = "keywords"


@dataclass
class Evaluation:
    """What :func:`evaluate` found: its tables, manifest and notes, and what it wrote."""

    summary: pd.DataFrame
    errors: pd.DataFrame
    scores: pd.DataFrame
    manifest: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    #: The files written (the plot, the summary CSV), and the thresholds saved with the family.
    plot: Path | None = None
    out: Path | None = None
    saved: dict[str, float] = field(default_factory=dict)
    saved_in: Path | None = None

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {"summary": self.summary, "errors": self.errors, "scores": self.scores}

    def __getitem__(self, name: str) -> pd.DataFrame:
        """``result["summary"]``, as the dict this run returned before."""
        return self.tables[name]


def _folds(y: np.ndarray, k: int, seed: int) -> list[np.ndarray]:
    """Stratified fold index of each labelled posting."""
    rng = np.random.default_rng(seed)
    fold = np.empty(len(y), dtype=int)
    for cls in (True, False):
        idx = rng.permutation(np.flatnonzero(y == cls))
        fold[idx] = np.arange(len(idx)) % k
    return [np.flatnonzero(fold == f) for f in range(k)]


def _options_for(name: str, options: dict[str, Any]) -> dict[str, Any]:
    accepted = method_class(name).arguments()
    return {k: v for k, v in options.items() if k in accepted}


def _check_compared_options(methods: list[str], options: dict[str, Any]) -> None:
    """Each option must be taken by one of the methods compared; each method gets those it
    takes (``--method lda cluster --k 7 --topics 10``)."""
    for option in options:
        if not any(option in method_class(m).arguments() for m in methods):
            takers = [m for m, c in METHODS.items() if option in c.arguments()]
            raise ConfigError(
                f"{option_flag(option)}: none of the methods compared ({', '.join(methods)}) "
                f"takes {option!r}"
                + (f"; it is an option of {', '.join(takers)}." if takers else ".")
            )


def evaluate(
    family: str = "ml-ai",
    data: str | os.PathLike[str] | None = None,
    *,
    labels: str | os.PathLike[str],
    methods: list[str] | tuple[str, ...] = ("auto",),
    target_precision: float = 0.95,
    folds: int = 5,
    worst: int = 5,
    plot: str | os.PathLike[str] | None = None,
    default_plot: bool = False,
    out: str | os.PathLike[str] | None = None,
    save_thresholds: bool = False,
    settings: Settings | None = None,
    overwrite: bool = False,
    **kwargs: Any,
) -> Evaluation:
    """Score ``methods`` against a label file; the keyword rule is always in the table.

    Returns an :class:`Evaluation`: ``summary`` (one row per method), ``errors`` (worst false
    positives and negatives), ``scores`` (every labelled posting's score per method), its
    manifest and notes (``result["summary"]`` works too). Methods that learn from labels (head,
    knn) are scored by ``folds``-fold cross-validation. Without ``data``, a title-only label
    file is evaluated on its own titles. Every other keyword argument is a run setting, as in
    :func:`jobmap.find` (``threshold``, ``model``, ``backend``, ``device``, ``batch_size``,
    ``seed``, ``columns``, ``encoding``, ``families``, ``cache_dir``, ``progress``,
    ``options``...); each method gets the options it takes.

    ``plot`` (.png, .svg, .pdf) and ``out`` (the summary as CSV, its manifest beside it) are
    checked before any work (their folder must exist; an existing file is replaced only with
    ``overwrite``; ``default_plot``: the plot's name was not asked for, and a plot jobmap wrote
    there before is replaced). ``save_thresholds`` stores each compared method's F1-best
    threshold with the family (not for the methods whose rule decides).

    >>> import jobmap
    >>> result = jobmap.evaluate(  # doctest: +SKIP
    ...     "ml-ai", "linkedin-2023/", labels="dev.csv", methods=["anchors"]
    ... )
    """
    started = time.perf_counter()
    if settings is None:
        settings = Settings.build(family, data, **kwargs)
    elif kwargs:
        raise ConfigError(f"give either settings or {', '.join(sorted(kwargs))}, not both.")
    family = settings.family
    if settings.engine != "local":
        raise ConfigError(
            f"--engine {settings.engine}: evaluate scores the labelled postings alone, in this "
            "process; leave --engine out (find and report take it)."
        )
    if save_thresholds and all(method_class(m).rule_decides for m in methods):
        decided = ", ".join(m for m, c in METHODS.items() if c.rule_decides)
        raise ConfigError(
            "--save-thresholds: no method to calibrate among those compared (the rule decides "
            f"{decided}); add one with --method, e.g. --method head anchors."
        )
    inputs = [*run_inputs(settings), Path(labels)]
    # writable, and replacing nothing unasked, before any work
    check_out(out, suffixes=(".csv",), overwrite=overwrite, inputs=inputs)
    replace = overwrite or (default_plot and plot is not None and jobmap_figure(Path(plot)))
    check_file(plot, suffixes=PLOT_SUFFIXES, option="--plot", overwrite=replace, inputs=inputs)
    lab = read_labels(labels)
    wanted = list(dict.fromkeys([BASELINE, *methods]))
    for name in wanted:
        method_class(name)  # an unknown method fails before any work
    _check_compared_options(list(methods), dict(settings.options))
    tmp: tempfile.TemporaryDirectory[str] | None = None
    if settings.data is None and lab.attrs["key"] == "title":
        if settings.columns:
            raise ConfigError(
                "--columns: without --data the label file's titles are the postings, and they "
                "have no columns to name; give --data with the file --columns describes."
            )
        tmp = tempfile.TemporaryDirectory()
        settings = settings.replace(
            data=str(titles_as_postings(lab, Path(tmp.name) / "titles.csv")), columns={}
        )
    try:
        base = Pipeline(settings.replace(method=BASELINE, options={}))
        base.check()  # the family, before the data is read
        ds = base.dataset
        postings = ds.postings
        labelled = join_labels(lab, postings)
        fam, context = base.base_family, base.context
        rows, errors, scores = [], [], []
        position = pd.Series(np.arange(len(postings)), index=postings["job_id"].astype("int64"))
        at = position[labelled["job_id"].astype("int64")].to_numpy()
        y = labelled["label"].to_numpy(dtype=bool)
        answered_labels = 0  # labelled postings that the family's answers decide
        for name in tqdm(wanted, desc="evaluating", disable=not settings.progress, leave=False):
            run_settings = settings.replace(
                method=name,
                options=_options_for(name, dict(settings.options)),
                threshold=None if name == BASELINE else settings.threshold,
            )
            pipe = Pipeline(run_settings, dataset=ds, family=fam, context=context)
            cv = method_class(name).learns_from_labels
            fold_cuts: list[float] = []
            by_answer = np.zeros(len(labelled), dtype=bool)  # labelled postings answers decide
            if cv:
                score = np.zeros(len(labelled))
                for held in _folds(y, folds, settings.seed):
                    train = labelled.drop(index=labelled.index[held])
                    fitted = pipe.fit(labels=train)
                    part = postings.iloc[at[held]]
                    fold_scores, answered = pipe.apply_answers(
                        pipe.score(fitted, part), part, fitted
                    )
                    answered_labels = max(answered_labels, int(answered.notna().sum()))
                    by_answer[held] = answered.notna().to_numpy(dtype=bool)
                    fold_score = fold_scores["score"].to_numpy()
                    own_cut = fitted.fitted_threshold()
                    if own_cut is not None:  # score each fold at its own threshold, then pool
                        fold_cuts.append(own_cut)
                        fold_score = fold_score - own_cut + 0.5
                    score[held] = fold_score
            else:
                fitted = pipe.fit()
                part = postings.iloc[at]
                part_scores, answered = pipe.apply_answers(pipe.score(fitted, part), part, fitted)
                answered_labels = max(answered_labels, int(answered.notna().sum()))
                by_answer = answered.notna().to_numpy(dtype=bool)
                score = part_scores["score"].to_numpy()
            cut, cut_from = pipe.threshold(fitted)
            if cv and fold_cuts and run_settings.threshold is None and name not in fam.thresholds:
                # each fold chose its threshold on its own training folds, and its scores were
                # shifted so that this threshold sits at 0.5
                cut, cut_from = 0.5, "cross-validated"
            # as find does: a posting coded to one of the family's occupations matches (an
            # answer still decides the postings it covers)
            confidence = np.where(by_answer, 0.0, pipe.occupation_confidence()[at])
            raised = np.maximum(score, occupation_score(confidence, cut))
            score = np.where(confidence > 0, raised, score)
            metrics = scores_metrics(y, score, cut, target_precision)
            picked = fitted.decided_by.name if fitted.decided_by is not fitted else ""
            rows.append(
                {
                    "method": name,
                    "picked": picked,
                    "cross_validated": cv,
                    "rule_decides": fitted.rule_decides,
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
        unknown = int(labelled.attrs.get("unknown", 0))
        unsure = int(lab.attrs.get("unsure", 0))
        summary.attrs.update(
            {
                "unknown_labels": unknown,
                "unsure_labels": unsure,
                # their score is their answer: the figures are not the method's alone
                "answered_labels": answered_labels,
                "target_precision": target_precision,
            }
        )
        manifest = start(
            "evaluate",
            settings,
            methods=wanted,
            labels={"path": str(labels), "key": lab.attrs["key"], "rows": len(lab)},
            folds=folds,
            target_precision=target_precision,
            embedding=context.manifest(),
            data={"source": ds.source, "kind": ds.kind, "key": ds.key},
            counts={
                "labelled": len(y),
                "positives": int(y.sum()),
                "decided_by_answers": answered_labels,
            },
        )
        # the settings say every method compared, not the first one the run was built with
        manifest["settings"]["method"] = list(methods)
        summary.attrs["manifest"] = manifest
        notes = []
        if unsure:
            notes.append(f"{unsure:,} unsure labels left out")
        if unknown:
            notes.append(f"{unknown:,} labelled ids not in the data, left out")
        if answered_labels:
            notes.append(
                f"{answered_labels:,} of the labelled postings are decided by your answers for "
                f"{family} (scored as answered); --no-answers measures the methods without them"
            )
        result = Evaluation(
            summary=summary,
            errors=pd.concat(errors, ignore_index=True)[
                ["method", "error", "job_id", "title", "score"]
            ],
            scores=pd.concat(scores, ignore_index=True),
            manifest=finish(manifest, started),
            notes=notes,
        )
        if plot is not None:
            result.plot = pr_plot(
                result.scores, summary, Path(plot), title=f"{family}: precision-recall"
            )
        if out is not None:
            result.out = Path(out)
            write_output(summary, result.out, manifest)
        if save_thresholds:
            best = {
                r["method"]: float(r["best_f1_threshold"])
                for r in summary.to_dict("records")
                if not r["rule_decides"] and np.isfinite(r["best_f1_threshold"])
            }
            result.saved = best
            result.saved_in = families_save(family, best, settings.families)
        return result
    finally:
        if tmp is not None:
            tmp.cleanup()
