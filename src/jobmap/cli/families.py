"""``jobmap family add`` and ``jobmap families``."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from jobmap.cli.app import main
from jobmap.cli.options import families_option
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
    required=True,
    metavar="PHRASE",
    help="A phrase whose presence in a title marks the family. Repeatable.",
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
    examples: Path | None,
    keywords: tuple[str, ...],
    title: str,
    replace: bool,
    families_file: Path | None,
) -> None:
    """Add the family NAME from a few anchor phrases (and optional examples or keywords); then
    `jobmap find NAME`."""
    from jobmap.families import add_family

    path = add_family(
        name,
        list(anchors),
        examples=examples,
        title=title,
        keywords=list(keywords) or None,
        families_file=families_file,
        replace=replace,
    )
    hint = f"jobmap find {name}" + (f" --families {path}" if families_file else "")
    click.echo(f"Added family {name!r} to {path}. Try: {hint}")


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
