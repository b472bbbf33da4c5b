"""Method (c) of the notebook: similarity to anchor titles.

Texts are ``"Job title: " + title``; anchors are the postings whose title contains one of the
family's anchor phrases; a posting's score is its highest cosine similarity to any anchor, and it
matches when the score reaches the threshold (0.85 in the notebook).

"Contains" is the notebook's plain substring test (:func:`jobmap.texts.substring_in`), not the
keyword rule's whole words: this method is here to reproduce the notebook, so it finds the same
anchors, "AI" inside "Chair" included.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import pandas as pd

from jobmap.config import DEFAULT_SEED
from jobmap.errors import ConfigError
from jobmap.families import Family
from jobmap.methods.base import Method
from jobmap.texts import TITLE_PREFIX, clean, substring_in, title_texts

#: Rows scored per matrix product: bounds memory at ROWS x anchors floats.
SCORE_ROWS = 8192


class AnchorMethod(Method):
    """Max cosine similarity of a posting's title to the anchor titles.

    ``anchors``: explicit anchors, each a title or a job_id present in the data (default: the
    postings whose titles contain one of the family's anchor phrases). ``anchor_sample``: look for
    anchors only in a random sample of that many postings (the notebook used 10,000 with seed 567).
    """

    name = "anchors"
    default_threshold = 0.85
    evidence_columns = ("nearest_anchor",)
    summary = "the notebook's method (c): max cosine to titles with an anchor phrase"
    fit_columns = ()
    score_columns = ()

    def __init__(
        self,
        anchors: list[str] | None = None,
        anchor_sample: int | None = None,
        seed: int = DEFAULT_SEED,
        prefix: str = TITLE_PREFIX,
    ) -> None:
        self.anchors = anchors
        self.anchor_sample = anchor_sample
        self.seed = seed
        self.prefix = prefix

    def _anchor_titles(self, postings: pd.DataFrame, family: Family) -> tuple[list[str], str]:
        if self.anchors and self.anchor_sample is not None:
            raise ConfigError(
                "--anchor-sample: the anchors are given (--anchor), so there is no sample to "
                "look for them in; give one of the two."
            )
        if self.anchors:
            titles: list[str] = []
            ids = postings["job_id"].astype("Int64")
            for item in self.anchors:
                text = item.strip()
                if text.isdigit() and (ids == int(text)).any():
                    titles.append(
                        clean(postings.loc[(ids == int(text)).to_numpy(), "title"].iloc[0])
                    )
                elif text:
                    titles.append(clean(text))
            return list(dict.fromkeys(titles)), "given"
        pool = postings
        if self.anchor_sample is not None and self.anchor_sample < len(postings):
            pool = postings.sample(n=self.anchor_sample, random_state=self.seed)
        hit = substring_in(pool["title"], family.anchors)
        titles = [clean(t) for t in pool.loc[hit, "title"].tolist()]
        return list(dict.fromkeys(t for t in titles if t)), "phrases"

    def fit(
        self, postings: pd.DataFrame, family: Family, labels: pd.DataFrame | None = None
    ) -> Self:
        titles, how = self._anchor_titles(postings, family)
        if not titles:
            where = (
                f"a sample of {self.anchor_sample:,} postings"
                if self.anchor_sample
                else f"the {len(postings):,} postings"
            )
            raise ConfigError(
                f"no title in {where} contains any anchor phrase of {family.name!r} "
                f"({', '.join(repr(a) for a in family.anchors)}). Give anchors explicitly with "
                "--anchor TITLE_OR_JOB_ID, or other phrases in a families file."
            )
        self.anchor_titles_ = titles
        self.anchor_source_ = how
        self.anchor_vectors_ = self.engine.embed(
            [self.prefix + t for t in titles], desc="embedding anchors"
        )
        return self

    def score(self, postings: pd.DataFrame) -> pd.DataFrame:
        vecs = self.engine.embed(title_texts(postings, self.prefix), desc="embedding titles")
        best = np.empty(len(vecs), dtype=np.float32)
        which = np.empty(len(vecs), dtype=np.int64)
        anchors_t = self.anchor_vectors_.T
        for lo in range(0, len(vecs), SCORE_ROWS):
            sims = vecs[lo : lo + SCORE_ROWS] @ anchors_t
            which[lo : lo + SCORE_ROWS] = sims.argmax(axis=1)
            best[lo : lo + SCORE_ROWS] = sims.max(axis=1)
        nearest: list[str] = [self.anchor_titles_[i] for i in which.tolist()]
        return pd.DataFrame(
            {"score": np.clip(best, -1.0, 1.0).astype("float64"), "nearest_anchor": nearest},
            index=postings.index,
        )

    def explain(self, row: pd.Series) -> str:
        return f"cosine {row['score']:.3f} to the anchor title {row['nearest_anchor']!r}"

    def describe(self) -> str:
        return f"{len(self.anchor_titles_):,} anchor titles"

    def params(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "anchors": self.anchors,
            "anchor_sample": self.anchor_sample,
            "seed": self.seed,
            "prefix": self.prefix,
        }
        if hasattr(self, "anchor_titles_"):
            out["anchor_source"] = self.anchor_source_
            out["anchor_count"] = len(self.anchor_titles_)
            out["anchor_titles"] = self.anchor_titles_
        return out
