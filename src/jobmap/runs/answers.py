"""``jobmap answers export`` and ``import``: a family's answers out as labels and back in."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from jobmap.answers import AnswerStore, export_labels, labels_as_answers, resolve_answers_path
from jobmap.data import load
from jobmap.data.labels import read_labels
from jobmap.data.sources import detect
from jobmap.errors import ConfigError
from jobmap.families import get_family, load_families
from jobmap.outputs import check_file, write_table


@dataclass
class Exported:
    """What :func:`export_answers` wrote: the labels, how many answers they came from, notes."""

    labels: pd.DataFrame
    answers: int
    path: Path
    notes: list[str] = field(default_factory=list)


def export_answers(
    family: str,
    out: str | os.PathLike[str],
    *,
    answers: str | os.PathLike[str] | None = None,
    data: str | os.PathLike[str] | None = None,
    columns: dict[str, str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    encoding: str = "utf-8",
    families: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
) -> Exported:
    """Write ``family``'s answers as labels (``job_id,title,label``): every posting they decide
    in ``data``; without it, each answer about a posting by its job id and each about a title by
    its title (phrase answers need the data: a note says how many were left out). ``families``:
    the families file whose rule protects its titles from a phrase answered no, as in ``find``."""
    path = resolve_answers_path(answers)
    inputs = [path, *(detect(data).disk_files if data is not None else [])]
    target = check_file(out, suffixes=(".csv",), overwrite=overwrite, inputs=inputs)
    assert target is not None
    if not path.is_file():
        raise ConfigError(f"--answers {path}: no answers database there yet.")
    store = AnswerStore(path)
    given = store.current(family)
    notes = []
    if not given:
        known = store.families()
        notes.append(
            f"no answers for {family!r} in {path}"
            + (f" (it holds answers for {', '.join(map(repr, known))})" if known else "")
            + "; the file has a header alone."
        )
    postings = None
    if data is not None:
        postings = load(data, columns=columns, cache_dir=cache_dir, encoding=encoding).postings
    protect = (
        get_family(family, families_file=families).rule_phrases() if postings is not None else ()
    )
    labels = export_labels(given, postings, protect)
    phrases = [a for a in given if a.kind == "phrase" and a.answer in ("yes", "no")]
    if postings is None and phrases:
        notes.append(
            f"{len(phrases)} answer(s) about phrases (first: {phrases[0].key!r}) become labels "
            "only with the data: pass --data to write the postings they decide."
        )
    kinds = [a for a in given if a.kind == "occupation" and a.answer in ("yes", "no")]
    if kinds:
        notes.append(
            f"{len(kinds)} answer(s) about occupations (first: {kinds[0].key} {kinds[0].answer}) "
            "are not labels of postings: they stay in the answers database and in the family the "
            "review page downloads (occupations = [...])."
        )
    write_table(labels, target)
    return Exported(labels=labels, answers=len(given), path=target, notes=notes)


@dataclass
class Imported:
    """What :func:`import_answers` stored: how many answers, where, and notes."""

    answers: int
    path: Path
    notes: list[str] = field(default_factory=list)


def import_answers(
    family: str,
    labels: str | os.PathLike[str],
    *,
    answers: str | os.PathLike[str] | None = None,
    families: str | os.PathLike[str] | None = None,
) -> Imported:
    """Read a label file (``job_id,label``, ``title,label``, or ``job_id,title,label`` as
    :func:`export_answers` writes it) into ``family``'s answers, as one batch (one undo takes it
    back). A family no families file knows is said in a note (a typo would keep the answers
    under a name nothing reads)."""
    items = labels_as_answers(read_labels(labels, both_classes=False))  # may all say yes
    store = AnswerStore(answers)
    store.answer(family, items, source="import")
    notes = []
    known = load_families(families)
    if family not in known:
        notes.append(
            f"no family {family!r} is known (known: {', '.join(sorted(known))}); the answers are "
            "kept under that name for when it is added (jobmap family add)."
        )
    return Imported(answers=len(items), path=store.path, notes=notes)


__all__ = ["Exported", "Imported", "export_answers", "import_answers"]
