"""The answers as they decide postings: the most specific answer wins (a posting's own, then
its title's, then a phrase its title holds)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from jobmap.answers.store import Answer
from jobmap.answers.subjects import normalise_title
from jobmap.texts import clean
from jobmap.texts.match import phrase_regex, phrases_in


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


__all__ = ["resolve"]
