"""``jobmap technologies``: the named technologies a posting mentions, right where a name is also an
ordinary word, one technology however it is written, never from links; the run, its output and
manifest, the command line, the evaluation against the gold set, and the Ray engine."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pandas as pd
import pytest

import jobmap
from jobmap.errors import DataError
from jobmap.knowledge import technologies as onet_technologies
from jobmap.knowledge.catalogue import ADDED, DROPPED, aliases, catalogue
from jobmap.knowledge.mentions import COLUMNS, TechnologyFinder
from jobmap.outputs import manifest_path
from jobmap.texts.match import PhraseIndex

from .conftest import run_cli

GOLD = Path(__file__).resolve().parents[1] / "benchmarks" / "gold" / "technologies-2024-sample.csv"


@pytest.fixture(scope="module")
def finder() -> TechnologyFinder:
    return TechnologyFinder()


def names(finder: TechnologyFinder, text: str, company: str = "") -> list[str]:
    return [t for t, _ in finder.find(text, company)]


def test_variants_are_one_technology(finder: TechnologyFinder) -> None:
    for text in ("Advanced MS Excel skills", "Excel spreadsheets", "using Microsoft Excel"):
        assert names(finder, text) == ["Microsoft Excel"], text
    for text in ("AWS", "Amazon Web Services", "experience on AWS Cloud"):
        assert names(finder, text) == ["Amazon Web Services AWS software"], text
    for text in ("Postgres", "PostgreSQL", "postgresql"):
        assert names(finder, text) == ["PostgreSQL"], text
    # mentioned three ways in one posting: one row, with the words of the first mention
    found = finder.find("MS Excel daily. Excel models. Microsoft Excel expert.")
    assert found == [("Microsoft Excel", "MS Excel")]


@pytest.mark.parametrize(
    "text",
    [
        "You will excel at building relationships and excel in a fast-paced team.",
        "Access to our gym; word of mouth referrals; Teams are small; Outlook: positive.",
        "Go to the office. Spark joy. Swift action. R&D budget. Grade C.",
        "Oracle is hiring! Join our teams; our outlook is bright.",
        "Experience with CRM and ERP systems, database software and spreadsheets.",
        "Ability to multitask. Big data is growing.",
        "Sous Chef, Banquet Chef; Juris Doctor required; Office Manager, 3 days in office.",
        "Senior Project Engineer to captivate clients at the helm of a jet engine program.",
        "Clustering and graphing of data; operate an excavator; remit payments.",
        "Follow our LinkedIn page!",
    ],
)
def test_ordinary_words_and_kinds_of_software_are_not_technologies(
    finder: TechnologyFinder, text: str
) -> None:
    assert names(finder, text) == []


def test_a_name_that_is_an_ordinary_word_counts_where_it_means_the_technology(
    finder: TechnologyFinder,
) -> None:
    assert names(finder, "Proficient in Excel") == ["Microsoft Excel"]
    assert names(finder, "Microsoft Office (Word, Excel, PowerPoint, Outlook)") == [
        "Microsoft Office software",
        "Microsoft Word",
        "Microsoft Excel",
        "Microsoft PowerPoint",
        "Microsoft Outlook",
    ]
    assert names(finder, "Languages: Python, R and SQL.") == [
        "Python",
        "R",
        "Structured query language SQL",
    ]
    assert "Go" in names(finder, "Backend services in Java, Go and C++")
    assert names(finder, "Experience with C#") == ["C#"]
    assert names(finder, "Proficient in R") == ["R"]
    assert names(finder, "We track work in Jira and sign with DocuSign") == [
        "Atlassian JIRA",
        "DocuSign eSignature",
    ]
    assert "C" in names(finder, "Firmware in C, C++ and Python") and "C++" in names(
        finder, "Firmware in C, C++ and Python"
    )


def test_glued_list_items_and_sentences_are_read_apart(finder: TechnologyFinder) -> None:
    """The data often loses the line breaks of a list: "Microsoft WordOutlookSmart Phone"."""
    found = names(finder, "Applicants should be proficient in:Microsoft WordOutlookSmart Phone")
    assert found == ["Microsoft Word", "Microsoft Outlook"]
    found = names(finder, "such as HTML, CSS, and JavaScript.Familiarity with MySQL")
    assert "JavaScript" in found and "MySQL" in found
    assert "Oracle Java" not in found  # "Java" inside "JavaScript" is JavaScript's


def test_links_emails_and_the_company_itself_are_not_evidence(finder: TechnologyFinder) -> None:
    text = "Apply at https://jobs.python.org/excel or mail jane@salesforce.com today."
    assert names(finder, text) == []
    # the company's own name counts only where the words around it mean its product
    assert names(finder, "Salesforce is growing fast.", company="Salesforce") == []
    assert names(finder, "Experience with Salesforce required.", company="Acme") == [
        "Salesforce software"
    ]


def test_the_two_engines_of_the_phrase_index_agree() -> None:
    """The automaton and the compiled alternation (the benchmark's baseline) find the same
    names in random texts built from the names themselves and their pieces."""
    table = aliases()
    rng = random.Random(7)
    chosen = rng.sample(sorted(table["alias"]), 400)
    automaton, regex = PhraseIndex(chosen), PhraseIndex(chosen, engine="regex")
    words = [w for alias in chosen for w in alias.split()] + ["and", "the", ",", ".", "/"]
    for _ in range(200):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 40)))
        assert automaton.find(text) == regex.find(text), text
    with pytest.raises(ValueError, match="unknown engine"):
        PhraseIndex(["x"], engine="nope")


def test_the_catalogue_keeps_o_net_s_names_and_adds_reviewed_ones() -> None:
    table = catalogue()
    assert table["technology"].is_unique
    onet = set(onet_technologies()["technology"])
    added = table[table["source"] != "O*NET"]
    assert len(added) > 50 and not set(added["technology"]) & onet
    # every addition says where it was seen, in a category O*NET uses
    raw = pd.read_csv(ADDED, sep="\t", comment="#", dtype=str, keep_default_na=False)
    assert raw["technology"].is_unique and (raw["source"].str.strip() != "").all()
    assert set(raw["category"]) <= set(onet_technologies()["category"])
    # kinds of software are not in it; named ones are
    assert "Accounting software" not in set(table["technology"])
    assert {"Microsoft Excel", "Salesforce software", "Snowflake"} <= set(table["technology"])
    dropped = pd.read_csv(DROPPED, sep="\t", comment="#", dtype=str, keep_default_na=False)
    assert not set(dropped["technology"].str.lower()) & set(aliases()["alias"].str.lower())


def test_technologies_of_the_bundled_sample() -> None:
    found = jobmap.technologies(progress=False)
    assert list(found.columns) == COLUMNS
    assert not found.duplicated(["job_id", "technology"]).any()
    assert found["hot"].dtype == bool and (found["evidence"].str.len() > 0).all()
    assert found["job_id"].nunique() > 100  # over a hundred postings name their tools
    assert found.attrs["manifest"]["run"] == "technologies"
    top = found["technology"].value_counts()
    assert top.index[0] in {"Microsoft Office software", "Microsoft Excel"}


def test_a_family_s_technologies_against_the_rest(tmp_path: Path) -> None:
    run = jobmap.runs.run_technologies(family="ml-ai", progress=False)
    assert run.in_family > 0 and run.found["in_family"].any()
    top = run.top(5)
    assert {"family", "family_share", "rest", "rest_share"} <= set(top.columns)
    assert top["technology"].iloc[0] == "Python"  # the ML/AI postings of the sample
    out = tmp_path / "ml.csv"
    run = jobmap.runs.run_technologies(family="ml-ai", out=out, progress=False)
    written = pd.read_csv(out)
    assert len(written) == int(run.found["in_family"].sum())  # only the family's postings
    assert len(run.output()) == len(written) and "in_family" not in run.output().columns
    manifest = json.loads(manifest_path(out).read_text())
    assert manifest["family"]["name"] == "ml-ai" and manifest["counts"]["rows"] == len(written)
    assert manifest["family"]["postings"] == run.in_family and manifest["family"]["threshold"]
    # the Python function gives what the command writes
    assert len(jobmap.technologies(family="ml-ai", progress=False)) == len(written)


def test_the_command_prints_the_top_and_writes_parquet(tmp_path: Path) -> None:
    out = tmp_path / "tech.parquet"
    result = run_cli("technologies", "--out", str(out), "--top", "5")
    assert result.exit_code == 0, result.output
    assert "Microsoft Excel" in result.output and "O*NET" in result.output
    table = pd.read_parquet(out)
    assert list(table.columns) == COLUMNS and len(table) > 500
    # the output is not overwritten without --overwrite
    again = run_cli("technologies", "--out", str(out))
    assert again.exit_code == 1 and "--overwrite" in again.output
    about = run_cli("technologies", "--about")
    assert about.exit_code == 0 and "CC BY 4.0" in about.output


def test_evaluate_technologies_scores_the_gold_set(tmp_path: Path) -> None:
    result = run_cli("evaluate-technologies", "--gold", str(GOLD), "--quiet")
    assert result.exit_code == 0, result.output
    assert "tune" in result.output and "check" in result.output
    evaluation = jobmap.runs.evaluate_technologies(GOLD, progress=False)
    metrics = evaluation.metrics.set_index("half")
    assert metrics.loc["all", "postings"] == 100 and metrics.loc["all", "gold_pairs"] > 200
    assert 0 < metrics.loc["all", "recall"] <= 1 and 0 < metrics.loc["all", "precision"] <= 1
    # a gold file without its columns, or with postings not in the data: one clear line
    bad = tmp_path / "bad.csv"
    bad.write_text("id,tech\n1,Python\n")
    with pytest.raises(DataError, match="no job_id or technology column"):
        jobmap.runs.evaluate_technologies(bad, progress=False)
    bad.write_text("job_id,technology\n999,Python\n")
    with pytest.raises(DataError, match="not in the data"):
        jobmap.runs.evaluate_technologies(bad, progress=False)
    bad.write_text("job_id,technology,half\n3905205314,SAS,middle\n")
    with pytest.raises(DataError, match="line 2, column half: 'middle'"):
        jobmap.runs.evaluate_technologies(bad, progress=False)
    # a name the catalogue lacks cannot be found: said, not silent
    odd = tmp_path / "odd.csv"
    odd.write_text("job_id,technology\n3905205314,Not A Real Tech\n")
    assert "not in the catalogue" in jobmap.runs.evaluate_technologies(odd, progress=False).notes[0]


def test_titles_only_data_says_so(tmp_path: Path) -> None:
    data = tmp_path / "titles.csv"
    data.write_text("job_id,title\n1,Java Developer\n2,Line Cook\n3,SAP Consultant\n")
    run = jobmap.run_technologies(data, cache_dir=tmp_path / "c", progress=False)
    assert run.described == 0 and run.base == 3
    assert any("no descriptions" in n for n in run.notes)
    assert set(run.found["technology"]) == {"Oracle Java", "SAP software"}
    result = run_cli("technologies", "--data", str(data), "--cache-dir", str(tmp_path / "c"))
    assert result.exit_code == 0 and "titles only" in result.output


@pytest.mark.slow
def test_the_ray_engine_finds_what_the_local_engine_finds(tmp_path: Path) -> None:
    ray = pytest.importorskip("ray", reason="jobmap[ray] is not installed")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        local = jobmap.technologies(progress=False, cache_dir=tmp_path / "local")
        on_ray = jobmap.technologies(progress=False, engine="ray", cache_dir=tmp_path / "ray")
    finally:
        ray.shutdown()
    key = ["job_id", "technology"]
    a = local.sort_values(key).reset_index(drop=True)
    b = on_ray.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_find_with_technologies_and_occupation_adds_columns(tmp_path: Path) -> None:
    found = jobmap.find("ml-ai", with_columns=("technologies", "occupation"), progress=False)
    assert {"technologies", "occupation_code", "occupation_title"} <= set(found.columns)
    mine = jobmap.technologies(progress=False)
    mine = mine[mine["job_id"].isin(set(found["job_id"]))]
    expected = mine.groupby("job_id")["technology"].agg("; ".join)
    got = found.set_index("job_id")["technologies"]
    assert got.loc[expected.index].tolist() == expected.tolist() and "Python" in " ".join(got)
    assert found.attrs["manifest"]["with_columns"] == ["technologies", "occupation"]
    result = run_cli("find", "ml-ai", "--with", "nothing", "--quiet")
    assert result.exit_code == 1 and "nothing" in result.output
