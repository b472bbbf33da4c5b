"""``auto``, the default: picks the method for the data and the family, and says which.

``hybrid`` when the data has descriptions and the family has a keyword rule, ``keywords`` on titles
alone, and ``bootstrap`` for a family with no rule.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import pandas as pd

from jobmap.config import DEFAULT_SEED
from jobmap.families import Family
from jobmap.methods.base import Method
from jobmap.methods.bootstrap import BootstrapMethod
from jobmap.methods.hybrid import HybridMethod
from jobmap.methods.keywords import KeywordMethod
from jobmap.texts import has_descriptions


class AutoMethod(Method):
    """Picks the best method for the data and the family, and says which. ``seed`` goes to the
    method it picks."""

    name = "auto"
    default_threshold = 0.5
    evidence_columns = ("evidence",)
    rule_decides = True
    summary = "picks for the data and the family, and says which"
    fit_columns = ()

    def __init__(self, seed: int = DEFAULT_SEED) -> None:
        self.seed = seed

    def fit(
        self, postings: pd.DataFrame, family: Family, labels: pd.DataFrame | None = None
    ) -> Self:
        inner: Method
        known = self.context.has_descriptions if self.context is not None else None
        described = (
            has_descriptions(postings)
            if "description" in postings.columns or known is None
            else known
        )
        if family.keywords and described:
            inner, why = HybridMethod(), "descriptions and a keyword rule"
        elif family.keywords:
            inner, why = KeywordMethod(), "titles only, and a keyword rule"
        else:
            inner, why = (
                BootstrapMethod(seed=self.seed),
                "no keyword rule: the anchor phrases as a rule, grown by a head",
            )
        if self.context is not None:
            inner.use(self.context)
        self.inner_ = inner.fit(postings, family, labels)
        self.why_ = why
        return self

    @property
    def decided_by(self) -> Method:
        return self.inner_ if hasattr(self, "inner_") else self

    def score(self, postings: pd.DataFrame) -> pd.DataFrame:
        inner = self.inner_.score(postings)
        first = self.inner_.evidence_columns[0]
        return pd.DataFrame(
            {"score": inner["score"], "evidence": inner[first].astype(str)}, index=postings.index
        )

    def rule_hits(self, titles: pd.Series) -> np.ndarray | None:
        return self.inner_.rule_hits(titles)

    def grown_phrases(self) -> dict[str, str]:
        return self.inner_.grown_phrases()

    def reads(self) -> tuple[str, ...] | None:
        return self.inner_.reads() if hasattr(self, "inner_") else None

    def fitted_threshold(self) -> float | None:
        return self.inner_.fitted_threshold()

    def explain(self, row: pd.Series) -> str:
        return f"{self.inner_.name} (picked for {self.why_}): {self.inner_.explain(row)}"

    def describe(self) -> str:
        inner = self.inner_.describe()
        return f"picked {self.inner_.name}: {self.why_}" + (f" ({inner})" if inner else "")

    def params(self) -> dict[str, Any]:
        if not hasattr(self, "inner_"):
            return {"seed": self.seed}
        return {"picked": self.inner_.name, "why": self.why_, **self.inner_.params()}
