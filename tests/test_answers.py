"""The answers store: an append-only SQLite log (WAL), undo as an event, durable commits, the
label format in and out, and answers deciding the postings they cover in find and evaluate."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import jobmap
from jobmap.answers import AnswerStore, export_labels, normalise_title, resolve, subject
from jobmap.errors import ConfigError
from jobmap.runs import evaluate
from tests.conftest import run_cli
from tests.fakes import HashBackend

TITLES = [
    "Machine Learning Engineer",
    "Senior Machine Learning Engineer",
    "Data Scientist",
    "Senior Data Scientist",
    "Data Engineer",
    "Senior Data Engineer",
    "Registered Nurse",
    "Line Cook",
]


@pytest.fixture
def postings() -> pd.DataFrame:
    return pd.DataFrame({"job_id": range(1, len(TITLES) + 1), "title": TITLES})


def test_answers_undo_and_nothing_is_overwritten(tmp_path: Path) -> None:
    store = AnswerStore(tmp_path / "a.sqlite")
    store.answer("ml", [(subject("title", "Data Scientist"), "yes", "Data Scientist")])
    store.answer("ml", [(subject("title", "Data Scientist"), "no", "Data Scientist")])
    assert [a.answer for a in store.current("ml")] == ["no"]  # the latest answer stands
    assert store.undo("ml") == 1
    assert [a.answer for a in store.current("ml")] == ["yes"]  # undo brings the earlier back
    assert store.current("other") == []  # answers are per family
    with sqlite3.connect(tmp_path / "a.sqlite") as con:
        events = con.execute("select event from events order by id").fetchall()
        mode = con.execute("pragma journal_mode").fetchone()[0]
    assert [e[0] for e in events] == ["answer", "answer", "undo"]  # an append-only log
    assert mode == "wal"


def test_a_batch_is_undone_as_one_step(tmp_path: Path) -> None:
    store = AnswerStore(tmp_path / "a.sqlite")
    store.answer("ml", [(subject("title", "Line Cook"), "no", "Line Cook")])
    items = [(subject("title", t), "yes", t) for t in ("Data Scientist", "Senior Data Scientist")]
    store.answer("ml", items)
    assert store.count("ml") == 3
    assert store.undo("ml") == 2
    assert [a.key for a in store.current("ml")] == ["line cook"]
    assert store.undo("ml") == 1 and store.undo("ml") == 0


def test_bad_answers_are_refused(tmp_path: Path) -> None:
    store = AnswerStore(tmp_path / "a.sqlite")
    with pytest.raises(ConfigError, match="give one of yes, no, skip"):
        store.answer("ml", [("title:x", "maybe", "x")])
    with pytest.raises(ConfigError, match="expected KIND:KEY"):
        store.answer("ml", [("nonsense", "yes", "x")])
    with pytest.raises(ConfigError, match="an empty title"):
        subject("title", "  ()  ")
    assert store.count("ml") == 0


def test_an_acknowledged_answer_survives_kill_9(tmp_path: Path) -> None:
    """A writer killed with SIGKILL mid-stream loses no answer it had acknowledged."""
    db = tmp_path / "a.sqlite"
    acks = tmp_path / "acks.txt"
    script = f"""
import sys
from jobmap.answers import AnswerStore
store = AnswerStore({str(db)!r})
with open({str(acks)!r}, "a", buffering=1) as out:
    for i in range(100000):
        store.answer("ml", [(f"posting:{{i}}", "yes", f"t{{i}}")])
        out.write(f"{{i}}\\n")
