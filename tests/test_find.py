from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import jobmap
from jobmap.errors import ConfigError
from jobmap.families import get_family, load_families
from tests.conftest import run_cli
from tests.fakes import HashBackend

TITLES = [
    "Machine Learning Engineer",
    "Senior Machine Learning Engineer",
    "Machine Learning Engineering Manager",
    "Artificial Intelligence Researcher",
    "Registered Nurse",
    "Line Cook",
    "Truck Driver",
    "Nurse Practitioner",
]


@pytest.fixture
def small_csv(tmp_path: Path) -> Path:
    f = tmp_path / "jobs.csv"
    pd.DataFrame({"job_id": range(1, len(TITLES) + 1), "title": TITLES}).to_csv(f, index=False)
    return f


def test_output_contract(small_csv: Path, fake_model: HashBackend) -> None:
    every = jobmap.find(
        "ml-ai",
        method="anchors",
        data=small_csv,
        model="fake",
        threshold=0.6,
        all=True,
        progress=False,
    )
    assert list(every.columns[:5]) == ["job_id", "title", "score", "match", "nearest_anchor"]
    assert len(every) == len(TITLES) and every["job_id"].is_unique
    assert every["score"].is_monotonic_decreasing
    assert (every["match"] == (every["score"] >= 0.6)).all()
    anchors = {
        "Machine Learning Engineer",
        "Senior Machine Learning Engineer",
        "Machine Learning Engineering Manager",
        "Artificial Intelligence Researcher",
    }
    assert set(every.loc[every["score"] > 0.999, "title"]) == anchors  # each anchor: itself
    only = jobmap.find(
        "ml-ai", method="anchors", data=small_csv, model="fake", threshold=0.6, progress=False
    )
    assert only["match"].all() and len(only) == every["match"].sum()
    m = only.attrs["manifest"]
    assert m["method"] == "anchors" and m["threshold"] == 0.6
    assert m["embedding"]["model_id"] == "fake:fake"
    assert m["data"]["key"] and m["jobmap_version"] == jobmap.__version__
    assert sorted(m["parameters"]["anchor_titles"]) == sorted(anchors)


def test_titles_are_embedded_with_the_prefix_once_each(
    tmp_path: Path, fake_model: HashBackend
) -> None:
    f = tmp_path / "dups.csv"
    f.write_text("job_id,title\n1,Machine Learning Engineer\n2,Cook\n3,Cook\n4,Cook\n")
    jobmap.find("ml-ai", method="anchors", data=f, model="fake", all=True, progress=False)
    assert sorted(fake_model.calls) == ["Job title: Cook", "Job title: Machine Learning Engineer"]


def test_family_threshold_is_the_default(small_csv: Path, fake_model: HashBackend) -> None:
    run = jobmap.run_find("ml-ai", method="anchors", data=small_csv, model="fake", progress=False)
    assert run.threshold == 0.85 == get_family("ml-ai").thresholds["anchors"]


def test_explicit_anchors_by_title_and_job_id(small_csv: Path, fake_model: HashBackend) -> None:
    run = jobmap.run_find(
        "ml-ai",
        small_csv,
        method="anchors",
        model="fake",
        anchors=["5", "Head Chef"],
        progress=False,
    )
    assert run.manifest["parameters"]["anchor_titles"] == ["Registered Nurse", "Head Chef"]
    top = run.scored.iloc[0]
    assert top["title"] == "Registered Nurse" and top["nearest_anchor"] == "Registered Nurse"


