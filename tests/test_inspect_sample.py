from __future__ import annotations

from pathlib import Path

import pytest

import jobmap
from jobmap.errors import ConfigError
from tests.conftest import run_cli


def test_inspect_returns_a_dict_of_dataframes() -> None:
    info = jobmap.inspect()
    assert list(info)[:3] == ["tables", "columns", "notes"]
    tables = info["tables"].set_index("table")
    assert tables.loc["postings", "rows"] == 665
    assert tables.loc["skills", "rows"] == 35
    cols = info["columns"]
    title = cols[(cols["table"] == "postings") & (cols["column"] == "title")].iloc[0]
    assert title["null_share"] == 0.0 and title["type"] == "string"
    desc = cols[(cols["table"] == "postings") & (cols["column"] == "med_salary")].iloc[0]
    assert 0.9 < desc["null_share"] < 1.0
    assert len(info["sample:postings"]) == 3


def test_inspect_cli_shows_every_table_and_says_when_cached() -> None:
    first = run_cli("inspect")
    assert first.exit_code == 0, first.output
    for name in ("postings", "benefits", "job_skills", "employee_counts", "industries"):
        assert f"│ {name} " in first.stdout
    assert "read and cached" in first.stdout
    assert "│ postings             │   665 │" in first.stdout
    second = run_cli("inspect")
    assert "from the cache" in second.stdout


def test_sample_keeps_the_layout_and_filters_side_tables(tmp_path: Path) -> None:
    out = jobmap.sample(None, 40, tmp_path / "small", seed=7)
    assert (out / "postings.csv").is_file() and (out / "jobs" / "salaries.csv").is_file()
    ds = jobmap.load(out)
    full = jobmap.load()
    assert ds.rows("postings") == 40
    ids = set(ds.postings["job_id"].tolist())
    for name in ("benefits", "job_industries", "job_skills", "salaries"):
        t = ds.table(name)
        assert set(t["job_id"].tolist()) <= ids
        want = full.table(name)["job_id"].isin(ids).sum()
        assert len(t) == want
    companies = set(ds.postings["company_id"].dropna().tolist())
    assert set(ds.table("employee_counts")["company_id"].tolist()) <= companies
    assert ds.rows("skills") == full.rows("skills")  # mappings copied whole
    # rows are copied as they were: the raw text of a posting is unchanged
    raw_full = full.postings.set_index("job_id")["description"]
    for _, row in ds.postings.iterrows():
        assert row["description"] == raw_full[row["job_id"]]


def test_sample_is_reproducible(tmp_path: Path) -> None:
    a = jobmap.load(jobmap.sample(None, 25, tmp_path / "a", seed=3)).postings["job_id"].tolist()
    b = jobmap.load(jobmap.sample(None, 25, tmp_path / "b", seed=3)).postings["job_id"].tolist()
    c = jobmap.load(jobmap.sample(None, 25, tmp_path / "c", seed=4)).postings["job_id"].tolist()
    assert a == b and a != c


def test_sample_of_a_single_file(tmp_path: Path) -> None:
    src = tmp_path / "jobs.csv"
    src.write_text(
        "Job Title,Job Description\n" + "".join(f"Job {i},Text {i}\n" for i in range(30))
    )
    out = jobmap.sample(src, 10, tmp_path / "ten.csv", seed=1)
    back = jobmap.load(out).postings
    assert len(back) == 10
    assert out.read_text().startswith("Job Title,Job Description\n")
    assert set(back["title"]) <= {f"Job {i}" for i in range(30)}


def test_sample_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "s"
    jobmap.sample(None, 5, out)
    with pytest.raises(ConfigError, match=r"jobmap wrote before\. Pass --overwrite"):
        jobmap.sample(None, 5, out)
    jobmap.sample(None, 6, out, overwrite=True)
    assert jobmap.load(out).rows("postings") == 6


def test_sample_cli(tmp_path: Path) -> None:
    result = run_cli("sample", "20", "--seed", "2", "--out", str(tmp_path / "x"))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"Wrote 20 postings (seed 2) to {tmp_path / 'x'}"
    bad = run_cli("sample", "0", "--out", str(tmp_path / "y"))
    assert bad.exit_code == 1 and "0 is not in the range x>=1" in bad.stderr
