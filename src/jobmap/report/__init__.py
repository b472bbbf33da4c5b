"""Reports: what the postings of a family look like (salaries, skills, industries, locations)
against the rest of the market, as tables and one self-contained HTML page."""
