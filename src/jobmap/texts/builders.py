"""Text builders: the strings each method reads, built from a batch of postings.

Each builder is a function over a DataFrame batch, so a distributed engine can map it unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from jobmap.data.schema import clean, has_descriptions

__all__ = ["TITLE_PREFIX", "clean", "contains_phrase", "has_descriptions", "title_texts"]

#: The notebook's prefix. It matters: cosine("Machine Learning Engineer", "Senior Machine Learning
#: Engineer") is 0.80 raw and 0.92 with it.
TITLE_PREFIX = "Job title: "


def title_texts(batch: pd.DataFrame, prefix: str = TITLE_PREFIX) -> list[str]:
    """``"Job title: <title>"`` for each posting of the batch."""
    return [prefix + clean(t) for t in batch["title"].tolist()]


def contains_phrase(titles: Iterable[object], phrases: tuple[str, ...] | list[str]) -> np.ndarray:
    """Which titles contain one of ``phrases`` as a plain, case-insensitive substring.

    This is how the notebook's method (c) found its anchors ("machine learning" in the title), and
    ``anchors`` and ``cluster`` keep it so as to reproduce the notebook: a substring also matches
    inside a word ("AI" in "Chair"), which is why the keyword rule
    (:mod:`jobmap.methods.keywords`) matches whole words instead.
    """
    needles = [p.lower() for p in phrases if p]
    values = list(titles.tolist() if hasattr(titles, "tolist") else titles)
    out = np.zeros(len(values), dtype=bool)
    if not needles:
        return out
    for i, title in enumerate(values):
        if isinstance(title, str):
            low = title.lower()
            out[i] = any(n in low for n in needles)
    return out
