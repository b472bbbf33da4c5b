"""``jobmap occupations``: every posting of a dataset coded to O*NET-SOC occupations, with the mix.

The coding itself is :class:`jobmap.knowledge.coder.Coder`; this run reads the data in batches,
gives the coder the title vectors ``find`` caches, keeps the coded table in the cache (by the data's
content, the embedding model and jobmap's code), and writes it with its manifest.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from jobmap.config import Settings
from jobmap.data import Dataset, load
from jobmap.errors import ConfigError
from jobmap.knowledge import attribution, release
from jobmap.knowledge.coded import coded_for
from jobmap.knowledge.coder import MAJOR_GROUPS, Coder
from jobmap.outputs import write_output
from jobmap.runs.find import check_out, run_inputs
from jobmap.runs.manifest import data_part, finish, start

#: The settings an occupation run takes (the data's and the embedding model's).
SETTINGS = (
    "columns",
    "encoding",
    "model",
    "backend",
    "device",
    "batch_size",
    "cache_dir",
    "progress",
)
#: What the manifest keeps of the settings (no family, method or answers: none is used).
SHOWN = ("data", *(k for k in SETTINGS if k != "progress"), "batch_rows", "stream_bytes", "seed")


def occupation_settings(data: Any, kwargs: dict[str, Any]) -> Settings:
    """The settings of an occupation run; an argument it does not take is an error."""
    unknown = sorted(set(kwargs) - set(SETTINGS))
    if unknown:
        raise ConfigError(
            f"unknown argument(s) {', '.join(unknown)}; an occupation run takes "
            f"{', '.join(SETTINGS)}."
        )
    return Settings.build("ml-ai", data, **kwargs)


def _manifest_settings(manifest: dict[str, Any]) -> dict[str, Any]:
    shown = manifest.get("settings") or {}
    manifest["settings"] = {k: v for k, v in shown.items() if k in SHOWN}
    return manifest


#: Posting columns carried into the output when the data has them.
CONTEXT_COLUMNS = ("source_id",)


@dataclass
class Occupations:
    """A coded dataset: one row per posting (``coded``), the manifest, and the data's notes."""

    coded: pd.DataFrame
    manifest: dict[str, Any]
    dataset: Dataset
    top: int

    @property
    def notes(self) -> list[str]:
        return list(self.dataset.warnings)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {"coded": self.coded, "major_groups": self.major_groups(), "top": self.largest()}

    def output(self) -> pd.DataFrame:
        df = self.coded.copy()
        df.attrs["manifest"] = self.manifest
        return df

    def major_groups(self) -> pd.DataFrame:
        """Postings per SOC major group (and those coded to none), largest first."""
        return occupation_mix(self.coded)[0]

    def largest(self, n: int = 20) -> pd.DataFrame:
        """The ``n`` occupations with the most postings."""
        return occupation_mix(self.coded, n)[1]


