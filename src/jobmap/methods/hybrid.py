"""``hybrid``: the family's keyword rule on the title, plus description evidence.

A title that does not match still scores by how often the family's keywords occur in its
description (``n / (n + 5)``: five mentions reach 0.5), so a "Senior DevOps Engineer" whose posting
is about MLOps is found while a posting that mentions AI once is not.
"""

from __future__ import annotations

import re
from typing import Any, Self

import numpy as np
import pandas as pd

from jobmap.families import Family
from jobmap.methods.base import Method
from jobmap.methods.evidence import Evidence, is_vetoed
from jobmap.methods.keywords import (
    KeywordMethod,
    MatchBudget,
    Rule,
    rule_findall,
    rule_search,
)

#: Mentions in a description that count as much as a keyword in the title (score 0.5).
DESCRIPTION_HALF = 5
_URL = re.compile(
    r"\b(?:https?://|www\.)\S+|\b[\w.+-]+@[\w.-]+|\b[\w-]+\.(?:ai|com|io|org)\b", re.IGNORECASE
)


def description_evidence(
    postings: pd.DataFrame, rule: Rule | None, vetoed: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """How often the rule occurs in each posting's description (links and emails removed; none
    without a description column), and the score that gives: ``n / (n + DESCRIPTION_HALF)``,
    0 where an exclusion vetoed the title."""
    if rule is None or "description" not in postings.columns:
        mentions = np.zeros(len(postings))
    else:
        texts = postings["description"].fillna("").astype(str).tolist()
        budget = MatchBudget()  # one for the batch (see keywords.MATCH_SECONDS)
        # links are taken out only of the descriptions that mention the rule at all (most do
        # not: one scan instead of two)
        mentions = np.asarray(
            [
                len(rule_findall(rule, _URL.sub(" ", t), budget))
                if rule_search(rule, t, budget)
                else 0
                for t in texts
            ],
            dtype=np.float64,
        )
    return mentions, np.where(vetoed, 0.0, mentions / (mentions + DESCRIPTION_HALF))


def description_mentions(row: pd.Series) -> int:
    """A scored row's description mentions: its column, or, in a row that keeps the evidence
    alone (``auto``'s, and so find's output), the count its evidence gives."""
    n = row.get("description_mentions")
    if n is None or pd.isna(n):
        return Evidence.read(row.get("evidence")).count
    return int(n)


class HybridMethod(Method):
    """The keyword rule on titles, plus keyword evidence from descriptions."""

    name = "hybrid"
    default_threshold = 0.5
    evidence_columns = ("evidence", "description_mentions")
    rule_decides = True
    summary = "the keyword rule on the title, plus mentions of it in the description"
    fit_columns = ()
    score_columns = ("description",)

    def fit(
        self, postings: pd.DataFrame, family: Family, labels: pd.DataFrame | None = None
    ) -> Self:
        self.rule_ = KeywordMethod().fit(postings, family)
        return self

    def score(self, postings: pd.DataFrame) -> pd.DataFrame:
        title = self.rule_.score(postings)
        mentions, desc_score = description_evidence(
            postings, self.rule_.include_re_, is_vetoed(title["keyword"])
        )
        in_title = title["score"].to_numpy() >= 0.5
        score = np.where(in_title, 1.0, np.minimum(desc_score, 0.99))
        evidence = [
            (
                Evidence.title(kw)
                if hit
                else Evidence.description(int(n))
                if n
                else Evidence.keyword(kw)  # a veto, or nothing
            ).text()
            for hit, kw, n in zip(in_title, title["keyword"], mentions, strict=True)
        ]
        return pd.DataFrame(
            {
                "score": score,
                "evidence": evidence,
                "description_mentions": mentions.astype(int),
            },
            index=postings.index,
        )

    def rule_hits(self, titles: pd.Series) -> np.ndarray | None:
        return self.rule_.rule_hits(titles)

    def explain(self, row: pd.Series) -> str:
        if row["score"] >= 1.0:
            return f"the title contains a keyword ({row['evidence']})"
        n = description_mentions(row)
        if not n:
            return "no keyword of the family in the title or the description"
        return (
            f"the description mentions the family's keywords {n} times "
            f"({DESCRIPTION_HALF} count as much as a keyword in the title)"
        )

    def params(self) -> dict[str, Any]:
        out = {"description_half": DESCRIPTION_HALF}
        if hasattr(self, "rule_"):
            out.update(self.rule_.params())
        return out
