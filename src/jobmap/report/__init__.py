"""Reports: what the postings of a family look like (salaries, skills, industries, locations)
against the rest of the market: an ordered list of sections (:mod:`jobmap.report.sections`), each
building its tables and rendering its card, on one self-contained HTML page
(:mod:`jobmap.report.html`). The run that writes them is :func:`jobmap.runs.report`."""

from jobmap.report.html import render
from jobmap.report.sections import SECTIONS, Section, build_tables
from jobmap.report.tables import SALARY_RANGE

__all__ = ["SALARY_RANGE", "SECTIONS", "Section", "build_tables", "render"]
