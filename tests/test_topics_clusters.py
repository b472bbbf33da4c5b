from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import jobmap
from jobmap.errors import ConfigError
from jobmap.methods.cluster import membership_threshold
from jobmap.texts import tokenize
from tests.conftest import needs_shared, run_cli
from tests.fakes import HashBackend


def test_tokens_follow_the_notebooks_rules() -> None:
    got = tokenize(["She quickly built 3 new ML models, and they're deployed on AWS!"])
    assert got == [["build", "ml", "model", "deploy", "aws"]]
    # nouns ending in -ly stay; adverbs go; closed classes go
    assert tokenize(["Supply chain family assembly, usually weekly"]) == [
        ["supply", "chain", "family", "assembly"]
    ]
    assert tokenize(["", None]) == [[], []]  # type: ignore[list-item]


def test_lda_on_the_real_sample_follows_the_contract() -> None:
    run = jobmap.run_find("ml-ai", method="lda", progress=False)
    assert len(run.scored) == 665 and run.threshold == 0.8
    assert list(run.scored.columns[:6]) == [
        "job_id",
        "title",
        "score",
        "match",
        "topic",
        "topic_words",
    ]
    p = run.manifest["parameters"]
    assert p["n_topics"] == 30 and p["probe_text"] == "Machine Learning Engineer"
    assert p["descriptions"] is True and not p["model_from_cache"]
    assert run.scored["score"].min() >= 0 and run.scored["score"].max() <= 1
    topics = run.method.topics()  # type: ignore[attr-defined]
    assert len(topics) == 30 and topics["postings"].sum() == 665
    assert topics.loc[topics["family"], "topic"].item() == p["family_topic"]
    assert "topic" in run.explain(run.scored.iloc[0])
    again = jobmap.run_find("ml-ai", method="lda", progress=False, use_cache=False)
    assert again.manifest["parameters"]["model_from_cache"]  # the fitted model was reused
    np.testing.assert_allclose(again.scored["score"], run.scored["score"])


def test_lda_model_depends_on_its_parameters() -> None:
    a = jobmap.run_find("ml-ai", method="lda", progress=False, options={"n_topics": 10})
    assert len(a.method.topics()) == 10  # type: ignore[attr-defined]
    assert not a.manifest["parameters"]["model_from_cache"]


def test_topics_command_marks_the_family_topic() -> None:
    result = run_cli("topics", "ml-ai", "--quiet")
    assert result.exit_code == 0, result.output
    assert "30 topics over 665 postings" in result.stdout
    assert result.stdout.count("<- ml-ai") == 1
    assert "Model: " in result.stdout


def test_lda_with_too_few_words_is_a_clear_error(tmp_path: Path) -> None:
    f = tmp_path / "tiny.csv"
    f.write_text("title\nMachine Learning Engineer\nCook\nNurse\n")
    result = run_cli("find", "ml-ai", "--data", f, "--method", "lda")
    assert result.exit_code == 1
    assert "LDA found too few words" in result.stderr and "--method anchors" in result.stderr


@pytest.mark.slow  # the real MiniLM or a fit over all 33,246 postings of ../shared
def test_lda_on_titles_alone() -> None:
    data = needs_shared("data", "linkedin-2023")
    run = jobmap.run_find("ml-ai", data, method="lda", progress=False, options={"passes": 2})
    assert len(run.scored) == 33_246
    assert run.manifest["parameters"]["descriptions"] is False
    assert run.scored["score"].notna().all()


@pytest.fixture
def titles_csv(tmp_path: Path) -> Path:
    families = {
        "ml": [
            "Machine Learning Engineer",
            "Senior Machine Learning Engineer",
            "Machine Learning Scientist",
            "Lead Machine Learning Engineer",
        ],
        "nurse": ["Registered Nurse", "Nurse Practitioner", "Travel Nurse", "Nurse Manager"],
        "driver": ["Truck Driver", "Delivery Driver", "CDL Truck Driver", "Bus Driver"],
    }
    rows = [t for titles in families.values() for t in titles for _ in range(3)]
    f = tmp_path / "titles.csv"
    pd.DataFrame({"job_id": range(len(rows)), "title": rows}).to_csv(f, index=False)
    return f


