"""The review head: each distinct title's probability of being in the family, which values the
queue's questions. A small logistic regression on the title embeddings, trained on the current
matches and, ten times heavier, on the answers; each title's own probability comes from folds
that did not see it. The same model, answers left out fold by fold, finds the answers it would
give the other way (the page's "check these")."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

#: An answer weighs this much more than a title's current match in the review head.
ANSWER_WEIGHT = 10.0
#: Titles sampled as the review head's pseudo-negatives, at most.
MAX_PSEUDO = 20_000
#: Folds of the review head's out-of-fold probabilities.
OOF_FOLDS = 3


def review_head(
    vectors: np.ndarray,
    matched_share: np.ndarray,
    settled: np.ndarray,
    yes_share: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Each title's probability of being in the family (see the module docstring)."""
    target = np.where(settled, yes_share >= 0.5, matched_share >= 0.5).astype(int)
    weight = np.where(settled, ANSWER_WEIGHT, 1.0)
    if target.min() == target.max():
        return matched_share.astype(float)
    idx = np.arange(len(target))
    negatives = np.flatnonzero((target == 0) & ~settled)
    if len(negatives) > MAX_PSEUDO:
        keep = rng.choice(negatives, MAX_PSEUDO, replace=False)
        idx = np.concatenate([np.flatnonzero((target == 1) | settled), keep])
    # not class-balanced: its probabilities value the questions, so they must be calibrated
    model = LogisticRegression(C=4.0, max_iter=1000)
    model.fit(vectors[idx], target[idx], sample_weight=weight[idx])
    p = np.asarray(model.predict_proba(vectors)[:, 1], dtype=float)
    # A title's own probability comes from folds that did not see it (out of fold): a match
    # that its neighbours do not explain ("AI District 23 - Store Hourly" among the store
    # jobs) then looks doubtful, and is asked about, instead of vouching for itself.
    if min(np.bincount(target[idx], minlength=2)) >= OOF_FOLDS:
        folds = StratifiedKFold(OOF_FOLDS, shuffle=True, random_state=0)
        for train, held in folds.split(idx, target[idx]):
            # from the whole fit's solution: a fold differs from it by a third of the titles
            fold = LogisticRegression(C=4.0, max_iter=1000, warm_start=True)
            fold.coef_, fold.intercept_ = model.coef_.copy(), model.intercept_.copy()
            fold.fit(vectors[idx[train]], target[idx[train]], sample_weight=weight[idx[train]])
            p[idx[held]] = fold.predict_proba(vectors[idx[held]])[:, 1]
    return p


def disagreements(
    vectors: np.ndarray,
    settled: np.ndarray,
    yes_share: np.ndarray,
    matched_share: np.ndarray,
    rng: np.random.Generator,
    folds: int = 5,
) -> list[tuple[int, float]]:
    """Settled titles whose answer disagrees with what the review head predicts for them when
    their own answers are left out (out of fold), surely (a probability at least 0.25 from
    0.5): (title, that probability), the surest first."""
    done = np.flatnonzero(settled)
    if len(done) < 2 * folds:
        return []
    yes = yes_share >= 0.5
    pseudo = np.flatnonzero(~settled)
    if len(pseudo) > 4000:
        pseudo = rng.choice(pseudo, 4000, replace=False)
    order = rng.permutation(done)
    out = []
    for f in range(folds):
        held = order[f::folds]
        train = np.concatenate([np.setdiff1d(done, held), pseudo])
        y = np.where(settled[train], yes[train], matched_share[train] >= 0.5).astype(int)
        if y.min() == y.max():
            continue
        w = np.where(settled[train], ANSWER_WEIGHT, 1.0)
        model = LogisticRegression(C=4.0, class_weight="balanced", max_iter=1000)
        model.fit(vectors[train], y, sample_weight=w)
        prob = model.predict_proba(vectors[held])[:, 1]
        for i, pr in zip(held, prob, strict=True):
            if (pr >= 0.5) != bool(yes[i]) and abs(pr - 0.5) >= 0.25:
                out.append((int(i), float(pr)))
    return sorted(out, key=lambda r: -abs(r[1] - 0.5))


__all__ = ["ANSWER_WEIGHT", "MAX_PSEUDO", "OOF_FOLDS", "disagreements", "review_head"]
