"""``jobmap find``: score every posting of a dataset for a family, and keep the matches.

The output contract, kept by every method: one row per matching posting (or per posting with
``all=True``), with at least ``job_id, title, score, match`` and the method's evidence, sorted by
score; and a run manifest (model, method, parameters, anchors, data hash, jobmap version).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from jobmap._version import code_fingerprint
from jobmap.answers import resolve_answers_path
from jobmap.config import Settings
from jobmap.data import Dataset
from jobmap.errors import ConfigError, JobmapError
from jobmap.families import Family
from jobmap.methods import Method
from jobmap.methods.evidence import ANSWERED, Evidence
from jobmap.outputs import (
    check_file,
    manifest_path,
    write_output,
)
from jobmap.pipeline import Pipeline
from jobmap.runs.manifest import data_part, finish, start

#: Posting columns carried into the output when the data has them (``source_id``: a file's
#: own ids where they are not integers as written, so that every row can be traced back).
CONTEXT_COLUMNS = ("source_id", "company_name", "location", "formatted_experience_level")
OUT_SUFFIXES = (".csv", ".parquet")


def run_inputs(settings: Settings) -> list[Path]:
    """The files a run reads, which no output may replace: the data's files (and a Kaggle
    layout's folder), the families file, the answers database."""
    from jobmap.data import bundled_sample_path
    from jobmap.data.sources import detect

    found: list[Path] = []
    try:
        source = detect(settings.data if settings.data is not None else bundled_sample_path())
        found += [Path(f) for f in source.disk_files]
        if source.kind != "file":
            found.append(Path(source.origin))
    except JobmapError:
        pass  # the run itself says what is wrong with --data
    if settings.families is not None:
        found.append(Path(settings.families))
    found.append(resolve_answers_path(settings.answers))
    return found


def check_out(
    out: str | os.PathLike[str] | None,
    suffixes: tuple[str, ...] = OUT_SUFFIXES,
    *,
    overwrite: bool = False,
    inputs: list[Path] | tuple[Path, ...] = (),
    option: str = "--out",
) -> Path | None:
    """Fail before any work when ``out`` (or the manifest beside it) cannot or must not be
    written (:func:`jobmap.outputs.check_file`): nothing computed is then lost, and nothing is
    replaced unasked."""
    if out is None:
        return None
    if not Path(out).name.strip():  # no name ("", "."): no manifest name either (check_file)
        return check_file(out, suffixes=suffixes, option=option)
    return check_file(
        out,
        suffixes=suffixes,
        option=option,
        overwrite=overwrite,
        inputs=inputs,
        beside=(manifest_path(Path(out).expanduser()),),
    )


