"""``jobmap technologies``: the named technologies every posting mentions (title and description),
as canonical names with their O*NET category, hot-technology flag and the words matched.

The finding itself is :class:`jobmap.knowledge.mentions.TechnologyFinder` (built once); this run
reads the postings in batches (memory bounded by a batch), or hands the batches to the Ray engine,
and, with a family, marks which postings the family finds so that the two can be compared.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jobmap.config import Settings
from jobmap.data import Dataset
from jobmap.errors import ConfigError, DataError
from jobmap.knowledge import attribution, release
from jobmap.knowledge.catalogue import catalogue
from jobmap.knowledge.mentions import READS, TechnologyFinder
from jobmap.outputs import write_output
from jobmap.runs.find import check_out, run_inputs
from jobmap.runs.manifest import data_part, finish, start
from jobmap.runs.technology_table import technologies_for

#: The settings a technology run takes without a family (the data's).
SETTINGS = ("columns", "encoding", "cache_dir", "progress", "engine")


@dataclass
class Technologies:
    """The technologies of a dataset's postings: ``found`` (one row per posting and technology:
    ``job_id``, ``technology``, ``category``, ``hot``, ``evidence``; with a family also
    ``in_family``, every posting's rows kept for :meth:`top`), how many postings were read and
    how many had a description (0: titles only), the manifest. :meth:`output` is what is
    written: with a family, only its postings' rows."""

    found: pd.DataFrame
    postings: int
    described: int
    manifest: dict[str, Any]
    dataset: Dataset
    family: str | None = None
    in_family: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {"found": self.found, "top": self.top()}

    @property
    def base(self) -> int:
        """The postings a share is of: those with a description, or all where none has one."""
        return self.described or self.postings

    def output(self) -> pd.DataFrame:
        """The rows (with a family, only its postings'), with the manifest in ``attrs``."""
        df = self.found
        if self.family is not None and "in_family" in df:
            df = df[df["in_family"]].drop(columns="in_family").reset_index(drop=True)
        df = df.copy()
        df.attrs["manifest"] = self.manifest
        return df

    def top(self, n: int = 20) -> pd.DataFrame:
        """The ``n`` technologies most postings mention: ``technology``, ``category``, ``hot``,
        ``postings`` and ``share`` (of the postings with a description); with a family also
        ``family`` and ``family_share`` (its postings that mention it), ``rest`` and
        ``rest_share`` (the others'), largest in the family first."""
        return top_technologies(
            self.found, self.base, n, family=self.family, in_family=self.in_family
        )


def top_technologies(
    found: pd.DataFrame,
    described: int,
    n: int = 20,
    family: str | None = None,
    in_family: int = 0,
) -> pd.DataFrame:
    """The ``n`` technologies most postings of ``found`` mention (:meth:`Technologies.top`)."""
    keys = ["technology", "category", "hot"]
    if found.empty:
        return pd.DataFrame(columns=[*keys, "postings", "share"])
    counts = found.groupby(keys, observed=True)["job_id"].nunique().rename("postings")
    table = counts.reset_index()
    table["share"] = (table["postings"] / max(described, 1)).round(4)
    if family is not None and "in_family" in found:
        fam = found[found["in_family"]].groupby(keys, observed=True)["job_id"].nunique()
        table = table.merge(fam.rename("family").reset_index(), on=keys, how="left")
        table["family"] = table["family"].fillna(0).astype(int)
        table["family_share"] = (table["family"] / max(in_family, 1)).round(4)
        table["rest"] = table["postings"] - table["family"]
        table["rest_share"] = (table["rest"] / max(described - in_family, 1)).round(4)
        table = table.sort_values(
            ["family", "postings", "technology"], ascending=[False] * 2 + [True]
        )
    else:
        table = table.sort_values(["postings", "technology"], ascending=[False, True])
    return table.head(n).reset_index(drop=True)


def technology_settings(data: Any, family: str | None, kwargs: dict[str, Any]) -> Settings:
    """The settings of a technology run: a family's (what ``find`` takes) when one is named, else
    the data's alone; an argument it does not take is an error."""
    if family is not None:
        return Settings.build(family, data, **kwargs)
    unknown = sorted(set(kwargs) - set(SETTINGS))
    if unknown:
        raise ConfigError(
            f"unknown argument(s) {', '.join(unknown)}; a technology run without a family takes "
            f"{', '.join(SETTINGS)}."
        )
    return Settings.build("ml-ai", data, **kwargs)


