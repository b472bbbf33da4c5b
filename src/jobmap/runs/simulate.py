"""``jobmap evaluate --simulate-review``: a review answered from labels, its curve measured."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from jobmap.config import Settings
from jobmap.data.labels import join_labels, read_labels
from jobmap.outputs import write_output
from jobmap.pipeline import Pipeline
from jobmap.review import simulate_review
from jobmap.runs.find import check_out, run_inputs
from jobmap.runs.manifest import data_part, finish, start


@dataclass
class Simulation:
    """A simulated review: its curve (``order, answers, precision, recall, f1``), how many
    postings were labelled, the questions skipped per order, the manifest and what it wrote."""

    curve: pd.DataFrame
    labelled: int
    manifest: dict[str, Any]
    skipped: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    out: Path | None = None

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {"curve": self.curve}


def simulate(
    labels: str | os.PathLike[str],
    answers: int,
    *,
    settings: Settings,
    out: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    partial: bool = True,
) -> Simulation:
    """From the family with no answers (a temporary store), answer the review queue's next
    question ``answers`` times from ``labels``, re-fit as the page does, and measure precision,
    recall and F1 on the labels after each answer, beside questions in random order. ``out``:
    the curve as CSV (checked before any work). ``partial``: a phrase or occupation question is
    answered with exceptions (the titles its card lists whose labels say the other answer), as
    the page lets a person do; False: all or nothing, by the majority of its labels."""
    started = time.perf_counter()
    check_out(
        out, suffixes=(".csv",), overwrite=overwrite, inputs=[*run_inputs(settings), Path(labels)]
    )
    lab = read_labels(labels)
    dataset = Pipeline(settings).dataset
    labelled = join_labels(lab, dataset.postings)
    curve = simulate_review(
        settings, labelled[["job_id", "label"]], answers, dataset=dataset, partial=partial
    )
    skipped = dict(curve.attrs.get("skipped", {}))
    notes = []
    if skipped:
        notes.append(
            "Skipped (no labelled posting, or a tie): "
            + "; ".join(f"{order} {k} of {answers}" for order, k in skipped.items())
            + ". A skip counts as an answer given."
        )
    manifest = start(
        "simulate",
        settings,
        labels={"path": str(labels), "key": lab.attrs["key"], "rows": len(lab)},
        answers=answers,
        partial_answers=partial,
        data=data_part(dataset),
        counts={"labelled": len(labelled), "positives": int(labelled["label"].sum())},
        skipped=skipped,
    )
    result = Simulation(
        curve=curve,
        labelled=len(labelled),
        manifest=finish(manifest, started),
        skipped=skipped,
        notes=notes,
    )
    if out is not None:
        result.out = Path(out)
        write_output(curve, result.out, manifest)
    return result


__all__ = ["Simulation", "simulate"]
