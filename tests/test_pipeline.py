"""One settings object and one pipeline: every option reaches the method and the manifest, for
find, evaluate and report alike; options a method cannot use are errors; fitted methods are
cached by content and code."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import jobmap
from jobmap.config import Settings
from jobmap.embeddings import register_backend, unregister_backend
from jobmap.errors import ConfigError
from jobmap.methods import METHODS, make_method
from jobmap.runs import evaluate
from tests.conftest import run_cli
from tests.fakes import HashBackend

TITLES = [
    "Machine Learning Engineer",
    "Senior Machine Learning Engineer",
    "Machine Learning Scientist",
    "Artificial Intelligence Researcher",
    "Registered Nurse",
    "Travel Nurse",
    "Nurse Practitioner",
    "Line Cook",
    "Prep Cook",
    "Truck Driver",
    "Delivery Driver",
    "Bus Driver",
]


class Spy:
    """A registered model that records what the engine asked of it."""

    def __init__(self) -> None:
        self.backend = HashBackend("spy")
        self.factory_kwargs: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> HashBackend:
        self.factory_kwargs.append(kwargs)
        return self.backend


@pytest.fixture
def spy() -> Iterator[Spy]:
    s = Spy()
    register_backend("spy", s)
    yield s
    unregister_backend("spy")


@pytest.fixture
def odd_file(tmp_path: Path) -> Path:
    """Titles under a column name nothing auto-detects, in latin-1: it needs --columns and
    --encoding."""
    f = tmp_path / "odd.csv"
    frame = pd.DataFrame(
        {"ref": range(1, len(TITLES) + 1), "Position Named": [t + " é" for t in TITLES]}
    )
    f.write_bytes(frame.to_csv(index=False).encode("latin-1"))
    return f


@pytest.fixture
def families_file(tmp_path: Path) -> Path:
    f = tmp_path / "fams.toml"
    f.write_text('[families.ml]\nanchors = ["machine learning"]\n')
    return f


def _every_option(
    odd_file: Path, families_file: Path, cache: Path, method: str = "cluster"
) -> list[str]:
    return [
        "--data",
        str(odd_file),
        "--columns",
        "title=Position Named",
        "--columns",
        "job_id=ref",
        "--encoding",
        "latin-1",
        "--families",
        str(families_file),
        "--method",
        method,
        "--k",
        "3",
        "--min-cluster-size",
        "4",
        "--threshold",
        "0.3",
        "--model",
        "spy",
        "--backend",
        "onnx",
        "--device",
        "cuda:1",
        "--batch-size",
        "9",
        "--seed",
        "1",
        "--cache-dir",
        str(cache),
        "--quiet",
    ]


EXPECTED_SETTINGS = {
    "family": "ml",
    "columns": {"title": "Position Named", "job_id": "ref"},
    "encoding": "latin-1",
    "method": "cluster",
    "options": {"k": 3, "min_cluster_size": 4},
    "threshold": 0.3,
    "model": "spy",
    "backend": "onnx",
    "device": "cuda:1",
    "batch_size": 9,
    "seed": 1,
}


def _check_reached(manifest_settings: dict[str, Any], spy: Spy, files: Path, cache: Path) -> None:
    for key, value in EXPECTED_SETTINGS.items():
        assert manifest_settings[key] == value, key
    assert manifest_settings["families"] == str(files)
    assert manifest_settings["cache_dir"] == str(cache)
    # the engine was built with the run's device, backend and cache, and encoded 9 at a time
    assert spy.factory_kwargs and all(
        kw == {"device": "cuda:1", "backend": "onnx", "cache_dir": cache}
        or kw == {"device": "cuda:1", "backend": "onnx", "cache_dir": str(cache)}
        for kw in spy.factory_kwargs
    )
    assert spy.backend.batch_sizes and set(spy.backend.batch_sizes) == {9}
    assert any(text.endswith(" é") for text in spy.backend.calls)  # decoded as latin-1
    assert (cache / "datasets").is_dir()  # the data was cached where --cache-dir says


def test_find_passes_every_option_to_the_method_and_the_manifest(
    odd_file: Path, families_file: Path, tmp_path: Path, spy: Spy
) -> None:
    cache = tmp_path / "cache"
    out = tmp_path / "o.csv"
    result = run_cli(
        "find", "ml", *_every_option(odd_file, families_file, cache), "--out", str(out), "--all"
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "o.manifest.json").read_text())
    _check_reached(manifest["settings"], spy, families_file, cache)
    params = manifest["parameters"]
    assert (params["k"], params["seed"], params["min_cluster_size"]) == (3, 1, 4)
    assert manifest["threshold"] == 0.3 and manifest["threshold_from"] == "given"
    assert manifest["embedding"]["device"] == "cuda:1"
    assert len(pd.read_csv(out)) == len(TITLES)


def test_report_passes_every_option(
    odd_file: Path, families_file: Path, tmp_path: Path, spy: Spy
) -> None:
    cache = tmp_path / "cache"
    page = tmp_path / "r.html"
    result = run_cli("report", "ml", *_every_option(odd_file, families_file, cache), "--out", page)
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "r.manifest.json").read_text())
    _check_reached(manifest["settings"], spy, families_file, cache)
    assert manifest["find"]["parameters"]["k"] == 3
    assert manifest["find"]["parameters"]["seed"] == 1
    assert "&quot;batch_size&quot;: 9" in page.read_text()  # the page shows the settings too


def test_evaluate_passes_every_option_and_reads_a_mapped_file(
    odd_file: Path, families_file: Path, tmp_path: Path, spy: Spy
) -> None:
    cache = tmp_path / "cache"
    labels = tmp_path / "labels.csv"
    pd.DataFrame(
        {"job_id": range(1, len(TITLES) + 1), "label": ["yes"] * 4 + ["no"] * (len(TITLES) - 4)}
    ).to_csv(labels, index=False)
    table = tmp_path / "t.csv"
    result = run_cli(
        "evaluate",
        "ml",
        "--labels",
        labels,
        *_every_option(odd_file, families_file, cache),
        "--out",
        table,
        "--plot",
        tmp_path / "pr.png",
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "t.manifest.json").read_text())
    # evaluate's settings name every method compared
    assert manifest["settings"]["method"] == ["cluster"]
    _check_reached({**manifest["settings"], "method": "cluster"}, spy, families_file, cache)
    summary = pd.read_csv(table).set_index("method")
    assert summary.loc["cluster", "labelled"] == len(TITLES)  # every id joined through the mapping
    assert summary.loc["cluster", "threshold"] == 0.3


def test_an_option_a_method_cannot_use_is_an_error() -> None:
    with pytest.raises(ConfigError, match=r"--k: the method lda does not take 'k'.*cluster"):
        make_method("lda", k=5)
    with pytest.raises(ConfigError, match="unknown method 'nope'"):
        make_method("nope")
    result = run_cli("find", "ml-ai", "--method", "auto", "--anchor", "Data Scientist")
    assert result.exit_code == 1
    assert "--anchor: the method auto does not take 'anchors'; it is an option of anchors" in (
        result.stderr
    )
    bad = run_cli("find", "ml-ai", "--method", "keywords", "--topics", "5")
    assert bad.exit_code == 1 and "it is an option of lda" in bad.stderr


def test_evaluate_gives_each_compared_method_the_options_it_takes(tmp_path: Path) -> None:
    labels = tmp_path / "l.csv"
    pd.DataFrame({"title": ["Data Scientist", "Nurse"], "label": ["yes", "no"]}).to_csv(labels)
    with pytest.raises(ConfigError, match=r"none of the methods compared \(lda\) takes 'k'"):
        evaluate("ml-ai", labels=labels, methods=["lda"], k=5, progress=False)


def test_auto_passes_the_seed_to_the_method_it_picks(fake_model: HashBackend) -> None:
    from jobmap.families import Family
    from jobmap.methods import MethodContext

    method = make_method("auto", seed=11).use(MethodContext(model="fake", progress=False))
    postings = pd.DataFrame({"job_id": range(len(TITLES)), "title": TITLES})
    method.fit(postings, Family("x", anchors=("machine learning",)))
    picked = method.decided_by
    assert picked.name == "bootstrap" and picked.get_params()["seed"] == 11


def test_settings_are_immutable_and_complete() -> None:
    s = Settings.build("ml-ai", method="lda", options={"n_topics": 7}, seed=3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.seed = 4  # type: ignore[misc]
    with pytest.raises(TypeError):
        s.options["n_topics"] = 8  # type: ignore[index]
    fields = {f.name for f in dataclasses.fields(Settings)} - {"progress"}
    assert set(s.manifest()) == fields
    assert s.replace(method="cluster").method == "cluster" and s.method == "lda"
    with pytest.raises(ConfigError, match="--threshold 7"):
        Settings.build(threshold=7)


def test_the_cli_offers_the_registered_methods() -> None:
    result = run_cli("find", "--help")
    for name in METHODS:
        assert name in result.stdout


def test_a_fit_is_cached_by_the_code_that_made_it(
    tmp_path: Path, fake_model: HashBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "t.csv"
    pd.DataFrame({"title": TITLES}).to_csv(f, index=False)
    first = jobmap.run_find("ml-ai", f, method="head", model="fake", progress=False)
    again = jobmap.run_find("ml-ai", f, method="head", model="fake", progress=False)
    assert not first.manifest["fit"]["from_cache"] and again.manifest["fit"]["from_cache"]
    monkeypatch.setattr("jobmap.pipeline.code_fingerprint", lambda: "changed-code")
    changed = jobmap.run_find("ml-ai", f, method="head", model="fake", progress=False)
    assert not changed.manifest["fit"]["from_cache"]
    other_seed = jobmap.run_find("ml-ai", f, method="head", model="fake", seed=2, progress=False)
    assert not other_seed.manifest["fit"]["from_cache"]


def test_cluster_keys_postings_by_content_not_by_length(
    tmp_path: Path, fake_model: HashBackend
) -> None:
    f = tmp_path / "t.csv"
    pd.DataFrame({"title": TITLES * 2}).to_csv(f, index=False)
    run = jobmap.run_find(
        "ml-ai", f, method="cluster", model="fake", progress=False, options={"k": 4}
    )
    fitted = dict(zip(run.scored["title"], run.scored["cluster"], strict=False))
    # as many postings as were fitted, in another order: each keeps its own title's cluster
    shuffled = run.dataset.postings.iloc[::-1].reset_index(drop=True)
    again = run.method.score(shuffled)
    assert list(again["cluster"]) == [fitted[t] for t in shuffled["title"]]
    # a title never seen goes to the nearest centroid
    new = run.method.score(pd.DataFrame({"job_id": [99], "title": ["Senior Truck Driver"]}))
    assert new["cluster"].iloc[0] == fitted["Truck Driver"]
