"""``jobmap occupations`` and ``jobmap evaluate-occupations``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from jobmap.cli.app import main
from jobmap.cli.options import batch_size_option, data_options, overwrite_option
from jobmap.cli.render import _figure, _fmt


def _embedding_options(f: Any) -> Any:
    for option in (
        click.option("--quiet", is_flag=True, help="No progress bars and no summary."),
        click.option(
            "--model",
            default="all-MiniLM-L6-v2",
            show_default=True,
            help="Embedding model for the nearest O*NET titles (as find's --model).",
        ),
        batch_size_option,
        data_options,
    ):
        f = option(f)
    return f


def _settings(params: dict[str, Any]) -> Any:
    from jobmap.config import Settings

    return Settings.build(
        "ml-ai",
        params["data"],
        model=params["model"],
        batch_size=params["batch_size"],
        cache_dir=params["cache_dir"],
        columns=params["columns"],
        encoding=params["encoding"],
        progress=not params["quiet"],
    )


def _about() -> str:
    from jobmap.knowledge import attribution, onet_dir, release

    rel = release()
    return (
        f"Occupations: O*NET-SOC codes of the O*NET database ({rel.get('release', 'release')}), "
        "shipped in jobmap (knowledge/onet/); the coder reads a posting's title first, the "
        "description where there is one, and says why it chose each code.\n"
        f"Files: {onet_dir()}\n\n" + attribution()
    )


@main.command()
@click.option(
    "--top",
    type=click.IntRange(min=1, max=20),
    default=1,
    show_default=True,
    help="Codes per posting: with K > 1, also occupation_code_2 ... occupation_code_K.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write one row per posting to FILE.csv or FILE.parquet, and the run manifest beside it.",
)
@click.option("--raw", is_flag=True, help="Write CSV cells exactly as in the data (see find).")
@click.option("--about", is_flag=True, help="Say where the occupations come from, and exit.")
@overwrite_option
@_embedding_options
def occupations(
    top: int, out: Path | None, raw: bool, about: bool, overwrite: bool, **params: Any
) -> None:
    """Code every posting to O*NET-SOC occupations (code, title, calibrated confidence and why),
    and print the occupation mix: the SOC major groups and the 20 largest occupations."""
    if about:
        click.echo(_about())
        return
    from jobmap.outputs import manifest_path
    from jobmap.runs.occupations import run_occupations

    run = run_occupations(
        settings=_settings(params), top=top, out=out, raw=raw, overwrite=overwrite
    )
    if out is not None:
        click.echo(
            f"Wrote {len(run.coded):,} rows to {out} and the manifest to {manifest_path(out)}"
        )
    if params["quiet"]:
        return
    con = Console(highlight=False)
    counts = run.manifest["counts"]
    con.print(
        f"{counts['postings']:,} postings: {counts['coded']:,} coded, {counts['none']:,} whose "
        "title names no occupation",
        soft_wrap=True,
    )
    con.print(_mix_table("SOC major groups", run.major_groups(), ["major_group", "name"]))
    con.print(
        _mix_table(
            "The 20 largest occupations", run.largest(), ["occupation_code", "occupation_title"]
        )
    )
    from jobmap.knowledge import attribution

    notice = " ".join(attribution().split("\n\n")[0].split())
    con.print(escape(notice), style="dim", soft_wrap=True)


def _mix_table(title: str, df: Any, columns: list[str]) -> Table:
    t = Table(title=title, title_justify="left")
    t.add_column("postings", justify="right", no_wrap=True, min_width=8)
    t.add_column("share", justify="right", no_wrap=True, min_width=6)
    for c in columns:
        t.add_column(c.replace("_", " "), overflow="ellipsis", no_wrap=True)
    for rec in df.to_dict("records"):
        t.add_row(
            f"{rec['postings']:,}",
            f"{100 * rec['share']:.1f}%",
            *[_fmt(rec[c] or "none", 60) for c in columns],
        )
    return t


@main.command("evaluate-occupations")
@click.option(
    "--gold",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A CSV of postings coded by hand: title,code[,alt_code,job_id] (code: O*NET-SOC, or "
    "none). A prediction is right where it equals code or alt_code.",
)
@click.option(
    "--data",
    "sources",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Data holding the gold postings (by job_id): their descriptions are read too. "
    "Repeatable. Without it, postings are coded from their titles.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write each gold posting with its predictions to FILE.csv or FILE.parquet.",
)
@overwrite_option
@click.option("--quiet", is_flag=True, help="No progress bars.")
@click.option("--model", default="all-MiniLM-L6-v2", show_default=True, help="Embedding model.")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where vectors and converted data are cached [default: the per-user cache folder].",
)
def evaluate_occupations(
    gold: Path,
    sources: tuple[Path, ...],
    out: Path | None,
    overwrite: bool,
    quiet: bool,
    model: str,
    cache_dir: Path | None,
) -> None:
    """Score the occupation coder against a gold file: accuracy at the SOC major group, 6 digits
    and the full O*NET-SOC code, top-1 and top-3, for each half of the file (split by a hash of
    the title: tune on one half, check on the other) and for all; and the largest confusions."""
    from jobmap.config import Settings
    from jobmap.runs.occupations import evaluate_occupations as run

    settings = Settings.build("ml-ai", None, model=model, cache_dir=cache_dir, progress=not quiet)
    result = run(gold, sources, out=out, overwrite=overwrite, settings=settings)
    con = Console(highlight=False)
    t = Table(title=f"Occupation coding against {escape(str(gold))}", title_justify="left")
    columns = [c for c in result.metrics.columns if c != "half"]
    t.add_column("half")
    for c in columns:
        t.add_column(c, justify="right")
    for rec in result.metrics.to_dict("records"):
        t.add_row(
            rec["half"],
            *[_figure(rec[c], c == "postings") for c in columns],
        )
    con.print(t)
    for note in result.notes:
        con.print(f"Note: {escape(note)}", soft_wrap=True)
    described = result.manifest["described"]
    con.print(
        f"{described:,} of {len(result.coded):,} postings coded with their description; "
        "the rest from their title.",
        soft_wrap=True,
    )
    if len(result.confusions):
        errors = Table(title="Largest errors at 6 digits", title_justify="left")
        for name in ("postings", "gold", "predicted", "titles"):
            errors.add_column(name, overflow="fold")
        from jobmap.knowledge import occupation_titles

        names = occupation_titles()
        for rec in result.confusions.to_dict("records"):
            errors.add_row(
                str(rec["postings"]),
                escape(f"{rec['gold']} {names.get(rec['gold'], '')}"),
                escape(f"{rec['predicted']} {rec['predicted_title']}"),
                escape(_fmt(rec["titles"], 80)),
            )
        con.print(errors)
    if out is not None:
        click.echo(f"Wrote {len(result.coded):,} rows to {out}")
