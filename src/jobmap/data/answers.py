"""A person's answers, kept safely: an append-only log of events in SQLite.

One database holds the answers of every family (``answers.sqlite`` in the per-user data folder;
``--answers PATH`` or ``$JOBMAP_ANSWERS`` to choose another). It runs in WAL mode with full
synchronous commits, so an answer that :meth:`AnswerStore.answer` returned from is on disk and
survives a ``kill -9``; two processes (two ``jobmap review`` pages, a ``find``) can use it at once.
Nothing is ever overwritten: an answer is an event, undo is another event, and the current answers
are what the log says after replaying it.

What an answer is about (its *subject*):

* ``posting:<job_id>``: one posting (its title is kept with it, for export);
* ``title:<normalised title>``: every posting with that title (:func:`normalise_title`);
* ``phrase:<phrase>``: every posting whose title contains the phrase (whole words; words
  only: a wildcard or a ``re:`` pattern is refused, :func:`check_phrase`).

A more specific answer wins: posting over title over phrase.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import platformdirs

from jobmap.data.schema import clean
from jobmap.errors import ConfigError, DataError, StorageError, quoted

ANSWERS_ENV = "JOBMAP_ANSWERS"
ANSWERS = ("yes", "no", "skip")
KINDS = ("posting", "title", "phrase")

_SCHEMA = """
create table if not exists events (
    id integer primary key autoincrement,
    family text not null,
    event text not null check (event in ('answer', 'undo')),
    subject text,
    answer text check (answer is null or answer in ('yes', 'no', 'skip')),
    title text,
    batch text not null,
    undoes text,
    audit integer not null default 0,
    source text not null default 'review',
    created real not null,
    stratum text,
    stratum_size integer
);
create index if not exists events_family on events (family, id);
create index if not exists events_undoes on events (undoes);
"""
#: Columns added since the first schema: (name, type); a database without them gets them.
_ADDED = (("stratum", "text"), ("stratum_size", "integer"))


def default_answers_path() -> Path:
    """The per-user answers database (``~/.local/share/jobmap/answers.sqlite`` on Linux)."""
    return Path(platformdirs.user_data_dir("jobmap", appauthor=False)) / "answers.sqlite"


def resolve_answers_path(path: str | os.PathLike[str] | None = None) -> Path:
    """``path`` if given, else ``$JOBMAP_ANSWERS``, else :func:`default_answers_path`."""
    if path is not None and str(path) != "":
        return Path(path).expanduser()
    env = os.environ.get(ANSWERS_ENV, "").strip()
    return Path(env).expanduser() if env else default_answers_path()


_ASIDE = re.compile(r"\(([^)]*)\)|\[([^\]]*)\]")
_EDGE = re.compile(r"^[\W_]+|[\W_]+$")
#: Words of a bracketed aside that say where, when or on what terms, not what the job is: an
#: aside made only of these (and numbers: pay, dates, ids) is left out of a title's group.
_ASIDE_NOISE = frozenset(
    re.findall(
        r"\S+",
        """remote hybrid onsite on site in office virtual wfh telecommute work from home full part
    time fulltime parttime ft pt temporary temp contract contractor seasonal per diem prn w c
    corp to hire only or and entry level us usa u s night nights day days evening evenings
    weekend weekends overnight shift st nd rd th travel relocation possible eligible available
    immediate hiring urgent urgently k usd hour hr hourly year yr annual salary bonus sign on
    up plus summer fall spring winter am pm weekday weekdays mon tue wed thu thur thurs fri sat
    sun m f job req ref id no yrs years open""",
    )
)


def _aside(match: re.Match[str]) -> str:
    """A bracketed aside: dropped when it only says where, when or on what terms ("(Remote)",
    "[Part-Time]", "($67,332 - $74,297)"); its words kept otherwise ("(Machine Learning)", "(RN)":
    they say what the job is, and a title's group must not mix it with the plain title)."""
    inside = match.group(1) if match.group(1) is not None else match.group(2)
    words = re.findall(r"[a-z]+|[0-9]+", inside)
    if all(w.isdigit() or w in _ASIDE_NOISE for w in words):
        return " "
    return f" {inside} "


def normalise_title(title: object) -> str:
    """The form of a title that groups postings: lower case, single spaces, surrounding
    punctuation removed, and bracketed asides about where, when or on what terms ("(Remote)",
    "[Hybrid]", "(Part Time)") left out; an aside that says what the job is keeps its words.

    >>> normalise_title("  Senior Data Scientist (Remote) - ")
    'senior data scientist'
    >>> normalise_title("Software Engineer (Machine Learning)")
    'software engineer machine learning'
    """
    text = _ASIDE.sub(_aside, clean(title).lower())
    return _EDGE.sub("", " ".join(text.split()))


def phrase_regex(phrase: str) -> re.Pattern[str]:
    """Whole-word, case-insensitive match of a phrase in a title; a trailing ``*`` matches any
    word ending, as in a family's keywords ("data scien*")."""
    wildcard = phrase.strip().endswith("*")
    words = [re.escape(w) for w in phrase.strip().rstrip("*").lower().split()]
    end = "" if wildcard else r"(?![a-z0-9])"
    return re.compile(r"(?<![a-z0-9])" + r"[\s\-/_]+".join(words) + end, re.I)


def phrases_in(texts: pd.Series, phrases: Iterable[str]) -> np.ndarray:
    """Which texts contain one of ``phrases`` (as :func:`phrase_regex` matches them), in one pass
    over the texts however many phrases there are."""
    unique = list(dict.fromkeys(p for p in phrases if p))
    if not unique:
        return np.zeros(len(texts), dtype=bool)
    either = re.compile("|".join(f"(?:{phrase_regex(p).pattern})" for p in unique), re.I)
    return texts.str.contains(either, regex=True).fillna(False).to_numpy(dtype=bool)


def check_phrase(phrase: str) -> None:
    """A phrase one answer can settle: words, not a pattern. ``*`` or ``re:`` would make an
    answered phrase a wildcard or a regular expression in the family's rule (``phrase:*``
    answered every posting), and a phrase of punctuation alone matches every title."""
    if phrase.startswith("re:"):
        raise ConfigError(
            f"phrase {quoted(phrase)}: a regular expression is not a phrase; search with it in "
            "the list and answer the titles it finds."
        )
    if "*" in phrase:
        raise ConfigError(f"phrase {quoted(phrase)}: give words, not a wildcard.")
    if not any(ch.isalnum() for ch in phrase):
        raise ConfigError(f"phrase {quoted(phrase)}: give at least one letter or digit.")


def subject(kind: str, key: object) -> str:
    """The subject string of a question: ``title:senior data scientist``."""
    if kind not in KINDS:
        raise ConfigError(f"unknown kind of subject {quoted(kind)}; one of {', '.join(KINDS)}.")
    if kind == "posting":
        try:
            return f"posting:{int(str(key))}"
        except ValueError:
            raise ConfigError(
                f"posting {quoted(key)}: a posting is answered by its job id, a whole number."
            ) from None
    text = normalise_title(key) if kind == "title" else " ".join(str(key).lower().split())
    if not text:
        raise ConfigError(f"an empty {kind} cannot be answered.")
    if kind == "phrase":
        check_phrase(text)
    return f"{kind}:{text}"


class AlreadyUndone(ConfigError):
    """An undo of a batch that is undone already (by this page, another one, or a process)."""


@dataclass(frozen=True)
class Answer:
    """One current answer."""

    subject: str
    answer: str
    title: str
    audit: bool
    event_id: int
    batch: str
    #: For an audit: the stratum it was drawn from ("matches" or "rest") and that stratum's size
    #: then (None for an answer given before jobmap recorded them).
    stratum: str | None = None
    stratum_size: int | None = None

    @property
    def kind(self) -> str:
        return self.subject.split(":", 1)[0]

    @property
    def key(self) -> str:
        return self.subject.split(":", 1)[1]


class AnswerStore:
    """The answers database (see the module docstring).

    >>> store = AnswerStore(":memory:")
    >>> batch = store.answer("ml", [("title:data scientist", "yes", "Data Scientist")])
    >>> [a.answer for a in store.current("ml")]
    ['yes']
    >>> store.undo("ml")
    1
    >>> store.current("ml")
    []
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(":memory:") if str(path) == ":memory:" else resolve_answers_path(path)
        self._memory: sqlite3.Connection | None = None
        if str(self.path) != ":memory:":
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(
                    f"--answers {self.path}: cannot create its folder ({exc.strerror}). "
                    f"Choose another path with --answers or ${ANSWERS_ENV}."
                ) from None
        with self._connect() as con:
            con.executescript(_SCHEMA)
            have = {str(r[1]) for r in con.execute("pragma table_info(events)")}
            for name, kind in _ADDED:
                if name not in have:
                    try:
                        con.execute(f"alter table events add column {name} {kind}")
                    except sqlite3.OperationalError as exc:  # another process added it first
                        if "duplicate column" not in str(exc):
                            raise

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if str(self.path) == ":memory:":
            if self._memory is None:
                self._memory = sqlite3.connect(":memory:", check_same_thread=False)
            yield self._memory
            return
        try:
            con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        except sqlite3.Error as exc:
            raise ConfigError(f"--answers {self.path}: cannot open it ({exc}).") from None
        try:
            con.execute("pragma journal_mode=wal")
            con.execute("pragma synchronous=full")  # a returned answer is on disk
            yield con
        except sqlite3.DatabaseError as exc:
            code = getattr(exc, "sqlite_errorname", "")
            if code in ("SQLITE_NOTADB", "SQLITE_CORRUPT"):
                raise DataError(
                    f"{self.path}: not a jobmap answers database ({exc}). Move it away or choose "
                    f"another with --answers."
                ) from None
            # a healthy database that cannot be written now: the disk is full, the folder or
            # file is read-only, another process holds it too long
            why = "the disk is full" if code == "SQLITE_FULL" else str(exc)
            raise StorageError(
                f"--answers {self.path}: cannot write it ({why}); what was being saved was not "
                "saved, and the answers before it are safe. Free some space (or choose another "
                "--answers) and try again."
            ) from None
        finally:
            con.close()

    def answer(
        self,
        family: str,
        items: Iterable[tuple[str, str, str]],
        *,
        audit: bool = False,
        source: str = "review",
        stratum: tuple[str, int] | None = None,
    ) -> str:
        """Record answers ``(subject, yes|no|skip, title)`` as one batch (undone together);
        returns the batch id once they are committed. ``stratum``: for an audit, the stratum it
        was drawn from (``"matches"`` or ``"rest"``) and that stratum's size then."""
        if stratum is not None and stratum[0] not in ("matches", "rest"):
            raise ConfigError(f"stratum {stratum[0]!r}: give matches or rest.")
        rows = list(items)
        for subj, ans, _ in rows:
            if ans not in ANSWERS:
                raise ConfigError(f"answer {ans!r}: give one of {', '.join(ANSWERS)}.")
            if subj.split(":", 1)[0] not in KINDS or ":" not in subj:
                raise ConfigError(
                    f"subject {quoted(subj)}: expected KIND:KEY, KIND one of {KINDS}."
                )
            if subj.startswith("phrase:"):
                check_phrase(subj.split(":", 1)[1])
        if not rows:
            raise ConfigError("nothing to answer.")
        batch = uuid.uuid4().hex[:16]
        now = time.time()
        with self._connect() as con:
            con.execute("begin immediate")
            con.executemany(
                "insert into events (family, event, subject, answer, title, batch, audit, source,"
                " created, stratum, stratum_size) values (?, 'answer', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (family, s, a, t, batch, int(audit), source, now, *(stratum or (None, None)))
                    for s, a, t in rows
                ],
            )
            con.execute("commit")
        return batch

    def _events(self, family: str) -> list[sqlite3.Row]:
        with self._connect() as con:
            con.row_factory = sqlite3.Row
            try:
                return con.execute(
                    "select id, event, subject, answer, title, batch, undoes, audit, stratum, "
                    "stratum_size from events "
                    "where family = ? order by id",
                    (family,),
                ).fetchall()
            finally:
                con.row_factory = None

    def _live_batches(self, family: str) -> list[str]:
        """Answer batches not undone, oldest first."""
        batches: list[str] = []
        for row in self._events(family):
            if row["event"] == "answer" and row["batch"] not in batches:
                batches.append(row["batch"])
            elif row["event"] == "undo" and row["undoes"] in batches:
                batches.remove(row["undoes"])
        return batches

    def undo(
        self, family: str, batch: str | None = None, *, among: Iterable[str] | None = None
    ) -> int:
        """Undo one batch of answers, as a new event; returns how many answers it took back.

        ``batch``: that batch, whoever gave it (:class:`ConfigError` if ``family`` has no such
        batch, :class:`AlreadyUndone` if it is undone already). Without it: the latest batch
        still standing, of those in ``among`` when given (a page's own: another page on the
        same database keeps its answers); 0 when there is none.

        Choosing the batch and marking it undone are one transaction (``begin immediate``): two
        undos of one batch at once, from two processes, undo it once."""
        with self._connect() as con:
            con.execute("begin immediate")
            try:
                target = self._undo_target(con, family, batch, among)
                n = 0
                if target is not None:
                    n = int(
                        con.execute(
                            "select count(*) from events where family = ? and batch = ? "
                            "and event = 'answer'",
                            (family, target),
                        ).fetchone()[0]
                    )
                    con.execute(
                        "insert into events (family, event, batch, undoes, created) "
                        "values (?, 'undo', ?, ?, ?)",
                        (family, uuid.uuid4().hex[:16], target, time.time()),
                    )
                con.execute("commit")
            except BaseException:
                with suppress(sqlite3.Error):
                    con.execute("rollback")
                raise
        return n

    @staticmethod
    def _undo_target(
        con: sqlite3.Connection, family: str, batch: str | None, among: Iterable[str] | None
    ) -> str | None:
        """The batch :meth:`undo` takes back, read inside its transaction."""

        def undone(b: str) -> bool:
            row = con.execute(
                "select 1 from events where family = ? and event = 'undo' and undoes = ? limit 1",
                (family, b),
            ).fetchone()
            return row is not None

        if batch is not None:
            given = con.execute(
                "select 1 from events where family = ? and event = 'answer' and batch = ? limit 1",
                (family, batch),
            ).fetchone()
            if given is None:
                raise ConfigError(f"no batch {quoted(batch)} of answers about {family!r}.")
            if undone(batch):
                raise AlreadyUndone(f"batch {quoted(batch)} is undone already.")
            return batch
        if among is not None:
            return next((b for b in reversed(list(among)) if not undone(b)), None)
        latest_first = con.execute(
            "select batch, max(id) as last from events where family = ? and event = 'answer' "
            "group by batch order by last desc",
            (family,),
        ).fetchall()
        return next((str(b) for b, _ in latest_first if not undone(str(b))), None)

    def current(self, family: str) -> list[Answer]:
        """The answers standing now, the latest per subject, in the order they were given."""
        live = set(self._live_batches(family))
        latest: dict[str, Answer] = {}
        for row in self._events(family):
            if row["event"] != "answer" or row["batch"] not in live:
                continue
            subj = str(row["subject"])
            latest.pop(subj, None)
            latest[subj] = Answer(
                subj,
                str(row["answer"]),
                str(row["title"] or ""),
                bool(row["audit"]),
                int(row["id"]),
                str(row["batch"]),
                row["stratum"],
                None if row["stratum_size"] is None else int(row["stratum_size"]),
            )
        return list(latest.values())

    def count(self, family: str) -> int:
        """Answers standing now (skips included)."""
        return len(self.current(family))

    def families(self) -> list[str]:
        with self._connect() as con:
            return [r[0] for r in con.execute("select distinct family from events order by 1")]


