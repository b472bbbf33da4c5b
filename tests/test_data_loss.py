"""Reading never loses or merges a posting without saying so: every case reproduced from the
second hardening probe (issue 19), each failing before its fix."""

from __future__ import annotations

import csv
import random
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import jobmap
from jobmap.data import bundled_sample_path
from jobmap.data.labels import join_labels, read_labels
from jobmap.errors import DataError
from tests.conftest import run_cli


def _keywords_all(data: Path, out: Path, *extra: str) -> pd.DataFrame:
    result = run_cli(
        "find", "ml-ai", "--data", data, "--method", "keywords", "--all", "--out", out, *extra
    )
    assert result.exit_code == 0, result.output
    return pd.read_csv(out, dtype={"source_id": str})


# -- fields beyond the header, and fewer -------------------------------------------------------


def test_a_trailing_comma_on_every_row_shifts_nothing(tmp_path: Path) -> None:
    f = tmp_path / "t.csv"
    f.write_text(
        "job_id,title,company_name\n1,Machine Learning Engineer,Acme,\n2,Data Scientist,Beta,\n"
    )
    result = run_cli("find", "ml-ai", "--data", f, "--method", "keywords")
    assert result.exit_code == 0, result.output
    assert "2 of 2 postings match" in result.stdout
    assert "2 postings end in empty field(s) the header does not have" in result.stderr
    ds = jobmap.load(f)
    assert ds.postings["title"].tolist() == ["Machine Learning Engineer", "Data Scientist"]
    assert ds.postings["company_name"].tolist() == ["Acme", "Beta"]
    assert ds.postings["job_id"].tolist() == [1, 2]


