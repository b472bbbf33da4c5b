"""Text builders: the strings each method reads, built from a batch of postings.

Each builder is a function over a DataFrame batch, so a distributed engine can map it unchanged.
"""

from __future__ import annotations

import pandas as pd

from jobmap.data.schema import clean, has_descriptions

__all__ = ["TITLE_PREFIX", "clean", "has_descriptions", "title_texts"]

#: The notebook's prefix. It matters: cosine("Machine Learning Engineer", "Senior Machine Learning
#: Engineer") is 0.80 raw and 0.92 with it.
TITLE_PREFIX = "Job title: "


def title_texts(batch: pd.DataFrame, prefix: str = TITLE_PREFIX) -> list[str]:
    """``"Job title: <title>"`` for each posting of the batch."""
    return [prefix + clean(t) for t in batch["title"].tolist()]
