"""A review: a person answers questions, the family is re-fitted after each answer, and the
questions are re-ranked. The page (:mod:`jobmap.web`) and the simulation
(:mod:`jobmap.review.simulate`) both drive this one class.

Each re-fit runs the same :class:`~jobmap.pipeline.Pipeline` as ``find``: the family refined by
its answers (phrases answered yes join its rule, phrases answered no its exclusions, answered
titles its examples: :func:`jobmap.families.with_answers`), the method fitted again (``bootstrap``
for a family of anchors alone grows its rule and retrains its head), and every answered posting
decided by its answer. The review head (:mod:`jobmap.review.head`) gives each title its
probability of being in the family, which values the questions (:mod:`jobmap.review.questions`).

This module holds the state and the background fitting; what the page shows is made from them
by :mod:`jobmap.review.views`.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

import numpy as np
import pandas as pd

from jobmap.answers import KINDS, Answer, AnswerStore, subject
from jobmap.config import Settings
from jobmap.data import Dataset
from jobmap.errors import ConfigError, quoted
from jobmap.knowledge.catalogue import technology_words
from jobmap.methods import MethodContext
from jobmap.pipeline import Pipeline
from jobmap.review.asking import Question, example, group_question
from jobmap.review.head import review_head
from jobmap.review.questions import Group, Groups, audit_posting, occupation_groups, rank
from jobmap.review.snapshot import Snapshot
from jobmap.texts import TITLE_PREFIX

#: Every so many questions, one is an audit: a posting drawn at random.
AUDIT_EVERY = 6
#: The longest subject a request may give (a title's is its normalised title).
MAX_SUBJECT = 2000


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
        occupations: bool = True,
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
        self.groups = Groups.build(self.postings, words=technology_words())
        self.vectors = self.context.engine().embed(
            [TITLE_PREFIX + t for t in self.groups.shown], desc="embedding titles"
        )
        #: Each distinct title's occupation ("" for none): what the occupation questions group
        #: by (``occupations=False``: none are asked).
        self.title_codes: np.ndarray | None = None
        #: Each distinct title's next most likely occupations (the coder's second and third
        #: codes, "" for none; one column each): how near the family an occupation is.
        self.title_near_codes: np.ndarray | None = None
        if occupations and not background:
            self.title_codes, self.title_near_codes = self._title_codes(first)
        self._lock = threading.RLock()
        self._audit_from_matches = True
        self._asked_audit: dict[int, str] = {}
        self._audit_strata: dict[str, tuple[str, int]] = {}
        self._pending: list[str] = []  # subjects answered since the last fit
        self._resume: str | None = None  # the question an undo brought back
        #: Every term the method grew that the page has listed, by its subject: a kept or
        #: dropped one stays listed, with its answer (:func:`jobmap.review.views.progress`).
        self.terms_seen: dict[str, dict[str, Any]] = {}
        self._batches: list[str] = []  # the batches this session gave, oldest first
        self.history: list[dict[str, Any]] = []
        self.background = background
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None
        self.current = self._fit()
        self.start = self.current
        for term in self.current.grown:
            self.terms_seen.setdefault(term["subject"], term)
        self.changed_since_last: list[int] = []
        if background:
            # the re-fit thread holds the GIL in long stretches of Python; hand it over more
            # often, so that a request waits milliseconds, not a re-fit, for its turn
            sys.setswitchinterval(min(sys.getswitchinterval(), 0.0005))
            self._worker = threading.Thread(target=self._loop, daemon=True, name="jobmap-refit")
            self._worker.start()
            if occupations:
                # coding the data takes a minute or more the first time: the page asks by
                # phrase and title meanwhile, and by occupation once it is done
                threading.Thread(
                    target=self._code_in_background,
                    args=(first,),
                    daemon=True,
                    name="jobmap-occupations",
                ).start()

    def _code_in_background(self, pipe: Pipeline) -> None:
        try:
            # its own engine: the re-fit thread uses the session's
            codes, near = self._title_codes(pipe, MethodContext.from_settings(self.settings))
        except Exception as exc:  # the review goes on without occupation questions
            self.history.append({"error": f"occupations: {type(exc).__name__}: {exc}"})
            return
        with self._lock:
            self.title_codes, self.title_near_codes = codes, near
        self._dirty.set()  # fit again: the queue can ask by occupation now

    def _title_codes(
        self, pipe: Pipeline, context: MethodContext | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each distinct title's occupation (where the coder is sure enough) and its next two
        codes (see :attr:`title_near_codes`)."""
        from jobmap.knowledge.coded import coded_for
        from jobmap.pipeline import OCCUPATION_CONFIDENCE

        if context is None:
            coded = pipe.coded
        else:
            coded = coded_for(self.dataset, self.settings, context.engine(), progress=False)
        sure = coded["confidence"].to_numpy(dtype=float) >= OCCUPATION_CONFIDENCE
        code = np.where(sure, coded["occupation_code"].fillna("").to_numpy(dtype=object), "")
        near = np.column_stack(
            [
                coded[c].fillna("").to_numpy(dtype=object)
                if c in coded
                else np.full(len(coded), "", dtype=object)
                for c in ("occupation_code_2", "occupation_code_3")
            ]
        )
        # each distinct title's codes are its first posting's (every title has one)
        _, first = np.unique(self.groups.of_posting, return_index=True)
        return np.asarray(code[first], dtype=object), np.asarray(near[first], dtype=object)

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
        p = review_head(self.vectors, matched_share, settled, yes_share, self.rng)
        rule = pipe.family.rule_phrases()
        hits = result.method.rule_hits(pd.Series(self.groups.shown))
        # a term the method grew into the rule is the rule's too: its titles are not asked one
        # by one (the page lists the terms, to keep or drop each with one answer)
        grown = result.method.grown_phrases()
        extra = None
        if self.title_codes is not None:
            own = self.groups.has_phrases((*rule, *grown)) | np.asarray(hits, dtype=bool)
            extra = occupation_groups(
                self.groups,
                self.title_codes,
                p,
                matched_share,
                settled,
                own,
                held=tuple(pipe.family.occupations),
                rejected=tuple(pipe.family.rejected_occupations),
                near_codes=self.title_near_codes,
            )
        queue = rank(
            self.groups,
            p,
            matched_share,
            settled,
            self.vectors,
            rule=(*rule, *grown),
            rule_hit=hits,
            extra=extra,
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
            for term in snap.grown:
                self.terms_seen.setdefault(term["subject"], term)
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
            resumed = self._resumed(snap, {a.subject for a in standing})
            if resumed is not None:
                return resumed
            pending = set(self._pending) | {a.subject for a in standing}
            if self.background and given != snap.answers and not self._pending:
                self._dirty.set()  # answers given elsewhere: fit them in
            taken: set[int] = set()
            for subj in pending:
                # an occupation until the re-fit has it (once fitted, it settles no title)
                if subj.startswith("phrase:") or (
                    subj.startswith("occupation:") and subj in self._pending
                ):
                    taken |= set(self.members(subj).tolist())
            for group, value in snap.queue:
                if subject(group.kind, group.key) in pending or set(group.members) & taken:
                    continue
                return group_question(self.groups, self.postings, group, value, snap)
            return None

    def _resumed(self, snap: Snapshot, answered: set[str]) -> Question | None:
        """The question an undo brought back, until it is answered (an audit comes back by its
        turn: see :meth:`_audit_question`)."""
        subj = self._resume
        if subj is None or subj.startswith("posting:"):
            return None
        if subj in answered:
            self._resume = None
            return None
        kind, _, key = subj.partition(":")
        if kind == "title" and key in self.groups.index:
            group = self.groups.title_group(self.groups.index[key])
        elif kind == "phrase":
            group = self.groups.phrase_group(key)
        elif kind == "occupation":
            members = self.members(subj)
            members = members[snap.matched_share[members] < 1.0]  # those the family does not hold
            postings = int(self.groups.counts[members].sum())
            group = Group("occupation", key, tuple(int(i) for i in members), postings)
        else:
            return None
        if not group.members:
            return None
        value = next((v for g, v in snap.queue if subject(g.kind, g.key) == subj), 0.0)
        return group_question(self.groups, self.postings, group, value, snap)

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
            example=example(self.postings, i, snap),
        )

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
                f"{quoted(subj)}: a question is posting:ID, title:TEXT, phrase:TEXT or "
                f"occupation:CODE (kinds: {', '.join(KINDS)})."
            )
        checked = subject(kind, key)
        key = checked.partition(":")[2]
        if kind == "occupation":
            if self.title_codes is None or not (self.title_codes == key).any():
                raise ConfigError(f"no posting of this dataset is coded {quoted(key)}.")
        elif kind == "posting":
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
        if kind == "occupation":
            from jobmap.knowledge import occupation_titles

            return occupation_titles().get(key, key)
        return key

    def answer(
        self,
        subj: str,
        answer: str,
        *,
        audit: bool | None = None,
        exceptions: list[str] | tuple[str, ...] = (),
    ) -> str:
        """Record an answer (committed before this returns) and re-fit: in the background for
        the page, at once otherwise. Returns the batch id. ``exceptions``: titles of a phrase
        or occupation question that take the other answer ("yes except these 3 titles"), in
        the same batch (one undo takes back the answer and its exceptions)."""
        if exceptions:
            return self._answer_except(subj, answer, list(exceptions))
        return self.answer_many([subj], answer, audit=audit)

    def members(self, subj: str) -> np.ndarray:
        """The distinct titles (indices into :attr:`groups`) a phrase or occupation question is
        about: every title containing the phrase, or coded to the occupation."""
        kind, _, key = subj.partition(":")
        if kind == "phrase":
            return np.asarray(self.groups.phrase_group(key).members, dtype=np.int64)
        if kind == "occupation" and self.title_codes is not None:
            return np.flatnonzero(self.title_codes == key)
        return np.zeros(0, dtype=np.int64)

    def _answer_except(self, subj: str, answer: str, exceptions: list[str]) -> str:
        checked = self.check_subject(subj)
        kind = checked.partition(":")[0]
        if answer not in ("yes", "no"):
            raise ConfigError(f"only a yes or a no takes exceptions, not {quoted(answer)}.")
        if kind not in ("phrase", "occupation"):
            raise ConfigError(
                f"{quoted(checked)}: only a phrase or an occupation question takes exceptions "
                "(its titles that take the other answer)."
            )
        members = set(self.members(checked).tolist())
        other = "no" if answer == "yes" else "yes"
        items = [(checked, answer, self._title_of(checked))]
        seen: set[str] = set()
        for e in exceptions:
            ce = self.check_subject(e)
            if not ce.startswith("title:"):
                raise ConfigError(f"{quoted(e)}: an exception is a title (title:TEXT).")
            if self.groups.index[ce.partition(":")[2]] not in members:
                raise ConfigError(f"{quoted(e)} is not one of the titles of {quoted(checked)}.")
            if ce not in seen:
                seen.add(ce)
                items.append((ce, other, self._title_of(ce)))
        batch = self.store.answer(self.name, items)
        with self._lock:
            self._pending.extend(s for s, _, _ in items)
            self._batches.append(batch)
        self._after_change()
        return batch

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
        before = self.store.current(self.name)
        if batch is None:
            with self._lock:
                mine = list(self._batches)
            n = self.store.undo(self.name, among=mine)
        else:
            n = self.store.undo(self.name, batch)
        if n:
            standing = {(a.subject, a.batch) for a in self.store.current(self.name)}
            undone = [a.subject for a in before if (a.subject, a.batch) not in standing]
            # the undone question comes back (one question: an answer, or a group's with its
            # exceptions; a bulk answer from the list is not a question)
            if undone and (len(undone) == 1 or undone[0].startswith(("phrase:", "occupation:"))):
                with self._lock:
                    self._resume = undone[0]
            self._after_change()
        return n

    def _after_change(self) -> None:
        if self.background:
            self._dirty.set()
        else:
            self.refit()

    def answers(self) -> list[Answer]:
        return self.store.current(self.name)

    def _row_of(self, job_id: str) -> int:
        hits = np.flatnonzero(self.postings["job_id"].astype("int64").to_numpy() == int(job_id))
        return int(hits[0])


__all__ = ["Question", "ReviewSession", "Snapshot"]
