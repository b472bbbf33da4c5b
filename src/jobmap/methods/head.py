"""Learned methods on the title embeddings.

* ``head``: a logistic-regression head on the MiniLM title embeddings (setfit's "body + head"),
  trained on labelled examples: the family's ``positives``/``negatives``, the labels passed to
  ``fit`` (``evaluate`` passes the training folds), and, when a family has neither, pseudo-labels
  bootstrapped from its anchor phrases (titles with a phrase are positives, the titles least like
  them are negatives).
* ``knn``: label propagation by the k nearest labelled examples, similarity-weighted.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from jobmap.config import DEFAULT_SEED
from jobmap.embeddings import EmbeddingEngine
from jobmap.errors import ConfigError
from jobmap.families import Family
from jobmap.methods.base import Method
from jobmap.methods.keywords import compile_phrases, keyword_hits
from jobmap.metrics import f1_best_threshold
from jobmap.texts import TITLE_PREFIX, clean


def training_set(family: Family, labels: pd.DataFrame | None) -> tuple[list[str], np.ndarray, str]:
    """Titles and 0/1 targets to learn from, and where they came from."""
    ins, outs = family.examples_in(), family.examples_out()
    titles: list[str] = list(ins) + list(outs)
    target = [1] * len(ins) + [0] * len(outs)
    source = "family examples" if titles else ""
    if labels is not None and len(labels):
        titles += [clean(t) for t in labels["title"]]
        target += labels["label"].astype(int).tolist()
        source = (source + " + " if source else "") + f"{len(labels):,} labels"
    return titles, np.asarray(target), source


def bootstrap_set(
    family: Family, vecs: np.ndarray, titles: np.ndarray, seed: int
) -> tuple[list[str], np.ndarray]:
    """Pseudo-labels from anchor phrases alone: titles with a phrase are positives; the titles
    least similar to them (below the 70th percentile of similarity) are negatives."""
    rule = compile_phrases(family.keywords or family.anchors)
    hits, _ = keyword_hits(pd.Series(titles), rule, compile_phrases(family.exclude))
    if not hits.any():
        return [], np.zeros(0)
    centroid = vecs[hits].mean(axis=0)
    sims = vecs @ (centroid / np.linalg.norm(centroid))
    cut = np.quantile(sims[~hits], 0.7) if (~hits).any() else -1.0
    pool = np.flatnonzero(~hits & (sims <= cut))
    rng = np.random.default_rng(seed)
    neg = rng.choice(pool, size=min(len(pool), max(200, 5 * int(hits.sum()))), replace=False)
    pos = np.flatnonzero(hits)
    chosen = np.concatenate([pos, neg])
    return titles[chosen].tolist(), np.concatenate([np.ones(len(pos)), np.zeros(len(neg))])


def distinct_titles(
    postings: pd.DataFrame, engine: EmbeddingEngine, prefix: str
) -> tuple[np.ndarray, np.ndarray]:
    """The distinct cleaned titles of the postings (sorted) and their embeddings."""
    uniq = np.unique(np.asarray([clean(t) for t in postings["title"]], dtype=object))
    return uniq, engine.embed([prefix + t for t in uniq], desc="embedding titles")


def add_bootstrap(
    titles: list[str],
    target: np.ndarray,
    postings: pd.DataFrame,
    family: Family,
    engine: EmbeddingEngine,
    prefix: str,
    seed: int,
) -> tuple[list[str], np.ndarray]:
    """``titles``/``target`` plus pseudo-labels bootstrapped from the family's anchor phrases."""
    uniq, vecs = distinct_titles(postings, engine, prefix)
    boot_titles, boot_target = bootstrap_set(family, vecs, uniq, seed)
    return titles + boot_titles, np.concatenate([target, boot_target])


class TitleHead(Method):
    """What the methods with a logistic-regression head on the title embeddings share."""

    # annotated: bootstrap, a subclass, reads descriptions too
    fit_columns: ClassVar[tuple[str, ...] | None] = ()
    score_columns: ClassVar[tuple[str, ...] | None] = ()

    def __init__(
        self, C: float = 4.0, seed: int = DEFAULT_SEED, prefix: str = TITLE_PREFIX
    ) -> None:
        self.C = C
        self.seed = seed
        self.prefix = prefix

    def _model(self) -> LogisticRegression:
        return LogisticRegression(
            C=self.C, class_weight="balanced", max_iter=2000, random_state=self.seed
        )


