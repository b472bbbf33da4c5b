"""Reports: what the postings of a family look like (salaries, skills, industries, locations)
against the rest of the market, as tables and one self-contained HTML page."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pandas as pd

from jobmap._atomic import atomic_path
from jobmap._csv import write_csv
from jobmap.config import Settings
from jobmap.finder import check_folder, manifest_path, output_errors, run_find
from jobmap.report.html import render
from jobmap.report.tables import build_tables


def report(
    family: str = "ml-ai",
    data: str | os.PathLike[str] | None = None,
    *,
    out: str | os.PathLike[str] | None = None,
    tables_dir: str | os.PathLike[str] | None = None,
    settings: Settings | None = None,
    raw: bool = False,
    **find_options: Any,
) -> dict[str, pd.DataFrame]:
    """The report's tables as DataFrames; with ``out``, also the HTML page and its manifest
    beside it (``r.html`` -> ``r.manifest.json``), and with ``tables_dir`` a CSV per table.
    ``settings`` or ``find_options`` (the run settings, as :func:`jobmap.find` takes them) go to
    :func:`jobmap.run_find`.

    >>> import jobmap  # doctest: +SKIP
    >>> tables = jobmap.report("ml-ai", out="report.html")
    """
    started = time.perf_counter()
    check_folder(tables_dir, "--tables")  # before the work, not after it
    run = run_find(family, data, all=True, settings=settings, **find_options)
    ds, fam = run.dataset, run.family  # as the run read them (column mapping, encoding, file)
    tables, notes = build_tables(run.scored, ds)
    decided_by = run.method.decided_by
    manifest = {
        "family": fam.name,
        "data": ds.source,
        "data_key": ds.key,
        "method": run.manifest["method"],
        "picked": decided_by.name if decided_by is not run.method else None,
        "threshold": run.threshold,
        "model": run.manifest["embedding"].get("model_id") or run.manifest["embedding"]["model"],
        "jobmap_version": run.manifest["jobmap_version"],
        "created": run.manifest["created"],
        "settings": run.settings.manifest(),
        "find": run.manifest,
    }
    if tables_dir is not None:
        folder = Path(tables_dir)
        folder.mkdir(parents=True, exist_ok=True)
        with output_errors(folder):
            for name, df in tables.items():
                write_csv(df, folder / f"{name}.csv", raw=raw)
    if out is not None:
        shown = {k: v for k, v in manifest.items() if k != "find"}  # the page shows the short one
        page = render(tables, notes, shown, fam.title or fam.name)
        target = Path(out)
        with output_errors(target):
            with atomic_path(target) as tmp:
                tmp.write_text(page, encoding="utf-8")
            with atomic_path(manifest_path(target)) as tmp:
                tmp.write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    for df in tables.values():
        df.attrs["manifest"] = manifest
    tables["notes"] = pd.DataFrame({"note": notes})
    manifest["seconds"] = round(time.perf_counter() - started, 2)
    return tables


__all__ = ["report"]
