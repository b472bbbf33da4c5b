"""``jobmap find``, ``topics`` and ``clusters``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from jobmap.cli.app import main
from jobmap.cli.options import _settings, overwrite_option, run_options
from jobmap.cli.render import _fmt, _marked_table, _print_curve, _print_model_file, _score_table
from jobmap.methods import METHODS


@main.command()
@click.argument("family")
@click.option(
    "--method",
    default="auto",
    show_default=True,
    type=click.Choice(list(METHODS)),
    help="How postings are scored: auto (picks for the data and says which), keywords (the "
    "family's rule), hybrid (rule + description evidence), bootstrap (anchors grown into a rule "
    "and a head, for families without labels), head (trained on examples), knn, "
    "anchors (the notebook's method c), lda (method a), cluster (method b).",
)
@click.option(
    "--threshold",
    type=float,
    default=None,
    help="Score at or above which a posting matches [default: the family's calibrated "
    "threshold, else one the method learns without labels (cluster), else the method's "
    "(anchors 0.85, lda 0.8, others 0.5)].",
)
@click.option(
    "--all", "all_rows", is_flag=True, help="Write every posting with its score, not only matches."
)
@click.option(
    "--raw",
    is_flag=True,
    help="Write CSV cells exactly as in the data (by default a cell that a spreadsheet would run "
    "as a formula, =... +... -... @..., starts with ').",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the rows to FILE.csv or FILE.parquet, and the run manifest beside it "
    "(FILE.manifest.json).",
)
@click.option(
    "--with",
    "with_columns",
    multiple=True,
    type=click.Choice(["technologies", "occupation"]),
    help="Add columns to each posting: technologies (the named technologies it mentions, as "
    "jobmap technologies finds them) or occupation (its O*NET-SOC code and title, as jobmap "
    "occupations codes it). Repeatable; each is cached after its first run.",
)
@overwrite_option
@run_options
def find(
    family: str,
    method: str,
    threshold: float | None,
    all_rows: bool,
    raw: bool,
    out: Path | None,
    with_columns: tuple[str, ...],
    overwrite: bool,
    **params: Any,
) -> None:
    """Find the postings of FAMILY (e.g. ml-ai): score every posting, keep those at or above the
    threshold, and print a summary with the postings just above and below it."""
    from jobmap.outputs import manifest_path
    from jobmap.runs.find import run_find

    quiet = params["quiet"]
    run = run_find(
        settings=_settings(family, method, params, threshold),
        all=all_rows,
        out=out,
        raw=raw,
        overwrite=overwrite,
        with_columns=with_columns,
    )
    if out is not None:
        rows = len(run.scored) if all_rows else int(run.scored["match"].sum())
        click.echo(f"Wrote {rows:,} rows to {out} and the manifest to {manifest_path(out)}")
    if quiet:
        return
    con = Console(highlight=False)
    s = run.summary()
    line = run.describe()
    con.print(f"[bold]{escape(family)}[/]{escape(line[len(family) :])}", soft_wrap=True)
    answered = run.manifest["counts"]["answered"]
    if answered:
        con.print(
            escape(
                f"{answered:,} postings decided by the family's answers "
                f"({run.manifest['answers']['standing']:,} in {run.manifest['answers']['path']})"
            ),
            soft_wrap=True,
        )
    _print_curve(con, run.manifest["parameters"])
    evidence = run.method.evidence_columns
    if len(s["top_titles"]):
        t = Table(title="Most common matching titles", title_justify="left")
        t.add_column("postings", justify="right")
        t.add_column("title", overflow="ellipsis", no_wrap=True)
        for rec in s["top_titles"].to_dict("records"):
            t.add_row(f"{rec['postings']:,}", _fmt(rec["title"], 200))
        con.print(t)
    for title, key in (
        ("Just above the threshold (matches)", "just_above"),
        ("Just below the threshold (not matched)", "just_below"),
    ):
        if len(s[key]):
            con.print(_score_table(title, s[key], evidence, con.width))


@main.command()
@click.argument("family", default="ml-ai")
@run_options
def topics(family: str, **params: Any) -> None:
    """Fit (or load) the LDA topic model of a dataset and print every topic with its size and top
    words; FAMILY's topic (where its probe text lands) is marked. The model is saved in the
    cache."""
    from jobmap.runs.find import run_find

    quiet = params["quiet"]
    run = run_find(settings=_settings(family, "lda", params))
    topics_table = run.method.topics()  # type: ignore[attr-defined]
    table = topics_table.sort_values("postings", ascending=False)
    table["share"] = [f"{100 * v:.1f}%" for v in table["share"]]
    title = f"{len(table)} topics over {int(table['postings'].sum()):,} postings"
    con = Console(highlight=False)
    con.print(_marked_table(title, table, family, ["topic", "postings", "share", "top_words"]))
    p = run.manifest["parameters"]
    if not quiet and not p.get("descriptions"):
        con.print("Note: this data has no descriptions; topics are fitted on titles alone.")
    _print_model_file(con, p, run.manifest["fit"]["from_cache"])


@main.command()
@click.argument("family", default="ml-ai")
@run_options
def clusters(family: str, **params: Any) -> None:
    """Cluster the title embeddings of a dataset and list the clusters with their size and most
    central titles; FAMILY's clusters (where its probe and anchors fall) are marked."""
    from jobmap.runs.find import run_find

    run = run_find(settings=_settings(family, "cluster", params))
    p = run.manifest["parameters"]
    con = Console(highlight=False)
    _print_curve(con, p)
    title = f"{p['clusters']} clusters ({p['algorithm']})"
    columns = ["cluster", "postings", "titles", "central_titles"]
    con.print(_marked_table(title, run.method.clusters(), family, columns))  # type: ignore[attr-defined]
    _print_model_file(con, p, run.manifest["fit"]["from_cache"])