class HeadMethod(TitleHead):
    """Probability from a logistic-regression head on the title embeddings."""

    name = "head"
    default_threshold = 0.5
    evidence_columns = ("trained_on",)
    learns_from_labels = True
    summary = "logistic regression on the title embeddings, trained on examples or labels"

    def fit(
        self, postings: pd.DataFrame, family: Family, labels: pd.DataFrame | None = None
    ) -> Self:
        titles, target, source = training_set(family, labels)
        if target.sum() == 0 or (target == 0).sum() == 0:
            titles, target = add_bootstrap(
                titles, target, postings, family, self.engine, self.prefix, self.seed
            )
            source = f"{int(target.sum()):,} anchor-phrase titles (bootstrapped)"
        if target.sum() == 0 or (target == 0).sum() == 0:
            raise ConfigError(
                f"{family.name!r} has nothing to learn from: no positives/negatives in its "
                "family file, no labels, and no title with an anchor phrase. Add examples "
                "(jobmap family add NAME --examples FILE) or other anchors."
            )
        x = self.engine.embed([self.prefix + clean(t) for t in titles], desc="embedding examples")
        self.model_ = self._model().fit(x, target)
        # The threshold is chosen on validation data: out-of-fold probabilities of the examples
        # (labelled, or pseudo-labelled from the anchors).
        self.threshold_ = self._cv_threshold(x, target)
        self.trained_on_ = f"{len(target):,} examples: {source}"
        self.n_positive_ = int(target.sum())
        return self

    def _cv_threshold(self, x: np.ndarray, target: np.ndarray) -> float | None:
        """The F1-best threshold on 3-fold out-of-fold probabilities of the training examples."""
        from sklearn.model_selection import StratifiedKFold, cross_val_predict

        if min(int(target.sum()), int((target == 0).sum())) < 3:
            return None
        folds = StratifiedKFold(3, shuffle=True, random_state=self.seed)
        oof = cross_val_predict(self._model(), x, target, cv=folds, method="predict_proba")[:, 1]
        return f1_best_threshold(oof, target)[0]

    def score(self, postings: pd.DataFrame) -> pd.DataFrame:
        x = self.engine.embed(
            [self.prefix + clean(t) for t in postings["title"]], desc="embedding titles"
        )
        proba = self.model_.predict_proba(x)[:, 1] if len(x) else np.zeros(0)
        return pd.DataFrame(
            {"score": proba.astype("float64"), "trained_on": self.trained_on_}, index=postings.index
        )

    def explain(self, row: pd.Series) -> str:
        return f"probability {row['score']:.2f} from a head trained on {self.trained_on_}"

    def params(self) -> dict[str, Any]:
        out: dict[str, Any] = {"C": self.C, "seed": self.seed}
        if hasattr(self, "trained_on_"):
            out.update({"trained_on": self.trained_on_, "positives": self.n_positive_})
        return out


class KnnMethod(Method):
    """Similarity-weighted vote of the k nearest labelled examples."""

    name = "knn"
    default_threshold = 0.5
    evidence_columns = ("nearest_example",)
    learns_from_labels = True
    summary = "similarity-weighted vote of the nearest labelled example titles"
    fit_columns = ()
    score_columns = ()

    def __init__(self, k: int = 10, prefix: str = TITLE_PREFIX, seed: int = DEFAULT_SEED) -> None:
        self.k = k
        self.prefix = prefix
        self.seed = seed

    def fit(
        self, postings: pd.DataFrame, family: Family, labels: pd.DataFrame | None = None
    ) -> Self:
        titles, target, source = training_set(family, labels)
        if target.sum() == 0:
            titles, target = add_bootstrap(
                titles, target, postings, family, self.engine, self.prefix, self.seed
            )
            source = "anchor-phrase titles (bootstrapped)"
        self.seed_titles_ = [clean(t) for t in titles]
        self.seed_target_ = target.astype(np.float64)
        self.seed_vecs_ = self.engine.embed(
            [self.prefix + t for t in self.seed_titles_], desc="embedding examples"
        )
        self.source_ = source
        return self

    def score(self, postings: pd.DataFrame) -> pd.DataFrame:
        x = self.engine.embed(
            [self.prefix + clean(t) for t in postings["title"]], desc="embedding titles"
        )
        k = min(self.k, len(self.seed_titles_))
        scores = np.zeros(len(x))
        nearest: list[str] = []
        # in float64: float32 products differ in their last bits with the number of rows, and a
        # near tie among the nearest would then be broken differently batch by batch
        seeds = self.seed_vecs_.astype(np.float64).T
        for lo in range(0, len(x), 4096):
            sims = x[lo : lo + 4096].astype(np.float64) @ seeds
            top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
            top_sims = np.clip(np.take_along_axis(sims, top, axis=1), 1e-6, None)
            votes = self.seed_target_[top]
            scores[lo : lo + len(sims)] = (top_sims * votes).sum(axis=1) / top_sims.sum(axis=1)
            best = top[np.arange(len(top)), top_sims.argmax(axis=1)]
            nearest.extend(self.seed_titles_[i] for i in best)
        return pd.DataFrame({"score": scores, "nearest_example": nearest}, index=postings.index)

    def explain(self, row: pd.Series) -> str:
        return (
            f"{row['score']:.2f} of the {self.k} nearest labelled titles (weighted) are in "
            f"the family; nearest: {row['nearest_example']!r}"
        )

    def params(self) -> dict[str, Any]:
        out: dict[str, Any] = {"k": self.k}
        if hasattr(self, "source_"):
            out.update({"examples": len(self.seed_titles_), "source": self.source_})
        return out
