"""Bad input: one clear line (file, row or column, fix), no traceback, nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobmap.data.store import Store
from tests.conftest import run_cli


def check_error(args: list[str], *must: str) -> str:
    result = run_cli("inspect", *args)
    assert result.exit_code == 1, result.output
    err = result.stderr.strip()
    assert "Traceback" not in result.output
    assert len(err.splitlines()) == 1, err
    assert err.startswith("Error: ")
    for m in must:
        assert m in err, err
    return err


def assert_cache_empty(cache_dir: Path) -> None:
    root = Store(cache_dir).root
    assert not root.exists() or list(root.iterdir()) == []


def test_wrong_path(tmp_path: Path) -> None:
    check_error(
        ["--data", str(tmp_path / "nope.csv")], "nope.csv", "no such file or folder", "--data"
    )


def test_folder_without_postings(tmp_path: Path) -> None:
    (tmp_path / "other.csv").write_text("a\n1\n")
    check_error(["--data", str(tmp_path)], "neither postings.csv", "job_postings.csv")


def test_unknown_file_type(tmp_path: Path) -> None:
    f = tmp_path / "x.xlsx"
    f.write_bytes(b"PK")
    check_error(["--data", str(f)], "x.xlsx", "'.xlsx'", ".csv")


def test_broken_zip(tmp_path: Path) -> None:
    f = tmp_path / "linkedin-job-postings.zip"
    f.write_bytes(b"not a zip at all")
    check_error(["--data", str(f)], "not a readable zip", "Download it again")


def test_broken_quoting(tmp_path: Path, cache_dir: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text('job_id,title\n1,Cook\n2,"Nurse\n3,Pilot\n')
    check_error(["--data", str(f)], "bad.csv", "row 2", "never closed", 'stray "')
    assert_cache_empty(cache_dir)


def test_wrong_column_count_rows_are_skipped_and_counted(tmp_path: Path) -> None:
    f = tmp_path / "ragged.csv"
    f.write_text("job_id,title\n1,Cook\n2,Nurse,extra\n3,Pilot\n4,Welder,x,y\n")
    result = run_cli("inspect", "--data", str(f))
    assert result.exit_code == 0, result.output
    assert (
        "skipped 2 postings with the wrong number of fields (line 3, 5; more than the header's 2)"
        in result.stderr
    )
    assert "ragged.csv" in result.stderr
    assert "│ postings │    2 │" in result.stdout


def test_non_utf8_bytes_are_replaced_and_reported(tmp_path: Path) -> None:
    f = tmp_path / "latin.csv"
    f.write_bytes("job_id,title\n1,Caf\xe9 Manager\n2,Nurse\n".encode("latin-1"))
    result = run_cli("inspect", "--data", str(f))
    assert result.exit_code == 0, result.output
    assert "latin.csv: 1 line(s) hold bytes that are not utf-8 (first at line 2)" in result.stderr
    assert "--encoding cp1252" in result.stderr
    ok = run_cli("inspect", "--data", str(f), "--encoding", "latin-1")
    assert ok.exit_code == 0 and "Café Manager" in ok.stdout and "not utf-8" not in ok.stderr


def test_unknown_encoding(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("title\nCook\n")
    check_error(["--data", str(f), "--encoding", "klingon"], "unknown encoding")


def test_missing_title_column(tmp_path: Path) -> None:
    f = tmp_path / "notitle.csv"
    f.write_text("job_id,name\n1,Cook\n")
    check_error(
        ["--data", str(f)],
        "notitle.csv",
        "no job title column",
        "'job_id', 'name'",
        '--columns title="YOUR TITLE COLUMN"',
    )


def test_kaggle_postings_without_title(sample_copy: Path) -> None:
    (sample_copy / "postings.csv").write_text("job_id,company_name\n1,Acme\n")
    check_error(["--data", str(sample_copy)], "postings.csv", "no job title column")


def test_empty_titles_are_skipped_and_counted(tmp_path: Path) -> None:
    f = tmp_path / "blank.csv"
    f.write_text('job_id,title\n1,Cook\n2,\n3,"   "\n4,Nurse\n')
    result = run_cli("inspect", "--data", str(f))
    assert result.exit_code == 0, result.output
    assert "skipped 2 posting(s) with an empty title (data row 2, 3)" in result.stderr


def test_all_titles_empty(tmp_path: Path) -> None:
    f = tmp_path / "blank.csv"
    f.write_text("job_id,title\n1,\n2,\n")
    check_error(["--data", str(f)], "every posting has an empty title")


def test_a_one_megabyte_description_is_read_whole(tmp_path: Path) -> None:
    big = "machine learning " * 62_000
    f = tmp_path / "big.csv"
    f.write_text(f'title,description\nML Engineer,"{big}"\nCook,short\n')
    import jobmap

    p = jobmap.load(f).postings
    assert len(p) == 2 and len(p["description"].iloc[0]) == len(big) > 1_000_000


def test_empty_file(tmp_path: Path, cache_dir: Path) -> None:
    f = tmp_path / "empty.csv"
    f.write_bytes(b"")
    check_error(["--data", str(f)], "empty.csv", "empty (0 bytes)")
    assert_cache_empty(cache_dir)


def test_header_only(tmp_path: Path) -> None:
    f = tmp_path / "header.csv"
    f.write_text("job_id,title\n")
    check_error(["--data", str(f)], "header.csv", "no postings")


def test_bad_values_in_a_typed_column(tmp_path: Path) -> None:
    f = tmp_path / "views.csv"
    f.write_text("job_id,title,views\n1,Cook,12\n2,Nurse,many\n")
    result = run_cli("inspect", "--data", str(f))
    assert result.exit_code == 0, result.output
    assert "column 'views' has 1 value(s) that are not a number" in result.stderr
    assert "'many'" in result.stderr


def test_bad_column_mapping_syntax(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("title\nCook\n")
    check_error(["--data", str(f), "--columns", "title"], "NAME=YOUR_COLUMN")


def test_broken_side_table_is_reported_not_fatal(sample_copy: Path) -> None:
    (sample_copy / "jobs" / "salaries.csv").write_bytes(b"")
    result = run_cli("inspect", "--data", str(sample_copy))
    assert result.exit_code == 0, result.output
    assert "salaries: not read:" in result.stdout and "empty (0 bytes)" in result.stdout


@pytest.mark.parametrize("debug", ["", "1"])
def test_debug_env_shows_the_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, debug: str
) -> None:
    if debug:
        monkeypatch.setenv("JOBMAP_DEBUG", debug)
    result = run_cli("inspect", "--data", str(tmp_path / "nope.csv"))
    assert result.exit_code == 1
    assert (result.exception is not None and not isinstance(result.exception, SystemExit)) == bool(
        debug
    )


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    from jobmap._atomic import atomic_path

    target = tmp_path / "families.toml"
    target.write_text("old")
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise KeyboardInterrupt
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["families.toml"]
    with atomic_path(target) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new" and len(list(tmp_path.iterdir())) == 1
