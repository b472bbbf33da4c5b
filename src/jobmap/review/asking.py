"""The questions the review asks: a title or phrase group, or an audit's posting, with its titles,
counts, example posting and why it is asked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jobmap.answers import subject
from jobmap.families import Family
from jobmap.knowledge import occupation_titles
from jobmap.review.questions import Group, Groups, p_group_yes
from jobmap.review.snapshot import Snapshot


@dataclass
class Question:
    """One question: its subject (the answer's key), what it shows, and why it is asked."""

    subject: str
    kind: str
    label: str
    postings: int
    titles: list[tuple[str, int]]
    audit: bool
    value: float
    score: float
    matched: int
    why: str
    example: dict[str, Any] = field(default_factory=dict)
    #: The subject of each of ``titles`` (a group's titles can be exceptions to its answer).
    members: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "kind": self.kind,
            "label": self.label,
            "postings": self.postings,
            "titles": self.titles,
            "audit": self.audit,
            "value": round(self.value, 2),
            "score": round(self.score, 4),
            "matched": self.matched,
            "why": self.why,
            "example": self.example,
            "members": self.members,
        }


def group_question(
    groups: Groups, postings: pd.DataFrame, group: Group, value: float, snap: Snapshot
) -> Question:
    """A title or phrase group as a question, with its titles, counts and why it is asked."""
    members = list(group.members)
    order = sorted(members, key=lambda m: -int(groups.counts[m]))
    titles = [(groups.shown[m], int(groups.counts[m])) for m in order]
    posting_rows = np.flatnonzero(np.isin(groups.of_posting, members))
    scores = snap.scores["score"].to_numpy()[posting_rows]
    matched = int(snap.match[posting_rows].sum())
    # as the queue has it: a phrase by its titles the rule does not match (the answer
    # leaves those alone)
    valued = np.asarray(members)
    if group.kind == "phrase" and snap.rule_hit is not None:
        free = valued[~snap.rule_hit[valued]]
        valued = free if len(free) else valued
    p = p_group_yes(snap.p[valued], groups.counts[valued])
    if group.kind == "title":
        label = groups.shown[members[0]]
    elif group.kind == "occupation":
        name = occupation_titles().get(group.key, group.key)
        label = f"postings coded {name} ({group.key}) that the family does not hold"
    else:
        label = f"titles containing '{group.key}'"
    best = int(posting_rows[int(np.argmax(scores))]) if len(posting_rows) else 0
    return Question(
        subject=subject(group.kind, group.key),
        kind=group.kind,
        label=label,
        postings=group.postings,
        titles=titles,
        audit=False,
        value=value,
        score=float(scores.mean()) if len(scores) else 0.0,
        matched=matched,
        why=(
            f"{group.postings:,} postings in {len(members):,} titles are coded to this O*NET "
            f"occupation, into which the family's matches fall; a yes adds the occupation to the "
            f"family (and every posting coded to it), a no is not asked again; an answer is "
            f"expected to change {value:.1f} postings"
            if group.kind == "occupation"
            else f"{matched:,} of {group.postings:,} postings match now; the model puts a typical "
            f"one in the family with probability {p:.2f}, so an answer is expected to change "
            f"{value:.1f} postings"
        ),
        example=example(postings, best, snap),
        members=[subject("title", groups.titles[m]) for m in order],
    )


def example(postings: pd.DataFrame, i: int, snap: Snapshot) -> dict[str, Any]:
    """A posting as the page shows it beside a question: its texts, score and why."""
    row = postings.iloc[i]
    method = snap.method
    score_row = snap.scores.iloc[i]
    try:
        why = method.explain(score_row)
    except Exception:  # an explanation is a courtesy; the score is what counts
        why = ""
    if snap.answered.iloc[i] is not pd.NA and pd.notna(snap.answered.iloc[i]):
        why = f"answered: {snap.answered.iloc[i]}"

    def get(column: str) -> str:
        return "" if column not in row.index or pd.isna(row[column]) else str(row[column])

    description = get("description")
    return {
        "job_id": int(row["job_id"]),
        "title": str(row["title"]),
        "company": get("company_name"),
        "location": get("location"),
        "url": get("job_posting_url"),
        "description": description[:4000],
        "evidence": evidence_terms(snap.family),
        "score": float(score_row["score"]),
        "why": why,
    }


def evidence_terms(family: Family) -> list[str]:
    """The phrases to highlight in a description: the family's rule."""
    return [t.rstrip("*") for t in family.rule_phrases() if not t.startswith("re:")]


__all__ = ["Question", "evidence_terms", "example", "group_question"]