def read_output(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read an output back (``find --out``, ``evaluate --out``, a simulated review's curve) with
    its manifest in ``df.attrs["manifest"]``, checking
    that the two belong together (a run killed between writing them leaves a pair that does
    not: that is an error, never a silent mix).

    >>> df = read_output("m.csv")  # doctest: +SKIP
    """
    p = Path(path)
    mpath = manifest_path(p)
    if not mpath.is_file():
        raise ConfigError(f"{mpath}: no manifest beside {p}; run the command again.")
    manifest = json.loads(mpath.read_text())
    digest = hashlib.sha256(p.read_bytes()).hexdigest()
    if manifest.get("output", {}).get("sha256") != digest:
        raise ConfigError(
            f"{p} and {mpath} are not from the same run (a run was stopped between writing "
            "them); run the command again."
        )
    df = pd.read_parquet(p) if p.suffix.lower() == ".parquet" else pd.read_csv(p)
    df.attrs["manifest"] = manifest
    return df


@dataclass
class FindRun:
    """A finished run: every posting scored (``scored``), the threshold and the manifest."""

    scored: pd.DataFrame
    threshold: float
    manifest: dict[str, Any]
    method: Method
    dataset: Dataset
    family: Family
    settings: Settings

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Its tables: every posting scored, and the matches."""
        return {"scored": self.scored, "matches": self.matches}

    @property
    def notes(self) -> list[str]:
        """What reading the data skipped or repaired (said on every run that uses it)."""
        return list(self.dataset.warnings)

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
        """Why a posting got its score (a run served from the cache has its fitted method too).
        An answered posting: the answer decides it, whatever the method says."""
        for column in self.method.evidence_columns[:1]:
            said = Evidence.read(row.get(column))
            if said.kind == ANSWERED:
                return f"{said.text()} (an answer decides this posting)"
        return self.method.explain(row)

    def describe(self) -> str:
        """The summary line: family, method, threshold, what the fit found, and the counts."""
        s = self.summary()
        extra = self.method.describe()
        return (
            f"{self.family.name} by {self.settings.method} (threshold {s['threshold']:.3g} "
            f"[{self.manifest['threshold_from']}]{', ' + extra if extra else ''}): "
            f"{s['matches']:,} of {s['postings']:,} postings match ({100 * s['share']:.2f}%)"
        )


def run_find(
    family: str = "ml-ai",
    data: str | os.PathLike[str] | None = None,
    *,
    all: bool = False,
    out: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
    settings: Settings | None = None,
    raw: bool = False,
    overwrite: bool = False,
    with_columns: tuple[str, ...] | list[str] = (),
    **kwargs: Any,
) -> FindRun:
    """Score every posting and return a :class:`FindRun` (see :func:`find` for the arguments).
    ``with_columns``: more columns for each posting, from :data:`WITH`: ``technologies`` (the
    named technologies it mentions, ``; ``-separated, :func:`jobmap.technologies`) and
    ``occupation`` (its O*NET-SOC code and title, :func:`jobmap.occupations`), each from the
    cache after its first run.

    ``settings`` (a :class:`~jobmap.config.Settings`) replaces ``family``, ``data`` and the
    keyword arguments, which are otherwise turned into one with :meth:`Settings.build`. A CSV
    ``out`` is safe to open in a spreadsheet unless ``raw`` (see :mod:`jobmap._csv`); an
    existing ``out`` is replaced only with ``overwrite``, and never when it is an input.
    """
    started = time.perf_counter()
    unknown = [w for w in with_columns if w not in WITH]
    if unknown:
        raise ConfigError(f"--with {unknown[0]}: give one of {', '.join(WITH)}.")
    if settings is None:
        settings = Settings.build(family, data, **kwargs)
    elif kwargs:
        raise ConfigError(f"give either settings or {', '.join(sorted(kwargs))}, not both.")
    out_path = check_out(out, overwrite=overwrite, inputs=run_inputs(settings))
    pipe = Pipeline(settings)
    result = pipe.run(use_cache=use_cache)
    ds, fam, fitted = pipe.dataset, pipe.family, result.method
    scores = result.scores

    # only the columns the output carries: a million postings' descriptions are never held
    table = ds.read(["job_id", "title", *CONTEXT_COLUMNS]).reset_index(drop=True)
    table.insert(2, "score", scores["score"].round(6).to_numpy())
    table.insert(3, "match", result.match)
    for i, column in enumerate(fitted.evidence_columns):
        table.insert(4 + i, column, scores[column].to_numpy())
    for extra in dict.fromkeys(with_columns):
        for column, values in _with(extra, ds, settings, table["job_id"]).items():
            table[column] = values
    table = table.sort_values(["score", "job_id"], ascending=[False, True], kind="stable")
    table = table.reset_index(drop=True)

    n_match = int(table["match"].sum())
    manifest = start(
        "find",
        settings,
        family=fam.manifest(),
        method=settings.method,
        threshold=result.threshold,
        threshold_from=result.threshold_from,
        parameters=fitted.params(),
        embedding=result.embedding,
        fit={"key": result.fit_key, "from_cache": result.from_cache, "code": code_fingerprint()},
        data=data_part(ds),
        counts={
            "postings": len(table),
            "matches": n_match,
            "answered": int(result.answered.notna().sum()),
        },
        answers={
            "path": str(resolve_answers_path(settings.answers)),
            "used": settings.use_answers,
            "standing": len(pipe.answers),
        },
        output={"path": str(out_path) if out_path else None, "rows": "all" if all else "matches"},
        with_columns=list(dict.fromkeys(with_columns)),
    )
    finish(manifest, started)
    run = FindRun(
        scored=table,
        threshold=result.threshold,
        manifest=manifest,
        method=fitted,
        dataset=ds,
        family=fam,
        settings=settings,
    )
    if out_path is not None:
        write_output(run.output(all), out_path, manifest, raw=raw)
    return run


#: What ``find --with`` adds to each posting.
WITH = ("technologies", "occupation")


def _with(name: str, ds: Dataset, settings: Settings, job_ids: pd.Series) -> dict[str, Any]:
    """The columns ``--with name`` adds, in the postings' order."""
    if name == "technologies":
        from jobmap.runs.technology_table import technologies_for

        found = technologies_for(ds, settings)
        joined = found.groupby("job_id", sort=False)["technology"].agg("; ".join)
        return {"technologies": job_ids.map(joined).fillna("").to_numpy()}
    from jobmap.knowledge.coded import coded_for
    from jobmap.methods.base import MethodContext

    coded = coded_for(ds, settings, MethodContext.from_settings(settings).engine())
    return {
        "occupation_code": coded["occupation_code"].fillna("").to_numpy(),
        "occupation_title": coded["occupation_title"].fillna("").to_numpy(),
    }


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

    Keyword arguments (the settings, see :class:`jobmap.config.Settings`): ``method`` ("auto",
    the default, or any name of ``jobmap.methods.METHODS``), ``threshold`` (default: the
    family's, else one the method learns without labels, else the method's), ``out`` (.csv or
    .parquet; ``overwrite=True`` to replace one), ``model``, ``backend`` ("torch" or "onnx"),
    ``device``, ``batch_size``,
    ``families`` (a families file), ``seed``, ``cache_dir``, ``columns``, ``encoding``,
    ``progress``, and the method's own options, as keywords or in ``options``: ``anchors``
    (explicit titles or job_ids) and ``anchor_sample`` for anchors (the notebook: 10000 with seed
    567); ``n_topics`` for lda; ``k``, ``algorithm``, ``min_cluster_size`` for cluster. An option
    the method does not take is an error.

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
    run = run_find(family, data, method="lda", **kwargs)
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
    run = run_find(family, data, method="cluster", **kwargs)
    table = run.method.clusters()  # type: ignore[attr-defined]
    table.attrs["manifest"] = run.manifest
    return table  # type: ignore[no-any-return]
