"""The contract every registered method keeps, checked for each (in the spirit of scikit-learn's
``parametrize_with_checks``): fit returns itself, scores one row per posting in the postings' order
with the declared columns, is deterministic with a seed, explains every score, records JSON-ready
parameters, and survives the fit cache (pickled without its engine) unchanged."""

from __future__ import annotations

import json
import pickle
from typing import Any

import numpy as np
import pandas as pd
import pytest

import jobmap
from jobmap.families import Family, get_family
from jobmap.methods import METHODS, Method, MethodContext, make_method
from jobmap.texts import has_descriptions
from tests.fakes import HashBackend

#: Small settings so that every method fits in a second or two on the bundled sample.
OPTIONS: dict[str, dict[str, Any]] = {
    "lda": {"n_topics": 5, "passes": 2, "iterations": 10},
    "cluster": {"k": 8},
}


@pytest.fixture(scope="module")
def postings() -> pd.DataFrame:
    return jobmap.load(progress=False).postings


def _fitted(name: str, postings: pd.DataFrame, seed: int = 3) -> Method:
    method = make_method(name, seed=seed, **OPTIONS.get(name, {}))
    method.use(MethodContext(model="fake", progress=False, data_key=None))
    returned = method.fit(postings, get_family("ml-ai"))
    assert returned is method
    return method


@pytest.mark.parametrize("name", list(METHODS))
def test_class_facts(name: str) -> None:
    cls = METHODS[name]
    assert cls.name == name and cls.summary
    assert -1.0 <= cls.default_threshold <= 1.0
    assert set(make_method(name).get_params()) == set(cls.arguments())


@pytest.mark.parametrize("name", list(METHODS))
def test_contract(name: str, postings: pd.DataFrame, fake_model: HashBackend) -> None:
    method = _fitted(name, postings)
    scores = method.score(postings)
    assert list(scores.columns) == ["score", *method.evidence_columns]
    assert scores.index.equals(postings.index) and len(scores) == len(postings)
    values = scores["score"].to_numpy(dtype=float)
    assert np.isfinite(values).all() and (values >= -1).all() and (values <= 1).all()

    # order preserved: scoring the postings reversed gives the same rows reversed
    backwards = method.score(postings.iloc[::-1])
    assert backwards.index.equals(postings.index[::-1])
    np.testing.assert_allclose(
        backwards["score"].to_numpy(dtype=float), values[::-1], rtol=0, atol=1e-5
    )

    # deterministic with a seed: a second, fresh fit scores the same
    again = _fitted(name, postings).score(postings)
    pd.testing.assert_frame_equal(again, scores)

    # every score explained in words; parameters and the summary are JSON-ready text
    for _, row in scores.head(3).iterrows():
        assert method.explain(row).strip()
    for _, row in pd.concat([scores.tail(3), scores.nsmallest(2, "score")]).iterrows():
        said = method.explain(row)
        assert said and not said.rstrip().endswith(":"), said  # says why, not just who
    json.dumps(method.params(), default=str)
    method.describe()  # says what the fit found (may be empty), never fails
    assert method.decided_by.name in METHODS

    # the fit cache stores the method without the injected engine, and it comes back whole
    restored = pickle.loads(pickle.dumps(method))
    assert method.context is not None and restored.context is None
    restored.use(MethodContext(model="fake", progress=False))
    pd.testing.assert_frame_equal(restored.score(postings), scores)
    row = scores.iloc[0]
    assert restored.explain(row) == method.explain(row)


def test_labels_are_an_argument_of_fit(postings: pd.DataFrame, fake_model: HashBackend) -> None:
    """A method that learns from labels learns from those given to fit, and only those."""
    titles = postings[["job_id", "title"]].head(40).copy()
    titles["label"] = titles["title"].str.contains("Data|Engineer", regex=True)
    head = make_method("head").use(MethodContext(model="fake", progress=False))
    head.fit(postings, get_family("ml-ai"), titles)
    assert "40 labels" in head.params()["trained_on"]
    head.fit(postings, get_family("ml-ai"))
    assert "labels" not in head.params()["trained_on"]


