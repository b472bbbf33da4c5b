"""The ``jobmap`` group and its error edge: a library error is one ``Error: ...`` line and exit
code 1, an option with a bad value too; exit code 2 is left for bugs."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape

from jobmap._version import __version__
from jobmap.config import DEBUG_ENV, debug
from jobmap.errors import DataWarning, JobmapError

F = TypeVar("F", bound=Callable[..., Any])

err_console = Console(stderr=True, highlight=False, soft_wrap=True)
#: Columns listed per table by ``inspect`` (a file may have 100,000).
MAX_COLUMNS_SHOWN = 200
#: Postings columns worth a glance in ``inspect``'s sample rows (the table has ~30).
SAMPLE_COLUMNS = ("job_id", "title", "company_name", "location", "annual_salary", "listed_time")


def _show_warning(message: Warning | str, category: type[Warning], *_: Any, **__: Any) -> None:
    if issubclass(category, DataWarning):
        err_console.print(f"[yellow]Warning:[/] {escape(str(message))}", markup=True)
    else:
        err_console.print(f"[dim]{category.__name__}: {escape(str(message))}[/]", markup=True)


class JobmapGroup(click.Group):
    """Turns library errors into one line on stderr instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        warnings.showwarning = _show_warning
        try:
            return super().invoke(ctx)
        except JobmapError as exc:
            if debug():
                raise
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("Error: interrupted; nothing half-written was kept.", err=True)
            ctx.exit(130)
        except click.UsageError as exc:
            # a known cause like any other: one line, exit 1 (exit 2 is left for bugs)
            where = exc.ctx.command_path if exc.ctx is not None else ctx.command_path
            message = " ".join(exc.format_message().split())
            click.echo(f"Error: {message} (see {where} --help)", err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            if debug():
                raise
            click.echo(
                f"Error: unexpected {type(exc).__name__}: {exc}. This is a bug in jobmap; run "
                f"again with {DEBUG_ENV}=1 for the details and report them.",
                err=True,
            )
            ctx.exit(2)


@click.group(cls=JobmapGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jobmap")
def main() -> None:
    """Find every posting of a job family (ML/AI first) in job-posting datasets.

    Start with `jobmap inspect` to see what a dataset holds.
    """