def run_technologies(
    data: str | os.PathLike[str] | None = None,
    *,
    family: str | None = None,
    out: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    raw: bool = False,
    settings: Settings | None = None,
    use_cache: bool = True,
    **kwargs: Any,
) -> Technologies:
    """The technologies of every posting of ``data`` (default: the bundled sample); with
    ``family`` (a built-in family or one of ``families=``), only the family's postings are
    written and :meth:`Technologies.top` compares them with the rest; with ``out`` (.csv or
    .parquet) the rows and the manifest are written."""
    started = time.perf_counter()
    if settings is None:
        settings = technology_settings(data, family, kwargs)
    elif kwargs:
        raise ConfigError(f"give either settings or {', '.join(sorted(kwargs))}, not both.")
    out_path = check_out(out, overwrite=overwrite, inputs=run_inputs(settings))
    from jobmap.pipeline import Pipeline

    pipe = Pipeline(settings)
    ds = pipe.dataset
    notes = list(ds.warnings)
    if not ds.has_descriptions:
        notes.append(
            "these postings have no descriptions: technologies are found in their titles only "
            "(load a dataset with a description column to find what the jobs ask for)"
        )
    found = technologies_for(ds, settings, use_cache=use_cache)
    job_ids = ds.read(["job_id"])["job_id"]
    postings = len(job_ids)
    described = 0
    if ds.has_descriptions:  # counted batch by batch: the descriptions are never held at once
        for batch in ds.batches(["description"], rows=settings.batch_rows):
            text = batch["description"].astype("string").fillna("")
            described += int(text.str.strip().ne("").sum())
    in_family = 0
    family_name = None
    family_part: dict[str, Any] | None = None
    if family is not None:
        result = pipe.run()
        matched = set(job_ids[np.asarray(result.match, dtype=bool)].tolist())
        in_family = len(matched)
        family_name = pipe.family.name
        found["in_family"] = found["job_id"].isin(matched)
        decided = result.method.decided_by
        family_part = {
            "name": family_name,
            "method": settings.method,
            "picked": decided.name if decided is not result.method else None,
            "threshold": result.threshold,
            "postings": in_family,
        }
    manifest = start(
        "technologies",
        settings,
        data=data_part(ds),
        knowledge={"release": release().get("release"), "attribution": attribution()},
        family=family_part,
        counts={
            "postings": postings,
            "with_description": described,
            "rows": int(found["in_family"].sum()) if family is not None else len(found),
            "rows_all_postings": len(found),
            "postings_with_any": int(found["job_id"].nunique()) if len(found) else 0,
            "in_family": in_family if family is not None else None,
        },
        output={"path": str(out_path) if out_path else None},
    )
    finish(manifest, started)
    run = Technologies(
        found=found,
        postings=postings,
        described=described,
        manifest=manifest,
        dataset=ds,
        family=family_name,
        in_family=in_family,
        notes=notes,
    )
    if out_path is not None:
        write_output(run.output(), out_path, manifest, raw=raw)
    return run


def technologies(data: str | os.PathLike[str] | None = None, **kwargs: Any) -> pd.DataFrame:
    """One row per posting of ``data`` and named technology it mentions: ``job_id``,
    ``technology`` (canonical name), ``category`` (O*NET commodity title), ``hot`` (O*NET's
    hot-technology flag), ``evidence`` (the words matched); a posting with none has no row.
    ``df.attrs["manifest"]`` holds the run's manifest. Takes :func:`run_technologies`'
    arguments.

    >>> import jobmap
    >>> found = jobmap.technologies(progress=False)  # doctest: +SKIP
    >>> list(found.columns)  # doctest: +SKIP
    ['job_id', 'technology', 'category', 'hot', 'evidence']
    """
    return run_technologies(data, **kwargs).output()


@dataclass
class TechnologyEvaluation:
    """The finder against a gold file: ``metrics`` (precision, recall and F1 per (posting,
    technology) pair, per half and for all), ``misses`` and ``extras`` (the pairs it missed and
    those it found that the gold does not have, with the words), the manifest."""

    metrics: pd.DataFrame
    misses: pd.DataFrame
    extras: pd.DataFrame
    manifest: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {"metrics": self.metrics, "misses": self.misses, "extras": self.extras}


