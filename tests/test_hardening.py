"""Bad data and hostile text in what jobmap writes: every case reproduced from the hardening
probe (issue 12), each failing before its fix."""

from __future__ import annotations

import io
import json
import os
import random
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import Result

import jobmap
from jobmap._csv import csv_text, neutralise
from jobmap.errors import ConfigError
from tests.conftest import run_cli

HOSTILE = [
    "Machine Learning Engineer\rSenior Nurse",  # a bare carriage return
    '=HYPERLINK("http://evil.example","click")',
    "+1 Data Scientist",
    "-Machine Learning Lead",
    "@SUM(A1:A9)",
    "Line Cook\nNight shift",
]


@pytest.fixture
def hostile_csv(tmp_path: Path) -> Path:
    f = tmp_path / "hostile.csv"
    frame = pd.DataFrame({"job_id": range(1, len(HOSTILE) + 1), "title": HOSTILE})
    frame.to_csv(f, index=False, lineterminator="\r\n")  # a well-formed file: CR quoted
    return f


def _find_all(data: Path, out: Path, *extra: str) -> Result:
    return run_cli(
        "find", "ml-ai", "--data", data, "--method", "keywords", "--all", "--out", out, *extra
    )


def test_a_bare_carriage_return_never_splits_a_row(hostile_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "o.csv"
    result = _find_all(hostile_csv, out, "--quiet")
    assert result.exit_code == 0, result.output
    back = pd.read_csv(out)
    assert len(back) == len(HOSTILE)  # six rows in, six rows out
    assert "Machine Learning Engineer\rSenior Nurse" in set(back["title"])


def test_cells_a_spreadsheet_would_run_are_neutralised(hostile_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "o.csv"
    _find_all(hostile_csv, out)
    titles = set(pd.read_csv(out)["title"])
    assert '\'=HYPERLINK("http://evil.example","click")' in titles
    assert {"'+1 Data Scientist", "'-Machine Learning Lead", "'@SUM(A1:A9)"} <= titles
    assert not any(t.startswith(("=", "+", "-", "@")) for t in titles)
    raw = tmp_path / "raw.csv"
    _find_all(hostile_csv, raw, "--raw")
    assert set(pd.read_csv(raw)["title"]) == set(HOSTILE)  # --raw: the bytes as they were


def test_numbers_are_not_touched() -> None:
    df = pd.DataFrame({"score": [-0.5, 1.0], "title": ["-x", "y"]})
    out = pd.read_csv(io.StringIO(csv_text(df)))
    assert out["score"].tolist() == [-0.5, 1.0] and out["title"].tolist() == ["'-x", "y"]
    assert neutralise(df)["score"].dtype == df["score"].dtype


def test_report_tables_are_safe_too(hostile_csv: Path, tmp_path: Path) -> None:
    tables = tmp_path / "tables"
    result = run_cli(
        "report",
        "ml-ai",
        "--data",
        hostile_csv,
        "--method",
        "keywords",
        "--out",
        tmp_path / "r.html",
        "--tables",
        tables,
        "--quiet",
    )
    assert result.exit_code == 0, result.output
    top = pd.read_csv(tables / "top_titles.csv")
    assert len(top) == int(
        pd.read_csv(tables / "overview.csv").set_index("group").loc["family", "postings"]
    )
    assert not top["title"].astype(str).str.startswith(("=", "+", "-", "@")).any()


def test_an_unwritable_tables_folder_fails_before_any_work(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run_cli(
        "report",
        "ml-ai",
        "--method",
        "keywords",
        "--out",
        tmp_path / "r.html",
        "--tables",
        blocker / "sub",
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: --tables") and len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "r.html").exists()
    os.sync()


def _family_file(tmp_path: Path, body: str) -> Path:
    f = tmp_path / "fams.toml"
    f.write_text(f'[families.x]\nanchors = ["machine learning"]\n{body}\n')
    return f


def test_a_catastrophic_family_pattern_stops_with_a_clear_error(tmp_path: Path) -> None:
    import time

    data = tmp_path / "t.csv"
    pd.DataFrame({"job_id": [1, 2], "title": ["a" * 40 + "b", "Nurse"]}).to_csv(data, index=False)
    # the probe's pattern: Python's re never returned on 40 a's; the regex engine now used
    # answers it at once
    fams = _family_file(tmp_path, 'keywords = ["re:(a+)+$"]')
    start = time.perf_counter()
    result = run_cli("find", "x", "--data", data, "--families", fams, "--method", "keywords")
    assert result.exit_code == 0 and time.perf_counter() - start < 30
    # one that is exponential for it too is stopped by the time limit, with a clear error
    fams = _family_file(tmp_path, 'keywords = ["re:(a|aa)+$"]')
    start = time.perf_counter()
    result = run_cli("find", "x", "--data", data, "--families", fams, "--method", "keywords")
    assert time.perf_counter() - start < 30
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    assert "took more than" in result.stderr and "simplify the re: pattern" in result.stderr


def test_only_a_user_s_patterns_run_with_the_time_limit(tmp_path: Path) -> None:
    from jobmap.families import get_family
    from jobmap.methods.keywords import KeywordMethod, is_untrusted

    postings = jobmap.load(progress=False).postings
    shipped = KeywordMethod().fit(postings, get_family("ml-ai"))  # holds re: patterns of its own
    assert not is_untrusted(shipped.include_re_) and not is_untrusted(shipped.exclude_re_)
    own = get_family("x", _family_file(tmp_path, 'keywords = ["re:(a+)+$"]'))
    assert is_untrusted(KeywordMethod().fit(postings, own).include_re_)
    # a user's keywords given to the method run with the limit even on a shipped family
    given = KeywordMethod(keywords=["re:data\\s+scien"]).fit(postings, get_family("ml-ai"))
    assert is_untrusted(given.include_re_)


def test_an_invalid_family_pattern_is_one_line_naming_file_family_and_field(
    tmp_path: Path,
) -> None:
    fams = _family_file(tmp_path, 'exclude = ["re:(unclosed"]')
    result = run_cli("find", "x", "--families", fams, "--method", "keywords")
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    assert str(fams) in result.stderr and "[families.x]" in result.stderr
    assert "exclude 're:(unclosed' is not a valid regular expression" in result.stderr


def test_family_thresholds_are_range_checked(tmp_path: Path) -> None:
    fams = _family_file(tmp_path, "[families.x.thresholds]\nkeywords = 7.5")
    result = run_cli("find", "x", "--families", fams, "--method", "keywords")
    assert result.exit_code == 1
    assert "thresholds.keywords = 7.5: give a number between -1 and 1" in result.stderr


def test_a_header_only_file_without_ids_is_one_clear_line(tmp_path: Path) -> None:
    f = tmp_path / "h.csv"
    f.write_text("title,description\n")
    result = run_cli("find", "ml-ai", "--data", f)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {f}: the file has a header but no postings.\n"


@pytest.mark.parametrize("method", ["anchors", "head", "cluster", "bootstrap"])
def test_an_unwritable_cache_degrades_for_every_method(
    tmp_path: Path, fake_model: object, method: str
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache should be")
    extra = ["--k", "3"] if method == "cluster" else []
    result = run_cli(
        "find",
        "ml-ai",
        "--method",
        method,
        "--model",
        "fake",
        "--cache-dir",
        blocker / "cache",
        "--quiet",
        *extra,
    )
    assert result.exit_code == 0, result.output
    assert "cannot write the embedding cache" in result.stderr
    assert "Continuing without the cache" in result.stderr


def test_a_full_disk_while_embedding_warns_and_finishes(
    tmp_path: Path, fake_model: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    import numpy as np

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "save", full)
    result = run_cli("find", "ml-ai", "--method", "anchors", "--model", "fake", "--quiet")
    assert result.exit_code == 0, result.output
    assert "the disk is full" in result.stderr
    leftovers = list(Path(os.environ["JOBMAP_CACHE"]).rglob("*.tmp"))
    assert leftovers == []  # no half-written file stays behind


def test_a_damaged_cached_dataset_is_rebuilt(tmp_path: Path) -> None:
    first = run_cli("find", "ml-ai", "--method", "keywords", "--quiet")
    assert first.exit_code == 0
    cached = next(Path(os.environ["JOBMAP_CACHE"], "datasets").glob("*/postings.parquet"))
    cached.write_bytes(b"not parquet at all")
    again = run_cli("find", "ml-ai", "--method", "keywords")
    assert again.exit_code == 0, again.output
    assert "is damaged" in again.stderr and "replacing it" in again.stderr
    assert "6 of 665 postings match" in again.stdout
    third = run_cli("find", "ml-ai", "--method", "keywords", "--quiet")
    assert third.exit_code == 0 and "damaged" not in third.stderr  # repaired for good


def test_rows_swallowed_by_an_open_quote_are_counted(tmp_path: Path) -> None:
    f = tmp_path / "s.csv"
    f.write_text('job_id,title,description\n1,"Data Scientist,ok\n2,Nurse,"unterminated\n')
    out = tmp_path / "o.csv"
    result = run_cli("find", "ml-ai", "--data", f, "--all", "--out", out, "--quiet")
    assert result.exit_code == 0
    assert "1 row(s) hold what looks like 1 further row(s)" in result.stderr
    assert "data row 1" in result.stderr and str(f) in result.stderr
    # the four-row variant: a Machine Learning Engineer row disappeared without a word before
    g = tmp_path / "s4.csv"
    g.write_text(
        'job_id,title,description\n1,Data Scientist,"unterminated\n'
        '2,Machine Learning Engineer,builds models\n3,Nurse,"cares\n4,Cook,food\n'
    )
    result = run_cli("find", "ml-ai", "--data", g, "--all", "--out", out, "--quiet", "--overwrite")
    assert result.exit_code == 0
    assert len(pd.read_csv(out)) == 2 and "like 2 further row(s)" in result.stderr


def test_warnings_are_repeated_on_warm_runs_and_kept_in_the_manifest(tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text("job_id,title\n1,Data Scientist\n2,Nurse,extra,fields\n3,Cook\n")
    out = tmp_path / "o.csv"
    for _ in range(2):  # cold, then from the cache
        result = run_cli(
            "find", "ml-ai", "--data", f, "--all", "--out", out, "--quiet", "--overwrite"
        )
        assert result.exit_code == 0
        assert "skipped 1 postings with the wrong number of fields" in result.stderr
    manifest = json.loads(out.with_name("o.manifest.json").read_text())
    assert any("skipped 1 postings" in w for w in manifest["data"]["warnings"])


def _malformed(rng: random.Random, n: int) -> str:
    """A CSV of ``n`` records (job_id,title,description) with one kind of damage or another."""
    rows = []
    for i in range(1, n + 1):
        title = rng.choice(["Data Scientist", "Nurse", "ML Engineer", "Cook", "=cmd", "Ünïcode"])
        desc = rng.choice(["", "plain", "with, comma", 'with "quote"', "x" * rng.randint(0, 3000)])
        rows.append([str(i), title, desc])
    damage = rng.choice(["quote", "fields", "bytes", "cr", "empty", "blank-title", "none"])
    lines = []
    for r in rows:
        cells = ['"' + c.replace('"', '""') + '"' if ("," in c or '"' in c) else c for c in r]
        lines.append(",".join(cells))
    k = rng.randrange(len(lines))
    if damage == "quote":
        lines[k] = lines[k].replace(",", ',"', 1)  # a quote that never closes
    elif damage == "fields":
        lines[k] += ",extra,fields"
    elif damage == "bytes":
        lines[k] = lines[k] + "\udcff"
    elif damage == "cr":
        lines[k] = lines[k].replace(",", ",\r", 1)
    elif damage == "empty":
        lines[k] = ""
    elif damage == "blank-title":
        lines[k] = f"{k + 1},,x"
    return "job_id,title,description\n" + "\n".join(lines) + "\n"


_COUNTS = re.compile(r"skipped (\d+)|like (\d+) further row")


@pytest.mark.parametrize("seed", range(300))
def test_fuzz_malformed_csvs_never_crash_or_lose_rows_silently(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    n = rng.randint(1, 30)
    f = tmp_path / "fuzz.csv"
    f.write_bytes(_malformed(rng, n).encode("utf-8", "surrogateescape"))
    out = tmp_path / "o.csv"
    result = run_cli(
        "find", "ml-ai", "--data", f, "--all", "--out", out, "--method", "keywords", "--quiet"
    )
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output and "bug in jobmap" not in result.output
    if result.exit_code == 1:
        assert result.stderr.startswith("Error: ") and len(result.stderr.splitlines()) == 1
        return
    read = len(pd.read_csv(out))
    reported = sum(int(a or b) for a, b in _COUNTS.findall(result.stderr))
    # counted independently: the records are the non-blank lines after the header (a bare CR
    # ends a line, as CSV readers take it; blank lines are no records)
    text = f.read_bytes().decode("utf-8", "surrogateescape")
    records = sum(1 for line in re.split(r"\r\n|\r|\n", text)[1:] if line.strip())
    assert read + reported == records, (read, reported, records, result.stderr)


def test_an_output_beside_another_run_s_manifest_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "o.csv"
    assert run_cli("find", "ml-ai", "--method", "keywords", "--out", out).exit_code == 0
    manifest = json.loads(out.with_name("o.manifest.json").read_text())
    assert manifest["run_id"] and manifest["output"]["sha256"]
    back = jobmap.read_output(out)
    assert back.attrs["manifest"]["run_id"] == manifest["run_id"]
    # a run killed between its two renames: its rows beside the previous run's manifest
    other = tmp_path / "other.csv"
    run_cli("find", "ml-ai", "--method", "keywords", "--all", "--out", other)
    out.write_bytes(other.read_bytes())
    with pytest.raises(ConfigError, match="are not from the same run"):
        jobmap.read_output(out)


def test_a_parquet_output_carries_its_manifest(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "o.parquet"
    assert run_cli("find", "ml-ai", "--method", "keywords", "--out", out).exit_code == 0
    meta = pq.read_schema(out).metadata
    inside = json.loads(meta[b"jobmap_manifest"])
    beside = json.loads(out.with_name("o.manifest.json").read_text())
    assert inside["run_id"] == beside["run_id"]


def test_temporary_files_of_killed_writes_are_removed_by_the_next_run(tmp_path: Path) -> None:
    import time

    out = tmp_path / "o.csv"
    old = [tmp_path / ".o.csv.dead1.tmp", tmp_path / ".o.manifest.json.dead2.tmp"]
    young = tmp_path / ".o.csv.alive.tmp"  # a run still writing: left alone
    for f in [*old, young]:
        f.write_text("half")
    for f in old:
        os.utime(f, (time.time() - 3600, time.time() - 3600))
    assert run_cli("find", "ml-ai", "--method", "keywords", "--out", out).exit_code == 0
    assert not any(f.exists() for f in old) and young.exists()


@pytest.mark.parametrize("sep", [";", "\t"])
def test_a_file_named_csv_with_another_separator_is_read_and_said(tmp_path: Path, sep: str) -> None:
    f = tmp_path / "p.csv"
    f.write_text(f"job_id{sep}title\n1{sep}Data Scientist\n2{sep}Nurse\n")
    out = tmp_path / "o.csv"
    result = run_cli("find", "ml-ai", "--data", f, "--all", "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    assert "read with" in result.stderr and (
        "semicolons" in result.stderr or "tabs" in result.stderr
    )
    assert set(pd.read_csv(out)["title"]) == {"Data Scientist", "Nurse"}


def test_two_runs_on_one_cache_embed_each_text_once(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = f"""
import sys, time
sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
from tests.fakes import HashBackend
from jobmap.embeddings import EmbeddingEngine, register_backend
class Slow(HashBackend):
    def encode(self, texts, batch_size=64):
        time.sleep(0.02 * len(texts) / 64)
        return super().encode(texts, batch_size)
backend = Slow()
register_backend("slow", lambda **_: backend)
engine = EmbeddingEngine("slow", cache_dir={str(tmp_path / "cache")!r}, progress=False)
engine.embed([f"title {{i}}" for i in range(6000)])
print(len(backend.calls))
"""
    procs = [
        subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    counts = [int(p.communicate(timeout=120)[0].strip()) for p in procs]
    assert sum(counts) == 6000, counts  # each text embedded once between the two
    from jobmap.embeddings.cache import VectorCache

    assert len(VectorCache(tmp_path / "cache", "fake:fake")) == 6000


def test_inspect_a_file_with_very_many_columns(tmp_path: Path) -> None:
    f = tmp_path / "wide.csv"
    cols = ["job_id", "title", *(f"c{i}" for i in range(5000))]
    f.write_text(
        ",".join(cols)
        + "\n"
        + ",".join(["1", "Data Scientist", *("7" for _ in range(5000))])
        + "\n"
    )
    result = run_cli("inspect", "--data", f)
    assert result.exit_code == 0, result.output
    assert "and 4,802 more columns" in result.stdout
    info = jobmap.inspect(f)
    assert len(info["columns"]) == 5002 and info["columns"]["type"].iloc[-1] == "int64"


def test_a_full_disk_while_writing_the_output_is_one_line_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    import jobmap._csv

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(jobmap._csv, "write_csv", full)
    monkeypatch.setattr("jobmap.outputs.write_csv", full)
    out = tmp_path / "o.csv"
    result = run_cli("find", "ml-ai", "--method", "keywords", "--out", out)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot write {out} (the disk is full)")
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no file, no temporary


def test_a_description_with_numbers_on_new_lines_is_not_taken_for_merged_rows(
    tmp_path: Path,
) -> None:
    f = tmp_path / "p.csv"
    frame = pd.DataFrame(
        {
            "job_id": [3757940104, 3757940105],
            "title": ["Data Scientist", "Nurse"],
            "description": ["We are\n2,000 people\n401,k plan", "Shifts:\n12,hours"],
        }
    )
    frame.to_csv(f, index=False)
    result = run_cli("find", "ml-ai", "--data", f, "--quiet")
    assert result.exit_code == 0 and "further row" not in result.stderr
    # the bundled real sample has such descriptions too
    assert "further row" not in run_cli("find", "ml-ai", "--quiet").stderr
