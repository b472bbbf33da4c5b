"""``jobmap review``."""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

import click

from jobmap.cli.app import main
from jobmap.cli.options import _settings, method_option, run_options
from jobmap.errors import ConfigError


@main.command()
@click.argument("family", default="ml-ai")
@method_option("The method re-fitted after each answer (as in find).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Where to listen.")
@click.option("--port", default=0, type=click.IntRange(0, 65535), help="[default: a free one]")
@click.option("--no-browser", is_flag=True, help="Print the URL only; do not open a browser.")
@click.option(
    "--no-occupations",
    is_flag=True,
    help="Ask no occupation questions (they code the data to O*NET occupations first: about a "
    "minute the first time, then cached).",
)
@run_options
def review(
    family: str,
    method: str,
    host: str,
    port: int,
    no_browser: bool,
    no_occupations: bool,
    **params: Any,
) -> None:
    """Open a local page that asks you about FAMILY's postings, one key per answer (y/n/s,
    Backspace to undo), re-fits the family after each answer and exports it. Answers are saved
    as you give them."""
    from jobmap.answers import AnswerStore
    from jobmap.review import ReviewSession
    from jobmap.web import serve
    from jobmap.web.server import listen

    if params.get("no_answers"):
        raise ConfigError("--no-answers: a review is made of answers; leave it out here.")
    sock = listen(host, port)  # a port in use is said now, not after the first fit
    settings = _settings(family, method, params)
    store = AnswerStore(settings.answers)
    click.echo(f"Answers: {store.path}")
    session = ReviewSession(settings, store, background=True, occupations=not no_occupations)
    serve(session, host=host, sock=sock, open_browser=not no_browser)
    if any(t.is_alive() for t in threading.enumerate() if t is not threading.main_thread()):
        # the occupation coding may still be in the model (the first run embeds O*NET's titles):
        # every answer is committed, so end now rather than abort in a native thread at exit
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
