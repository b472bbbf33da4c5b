"""``jobmap answers export`` and ``import``."""

from __future__ import annotations

import warnings
from pathlib import Path

import click

from jobmap.cli.app import main
from jobmap.cli.options import answers_option, data_options, families_option, overwrite_option
from jobmap.config import parse_column_mapping
from jobmap.errors import DataWarning


@main.group()
def answers() -> None:
    """Export and import a family's answers (the label format evaluate reads)."""


@answers.command("export")
@click.argument("family")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The labels CSV to write.",
)
@overwrite_option
@answers_option
@families_option
@data_options
def answers_export(
    family: str,
    out: Path,
    overwrite: bool,
    answers: Path | None,
    families_file: Path | None,
    data: Path | None,
    cache_dir: Path | None,
    columns: tuple[str, ...],
    encoding: str,
) -> None:
    """Write FAMILY's answers as labels (job_id,title,label): every posting they decide in
    --data; without --data, each answer about a posting by its job id and each answer about a
    title by its title (phrase answers need the data)."""
    from jobmap.runs import export_answers

    done = export_answers(
        family,
        out,
        answers=answers,
        data=data,
        columns=parse_column_mapping(columns),
        cache_dir=cache_dir,
        encoding=encoding,
        families=families_file,
        overwrite=overwrite,
    )
    for note in done.notes:
        warnings.warn(note, DataWarning, stacklevel=1)
    click.echo(f"Wrote {len(done.labels):,} labels from {done.answers:,} answers to {done.path}")


@answers.command("import")
@click.argument("family")
@click.argument("labels", type=click.Path(dir_okay=False, path_type=Path))
@answers_option
@families_option
def answers_import(
    family: str, labels: Path, answers: Path | None, families_file: Path | None
) -> None:
    """Read a label file (job_id,label, title,label, or job_id,title,label as export writes
    it) into FAMILY's answers, as one batch (one undo takes it back)."""
    from jobmap.runs import import_answers

    done = import_answers(family, labels, answers=answers, families=families_file)
    for note in done.notes:
        warnings.warn(note, DataWarning, stacklevel=1)
    click.echo(f"Imported {done.answers:,} answers for {family!r} into {done.path}")
