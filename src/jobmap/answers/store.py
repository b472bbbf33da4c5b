"""A person's answers, kept safely: an append-only log of events in SQLite.

One database holds the answers of every family (``answers.sqlite`` in the per-user data folder;
``--answers PATH`` or ``$JOBMAP_ANSWERS`` to choose another). It runs in WAL mode with full
synchronous commits, so an answer that :meth:`AnswerStore.answer` returned from is on disk and
survives a ``kill -9``; two processes (two ``jobmap review`` pages, a ``find``) can use it at once.
Nothing is ever overwritten: an answer is an event, undo is another event, and the current answers
are what the log says after replaying it.

What an answer is about: :mod:`jobmap.answers.subjects` (a posting's answer keeps its title, for
export). A more specific answer wins: posting over title over phrase
(:func:`jobmap.answers.resolve`).
"""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from jobmap.answers.subjects import ANSWERS, KINDS, check_phrase
from jobmap.config import ANSWERS_ENV, default_answers_path, resolve_answers_path
from jobmap.errors import ConfigError, DataError, StorageError, quoted

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


__all__ = [
    "ANSWERS_ENV",
    "AlreadyUndone",
    "Answer",
    "AnswerStore",
    "default_answers_path",
    "resolve_answers_path",
]
