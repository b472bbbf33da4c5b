"""The ``jobmap`` command, a thin layer over the application layer (:mod:`jobmap.runs`): each
command builds :class:`~jobmap.config.Settings` from its options, makes one call and renders what
it returns. One module per command group; the group and its error edge in :mod:`.app`, the
shared options in :mod:`.options`, terminal rendering in :mod:`.render`."""

from jobmap.cli import (  # noqa: F401
    answers,
    data,
    evaluate,
    families,
    find,
    occupations,
    report,
    review,
    technologies,
)
from jobmap.cli.app import main

__all__ = ["main"]
