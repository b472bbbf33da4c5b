"""What the report's tables are made of: the two groups (the family's postings and all others),
the comparison of their shares per value of an attribute, and the ranges the report trusts. The
tables themselves are built section by section (:mod:`jobmap.report.sections`)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

GROUPS = ("family", "rest")
TOP = 12
STATE = re.compile(r",\s*([A-Z]{2})\b")
SIZE_BINS = [0, 10, 50, 200, 1000, 5000, 10_000, np.inf]
SIZE_LABELS = ["1-10", "11-50", "51-200", "201-1,000", "1,001-5,000", "5,001-10,000", "10,001+"]


def group_sizes(p: pd.DataFrame) -> pd.Series:
    """The postings of each group (the family's, the rest)."""
    return p.drop_duplicates("job_id").groupby("group")["job_id"].nunique()


def compare(
    df: pd.DataFrame, key: str, top: int = TOP, sizes: pd.Series | None = None
) -> pd.DataFrame:
    """Postings per ``key`` value in each group, with the share of the group's postings:
    ``sizes``, the groups' sizes among all postings (a side table's rows cover only some of
    them: the share of the group, not of those with a row), else those of ``df``."""
    if sizes is None:
        sizes = group_sizes(df)
    counts = (
        df.dropna(subset=[key])
        .groupby([key, "group"])["job_id"]
        .nunique()
        .unstack("group")
        .reindex(columns=list(GROUPS))
        .fillna(0)
        .astype(int)
    )
    for g in GROUPS:
        counts[f"{g}_share"] = counts[g] / sizes.get(g, 0) if sizes.get(g, 0) else 0.0
    counts = counts.sort_values(["family", "rest"], ascending=False).head(top)
    return counts.rename_axis(key).reset_index()


def with_side(scored: pd.DataFrame, side: pd.DataFrame, on: str, value: str) -> pd.DataFrame:
    base = scored[["job_id", "group", on]] if on != "job_id" else scored[["job_id", "group"]]
    return base.merge(side[[on, value]].dropna(), on=on, how="inner")


#: The yearly salaries the report believes (outside: pay for another period typed as yearly).
SALARY_RANGE = (10_000, 1_000_000)


def describe(tables: dict[str, Any]) -> dict[str, int]:
    """Row counts of the tables (for the manifest)."""
    return {name: len(df) for name, df in tables.items()}


__all__ = ["GROUPS", "SALARY_RANGE", "STATE", "compare", "describe", "group_sizes", "with_side"]