def test_anchor_sample_is_reproducible(tmp_path: Path, fake_model: HashBackend) -> None:
    f = tmp_path / "many.csv"
    titles = [f"{TITLES[i % len(TITLES)]} {i}" for i in range(200)]
    pd.DataFrame({"job_id": range(200), "title": titles}).to_csv(f, index=False)
    a = jobmap.run_find(
        "ml-ai", method="anchors", data=f, anchor_sample=60, seed=567, model="fake", progress=False
    )
    b = jobmap.run_find(
        "ml-ai", method="anchors", data=f, anchor_sample=60, seed=567, model="fake", progress=False
    )
    c = jobmap.run_find(
        "ml-ai", method="anchors", data=f, anchor_sample=60, seed=1, model="fake", progress=False
    )
    full = jobmap.run_find("ml-ai", method="anchors", data=f, model="fake", progress=False)
    pa = a.manifest["parameters"]["anchor_titles"]
    assert pa == b.manifest["parameters"]["anchor_titles"]
    assert pa != c.manifest["parameters"]["anchor_titles"]
    assert set(pa) < set(full.manifest["parameters"]["anchor_titles"])


def test_no_anchor_found_is_a_clear_error(tmp_path: Path, fake_model: HashBackend) -> None:
    f = tmp_path / "x.csv"
    f.write_text("title\nCook\nNurse\n")
    with pytest.raises(ConfigError, match="no title in the 2 postings contains any anchor"):
        jobmap.find("ml-ai", method="anchors", data=f, model="fake", progress=False)
    fams = tmp_path / "f.toml"
    fams.write_text('[families.zebras]\nanchors = ["zebra trainer"]\n')
    result = run_cli("find", "zebras", "--data", f, "--families", fams, "--model", "fake")
    assert result.exit_code == 1
    assert "'zebras' has nothing to learn from" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_writes_rows_and_manifest(
    small_csv: Path, tmp_path: Path, fake_model: HashBackend
) -> None:
    out = tmp_path / "m.csv"
    result = run_cli(
        "find",
        "--method",
        "anchors",
        "ml-ai",
        "--data",
        small_csv,
        "--model",
        "fake",
        "--threshold",
        "0.6",
        "--all",
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        f"Wrote 8 rows to {out} and the manifest to {tmp_path / 'm.manifest.json'}"
    )
    assert "ml-ai by anchors (threshold 0.6 [given], 4 anchor titles):" in result.stdout
    assert "Just below the threshold" in result.stdout
    back = pd.read_csv(out)
    assert len(back) == 8 and {"job_id", "title", "score", "match"} <= set(back.columns)
    manifest = json.loads((tmp_path / "m.manifest.json").read_text())
    assert manifest["counts"]["postings"] == 8
    parquet = run_cli(
        "find",
        "--method",
        "anchors",
        "ml-ai",
        "--data",
        small_csv,
        "--model",
        "fake",
        "--quiet",
        "--out",
        tmp_path / "p.parquet",
    )
    assert parquet.exit_code == 0
    assert pd.read_parquet(tmp_path / "p.parquet")["match"].all()


def check_one_line_error(result, *must: str) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 1, result.output
    err = result.stderr.strip()
    assert len(err.splitlines()) == 1 and err.startswith("Error: "), err
    for m in must:
        assert m in err, err


def test_unknown_family(fake_model: HashBackend) -> None:
    check_one_line_error(
        run_cli("find", "--method", "anchors", "astronauts", "--model", "fake"),
        "unknown family 'astronauts'",
        "known: ml-ai",
        "--families",
    )


def test_unwritable_out_fails_before_any_work(tmp_path: Path, fake_model: HashBackend) -> None:
    if Path("/sys").is_dir():  # a folder nobody, not even root, can create files in
        check_one_line_error(
            run_cli(
                "find", "ml-ai", "--method", "anchors", "--model", "fake", "--out", "/sys/m.csv"
            ),
            "not writable",
        )
    # file permissions do not stop root (CI runs as root): /proc refuses a new file to anyone
    check_one_line_error(
        run_cli("find", "ml-ai", "--method", "anchors", "--model", "fake", "--out", "/proc/m.csv"),
        "not writable",
    )
    check_one_line_error(
        run_cli(
            "find",
            "ml-ai",
            "--method",
            "anchors",
            "--model",
            "fake",
            "--out",
            tmp_path / "nope" / "m.csv",
        ),
        "does not exist",
    )
    check_one_line_error(
        run_cli(
            "find", "ml-ai", "--method", "anchors", "--model", "fake", "--out", tmp_path / "m.txt"
        ),
        ".csv or .parquet",
    )
    assert fake_model.calls == []  # nothing was embedded before the error


