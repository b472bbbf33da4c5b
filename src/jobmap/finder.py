"""``jobmap find``: score every posting of a dataset for a family, and keep the matches.

The output contract, kept by every method: one row per matching posting (or per posting with
``all=True``), with at least ``job_id, title, score, match`` and the method's evidence, sorted by
score; and a run manifest (model, method, parameters, anchors, data hash, jobmap version).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from jobmap import __version__
from jobmap._atomic import atomic_path
from jobmap.config import resolve_cache_dir
from jobmap.data import Dataset, load
from jobmap.embeddings import DEFAULT_MODEL
from jobmap.errors import ConfigError
from jobmap.families import Family, get_family
from jobmap.methods import Method, MethodContext, make_method

#: Posting columns carried into the output when the data has them.
CONTEXT_COLUMNS = ("company_name", "location", "formatted_experience_level")
OUT_SUFFIXES = (".csv", ".parquet")


def manifest_path(out: str | os.PathLike[str]) -> Path:
    """Where the manifest of an output file goes: ``m.csv`` -> ``m.manifest.json``."""
    p = Path(out)
    return p.with_name(p.stem + ".manifest.json")


def check_out(
    out: str | os.PathLike[str] | None, suffixes: tuple[str, ...] = OUT_SUFFIXES
) -> Path | None:
    """Fail before any work when ``out`` cannot be written (nothing computed is then lost)."""
    if out is None:
        return None
    p = Path(out).expanduser()
    if p.suffix.lower() not in suffixes:
        raise ConfigError(f"--out {p}: end the name in {' or '.join(suffixes)}.")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise ConfigError(f"--out {p}: the folder {parent} does not exist. Create it first.")
    if p.is_dir():
        raise ConfigError(
            f"--out {p}: is a folder. Give a file name ending in {' or '.join(suffixes)}."
        )
    for target in (p, manifest_path(p)):
        if target.exists() and not os.access(target, os.W_OK):
            raise ConfigError(f"--out {p}: {target} is not writable. Choose another path.")
    try:  # the real test: can a file be created there? (root passes os.access everywhere)
        with tempfile.NamedTemporaryFile(dir=parent, prefix=".jobmap-probe-"):
            pass
    except OSError as exc:
        raise ConfigError(
            f"--out {p}: the folder {parent} is not writable ({exc.strerror}). Choose another path."
        ) from None
    return p


def _write_atomic(df: pd.DataFrame, path: Path) -> None:
    with atomic_path(path) as tmp:
        if path.suffix.lower() == ".parquet":
            df.to_parquet(tmp, index=False)
        else:
            df.to_csv(tmp, index=False)


def _find_key(
    data_key: str, fam: Family, method: str, model: str, backend: str, args: dict[str, Any]
) -> str:
    """What a run's scores depend on: the data, the family's definition, the method and its
    arguments, the model, and jobmap's version. Not the family's thresholds or the file it came
    from: the threshold is chosen after scoring, so calibrating one keeps the cached scores."""
    definition = dataclasses.asdict(fam)
    del definition["thresholds"], definition["origin"]
    ident = {
        "data": data_key,
        "family": definition,
        "method": method,
        "model": model,
        "backend": backend,
        "args": args,
        "version": __version__,
    }
    return hashlib.sha256(json.dumps(ident, sort_keys=True, default=str).encode()).hexdigest()[:24]


def _scores_path(context: MethodContext, key: str) -> Path:
    return resolve_cache_dir(context.cache_dir) / "finds" / f"{key}.parquet"


def _load_scores(
    context: MethodContext, key: str
) -> tuple[pd.DataFrame, dict[str, Any], float | None] | None:
    """Scores of an identical earlier run, so that a report or a re-run does not score again."""
    path = _scores_path(context, key)
    meta = path.with_suffix(".json")
    if not (path.is_file() and meta.is_file()):
        return None
    try:
        info = json.loads(meta.read_text())
        context.cached_manifest = info["embedding"]
        return pd.read_parquet(path), info["params"], info["fitted_threshold"]
    except (OSError, ValueError, KeyError):
        return None


def _save_scores(
    context: MethodContext,
    key: str,
    scores: pd.DataFrame,
    params: dict[str, Any],
    fitted: float | None,
) -> None:
    path = _scores_path(context, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            scores.reset_index(drop=True).to_parquet(tmp, index=False)
        info = {
            "params": params,
            "fitted_threshold": fitted,
            "embedding": context.manifest(),
        }
        with atomic_path(path.with_suffix(".json")) as tmp:
            tmp.write_text(json.dumps(info, default=str))
    except OSError:
        pass  # the cache only saves time


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


@dataclass
class FindRun:
    """A finished run: every posting scored (``scored``), the threshold and the manifest."""

    scored: pd.DataFrame
    threshold: float
    manifest: dict[str, Any]
    method: Method
    dataset: Dataset
    family: Family

    @property
    def matches(self) -> pd.DataFrame:
        return self.scored[self.scored["match"]].reset_index(drop=True)

    def output(self, all: bool = False) -> pd.DataFrame:
        """The rows the contract asks for: matches, or every posting with ``all``."""
        df = self.scored if all else self.matches
        df = df.copy()
        df.attrs["manifest"] = self.manifest
        return df

    def summary(self, top: int = 10, around: int = 5) -> dict[str, Any]:
        """Counts, the most common matching titles, and postings just above and below the cut."""
        s = self.scored
        n, m = len(s), int(s["match"].sum())
        above = s[s["match"]].sort_values("score").head(around)
        below = s[~s["match"]].sort_values("score", ascending=False).head(around)
        titles = s.loc[s["match"], "title"].value_counts().head(top)
        return {
            "postings": n,
            "matches": m,
            "share": m / n if n else 0.0,
            "threshold": self.threshold,
            "top_titles": titles.rename_axis("title").reset_index(name="postings"),
            "just_above": above.sort_values("score", ascending=False).reset_index(drop=True),
            "just_below": below.reset_index(drop=True),
        }

    def explain(self, row: pd.Series) -> str:
        """Why a posting got its score. A run served from the score cache has no fitted method
        object: its evidence columns say it instead."""
        try:
            return self.method.explain(row)
        except AttributeError:
            evidence = ", ".join(f"{c}: {row[c]}" for c in self.method.evidence_columns)
            return f"score {row['score']:.3f} ({evidence}; from the score cache)"


def run_find(
    family: str = "ml-ai",
    data: str | os.PathLike[str] | None = None,
    *,
    method: str = "auto",
    threshold: float | None = None,
    all: bool = False,
    out: str | os.PathLike[str] | None = None,
    model: str = DEFAULT_MODEL,
    backend: str = "torch",
    device: str | None = None,
    batch_size: int = 64,
    families: str | os.PathLike[str] | None = None,
    anchors: list[str] | None = None,
    anchor_sample: int | None = None,
    seed: int = 567,
    cache_dir: str | os.PathLike[str] | None = None,
    columns: dict[str, str] | list[str] | None = None,
    encoding: str = "utf-8",
    progress: bool = True,
    options: dict[str, Any] | None = None,
    use_cache: bool = True,
) -> FindRun:
    """Score every posting and return a :class:`FindRun` (see :func:`find` for the arguments)."""
    started = time.perf_counter()
    out_path = check_out(out)
    fam = get_family(family, families)
    finder = make_method(
        method, anchors=anchors, anchor_sample=anchor_sample, seed=seed, **(options or {})
    )
    if threshold is not None and not -1.0 <= threshold <= 1.0:
        raise ConfigError(f"--threshold {threshold}: give a number between -1 and 1.")
    ds = load(data, columns=columns, cache_dir=cache_dir, encoding=encoding, progress=progress)
    postings = ds.postings
    context = MethodContext(
        data_key=ds.key,
        model=model,
        backend=backend,
        device=device,
        cache_dir=None if cache_dir is None else str(cache_dir),
        batch_size=batch_size,
        progress=progress,
    )
    key = _find_key(
        ds.key,
        fam,
        method,
        model,
        backend,
        {"anchors": anchors, "anchor_sample": anchor_sample, "seed": seed, **(options or {})},
    )
    cached = _load_scores(context, key) if use_cache else None
    if cached is not None:
        scores, params, fitted = cached
    else:
        finder.fit(postings, fam, context)
        scores = finder.score(postings)
        params, fitted = finder.params(), finder.fitted_threshold()
        if use_cache:
            _save_scores(context, key, scores, params, fitted)
    cut, cut_from = choose_threshold(threshold, fam, method, fitted, finder.default_threshold)

    keep = ["job_id", "title", *[c for c in CONTEXT_COLUMNS if c in postings.columns]]
    result = postings[keep].copy()
    result.insert(2, "score", scores["score"].round(6).to_numpy())
    result.insert(3, "match", scores["score"].to_numpy() >= cut)
    for i, column in enumerate(finder.evidence_columns):
        result.insert(4 + i, column, scores[column].to_numpy())
    result = result.sort_values(["score", "job_id"], ascending=[False, True], kind="stable")
    result = result.reset_index(drop=True)

    n_match = int(result["match"].sum())
    manifest: dict[str, Any] = {
        "jobmap_version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv) if sys.argv and "jobmap" in sys.argv[0] else None,
        "family": fam.manifest(),
        "method": method,
        "threshold": cut,
        "threshold_from": cut_from,
        "parameters": params,
        "embedding": context.manifest(),
        "data": {
            "source": ds.source,
            "kind": ds.kind,
            "key": ds.key,
            "files": ds.manifest.get("files", {}),
        },
        "counts": {"postings": len(result), "matches": n_match},
        "output": {
            "path": str(out_path) if out_path else None,
            "rows": "all" if all else "matches",
        },
        "seconds": round(time.perf_counter() - started, 2),
    }
    run = FindRun(
        scored=result, threshold=cut, manifest=manifest, method=finder, dataset=ds, family=fam
    )
    if out_path is not None:
        _write_atomic(run.output(all), out_path)
        manifest_path(out_path).write_text(json.dumps(manifest, indent=2, default=str))
    return run


def find(
    family: str = "ml-ai",
    data: str | os.PathLike[str] | None = None,
    *,
    all: bool = False,
    **kwargs: Any,
) -> pd.DataFrame:
    """Find the postings of ``family`` in ``data`` (default: the bundled sample).

    Returns a DataFrame sorted by score: ``job_id, title, score, match``, the method's evidence and
    a few posting columns; only matches unless ``all=True``. ``df.attrs["manifest"]`` holds the run
    manifest, which is also written beside ``out`` (``m.csv`` -> ``m.manifest.json``).

    Keyword arguments: ``method`` ("auto", the default; "keywords", "hybrid", "head", "knn",
    "anchors", "lda", "cluster"), ``threshold`` (default: the family's, else one the method learns
    without labels, else the method's), ``out`` (.csv or .parquet), ``model``, ``backend`` ("torch"
    or "onnx"), ``device``, ``batch_size``, ``families`` (a families file), ``anchors`` (explicit
    titles or job_ids), ``anchor_sample`` and ``seed`` (the notebook: 10000 and 567),
    ``cache_dir``, ``columns``, ``encoding``, ``progress``, ``options`` (method arguments:
    ``n_topics`` for lda; ``k``, ``algorithm`` for cluster).

    >>> import jobmap
    >>> found = jobmap.find("ml-ai", method="anchors", threshold=0.85)
    >>> list(found.columns[:5])
    ['job_id', 'title', 'score', 'match', 'nearest_anchor']
    """
    return run_find(family, data, all=all, **kwargs).output(all)


def topics(
    family: str = "ml-ai", data: str | os.PathLike[str] | None = None, **kwargs: Any
) -> pd.DataFrame:
    """The LDA topics of ``data``: topic, postings (whose main topic it is), share, whether it is
    the family's topic (where its probe lands), top words. The fitted model is cached;
    ``df.attrs["manifest"]`` says where. Takes :func:`find`'s arguments.

    >>> import jobmap
    >>> t = jobmap.topics("ml-ai", progress=False)
    >>> int(t["family"].sum()), len(t)
    (1, 30)
    """
    run = run_find(family, data, method="lda", use_cache=False, **kwargs)
    table = run.method.topics()  # type: ignore[attr-defined]
    table.attrs["manifest"] = run.manifest
    return table  # type: ignore[no-any-return]


def clusters(
    family: str = "ml-ai", data: str | os.PathLike[str] | None = None, **kwargs: Any
) -> pd.DataFrame:
    """The clusters of ``data``'s title embeddings: cluster, postings, distinct titles, whether it
    is one of the family's, and its most central titles. ``options={"k": "auto"}`` picks K by
    silhouette (the curve is in ``df.attrs["manifest"]["parameters"]["k_curve"]``);
    ``options={"algorithm": "hdbscan"}`` needs no K. Takes :func:`find`'s arguments.
    """
    run = run_find(family, data, method="cluster", use_cache=False, **kwargs)
    table = run.method.clusters()  # type: ignore[attr-defined]
    table.attrs["manifest"] = run.manifest
    return table  # type: ignore[no-any-return]
