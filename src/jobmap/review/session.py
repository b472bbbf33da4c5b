"""A review: a person answers questions, the family is re-fitted after each answer, and the
questions are re-ranked. The page (:mod:`jobmap.web`) and the simulation
(:mod:`jobmap.review.simulate`) both drive this one class.

Each re-fit runs the same :class:`~jobmap.pipeline.Pipeline` as ``find``: the family refined by
its answers (phrases answered yes join its rule, phrases answered no its exclusions, answered
titles its examples: :func:`jobmap.families.with_answers`), the method fitted again (``bootstrap``
for a family of anchors alone grows its rule and retrains its head), and every answered posting
decided by its answer. A small logistic head on the title embeddings, trained on the current
matches and, ten times heavier, on the answers, gives each title its probability of being in the
family, which values the questions (:mod:`jobmap.review.questions`).
"""

from __future__ import annotations

import re
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from jobmap.answers import KINDS, Answer, AnswerStore, resolve, subject
from jobmap.config import Settings
from jobmap.data import Dataset
from jobmap.errors import ConfigError, quoted
from jobmap.families import Family, family_block
from jobmap.methods import MethodContext
from jobmap.metrics import counts
from jobmap.pipeline import Pipeline, decided_match
from jobmap.review.questions import (
    Group,
    Groups,
    audit_estimates,
    audit_posting,
    p_group_yes,
    rank,
)
from jobmap.texts import TITLE_PREFIX

#: Every so many questions, one is an audit: a posting drawn at random.
AUDIT_EVERY = 6
#: An answer weighs this much more than a title's current match in the review head.
ANSWER_WEIGHT = 10.0
#: Titles sampled as the review head's pseudo-negatives, at most.
MAX_PSEUDO = 20_000
#: Folds of the review head's out-of-fold probabilities.
OOF_FOLDS = 3
#: Recent re-fits that changed no more than this share of matches suggest stopping.
STOP_SHARE = 0.001
STOP_AFTER = 5
#: The longest subject a request may give (a title's is its normalised title).
MAX_SUBJECT = 2000


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
        }


@dataclass
class Snapshot:
    """What one fit says: scores, matches, answers, title probabilities and the queue."""

    scores: pd.DataFrame
    threshold: float
    match: np.ndarray
    answered: pd.Series
    p: np.ndarray
    matched_share: np.ndarray
    settled: np.ndarray
    yes_share: np.ndarray
    queue: list[tuple[Group, float]]
    method: Any
    family: Family
    seconds: float
    answers: int
    #: The method's own score of each posting, before its answer decides it.
    model_score: np.ndarray
    #: Which distinct titles the method's rule matches (None: the method has no rule).
    rule_hit: np.ndarray | None = None
    #: The terms the method grew into the rule and no answer has settled: term, the phrase it
    #: grew from, the subject that answers it, and its postings.
    grown: list[dict[str, Any]] = field(default_factory=list)