def read_technology_gold(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A gold file of technologies: one row per (``job_id``, ``technology``), and a row with an
    empty ``technology`` for a posting labelled with none; ``half`` (tune/check) optional."""
    from jobmap.evaluation.occupations import read_gold_csv

    file = Path(path).expanduser()
    gold = read_gold_csv(file, ("job_id", "technology"), "job_id,technology[,half]")
    if "half" not in gold.columns:
        gold["half"] = "all"
    gold["half"] = gold["half"].str.strip().str.lower().replace("", "all")
    odd = ~gold["half"].isin(["tune", "check", "all"])
    if odd.any():
        row = int(odd.to_numpy().argmax()) + 2
        raise DataError(
            f"{file}, line {row}, column half: {gold['half'][odd].iloc[0]!r}; give tune, check "
            "or nothing."
        )
    gold["job_id"] = gold["job_id"].str.strip()
    gold["technology"] = gold["technology"].str.strip()
    if (gold["job_id"] == "").any():
        row = int((gold["job_id"] == "").to_numpy().argmax()) + 2
        raise DataError(f"{file}, line {row}: job_id is empty; give every row its posting's id.")
    return gold


def evaluate_technologies(
    gold: str | os.PathLike[str],
    data: str | os.PathLike[str] | None = None,
    **kwargs: Any,
) -> TechnologyEvaluation:
    """Precision and recall of :func:`technologies` per (posting, technology) pair on the postings
    of ``gold`` (:func:`read_technology_gold`) found in ``data`` (default: the bundled sample)."""
    started = time.perf_counter()
    table = read_technology_gold(gold)
    settings = technology_settings(data, None, kwargs)
    from jobmap.pipeline import Pipeline

    ds = Pipeline(settings).dataset
    postings = ds.read(list(READS))
    postings = postings[postings["job_id"].astype(str).isin(set(table["job_id"]))]
    absent = sorted(set(table["job_id"]) - set(postings["job_id"].astype(str)))
    if absent:
        raise DataError(
            f"{gold}: {len(absent)} posting(s) of the gold file are not in the data "
            f"(first: {absent[0]}); pass --data with the dataset the gold file was labelled on."
        )
    found = TechnologyFinder().frame(postings)
    found["job_id"] = found["job_id"].astype(str)
    half = table.drop_duplicates("job_id").set_index("job_id")["half"]
    labelled = table[table["technology"] != ""]
    gold_pairs = set(zip(labelled["job_id"], labelled["technology"], strict=True))
    found_pairs = set(zip(found["job_id"], found["technology"], strict=True))
    rows = []
    halves = [h for h in ("tune", "check") if h in set(half)] + ["all"]
    for name in halves:
        jobs = set(half.index) if name == "all" else set(half.index[half == name])
        g = {pair for pair in gold_pairs if pair[0] in jobs}
        f = {pair for pair in found_pairs if pair[0] in jobs}
        tp = len(g & f)
        precision = tp / len(f) if f else float("nan")
        recall = tp / len(g) if g else float("nan")
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        rows.append(
            {
                "half": name,
                "postings": len(jobs),
                "gold_pairs": len(g),
                "found_pairs": len(f),
                "precision": round(precision, 4),
                "recall": round(recall, 4),
                "f1": round(f1, 4),
            }
        )
    words = dict(
        zip(zip(found["job_id"], found["technology"], strict=False), found["evidence"], strict=True)
    )
    evidence = dict(
        zip(
            zip(labelled["job_id"], labelled["technology"], strict=False),
            labelled.get("evidence", ""),
            strict=False,
        )
    )
    misses = pd.DataFrame(
        [
            {"job_id": j, "half": half[j], "technology": t, "evidence": evidence.get((j, t), "")}
            for j, t in sorted(gold_pairs - found_pairs)
        ],
        columns=["job_id", "half", "technology", "evidence"],
    )
    extras = pd.DataFrame(
        [
            {"job_id": j, "half": half[j], "technology": t, "evidence": words[(j, t)]}
            for j, t in sorted(found_pairs - gold_pairs)
        ],
        columns=["job_id", "half", "technology", "evidence"],
    )
    known = set(catalogue()["technology"])
    unknown = sorted(set(labelled["technology"]) - known)
    notes = []
    if unknown:
        notes.append(
            f"{len(unknown)} technology name(s) of the gold file are not in the catalogue, so "
            f"the finder cannot find them (first: {unknown[0]!r}); see jobmap technologies --about"
        )
    manifest = start(
        "evaluate-technologies",
        settings,
        data=data_part(ds),
        gold={"path": str(gold), "postings": len(half), "pairs": len(gold_pairs)},
    )
    finish(manifest, started)
    return TechnologyEvaluation(pd.DataFrame(rows), misses, extras, manifest, notes)


__all__ = [
    "Technologies",
    "TechnologyEvaluation",
    "evaluate_technologies",
    "read_technology_gold",
    "run_technologies",
    "technologies",
    "top_technologies",
]
