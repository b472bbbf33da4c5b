"""Answers in and out as label files (``job_id,title,label``), the format ``evaluate`` reads."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from jobmap.answers.resolve import resolve
from jobmap.answers.store import Answer
from jobmap.answers.subjects import subject


def as_labels(
    answers: list[Answer], postings: pd.DataFrame, protect: Iterable[str] = ()
) -> pd.DataFrame:
    """The postings the answers decide, as labels: ``job_id, title, label`` (bool)."""
    decided = resolve(answers, postings, protect)
    keep = decided.notna().to_numpy()
    out = postings.loc[keep, ["job_id", "title"]].copy()
    out["label"] = (decided[keep] == "yes").to_numpy(dtype=bool)
    return out.reset_index(drop=True)


def export_labels(
    answers: list[Answer], postings: pd.DataFrame | None = None, protect: Iterable[str] = ()
) -> pd.DataFrame:
    """Answers in the label format ``evaluate`` and ``answers import`` read:
    ``job_id,title,label``. With ``postings``: every posting the answers decide. Without: each
    answer about a posting keeps its job id (its title beside it, when known) and each answer
    about a title its title, with an empty job id; importing the file gives the same answers
    back. Phrase answers need the data to become labels."""
    if postings is not None:
        labels = as_labels(answers, postings, protect)
        return labels.assign(label=np.where(labels["label"], "yes", "no"))
    rows = [
        {
            "job_id": a.key if a.kind == "posting" else "",
            "title": a.title if a.kind == "posting" else (a.title or a.key),
            "label": a.answer,
        }
        for a in answers
        if a.answer in ("yes", "no") and a.kind in ("posting", "title")
    ]
    out = pd.DataFrame(rows, columns=["job_id", "title", "label"])
    key = out["job_id"].where(out["job_id"] != "", "title:" + out["title"])
    return out.loc[~key.duplicated(keep="last")].reset_index(drop=True)


def labels_as_answers(labels: pd.DataFrame) -> list[tuple[str, str, str]]:
    """A label file as :func:`jobmap.data.labels.read_labels` reads it, as answers to store
    (subject, answer, title): a row with a job id answers that posting, a row with a title
    alone that title."""
    return [
        (
            subject("posting" if by == "job_id" else "title", key),
            "yes" if label else "no",
            title if by == "job_id" else str(key),
        )
        for key, label, by, title in zip(
            labels["key"], labels["label"], labels["by"], labels["title"], strict=True
        )
    ]


__all__ = ["as_labels", "export_labels", "labels_as_answers"]
