"""``jobmap report``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from jobmap.cli.app import main
from jobmap.cli.options import _settings, method_option, overwrite_option, run_options


@main.command()
@click.argument("family", default="ml-ai")
@method_option("How the family's postings are found (as in find).")
@click.option("--threshold", type=float, default=None, help="As in find.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The HTML page to write (self-contained: works offline).",
)
@click.option(
    "--tables",
    "tables_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also write every table of the page as CSV into this folder.",
)
@click.option(
    "--raw",
    is_flag=True,
    help="Write the --tables CSV cells exactly as in the data (by default a cell that a "
    "spreadsheet would run as a formula starts with ').",
)
@overwrite_option
@run_options
def report(
    family: str,
    method: str,
    threshold: float | None,
    out: Path,
    tables_dir: Path | None,
    raw: bool,
    overwrite: bool,
    **params: Any,
) -> None:
    """Write a page on what FAMILY's postings look like against all the others: salaries,
    titles, companies, industries, skills, benefits, locations, remote share, experience, work
    types, time and company size, with every chart's sample size."""
    from jobmap.runs import report as report_fn

    tables = report_fn(
        out=out,
        tables_dir=tables_dir,
        raw=raw,
        overwrite=overwrite,
        settings=_settings(family, method, params, threshold),
    )
    from jobmap.outputs import manifest_path

    click.echo(
        f"Wrote {out} ({len(tables) - 1} tables) and the manifest to {manifest_path(out)}"
        + (f"; the tables to {tables_dir}" if tables_dir else "")
    )
    for note in tables["notes"]["note"]:
        click.echo(f"Note: {note}")
