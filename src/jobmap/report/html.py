"""The report's one self-contained HTML page: a header, each section's card in order, the notes on
what the data does not allow, and the run manifest in the footer."""

from __future__ import annotations

import html
import json
from typing import Any

import pandas as pd

from jobmap.report.charts import CSS
from jobmap.report.sections import SECTIONS, Page


def render(
    tables: dict[str, pd.DataFrame], notes: list[str], manifest: dict[str, Any], family_title: str
) -> str:
    """The whole page as a string."""
    counts = dict(zip(tables["overview"]["group"], tables["overview"]["postings"], strict=True))
    page = Page(family_title, int(counts["family"]), int(counts["rest"]), manifest)
    parts = [card for part in SECTIONS if (card := part.render(tables, page))]
    if notes:
        items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
        parts.append(
            f"<section class='notes'><h2>What this data does not allow</h2>"
            f"<ul>{items}</ul></section>"
        )
    title = f"{family_title} jobs: jobmap report"
    footer = html.escape(json.dumps(manifest, indent=2, default=str))
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{html.escape(title)}</h1><p>{html.escape(str(manifest.get('data')))}"
        f" &middot; {page.n_all:,} postings</p></header><main>{''.join(parts)}</main>"
        f"<footer>{_notice(tables)}<p>Run manifest (data, method, threshold, model, version):</p>"
        f"<pre>{footer}</pre><p>Data: LinkedIn Job Postings (2023-2024) by Arsh Koneru, "
        "CC BY-SA 4.0, where that dataset is the source.</p></footer>"
        f"{_script(tables)}</body></html>"
    )


def _script(tables: dict[str, pd.DataFrame]) -> str:
    """The found postings' sort and filter: a small script of the page's own (no network)."""
    if "found_postings" not in tables or not len(tables["found_postings"]):
        return ""
    from importlib import resources

    code = (resources.files("jobmap.report") / "static" / "postings.js").read_text()
    return f"<script>{code}</script>"


def _notice(tables: dict[str, pd.DataFrame]) -> str:
    """O*NET's attribution where its technology names are shown."""
    if "technologies" not in tables:
        return ""
    from jobmap.knowledge import attribution

    notice = " ".join(attribution().split("\n\n")[0].split())
    return f"<p>Technologies: {html.escape(notice)}</p>"


__all__ = ["render"]
