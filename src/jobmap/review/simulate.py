"""How many answers a family needs: the review simulated against labels.

Starting from the family with no answers (in a temporary answers store: a user's answers are never
touched), take the queue's next question N times, answer it from the labels (a group by the
majority of its labelled postings; a question with no labelled posting, or a tie, counts as
skipped), re-fit exactly as the page does, and measure precision, recall and F1 on the labels after
each answer; beside the same for questions taken in random order.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from jobmap.answers import AnswerStore, normalise_title, subject
from jobmap.config import Settings
from jobmap.data import Dataset
from jobmap.metrics import counts
from jobmap.pipeline import Pipeline
from jobmap.review.questions import Group
from jobmap.review.session import AUDIT_EVERY, ReviewSession
from jobmap.texts.match import phrase_regex

#: A person answering a group question reads this many of its titles (as many as the card
#: lists) and unticks those that take the other answer.
READ_TITLES = 40


def _title_answers(session: ReviewSession, labelled: pd.Series) -> np.ndarray:
    """Each distinct title's answer by the majority of its labelled postings (yes, no, or ""
    where none is labelled or they tie)."""
    codes = session.groups.of_posting
    n = len(session.groups.titles)
    y = labelled.to_numpy(dtype=float)
    known = ~np.isnan(y)
    yes = np.bincount(codes[known], weights=(y[known] == 1).astype(float), minlength=n)
    no = np.bincount(codes[known], weights=(y[known] == 0).astype(float), minlength=n)
    return np.where(yes > no, "yes", np.where(no > yes, "no", "")).astype(object)


def _member_answers(members: list[str], by_title: np.ndarray, session: ReviewSession) -> np.ndarray:
    """The labels' answer (see :func:`_title_answers`) of each of a question's titles."""
    index = session.groups.index
    return np.asarray(by_title[[index[m.partition(":")[2]] for m in members]], dtype=object)


def _exceptions(
    members: list[str], said: str, by_title: np.ndarray, session: ReviewSession
) -> list[str]:
    """The titles among the first ``READ_TITLES`` a card lists whose labels take the other
    answer than the group's."""
    other = "no" if said == "yes" else "yes"
    read = members[:READ_TITLES]
    return [
        m for m, a in zip(read, _member_answers(read, by_title, session), strict=True) if a == other
    ]


def _oracle(session: ReviewSession, subj: str, labelled: pd.Series) -> str:
    """The labels' answer to a question: the majority of its labelled postings."""
    kind, _, key = subj.partition(":")
    postings = session.postings
    if kind == "posting":
        rows = np.flatnonzero(postings["job_id"].astype("int64").to_numpy() == int(key))
    elif kind == "title":
        rows = np.flatnonzero(postings["title"].map(normalise_title).to_numpy() == key)
    elif kind == "occupation":
        # the postings the question shows: coded to the occupation, not held by the family now
        codes = session.title_codes
        coded = (
            np.zeros(len(postings), bool)
            if codes is None
            else codes[session.groups.of_posting] == key
        )
        rows = np.flatnonzero(coded & ~session.current.match)
    else:
        hit = postings["title"].astype(str).str.contains(phrase_regex(key), regex=True)
        rows = np.flatnonzero(hit.to_numpy())
    votes = labelled.iloc[rows].dropna()
    yes, no = int((votes == 1).sum()), int((votes == 0).sum())
    if yes == no:
        return "skip"
    return "yes" if yes > no else "no"


def simulate_review(
    settings: Settings,
    labels: pd.DataFrame,
    n: int = 20,
    *,
    orders: tuple[str, ...] = ("queue", "random"),
    seed: int = 0,
    audit_every: int | None = None,
    dataset: Dataset | None = None,
    occupations: bool = True,
    partial: bool = True,
) -> pd.DataFrame:
    """The curve ``order, answers, precision, recall, f1`` (one row per order and number of
    answers, 0 to ``n``; ``attrs["skipped"]``: per order, the questions counted as skipped).
    ``labels`` are labelled postings (``job_id, label``) of the settings' data (``dataset``,
    when the caller has read it already: it is read once for every order). ``occupations``:
    whether the queue asks occupation questions too. ``partial``: whether a phrase or
    occupation question is answered with exceptions, as a careful person does on the card (the
    titles it lists whose labels take the other answer are unticked), or all or nothing."""
    dataset = dataset or Pipeline(settings).dataset
    rows = []
    skipped: dict[str, int] = {}
    for order in orders:
        skipped[order] = 0
        with tempfile.TemporaryDirectory(prefix="jobmap-simulate-") as tmp:
            store = AnswerStore(Path(tmp) / "answers.sqlite")
            session = ReviewSession(
                settings,
                store,
                seed=seed,
                audit_every=AUDIT_EVERY if audit_every is None else audit_every,
                dataset=dataset,
                occupations=occupations,
            )
            ids = session.postings["job_id"].astype("int64")
            truth = ids.map(labels.set_index("job_id")["label"].astype(float))
            known = truth.notna().to_numpy()
            y = (truth == 1).to_numpy()
            rng = np.random.default_rng(seed)
            random_titles = rng.permutation(len(session.groups.titles))
            by_title = _title_answers(session, truth)
            bar = tqdm(total=n, desc=f"simulating ({order})", disable=not settings.progress)
            for k in range(n + 1):
                match = session.current.match
                p, r, f = counts(match[known], y[known]).rates()
                rows.append({"order": order, "answers": k, "precision": p, "recall": r, "f1": f})
                if k == n:
                    break
                members: list[str] = []
                if order == "queue":
                    q = session.next_question()
                    subj = q.subject if q is not None else None
                    if q is not None and partial and q.kind in ("phrase", "occupation"):
                        members = q.members
                else:
                    subj = None
                    for i in random_titles[k:]:
                        g = Group("title", session.groups.titles[i], (int(i),), 1)
                        subj = subject("title", g.key)
                        break
                if subj is None:
                    break
                said = _oracle(session, subj, truth)
                if said == "skip" and _member_answers(members, by_title, session).any():
                    # a tie: the titles are answered one by one, as no except the yes ones
                    said = "no"
                skipped[order] += said == "skip"
                unticked = _exceptions(members, said, by_title, session) if said != "skip" else []
                session.answer(subj, said, exceptions=unticked)
                bar.update(1)
            bar.close()
            session.close()
    curve = pd.DataFrame(rows, columns=["order", "answers", "precision", "recall", "f1"])
    # questions the labels could not answer (no labelled posting, or a tie), per order
    curve.attrs["skipped"] = skipped
    return curve


__all__ = ["simulate_review"]
