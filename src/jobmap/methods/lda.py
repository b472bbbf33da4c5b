"""Method (a) of the notebook: an LDA topic model over title + description.

Tokens as :mod:`jobmap.texts.tokens` makes them; the dictionary filtered as the notebook did
(words in at least 5 postings and at most half of them, the 5,000 most frequent); 30 topics, 10
passes, 50 iterations per document. The family's topic is the one its probe text lands in ("Machine
Learning Engineer" for ml-ai); a posting's score is that topic's probability in it.

scikit-learn's online variational Bayes (the algorithm of gensim's LdaMulticore, with gensim's
learning-rate schedule and priors) is used instead of gensim: no extra dependency, the estimator
contract, and one process that is reproducible with a seed (LdaMulticore's workers are not).
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import pandas as pd
from sklearn.decomposition import LatentDirichletAllocation
from sklearn.feature_extraction.text import CountVectorizer
from tqdm.auto import tqdm

from jobmap.config import DEFAULT_SEED
from jobmap.errors import ConfigError
from jobmap.families import Family
from jobmap.methods.base import Method, load_model, save_model
from jobmap.texts import has_descriptions
from jobmap.texts.tokens import posting_tokens, tokenize

TOKEN_BATCH = 2000
TOP_WORDS = 10


def _identity(doc: list[str]) -> list[str]:
    return doc


def tokens_with_progress(postings: pd.DataFrame, progress: bool) -> list[list[str]]:
    """Tokens of every posting, batch by batch, with a progress bar."""
    out: list[list[str]] = []
    with tqdm(
        total=len(postings), desc="tokenising", unit="posting", disable=not progress, leave=False
    ) as bar:
        for lo in range(0, len(postings), TOKEN_BATCH):
            batch = postings.iloc[lo : lo + TOKEN_BATCH]
            out.extend(posting_tokens(batch))
            bar.update(len(batch))
    return out


class LdaMethod(Method):
    """Probability of the family's topic in each posting."""

    name = "lda"
    default_threshold = 0.8
    evidence_columns = ("topic", "topic_words")
    summary = "the notebook's method (a): probability of the family's LDA topic"

    def __init__(
        self,
        n_topics: int = 30,
        passes: int = 10,
        iterations: int = 50,
        no_below: int = 5,
        no_above: float = 0.5,
        keep_n: int = 5000,
        seed: int = DEFAULT_SEED,
        probe: str | None = None,
    ) -> None:
        self.n_topics = n_topics
        self.passes = passes
        self.iterations = iterations
        self.no_below = no_below
        self.no_above = no_above
        self.keep_n = keep_n
        self.seed = seed
        self.probe = probe

    def _config(self) -> dict[str, Any]:
        return {
            "n_topics": self.n_topics,
            "passes": self.passes,
            "iterations": self.iterations,
            "no_below": self.no_below,
            "no_above": self.no_above,
            "keep_n": self.keep_n,
            "seed": self.seed,
        }

    def _fit_lda(self, postings: pd.DataFrame, progress: bool) -> dict[str, Any]:
        tokens = tokens_with_progress(postings, progress)
        min_df = min(self.no_below, max(1, len(postings)))
        vectorizer = CountVectorizer(
            analyzer=_identity, min_df=min_df, max_df=self.no_above, max_features=self.keep_n
        )
        try:
            counts = vectorizer.fit_transform(tokens)
        except ValueError:
            counts = None
        if counts is None or counts.shape[1] < self.n_topics or counts.nnz == 0:
            raise ConfigError(
                f"LDA found too few words: after filtering, the {len(postings):,} postings share "
                f"fewer than {self.n_topics} words (each in >= {self.no_below} postings and <= "
                f"{self.no_above:.0%} of them). Use more postings, data with descriptions, or "
                "another method (--method anchors)."
            )
        lda = LatentDirichletAllocation(
            n_components=self.n_topics,
            max_iter=self.passes,
            max_doc_update_iter=self.iterations,
            learning_method="online",
            batch_size=2000,
            learning_decay=0.5,  # gensim's schedule
            learning_offset=1.0,
            random_state=self.seed,
        )
        with tqdm(
            total=1,
            desc=f"fitting LDA ({self.n_topics} topics, {self.passes} passes)",
            disable=not progress,
            leave=False,
        ) as bar:
            doc_topic = lda.fit_transform(counts)
            bar.update(1)
        return {
            "vocabulary": vectorizer.get_feature_names_out().tolist(),
            "components": lda.components_,
            "exp_dirichlet_component": lda.exp_dirichlet_component_,
            "doc_topic": doc_topic.astype(np.float32),
            "job_ids": postings["job_id"].astype("int64").to_numpy(),
            "token_counts": np.asarray([len(t) for t in tokens]),
        }

    def _restore(self, state: dict[str, Any]) -> None:
        self.vectorizer_ = CountVectorizer(analyzer=_identity, vocabulary=state["vocabulary"])
        lda = LatentDirichletAllocation(
            n_components=self.n_topics, max_doc_update_iter=self.iterations, random_state=self.seed
        )
        lda.components_ = state["components"]
        lda.exp_dirichlet_component_ = state["exp_dirichlet_component"]
        lda.doc_topic_prior_ = 1.0 / self.n_topics
        lda.topic_word_prior_ = 1.0 / self.n_topics
        lda.n_features_in_ = len(state["vocabulary"])
        lda.n_batch_iter_ = 1
        self.lda_ = lda
        self.doc_topic_ = state["doc_topic"]
        self.fitted_ids_ = state["job_ids"]
        vocab = np.asarray(state["vocabulary"])
        order = np.argsort(-state["components"], axis=1)[:, :TOP_WORDS]
        self.topic_words_ = [", ".join(vocab[row]) for row in order]

    def fit(
        self, postings: pd.DataFrame, family: Family, labels: pd.DataFrame | None = None
    ) -> Self:
        context = self._context()
        path = context.model_file(self.name, self._config())
        state = load_model(path)
        self.from_cache_ = state is not None
        if state is None:
            state = self._fit_lda(postings, context.progress)
            save_model(path, state)
        self._restore(state)
        self.model_path_ = path
        probe = self.probe or family.probe or family.title or " ".join(family.anchors)
        dist = self.transform_tokens(tokenize([probe]))[0]
        self.probe_text_ = probe
        self.topic_ = int(np.argmax(dist))
        self.probe_probability_ = float(dist[self.topic_])
        self.has_descriptions_ = has_descriptions(postings)
        return self

    def transform_tokens(self, tokens: list[list[str]]) -> np.ndarray:
        """Topic distribution of tokenised documents (rows sum to 1)."""
        dist: np.ndarray = self.lda_.transform(self.vectorizer_.transform(tokens))
        return dist

    def topic_distribution(self, postings: pd.DataFrame, progress: bool = False) -> np.ndarray:
        """Topic distribution of each posting: from the fit when it was fitted on them."""
        ids = postings["job_id"].astype("int64").to_numpy()
        if len(ids) == len(self.fitted_ids_) and np.array_equal(ids, self.fitted_ids_):
            return np.asarray(self.doc_topic_)
        return self.transform_tokens(tokens_with_progress(postings, progress))

    def score(self, postings: pd.DataFrame) -> pd.DataFrame:
        dist = self.topic_distribution(postings)
        top = dist.argmax(axis=1)
        return pd.DataFrame(
            {
                "score": dist[:, self.topic_].astype("float64"),
                "topic": top,
                "topic_words": [self.topic_words_[t] for t in top],
            },
            index=postings.index,
        )

    def topics(self) -> pd.DataFrame:
        """Every topic: its size (fitted postings whose main topic it is), top words, and which
        is the family's."""
        main = np.bincount(np.asarray(self.doc_topic_).argmax(axis=1), minlength=self.n_topics)
        return pd.DataFrame(
            {
                "topic": np.arange(self.n_topics),
                "postings": main,
                "share": main / max(1, len(self.doc_topic_)),
                "family": np.arange(self.n_topics) == self.topic_,
                "top_words": self.topic_words_,
            }
        )

    def explain(self, row: pd.Series) -> str:
        return (
            f"probability {row['score']:.2f} of topic {self.topic_} "
            f"({self.topic_words_[self.topic_]}), where the probe {self.probe_text_!r} lands"
        )

    def describe(self) -> str:
        return f"topic {self.topic_}: {self.topic_words_[self.topic_]}"

    def params(self) -> dict[str, Any]:
        out: dict[str, Any] = {**self._config(), "probe": self.probe}
        if hasattr(self, "topic_"):
            out.update(
                {
                    "probe_text": self.probe_text_,
                    "family_topic": self.topic_,
                    "family_topic_words": self.topic_words_[self.topic_],
                    "probe_probability": round(self.probe_probability_, 4),
                    "model_file": str(self.model_path_) if self.model_path_ else None,
                    "model_from_cache": self.from_cache_,
                    "descriptions": self.has_descriptions_,
                }
            )
        return out
