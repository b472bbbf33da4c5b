"""Reports: what the postings of a family look like (salaries, skills, industries, locations)
against the rest of the market: the tables (:mod:`jobmap.report.tables`) and one self-contained
HTML page (:mod:`jobmap.report.html`). The run that writes them is :func:`jobmap.runs.report`."""

from jobmap.report.html import render
from jobmap.report.tables import SALARY_RANGE, build_tables

__all__ = ["SALARY_RANGE", "build_tables", "render"]