class ReviewSession:
    """A review of one family on one dataset (see the module docstring).

    >>> from jobmap.config import Settings
    >>> s = ReviewSession(Settings.build("ml-ai"), AnswerStore(":memory:"))  # doctest: +SKIP
    >>> q = s.next_question()  # doctest: +SKIP
    >>> s.answer(q.subject, "yes")  # doctest: +SKIP
    """

    def __init__(
        self,
        settings: Settings,
        store: AnswerStore | None = None,
        *,
        audit_every: int = AUDIT_EVERY,
        seed: int | None = None,
        background: bool = False,
        dataset: Dataset | None = None,
    ) -> None:
        self.store = store or AnswerStore(settings.answers)
        self.settings = settings.replace(answers=str(self.store.path), use_answers=True)
        self.audit_every = audit_every
        # the audits' draws follow the run's seed (review --seed), unless told another
        self.rng = np.random.default_rng(settings.seed if seed is None else seed)
        self.context = MethodContext.from_settings(settings, memory=True)
        first = Pipeline(self.settings, context=self.context, dataset=dataset)
        self.base_family = first.base_family
        self.name = self.base_family.name
        self.dataset = first.dataset
        self.postings = self.dataset.postings
        self.groups = Groups.build(self.postings)
        self.vectors = self.context.engine().embed(
            [TITLE_PREFIX + t for t in self.groups.shown], desc="embedding titles"
        )
        self._lock = threading.RLock()
        self._audit_from_matches = True
        self._asked_audit: dict[int, str] = {}
        self._audit_strata: dict[str, tuple[str, int]] = {}
        self._pending: list[str] = []  # subjects answered since the last fit
        self._batches: list[str] = []  # the batches this session gave, oldest first
        self.history: list[dict[str, Any]] = []
        self.background = background
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None
        self.current = self._fit()
        self.start = self.current
        self.changed_since_last: list[int] = []
        if background:
            # the re-fit thread holds the GIL in long stretches of Python; hand it over more
            # often, so that a request waits milliseconds, not a re-fit, for its turn
            sys.setswitchinterval(min(sys.getswitchinterval(), 0.0005))
            self._worker = threading.Thread(target=self._loop, daemon=True, name="jobmap-refit")
            self._worker.start()

    # -- fitting ------------------------------------------------------------------------------

    def _fit(self) -> Snapshot:
        started = time.perf_counter()
        answers = self.store.current(self.name)
        pipe = Pipeline(self.settings, dataset=self.dataset, context=self.context)
        pipe.answers = answers  # the answers as read now, not again from the file
        result = pipe.run(use_cache=False)
        answered = result.answered
        match = result.match
        matched_share = self._per_title(match)
        settled = self._per_title(answered.notna().to_numpy()) >= 1.0
        yes_share = self._per_title((answered == "yes").fillna(False).to_numpy())
        p = self._review_head(matched_share, settled, yes_share)
        rule = pipe.family.rule_phrases()
        hits = result.method.rule_hits(pd.Series(self.groups.shown))
        # a term the method grew into the rule is the rule's too: its titles are not asked one
        # by one (the page lists the terms, to keep or drop each with one answer)
        grown = result.method.grown_phrases()
        queue = rank(
            self.groups,
            p,
            matched_share,
            settled,
            self.vectors,
            rule=(*rule, *grown),
            rule_hit=hits,
        )
        grown_terms = [
            {
                "term": term,
                "of": of,
                "subject": subject("phrase", term),
                "postings": self.groups.phrase_group(term).postings,
            }
            for term, of in grown.items()
        ]
        return Snapshot(
            scores=result.scores,
            threshold=result.threshold,
            match=match,
            answered=answered,
            p=p,
            matched_share=matched_share,
            settled=settled,
            yes_share=yes_share,
            queue=queue,
            method=result.method,
            family=pipe.family,
            seconds=time.perf_counter() - started,
            answers=len(answers),
            model_score=result.model_score,
            rule_hit=hits,
            grown=grown_terms,
        )

    def _per_title(self, values: np.ndarray) -> np.ndarray:
        """The share of each distinct title's postings for which ``values`` is true."""
        codes, counts = self.groups.of_posting, np.maximum(self.groups.counts, 1)
        n = len(self.groups.titles)
        shares = np.bincount(codes, weights=values.astype(float), minlength=n) / counts
        return np.asarray(shares, dtype=float)

    def _review_head(
        self, matched_share: np.ndarray, settled: np.ndarray, yes_share: np.ndarray
    ) -> np.ndarray:
        """Each title's probability of being in the family (see the module docstring)."""
        target = np.where(settled, yes_share >= 0.5, matched_share >= 0.5).astype(int)
        weight = np.where(settled, ANSWER_WEIGHT, 1.0)
        if target.min() == target.max():
            return matched_share.astype(float)
        idx = np.arange(len(target))
        negatives = np.flatnonzero((target == 0) & ~settled)
        if len(negatives) > MAX_PSEUDO:
            keep = self.rng.choice(negatives, MAX_PSEUDO, replace=False)
            idx = np.concatenate([np.flatnonzero((target == 1) | settled), keep])
        # not class-balanced: its probabilities value the questions, so they must be calibrated
        model = LogisticRegression(C=4.0, max_iter=1000)
        model.fit(self.vectors[idx], target[idx], sample_weight=weight[idx])
        p = np.asarray(model.predict_proba(self.vectors)[:, 1], dtype=float)
        # A title's own probability comes from folds that did not see it (out of fold): a match
        # that its neighbours do not explain ("AI District 23 - Store Hourly" among the store
        # jobs) then looks doubtful, and is asked about, instead of vouching for itself.
        if min(np.bincount(target[idx], minlength=2)) >= OOF_FOLDS:
            folds = StratifiedKFold(OOF_FOLDS, shuffle=True, random_state=0)
            for train, held in folds.split(idx, target[idx]):
                # from the whole fit's solution: a fold differs from it by a third of the titles
                fold = LogisticRegression(C=4.0, max_iter=1000, warm_start=True)
                fold.coef_, fold.intercept_ = model.coef_.copy(), model.intercept_.copy()
                fold.fit(
                    self.vectors[idx[train]], target[idx[train]], sample_weight=weight[idx[train]]
                )
                p[idx[held]] = fold.predict_proba(self.vectors[idx[held]])[:, 1]
        return p

    def refit(self) -> Snapshot:
        """Fit again with the answers given so far, now; returns the new snapshot."""
        snap = self._fit()
        with self._lock:
            before = self.current.match
            self.changed_since_last = np.flatnonzero(before != snap.match).tolist()
            self.history.append(
                {
                    "answers": snap.answers,
                    "matches": int(snap.match.sum()),
                    "changed": len(self.changed_since_last),
                    "seconds": round(snap.seconds, 3),
                }
            )
            self.current = snap
            self._pending = []
        return snap

    def _loop(self) -> None:
        while not self._stop.is_set():
            if self._dirty.wait(timeout=0.2):
                self._dirty.clear()
                try:
                    self.refit()
                except Exception as exc:  # keep serving the last fit; say why on the page
                    self.history.append({"error": f"{type(exc).__name__}: {exc}"})

    def close(self) -> None:
        self._stop.set()
        if self._worker is not None:
            self._worker.join(timeout=5)

    def wait_idle(self, timeout: float = 60) -> None:
        """Wait until no re-fit is pending (the page's tests and the benchmark)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self._lock:
                idle = not self._pending and not self._dirty.is_set()
            if idle:
                return
            time.sleep(0.02)

    # -- questions ----------------------------------------------------------------------------

    def next_question(self) -> Question | None:
        """The question to ask now: the best of the queue not settled since the last fit, or,
        on an audit turn, a posting at random."""
        with self._lock:
            snap = self.current
            # what the store holds now: this page's answers since the last fit, another tab's or
            # another process's, and skips (not asked again until undone)
            standing = self.store.current(self.name)
            given = len(standing)
            if self.audit_every > 0 and (given + 1) % self.audit_every == 0:
                q = self._audit_question(snap, given)
                if q is not None:
                    return q
            pending = set(self._pending) | {a.subject for a in standing}
            if self.background and given != snap.answers and not self._pending:
                self._dirty.set()  # answers given elsewhere: fit them in
            taken: set[int] = set()
            for subj in pending:
                if subj.startswith("phrase:"):
                    taken |= set(self.groups.phrase_group(subj.split(":", 1)[1]).members)
            for group, value in snap.queue:
                if subject(group.kind, group.key) in pending or set(group.members) & taken:
                    continue
                return self._group_question(group, value, snap)
            return None

    def _audit_question(self, snap: Snapshot, given: int) -> Question | None:
        """The audit asked after ``given`` answers (the same one until it is answered)."""
        if given in self._asked_audit:
            subj = self._asked_audit[given]
            i = self._row_of(subj.split(":", 1)[1])
        else:
            answered = snap.answered.notna().to_numpy(dtype=bool)
            pick = audit_posting(self.rng, snap.match, answered, self._audit_from_matches)
            if pick is None:
                return None
            from_matches = bool(snap.match[pick])
            self._audit_from_matches = not self._audit_from_matches
            i = pick
            subj = subject("posting", int(self.postings["job_id"].iloc[i]))
            self._asked_audit[given] = subj
            # the stratum it was drawn from (unanswered postings), and its size: what the
            # estimates weigh it by
            stratum = snap.match if from_matches else ~snap.match
            size = int((stratum & ~answered).sum())
            self._audit_strata[subj] = ("matches" if from_matches else "rest", size)
        row = self.postings.iloc[i]
        title = str(row["title"])
        return Question(
            subject=subj,
            kind="posting",
            label=title,
            postings=1,
            titles=[(title, 1)],
            audit=True,
            value=0.0,
            score=float(snap.scores["score"].iloc[i]),
            matched=int(snap.match[i]),
            why="an audit: a posting drawn at random, to estimate precision and recall",
            example=self._example(i, snap),
        )

    def _group_question(self, group: Group, value: float, snap: Snapshot) -> Question:
        members = list(group.members)
        order = sorted(members, key=lambda m: -int(self.groups.counts[m]))
        titles = [(self.groups.shown[m], int(self.groups.counts[m])) for m in order]
        posting_rows = np.flatnonzero(np.isin(self.groups.of_posting, members))
        scores = snap.scores["score"].to_numpy()[posting_rows]
        matched = int(snap.match[posting_rows].sum())
        # as the queue has it: a phrase by its titles the rule does not match (the answer
        # leaves those alone)
        valued = np.asarray(members)
        if group.kind == "phrase" and snap.rule_hit is not None:
            free = valued[~snap.rule_hit[valued]]
            valued = free if len(free) else valued
        p = p_group_yes(snap.p[valued], self.groups.counts[valued])
        if group.kind == "title":
            label = self.groups.shown[members[0]]
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
                f"{matched:,} of {group.postings:,} postings match now; the model puts a typical "
                f"one in the family with probability {p:.2f}, so an answer is expected to change "
                f"{value:.1f} postings"
            ),
            example=self._example(best, snap),
        )

    def _example(self, i: int, snap: Snapshot) -> dict[str, Any]:
        row = self.postings.iloc[i]
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
            "evidence": self.evidence_terms(snap.family),
            "score": float(score_row["score"]),
            "why": why,
        }

    @staticmethod
    def evidence_terms(family: Family) -> list[str]:
        """The phrases to highlight in a description: the family's rule."""
        return [t.rstrip("*") for t in family.rule_phrases() if not t.startswith("re:")]

    # -- answers ------------------------------------------------------------------------------

    def check_subject(self, subj: str) -> str:
        """A subject from a request, validated against this dataset (a clear error if not)."""
        subj = str(subj)
        if len(subj) > MAX_SUBJECT:
            # normalising a title is quadratic in its unclosed brackets: a 1 MiB title of "("
            # held the server for minutes
            raise ConfigError(f"{quoted(subj)}: a subject is at most {MAX_SUBJECT:,} characters.")
        kind, colon, key = subj.partition(":")
        if kind not in KINDS or not colon:
            raise ConfigError(
                f"{quoted(subj)}: a question is posting:ID, title:TEXT or phrase:TEXT "
                f"(kinds: {', '.join(KINDS)})."
            )
        checked = subject(kind, key)
        key = checked.partition(":")[2]
        if kind == "posting":
            if not (self.postings["job_id"] == int(key)).any():
                raise ConfigError(f"no posting {quoted(key)} in this dataset.")
        elif kind == "title":
            if key not in self.groups.index:
                raise ConfigError(f"no title {quoted(key)} in this dataset.")
        elif not self.groups.phrase_group(key).members:
            raise ConfigError(f"no title contains {quoted(key)}.")
        return checked

    def _title_of(self, subj: str) -> str:
        kind, _, key = subj.partition(":")
        if kind == "posting":
            return str(self.postings["title"].iloc[self._row_of(key)])
        if kind == "title":
            return self.groups.shown[self.groups.index[key]]
        return key

    def answer(self, subj: str, answer: str, *, audit: bool | None = None) -> str:
        """Record an answer (committed before this returns) and re-fit: in the background for
        the page, at once otherwise. Returns the batch id."""
        return self.answer_many([subj], answer, audit=audit)

    def answer_many(self, subjects: list[str], answer: str, *, audit: bool | None = None) -> str:
        """Answer several subjects at once, as one batch that one undo takes back."""
        checked = [self.check_subject(s) for s in subjects]
        if audit is None:
            audit = len(checked) == 1 and checked[0] in self._asked_audit.values()
        items = [(s, answer, self._title_of(s)) for s in checked]
        stratum = self._audit_strata.get(checked[0]) if audit and len(checked) == 1 else None
        batch = self.store.answer(self.name, items, audit=bool(audit), stratum=stratum)
        with self._lock:
            self._pending.extend(checked)
            self._batches.append(batch)
        self._after_change()
        return batch

    def undo(self, batch: str | None = None) -> int:
        """Take back a batch of answers (an event: nothing is deleted) and re-fit; returns how
        many answers it took back. ``batch``: that one, whichever page or process gave it
        (:meth:`AnswerStore.undo` says why not, when it cannot); else the latest batch this
        session gave that still stands (0: none), never one another page gave on the same
        database."""
        if batch is None:
            with self._lock:
                mine = list(self._batches)
            n = self.store.undo(self.name, among=mine)
        else:
            n = self.store.undo(self.name, batch)
        if n:
            self._after_change()
        return n

    def _after_change(self) -> None:
        if self.background:
            self._dirty.set()
        else:
            self.refit()

    # -- what the page shows ------------------------------------------------------------------

    def answers(self) -> list[Answer]:
        return self.store.current(self.name)

    def threshold_stats(self, threshold: float) -> dict[str, Any]:
        """Matches at ``threshold`` and the precision and recall the answers estimate there."""
        snap = self.current
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
            for a in self.answers()
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

    def _row_of(self, job_id: str) -> int:
        hits = np.flatnonzero(self.postings["job_id"].astype("int64").to_numpy() == int(job_id))
        return int(hits[0])

    def progress(self) -> dict[str, Any]:
        snap = self.current
        recent = [h["changed"] for h in self.history[-STOP_AFTER:] if "changed" in h]
        stop = len(recent) >= STOP_AFTER and max(recent) <= STOP_SHARE * len(snap.match)
        return {
            "answers": snap.answers,
            "given": self.store.count(self.name),
            "matches": int(snap.match.sum()),
            "matches_at_start": int(self.start.match.sum()),
            "changed_since_last_fit": len(self.changed_since_last),
            "changed_titles": [
                str(self.postings["title"].iloc[i]) for i in self.changed_since_last[:20]
            ],
            "refitting": bool(self._pending) or self._dirty.is_set(),
            "last_fit_seconds": round(snap.seconds, 2),
            "threshold": snap.threshold,
            "stop_hint": (
                f"the last {STOP_AFTER} answers changed almost no match: the family may be done"
                if stop
                else ""
            ),
            "errors": [h["error"] for h in self.history if "error" in h][-1:],
            # terms the method added to the rule that no answer has kept or dropped yet
            "grown": snap.grown,
        }

    def check_these(self, folds: int = 5) -> list[dict[str, Any]]:
        """Answered titles whose answer disagrees with what the review head predicts for them
        when their own answers are left out (out of fold)."""
        snap = self.current
        settled = np.flatnonzero(snap.settled)
        if len(settled) < 2 * folds:
            return []
        yes = snap.yes_share >= 0.5
        pseudo = np.flatnonzero(~snap.settled)
        if len(pseudo) > 4000:
            pseudo = self.rng.choice(pseudo, 4000, replace=False)
        order = self.rng.permutation(settled)
        out = []
        for f in range(folds):
            held = order[f::folds]
            train = np.concatenate([np.setdiff1d(settled, held), pseudo])
            y = np.where(snap.settled[train], yes[train], snap.matched_share[train] >= 0.5).astype(
                int
            )
            if y.min() == y.max():
                continue
            w = np.where(snap.settled[train], ANSWER_WEIGHT, 1.0)
            model = LogisticRegression(C=4.0, class_weight="balanced", max_iter=1000)
            model.fit(self.vectors[train], y, sample_weight=w)
            prob = model.predict_proba(self.vectors[held])[:, 1]
            for i, pr in zip(held, prob, strict=True):
                if (pr >= 0.5) != bool(yes[i]) and abs(pr - 0.5) >= 0.25:
                    out.append(
                        {
                            "subject": subject("title", self.groups.titles[i]),
                            "title": self.groups.shown[i],
                            "answered": "yes" if yes[i] else "no",
                            "predicted": round(float(pr), 2),
                            "postings": int(self.groups.counts[i]),
                        }
                    )
        return sorted(out, key=lambda r: -abs(r["predicted"] - 0.5))

    def search(self, query: str, *, regex: bool = False, limit: int = 200) -> list[dict[str, Any]]:
        """Title groups whose title contains the words (all of them), or matches a regular
        expression run by RE2, a linear-time engine: no pattern can stall the server."""
        titles = self.groups.titles
        if regex:
            import re2

            try:
                pattern = re2.compile(query, options=_re2_options())
            except Exception as exc:
                why = exc.args[0] if exc.args else exc
                if isinstance(why, bytes):
                    why = why.decode("utf-8", "replace")
                raise ConfigError(f"not a valid regular expression: {why}") from None
            hits = [i for i, t in enumerate(self.groups.shown) if pattern.search(t)]
        else:
            words = [w for w in re.split(r"\s+", query.lower()) if w]
            hits = [i for i, t in enumerate(titles) if all(w in t for w in words)]
        return self._rows(hits[:limit])

    def similar(self, subj: str, k: int = 30) -> list[dict[str, Any]]:
        """The titles nearest to a title's (or a phrase's) embedding."""
        kind, _, key = self.check_subject(subj).partition(":")
        if kind == "title":
            vec = self.vectors[self.groups.index[key]]
        elif kind == "phrase":
            vec = self.vectors[list(self.groups.phrase_group(key).members)].mean(axis=0)
        else:
            vec = self.vectors[self.groups.of_posting[self._row_of(key)]]
        order = np.argsort(-(self.vectors @ vec))[:k]
        return self._rows([int(i) for i in order])

    def _rows(self, idx: list[int]) -> list[dict[str, Any]]:
        snap = self.current
        out = []
        for i in idx:
            out.append(
                {
                    "subject": subject("title", self.groups.titles[i]),
                    "title": self.groups.shown[i],
                    "postings": int(self.groups.counts[i]),
                    "matched": round(float(snap.matched_share[i]), 2),
                    "p": round(float(snap.p[i]), 2),
                    "settled": bool(snap.settled[i]),
                }
            )
        return out

    def matches(self) -> pd.DataFrame:
        """The matching postings now, with the columns a reader wants and a link where the data
        has one."""
        snap = self.current
        cols = [
            c
            for c in ("job_id", "title", "company_name", "location", "job_posting_url")
            if c in self.postings.columns
        ]
        out = self.postings.loc[snap.match, cols].copy()
        out.insert(2, "score", snap.scores["score"].to_numpy()[snap.match].round(4))
        out.insert(3, "answered", snap.answered.to_numpy()[snap.match])
        return out.sort_values("score", ascending=False).reset_index(drop=True)

    def family_toml(self) -> str:
        """The family as its answers refined it, in the families file format."""
        return family_block(self.current.family)


def _re2_options() -> Any:
    import re2

    options = re2.Options()
    options.case_sensitive = False
    options.max_mem = 8 << 20
    # a bad pattern is the user's, answered with a 400; not a line in the server's log
    options.log_errors = False
    return options


__all__ = ["Question", "ReviewSession", "Snapshot", "resolve"]
