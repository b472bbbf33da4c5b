"""One pipeline for every run: settings -> load -> family and method -> fit -> score -> threshold.

``find``, ``evaluate`` (once per fold), ``report`` and the review page all call it; none of them
re-implements a step. Fitted methods are cached whole (not bare scores), keyed by the data's content
hash, the family's definition, the method's parameters, the labels it learned from and the jobmap
code that fitted it, so a run served from the cache still explains every posting and a changed
method never serves stale results.

>>> from jobmap.config import Settings
>>> pipe = Pipeline(Settings.build("ml-ai", method="keywords", progress=False))
>>> result = pipe.run()
>>> result.method.name, len(result.scores) == len(pipe.dataset.postings)
('keywords', True)
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jobmap._version import __version__, code_fingerprint
from jobmap.answers import Answer, AnswerStore, resolve, resolve_answers_path, subject
from jobmap.config import Settings
from jobmap.data import Dataset, load
from jobmap.families import Family, get_family, with_answers
from jobmap.methods import Method, MethodContext, make_method, method_class
from jobmap.methods.base import load_model, save_model
from jobmap.methods.evidence import Evidence

#: How sure the coder must be of a posting's occupation for a family by occupation to take it.
#: Chosen on a security family (benchmarks/gold/security-linkedin-2023.csv): its four O*NET
#: occupations alone find postings at precision 0.98 / recall 0.20 with 0.5, 0.88 / 0.49 with
#: 0.3 (the coder's least confidence on a coded posting is about 0.3).
OCCUPATION_CONFIDENCE = 0.3


def occupation_score(confidence: np.ndarray, threshold: float) -> np.ndarray:
    """The score a posting coded to one of the family's occupations gets at least: above the
    threshold by half the way to 1, times the coder's confidence (so that occupation matches
    rank by how sure the coder is, and a higher threshold keeps the surest)."""
    return threshold + (1.0 - threshold) * 0.5 * np.asarray(confidence, dtype=float)


def choose_threshold(
    threshold: float | None, family: Family, method: str, fitted: float | None, default: float
) -> tuple[float, str]:
    """The threshold and where it came from: the user's, the family's calibrated one, one the
    method learned without labels, or the method's default."""
    if threshold is not None:
        return float(threshold), "given"
    if method in family.thresholds:
        return family.thresholds[method], "family"
    if fitted is not None:
        return fitted, "fitted"
    return default, "method default"


def labels_digest(labels: pd.DataFrame | None) -> str | None:
    """A content hash of labelled postings (what a learned method was trained on)."""
    if labels is None:
        return None
    cols = [c for c in ("job_id", "title", "label") if c in labels.columns]
    hashed = pd.util.hash_pandas_object(labels[cols].reset_index(drop=True), index=False)
    return hashlib.sha256(hashed.to_numpy().tobytes()).hexdigest()[:20]


@dataclass
class Scored:
    """What one pass of the pipeline gives: the fitted method, the scores of every posting (in
    the postings' order), the threshold and where it came from."""

    method: Method
    scores: pd.DataFrame
    threshold: float
    threshold_from: str
    fit_key: str
    from_cache: bool
    embedding: dict[str, Any]
    #: Each posting's answer ("yes", "no", or missing): an answered posting is decided by it.
    answered: pd.Series
    #: Each posting's score as the method gives it, before an answer sets it to 1 or 0 (what the
    #: model says of an answered posting; it has learned from the answers).
    model_score: np.ndarray

    @property
    def match(self) -> np.ndarray:
        """Which postings match: by their answer where they have one, else by the threshold."""
        return decided_match(self.scores["score"].to_numpy(), self.answered, self.threshold)


def decided_match(score: np.ndarray, answered: pd.Series, threshold: float) -> np.ndarray:
    """Matches at ``threshold``, an answered posting decided by its answer."""
    decided = answered.notna().to_numpy(dtype=bool)
    yes = (answered == "yes").fillna(False).to_numpy(dtype=bool)
    return np.where(decided, yes, score >= threshold)


