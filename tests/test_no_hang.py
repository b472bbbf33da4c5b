"""No hang, no "bug" exit for a known cause, no misleading message: cases of the second hardening
probe (issue 19, items 13-18), each failing before its fix."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

import jobmap
from jobmap.answers import AnswerStore
from jobmap.errors import StorageError
from tests.conftest import run_cli


def _one_line(result, *must: str) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: ") and len(result.stderr.splitlines()) == 1
    assert "bug in jobmap" not in result.stderr
    for text in must:
        assert text in result.stderr, result.stderr


# -- files that never end ------------------------------------------------------------------------


def test_a_fifo_or_a_device_as_data_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    _one_line(run_cli("inspect", "--data", fifo), "not a regular file")
    zero = tmp_path / "zero.csv"
    zero.symlink_to("/dev/zero")
    _one_line(run_cli("find", "ml-ai", "--data", zero), "not a regular file")


# -- family patterns -----------------------------------------------------------------------------


@pytest.mark.parametrize("keyword", ["*", "re:", "re:.*", "re:^", " ** "])
def test_a_keyword_that_matches_every_posting_is_refused(tmp_path: Path, keyword: str) -> None:
    fams = tmp_path / "f.toml"
    fams.write_text(f'[families.x]\nanchors = ["nurse"]\nkeywords = ["nurse", "{keyword}"]\n')
    result = run_cli("find", "x", "--families", fams, "--method", "keywords")
    _one_line(result, "[families.x]: keywords", "every posting")
    added = run_cli(
        "family", "add", "y", "--anchors", "nurse", "--keywords", keyword, "--families", fams
    )
    _one_line(added, "--keywords", "every posting")


def test_a_slow_pattern_is_stopped_once_for_the_run_not_per_title(tmp_path: Path) -> None:
    fams = tmp_path / "f.toml"
    fams.write_text('[families.x]\nanchors = ["nurse"]\nkeywords = ["re:(a|aa)+$"]\n')
    data = tmp_path / "a.csv"
    data.write_text("title\n" + "".join(f"{'a' * 31}b{i}\n" for i in range(50)))
    result = run_cli("find", "x", "--data", data, "--families", fams, "--method", "keywords")
    # stopped once its slow matches took 2 s in all: after a few titles, not after 50
    _one_line(result, "took more than 2 s in all")
    slow = int(result.stderr.split("in all (")[1].split(" slow")[0])
    assert slow < 10


def test_a_families_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    fams = tmp_path / "f.toml"
    fams.write_bytes(b'# mine\n[families.x]\nanchors = ["caf\xe9"]\n')
    _one_line(run_cli("families", "--families", fams), "not UTF-8", "line 3", "Save the file")


# -- a full disk ---------------------------------------------------------------------------------


def _full(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_while_caching_goes_on_without_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pd.DataFrame, "to_parquet", _full)
    result = run_cli("find", "ml-ai", "--method", "keywords", "--quiet")
    assert result.exit_code == 0, result.output
    assert "the disk is full" in result.stderr and "Continuing without the cache" in result.stderr


def test_a_full_disk_while_caching_in_parts_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow.parquet as pq

    monkeypatch.setenv("JOBMAP_STREAM_BYTES", "0")
    monkeypatch.setattr(pq.ParquetWriter, "write_table", _full)
    data = tmp_path / "p.csv"
    data.write_text("title\nNurse\nData Scientist\n")
    _one_line(run_cli("inspect", "--data", data), "cannot write the cache folder", "disk is full")


def test_a_full_disk_under_the_answers_is_not_called_a_foreign_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "a.sqlite"
    store = AnswerStore(db)
    store.answer("ml-ai", [("title:nurse", "no", "Nurse")])
    connect = sqlite3.connect

    def full_after_open(*args: object, **kwargs: object) -> sqlite3.Connection:
        con = connect(*args, **kwargs)  # type: ignore[arg-type]
        pages = con.execute("pragma page_count").fetchone()[0]
        con.execute(f"pragma max_page_count = {pages}")  # SQLite's own "database or disk is full"
        return con

    monkeypatch.setattr(sqlite3, "connect", full_after_open)
    big = [(f"title:t{i} {'x' * 200}", "no", f"T{i}") for i in range(300)]
    with pytest.raises(StorageError) as info:
        AnswerStore(db).answer("ml-ai", big)
    assert "the disk is full" in str(info.value) and "not a jobmap answers database" not in str(
        info.value
    )
    monkeypatch.undo()
    assert [a.subject for a in AnswerStore(db).current("ml-ai")] == ["title:nurse"]


# -- parquet files with nested columns -----------------------------------------------------------


def test_inspect_a_parquet_file_with_list_and_struct_columns(tmp_path: Path) -> None:
    f = tmp_path / "nested.parquet"
    pd.DataFrame(
        {
            "job_id": [1, 2],
            "title": ["Data Scientist", "Nurse"],
            "tags": [["python", "sql"], []],
            "meta": [{"x": 1}, {"x": 2}],
        }
    ).to_parquet(f)
    result = run_cli("inspect", "--data", f)
    assert result.exit_code == 0, result.output
    assert "python" in result.stdout
    assert len(jobmap.find("ml-ai", f, method="keywords", progress=False)) == 1
