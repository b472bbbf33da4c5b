"""One phrase matcher (:mod:`jobmap.texts.match`): a family's rule, an answer about a phrase and
the review's phrase questions decide the same postings. Before, an answer needed a separator
between the words ("DataScientist", "Data–Scientist" were missed) and the rule did not."""

from __future__ import annotations

import pandas as pd
import pytest

from jobmap.answers import Answer, resolve
from jobmap.methods.keywords import compile_phrases, keyword_hits
from jobmap.texts.match import phrases_in, substring_in

TITLES = pd.Series(
    [
        "Data Scientist",
        "DataScientist",
        "Data–Scientist II",
        "data_scientist",
        "Data-Scientist (Remote)",
        "Big Data Scientists",
        "Senior Data Science Manager",
        "Database Scientist",
        "Chair",
    ]
)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("data scientist", [True, True, True, True, True, False, False, False, False]),
        ("data scien*", [True, True, True, True, True, True, True, False, False]),
        ("ai", [False] * 9),
    ],
)
def test_the_rule_and_an_answer_decide_the_same_postings(phrase: str, expected: list[bool]) -> None:
    by_matcher = phrases_in(TITLES, [phrase]).tolist()
    by_rule = keyword_hits(TITLES, compile_phrases([phrase]), None)[0].tolist()
    postings = pd.DataFrame({"job_id": range(len(TITLES)), "title": TITLES})
    if "*" in phrase:  # an answer is about words, never a wildcard
        assert by_matcher == by_rule == expected
        return
    answer = Answer(f"phrase:{phrase}", "no", "", False, 1, "b")
    by_answer = (resolve([answer], postings) == "no").fillna(False).tolist()
    assert by_matcher == by_rule == by_answer == expected


def test_the_notebook_s_substring_test_is_kept_apart() -> None:
    # anchors and cluster reproduce the notebook: "ai" inside "Chair" counts there, nowhere else
    assert substring_in(TITLES, ["ai"]).tolist()[-1]
    assert not phrases_in(TITLES, ["ai"]).any()
