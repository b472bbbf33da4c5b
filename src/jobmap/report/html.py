"""One self-contained HTML page: charts drawn by matplotlib as inline SVG (no script, no CDN, works
offline), each with a caption saying what it shows and how many postings it rests on."""

from __future__ import annotations

import html
import io
import json
from typing import Any

import pandas as pd

from jobmap.report.tables import SALARY_RANGE

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
"""


def _svg(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def _figure(height: float = 3.6) -> tuple[Any, Any]:
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
    fig, ax = _figure(0.9 + 0.32 * len(d))
    y = range(len(d))
    labels = [str(v)[:38] for v in d[key]]
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
    return _svg(fig)


def count_bars(df: pd.DataFrame, key: str, value: str) -> str:
    d = df.iloc[::-1]
    fig, ax = _figure(0.9 + 0.28 * len(d))
    ax.barh([str(v)[:48] for v in d[key]], d[value], color=FAMILY_COLOR)
    ax.set_xlabel("postings")
    return _svg(fig)


def salary_chart(values: pd.DataFrame, family_label: str) -> str:
    import numpy as np

    fig, ax = _figure(3.4)
    bins = np.linspace(values["annual_salary"].min(), values["annual_salary"].quantile(0.99), 30)
    for group, color, label in (
        ("rest", REST_COLOR, "all other postings"),
        ("family", FAMILY_COLOR, family_label),
    ):
        part = values.loc[values["group"] == group, "annual_salary"]
        if len(part):
            ax.hist(
                part,
                bins=bins,
                density=True,
                alpha=0.6,
                color=color,
                label=f"{label} (n={len(part):,}, median ${part.median():,.0f})",
            )
            ax.axvline(part.median(), color=color, linestyle="--")
    ax.set_xlabel("annual salary (USD, normalised from the pay period)")
    ax.set_yticks([])
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=1, frameon=False, fontsize=8)
    return _svg(fig)


def grouped_medians(df: pd.DataFrame, family_label: str) -> str:
    levels = list(dict.fromkeys(df["formatted_experience_level"]))
    fig, ax = _figure(0.9 + 0.45 * len(levels))
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
    return _svg(fig)


def time_chart(df: pd.DataFrame, family_label: str) -> str:
    fig, ax = _figure(3.0)
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
    return _svg(fig)


def section(title: str, body: str, caption: str) -> str:
    return (
        f"<section><h2>{html.escape(title)}</h2>{body}"
        f"<p class='caption'>{html.escape(caption)}</p></section>"
    )


def render(
    tables: dict[str, pd.DataFrame], notes: list[str], manifest: dict[str, Any], family_title: str
) -> str:
    """The whole page as a string."""
    fam = family_title
    counts = dict(zip(tables["overview"]["group"], tables["overview"]["postings"], strict=True))
    n_fam, n_rest = int(counts["family"]), int(counts["rest"])
    n_all = n_fam + n_rest
    parts = [
        section(
            "At a glance",
            f"<div class='kpis'><div class='kpi'><b>{n_fam:,}</b>{html.escape(fam)} postings</div>"
            f"<div class='kpi'><b>{100 * n_fam / max(1, n_all):.2f}%</b>of all {n_all:,} postings"
            f"</div><div class='kpi'><b>{html.escape(str(manifest.get('method', '')))}</b>method"
            "</div></div>",
            f"Postings found by jobmap find ({manifest.get('method')}) against all the others.",
        )
    ]
    if "salary_values" in tables and len(tables["salary_values"]):
        v = tables["salary_values"]
        parts.append(
            section(
                "Annual salary",
                salary_chart(v, fam),
                f"Distribution of annual salary (pay normalised to a year from its "
                f"period); dashed lines are medians. Rests on {len(v):,} postings "
                f"with a yearly salary between ${SALARY_RANGE[0]:,} and ${SALARY_RANGE[1]:,}.",
            )
        )
    if "salary_by_experience" in tables and len(tables["salary_by_experience"]):
        d = tables["salary_by_experience"]
        parts.append(
            section(
                "Median salary by experience level",
                grouped_medians(d, fam),
                f"Median annual salary per experience level, with each median's "
                f"sample size; {int(d['postings'].sum()):,} postings.",
            )
        )
    if len(tables["top_titles"]):
        t = tables["top_titles"]
        parts.append(
            section(
                f"Top {fam} titles",
                count_bars(t.head(15), "title", "postings"),
                f"Most common titles among the {n_fam:,} {fam} postings.",
            )
        )
    labels = {
        "companies": ("Companies", "company"),
        "job_industries": ("Job industries", "industry of the posting"),
        "company_industries": ("Company industries", "industry of the hiring company"),
        "skills": ("Skills", "skill listed on the posting"),
        "benefits": ("Benefits", "benefit listed on the posting"),
        "states": ("Locations (US states)", "state parsed from the location"),
        "experience": ("Experience levels", "experience level"),
        "work_type": ("Work types", "work type"),
        "company_size": ("Company size", "employee count of the hiring company"),
    }
    for name, (title, what) in labels.items():
        if name not in tables or not len(tables[name]):
            continue
        d = tables[name]
        key = d.columns[0]
        n = int(d["family"].sum())
        parts.append(
            section(
                title,
                share_bars(d, key, fam),
                f"Share of each group's postings per {what} (top {len(d)}); the "
                f"{fam} bars rest on {n:,} posting-{what} pairs.",
            )
        )
    if "remote" in tables:
        shares = {
            str(g): float(v)
            for g, v in zip(
                tables["remote"]["group"], tables["remote"]["remote_share"], strict=True
            )
        }
        fig, ax = _figure(1.6)
        ax.barh(
            ["all other postings", fam],
            [100 * shares["rest"], 100 * shares["family"]],
            color=[REST_COLOR, FAMILY_COLOR],
        )
        ax.set_xlabel("% of postings that allow remote work")
        parts.append(
            section(
                "Remote work",
                _svg(fig),
                f"Share of postings marked remote_allowed; {n_all:,} postings.",
            )
        )
    if "over_time" in tables and len(tables["over_time"]):
        d = tables["over_time"]
        parts.append(
            section(
                "Postings over time",
                time_chart(d, fam),
                f"{fam} share of each month's postings (line) and all postings per "
                f"month (bars), by listed_time; {int((d['family'] + d['rest']).sum()):,}"
                " postings.",
            )
        )
    if notes:
        items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
        parts.append(
            f"<section class='notes'><h2>What this data does not allow</h2>"
            f"<ul>{items}</ul></section>"
        )
    title = f"{fam} jobs: jobmap report"
    footer = html.escape(json.dumps(manifest, indent=2, default=str))
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{html.escape(title)}</h1><p>{html.escape(str(manifest.get('data')))}"
        f" &middot; {n_all:,} postings</p></header><main>{''.join(parts)}</main>"
        f"<footer><p>Run manifest (data, method, threshold, model, version):</p>"
        f"<pre>{footer}</pre><p>Data: LinkedIn Job Postings (2023-2024) by Arsh Koneru, "
        "CC BY-SA 4.0, where that dataset is the source.</p></footer></body></html>"
    )
