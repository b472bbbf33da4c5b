"""The report's tables: a family's postings against all the others, from every side table.

Each function takes the scored postings (with ``match``) and the dataset, and returns a DataFrame
(or None when the data lacks what it needs; the reason goes into the notes).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from jobmap.data import Dataset

GROUPS = ("family", "rest")
TOP = 12
_STATE = re.compile(r",\s*([A-Z]{2})\b")
SIZE_BINS = [0, 10, 50, 200, 1000, 5000, 10_000, np.inf]
SIZE_LABELS = ["1-10", "11-50", "51-200", "201-1,000", "1,001-5,000", "5,001-10,000", "10,001+"]


def _group(match: pd.Series) -> pd.Series:
    return np.where(match.astype(bool), "family", "rest")  # type: ignore[return-value]


def compare(df: pd.DataFrame, key: str, top: int = TOP, per_posting: bool = True) -> pd.DataFrame:
    """Postings per ``key`` value in each group, with the share of the group's postings."""
    sizes = df.drop_duplicates("job_id").groupby("group")["job_id"].nunique()
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


def _with_side(scored: pd.DataFrame, side: pd.DataFrame, on: str, value: str) -> pd.DataFrame:
    base = scored[["job_id", "group", on]] if on != "job_id" else scored[["job_id", "group"]]
    return base.merge(side[[on, value]].dropna(), on=on, how="inner")


#: The yearly salaries the report believes (outside: pay for another period typed as yearly).
SALARY_RANGE = (10_000, 1_000_000)


