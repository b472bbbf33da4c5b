"""What the review page shows, made from the session's current fit: each question with its
example posting, the progress, the matches at another threshold with the precision and recall
the answers estimate, a search of the titles (RE2: linear-time), the nearest titles, the answers
the model would give the other way, the matches, and the family as a families file."""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from jobmap.answers import Answer, subject
from jobmap.errors import ConfigError
from jobmap.families import family_block
from jobmap.metrics import counts
from jobmap.pipeline import decided_match
from jobmap.review.head import disagreements
from jobmap.review.questions import audit_estimates

if TYPE_CHECKING:
    from jobmap.review.session import ReviewSession

#: The stopping hint weighs the next this many questions of the queue ...
STOP_NEXT = 5
#: ... and suggests stopping when all of them together are expected to change fewer postings
#: than this share of the matches (and fewer than ``STOP_POSTINGS``, whichever is more).
STOP_SHARE = 0.01
STOP_POSTINGS = 1.0
#: Audits whose recall interval reaches below this say the family may still miss postings.
STOP_RECALL = 0.8


def threshold_stats(session: ReviewSession, threshold: float) -> dict[str, Any]:
    """Matches at ``threshold`` and the precision and recall the answers estimate there."""
    snap = session.current
    decided = snap.answered.notna().to_numpy(dtype=bool)
    yes = (snap.answered == "yes").fillna(False).to_numpy(dtype=bool)
    match = decided_match(snap.scores["score"].to_numpy(), snap.answered, threshold)
    # every answered posting is a label; the model's own call on it is the method's score
    # before the answer decides it (the final score of an answered posting is its answer,
    # which would make these figures perfect). The method has learned from these answers:
    # the figures are optimistic; the audits are the unbiased estimate.
    answered = counts(snap.model_score >= threshold, yes, where=decided)
    # an audit counts in the stratum it was drawn from (its match now is its answer)
    audits = [
        (a.stratum == "matches", a.answer == "yes", a.stratum_size)
        for a in session.answers()
        if a.audit and a.kind == "posting" and a.answer in ("yes", "no") and a.stratum
    ]
    unanswered = ~decided
    # in the family for certain: postings answered yes other than by an audit
    answered_yes = int(yes.sum()) - sum(1 for _, said_yes, _ in audits if said_yes)
    return {
        "threshold": threshold,
        "matches": int(match.sum()),
        "postings": len(match),
        "answered_precision": answered.precision,
        "answered_recall": answered.recall,
        "audit": audit_estimates(
            audits,
            int((snap.match & unanswered).sum()),
            int((~snap.match & unanswered).sum()),
            answered_yes=max(answered_yes, 0),
        ),
    }


def _score_range(scores: np.ndarray) -> list[float]:
    """The slider's span: 0 to 1 for scores in it (probabilities, rules), else their range."""
    finite = scores[np.isfinite(scores)]
    low = float(finite.min()) if len(finite) else 0.0
    high = float(finite.max()) if len(finite) else 1.0
    return [round(min(low, 0.0), 4), round(max(high, 1.0), 4)]


def _terms(session: ReviewSession, answers: list[Answer]) -> list[dict[str, Any]]:
    said = {a.subject: a.answer for a in answers}
    with session._lock:
        seen = list(session.terms_seen.values())
    return [{**t, "answer": said.get(t["subject"], "")} for t in seen]


def stop_hint(session: ReviewSession) -> str:
    """Whether to stop, from what the next questions are expected to change (the queue's values:
    postings an answer is expected to move) and, where there are audits, their intervals; ""
    while the next questions are still worth asking."""
    snap = session.current
    matches = int(snap.match.sum())
    expected = float(sum(v for _, v in snap.queue[:STOP_NEXT]))
    if expected >= max(STOP_POSTINGS, STOP_SHARE * matches):
        return ""
    said = (
        f"the next {STOP_NEXT} questions are expected to change {expected:.1f} postings in all "
        f"(of {matches:,} matches): the family may be done"
    )
    audit = threshold_stats(session, snap.threshold)["audit"]
    interval = audit.get("recall_interval")
    if interval and interval[0] is not None:
        low, high = interval
        said += (
            f"; the audits put recall at {audit['recall']:.0%} (95% interval {low:.0%}–{high:.0%})"
        )
        if low < STOP_RECALL:
            said += (
                ", low enough that the family may miss postings the questions do not reach: "
                "search the list, or answer more audits"
            )
    else:
        said += (
            "; no audit has yet estimated its recall (every few questions is a posting drawn at "
            "random): answer some to know"
        )
    return said


def progress(session: ReviewSession) -> dict[str, Any]:
    snap = session.current
    standing = session.answers()  # read once: the count and the terms' answers
    return {
        "answers": snap.answers,
        "given": len(standing),
        "matches": int(snap.match.sum()),
        "matches_at_start": int(session.start.match.sum()),
        "changed_since_last_fit": len(session.changed_since_last),
        "changed_titles": [
            str(session.postings["title"].iloc[i]) for i in session.changed_since_last[:20]
        ],
        "refitting": bool(session._pending) or session._dirty.is_set(),
        "last_fit_seconds": round(snap.seconds, 2),
        "threshold": snap.threshold,
        # the scores' real range: the threshold slider spans it
        "score_range": _score_range(snap.scores["score"].to_numpy(dtype=float)),
        "stop_hint": stop_hint(session),
        "errors": [h["error"] for h in session.history if "error" in h][-1:],
        # the terms the method added to the rule: each with its answer ("" while none has kept
        # or dropped it), listed still once answered, to flip
        "grown": _terms(session, standing),
    }