def occupation_mix(coded: pd.DataFrame, n: int = 20) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(postings per SOC major group, the ``n`` largest occupations), each with counts and shares
    of all the postings given."""
    total = max(len(coded), 1)
    codes = coded["occupation_code"].fillna("")
    major = codes.str[:2].map(lambda g: MAJOR_GROUPS.get(g, "none") if g else "none")
    groups = (
        pd.DataFrame({"major_group": codes.str[:2].where(codes != "", ""), "name": major})
        .value_counts()
        .rename("postings")
        .reset_index()
    )
    groups["share"] = (groups["postings"] / total).round(4)
    named = coded.loc[codes != "", ["occupation_code", "occupation_title"]]
    top = (
        named.value_counts().rename("postings").reset_index().head(n)
        if len(named)
        else pd.DataFrame(columns=["occupation_code", "occupation_title", "postings"])
    )
    top["share"] = (top["postings"] / total).round(4)
    return groups, top


def _columns(table: pd.DataFrame, top: int) -> pd.DataFrame:
    keep = [c for c in ("job_id", "title", *CONTEXT_COLUMNS) if c in table.columns]
    keep += ["occupation_code", "occupation_title", "confidence", "why"]
    for k in range(2, top + 1):
        keep += [f"occupation_code_{k}", f"occupation_title_{k}"]
    return table[keep]


def run_occupations(
    data: str | os.PathLike[str] | None = None,
    *,
    top: int = 1,
    out: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    raw: bool = False,
    use_cache: bool = True,
    settings: Settings | None = None,
    **kwargs: Any,
) -> Occupations:
    """Code every posting of ``data`` (default: the bundled sample) and return an
    :class:`Occupations`; with ``out`` (.csv or .parquet) also write it and its manifest.
    ``settings`` or ``kwargs`` (the data and embedding settings :func:`jobmap.find` takes)."""
    started = time.perf_counter()
    if int(top) < 1:
        raise ConfigError(f"--top {top}: give a whole number of at least 1.")
    if settings is None:
        settings = occupation_settings(data, kwargs)
    elif kwargs:
        raise ConfigError(f"give either settings or {', '.join(sorted(kwargs))}, not both.")
    out_path = check_out(out, overwrite=overwrite, inputs=run_inputs(settings))
    from jobmap.pipeline import Pipeline

    pipe = Pipeline(settings)
    ds = pipe.dataset  # read as every run reads it
    table = coded_for(ds, settings, pipe.context.engine(), top=int(top), use_cache=use_cache)
    coded = _columns(table, int(top))
    none = int((coded["occupation_code"] == "").sum())
    manifest = start(
        "occupations",
        settings,
        data=data_part(ds),
        knowledge={"release": release().get("release"), "attribution": attribution()},
        top=int(top),
        counts={"postings": len(coded), "coded": len(coded) - none, "none": none},
        output={"path": str(out_path) if out_path else None},
    )
    _manifest_settings(manifest)
    finish(manifest, started)
    result = Occupations(coded=coded, manifest=manifest, dataset=ds, top=int(top))
    if out_path is not None:
        write_output(result.output(), out_path, manifest, raw=raw)
    return result


def occupations(data: str | os.PathLike[str] | None = None, **kwargs: Any) -> pd.DataFrame:
    """Every posting of ``data`` coded to O*NET-SOC occupations: ``job_id``, ``title``,
    ``occupation_code`` (``15-1212.00``; empty for none), ``occupation_title``, ``confidence``
    (calibrated), ``why``; with ``top=K`` also ``occupation_code_2`` ... ``occupation_code_K``
    and their titles. ``df.attrs["manifest"]`` holds the run's manifest. Takes
    :func:`run_occupations`' arguments.

    >>> import jobmap
    >>> coded = jobmap.occupations(progress=False)  # doctest: +SKIP
    >>> list(coded.columns[:4])  # doctest: +SKIP
    ['job_id', 'title', 'occupation_code', 'occupation_title']
    """
    return run_occupations(data, **kwargs).output()


@dataclass
class OccupationEvaluation:
    """The coder against a gold file: ``metrics`` (one row per half and for all), the largest
    ``confusions``, and ``coded`` (each gold posting with its predictions)."""

    metrics: pd.DataFrame
    confusions: pd.DataFrame
    coded: pd.DataFrame
    manifest: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {"metrics": self.metrics, "confusions": self.confusions, "coded": self.coded}


def evaluate_occupations(
    gold: str | os.PathLike[str],
    data: list[str | os.PathLike[str]] | tuple[str | os.PathLike[str], ...] = (),
    *,
    out: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    settings: Settings | None = None,
    **kwargs: Any,
) -> OccupationEvaluation:
    """Code the postings of a gold file (``title,code[,alt_code,job_id]``; see
    :func:`jobmap.evaluation.occupations.read_occupation_gold`) and score the codes at the major
    group, 6 digits and the full code, top-1 and top-3, for each half of the file (by a hash of
    the title: tune on one, check on the other) and for all. A gold posting found by ``job_id``
    in one of ``data`` is coded with its description too; the others from their title."""
    from jobmap.evaluation.occupations import (
        occupation_accuracy,
        occupation_confusions,
        read_occupation_gold,
    )
    from jobmap.methods.base import MethodContext

    started = time.perf_counter()
    if settings is None:
        settings = occupation_settings(None, kwargs)
    table = read_occupation_gold(gold)
    out_path = check_out(out, overwrite=overwrite, inputs=[Path(gold), *map(Path, data)])
    descriptions: dict[str, str] = {}
    ids: set[str] = set()
    for source in data:
        ds = load(source, cache_dir=settings.cache_dir, progress=settings.progress)
        ids |= set(ds.read(["job_id"])["job_id"].astype(str))
        if "description" not in ds.columns():
            continue
        for batch in ds.batches(["job_id", "description"]):
            for job_id, text in zip(batch["job_id"], batch["description"], strict=True):
                if isinstance(text, str) and text.strip():
                    descriptions[str(job_id)] = text
    postings = pd.DataFrame({"title": table["title"]})
    if "job_id" in table.columns:
        postings["description"] = [descriptions.get(str(j), "") for j in table["job_id"]]
    coder = Coder(engine=MethodContext.from_settings(settings).engine(), progress=settings.progress)
    coded = coder.code(postings, top=3)
    rows = []
    for half in ("tune", "check", "all"):
        keep = (table["half"] == half) if half != "all" else pd.Series(True, index=table.index)
        scores = occupation_accuracy(
            coded[keep.to_numpy()].reset_index(drop=True), table[keep].reset_index(drop=True)
        )
        rows.append({"half": half, **scores})
    metrics = pd.DataFrame(rows)
    metrics["postings"] = metrics["postings"].astype(int)
    confusions = occupation_confusions(coded, table)
    joined = pd.concat([table.reset_index(drop=True), coded], axis=1)
    joined["described"] = postings.get("description", pd.Series("", index=postings.index)) != ""
    notes = []
    if data and "job_id" in table.columns:
        missing = int((~table["job_id"].astype(str).isin(ids)).sum())
        if missing:
            notes.append(
                f"{missing:,} of the {len(table):,} gold postings are not in the data given "
                "(by job_id): they are coded from their title alone."
            )
    manifest = start(
        "evaluate-occupations",
        settings,
        gold={"path": str(Path(gold)), "rows": len(table)},
        data=[str(d) for d in data],
        described=int(joined["described"].sum()),
        notes=notes,
        metrics=metrics.to_dict("records"),
        knowledge={"release": release().get("release")},
        output={"path": str(out_path) if out_path else None},
    )
    _manifest_settings(manifest)
    finish(manifest, started)
    if out_path is not None:
        write_output(joined, out_path, manifest)
    return OccupationEvaluation(metrics, confusions, joined, manifest, notes)


__all__ = [
    "OccupationEvaluation",
    "Occupations",
    "evaluate_occupations",
    "family_occupations",
    "occupation_mix",
    "occupations",
    "run_occupations",
]


def family_occupations(
    family: str,
    data: str | os.PathLike[str] | None = None,
    *,
    settings: Settings | None = None,
    top: int = 10,
    **kwargs: Any,
) -> pd.DataFrame:
    """The occupations a family's rule phrases fall into in ``data``: for each occupation, the
    postings whose titles hold one of the phrases (``in_family``), all the postings coded to it
    (``postings``) and the share of them the phrases hold (``held``), largest first. An
    occupation where the phrases hold a few of many postings is where the family may be missing
    titles."""
    from jobmap.pipeline import Pipeline
    from jobmap.texts.match import phrases_in

    if settings is None:
        settings = Settings.build(family, data, **kwargs)
    pipe = Pipeline(settings)
    fam = pipe.base_family
    coded = pipe.coded
    hits = phrases_in(coded["title"].fillna(""), fam.rule_phrases())
    named = coded["occupation_code"].fillna("") != ""
    counts = coded[named].groupby(["occupation_code", "occupation_title"]).size()
    held = coded[named & hits].groupby(["occupation_code", "occupation_title"]).size()
    table = pd.DataFrame({"in_family": held, "postings": counts}).dropna(subset=["in_family"])
    table = table.astype(int).reset_index()
    table["held"] = (table["in_family"] / table["postings"]).round(3)
    table = table.sort_values(["in_family", "postings"], ascending=False, kind="stable")
    return table.head(top).reset_index(drop=True)
