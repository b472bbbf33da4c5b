"""``jobmap technologies`` and ``jobmap evaluate-technologies``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from jobmap.cli.app import main
from jobmap.cli.options import data_options, families_option, overwrite_option
from jobmap.cli.render import _figure, _fmt


def _about() -> str:
    from jobmap.knowledge import attribution, onet_dir, release
    from jobmap.knowledge.catalogue import ADDED, catalogue

    rel = release()
    table = catalogue()
    added = int((table["source"] != "O*NET").sum())
    return (
        f"Technologies: {len(table):,} named technologies, {len(table) - added:,} from the "
        f"technology skills of the O*NET database ({rel.get('release', 'release')}) and {added:,} "
        f"added by jobmap where postings name technologies O*NET lacks ({ADDED.name}, each with "
        "where it was seen). A name that is also an ordinary word (Excel, Word, Go, R) counts "
        "only where the words around it mean the technology.\n"
        f"Files: {onet_dir()}\n\n" + attribution()
    )


@main.command()
@click.option(
    "--family",
    default=None,
    help="Only the postings this family finds (a built-in family or one of --families); the "
    "summary compares them with the rest.",
)
@families_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write one row per posting and technology to FILE.csv or FILE.parquet (job_id, "
    "technology, category, hot, evidence), and the run manifest beside it.",
)
@click.option(
    "--top",
    "n_top",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Technologies in the printed summary.",
)
@click.option("--raw", is_flag=True, help="Write CSV cells exactly as in the data (see find).")
@click.option("--about", is_flag=True, help="Say where the technologies come from, and exit.")
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default=None,
    help="Where the postings are read: this process, or a Ray cluster (as find's --engine).",
)
@click.option("--quiet", is_flag=True, help="No progress bars and no summary.")
@overwrite_option
@data_options
def technologies(
    family: str | None,
    families_file: Path | None,
    out: Path | None,
    n_top: int,
    raw: bool,
    about: bool,
    engine: str | None,
    quiet: bool,
    overwrite: bool,
    **params: Any,
) -> None:
    """The named technologies each posting mentions (Python, SQL, Microsoft Excel, Salesforce,
    Epic...): canonical names with their O*NET category, O*NET's hot-technology flag and the words
    matched; prints the most mentioned."""
    if about:
        click.echo(_about())
        return
    from jobmap.outputs import manifest_path
    from jobmap.runs.technologies import run_technologies

    options: dict[str, Any] = {
        "columns": params["columns"],
        "encoding": params["encoding"],
        "cache_dir": params["cache_dir"],
        "progress": not quiet,
        "engine": engine,
    }
    if family is not None and families_file is not None:
        options["families"] = families_file
    run = run_technologies(
        params["data"], family=family, out=out, overwrite=overwrite, raw=raw, **options
    )
    if out is not None:
        rows = run.manifest["counts"]["rows"]
        click.echo(f"Wrote {rows:,} rows to {out} and the manifest to {manifest_path(out)}")
    if quiet:
        return
    con = Console(highlight=False)
    for note in run.notes:
        con.print(f"Note: {escape(note)}", soft_wrap=True)
    with_any = run.manifest["counts"]["postings_with_any"]
    read = f"{run.described:,} with a description" if run.described else "titles only"
    said = (
        f"{run.postings:,} postings ({read}): {with_any:,} mention at least one of "
        f"{run.found['technology'].nunique():,} technologies"
    )
    if run.family is not None:
        part = run.manifest["family"]
        how = part["picked"] or part["method"]
        said += (
            f"; the family {run.family} holds {run.in_family:,} postings (found by {how}, "
            f"threshold {part['threshold']:.2f})"
        )
    con.print(said, soft_wrap=True)
    top = run.top(n_top)
    if not len(top):
        con.print("No technology found.")
    else:
        con.print(_top_table(top, run.family, con.width))
    from jobmap.knowledge import attribution

    notice = " ".join(attribution().split("\n\n")[0].split())
    con.print(escape(notice), style="dim", soft_wrap=True)


def _top_table(df: Any, family: str | None, width: int) -> Table:
    title = "The most mentioned technologies" + (f" in {family}" if family else "")
    t = Table(title=title, title_justify="left")
    counts = ["family", "family_share", "rest_share"] if family else ["postings", "share"]
    headers = {"family": "postings", "family_share": "share", "rest_share": "others"}
    for c in counts:
        name = headers.get(c, c)
        t.add_column(name, justify="right", no_wrap=True, width=max(7, len(name)))
    t.add_column("hot", no_wrap=True, width=3)
    t.add_column("technology", overflow="ellipsis", no_wrap=True, ratio=3)
    show_category = width >= 100  # on a narrow terminal the category goes first
    if show_category:
        t.add_column("category", overflow="ellipsis", no_wrap=True, ratio=2)
    for rec in df.to_dict("records"):
        cells = [
            f"{100 * rec[c]:.1f}%" if c.endswith("share") else f"{int(rec[c]):,}" for c in counts
        ]
        row = [*cells, "hot" if rec["hot"] else "", escape(_fmt(rec["technology"], 50))]
        if show_category:
            row.append(escape(_fmt(rec["category"], 50)))
        t.add_row(*row)
    return t


@main.command("evaluate-technologies")
@click.option(
    "--gold",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A CSV of postings labelled by hand: job_id,technology[,half] (one row per posting and "
    "technology; a posting with none: one row with an empty technology).",
)
@click.option(
    "--show",
    is_flag=True,
    help="List the pairs missed and those found that the gold file does not have.",
)
@click.option("--quiet", is_flag=True, help="No progress bars.")
@data_options
def evaluate_technologies(gold: Path, show: bool, quiet: bool, **params: Any) -> None:
    """Score the technology finder against a gold file: precision, recall and F1 per (posting,
    technology) pair, for each half of the file (tune, check) and for all."""
    from jobmap.runs.technologies import evaluate_technologies as run

    result = run(
        gold,
        params["data"],
        columns=params["columns"],
        encoding=params["encoding"],
        cache_dir=params["cache_dir"],
        progress=not quiet,
    )
    con = Console(highlight=False)
    t = Table(title=f"Technologies against {escape(str(gold))}", title_justify="left")
    t.add_column("half")
    columns = [c for c in result.metrics.columns if c != "half"]
    for c in columns:
        t.add_column(c.replace("_", " "), justify="right")
    for rec in result.metrics.to_dict("records"):
        t.add_row(
            rec["half"],
            *[_figure(rec[c], isinstance(rec[c], int)) for c in columns],
        )
    con.print(t)
    for note in result.notes:
        con.print(f"Note: {escape(note)}", soft_wrap=True)
    if show:
        for name, table in (("Missed", result.misses), ("Found, not in the gold", result.extras)):
            listed = Table(title=name, title_justify="left")
            for c in LISTED:
                listed.add_column(c, overflow="fold")
            for rec in table.to_dict("records"):
                listed.add_row(*[escape(_fmt(str(rec[c]), 60)) for c in LISTED])
            con.print(listed)


#: The columns of the --show lists.
LISTED = ("job_id", "half", "technology", "evidence")
