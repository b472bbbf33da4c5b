"""Nothing jobmap did not write is replaced or deleted, and the input is never the output:
every case reproduced from the second hardening probe (issue 19), each failing before its fix."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

import jobmap
from jobmap.errors import ConfigError
from jobmap.outputs import FOLDER_MANIFEST
from tests.conftest import run_cli
from tests.fakes import HashBackend


@pytest.fixture
def ten(tmp_path: Path) -> Path:
    f = tmp_path / "v.csv"
    titles = ["Machine Learning Engineer", "Nurse", "Data Scientist", "Cook", "AI Researcher"]
    f.write_text("job_id,title\n" + "".join(f"{i},{titles[i % 5]}\n" for i in range(1, 11)))
    return f


def _one_line(result, *must: str) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: ") and len(result.stderr.splitlines()) == 1
    for text in must:
        assert text in result.stderr, result.stderr


# -- find --out ----------------------------------------------------------------------------------


def test_find_never_writes_over_its_input(ten: Path) -> None:
    before = ten.read_bytes()
    for extra in ((), ("--overwrite",)):
        result = run_cli(
            "find", "ml-ai", "--data", ten, "--method", "keywords", "--out", ten, *extra
        )
        _one_line(result, "is an input of this run", "never writes over its input")
    assert ten.read_bytes() == before  # ten postings, not four result rows


def test_an_existing_output_needs_overwrite(ten: Path, tmp_path: Path) -> None:
    out = tmp_path / "o.csv"
    out.write_text("my own notes\n")
    result = run_cli("find", "ml-ai", "--data", ten, "--method", "keywords", "--out", out)
    _one_line(result, f"--out {out}: exists already. Pass --overwrite")
    assert out.read_text() == "my own notes\n"
    ok = run_cli(
        "find", "ml-ai", "--data", ten, "--method", "keywords", "--out", out, "--overwrite"
    )
    assert ok.exit_code == 0, ok.output
    assert len(pd.read_csv(out)) == 6


def test_the_manifest_beside_an_output_is_not_replaced_unasked(ten: Path, tmp_path: Path) -> None:
    (tmp_path / "o.manifest.json").write_text("{}")
    result = run_cli(
        "find", "ml-ai", "--data", ten, "--method", "keywords", "--out", tmp_path / "o.parquet"
    )
    _one_line(result, "would replace", "o.manifest.json, which exists already")
    assert not (tmp_path / "o.parquet").exists()


def test_the_python_api_needs_overwrite_too(ten: Path, tmp_path: Path) -> None:
    out = tmp_path / "o.csv"
    jobmap.find("ml-ai", ten, method="keywords", out=out, progress=False)
    with pytest.raises(ConfigError, match="Pass --overwrite"):
        jobmap.find("ml-ai", ten, method="keywords", out=out, progress=False)
    jobmap.find("ml-ai", ten, method="keywords", out=out, progress=False, overwrite=True)


def test_report_and_its_tables_folder(ten: Path, tmp_path: Path) -> None:
    page, tables = tmp_path / "r.html", tmp_path / "t"
    args = ["report", "ml-ai", "--data", ten, "--method", "keywords", "--quiet"]
    assert run_cli(*args, "--out", page, "--tables", tables).exit_code == 0
    written = json.loads((tables / FOLDER_MANIFEST).read_text())["files"]
    assert "overview.csv" in written
    _one_line(run_cli(*args, "--out", page, "--tables", tables), "exists already")
    again = run_cli(*args, "--out", page, "--tables", tables, "--overwrite")
    assert again.exit_code == 0, again.output
    (tables / "mine.txt").write_text("keep me")
    refused = run_cli(*args, "--out", page, "--tables", tables, "--overwrite")
    _one_line(refused, "holds 1 file(s) jobmap did not write (first: mine.txt)")
    assert (tables / "mine.txt").read_text() == "keep me"
    _one_line(run_cli(*args, "--out", ten.with_suffix(".html"), "--tables", ten.parent))


# -- sample --out ----------------------------------------------------------------------------------


def test_sample_overwrite_keeps_what_jobmap_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "s"
    out.mkdir()
    (out / "thesis.tex").write_text("two years of work")
    result = run_cli("sample", "5", "--out", out, "--overwrite")
    _one_line(result, "holds 1 file(s) jobmap did not write (first: thesis.tex)")
    assert (out / "thesis.tex").read_text() == "two years of work"
    fresh = tmp_path / "fresh"
    assert run_cli("sample", "5", "--out", fresh).exit_code == 0
    assert run_cli("sample", "7", "--out", fresh, "--overwrite").exit_code == 0
    assert jobmap.load(fresh).rows("postings") == 7
    listed = set(json.loads((fresh / FOLDER_MANIFEST).read_text())["files"])
    on_disk = {str(p.relative_to(fresh)) for p in fresh.rglob("*.csv")}
    assert listed == on_disk


def test_sample_never_writes_into_or_over_its_data(tmp_path: Path, sample_copy: Path) -> None:
    before = sorted(p.name for p in sample_copy.rglob("*"))
    for out in (sample_copy, sample_copy / "small"):
        result = run_cli("sample", "5", "--data", sample_copy, "--out", out, "--overwrite")
        _one_line(result, "input of this run")
    assert sorted(p.name for p in sample_copy.rglob("*")) == before
    single = tmp_path / "jobs.csv"
    single.write_text("title\nNurse\nCook\nChef\n")
    result = run_cli("sample", "2", "--data", single, "--out", single, "--overwrite")
    _one_line(result, "is an input of this run")
    assert single.read_text() == "title\nNurse\nCook\nChef\n"


# -- answers export ------------------------------------------------------------------------------


def test_answers_export_without_data_keeps_job_ids(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    labels = tmp_path / "in.csv"
    labels.write_text("job_id,label\n3757940104,yes\n3757940105,no\n")
    assert run_cli("answers", "import", "ml-ai", labels, "--answers", db).exit_code == 0
    titles = tmp_path / "t.csv"
    titles.write_text("title,label\nChief Wizard,yes\n")
    assert run_cli("answers", "import", "ml-ai", titles, "--answers", db).exit_code == 0
    out = tmp_path / "out.csv"
    result = run_cli("answers", "export", "ml-ai", "--out", out, "--answers", db)
    assert result.exit_code == 0, result.output
    back = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert back.to_dict("records") == [
        {"job_id": "3757940104", "title": "", "label": "yes"},
        {"job_id": "3757940105", "title": "", "label": "no"},
        {"job_id": "", "title": "Chief Wizard", "label": "yes"},
    ]
    # importing the export gives the same answers back: postings stay postings
    db2 = tmp_path / "b.sqlite"
    assert run_cli("answers", "import", "ml-ai", out, "--answers", db2).exit_code == 0
    subjects = [
        {r[0] for r in sqlite3.connect(d).execute("select subject from events")} for d in (db, db2)
    ]
    assert subjects[0] == subjects[1] and "posting:3757940104" in subjects[1]


def test_answers_export_never_writes_over_the_database(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    labels = tmp_path / "in.csv"
    labels.write_text("job_id,label\n1,yes\n")
    assert run_cli("answers", "import", "ml-ai", labels, "--answers", db).exit_code == 0
    before = db.read_bytes()
    linked = tmp_path / "a.csv"
    linked.symlink_to(db)
    result = run_cli("answers", "export", "ml-ai", "--out", linked, "--answers", db, "--overwrite")
    _one_line(result, "is an input of this run")
    assert db.read_bytes() == before
    _one_line(run_cli("answers", "export", "ml-ai", "--out", labels, "--answers", db), "exists")


# -- evaluate's plot -----------------------------------------------------------------------------


def test_the_default_plot_name_stays_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_model: HashBackend
) -> None:
    fams = tmp_path / "f.toml"
    fams.write_text('[families."../../x/y"]\nanchors = ["nurse"]\n')
    labels = tmp_path / "l.csv"
    labels.write_text("title,label\nICU Nurse,yes\nCook,no\nNurse,yes\nChef,no\n")
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    result = run_cli(
        "evaluate", "../../x/y", "--labels", labels, "--families", fams, "--model", "fake",
        "--method", "keywords", "--quiet",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (work / "eval-x_y.png").is_file()
    assert not (tmp_path / "x").exists()  # nothing written outside, no folder made


# -- found by trying the hardened commands as a new user -----------------------------------------


def test_usage_errors_are_one_line_and_exit_1(tmp_path: Path) -> None:
    _one_line(run_cli("find", "ml-ai", "--out", tmp_path), "Invalid value for '--out'", "--help")
    _one_line(run_cli("fnd"), "No such command 'fnd'")
    _one_line(run_cli("find", "ml-ai", "--method", "keywords", "--out", ""), "give a file name")
    blocker = tmp_path / "in.csv"
    blocker.write_text("title\nNurse\n")
    _one_line(
        run_cli("find", "ml-ai", "--out", blocker / "x.csv"), "in.csv is a file, not a folder"
    )
    _one_line(run_cli("inspect", "--data", ""), "'--data': is empty")


def test_sample_says_how_many_it_wrote(tmp_path: Path) -> None:
    result = run_cli("sample", "100000", "--out", tmp_path / "all")
    assert result.exit_code == 0, result.output
    assert "Wrote 665 postings" in result.stdout


def test_a_report_s_tables_folder_holds_the_last_report_s_tables_only(
    ten: Path, tmp_path: Path
) -> None:
    tables = tmp_path / "t"
    args = ["report", "ml-ai", "--method", "keywords", "--quiet", "--tables", tables]
    assert run_cli(*args, "--out", tmp_path / "a.html").exit_code == 0  # the sample: companies
    assert (tables / "companies.csv").exists()
    again = run_cli(*args, "--data", ten, "--out", tmp_path / "b.html", "--overwrite")
    assert again.exit_code == 0, again.output
    listed = set(json.loads((tables / FOLDER_MANIFEST).read_text())["files"])
    assert listed == {p.name for p in tables.glob("*.csv")}
    assert not (tables / "companies.csv").exists()  # the first report's, not this one's


def test_answers_export_says_what_it_leaves_out(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    from jobmap.answers import AnswerStore

    AnswerStore(db).answer("ml-ai", [("phrase:data engineer", "no", "")])
    out = tmp_path / "l.csv"
    result = run_cli("answers", "export", "ml-ai", "--out", out, "--answers", db)
    assert result.exit_code == 0, result.output
    assert "1 answer(s) about phrases (first: 'data engineer')" in result.stderr
    typo = run_cli("answers", "export", "ml-aj", "--out", tmp_path / "m.csv", "--answers", db)
    assert "no answers for 'ml-aj'" in typo.stderr and "'ml-ai'" in typo.stderr


def test_a_negative_id_is_written_as_a_number(tmp_path: Path) -> None:
    f = tmp_path / "n.csv"
    f.write_text("job_id,title\n-1,Machine Learning Engineer\n+3,-Data Scientist\n")
    out = tmp_path / "o.csv"
    result = run_cli("find", "ml-ai", "--data", f, "--method", "keywords", "--all", "--out", out)
    assert result.exit_code == 0, result.output
    back = pd.read_csv(out, dtype=str)
    assert set(back["source_id"]) == {"-1", "+3"}
    assert "'-Data Scientist" in set(back["title"])  # text that starts like a formula still is


# -- found by trying the application layer as a new user ----------------------------------------


def _title_labels(tmp_path: Path) -> Path:
    f = tmp_path / "labels.csv"
    rows = ["Machine Learning Engineer,yes", "Data Scientist,yes", "Nurse,no", "Cook,no"]
    f.write_text("title,label\n" + "\n".join(rows) + "\n")
    return f


def test_evaluate_outputs_read_back_with_their_manifest(
    tmp_path: Path, fake_model: HashBackend
) -> None:
    labels = _title_labels(tmp_path)
    out = tmp_path / "t.csv"
    result = run_cli(
        "evaluate", "ml-ai", "--labels", labels, "--method", "keywords", "anchors", "--model",
        "fake", "--out", out, "--plot", tmp_path / "p.png", "--quiet",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    back = jobmap.read_output(out)
    assert back.attrs["manifest"]["settings"]["method"] == ["keywords", "anchors"]
    curve = tmp_path / "curve.csv"
    data = tmp_path / "d.csv"
    data.write_text("title\n" + "".join(f"{t}\n" for t in pd.read_csv(labels)["title"]))
    sim = run_cli(
        "evaluate", "ml-ai", "--labels", labels, "--data", data, "--method", "keywords",
        "--simulate-review", "2", "--model", "fake", "--out", curve, "--quiet",
    )  # fmt: skip
    assert sim.exit_code == 0, sim.output
    assert len(jobmap.read_output(curve)) > 0


def test_the_default_plot_is_replaced_when_jobmap_wrote_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_model: HashBackend
) -> None:
    labels = _title_labels(tmp_path)
    monkeypatch.chdir(tmp_path)
    args = ["evaluate", "ml-ai", "--labels", labels, "--method", "keywords", "--quiet"]
    for _ in range(2):  # a second run replaces jobmap's own default plot
        assert run_cli(*args).exit_code == 0
    assert jobmap.outputs.jobmap_figure(tmp_path / "eval-ml-ai.png")
    _one_line(run_cli(*args, "--plot", tmp_path / "eval-ml-ai.png"), "exists already")
    (tmp_path / "eval-ml-ai.png").write_bytes(b"my own picture")
    _one_line(run_cli(*args), "exists already")
    assert (tmp_path / "eval-ml-ai.png").read_bytes() == b"my own picture"


def test_a_family_added_to_a_file_says_how_to_find_it(tmp_path: Path) -> None:
    fams = tmp_path / "f.toml"
    result = run_cli("family", "add", "care", "--anchors", "nurse", "--families", fams)
    assert f"Try: jobmap find care --families {fams}" in result.stdout


def test_given_anchors_and_an_anchor_sample_are_refused(fake_model: HashBackend) -> None:
    result = run_cli(
        "find", "ml-ai", "--method", "anchors", "--model", "fake", "--anchor", "Data Scientist",
        "--anchor-sample", "100",
    )  # fmt: skip
    _one_line(result, "--anchor-sample: the anchors are given")


def test_answers_imported_for_an_unknown_family_are_said(tmp_path: Path) -> None:
    labels = tmp_path / "l.csv"
    labels.write_text("title,label\nNurse,yes\n")
    result = run_cli("answers", "import", "nursng", labels, "--answers", tmp_path / "a.sqlite")
    assert result.exit_code == 0 and "no family 'nursng' is known" in result.stderr


def test_report_shares_are_of_the_group_s_postings(tmp_path: Path) -> None:
    tables = jobmap.report("ml-ai", method="keywords", progress=False)
    fam = int(tables["overview"].set_index("group").loc["family", "postings"])
    for name in ("skills", "benefits", "job_industries"):
        t = tables[name]
        assert (t["family_share"] * fam).round(6).eq(t["family"]).all(), name
    assert str(tables["salary"]["postings"].dtype) == "Int64"
