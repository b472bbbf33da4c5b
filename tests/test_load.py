from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import jobmap
from jobmap.config import resolve_cache_dir
from jobmap.data.store import Store
from jobmap.errors import DataError

ALL_TABLES = [
    "postings",
    "benefits",
    "job_industries",
    "job_skills",
    "salaries",
    "companies",
    "company_industries",
    "company_specialities",
    "employee_counts",
    "industries",
    "skills",
]


def test_bundled_sample_loads_every_table() -> None:
    ds = jobmap.load()
    assert ds.kind == "kaggle-2024"
    assert ds.table_names == ALL_TABLES
    assert ds.rows("postings") == 665
    assert ds.rows("companies") == 68
    p = ds.postings
    assert str(p["job_id"].dtype) == "Int64"
    assert str(p["company_id"].dtype) == "Int64"
    assert str(p["listed_time"].dtype) == "datetime64[ms]"
    assert p["title"].notna().all()
    assert "annual_salary" in p.columns
    assert any("companies: rows for 68 of the" in n for n in ds.notes)


def test_second_load_is_served_from_the_cache(sample_copy: Path) -> None:
    first = jobmap.load(sample_copy)
    assert not first.from_cache
    second = jobmap.load(sample_copy)
    assert second.from_cache and second.key == first.key
    pd.testing.assert_frame_equal(first.postings, second.postings)


def test_a_changed_file_is_noticed(sample_copy: Path) -> None:
    first = jobmap.load(sample_copy)
    skills = sample_copy / "mappings" / "skills.csv"
    skills.write_text(skills.read_text() + "ZZZ,Something New\n")
    second = jobmap.load(sample_copy)
    assert not second.from_cache and second.key != first.key
    assert second.rows("skills") == first.rows("skills") + 1


def test_same_size_edit_is_noticed_even_with_the_old_mtime(sample_copy: Path) -> None:
    first = jobmap.load(sample_copy)
    skills = sample_copy / "mappings" / "skills.csv"
    st = skills.stat()
    text = skills.read_text().replace("Art/Creative", "Art/Kreative")
    skills.write_text(text)
    os.utime(skills, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    second = jobmap.load(sample_copy)
    assert second.key != first.key
    assert "Art/Kreative" in second.table("skills")["skill_name"].tolist()


def test_zip_as_downloaded_and_its_folder_give_the_same_tables(
    sample_copy: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "linkedin-job-postings.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in sample_copy.rglob("*.csv"):
            zf.write(f, f.relative_to(sample_copy))
    from_zip = jobmap.load(archive)
    from_dir = jobmap.load(sample_copy)
    assert from_zip.table_names == from_dir.table_names
    for name in from_dir.table_names:
        assert from_zip.rows(name) == from_dir.rows(name)


def test_zip_with_a_top_folder(sample_copy: Path, tmp_path: Path) -> None:
    archive = tmp_path / "nested.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in sample_copy.rglob("*.csv"):
            zf.write(f, "archive/" + str(f.relative_to(sample_copy)))
    assert jobmap.load(archive).rows("postings") == 665


def test_unzipped_into_a_folder_of_its_own(sample_copy: Path) -> None:
    parent = sample_copy.parent
    assert jobmap.load(parent).rows("postings") == 665


def test_missing_side_tables_are_reported_not_fatal(sample_copy: Path) -> None:
    shutil.rmtree(sample_copy / "companies")
    (sample_copy / "jobs" / "benefits.csv").unlink()
    ds = jobmap.load(sample_copy)
    assert "companies" not in ds.table_names and "benefits" not in ds.table_names
    assert "companies: table not in the source" in ds.notes
    assert "benefits: table not in the source" in ds.notes
    with pytest.raises(DataError, match="no 'companies' table"):
        ds.table("companies")


def test_side_table_without_its_key_column_is_left_out(sample_copy: Path) -> None:
    (sample_copy / "jobs" / "job_skills.csv").write_text("foo,bar\n1,2\n")
    ds = jobmap.load(sample_copy)
    assert "job_skills" not in ds.table_names
    assert any("no job_id column" in n for n in ds.notes)


def test_cache_dir_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JOBMAP_CACHE", str(tmp_path / "env"))
    assert resolve_cache_dir(tmp_path / "flag") == tmp_path / "flag"
    assert resolve_cache_dir(None) == tmp_path / "env"
    monkeypatch.delenv("JOBMAP_CACHE")
    assert resolve_cache_dir(None).name == "jobmap"


def test_explicit_cache_dir_is_used(sample_copy: Path, tmp_path: Path) -> None:
    ds = jobmap.load(sample_copy, cache_dir=tmp_path / "mine")
    assert ds.folder is not None and ds.folder.is_relative_to(tmp_path / "mine")
    assert (ds.folder / "postings.parquet").is_file()


def test_a_run_killed_while_writing_leaves_no_half_dataset(
    sample_copy: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pd.DataFrame.to_parquet
    calls = {"n": 0}

    def dying(self: pd.DataFrame, *args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pd.DataFrame, "to_parquet", dying)
    with pytest.raises(KeyboardInterrupt):
        jobmap.load(sample_copy)
    monkeypatch.setattr(pd.DataFrame, "to_parquet", real)
    root = Store(cache_dir).root
    assert list(root.iterdir()) == []  # neither a dataset nor a temporary folder
    ds = jobmap.load(sample_copy)
    assert not ds.from_cache and ds.rows("postings") == 665


def test_unwritable_cache_still_returns_the_data(sample_copy: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache folder should be")
    with pytest.warns(UserWarning, match="cannot write the cache folder"):
        ds = jobmap.load(sample_copy, cache_dir=blocker)
    assert ds.folder is None and ds.rows("postings") == 665
    assert len(ds.postings) == 665


def test_refresh_rereads(sample_copy: Path) -> None:
    jobmap.load(sample_copy)
    assert not jobmap.load(sample_copy, refresh=True).from_cache
