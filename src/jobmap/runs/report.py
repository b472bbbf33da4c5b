"""``jobmap report``: what a family's postings look like against all the others, as tables and
one self-contained page, with the run's manifest."""

from __future__ import annotations

import os
import time
from typing import Any

import pandas as pd

from jobmap.config import Settings
from jobmap.errors import ConfigError
from jobmap.outputs import (
    check_folder,
    manifest_path,
    record_folder,
    remove_written,
    write_json,
    write_table,
    write_text,
)
from jobmap.report import build_tables, render
from jobmap.runs.find import check_out, run_find, run_inputs
from jobmap.runs.manifest import finish, start


class Report(dict[str, pd.DataFrame]):
    """A report's tables by name (a dict, as before), with the run's manifest and notes."""

    def __init__(
        self, tables: dict[str, pd.DataFrame], *, manifest: dict[str, Any], notes: list[str]
    ) -> None:
        super().__init__(tables)
        self.manifest = manifest
        self.notes = notes

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return dict(self)


def report(
    family: str = "ml-ai",
    data: str | os.PathLike[str] | None = None,
    *,
    out: str | os.PathLike[str] | None = None,
    tables_dir: str | os.PathLike[str] | None = None,
    settings: Settings | None = None,
    raw: bool = False,
    overwrite: bool = False,
    occupations: bool = True,
    technologies: bool = True,
    **find_options: Any,
) -> Report:
    """The report's tables (a :class:`Report`: a dict of DataFrames by name, with its manifest
    and notes, the notes also as the table ``notes``); with ``out``, also the HTML page and its
    manifest
    beside it (``r.html`` -> ``r.manifest.json``), and with ``tables_dir`` a CSV per table.
    ``settings`` or ``find_options`` (the run settings, as :func:`jobmap.find` takes them) go to
    :func:`jobmap.run_find`. ``occupations``: code the postings to O*NET-SOC occupations for
    the occupation sections (cached; the first time about a minute, see ``jobmap
    occupations``); ``technologies``: find the named technologies of every posting for the
    technology sections (cached, see ``jobmap technologies``). Existing files are replaced only
    with ``overwrite`` (and in ``tables_dir`` only the tables jobmap wrote there before).

    >>> import jobmap
    >>> tables = jobmap.report("ml-ai", out="report.html")  # doctest: +SKIP
    """
    started = time.perf_counter()
    if settings is None:
        settings = Settings.build(family, data, **find_options)
    elif find_options:
        raise ConfigError(f"give either settings or {', '.join(sorted(find_options))}, not both.")
    inputs = run_inputs(settings)
    # before the work, not after it
    target = check_out(out, (".html", ".htm"), overwrite=overwrite, inputs=inputs)
    folder = check_folder(tables_dir, option="--tables", overwrite=overwrite, inputs=inputs)
    run = run_find(all=True, settings=settings)
    ds, fam = run.dataset, run.family  # as the run read them (column mapping, encoding, file)
    coded = None
    if occupations:
        from jobmap.knowledge.coded import coded_for
        from jobmap.methods.base import MethodContext

        coded = coded_for(ds, run.settings, MethodContext.from_settings(run.settings).engine())
    found = None
    if technologies:
        from jobmap.runs.technology_table import technologies_for

        found = technologies_for(ds, run.settings)
    evidence = run.method.evidence_columns
    tables, notes = build_tables(
        run.scored, ds, coded, found, why=evidence[0] if evidence else None
    )
    decided_by = run.method.decided_by
    manifest = start(
        "report",
        run.settings,
        family=fam.name,
        data=ds.source,
        data_key=ds.key,
        method=run.manifest["method"],
        picked=decided_by.name if decided_by is not run.method else None,
        threshold=run.threshold,
        model=run.manifest["embedding"].get("model_id") or run.manifest["embedding"]["model"],
        find=run.manifest,
    )
    finish(manifest, started)
    if folder is not None:
        remove_written(folder)  # the tables of an earlier report (a data without one, say) go
        for name, df in tables.items():
            write_table(df, folder / f"{name}.csv", raw=raw)
        record_folder(folder, [f"{name}.csv" for name in tables], "report")
    if target is not None:
        shown = {k: v for k, v in manifest.items() if k != "find"}  # the page shows the short one
        write_text(target, render(tables, notes, shown, fam.title or fam.name))
        write_json(manifest_path(target), manifest)
    for df in tables.values():
        df.attrs["manifest"] = manifest
    result = Report(tables, manifest=manifest, notes=notes)
    result["notes"] = pd.DataFrame({"note": notes})
    return result


__all__ = ["Report", "report"]