def build_tables(scored: pd.DataFrame, ds: Dataset) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Every table the data allows, and notes on what it does not."""
    p = ds.postings.merge(scored[["job_id", "match", "score"]], on="job_id", how="inner")
    p["group"] = _group(p["match"])
    tables: dict[str, pd.DataFrame] = {}
    # What the dataset itself lacks (missing tables, partial company coverage) comes first.
    notes: list[str] = [n["text"] for n in ds.note_records("missing_table", "coverage")]

    sizes = p.groupby("group")["job_id"].nunique().reindex(list(GROUPS)).fillna(0).astype(int)
    tables["overview"] = pd.DataFrame(
        {
            "group": list(GROUPS),
            "postings": sizes.to_numpy(),
            "share": sizes.to_numpy() / max(1, len(p)),
        }
    )
    tables["top_titles"] = (
        p[p["group"] == "family"]["title"]
        .value_counts()
        .head(20)
        .rename_axis("title")
        .reset_index(name="postings")
    )

    # Salaries: the postings' own columns, else the salaries side table.
    salary = p[["job_id", "group"]].copy()
    if "annual_salary" in p.columns and p["annual_salary"].notna().any():
        salary["annual_salary"] = p["annual_salary"]
    elif ds.has("salaries"):
        s = ds.table("salaries").groupby("job_id")["annual_salary"].median()
        salary["annual_salary"] = salary["job_id"].map(s)
    if "annual_salary" in salary.columns and salary["annual_salary"].notna().any():
        sal = salary.dropna(subset=["annual_salary"])
        # hourly rates mistyped as yearly and the like: keep plausible yearly amounts, and say
        # how many were left out
        low = int((sal["annual_salary"] < SALARY_RANGE[0]).sum())
        high = int((sal["annual_salary"] > SALARY_RANGE[1]).sum())
        if low or high:
            notes.append(
                f"Salaries: {low + high:,} of the {len(sal):,} postings with a salary are left out "
                f"of the salary figures, their yearly amount below ${SALARY_RANGE[0]:,} ({low:,}) "
                f"or above ${SALARY_RANGE[1]:,} ({high:,}): mostly hourly or monthly pay typed "
                "as yearly."
            )
        sal = sal[sal["annual_salary"].between(*SALARY_RANGE)]
        tables["salary"] = (
            sal.groupby("group")["annual_salary"]
            .describe(percentiles=[0.25, 0.5, 0.75])[["count", "25%", "50%", "75%"]]
            .rename(columns={"count": "postings", "25%": "p25", "50%": "median", "75%": "p75"})
            .reindex(list(GROUPS))
            .reset_index()
        )
        tables["salary_values"] = sal[["job_id", "group", "annual_salary"]]
        if "formatted_experience_level" in p.columns:
            lvl = sal.merge(p[["job_id", "formatted_experience_level"]], on="job_id")
            tables["salary_by_experience"] = (
                lvl.dropna(subset=["formatted_experience_level"])
                .groupby(["formatted_experience_level", "group"])["annual_salary"]
                .agg(median="median", postings="count")
                .reset_index()
            )
    else:
        notes.append(
            "No salary data: the postings have no salary columns and there is no salaries table."
        )

    if "company_name" in p.columns and p["company_name"].notna().any():
        tables["companies"] = compare(p, "company_name")
    elif ds.has("companies") and "company_id" in p.columns:
        names = ds.table("companies")[["company_id", "name"]]
        tables["companies"] = compare(p.merge(names, on="company_id", how="left"), "name")
    else:
        notes.append("No company names: no company_name column and no companies table.")

    if ds.has("job_industries") and ds.has("industries"):
        ind = ds.table("job_industries").merge(ds.table("industries"), on="industry_id")
        tables["job_industries"] = compare(
            _with_side(p, ind, "job_id", "industry_name"), "industry_name"
        )
    else:
        notes.append("No job industries (job_industries or industries table missing).")
    if ds.has("company_industries") and "company_id" in p.columns:
        tables["company_industries"] = compare(
            _with_side(p, ds.table("company_industries"), "company_id", "industry"), "industry"
        )
    else:
        notes.append("No company industries (company_industries table missing).")
    if ds.has("job_skills") and ds.has("skills"):
        sk = ds.table("job_skills").merge(ds.table("skills"), on="skill_abr")
        tables["skills"] = compare(_with_side(p, sk, "job_id", "skill_name"), "skill_name")
    else:
        notes.append("No skills (job_skills or skills table missing).")
    if ds.has("benefits"):
        tables["benefits"] = compare(_with_side(p, ds.table("benefits"), "job_id", "type"), "type")
    else:
        notes.append("No benefits table.")

    if "location" in p.columns:
        p["state"] = p["location"].astype("string").str.extract(_STATE, expand=False)
        tables["states"] = compare(p, "state", top=15)
    if "remote_allowed" in p.columns:
        remote = p.assign(remote=p["remote_allowed"].fillna(False).astype(bool))
        tables["remote"] = (
            remote.groupby("group")["remote"]
            .agg(remote_share="mean", postings="count")
            .reindex(list(GROUPS))
            .reset_index()
        )
    for column, name in (
        ("formatted_experience_level", "experience"),
        ("formatted_work_type", "work_type"),
    ):
        if column in p.columns:
            tables[name] = compare(p, column)
    if "listed_time" in p.columns and p["listed_time"].notna().any():
        month = p["listed_time"].dt.to_period("M").astype(str)
        tables["over_time"] = (
            p.assign(month=month)
            .groupby(["month", "group"])["job_id"]
            .nunique()
            .unstack("group")
            .reindex(columns=list(GROUPS))
            .fillna(0)
            .astype(int)
            .reset_index()
        )
    else:
        notes.append("No posting dates (listed_time) in this dataset.")
    if ds.has("employee_counts") and "company_id" in p.columns:
        ec = (
            ds.table("employee_counts")
            .sort_values("time_recorded")
            .drop_duplicates("company_id", keep="last")
        )
        sized = p.merge(ec[["company_id", "employee_count"]], on="company_id", how="inner")
        sized["company_size"] = pd.cut(
            sized["employee_count"], SIZE_BINS, labels=SIZE_LABELS, right=True
        ).astype(str)
        table = compare(sized, "company_size", top=len(SIZE_LABELS))
        order = {label: i for i, label in enumerate(SIZE_LABELS)}
        tables["company_size"] = table.sort_values("company_size", key=lambda s: s.map(order))
    else:
        notes.append("No company sizes (employee_counts table missing).")
    return tables, notes


def describe(tables: dict[str, Any]) -> dict[str, int]:
    """Row counts of the tables (for the manifest)."""
    return {name: len(df) for name, df in tables.items()}
