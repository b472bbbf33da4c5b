"""The application layer: one function per run (find, evaluate, a simulated review, report,
topics, clusters, answers out and in), each of :class:`~jobmap.config.Settings` and its inputs,
each returning a result that holds its tables, its manifest (:mod:`jobmap.runs.manifest`) and its
notes, and writing its files through :mod:`jobmap.outputs`. The command line builds settings,
makes one of these calls and renders what it returns; a notebook makes the same calls."""

from jobmap.runs.answers import Exported, Imported, export_answers, import_answers
from jobmap.runs.evaluate import Evaluation, evaluate
from jobmap.runs.find import (
    FindRun,
    check_out,
    clusters,
    find,
    read_output,
    run_find,
    run_inputs,
    topics,
)
from jobmap.runs.occupations import (
    OccupationEvaluation,
    Occupations,
    evaluate_occupations,
    occupations,
    run_occupations,
)
from jobmap.runs.report import Report, report
from jobmap.runs.simulate import Simulation, simulate
from jobmap.runs.technologies import (
    Technologies,
    TechnologyEvaluation,
    evaluate_technologies,
    run_technologies,
    technologies,
)

__all__ = [
    "Evaluation",
    "Exported",
    "FindRun",
    "Imported",
    "OccupationEvaluation",
    "Occupations",
    "Report",
    "Simulation",
    "Technologies",
    "TechnologyEvaluation",
    "check_out",
    "clusters",
    "evaluate",
    "evaluate_occupations",
    "evaluate_technologies",
    "export_answers",
    "find",
    "import_answers",
    "occupations",
    "read_output",
    "report",
    "run_find",
    "run_inputs",
    "run_occupations",
    "run_technologies",
    "simulate",
    "technologies",
    "topics",
]