def search(
    session: ReviewSession, query: str, *, regex: bool = False, limit: int = 200
) -> list[dict[str, Any]]:
    """Title groups whose title contains the words (all of them), or matches a regular
    expression run by RE2, a linear-time engine: no pattern can stall the server."""
    titles = session.groups.titles
    if regex:
        import re2

        try:
            pattern = re2.compile(query, options=_re2_options())
        except Exception as exc:
            why = exc.args[0] if exc.args else exc
            if isinstance(why, bytes):
                why = why.decode("utf-8", "replace")
            raise ConfigError(f"not a valid regular expression: {why}") from None
        hits = [i for i, t in enumerate(session.groups.shown) if pattern.search(t)]
    else:
        words = [w for w in re.split(r"\s+", query.lower()) if w]
        hits = [i for i, t in enumerate(titles) if all(w in t for w in words)]
    return rows(session, hits[:limit])


def similar(session: ReviewSession, subj: str, k: int = 30) -> list[dict[str, Any]]:
    """The titles nearest to a title's (or a phrase's) embedding."""
    kind, _, key = session.check_subject(subj).partition(":")
    if kind == "title":
        vec = session.vectors[session.groups.index[key]]
    elif kind == "phrase":
        vec = session.vectors[list(session.groups.phrase_group(key).members)].mean(axis=0)
    else:
        vec = session.vectors[session.groups.of_posting[session._row_of(key)]]
    order = np.argsort(-(session.vectors @ vec))[:k]
    return rows(session, [int(i) for i in order])


def rows(session: ReviewSession, idx: list[int]) -> list[dict[str, Any]]:
    snap = session.current
    # the title's own answer as the store holds it now (the fit may be a step behind)
    said = {a.subject: a.answer for a in session.answers()}
    out = []
    for i in idx:
        subj = subject("title", session.groups.titles[i])
        out.append(
            {
                "subject": subj,
                "answered": said.get(subj, ""),
                "title": session.groups.shown[i],
                "postings": int(session.groups.counts[i]),
                "matched": round(float(snap.matched_share[i]), 2),
                "p": round(float(snap.p[i]), 2),
                "settled": bool(snap.settled[i]),
            }
        )
    return out


def matches(session: ReviewSession, threshold: float | None = None) -> pd.DataFrame:
    """The matching postings now (at ``threshold``, the slider's, when given), with the columns
    a reader wants and a link where the data has one."""
    snap = session.current
    match = (
        snap.match
        if threshold is None
        else decided_match(snap.scores["score"].to_numpy(), snap.answered, threshold)
    )
    cols = [
        c
        for c in ("job_id", "title", "company_name", "location", "job_posting_url")
        if c in session.postings.columns
    ]
    out = session.postings.loc[match, cols].copy()
    out.insert(2, "score", snap.scores["score"].to_numpy()[match].round(4))
    out.insert(3, "answered", snap.answered.to_numpy()[match])
    return out.sort_values("score", ascending=False).reset_index(drop=True)


def labels(session: ReviewSession) -> pd.DataFrame:
    """The answers as labels (``job_id, title, label``, the format ``evaluate`` reads): each
    posting the answers decide, as the page decides it (the same per-posting answers the
    matches and the count come from)."""
    snap = session.current
    decided = snap.answered.notna().to_numpy()
    out = session.postings.loc[decided, ["job_id", "title"]].copy()
    out["label"] = snap.answered.to_numpy()[decided]
    return out.reset_index(drop=True)


def family_toml(session: ReviewSession, threshold: float | None = None) -> str:
    """The family as its answers refined it, in the families file format; with ``threshold``
    (the slider's), that threshold for the page's method, which ``find`` then uses."""
    snap = session.current
    family = snap.family
    if threshold is not None:
        thresholds = {**family.thresholds, snap.method.name: float(threshold)}
        family = dataclasses.replace(family, thresholds=thresholds)
    return family_block(family)


def check_these(session: ReviewSession, folds: int = 5) -> list[dict[str, Any]]:
    """Answered titles whose answer disagrees with what the review head predicts for them when
    their own answers are left out (:func:`jobmap.review.head.disagreements`)."""
    snap = session.current
    groups = session.groups
    yes = snap.yes_share >= 0.5
    found = disagreements(
        session.vectors, snap.settled, snap.yes_share, snap.matched_share, session.rng, folds
    )
    return [
        {
            "subject": subject("title", groups.titles[i]),
            "title": groups.shown[i],
            "answered": "yes" if yes[i] else "no",
            "predicted": round(p, 2),
            "postings": int(groups.counts[i]),
        }
        for i, p in found
    ]


def _re2_options() -> Any:
    import re2

    options = re2.Options()
    options.case_sensitive = False
    options.max_mem = 8 << 20
    # a bad pattern is the user's, answered with a 400; not a line in the server's log
    options.log_errors = False
    return options


__all__ = [
    "check_these",
    "family_toml",
    "matches",
    "progress",
    "rows",
    "search",
    "similar",
    "threshold_stats",
]