def resolve(
    answers: list[Answer],
    postings: pd.DataFrame,
    protect: Iterable[str] = (),
    guarded: np.ndarray | None = None,
) -> pd.Series:
    """Each posting's answer (``"yes"``/``"no"``, or missing), the most specific answer winning:
    the posting's own, else its title's, else a phrase its title contains (a later phrase answer
    over an earlier one). Skips decide nothing.

    A phrase answered no does not reach the titles that contain one of the ``protect`` phrases
    (the family's own rule, and the phrases answered yes), nor the postings ``guarded`` marks
    (those a method's own rule matches): "software engineer" answered no leaves "Machine
    Learning Software Engineer" to the rule."""
    out = pd.Series(pd.NA, index=postings.index, dtype="string")
    decided = [a for a in answers if a.answer in ("yes", "no")]
    if not decided:
        return out
    # each distinct title is searched once (a title repeats across postings)
    codes, distinct = pd.factorize(postings["title"], use_na_sentinel=False)
    titles = pd.Series(distinct, dtype=object).map(clean)

    def per_posting(found: pd.Series) -> np.ndarray:
        return found.fillna(False).to_numpy(dtype=bool)[codes]

    kept = [p.strip() for p in protect if p.strip("* ") and not p.startswith("re:")]
    kept += [a.key for a in decided if a.kind == "phrase" and a.answer == "yes"]
    guarded = (
        np.zeros(len(postings), dtype=bool) if guarded is None else np.array(guarded, dtype=bool)
    )
    guarded |= phrases_in(titles, kept)[codes]  # a family's rule has dozens: one pass
    for a in (a for a in decided if a.kind == "phrase"):
        hit = per_posting(titles.str.contains(phrase_regex(a.key), regex=True))
        if a.answer == "no":
            hit &= ~guarded
        out[hit] = a.answer
    by_title = {a.key: a.answer for a in decided if a.kind == "title"}
    if by_title:
        answer_of = titles.map(normalise_title).map(by_title).to_numpy(dtype=object)
        mapped = pd.Series(answer_of[codes], index=postings.index)
        out = out.where(mapped.isna(), mapped.astype("string"))
    by_posting = {int(a.key): a.answer for a in decided if a.kind == "posting"}
    if by_posting:
        ids = postings["job_id"].astype("int64").map(by_posting)
        out = out.where(ids.isna(), ids.astype("string"))
    return out


