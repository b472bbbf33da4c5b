"""A postings file read in parts (bounded memory) gives the dataset a whole read gives."""

from __future__ import annotations

import random
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

import jobmap
from jobmap.data import dataset as dataset_module
from jobmap.errors import DataError

from .test_hardening import _malformed


def _both(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, data: Path | None, part_rows: int = 97
) -> tuple[jobmap.Dataset, jobmap.Dataset]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        whole = jobmap.load(data, cache_dir=tmp_path / "whole", progress=False)
        monkeypatch.setenv("JOBMAP_STREAM_BYTES", "0")
        monkeypatch.setattr(dataset_module, "PART_ROWS", part_rows)
        parts = jobmap.load(data, cache_dir=tmp_path / "parts", progress=False)
    monkeypatch.delenv("JOBMAP_STREAM_BYTES")
    return whole, parts


def _same(whole: jobmap.Dataset, parts: jobmap.Dataset) -> None:
    assert parts.manifest["tables"]["postings"].get("read_in_parts")
    assert whole.key == parts.key
    assert whole.table_names == parts.table_names
    assert whole.notes == parts.notes
    a = pd.read_parquet(whole.folder / "postings.parquet")  # type: ignore[operator]
    b = pd.read_parquet(parts.folder / "postings.parquet")  # type: ignore[operator]
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    for name in whole.table_names[1:]:
        pd.testing.assert_frame_equal(whole.table(name), parts.table(name))


def test_the_bundled_sample_read_in_parts_is_the_sample(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    whole, parts = _both(monkeypatch, tmp_path, None)
    _same(whole, parts)
    assert parts.rows("postings") == 665 and parts.has_descriptions


def test_problems_are_counted_across_parts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    rows = ["job_id,title,company,salary_k"]
    for i in range(300):
        title = "" if i % 50 == 7 else f"Engineer {i % 13}"
        job_id = i if i % 61 != 5 else i - 5  # a few ids repeat ids of the same or an earlier part
        bad = "n/a" if i == 250 else str(i % 90)  # a number column with one text value late
        rows.append(f"{job_id},{title},Co {i % 7},{bad}")
    f = tmp_path / "p.csv"
    f.write_text("\n".join(rows) + "\n")
    whole, parts = _both(monkeypatch, tmp_path, f, part_rows=40)
    a = pd.read_parquet(whole.folder / "postings.parquet")  # type: ignore[operator]
    b = pd.read_parquet(parts.folder / "postings.parquet")  # type: ignore[operator]
    assert a["job_id"].tolist() == b["job_id"].tolist()
    assert a["title"].tolist() == b["title"].tolist()
    # one note per kind, with the totals of all parts
    for kind in ("empty title", "repeat a job_id"):
        (w,) = [n for n in whole.notes if kind in n]
        (p,) = [n for n in parts.notes if kind in n]
        assert w == p
    # the unknown column: numbers as the first part says; the late text value is counted
    assert any("'salary_k' has 1 value(s) that are not numbers" in n for n in parts.warnings)
    assert b["salary_k"].isna().sum() == 1


def test_derived_ids_are_the_same_in_parts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    f = tmp_path / "noid.csv"
    lines = ["title,company"] + [f"Data Scientist,Co {i % 3}" for i in range(120)]
    f.write_text("\n".join(lines) + "\n")
    whole, parts = _both(monkeypatch, tmp_path, f, part_rows=25)
    a = pd.read_parquet(whole.folder / "postings.parquet")  # type: ignore[operator]
    b = pd.read_parquet(parts.folder / "postings.parquet")  # type: ignore[operator]
    assert a["job_id"].tolist() == b["job_id"].tolist()
    assert b["job_id"].is_unique and len(b) == 120


def test_a_parquet_file_in_parts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    src = jobmap.load(progress=False).postings[["job_id", "title", "description", "company_id"]]
    f = tmp_path / "p.parquet"
    src.to_parquet(f)
    whole, parts = _both(monkeypatch, tmp_path, f, part_rows=100)
    _same(whole, parts)
    batches = list(parts.batches(["job_id", "title"], rows=200))
    assert [len(b) for b in batches] == [200, 200, 200, 65]
    assert batches[1].index[0] == 200 and list(batches[0].columns) == ["job_id", "title"]
    assert parts.read(["title"])["title"].tolist() == src["title"].tolist()


@pytest.mark.parametrize("seed", range(40))
def test_malformed_files_lose_nothing_more_in_parts(
    seed: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    rng = random.Random(seed)
    f = tmp_path / "fuzz.csv"
    f.write_bytes(_malformed(rng, rng.randint(1, 30)).encode("utf-8", "surrogateescape"))
    try:
        whole, parts = _both(monkeypatch, tmp_path, f, part_rows=4)
    except DataError as exc:  # a file that cannot be read fails the same way in parts
        monkeypatch.setenv("JOBMAP_STREAM_BYTES", "0")
        with pytest.raises(DataError):
            jobmap.load(f, cache_dir=tmp_path / "again", progress=False)
        assert str(exc).startswith(str(f)) or "--" in str(exc)
        return
    # every record is read or counted either way (the first part decides how ids are made: a
    # whole read that finds one id that is no number derives them all, a read in parts skips
    # that row and counts it)
    assert whole.rows("postings") + _counted(whole) == parts.rows("postings") + _counted(parts)


_SKIPPED = re.compile(
    r"skipped (\d+)|like (\d+) further row|has (\d+) value\(s\) that [^;]*; those rows were skipped"
)


def _counted(ds: jobmap.Dataset) -> int:
    return sum(int(a or b or c) for n in ds.warnings for a, b, c in _SKIPPED.findall(n))


@pytest.mark.parametrize("method", ["auto", "keywords", "bootstrap"])
def test_find_in_batches_gives_find_whole(
    method: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fake_model: object
) -> None:
    opts = {"method": method, "all": True, "progress": False, "model": "fake"}
    whole = jobmap.find(cache_dir=tmp_path / "whole", **opts)
    monkeypatch.setenv("JOBMAP_STREAM_BYTES", "0")
    monkeypatch.setattr(dataset_module, "PART_ROWS", 64)
    monkeypatch.setenv("JOBMAP_BATCH_ROWS", "50")
    batched = jobmap.find(cache_dir=tmp_path / "parts", **opts)
    assert batched.attrs["manifest"]["data"]["key"] == whole.attrs["manifest"]["data"]["key"]
    # scores within 1e-6 before the output rounds them to 6 decimals (which can make it 2e-6)
    pd.testing.assert_frame_equal(batched, whole, check_exact=False, atol=2e-6, rtol=0)
    assert batched["match"].sum() > 0


@pytest.mark.parametrize(
    ("name", "value"),
    [("JOBMAP_BATCH_ROWS", "0"), ("JOBMAP_BATCH_ROWS", "many"), ("JOBMAP_STREAM_BYTES", "-1")],
)
def test_a_bad_size_setting_is_one_clear_error(
    name: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .conftest import run_cli

    monkeypatch.setenv(name, value)
    result = run_cli("find", "ml-ai", "--quiet")
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    assert f"${name}={value!r}: give a whole number" in result.stderr
