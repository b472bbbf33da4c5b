"""A person's answers: the store (SQLite, append-only), what an answer is about, how answers
decide postings, and label files in and out. Answers are the person's data, not input files:
this package sits above the data and the texts (its phrases are matched as every phrase is),
below the families and methods that use them."""

from jobmap.answers.exchange import as_labels, export_labels, labels_as_answers
from jobmap.answers.resolve import resolve
from jobmap.answers.store import (
    ANSWERS_ENV,
    AlreadyUndone,
    Answer,
    AnswerStore,
    default_answers_path,
    resolve_answers_path,
)
from jobmap.answers.subjects import ANSWERS, KINDS, check_phrase, normalise_title, subject

__all__ = [
    "ANSWERS",
    "ANSWERS_ENV",
    "KINDS",
    "AlreadyUndone",
    "Answer",
    "AnswerStore",
    "as_labels",
    "check_phrase",
    "default_answers_path",
    "export_labels",
    "labels_as_answers",
    "normalise_title",
    "resolve",
    "resolve_answers_path",
    "subject",
]