def as_labels(
    answers: list[Answer], postings: pd.DataFrame, protect: Iterable[str] = ()
) -> pd.DataFrame:
    """The postings the answers decide, as labels: ``job_id, title, label`` (bool)."""
    decided = resolve(answers, postings, protect)
    keep = decided.notna().to_numpy()
    out = postings.loc[keep, ["job_id", "title"]].copy()
    out["label"] = (decided[keep] == "yes").to_numpy(dtype=bool)
    return out.reset_index(drop=True)


def export_labels(
    answers: list[Answer], postings: pd.DataFrame | None = None, protect: Iterable[str] = ()
) -> pd.DataFrame:
    """Answers in the label format ``evaluate`` and ``answers import`` read:
    ``job_id,title,label``. With ``postings``: every posting the answers decide. Without: each
    answer about a posting keeps its job id (its title beside it, when known) and each answer
    about a title its title, with an empty job id; importing the file gives the same answers
    back. Phrase answers need the data to become labels."""
    if postings is not None:
        labels = as_labels(answers, postings, protect)
        return labels.assign(label=np.where(labels["label"], "yes", "no"))
    rows = [
        {
            "job_id": a.key if a.kind == "posting" else "",
            "title": a.title if a.kind == "posting" else (a.title or a.key),
            "label": a.answer,
        }
        for a in answers
        if a.answer in ("yes", "no") and a.kind in ("posting", "title")
    ]
    out = pd.DataFrame(rows, columns=["job_id", "title", "label"])
    key = out["job_id"].where(out["job_id"] != "", "title:" + out["title"])
    return out.loc[~key.duplicated(keep="last")].reset_index(drop=True)


__all__ = [
    "ANSWERS_ENV",
    "AlreadyUndone",
    "Answer",
    "AnswerStore",
    "as_labels",
    "check_phrase",
    "default_answers_path",
    "export_labels",
    "normalise_title",
    "phrase_regex",
    "phrases_in",
    "resolve",
    "resolve_answers_path",
    "subject",
]
