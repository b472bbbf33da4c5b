"""Text builders: the strings each method reads, built from a batch of postings.

Each builder is a function over a DataFrame batch, so a distributed engine can map it unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from jobmap.data.schema import clean, has_descriptions

__all__ = ["TITLE_PREFIX", "clean", "has_descriptions", "text_keys", "title_texts"]

#: The notebook's prefix. It matters: cosine("Machine Learning Engineer", "Senior Machine Learning
#: Engineer") is 0.80 raw and 0.92 with it.
TITLE_PREFIX = "Job title: "


def title_texts(batch: pd.DataFrame, prefix: str = TITLE_PREFIX) -> list[str]:
    """``"Job title: <title>"`` for each posting of the batch."""
    return [prefix + clean(t) for t in batch["title"].tolist()]


def text_keys(batch: pd.DataFrame, columns: Iterable[str]) -> np.ndarray:
    """A hash of each posting's ``columns`` read as text (those the batch has; a missing value is
    empty): postings with equal keys have the same texts, and a step that depends only on them
    (coding an occupation, finding technologies) need read one of them."""
    present = [c for c in columns if c in batch.columns]
    text = batch[present].astype("string").fillna("")
    return np.asarray(pd.util.hash_pandas_object(text, index=False).to_numpy())