@pytest.mark.parametrize("name", list(METHODS))
def test_fit_and_score_read_only_the_columns_they_declare(
    name: str, postings: pd.DataFrame, fake_model: HashBackend
) -> None:
    """What a run over data larger than memory relies on: fit on the declared columns gives the
    fit on every column, and scoring in batches of the declared columns gives scoring whole."""
    full = _fitted(name, postings)
    whole = full.score(postings)
    cls = METHODS[name]
    if cls.fit_columns is None:  # it fits on every column (lda): only its scoring is checked
        method = full
    else:
        method = make_method(name, seed=3, **OPTIONS.get(name, {}))
        # the pipeline tells a method given only its columns whether the data has descriptions
        described = has_descriptions(postings)
        method.use(MethodContext(model="fake", progress=False, has_descriptions=described))
        method.fit(postings[["job_id", "title", *cls.fit_columns]], get_family("ml-ai"))
    reads = method.reads()
    columns = list(postings.columns) if reads is None else ["job_id", "title", *reads]
    batches = [
        method.score(postings.iloc[i : i + 97][columns]) for i in range(0, len(postings), 97)
    ]
    # scores within 1e-6 (float32 products differ in their last bits with the batch's size)
    pd.testing.assert_frame_equal(pd.concat(batches), whole, check_exact=False, atol=1e-6, rtol=0)


def test_bootstrap_leaves_out_a_title_nearer_one_known_out(fake_model: HashBackend) -> None:
    """The head of ``bootstrap`` adds a title it is sure of only when the title is not more
    like one known to be out of the family (a negative example, or a title with a phrase
    answered no) than like every title known to be in it."""
    from dataclasses import replace

    titles = [
        "Machine Learning Engineer",
        "Senior Machine Learning Engineer",
        "Deep Learning Engineer",
    ]
    titles += ["Data Analyst", "Senior Data Analyst", "Data Optimization Analyst"]
    titles += ["Registered Nurse", "Line Cook", "Truck Driver", "Cashier"] * 3
    postings = pd.DataFrame({"job_id": range(1, len(titles) + 1), "title": titles})
    family = Family(name="ml", anchors=("machine learning",))

    def fitted(fam: Any) -> Method:
        method = make_method("bootstrap").use(MethodContext(model="fake", progress=False))
        method.fit(postings, fam)
        method.model_ = _Sure()  # the head is sure of every title: only the check decides
        return method

    before = fitted(family).score(postings)
    assert (before["score"] >= 0.5).all()
    after = fitted(replace(family, rejected=("data analyst",))).score(postings)
    out = after["score"] < 0.5
    # the analysts are nearer "Data Analyst" (answered no) than any machine-learning title ...
    assert out[titles.index("Data Optimization Analyst")]
    assert "known out" in after["evidence"].iloc[titles.index("Data Optimization Analyst")]
    # ... the deep-learning engineer is nearer the rule's titles, and the rule's own stay
    assert not out[titles.index("Deep Learning Engineer")]
    assert not out[:2].any()
    negatives = replace(family, negatives=("Senior Data Analyst",))
    assert (fitted(negatives).score(postings)["score"] < 0.5)[titles.index("Data Analyst")]


class _Sure:
    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        return np.tile([0.01, 0.99], (len(x), 1))


def test_bootstrap_keeps_a_bounded_sample_of_known_titles(
    fake_model: HashBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broad rule or rejected phrase can hold a hundred thousand titles: the nearest-known check
    keeps at most MAX_KNOWN of each side, and nothing when nothing is known to be out."""
    import jobmap.methods.bootstrap as bootstrap

    titles = [f"Machine Learning Engineer {i}" for i in range(6)]
    titles += [f"Data Analyst {i}" for i in range(6)] + ["Line Cook"] * 4
    postings = pd.DataFrame({"job_id": range(1, len(titles) + 1), "title": titles})
    family = Family(name="ml", anchors=("machine learning",))
    method = make_method("bootstrap").use(MethodContext(model="fake", progress=False))
    method.fit(postings, family)
    assert len(method.known_in_) == 0 and len(method.known_out_) == 0
    monkeypatch.setattr(bootstrap, "MAX_KNOWN", 2)
    method.fit(
        postings, Family(name="ml", anchors=("machine learning",), rejected=("data analyst",))
    )
    assert len(method.known_in_) == 2 and len(method.known_out_) == 2
    assert len(method.known_out_titles_) == 2 and all(
        "Data Analyst" in t for t in method.known_out_titles_
    )


def test_evidence_is_written_and_read_in_one_place() -> None:
    """Every kind of evidence reads back as written (the methods write it; a row of find's
    output, which keeps the text alone, is explained from it)."""
    from jobmap.methods.evidence import Evidence

    for ev in (
        Evidence.title("Machine Learning"),
        Evidence.description(7),
        Evidence.head(),
        Evidence.nearer_out("Data Engineer, 'Senior'"),
        Evidence.vetoed("AI", "sales"),
        Evidence.answered("no"),
        Evidence.keyword("ML"),
        Evidence.keyword(""),
    ):
        assert Evidence.read(ev.text()) == ev
