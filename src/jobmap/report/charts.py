"""The report's charts, drawn by matplotlib as inline SVG (no script, no CDN: the page works
offline), and the card each sits in with its caption."""

from __future__ import annotations

import html
import io
from typing import Any

import pandas as pd

FAMILY_COLOR = "#1f6feb"
REST_COLOR = "#9aa4ae"

CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2329;
background:#f6f8fa}
header{background:#0d1b2a;color:#fff;padding:20px 32px}
header h1{margin:0 0 4px;font-size:24px} header p{margin:0;opacity:.85}
main{max-width:1180px;margin:0 auto;padding:16px 24px;display:grid;
grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:18px}
section{background:#fff;border:1px solid #d8dee4;border-radius:8px;padding:14px 16px}
section h2{font-size:17px;margin:0 0 6px} .caption{color:#57606a;font-size:13px;margin:6px 0 0}
.kpis{display:flex;gap:28px;flex-wrap:wrap} .kpi b{display:block;font-size:26px}
.notes{grid-column:1/-1;background:#fff8e1;border-color:#f0d58c}
footer{max-width:1180px;margin:0 auto 32px;padding:0 24px;color:#57606a;font-size:12px}
footer pre{white-space:pre-wrap;background:#fff;border:1px solid #d8dee4;padding:10px;
border-radius:6px} svg{width:100%;height:auto}
section.wide{grid-column:1/-1} table.held{border-collapse:collapse;font-size:13px;margin-top:8px;
width:100%} table.held th,table.held td{border-bottom:1px solid #eaeef2;padding:3px 6px;
text-align:left} table.held td.n{text-align:right;font-variant-numeric:tabular-nums}
.postings-tools{display:flex;gap:12px;align-items:center;margin:6px 0}
.postings-tools input{flex:1;padding:5px 8px;border:1px solid #d0d7de;border-radius:6px}
.postings-wrap{max-height:560px;overflow:auto;border:1px solid #eaeef2}
table.postings{border-collapse:collapse;font-size:13px;width:100%}
table.postings th{position:sticky;top:0;background:#f6f8fa;cursor:pointer;text-align:left;
padding:4px 6px;border-bottom:1px solid #d0d7de;white-space:nowrap}
table.postings th[aria-sort=ascending]::after{content:" \\25B2"}
table.postings th[aria-sort=descending]::after{content:" \\25BC"}
table.postings td{padding:3px 6px;border-bottom:1px solid #eaeef2;vertical-align:top}
table.postings td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
"""


def svg(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def figure(height: float = 3.6) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "font.size": 9})
    fig, ax = plt.subplots(figsize=(6.4, height), dpi=100)
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def share_bars(df: pd.DataFrame, key: str, family_label: str) -> str:
    """Grouped horizontal bars: share of family postings vs share of the others."""
    d = df.iloc[::-1]
    fig, ax = figure(0.9 + 0.32 * len(d))
    y = range(len(d))
    labels = [_label(v) for v in d[key]]
    ax.barh(
        [i + 0.2 for i in y], d["family_share"] * 100, 0.4, color=FAMILY_COLOR, label=family_label
    )
    ax.barh(
        [i - 0.2 for i in y],
        d["rest_share"] * 100,
        0.4,
        color=REST_COLOR,
        label="all other postings",
    )
    ax.set_yticks(list(y), labels)
    ax.set_xlabel("% of the group's postings")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
    return svg(fig)


def _label(value: Any, width: int = 48) -> str:
    """A bar's label: whole up to ``width`` characters, else cut with an ellipsis."""
    text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def count_bars(df: pd.DataFrame, key: str, value: str) -> str:
    from matplotlib.ticker import MaxNLocator

    d = df.iloc[::-1]
    fig, ax = figure(0.9 + 0.28 * len(d))
    ax.barh([str(v)[:48] for v in d[key]], d[value], color=FAMILY_COLOR)
    ax.set_xlabel("postings")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts: whole numbers
    return svg(fig)


def salary_chart(values: pd.DataFrame, family_label: str) -> str:
    import numpy as np

    fig, ax = figure(3.4)
    bins = np.linspace(values["annual_salary"].min(), values["annual_salary"].quantile(0.99), 30)
    for group, color, label in (
        ("rest", REST_COLOR, "all other postings"),
        ("family", FAMILY_COLOR, family_label),
    ):
        part = values.loc[values["group"] == group, "annual_salary"]
        if len(part):
            # each group's bars add up to 100%: a group of 6 and one of 367 on one scale
            ax.hist(
                part,
                bins=bins,
                weights=np.full(len(part), 100.0 / len(part)),
                alpha=0.6,
                color=color,
                label=f"{label} (n={len(part):,}, median ${part.median():,.0f})",
            )
            ax.axvline(part.median(), color=color, linestyle="--")
    ax.set_xlabel("annual salary (USD, normalised from the pay period)")
    ax.set_ylabel("% of the group's postings")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=1, frameon=False, fontsize=8)
    return svg(fig)


def grouped_medians(df: pd.DataFrame, family_label: str) -> str:
    levels = list(dict.fromkeys(df["formatted_experience_level"]))
    fig, ax = figure(0.9 + 0.45 * len(levels))
    for offset, group, color, label in (
        (0.2, "family", FAMILY_COLOR, family_label),
        (-0.2, "rest", REST_COLOR, "all other postings"),
    ):
        part = df[df["group"] == group].set_index("formatted_experience_level")
        ys = [i + offset for i in range(len(levels))]
        vals = [part["median"].get(lv, 0) for lv in levels]
        ax.barh(ys, vals, 0.4, color=color, label=label)
        for yv, lv, v in zip(ys, levels, vals, strict=True):
            if v:
                ax.text(
                    v,
                    yv,
                    f" ${v:,.0f} (n={int(part['postings'].get(lv, 0))})",
                    va="center",
                    fontsize=7,
                )
    ax.set_yticks(range(len(levels)), levels)
    ax.set_xlabel("median annual salary (USD)")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
    return svg(fig)


def time_chart(df: pd.DataFrame, family_label: str) -> str:
    fig, ax = figure(3.0)
    total = df["family"] + df["rest"]
    share = (df["family"] / total.where(total > 0)) * 100
    ax.plot(df["month"], share, marker="o", color=FAMILY_COLOR)
    ax.set_ylabel(f"% of postings that are {family_label}")
    ax2 = ax.twinx()
    ax2.bar(df["month"], total, color=REST_COLOR, alpha=0.35)
    ax2.set_ylabel("all postings")
    ax.set_zorder(ax2.get_zorder() + 1)
    ax.patch.set_visible(False)
    ax.tick_params(axis="x", rotation=45)
    return svg(fig)


def section(title: str, body: str, caption: str, wide: bool = False) -> str:
    attrs = " class='wide'" if wide else ""
    return (
        f"<section{attrs}><h2>{html.escape(title)}</h2>{body}"
        f"<p class='caption'>{html.escape(caption)}</p></section>"
    )


def table(df: pd.DataFrame, columns: dict[str, str], formats: dict[str, str] | None = None) -> str:
    """A small HTML table of ``df``: ``columns`` maps each column to its header; ``formats`` a
    column to a format ("{:,}", "{:.1%}", "${:,.0f}"); every cell escaped."""
    formats = formats or {}
    head = "".join(f"<th>{html.escape(h)}</th>" for h in columns.values())
    rows = []
    for rec in df.to_dict("records"):
        cells = []
        for c in columns:
            v = rec.get(c)
            missing = v is None or (isinstance(v, float) and v != v)
            text = "–" if missing else formats.get(c, "{}").format(v)
            numeric = c in formats
            cells.append(f"<td{' class=n' if numeric else ''}>{html.escape(text)}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table class='held'><tr>{head}</tr>{''.join(rows)}</table>"


__all__ = [
    "CSS",
    "FAMILY_COLOR",
    "REST_COLOR",
    "count_bars",
    "figure",
    "grouped_medians",
    "salary_chart",
    "section",
    "share_bars",
    "svg",
    "table",
    "time_chart",
]
