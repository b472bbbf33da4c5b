"""The real shared datasets (present in the developers' checkout and CI, not in a user's clone)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import jobmap
from tests.conftest import needs_shared, run_cli

pytestmark = pytest.mark.shared


def test_linkedin_2023_every_table() -> None:
    path = needs_shared("data", "linkedin-2023")
    ds = jobmap.load(path)
    assert ds.kind == "kaggle-2023"
    assert ds.rows("postings") == 33_246
    assert ds.postings["title"].nunique() == 22_404
    expected = {
        "benefits": 29_325,
        "job_industries": 44_091,
        "job_skills": 56_591,
        "salaries": 13_352,
        "company_industries": 12_601,
        "company_specialities": 78_405,
        "employee_counts": 14_275,
        "industries": 229,
        "skills": 35,
    }
    for name, rows in expected.items():
        assert ds.rows(name) == rows, name
    assert "companies" not in ds.table_names
    assert "postings: no descriptions; methods will work on titles alone." in ds.notes
    salaries = ds.table("salaries")
    assert salaries["annual_salary"].notna().mean() > 0.9


def test_linkedin_2024_sample_and_its_zip(tmp_path: Path) -> None:
    path = needs_shared("data", "linkedin-2024-sample")
    archive = Path(shutil.make_archive(str(tmp_path / "linkedin-job-postings"), "zip", path))
    for source in (path, archive):
        result = run_cli("inspect", "--data", str(source))
        assert result.exit_code == 0, result.output
        assert "│ postings             │   665 │" in result.stdout
    again = run_cli("inspect", "--data", str(archive))
    assert "from the cache" in again.stdout


def test_dev_labels_join_the_2023_postings() -> None:
    labels = needs_shared("labels", "ml-ai-linkedin-2023-dev.csv")
    import pandas as pd

    lab = pd.read_csv(labels)
    ds = jobmap.load(needs_shared("data", "linkedin-2023"))
    assert lab["job_id"].isin(ds.postings["job_id"]).all()
