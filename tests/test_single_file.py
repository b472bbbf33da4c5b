from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import jobmap
from jobmap.errors import DataError


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_common_column_names_are_found(tmp_path: Path) -> None:
    f = write(
        tmp_path / "glassdoor.csv",
        "Job Title,Job Description,Company\n"
        'Data Scientist,"Build models, lots of them",Acme\n'
        "Nurse,Care for patients,Hospital\n",
    )
    ds = jobmap.load(f)
    p = ds.postings
    assert ds.kind == "file"
    assert p["title"].tolist() == ["Data Scientist", "Nurse"]
    assert p["description"].tolist()[0] == "Build models, lots of them"
    assert p["company_name"].tolist() == ["Acme", "Hospital"]
    assert ds.manifest["columns"] == {
        "title": "Job Title",
        "description": "Job Description",
        "company_name": "Company",
    }


def test_explicit_column_mapping(tmp_path: Path) -> None:
    f = write(tmp_path / "x.csv", "Headline,Body,ref\nML Engineer,Train models,17\n")
    ds = jobmap.load(f, columns=["title=Headline", "description=Body", "job_id=ref"])
    row = ds.postings.iloc[0]
    assert (row["title"], row["description"], row["job_id"]) == ("ML Engineer", "Train models", 17)


def test_mapping_to_a_column_that_is_not_there(tmp_path: Path) -> None:
    f = write(tmp_path / "x.csv", "Headline,Body\nA,B\n")
    with pytest.raises(DataError) as info:
        jobmap.load(f, columns={"title": "Job Title"})
    msg = str(info.value)
    assert "x.csv" in msg and "'Job Title'" in msg and "'Headline', 'Body'" in msg


def test_ids_derived_from_content_are_stable(tmp_path: Path) -> None:
    rows = ["title,location", "Cook,Austin", "Nurse,Boston", "Cook,Austin", "Pilot,Denver"]
    a = jobmap.load(write(tmp_path / "a.csv", "\n".join(rows) + "\n")).postings
    b = jobmap.load(write(tmp_path / "b.csv", "\n".join([rows[0], *rows[:0:-1]]) + "\n")).postings
    assert a["job_id"].is_unique  # the duplicate Cook row gets its own id
    ida = dict(
        zip(a["title"] + a.groupby("title").cumcount().astype(str), a["job_id"], strict=True)
    )
    idb = dict(
        zip(b["title"] + b.groupby("title").cumcount().astype(str), b["job_id"], strict=True)
    )
    assert ida == idb
    assert (a["job_id"] > 0).all()


def test_text_ids_are_kept_as_source_id(tmp_path: Path) -> None:
    f = write(tmp_path / "x.csv", "id,title\njk_1,Cook\njk_2,Nurse\n")
    p = jobmap.load(f).postings
    assert p["source_id"].tolist() == ["jk_1", "jk_2"]
    assert str(p["job_id"].dtype) == "Int64" and p["job_id"].is_unique


def test_parquet_and_tsv(tmp_path: Path) -> None:
    df = pd.DataFrame({"job_title": ["AI Engineer", "Welder"], "salary": [100, 50]})
    df.to_parquet(tmp_path / "x.parquet")
    p = jobmap.load(tmp_path / "x.parquet").postings
    assert p["title"].tolist() == ["AI Engineer", "Welder"]
    write(tmp_path / "x.tsv", "title\tsalary\nAI Engineer\t100\n")
    p = jobmap.load(tmp_path / "x.tsv").postings
    assert p["title"].tolist() == ["AI Engineer"]
    assert p["salary"].tolist() == [100]  # unknown numeric columns become numbers


def test_duplicate_ids_keep_the_first(tmp_path: Path) -> None:
    f = write(tmp_path / "x.csv", "job_id,title\n1,Cook\n1,Nurse\n2,Pilot\n")
    with pytest.warns(UserWarning, match="repeat a job_id"):
        p = jobmap.load(f).postings
    assert p["title"].tolist() == ["Cook", "Pilot"]
