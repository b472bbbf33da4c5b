"""Method (b) of the notebook: clusters of the shared title embeddings.

Algorithms: k-means (``k`` fixed, or ``"auto"``: the K of best silhouette on a sample, with the
curve recorded) and HDBSCAN (density-based: no K; on a 20-dimensional PCA of the vectors, as
BERTopic reduces before HDBSCAN; points in no dense group are noise, cluster -1). Clustering runs
on the distinct titles, weighted by how often each occurs. The family's clusters are the one its
probe text falls in and those that hold at least ``anchor_share`` of its anchors (titles with an
anchor phrase); a posting's score is its cosine similarity to the nearest family-cluster centroid.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import pandas as pd
from sklearn.cluster import HDBSCAN, KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import silhouette_score
from tqdm.auto import tqdm

from jobmap.config import DEFAULT_SEED
from jobmap.errors import ConfigError
from jobmap.families import Family
from jobmap.methods.base import Method, load_model, save_model
from jobmap.metrics import f1_best_threshold
from jobmap.texts import TITLE_PREFIX, clean, substring_in

K_GRID = (10, 20, 30, 40, 60, 80, 100)
HDBSCAN_DIMS = 20
SILHOUETTE_SAMPLE = 4000
CENTRAL_TITLES = 3


def _normalise(m: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(n == 0, 1.0, n)


def membership_threshold(scores: np.ndarray, member: np.ndarray, weights: np.ndarray) -> float:
    """The score cut that best reproduces cluster membership (highest F1 of score >= cut against
    "in a family cluster", postings weighted): a label-free default threshold."""
    return f1_best_threshold(scores, member, weights)[0]


class ClusterMethod(Method):
    """Similarity to the centroids of the clusters where the family's probe and anchors fall."""

    name = "cluster"
    default_threshold = 0.7  # used only before fit; fit learns threshold_ (see fitted_threshold)
    evidence_columns = ("cluster", "family_cluster")
    summary = "the notebook's method (b): similarity to the family's clusters of title embeddings"
    fit_columns = ()
    score_columns = ()

    def __init__(
        self,
        algorithm: str = "kmeans",
        k: int | str = 30,
        seed: int = DEFAULT_SEED,
        min_cluster_size: int = 10,
        anchor_share: float = 0.2,
        prefix: str = TITLE_PREFIX,
    ) -> None:
        self.algorithm = algorithm
        self.k = k
        self.seed = seed
        self.min_cluster_size = min_cluster_size
        self.anchor_share = anchor_share
        self.prefix = prefix

    def _config(self) -> dict[str, Any]:
        return {
            "algorithm": self.algorithm,
            "k": self.k,
            "seed": self.seed,
            "min_cluster_size": self.min_cluster_size,
        }

    def _pick_k(
        self, vecs: np.ndarray, weights: np.ndarray, progress: bool
    ) -> tuple[int, list[tuple[int, float]]]:
        rng = np.random.default_rng(self.seed)
        n = len(vecs)
        grid = [k for k in K_GRID if k < n]
        if not grid:
            raise ConfigError(f"--k auto needs more than {K_GRID[0]} distinct titles; got {n}.")
        sample = rng.choice(n, size=min(SILHOUETTE_SAMPLE, n), replace=False)
        curve = []
        for k in tqdm(grid, desc="choosing K (silhouette)", disable=not progress, leave=False):
            km = KMeans(n_clusters=k, n_init=1, random_state=self.seed).fit(
                vecs, sample_weight=weights
            )
            labels = km.labels_[sample]
            score = (
                silhouette_score(vecs[sample], labels, metric="cosine")
                if len(set(labels)) > 1
                else -1.0
            )
            curve.append((k, float(score)))
        best = max(curve, key=lambda kv: kv[1])[0]
        return best, curve

    def _cluster(self, vecs: np.ndarray, weights: np.ndarray, progress: bool) -> dict[str, Any]:
        curve: list[tuple[int, float]] = []
        if self.algorithm == "kmeans":
            if self.k == "auto":
                k, curve = self._pick_k(vecs, weights, progress)
            else:
                k = int(self.k)
                if k < 2 or k >= len(vecs):
                    raise ConfigError(
                        f"--k {k}: give 2 to {len(vecs) - 1} (the distinct titles "
                        "less one), or auto."
                    )
            km = KMeans(n_clusters=k, n_init=1, random_state=self.seed)
            labels = km.fit(vecs, sample_weight=weights).labels_
        elif self.algorithm == "hdbscan":
            dims = min(HDBSCAN_DIMS, vecs.shape[1], max(2, len(vecs) - 1))
            reduced = PCA(n_components=dims, random_state=self.seed).fit_transform(vecs)
            # "leaf" keeps the many small dense groups (a job family is one of them); the default
            # "eom" merges these title embeddings into two or three huge clusters.
            labels = (
                HDBSCAN(
                    min_cluster_size=self.min_cluster_size,
                    cluster_selection_method="leaf",
                    copy=True,
                )
                .fit(reduced)
                .labels_
            )
            if (labels >= 0).sum() == 0:
                raise ConfigError(
                    "HDBSCAN found no cluster (everything is noise): lower "
                    "--min-cluster-size or use --algorithm kmeans."
                )
        else:
            raise ConfigError(f"--algorithm {self.algorithm!r}: choose kmeans or hdbscan.")
        ids = sorted(int(c) for c in set(labels.tolist()) if c >= 0)
        centroids = _normalise(
            np.vstack(
                [np.average(vecs[labels == c], axis=0, weights=weights[labels == c]) for c in ids]
            )
        )
        return {"labels": labels, "cluster_ids": ids, "centroids": centroids, "curve": curve}

    def fit(
        self, postings: pd.DataFrame, family: Family, labels: pd.DataFrame | None = None
    ) -> Self:
        titles = [clean(t) for t in postings["title"].tolist()]
        uniq, counts = np.unique(np.asarray(titles, dtype=object), return_counts=True)
        vecs = self.engine.embed([self.prefix + t for t in uniq], desc="embedding titles")
        weights = counts.astype(np.float64)
        context = self._context()
        # Keyed by the data's content (and the parameters and code), never by its length.
        path = context.model_file(self.name, self._config())
        state = load_model(path)
        self.from_cache_ = state is not None
        if state is None:
            state = self._cluster(vecs, weights, context.progress)
            save_model(path, state)
        self.model_path_ = path
        assigned = np.asarray(state["labels"])
        self.cluster_ids_ = list(state["cluster_ids"])
        self.centroids_ = np.asarray(state["centroids"])
        self.k_curve_ = list(state["curve"])
        self.title_cluster_ = dict(zip(uniq.tolist(), assigned.tolist(), strict=True))
        self.unique_titles_ = uniq
        self.unique_clusters_ = assigned
        self.unique_vectors_ = vecs
        self.unique_counts_ = counts

        probe = family.probe or (family.examples[0] if family.examples else family.anchors[0])
        probe_vec = self.engine.embed([self.prefix + probe], desc="embedding probe")[0]
        pos = int(np.argmax(self.centroids_ @ probe_vec))
        self.probe_text_ = probe
        self.probe_cluster_ = self.cluster_ids_[pos]
        is_anchor = substring_in(uniq, family.anchors)
        family_clusters = {self.probe_cluster_}
        anchor_labels = assigned[is_anchor & (assigned >= 0)]
        anchor_weights = counts[is_anchor & (assigned >= 0)]
        total = anchor_weights.sum()
        if total:
            for c in set(anchor_labels.tolist()):
                if anchor_weights[anchor_labels == c].sum() / total >= self.anchor_share:
                    family_clusters.add(int(c))
        self.family_clusters_ = sorted(family_clusters)
        self.anchor_count_ = int(counts[is_anchor].sum())
        rows = [self.cluster_ids_.index(c) for c in self.family_clusters_]
        self.family_centroids_ = self.centroids_[rows]
        scores = (vecs @ self.family_centroids_.T).max(axis=1)
        self.threshold_ = membership_threshold(
            scores, np.isin(assigned, self.family_clusters_), counts
        )
        return self

    def score(self, postings: pd.DataFrame) -> pd.DataFrame:
        titles = [clean(t) for t in postings["title"].tolist()]
        vecs = self.engine.embed([self.prefix + t for t in titles], desc="embedding titles")
        sims = vecs @ self.family_centroids_.T
        # A title seen in fit keeps its fitted cluster (HDBSCAN's noise included); a new title
        # goes to its nearest centroid.
        own = np.asarray([self.title_cluster_.get(t, -2) for t in titles], dtype=np.int64)
        new = own == -2
        if new.any():
            nearest = np.argmax(vecs[new] @ self.centroids_.T, axis=1)
            own[new] = np.asarray(self.cluster_ids_)[nearest]
        return pd.DataFrame(
            {
                "score": sims.max(axis=1).astype("float64"),
                "cluster": own,
                "family_cluster": np.isin(own, self.family_clusters_),
            },
            index=postings.index,
        )

    def clusters(self) -> pd.DataFrame:
        """Every cluster: its size in postings, its most central titles, and whether it is one of
        the family's (cluster -1 is HDBSCAN's noise)."""
        out = []
        for c in sorted(set(self.unique_clusters_.tolist())):
            members = np.flatnonzero(self.unique_clusters_ == c)
            if c >= 0:
                centroid = self.centroids_[self.cluster_ids_.index(c)]
                order = members[np.argsort(-(self.unique_vectors_[members] @ centroid))]
            else:
                order = members[np.argsort(-self.unique_counts_[members])]
            out.append(
                {
                    "cluster": int(c),
                    "postings": int(self.unique_counts_[members].sum()),
                    "titles": len(members),
                    "family": c in self.family_clusters_,
                    "central_titles": " | ".join(self.unique_titles_[order[:CENTRAL_TITLES]]),
                }
            )
        return pd.DataFrame(out).sort_values("postings", ascending=False).reset_index(drop=True)

    def explain(self, row: pd.Series) -> str:
        where = "in" if row["family_cluster"] else "outside"
        return (
            f"cosine {row['score']:.3f} to the nearest family cluster centroid; the posting is "
            f"{where} the family's clusters {self.family_clusters_} (its own: {row['cluster']})"
        )

    def describe(self) -> str:
        return f"clusters {self.family_clusters_} of {len(self.cluster_ids_)}"

    def params(self) -> dict[str, Any]:
        out: dict[str, Any] = {**self._config(), "anchor_share": self.anchor_share}
        if hasattr(self, "family_clusters_"):
            out.update(
                {
                    "clusters": len(self.cluster_ids_),
                    "k_curve": [{"k": k, "silhouette": round(s, 4)} for k, s in self.k_curve_],
                    "probe_text": self.probe_text_,
                    "probe_cluster": self.probe_cluster_,
                    "family_clusters": self.family_clusters_,
                    "anchor_postings": self.anchor_count_,
                    "membership_threshold": round(self.threshold_, 4),
                    "model_file": str(self.model_path_) if self.model_path_ else None,
                    "model_from_cache": self.from_cache_,
                }
            )
        return out