class Pipeline:
    """The run of one method of one family on one dataset, as ``settings`` say.

    ``dataset``, ``family`` and ``context`` may be passed in when a caller runs several pipelines
    on the same data (evaluate compares methods; the review page re-fits): the data is then read
    once and one embedding engine serves them all.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        dataset: Dataset | None = None,
        family: Family | None = None,
        context: MethodContext | None = None,
    ) -> None:
        self.settings = settings
        self._dataset = dataset
        self._family = family
        self._context = context
        #: How many postings the family's occupations added in the last :meth:`run`.
        self.occupations_added = 0

    @cached_property
    def base_family(self) -> Family:
        """The family as its file defines it; one given by occupations alone has their O*NET
        titles as its anchor phrases (every method then has a rule to start from)."""
        family = self._family or get_family(self.settings.family, self.settings.families)
        if family.occupations:
            from jobmap.knowledge.coder import check_occupations, occupation_phrases

            check_occupations(family.occupations, f"family {family.name!r}: occupations")
            if not family.anchors:
                # the occupations' titles as its rule: auto then uses the rule (a method that
                # learns from the rule's titles would have none where no title names them)
                phrases = tuple(occupation_phrases(family.occupations))
                family = dataclasses.replace(
                    family, anchors=phrases, keywords=family.keywords or phrases
                )
        return family

    @cached_property
    def coded(self) -> pd.DataFrame:
        """Every posting's occupation (:func:`jobmap.knowledge.coded.code_dataset`, cached)."""
        from jobmap.knowledge.coded import coded_for

        return coded_for(self.dataset, self.settings, self.context.engine())

    def occupation_confidence(self, family: Family | None = None) -> np.ndarray:
        """Each posting's coded confidence where it is coded, with at least
        ``OCCUPATION_CONFIDENCE``, to one of the family's occupations; 0 elsewhere."""
        family = family or self.family
        n = self.dataset.rows("postings")
        if not family.occupations:
            return np.zeros(n, dtype=float)
        from jobmap.knowledge.coder import soc_matches

        coded = self.coded
        prefixes = tuple(family.occupations)
        inside = np.array([soc_matches(c, prefixes) for c in coded["occupation_code"]], bool)
        confidence = coded["confidence"].to_numpy(dtype=float)
        return np.where(inside & (confidence >= OCCUPATION_CONFIDENCE), confidence, 0.0)

    def apply_occupations(
        self, scores: pd.DataFrame, method: Method, threshold: float
    ) -> tuple[pd.DataFrame, int]:
        """Scores where a posting coded to one of the family's occupations matches: its score is
        raised above the threshold by the coder's confidence (:func:`occupation_score`), and where
        that raised it, its first evidence column says
        "occupation: Information Security Analysts (title matches O*NET 'Red Team Member')".
        Returns the scores and how many postings the occupations added."""
        confidence = self.occupation_confidence()
        if not confidence.any():
            return scores, 0
        score = scores["score"].to_numpy(dtype=float)
        raised = occupation_score(confidence, threshold)
        added = (confidence > 0) & (score < raised)
        if not added.any():
            return scores, 0
        newly = int(((confidence > 0) & (score < threshold)).sum())
        scores = scores.copy()
        scores.loc[added, "score"] = raised[added]
        if method.evidence_columns:
            column = method.evidence_columns[0]
            coded = self.coded
            scores[column] = scores[column].astype(object)
            scores.loc[added, column] = [
                Evidence.occupation(t, w).text()
                for t, w in zip(
                    coded.loc[added, "occupation_title"], coded.loc[added, "why"], strict=True
                )
            ]
        return scores, newly

    @cached_property
    def answers(self) -> list[Answer]:
        """The family's answers standing now (none when the settings say not to use them, or
        when there is no answers database yet)."""
        s = self.settings
        if not s.use_answers:
            return []
        path = resolve_answers_path(s.answers)
        if not path.is_file():
            return []
        return AnswerStore(path).current(self.base_family.name)

    @cached_property
    def family(self) -> Family:
        """The family as its answers refine it (:func:`jobmap.families.with_answers`)."""
        return with_answers(self.base_family, self.answers)

    def apply_answers(
        self, scores: pd.DataFrame, postings: pd.DataFrame, method: Method
    ) -> tuple[pd.DataFrame, pd.Series]:
        """Scores where an answered posting is decided by its answer: score 1 or 0, and its
        first evidence column says "answered: yes" (or no). Returns the scores and each
        posting's answer (missing where none)."""
        family = self.family
        # what a families file says a person answered: phrases no, titles yes or no (a page's
        # export finds what the page found, without its answers database)
        rejected = [
            Answer(f"phrase:{phrase}", "no", phrase, False, -1, "family")
            for phrase in family.rejected
        ]
        rejected += [
            Answer(subject("title", title), said, title, False, -1, "family")
            for said, titles in (("yes", family.titles_in), ("no", family.titles_out))
            for title in titles
        ]
        guarded = method.rule_hits(postings["title"]) if (rejected or self.answers) else None
        answers = self.answers
        if guarded is not None:
            # a phrase answered yes is in the method's rule now (with_answers put it there): the
            # rule decides its postings, as it does from a families file, and a kept term ("AI")
            # confirms the term, not each of its postings as an answer
            answers = [a for a in answers if not (a.kind == "phrase" and a.answer == "yes")]
        answered = resolve([*rejected, *answers], postings, family.rule_phrases(), guarded)
        answered.index = scores.index
        if answered.notna().any():
            scores = scores.copy()
            yes = (answered == "yes").fillna(False).to_numpy(dtype=bool)
            no = (answered == "no").fillna(False).to_numpy(dtype=bool)
            scores.loc[yes, "score"] = 1.0
            scores.loc[no, "score"] = 0.0
            if method.evidence_columns:
                column = method.evidence_columns[0]
                scores[column] = scores[column].astype(object)
                scores.loc[yes, column] = Evidence.answered("yes").text()
                scores.loc[no, column] = Evidence.answered("no").text()
        return scores, answered

    @property
    def dataset(self) -> Dataset:
        if self._dataset is None:
            s = self.settings
            self._dataset = load(
                s.data,
                columns=dict(s.columns),
                cache_dir=s.cache_dir,
                encoding=s.encoding,
                progress=s.progress,
                stream_bytes=s.stream_bytes,
            )
        return self._dataset

    @property
    def context(self) -> MethodContext:
        if self._context is None:
            self._context = MethodContext.from_settings(self.settings)
        if self._dataset is not None:
            self._context.data_key = self._dataset.key
            self._context.has_descriptions = self._dataset.has_descriptions
        return self._context

    def new_method(self) -> Method:
        """The method the settings name, with its options (an option it does not take is an
        error) and the run's context injected."""
        s = self.settings
        return make_method(s.method, seed=s.seed, **dict(s.options)).use(self.context)

    def check(self) -> None:
        """Everything that can fail before the data is read: the family and the method."""
        _ = self.base_family
        self.new_method()

    # -- fitting, with the cache of fitted methods ---------------------------------------------

    def fit_key(self, method: Method, labels: pd.DataFrame | None = None) -> str:
        """What a fit depends on: the data's content, the family's definition (not its thresholds
        or the file it came from: a threshold is chosen after scoring), the method and its
        parameters, the embedding model, the labels, and jobmap's code."""
        definition = dataclasses.asdict(self.family)
        del definition["thresholds"], definition["origin"]
        s = self.settings
        ident = {
            "data": self.dataset.key,
            "family": definition,
            "method": method.name,
            "params": method.get_params(),
            "model": s.model,
            "backend": s.backend,
            "labels": labels_digest(labels),
            "version": __version__,
            "code": code_fingerprint(),
        }
        return hashlib.sha256(json.dumps(ident, sort_keys=True, default=str).encode()).hexdigest()[
            :24
        ]

    def _fit_path(self, key: str) -> Path:
        return self.settings.cache_dir / "fits" / f"{key}.joblib"

    def _load_fit(self, key: str) -> dict[str, Any] | None:
        entry = load_model(self._fit_path(key))  # a damaged or stale entry only costs a refit
        if entry is None or not isinstance(entry.get("method"), Method):
            return None
        return entry

    def _save_fit(self, key: str, entry: dict[str, Any]) -> None:
        save_model(self._fit_path(key), entry)

    def fit(self, labels: pd.DataFrame | None = None, *, use_cache: bool = True) -> Method:
        """A method fitted on the dataset's postings and ``labels``, from the cache when this
        data, family, method, labels and code were fitted before."""
        return self._fit(labels, use_cache=use_cache)[0]

    def _fit(
        self, labels: pd.DataFrame | None, *, use_cache: bool, keep_scores: bool = False
    ) -> tuple[Method, str, dict[str, Any], bool]:
        """The fitted method, its cache key, its cache entry (with the postings' scores when
        ``keep_scores``) and whether the entry came from the cache."""
        _ = self.dataset
        method = self.new_method()
        key = self.fit_key(method, labels)
        cached = self._load_fit(key) if use_cache else None
        if cached is not None:
            return cached["method"].use(self.context), key, cached, True
        fit_on = self._columns(method.fit_columns)
        prefix = getattr(method, "prefix", None)
        if self.settings.engine == "ray" and isinstance(prefix, str):
            # the titles embedded on the cluster, each distinct one once, before the fit reads
            # them from the cache
            from jobmap.engines import raydata

            raydata.embed_titles(fit_on["title"], prefix, self.context.engine(), self.settings)
        method.fit(fit_on, self.family, labels)
        entry: dict[str, Any] = {"method": method, "embedding": self.context.manifest()}
        if keep_scores:
            entry["scores"] = self.score(method)
        if use_cache:
            self._save_fit(key, entry)
        return method, key, entry, False

    def _columns(self, extra: tuple[str, ...] | None) -> pd.DataFrame:
        """The postings' ``job_id``, ``title`` and ``extra`` columns (every column with None)."""
        if extra is None:
            return self.dataset.postings
        return self.dataset.read(["job_id", "title", *extra])

    def score(self, method: Method, postings: pd.DataFrame | None = None) -> pd.DataFrame:
        """``method``'s scores of ``postings`` in their order (default: the dataset's, read and
        scored in batches of ``settings.batch_rows`` rows, so that memory depends on the batch,
        not on the data; a method scores a batch as it scores the whole, see :class:`Method`)."""
        if postings is not None:
            return method.score(postings)
        ds = self.dataset
        if self.settings.engine == "ray":
            from jobmap.engines import raydata

            return raydata.score(ds, method, self.settings, self.context)
        extra = method.reads()
        columns = None if extra is None else ["job_id", "title", *extra]
        n, rows = ds.rows("postings"), self.settings.batch_rows
        batches = ds.batches(columns, rows=rows)
        if n > rows and self.settings.progress:
            from tqdm.auto import tqdm

            batches = tqdm(batches, total=-(-n // rows), desc="scoring", unit="batch", leave=False)
        parts = [method.score(batch) for batch in batches]
        scores = pd.concat(parts) if len(parts) != 1 else parts[0]
        return scores.set_axis(pd.RangeIndex(len(scores)), axis=0)

    def threshold(self, method: Method) -> tuple[float, str]:
        """The threshold of this run (see :func:`choose_threshold`)."""
        return choose_threshold(
            self.settings.threshold,
            self.family,
            method.name,
            method.fitted_threshold(),
            method.default_threshold,
        )

    def run(self, *, use_cache: bool = True) -> Scored:
        """Fit on the whole dataset and score every posting: the core of ``find``."""
        self.check()
        method, key, entry, from_cache = self._fit(None, use_cache=use_cache, keep_scores=True)
        if "scores" in entry:
            scores = entry["scores"]
            scores.index = pd.RangeIndex(len(scores))
        else:  # a fit cached without its scores (by evaluate): score now, and keep them
            scores = self.score(method)
            if use_cache:
                self._save_fit(key, {**entry, "scores": scores})
        embedding = (
            {**entry["embedding"], "fit_from_cache": True}
            if from_cache
            else self.context.manifest()
        )
        cut, cut_from = self.threshold(method)
        model_score = scores["score"].to_numpy(dtype=float, copy=True)
        scores, self.occupations_added = self.apply_occupations(scores, method, cut)
        scores, answered = self.apply_answers(scores, self._columns(()), method)
        return Scored(
            method, scores, cut, cut_from, key, from_cache, embedding, answered, model_score
        )


def learns_from_labels(method: str) -> bool:
    """Whether the method called ``method`` learns from labels (see :class:`Method`)."""
    return method_class(method).learns_from_labels


__all__ = [
    "Pipeline",
    "Scored",
    "choose_threshold",
    "decided_match",
    "labels_digest",
    "learns_from_labels",
    "occupation_score",
]