def test_kmeans_family_cluster_and_contract(titles_csv: Path, fake_model: HashBackend) -> None:
    run = jobmap.run_find(
        "ml-ai", titles_csv, method="cluster", model="fake", progress=False, options={"k": 3}
    )
    assert len(run.scored) == 36 and run.manifest["threshold_from"] == "fitted"
    assert list(run.scored.columns[:6]) == [
        "job_id",
        "title",
        "score",
        "match",
        "cluster",
        "family_cluster",
    ]
    ml = run.scored["title"].str.contains("Machine Learning")
    assert run.scored.loc[ml, "family_cluster"].all()
    assert not run.scored.loc[~ml, "family_cluster"].any()
    assert set(run.matches["title"]) == set(run.scored.loc[ml, "title"])
    table = run.method.clusters()  # type: ignore[attr-defined]
    assert table["postings"].sum() == 36 and table["family"].sum() == 1
    assert "Machine Learning" in table.loc[table["family"], "central_titles"].item()


def test_k_auto_records_the_curve(tmp_path: Path, fake_model: HashBackend) -> None:
    f = tmp_path / "many.csv"
    rng = np.random.default_rng(0)
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
    titles = [" ".join(rng.choice(words, 3)) + f" {i % 40}" for i in range(400)]
    pd.DataFrame({"title": [*titles, "Machine Learning Engineer"]}).to_csv(f, index=False)
    result = run_cli("clusters", "ml-ai", "--data", f, "--model", "fake", "--k", "auto", "--quiet")
    assert result.exit_code == 0, result.output
    assert "K by silhouette" in result.stdout and "<- chosen" in result.stdout
    bad = run_cli("clusters", "ml-ai", "--data", f, "--model", "fake", "--k", "many")
    assert bad.exit_code == 1 and "give a whole number or auto" in bad.stderr


def test_hdbscan_runs_and_marks_noise(
    tmp_path: Path, titles_csv: Path, fake_model: HashBackend
) -> None:
    # the three families of titles, plus titles like nothing else: HDBSCAN's noise
    loners = ["Zookeeper", "Quantum Xylophonist"]
    frame = pd.read_csv(titles_csv)
    extra = pd.DataFrame({"job_id": range(100, 100 + len(loners)), "title": loners})
    f = tmp_path / "with-loners.csv"
    pd.concat([frame, extra]).to_csv(f, index=False)
    run = jobmap.run_find(
        "ml-ai",
        f,
        method="cluster",
        model="fake",
        progress=False,
        options={"algorithm": "hdbscan", "min_cluster_size": 3},
    )
    assert run.manifest["parameters"]["algorithm"] == "hdbscan"
    cluster_of = dict(zip(run.scored["title"], run.scored["cluster"], strict=False))
    assert {cluster_of[t] for t in loners} == {-1}  # each loner is noise, and only they are
    assert set(run.scored.loc[run.scored["cluster"] == -1, "title"]) == set(loners)
    ml = run.scored["title"].str.contains("Machine Learning")
    assert (run.scored.loc[ml, "cluster"] >= 0).all() and run.scored.loc[ml, "family_cluster"].all()
    table = run.method.clusters()  # type: ignore[attr-defined]
    assert table.set_index("cluster").loc[-1, "postings"] >= len(loners)
    assert not table.set_index("cluster").loc[-1, "family"]


def test_bad_k(titles_csv: Path, fake_model: HashBackend) -> None:
    with pytest.raises(ConfigError, match="--k 500"):
        jobmap.run_find(
            "ml-ai", titles_csv, method="cluster", model="fake", progress=False, options={"k": 500}
        )


def test_membership_threshold_reproduces_membership() -> None:
    scores = np.array([0.9, 0.8, 0.7, 0.4, 0.3])
    member = np.array([True, True, True, False, False])
    assert membership_threshold(scores, member, np.ones(5)) == 0.7


@pytest.mark.slow
def test_clusters_with_the_real_model_on_the_real_sample() -> None:
    run = jobmap.run_find("ml-ai", method="cluster", progress=False, options={"k": 20})
    assert len(run.scored) == 665
    assert run.manifest["parameters"]["clusters"] == 20
    assert run.scored.loc[run.scored["family_cluster"], "match"].mean() > 0.5