def test_one_extra_field_in_the_first_row_of_the_sample_loses_only_that_row(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "s"
    shutil.copytree(bundled_sample_path(), folder)
    path = folder / "postings.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[1].append("EXTRA")
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    result = run_cli("inspect", "--data", folder)
    assert result.exit_code == 0, result.output
    assert "skipped 1 postings with the wrong number of fields (line 2;" in result.stderr
    assert "quote left open" not in result.stderr
    ds = jobmap.load(folder)
    assert ds.rows("postings") == 664
    original = jobmap.load(bundled_sample_path()).postings
    # every other posting is read as it was: same titles, same companies
    pd.testing.assert_frame_equal(
        ds.postings[["job_id", "title", "company_name"]],
        original[["job_id", "title", "company_name"]].iloc[1:].reset_index(drop=True),
    )


def test_rows_with_fewer_fields_are_counted(tmp_path: Path) -> None:
    f = tmp_path / "short.csv"
    f.write_text("job_id,title,company_name\n1,Data Scientist,Acme\n2,Nurse\n3,Cook,Beta\n")
    result = run_cli("inspect", "--data", f)
    assert result.exit_code == 0, result.output
    assert "1 postings have fewer fields than the header's 3 (line 3)" in result.stderr
    assert jobmap.load(f).rows("postings") == 3


def test_an_extra_field_with_content_is_skipped_and_counted_never_shifted(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("title,company_name\nData Scientist,Acme,surprise\nNurse,Beta\n")
    result = run_cli("inspect", "--data", f)
    assert result.exit_code == 0, result.output
    assert "skipped 1 postings with the wrong number of fields (line 2;" in result.stderr
    assert jobmap.load(f).postings["title"].tolist() == ["Nurse"]


def test_repeated_column_names_are_said(tmp_path: Path) -> None:
    f = tmp_path / "d.csv"
    f.write_text("title,company_name,title\nData Scientist,Acme,Nurse\n")
    result = run_cli("inspect", "--data", f)
    assert result.exit_code == 0, result.output
    assert "columns 1 and 3 are both named 'title'" in result.stderr
    assert "column 3 as 'title.1'" in result.stderr


# -- rows a stray quote swallowed, without numeric ids -----------------------------------------


@pytest.mark.parametrize("ids", ["", "A"])
def test_rows_swallowed_without_numeric_ids_are_counted(tmp_path: Path, ids: str) -> None:
    head = "job_id," if ids else ""
    rows = [
        ("Data Scientist", "Acme", '"builds models'),
        ("Machine Learning Engineer", "Beta", "trains nets"),
        ("Nurse", "Gamma", "cares"),
        ("Cook", "Delta", '"food"'),
        ("Pilot", "Eps", "flies"),
    ]
    lines = [(f"{ids}{i}," if ids else "") + ",".join(r) for i, r in enumerate(rows, 1)]
    f = tmp_path / "s.csv"
    f.write_text(f"{head}title,company_name,description\n" + "\n".join(lines) + "\n")
    result = run_cli("inspect", "--data", f)
    assert result.exit_code == 0, result.output
    assert "1 row(s) hold what looks like 3 further row(s)" in result.stderr
    assert jobmap.load(f).rows("postings") == 2  # read + reported = 5 records


def test_a_stray_quote_in_the_company_column_is_counted(tmp_path: Path) -> None:
    f = tmp_path / "c.csv"
    f.write_text(
        'title,company_name,description\nData Scientist,"Acme\nMachine Learning Engineer,'
        'Beta,trains\nNurse,Gamma,cares\nCook,Delta",food\nPilot,Eps,flies\n'
    )
    result = run_cli("inspect", "--data", f)
    assert "1 row(s) hold what looks like 3 further row(s)" in result.stderr


def test_prose_with_commas_on_new_lines_is_not_taken_for_rows(tmp_path: Path) -> None:
    f = tmp_path / "p.csv"
    pd.DataFrame(
        {
            "title": ["Data Scientist", "Nurse"],
            "description": ["We offer:\nhealth, dental, vision\n2,000 people", "Shifts:\n12, 8"],
        }
    ).to_csv(f, index=False)
    result = run_cli("inspect", "--data", f)
    assert result.exit_code == 0 and "further row" not in result.stderr


# -- ids: text or exact integers, never merged -------------------------------------------------


def test_ids_beyond_float_precision_stay_two_postings(tmp_path: Path) -> None:
    f = tmp_path / "big.csv"
    f.write_text(
        "job_id,title\n9007199254740993,Machine Learning Engineer\n9007199254740992,Nurse\n"
    )
    back = _keywords_all(f, tmp_path / "o.csv")
    assert sorted(back["job_id"].astype(str)) == ["9007199254740992", "9007199254740993"]
    assert back.set_index("title").loc["Machine Learning Engineer", "job_id"] == 9007199254740993


def test_ids_with_leading_zeros_are_kept_as_text(tmp_path: Path) -> None:
    f = tmp_path / "z.csv"
    f.write_text("job_id,title\n007,Machine Learning Engineer\n7,Data Scientist\n")
    result = run_cli(
        "find", "ml-ai", "--data", f, "--method", "keywords", "--out", tmp_path / "o.csv"
    )
    assert result.exit_code == 0, result.output
    assert "repeat" not in result.stderr
    back = pd.read_csv(tmp_path / "o.csv", dtype={"source_id": str})
    assert sorted(back["source_id"]) == ["007", "7"] and back["job_id"].nunique() == 2


def test_an_id_beyond_64_bits_is_text_not_a_bug(tmp_path: Path) -> None:
    f = tmp_path / "h.csv"
    f.write_text(
        "job_id,title\n9223372036854775807,Machine Learning Engineer\n"
        "9223372036854775808,Data Scientist\n"
    )
    back = _keywords_all(f, tmp_path / "o.csv")
    assert sorted(back["source_id"]) == ["9223372036854775807", "9223372036854775808"]


def test_an_id_beyond_64_bits_in_a_kaggle_layout_is_counted(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    shutil.copytree(bundled_sample_path(), folder)
    path = folder / "postings.csv"
    text = path.read_text(encoding="utf-8")
    first_id = text.splitlines()[1].split(",")[0]
    path.write_text(text.replace(first_id, "99999999999999999999", 1), encoding="utf-8")
    result = run_cli("inspect", "--data", folder)
    assert result.exit_code == 0, result.output
    assert "not a whole number of at most 64 bits" in result.stderr
    assert jobmap.load(folder).rows("postings") == 664


def test_a_repeated_id_names_both_rows(tmp_path: Path) -> None:
    f = tmp_path / "r.csv"
    f.write_text("job_id,title\n5,Data Scientist\n6,Nurse\n5,Cook\n")
    result = run_cli("inspect", "--data", f)
    assert "1 posting(s) repeat a job_id already seen (first: 5 at data rows 1 and 3)" in (
        result.stderr
    )
    g = tmp_path / "t.csv"
    g.write_text("job_id,title\nA,Data Scientist\nB,Nurse\nA,Cook\n")
    result = run_cli("inspect", "--data", g)
    assert "repeat a id already seen (first: 'A' at data rows 1 and 3)" not in result.stderr
    assert "1 posting(s) repeat an id already seen (first: 'A' at data rows 1 and 3)" in (
        result.stderr
    )
    assert jobmap.load(g).rows("postings") == 3  # text ids: all kept, each its own job_id


def test_a_later_part_with_text_ids_reads_the_file_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jobmap.data.dataset as dataset

    monkeypatch.setenv("JOBMAP_STREAM_BYTES", "0")  # in parts
    monkeypatch.setattr(dataset, "PART_ROWS", 100)
    ids = [str(i) for i in range(1, 251)]
    ids[180] = "X-181"
    f = tmp_path / "late.csv"
    f.write_text("job_id,title\n" + "".join(f"{i},Title {n}\n" for n, i in enumerate(ids)))
    ds = jobmap.load(f)
    assert ds.rows("postings") == 250
    assert ds.postings["source_id"].tolist() == ids
    assert ds.postings["job_id"].is_unique


def test_labels_keep_exact_and_text_ids(tmp_path: Path) -> None:
    lab = tmp_path / "l.csv"
    lab.write_text("job_id,label\n9007199254740993,yes\n9007199254740992,no\n")
    assert read_labels(lab)["key"].tolist() == [9007199254740993, 9007199254740992]
    data = tmp_path / "z.csv"
    data.write_text("job_id,title\n007,Machine Learning Engineer\n7,Data Scientist\n")
    text = tmp_path / "t.csv"
    text.write_text("job_id,label\n007,yes\n7,no\n")
    joined = join_labels(read_labels(text), jobmap.load(data).postings)
    assert joined.set_index("title")["label"].to_dict() == {
        "Machine Learning Engineer": True,
        "Data Scientist": False,
    }
    with pytest.raises(DataError, match="is not an integer, and the data has no ids"):
        join_labels(read_labels(text), jobmap.load(bundled_sample_path()).postings)


# -- encodings ---------------------------------------------------------------------------------


def test_a_utf16_file_is_read_by_its_byte_order_mark(tmp_path: Path) -> None:
    f = tmp_path / "u16.csv"
    f.write_bytes("job_id,title\r\n1,Ingénieur Machine Learning\r\n2,Nurse\r\n".encode("utf-16"))
    result = run_cli("inspect", "--data", f)
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.stderr
    assert jobmap.load(f).postings["title"].tolist() == ["Ingénieur Machine Learning", "Nurse"]
    result = run_cli("inspect", "--data", f, "--encoding", "utf-16")
    assert result.exit_code == 0 and "Warning" not in result.stderr, result.output
    bad = tmp_path / "bad16.csv"
    bad.write_bytes(f.read_bytes() + b"\x00\xd8")  # a lone surrogate at the end
    result = run_cli("inspect", "--data", bad, "--encoding", "utf-16")
    assert result.exit_code == 0 and "are not utf-16" in result.stderr


def test_cached_warnings_name_the_file_given(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("job_id,title\n1,Data Scientist\n2,Nurse,extra,fields\n")
    b.write_bytes(a.read_bytes())
    assert str(a) in run_cli("inspect", "--data", a).stderr
    warm = run_cli("inspect", "--data", b).stderr
    assert str(b) in warm and str(a) not in warm
    assert jobmap.load(b).source == str(b)


# -- the readers, fuzzed -----------------------------------------------------------------------

#: How a fuzzed file's ids look: integers, none, text, leading zeros ("007" and "7" are two
#: postings), and ids at the limits of float64 and int64 (of like length, as a file's ids are).
_LIMITS = [
    "9007199254740993",
    "9007199254740992",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "18446744073709551616",
]
_IDS = {
    "numeric": lambda i: str(1000 + i),
    "none": None,
    "text": lambda i: f"jk_{i:x}",
    "zeros": lambda i: f"{i:03d}" if i % 2 else str(i),
    "limits": lambda i: _LIMITS[i % len(_LIMITS)][: -len(str(i))] + str(i),
}


def _fuzzed(rng: random.Random) -> tuple[str, str]:
    """A CSV of a few records with one kind of damage, and its id mode."""
    mode = rng.choice(list(_IDS))
    make = _IDS[mode]
    n = rng.randint(1, 25)
    rows = []
    for i in range(1, n + 1):
        title = rng.choice(["Data Scientist", "Nurse", "ML Engineer", "Cook", "=cmd", "Ünï"])
        desc = rng.choice(["", "plain", "with, comma", 'with "quote"', "x" * rng.randint(0, 500)])
        company = rng.choice(["Acme", "Beta Inc", "", "Gamma, LLC"])
        cells = [title, company, desc] if make is None else [make(i), title, company, desc]
        rows.append(cells)
    lines = [
        ",".join('"' + c.replace('"', '""') + '"' if ("," in c or '"' in c) else c for c in r)
        for r in rows
    ]
    k = rng.randrange(len(lines))
    damage = rng.choice(
        ["quote", "trailing", "extra", "fewer", "bytes", "cr", "empty", "repeat", "none"]
    )
    if damage == "quote":
        lines[k] = lines[k].replace(",", ',"', 1)
    elif damage == "trailing":
        for j in range(len(lines)):
            lines[j] += ","
    elif damage == "extra":
        lines[k] += ",extra" * rng.randint(1, 3)
    elif damage == "fewer":
        lines[k] = lines[k].rsplit(",", 1)[0] if "," in lines[k] else lines[k]
    elif damage == "bytes":
        lines[k] += "\udcff"
    elif damage == "cr":
        lines[k] = lines[k].replace(",", ",\r", 1)
    elif damage == "empty":
        lines[k] = ""
    elif damage == "repeat" and make is not None:
        lines.append(lines[k])
    header = (
        "title,company_name,description"
        if make is None
        else "job_id,title,company_name,description"
    )
    return header + "\n" + "\n".join(lines) + "\n", mode


#: What a warning says was not read: skipped rows, merged rows, repeated job ids dropped.
_LOST = re.compile(r"skipped (\d+)|like (\d+) further row|(\d+) posting\(s\) repeat a job_id")


@pytest.mark.parametrize("seed", range(200))
def test_fuzz_readers_read_or_report_every_record(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    f = tmp_path / "fuzz.csv"
    text, mode = _fuzzed(rng)
    f.write_bytes(text.encode("utf-8", "surrogateescape"))
    out = tmp_path / "o.csv"
    result = run_cli(
        "find",
        "ml-ai",
        "--data",
        f,
        "--all",
        "--out",
        out,
        "--method",
        "keywords",
        "--quiet",
        "--raw",
    )
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output and "bug in jobmap" not in result.output
    if result.exit_code == 1:
        assert result.stderr.startswith("Error: ") and len(result.stderr.splitlines()) == 1
        return
    back = pd.read_csv(out, dtype=str, keep_default_na=False)
    reported = sum(int(next(g for g in m if g)) for m in _LOST.findall(result.stderr))
    records = sum(1 for line in re.split(r"\r\n|\r|\n", text)[1:] if line.strip())
    assert len(back) + reported == records, (mode, len(back), reported, records, result.stderr)
    if mode != "none":
        # every id as written, none rounded or merged
        written = {line.split(",")[0] for line in re.split(r"\r\n|\r|\n", text)[1:]}
        ids = back["source_id"] if "source_id" in back.columns else back["job_id"]
        assert set(ids) <= written


@pytest.mark.parametrize("seed", range(40))
def test_fuzz_random_bytes_are_read_or_refused_in_one_line(seed: int, tmp_path: Path) -> None:
    rng = random.Random(1000 + seed)
    f = tmp_path / "noise.csv"
    body = bytes(rng.randrange(256) for _ in range(rng.randint(1, 2000)))
    f.write_bytes(rng.choice([b"", b"job_id,title\n", b"title\n"]) + body)
    result = run_cli("inspect", "--data", f)
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output and "bug in jobmap" not in result.output
    if result.exit_code == 1:
        assert result.stderr.startswith("Error: ") and len(result.stderr.splitlines()) == 1


def test_row_numbers_are_the_file_s_after_a_skipped_row(tmp_path: Path) -> None:
    f = tmp_path / "n.csv"
    f.write_text("job_id,title\n1,Cook,EXTRA\n2,Baker\n3,\n4,Chef\n2,Nurse\n")
    result = run_cli("inspect", "--data", f)
    assert "empty title (data row 3)" in result.stderr
    assert "(first: 2 at data rows 2 and 5)" in result.stderr


def test_no_title_column_is_said_with_the_file_s_own_names(tmp_path: Path) -> None:
    f = tmp_path / "i.csv"
    f.write_text("id,name\n1,Cook\n")
    result = run_cli("inspect", "--data", f)
    assert result.exit_code == 1 and "found: 'id', 'name'" in result.stderr
