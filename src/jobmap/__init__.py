"""jobmap: find every posting of a job family in job-posting datasets, and measure how well.

>>> import jobmap
>>> ds = jobmap.load()              # the bundled real sample (665 LinkedIn postings, CC BY-SA 4.0)
>>> ds.rows("postings")
665
"""

from jobmap._version import __version__
from jobmap.data import Dataset, load
from jobmap.data.inspect import inspect
from jobmap.data.sample import sample
from jobmap.embeddings import embed
from jobmap.runs import (
    Evaluation,
    FindRun,
    clusters,
    evaluate,
    evaluate_occupations,
    export_answers,
    find,
    import_answers,
    occupations,
    read_output,
    report,
    run_find,
    run_technologies,
    simulate,
    technologies,
    topics,
)

__all__ = [
    "Dataset",
    "Evaluation",
    "FindRun",
    "__version__",
    "clusters",
    "embed",
    "evaluate",
    "evaluate_occupations",
    "export_answers",
    "find",
    "import_answers",
    "inspect",
    "load",
    "occupations",
    "read_output",
    "report",
    "run_find",
    "run_technologies",
    "sample",
    "simulate",
    "technologies",
    "topics",
]