def test_empty_titles_and_missing_title_column(tmp_path: Path, fake_model: HashBackend) -> None:
    f = tmp_path / "blank.csv"
    f.write_text("job_id,title\n1,Machine Learning Engineer\n2,\n3,Cook\n")
    result = run_cli(
        "find",
        "--method",
        "anchors",
        "ml-ai",
        "--data",
        f,
        "--model",
        "fake",
        "--all",
        "--quiet",
        "--out",
        tmp_path / "o.csv",
    )
    assert result.exit_code == 0, result.output
    assert "skipped 1 posting(s) with an empty title" in result.stderr
    assert len(pd.read_csv(tmp_path / "o.csv")) == 2
    g = tmp_path / "notitle.csv"
    g.write_text("job_id,name\n1,Cook\n")
    check_one_line_error(
        run_cli("find", "ml-ai", "--method", "anchors", "--data", g, "--model", "fake"),
        "no job title column",
    )


def test_bad_threshold(fake_model: HashBackend) -> None:
    check_one_line_error(
        run_cli("find", "ml-ai", "--method", "anchors", "--model", "fake", "--threshold", "3"),
        "between -1 and 1",
    )


def test_user_families_file(tmp_path: Path, small_csv: Path, fake_model: HashBackend) -> None:
    mine = tmp_path / "my.toml"
    mine.write_text(
        '[families.nursing]\ntitle = "Nursing"\nanchors = ["nurse"]\n'
        "[families.nursing.thresholds]\nanchors = 0.7\n"
    )
    fams = load_families(mine)
    assert {"ml-ai", "nursing"} <= set(fams)
    run = jobmap.run_find(
        "nursing", method="anchors", data=small_csv, families=mine, model="fake", progress=False
    )
    assert run.threshold == 0.7
    assert set(run.matches["title"]) >= {"Registered Nurse", "Nurse Practitioner"}
    listing = run_cli("families", "--families", mine)
    assert listing.exit_code == 0 and "nursing" in listing.stdout and "ml-ai" in listing.stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[families.x]\nanchors = []\n", "at least one anchor phrase"),
        ("[families.x]\nanchors = 'nurse'\n", "anchors must be a list of strings"),
        ("[families.x]\nanchors = ['a']\ncolour = 'red'\n", "unknown field(s) colour"),
        ("[families.x\n", "not valid TOML"),
        ("title = 'no families table'\n", "no [families.NAME] tables"),
    ],
)
def test_bad_families_file(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(text)
    with pytest.raises(
        ConfigError, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")
    ):
        load_families(f)


def test_titles_with_brackets_are_shown_as_they_are(
    tmp_path: Path, fake_model: HashBackend
) -> None:
    f = tmp_path / "brackets.csv"
    f.write_text("job_id,title\n1,[remote] Machine Learning Engineer\n2,[bold] Cook\n")
    result = run_cli(
        "find", "ml-ai", "--method", "anchors", "--data", f, "--model", "fake", "--threshold", "0.1"
    )
    assert result.exit_code == 0, result.output
    assert "[remote] Machine Learning Engineer" in result.stdout
    assert "[bold] Cook" in result.stdout


def test_scores_are_cached_per_data_family_and_method(
    small_csv: Path, fake_model: HashBackend
) -> None:
    first = jobmap.run_find("ml-ai", small_csv, method="anchors", model="fake", progress=False)
    fake_model.calls.clear()
    again = jobmap.run_find("ml-ai", small_csv, method="anchors", model="fake", progress=False)
    assert fake_model.calls == []  # nothing embedded, nothing scored
    pd.testing.assert_frame_equal(first.scored, again.scored)
    assert again.manifest["parameters"] == first.manifest["parameters"]
    other = jobmap.run_find(
        "ml-ai", small_csv, method="anchors", model="fake", progress=False, anchors=["Line Cook"]
    )
    assert other.manifest["parameters"]["anchor_titles"] == ["Line Cook"]


@pytest.mark.parametrize("method", ["auto", "hybrid"])
def test_every_row_of_find_s_output_is_explained(fake_model: HashBackend, method: str) -> None:
    run = jobmap.run_find("ml-ai", method=method, model="fake", progress=False)
    said = [run.explain(r) for _, r in run.scored.iterrows()]
    assert all(s and not s.rstrip().endswith(":") for s in said)
    by_description = run.scored["evidence"].astype(str).str.startswith("description: ")
    row = run.scored[by_description].iloc[0]
    n = int(row["evidence"].split()[1])
    assert f"the description mentions the family's keywords {n} times" in run.explain(row)


def test_auto_s_rows_are_explained_when_it_picks_bootstrap(
    small_csv: Path, tmp_path: Path, fake_model: HashBackend
) -> None:
    fams = tmp_path / "f.toml"
    fams.write_text('[families.ml]\nanchors = ["machine learning"]\n')
    run = jobmap.run_find("ml", small_csv, families=fams, model="fake", progress=False)
    assert run.manifest["parameters"]["picked"] == "bootstrap"
    said = [run.explain(r) for _, r in run.scored.iterrows()]  # find's output: evidence alone
    assert any("a head trained on" in s for s in said)
    assert any("the title contains" in s for s in said)


@pytest.mark.parametrize("method", ["head", "cluster", "bootstrap", "anchors"])
def test_a_cached_run_still_explains(small_csv: Path, fake_model: HashBackend, method: str) -> None:
    options = {"k": 3} if method == "cluster" else {}
    first = jobmap.run_find(
        "ml-ai", small_csv, method=method, model="fake", progress=False, options=options
    )
    assert not first.manifest["fit"]["from_cache"]
    fake_model.calls.clear()
    again = jobmap.run_find(
        "ml-ai", small_csv, method=method, model="fake", progress=False, options=options
    )
    assert again.manifest["fit"]["from_cache"]
    assert fake_model.calls == []  # neither fitted nor scored again
    # the fitted method came back whole: every posting is explained as the first run did
    assert [first.explain(r) for _, r in first.scored.iterrows()] == [
        again.explain(r) for _, r in again.scored.iterrows()
    ]


def test_a_calibrated_threshold_keeps_the_cached_scores(
    tmp_path: Path, small_csv: Path, fake_model: HashBackend
) -> None:
    from jobmap.families import save_thresholds

    fams = tmp_path / "f.toml"
    fams.write_text('[families.cooks]\nanchors = ["cook"]\n')
    first = jobmap.run_find(
        "cooks", small_csv, method="anchors", families=fams, model="fake", progress=False
    )
    assert first.manifest["threshold_from"] == "method default"
    save_thresholds("cooks", {"anchors": 0.123}, families_file=fams)
    fake_model.calls.clear()
    again = jobmap.run_find(
        "cooks", small_csv, method="anchors", families=fams, model="fake", progress=False
    )
    assert fake_model.calls == []  # scores from the cache
    assert (again.threshold, again.manifest["threshold_from"]) == (0.123, "family")
    # the new threshold is applied to the cached scores: exactly those at or above it match
    expected = (first.scored["score"] >= 0.123).tolist()
    assert again.scored["match"].tolist() == expected and expected != first.scored["match"].tolist()


def test_a_family_name_that_is_no_bare_toml_key_is_written_quoted(tmp_path: Path) -> None:
    from jobmap.families import Family, _parse, family_block

    f = tmp_path / "f.toml"
    f.write_text(family_block(Family("ai jobs", anchors=("machine learning",))))
    assert f.read_text().startswith('[families."ai jobs"]')
    assert _parse(f)["ai jobs"].anchors == ("machine learning",)
    assert family_block(Family("ml-ai", anchors=("x",))).startswith("[families.ml-ai]")