"""
    proc = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if acks.exists() and len(acks.read_text().splitlines()) >= 30:
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    acknowledged = {int(x) for x in acks.read_text().splitlines() if x.strip()}
    assert len(acknowledged) >= 30
    kept = {int(a.key) for a in AnswerStore(db).current("ml")}
    assert acknowledged <= kept  # every acknowledged answer is there; at most one more


def test_two_stores_on_one_database_see_each_other(tmp_path: Path) -> None:
    first, second = AnswerStore(tmp_path / "a.sqlite"), AnswerStore(tmp_path / "a.sqlite")
    first.answer("ml", [(subject("title", "Data Engineer"), "no", "Data Engineer")])
    second.answer("ml", [(subject("title", "Data Scientist"), "yes", "Data Scientist")])
    assert {a.key for a in first.current("ml")} == {"data engineer", "data scientist"}


def test_the_most_specific_answer_decides(tmp_path: Path, postings: pd.DataFrame) -> None:
    store = AnswerStore(tmp_path / "a.sqlite")
    store.answer("ml", [(subject("phrase", "data engineer"), "no", "data engineer")])
    store.answer("ml", [(subject("title", "Senior Data Engineer"), "yes", "Senior Data Engineer")])
    store.answer("ml", [(subject("posting", 5), "skip", "Data Engineer")])
    got = resolve(store.current("ml"), postings)
    assert got.iloc[4] == "no"  # the phrase; the posting's skip decides nothing
    assert got.iloc[5] == "yes"  # its title's answer beats the phrase's
    assert got.isna().sum() == 6
    assert normalise_title(" Senior Data Engineer (Remote) ") == "senior data engineer"


def test_a_title_answer_does_not_reach_a_title_whose_aside_says_what_the_job_is() -> None:
    p = pd.DataFrame(
        {
            "job_id": [1, 2, 3, 4, 5],
            "title": [
                "Software Engineer",
                "Software Engineer (Remote)",
                "Software Engineer [Part-Time] ($45 - $60/hour)",
                "Software Engineer (Machine Learning)",
                "Software Engineer (NLP)",
            ],
        }
    )
    store = AnswerStore(":memory:")
    store.answer("ml", [(subject("title", "Software Engineer"), "no", "Software Engineer")])
    got = resolve(store.current("ml"), p)
    assert list(got.iloc[:3]) == ["no"] * 3  # where and on what terms: the same title
    assert got.iloc[3:].isna().all()  # what the job is: another title, not decided by that answer
    assert normalise_title("Software Engineer (Machine Learning)") == (
        "software engineer machine learning"
    )
    assert normalise_title("Registered Nurse (RN) [Night Shift]") == "registered nurse rn"


def test_a_phrase_answered_no_leaves_the_rule_s_titles_alone(postings: pd.DataFrame) -> None:
    store = AnswerStore(":memory:")
    store.answer("ml", [(subject("phrase", "engineer"), "no", "engineer")])
    got = resolve(store.current("ml"), postings, protect=("machine learning",))
    assert got.iloc[0] is pd.NA or pd.isna(got.iloc[0])  # "Machine Learning Engineer": the rule's
    assert got.iloc[4] == "no"


def test_export_import_round_trip(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    labels = tmp_path / "in.csv"
    pd.DataFrame(
        {"title": ["Data Scientist", "Data Engineer", "Line Cook"], "label": ["yes", "no", "no"]}
    ).to_csv(labels, index=False)
    result = run_cli("answers", "import", "ml-ai", labels, "--answers", db)
    assert result.exit_code == 0, result.output
    assert "Imported 3 answers" in result.stdout
    out = tmp_path / "out.csv"
    result = run_cli("answers", "export", "ml-ai", "--out", out, "--answers", db)
    assert result.exit_code == 0, result.output
    back = pd.read_csv(out)
    assert dict(zip(back["title"], back["label"], strict=True)) == {
        "Data Scientist": "yes",
        "Data Engineer": "no",
        "Line Cook": "no",
    }
    # the exported file is a label file evaluate reads
    summary = evaluate("ml-ai", labels=out, methods=["keywords"], progress=False)
    assert summary["summary"]["labelled"].iloc[0] == 3


def test_export_with_the_data_expands_phrases(tmp_path: Path, postings: pd.DataFrame) -> None:
    store = AnswerStore(":memory:")
    store.answer("ml", [(subject("phrase", "data scientist"), "yes", "data scientist")])
    out = export_labels(store.current("ml"), postings)
    assert list(out["job_id"]) == [3, 4] and set(out["label"]) == {"yes"}
    assert export_labels(store.current("ml")).empty  # phrases need the data


def test_find_and_evaluate_use_the_answers(tmp_path: Path, fake_model: HashBackend) -> None:
    data = tmp_path / "t.csv"
    pd.DataFrame({"job_id": range(1, len(TITLES) + 1), "title": TITLES}).to_csv(data, index=False)
    fams = tmp_path / "f.toml"
    fams.write_text('[families.ml]\nanchors = ["machine learning"]\n')
    before = jobmap.run_find("ml", data, families=fams, method="keywords", progress=False)
    assert set(before.matches["title"]) == set(TITLES[:2])
    store = AnswerStore(os.environ["JOBMAP_ANSWERS"])
    store.answer("ml", [(subject("phrase", "data scientist"), "yes", "data scientist")])
    store.answer("ml", [(subject("posting", 2), "no", TITLES[1])])
    after = jobmap.run_find("ml", data, families=fams, method="keywords", progress=False)
    assert set(after.matches["title"]) == {TITLES[0], "Data Scientist", "Senior Data Scientist"}
    row = after.scored.set_index("job_id").loc[2]
    assert (row["match"], row["keyword"]) == (False, "answered: no")
    assert after.explain(row).startswith("answered: no (an answer decides")
    # posting 2; the phrase's two are the rule's now (the phrase joined it), as from a file
    assert after.manifest["counts"]["answered"] == 1
    shown = run_cli("find", "ml", "--data", data, "--families", fams, "--method", "keywords")
    assert "1 postings decided by the family's answers (2 in" in shown.stdout
    ignored = jobmap.run_find(
        "ml", data, families=fams, method="keywords", use_answers=False, progress=False
    )
    assert set(ignored.matches["title"]) == set(TITLES[:2])
    labels = tmp_path / "l.csv"
    pd.DataFrame({"job_id": [2, 3], "label": ["no", "yes"]}).to_csv(labels, index=False)
    out = evaluate("ml", data, labels=labels, families=fams, progress=False)
    kw = out["summary"].set_index("method").loc["keywords"]
    assert (kw["tp"], kw["fp"], kw["fn"]) == (1, 0, 0)
    # posting 2 is answered; posting 3 the phrase answered yes matches, by the rule it joined
    assert out["summary"].attrs["answered_labels"] == 1
    args = ["evaluate", "ml", "--data", data, "--families", fams, "--labels", labels]
    args += ["--plot", tmp_path / "p.png"]
    said = run_cli(*args)
    assert said.exit_code == 0, said.output
    assert "1 of the labelled postings are decided by your answers for ml" in said.stdout
    alone = run_cli(*args, "--no-answers", "--overwrite")
    assert alone.exit_code == 0, alone.output
    assert "decided by your answers" not in alone.stdout
    # the rule alone matches posting 2 ("no" by the label) and misses posting 3
    assert "0/1/1" in alone.stdout
    review = run_cli("review", "ml", "--data", data, "--families", fams, "--no-answers")
    assert review.exit_code == 1 and "--no-answers: a review is made of answers" in review.stderr


def test_a_database_from_before_audit_strata_gets_the_new_columns(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite"
    con = sqlite3.connect(db)
    con.executescript(
        """create table events (id integer primary key autoincrement, family text not null,
        event text not null, subject text, answer text, title text, batch text not null,
        undoes text, audit integer not null default 0, source text not null default 'review',
        created real not null);
        insert into events (family, event, subject, answer, title, batch, audit, created)
        values ('ml', 'answer', 'posting:7', 'no', 'Cook', 'b1', 1, 0);"""
    )
    con.commit()
    con.close()
    store = AnswerStore(db)
    old = store.current("ml")[0]
    assert old.audit and old.stratum is None and old.stratum_size is None  # kept, stratum unknown
    store.answer("ml", [("posting:8", "yes", "ML Engineer")], audit=True, stratum=("rest", 90))
    new = store.current("ml")[-1]
    assert (new.stratum, new.stratum_size) == ("rest", 90)
    AnswerStore(db)  # opening it again adds nothing twice
    with pytest.raises(ConfigError, match="give matches or rest"):
        store.answer("ml", [("posting:9", "no", "x")], audit=True, stratum=("all", 1))
