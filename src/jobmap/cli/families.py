"""``jobmap family add`` and ``jobmap families``."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from jobmap.cli.app import main
from jobmap.cli.options import DATA_PATH, families_option
from jobmap.cli.render import _fmt


@main.group()
def family() -> None:
    """Manage job families (see also `jobmap families`)."""


@family.command("add")
@click.argument("name")
@click.option(
    "--anchors",
    "anchors",
    multiple=True,
    metavar="PHRASE",
    help="A phrase whose presence in a title marks the family. Repeatable.",
)
@click.option(
    "--soc",
    "occupations",
    multiple=True,
    metavar="CODE",
    help="An O*NET-SOC occupation the family holds, or a prefix (15-1212 covers 15-1212.00; "
    "15-12 every computer occupation). Repeatable; alone or beside --anchors.",
)
@click.option(
    "--data",
    type=DATA_PATH,
    default=None,
    help="Show the occupations the anchors fall into in this data, and how many postings each "
    "holds (what the family may be missing).",
)
@click.option(
    "--examples",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="CSV of title,label (yes/no): labelled example titles to learn from.",
)
@click.option(
    "--keywords",
    "keywords",
    multiple=True,
    metavar="PHRASE",
    help="A keyword rule phrase (whole words, * for any ending). Repeatable.",
)
@click.option("--title", default="", help="A human name for the family.")
@click.option("--replace", is_flag=True, help="Overwrite a family of the same name.")
@families_option
def family_add(
    name: str,
    anchors: tuple[str, ...],
    occupations: tuple[str, ...],
    data: Path | None,
    examples: Path | None,
    keywords: tuple[str, ...],
    title: str,
    replace: bool,
    families_file: Path | None,
) -> None:
    """Add the family NAME from a few anchor phrases or O*NET-SOC occupations (and optional
    examples or keywords); then `jobmap find NAME`. With --data, also show the occupations the
    family's phrases fall into."""
    from jobmap.families import add_family
    from jobmap.knowledge.coder import check_occupations

    check_occupations(list(occupations), "--soc")
    path = add_family(
        name,
        list(anchors),
        examples=examples,
        title=title,
        keywords=list(keywords) or None,
        occupations=list(occupations) or None,
        families_file=families_file,
        replace=replace,
    )
    hint = f"jobmap find {name}" + (f" --families {path}" if families_file else "")
    click.echo(f"Added family {name!r} to {path}. Try: {hint}")
    if occupations:
        from jobmap.knowledge import occupation_titles
        from jobmap.knowledge.coder import covered

        names = occupation_titles()
        codes = covered(list(occupations))
        shown = ", ".join(f"{c} {names[c]}" for c in codes[:12])
        more = f" and {len(codes) - 12} more" if len(codes) > 12 else ""
        click.echo(f"Its occupations ({len(codes)}): {shown}{more}.")
    if data is None:
        return
    from jobmap.runs.occupations import family_occupations

    table = family_occupations(name, data, families=path, progress=False)
    if not len(table):
        click.echo("No posting of the data holds the family's phrases.")
        return
    t = Table(
        title=f"Occupations the phrases fall into in {data} (held: of all postings coded to it)",
        title_justify="left",
    )
    for col in ("in family", "postings", "held", "occupation"):
        t.add_column(col, justify="right" if col != "occupation" else "left", overflow="fold")
    for rec in table.to_dict("records"):
        t.add_row(
            f"{rec['in_family']:,}",
            f"{rec['postings']:,}",
            f"{100 * rec['held']:.0f}%",
            _fmt(f"{rec['occupation_code']} {rec['occupation_title']}", 80),
        )
    Console(highlight=False).print(t)
    click.echo(
        "An occupation the phrases hold little of may hold titles the family misses: add it "
        f"with --soc CODE (jobmap family add {name} --replace ... --soc CODE)."
    )


@main.command()
@families_option
def families(families_file: Path | None) -> None:
    """List the job families jobmap knows, with their anchor phrases and where they come from."""
    from jobmap.families import load_families, user_families_file

    found = load_families(families_file)
    t = Table(title="Families", title_justify="left")
    for col in ("name", "title", "anchor phrases", "from"):
        t.add_column(col, overflow="fold")
    for fam in found.values():
        t.add_row(
            *(_fmt(v, 500) for v in (fam.name, fam.title, ", ".join(fam.anchors), fam.origin))
        )
    Console(highlight=False).print(t)
    click.echo(f"Your own families go in {user_families_file()} or a file given with --families.")
