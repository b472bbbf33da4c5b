"""The report as an ordered list of sections: each builds its tables from the scored postings
and the dataset (or says, in a note, what the data lacks for it), and renders its card with a
caption saying what it shows and how many postings it rests on. A new section is one class in
:data:`SECTIONS`; the tables (``report --tables``) and the page follow from it."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from jobmap.data import Dataset
from jobmap.report import charts
from jobmap.report.tables import (
    GROUPS,
    SALARY_RANGE,
    SIZE_BINS,
    SIZE_LABELS,
    STATE,
    compare,
    group_sizes,
    with_side,
)

#: What a section built: its tables (by name) and its notes on what the data lacks.
Built = tuple[dict[str, pd.DataFrame], list[str]]


@dataclass
class Page:
    """What every card knows of the page: the family's name and the group sizes."""

    family: str
    n_family: int
    n_rest: int
    manifest: dict[str, Any]

    @property
    def n_all(self) -> int:
        return self.n_family + self.n_rest


class Section:
    """One part of the report: :meth:`build` its tables, :meth:`render` its card."""

    #: The tables it builds (their names in ``report --tables``).
    tables: ClassVar[tuple[str, ...]] = ()

    def build(self, p: pd.DataFrame, ds: Dataset) -> Built:
        """Its tables from the postings ``p`` (with ``group``: family or rest) and ``ds``."""
        raise NotImplementedError

    def render(self, tables: dict[str, pd.DataFrame], page: Page) -> str | None:
        """Its card (a chart and a caption), or None when its tables are absent or empty."""
        raise NotImplementedError


class Overview(Section):
    tables = ("overview",)

    def build(self, p: pd.DataFrame, ds: Dataset) -> Built:
        sizes = p.groupby("group")["job_id"].nunique().reindex(list(GROUPS)).fillna(0).astype(int)
        table = pd.DataFrame(
            {
                "group": list(GROUPS),
                "postings": sizes.to_numpy(),
                "share": sizes.to_numpy() / max(1, len(p)),
            }
        )
        return {"overview": table}, []

    def render(self, tables: dict[str, pd.DataFrame], page: Page) -> str | None:
        asked = str(page.manifest.get("method", ""))
        picked = page.manifest.get("picked")
        # the method that decided: "auto" says which it picked
        method = html.escape(f"{picked} (picked by {asked})" if picked else asked)
        fam = html.escape(page.family)
        share = 100 * page.n_family / max(1, page.n_all)
        body = (
            f"<div class='kpis'><div class='kpi'><b>{page.n_family:,}</b>{fam} postings</div>"
            f"<div class='kpi'><b>{share:.2f}%</b>of all {page.n_all:,} postings</div>"
            f"<div class='kpi'><b>{method}</b>method</div></div>"
        )
        caption = (
            f"Postings found by jobmap find ({page.manifest.get('method')}) against all the others."
        )
        return charts.section("At a glance", body, caption)


def _salary_source(p: pd.DataFrame, ds: Dataset) -> pd.Series | None:
    """Each posting's yearly salary, aligned with ``p``: the postings' own column, else the median
    of the salaries table's rows for it; None where the data has neither."""
    if "annual_salary" in p.columns and p["annual_salary"].notna().any():
        return p["annual_salary"]
    if ds.has("salaries"):
        median = ds.table("salaries").groupby("job_id")["annual_salary"].median()
        return p["job_id"].map(median)
    return None


class Salary(Section):
    """Salaries: the postings' own columns, else the salaries side table; only plausible yearly
    amounts (:data:`SALARY_RANGE`), those left out counted in a note."""

    tables = ("salary", "salary_values", "salary_by_experience")

    def build(self, p: pd.DataFrame, ds: Dataset) -> Built:
        salary = p[["job_id", "group"]].copy()
        source = _salary_source(p, ds)
        if source is not None:
            salary["annual_salary"] = source
        if "annual_salary" not in salary.columns or not salary["annual_salary"].notna().any():
            return {}, [
                "No salary data: the postings have no salary columns and there is no salaries "
                "table."
            ]
        notes = []
        sal = salary.dropna(subset=["annual_salary"])
        # hourly rates mistyped as yearly and the like: keep plausible yearly amounts, and say
        # how many were left out
        low = int((sal["annual_salary"] < SALARY_RANGE[0]).sum())
        high = int((sal["annual_salary"] > SALARY_RANGE[1]).sum())
        if low or high:
            notes.append(
                f"Salaries: {low + high:,} of the {len(sal):,} postings with a salary are left out "
                f"of the salary figures, their yearly amount below ${SALARY_RANGE[0]:,} ({low:,}) "
                f"or above ${SALARY_RANGE[1]:,} ({high:,}): mostly hourly or monthly pay typed "
                "as yearly."
            )
        sal = sal[sal["annual_salary"].between(*SALARY_RANGE)]
        tables = {
            "salary": sal.groupby("group")["annual_salary"]
            .describe(percentiles=[0.25, 0.5, 0.75])[["count", "25%", "50%", "75%"]]
            .rename(columns={"count": "postings", "25%": "p25", "50%": "median", "75%": "p75"})
            .reindex(list(GROUPS))
            .astype({"postings": "Int64"})  # a count, not 6.0
            .reset_index(),
            "salary_values": sal[["job_id", "group", "annual_salary"]],
        }
        if "formatted_experience_level" in p.columns:
            lvl = sal.merge(p[["job_id", "formatted_experience_level"]], on="job_id")
            tables["salary_by_experience"] = (
                lvl.dropna(subset=["formatted_experience_level"])
                .groupby(["formatted_experience_level", "group"])["annual_salary"]
                .agg(median="median", postings="count")
                .reset_index()
            )
        return tables, notes

    def render(self, tables: dict[str, pd.DataFrame], page: Page) -> str | None:
        cards = []
        v = tables.get("salary_values")
        if v is not None and len(v):
            cards.append(
                charts.section(
                    "Annual salary",
                    charts.salary_chart(v, page.family),
                    f"Distribution of annual salary (pay normalised to a year from its "
                    f"period) as a share of each group's postings (each group's bars add up to "
                    f"100%, so a small group and a large one share one scale); dashed lines are "
                    f"medians. Rests on {len(v):,} postings "
                    f"with a yearly salary between ${SALARY_RANGE[0]:,} and "
                    f"${SALARY_RANGE[1]:,}.",
                )
            )
        d = tables.get("salary_by_experience")
        if d is not None and len(d):
            cards.append(
                charts.section(
                    "Median salary by experience level",
                    charts.grouped_medians(d, page.family),
                    f"Median annual salary per experience level, with each median's "
                    f"sample size; {int(d['postings'].sum()):,} postings.",
                )
            )
        return "".join(cards) or None


class TopTitles(Section):
    tables = ("top_titles",)

    def build(self, p: pd.DataFrame, ds: Dataset) -> Built:
        table = (
            p[p["group"] == "family"]["title"]
            .value_counts()
            .head(20)
            .rename_axis("title")
            .reset_index(name="postings")
        )
        return {"top_titles": table}, []

    def render(self, tables: dict[str, pd.DataFrame], page: Page) -> str | None:
        t = tables.get("top_titles")
        if t is None or not len(t):
            return None
        return charts.section(
            f"Top {page.family} titles",
            charts.count_bars(t.head(15), "title", "postings"),
            f"Most common titles among the {page.n_family:,} {page.family} postings.",
        )


class Shares(Section):
    """A comparison of the two groups' shares per value of one attribute (companies,
    industries, skills...): grouped bars of the top values."""

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    what: ClassVar[str] = ""
    #: When the data lacks what it needs: the note (None: no note, the attribute is optional).
    missing: ClassVar[str | None] = None

    def table(self, p: pd.DataFrame, ds: Dataset) -> pd.DataFrame | None:
        raise NotImplementedError

    def build(self, p: pd.DataFrame, ds: Dataset) -> Built:
        table = self.table(p, ds)
        if table is None:
            return {}, [self.missing] if self.missing else []
        return {self.name: table}, []

    def render(self, tables: dict[str, pd.DataFrame], page: Page) -> str | None:
        d = tables.get(self.name)
        if d is None or not len(d):
            return None
        n = int(d["family"].sum())
        return charts.section(
            self.title,
            charts.share_bars(d, d.columns[0], page.family),
            f"Share of each group's postings per {self.what} (top {len(d)}); the "
            f"{page.family} bars rest on {n:,} pairs of a posting and its {self.what}.",
        )


class Companies(Shares):
    name, title, what = "companies", "Companies", "company"
    missing = "No company names: no company_name column and no companies table."
    tables = ("companies",)

    def table(self, p: pd.DataFrame, ds: Dataset) -> pd.DataFrame | None:
        if "company_name" in p.columns and p["company_name"].notna().any():
            return compare(p, "company_name")
        if ds.has("companies") and "company_id" in p.columns:
            names = ds.table("companies")[["company_id", "name"]]
            return compare(p.merge(names, on="company_id", how="left"), "name")
        return None


class JobIndustries(Shares):
    name, title, what = "job_industries", "Job industries", "industry of the posting"
    missing = "No job industries (job_industries or industries table missing)."
    tables = ("job_industries",)

    def table(self, p: pd.DataFrame, ds: Dataset) -> pd.DataFrame | None:
        if not (ds.has("job_industries") and ds.has("industries")):
            return None
        ind = ds.table("job_industries").merge(ds.table("industries"), on="industry_id")
        return compare(
            with_side(p, ind, "job_id", "industry_name"), "industry_name", sizes=group_sizes(p)
        )


class CompanyIndustries(Shares):
    name, title = "company_industries", "Company industries"
    what = "industry of the hiring company"
    missing = "No company industries (company_industries table missing)."
    tables = ("company_industries",)

    def table(self, p: pd.DataFrame, ds: Dataset) -> pd.DataFrame | None:
        if not (ds.has("company_industries") and "company_id" in p.columns):
            return None
        side = ds.table("company_industries")
        return compare(
            with_side(p, side, "company_id", "industry"), "industry", sizes=group_sizes(p)
        )


class Skills(Shares):
    name, title, what = "skills", "Skills", "skill listed on the posting"
    missing = "No skills (job_skills or skills table missing)."
    tables = ("skills",)

    def table(self, p: pd.DataFrame, ds: Dataset) -> pd.DataFrame | None:
        if not (ds.has("job_skills") and ds.has("skills")):
            return None
        sk = ds.table("job_skills").merge(ds.table("skills"), on="skill_abr")
        side = with_side(p, sk, "job_id", "skill_name")
        return compare(side, "skill_name", sizes=group_sizes(p))


class Benefits(Shares):
    name, title, what = "benefits", "Benefits", "benefit listed on the posting"
    missing = "No benefits table."
    tables = ("benefits",)

    def table(self, p: pd.DataFrame, ds: Dataset) -> pd.DataFrame | None:
        if not ds.has("benefits"):
            return None
        side = with_side(p, ds.table("benefits"), "job_id", "type")
        return compare(side, "type", sizes=group_sizes(p))


class States(Shares):
    name, title, what = "states", "Locations (US states)", "state parsed from the location"
    tables = ("states",)

    def table(self, p: pd.DataFrame, ds: Dataset) -> pd.DataFrame | None:
        if "location" not in p.columns:
            return None
        state = p["location"].astype("string").str.extract(STATE, expand=False)
        return compare(p.assign(state=state), "state", top=15)


class Experience(Shares):
    name, title, what = "experience", "Experience levels", "experience level"
    tables = ("experience",)

    def table(self, p: pd.DataFrame, ds: Dataset) -> pd.DataFrame | None:
        column = "formatted_experience_level"
        return compare(p, column) if column in p.columns else None


class WorkType(Shares):
    name, title, what = "work_type", "Work types", "work type"
    tables = ("work_type",)

    def table(self, p: pd.DataFrame, ds: Dataset) -> pd.DataFrame | None:
        column = "formatted_work_type"
        return compare(p, column) if column in p.columns else None


class CompanySize(Shares):
    name, title, what = "company_size", "Company size", "employee count of the hiring company"
    missing = "No company sizes (employee_counts table missing)."
    tables = ("company_size",)

    def table(self, p: pd.DataFrame, ds: Dataset) -> pd.DataFrame | None:
        if not (ds.has("employee_counts") and "company_id" in p.columns):
            return None
        ec = (
            ds.table("employee_counts")
            .sort_values("time_recorded")
            .drop_duplicates("company_id", keep="last")
        )
        sized = p.merge(ec[["company_id", "employee_count"]], on="company_id", how="inner")
        sized["company_size"] = pd.cut(
            sized["employee_count"], SIZE_BINS, labels=SIZE_LABELS, right=True
        ).astype(str)
        table = compare(sized, "company_size", top=len(SIZE_LABELS))
        order = {label: i for i, label in enumerate(SIZE_LABELS)}
        return table.sort_values("company_size", key=lambda s: s.map(order))


class OccupationGroups(Shares):
    """The SOC major groups of the postings' occupations (``jobmap occupations``)."""

    name, title, what = "occupation_groups", "Occupations: SOC major groups", "SOC major group"
    tables = ("occupation_groups",)

    def table(self, p: pd.DataFrame, ds: Dataset) -> pd.DataFrame | None:
        if "major_group" not in p.columns:
            return None
        return compare(p, "major_group", top=23)

    def render(self, tables: dict[str, pd.DataFrame], page: Page) -> str | None:
        card = super().render(tables, page)
        return None if card is None else card.replace("</section>", _onet_notice() + "</section>")


class Occupations(Section):
    """The family's largest occupations against all postings, and the share of each that the
    family holds (an occupation it holds little of may hold titles it misses)."""

    tables = ("occupations",)

    def build(self, p: pd.DataFrame, ds: Dataset) -> Built:
        if "occupation" not in p.columns:
            return {}, []
        table = compare(p, "occupation", top=20)
        total = table["family"] + table["rest"]
        table["held"] = (table["family"] / total.where(total > 0, 1)).round(4)
        return {"occupations": table}, []

    def render(self, tables: dict[str, pd.DataFrame], page: Page) -> str | None:
        d = tables.get("occupations")
        if d is None or not len(d):
            return None
        rows = "".join(
            f"<tr><td>{html.escape(str(o))}</td><td class='n'>{int(f):,}</td>"
            f"<td class='n'>{int(r):,}</td><td class='n'>{100 * float(h):.0f}%</td></tr>"
            for o, f, r, h in zip(d["occupation"], d["family"], d["rest"], d["held"], strict=True)
        )
        body = charts.share_bars(d, "occupation", page.family) + (
            "<table class='held'><tr><th>occupation</th><th>"
            f"{html.escape(page.family)}</th><th>others</th><th>held</th></tr>{rows}</table>"
        )
        caption = (
            f"The occupations of the {page.family} postings (O*NET-SOC, coded by jobmap "
            f"occupations), each with the share of all its postings the family holds."
        )
        return charts.section("Occupations", body + _onet_notice(), caption)


def _onet_notice() -> str:
    from jobmap.knowledge import attribution

    notice = " ".join(attribution().split("\n\n")[0].split())
    return f"<p class='caption notice'>{html.escape(notice)}</p>"


class Remote(Section):
    tables = ("remote",)

    def build(self, p: pd.DataFrame, ds: Dataset) -> Built:
        if "remote_allowed" not in p.columns:
            return {}, []
        remote = p.assign(remote=p["remote_allowed"].fillna(False).astype(bool))
        table = (
            remote.groupby("group")["remote"]
            .agg(remote_share="mean", postings="count")
            .reindex(list(GROUPS))
            .reset_index()
        )
        return {"remote": table}, []

    def render(self, tables: dict[str, pd.DataFrame], page: Page) -> str | None:
        d = tables.get("remote")
        if d is None:
            return None
        shares = {str(g): float(v) for g, v in zip(d["group"], d["remote_share"], strict=True)}
        fig, ax = charts.figure(1.6)
        ax.barh(
            ["all other postings", page.family],
            [100 * shares["rest"], 100 * shares["family"]],
            color=[charts.REST_COLOR, charts.FAMILY_COLOR],
        )
        ax.set_xlabel("% of postings that allow remote work")
        return charts.section(
            "Remote work",
            charts.svg(fig),
            f"Share of postings marked remote_allowed; {page.n_all:,} postings.",
        )


#: A time chart needs postings from at least this many calendar months.
MIN_MONTHS = 3


class OverTime(Section):
    tables = ("over_time", "time_span")

    def build(self, p: pd.DataFrame, ds: Dataset) -> Built:
        if "listed_time" not in p.columns or not p["listed_time"].notna().any():
            return {}, ["No posting dates (listed_time) in this dataset."]
        listed = p["listed_time"].dropna()
        first, last = listed.min(), listed.max()
        span = pd.DataFrame(
            {
                "first": [first],
                "last": [last],
                "days": [int((last - first).days) + 1],
                "months": [int(listed.dt.to_period("M").nunique())],
            }
        )
        month = p["listed_time"].dt.to_period("M").astype(str)
        table = (
            p.assign(month=month)
            .groupby(["month", "group"])["job_id"]
            .nunique()
            .unstack("group")
            .reindex(columns=list(GROUPS))
            .fillna(0)
            .astype(int)
            .reset_index()
        )
        return {"over_time": table, "time_span": span}, []

    def render(self, tables: dict[str, pd.DataFrame], page: Page) -> str | None:
        d = tables.get("over_time")
        if d is None or not len(d):
            return None
        fam = page.family
        span = tables.get("time_span")
        if span is not None and len(span) and int(span["months"].iloc[0]) < MIN_MONTHS:
            first = pd.Timestamp(span["first"].iloc[0]).date()
            last = pd.Timestamp(span["last"].iloc[0]).date()
            days = int(span["days"].iloc[0])
            body = (
                f"<p>The postings were listed over {days:,} days ({first} to {last}), in "
                f"{int(span['months'].iloc[0])} calendar month(s): too little time to show a "
                f"trend, so none is drawn.</p>"
            )
            return charts.section(
                "Postings over time",
                body,
                f"A trend needs postings from at least {MIN_MONTHS} months (by listed_time).",
            )
        return charts.section(
            "Postings over time",
            charts.time_chart(d, fam),
            f"{fam} share of each month's postings (line) and all postings per "
            f"month (bars), by listed_time; {int((d['family'] + d['rest']).sum()):,} postings.",
        )


#: A technology counts among those that distinguish the family when this many of the family's
#: postings mention it ...
MIN_DISTINCT = 3
#: ... and its median salary is shown when this many postings with a salary mention it.
MIN_SALARIED = 5
#: The technology pairs counted among the family's most mentioned technologies (bounds the work).
PAIR_TECHNOLOGIES = 40


def _salaries(p: pd.DataFrame, ds: Dataset) -> pd.Series | None:
    """Each posting's plausible yearly salary (as the salary section keeps them), by job id."""
    source = _salary_source(p, ds)
    if source is None:
        return None
    salary = pd.Series(source.to_numpy(), index=p["job_id"]).dropna()
    return salary[salary.between(*SALARY_RANGE)]


class Technologies(Section):
    """What the family's postings ask for: the named technologies their descriptions mention
    (``jobmap technologies``) against all other postings, those that most distinguish the
    family, their median salaries, and which appear together."""

    tables = ("technologies", "technologies_distinct", "technology_salary", "technology_pairs")

    def build(self, p: pd.DataFrame, ds: Dataset) -> Built:
        return {}, []  # needs the postings' technologies: :meth:`build_from`

    def build_from(self, p: pd.DataFrame, ds: Dataset, found: pd.DataFrame) -> Built:
        """Its tables from the postings ``p`` and their technologies ``found`` (``job_id``,
        ``technology``, as ``jobmap technologies`` gives them)."""
        if not len(found):
            return {}, ["No technologies: no posting's text names one (titles only?)."]
        sizes = group_sizes(p)
        side = with_side(p, found, "job_id", "technology")
        every = compare(side, "technology", top=len(found), sizes=sizes)
        tables = {"technologies": every.head(20).reset_index(drop=True)}
        n_rest = int(sizes.get("rest", 0))
        distinct = every[every["family"] >= MIN_DISTINCT].copy()
        # the rest's share smoothed (one posting more), so that a technology no other posting
        # names is not infinitely distinct
        distinct["ratio"] = distinct["family_share"] / ((distinct["rest"] + 1) / (n_rest + 1))
        tables["technologies_distinct"] = (
            distinct.sort_values(["ratio", "family"], ascending=False).head(15).round(4)
        ).reset_index(drop=True)
        salary = _salaries(p, ds)
        if salary is not None and len(salary):
            paid = side.assign(annual_salary=side["job_id"].map(salary)).dropna(
                subset=["annual_salary"]
            )
            every_group = paid.groupby("technology")["annual_salary"].agg(
                postings="count", median="median"
            )
            family = (
                paid[paid["group"] == "family"]
                .groupby("technology")["annual_salary"]
                .agg(family_postings="count", family_median="median")
            )
            table = every_group.join(family, how="left")
            table = table[table["postings"] >= MIN_SALARIED]
            table["family_postings"] = table["family_postings"].fillna(0).astype(int)
            table.loc[table["family_postings"] < MIN_SALARIED, "family_median"] = np.nan
            order = table.sort_values(["family_postings", "postings"], ascending=False)
            tables["technology_salary"] = order.head(20).reset_index()
        in_family = side[side["group"] == "family"]
        top = in_family["technology"].value_counts().head(PAIR_TECHNOLOGIES).index
        sets = in_family[in_family["technology"].isin(top)].groupby("job_id")["technology"]
        pairs: dict[tuple[str, str], int] = {}
        for names in sets.agg(lambda t: sorted(set(t))):
            for i, a in enumerate(names):
                for b in names[i + 1 :]:
                    pairs[(a, b)] = pairs.get((a, b), 0) + 1
        n_family = max(int(sizes.get("family", 0)), 1)
        table = pd.DataFrame(
            [(a, b, n, n / n_family) for (a, b), n in pairs.items()],
            columns=["technology", "with", "postings", "family_share"],
        )
        tables["technology_pairs"] = (
            table.sort_values(["postings", "technology", "with"], ascending=[False, True, True])
            .head(15)
            .reset_index(drop=True)
        )
        return tables, []

    def render(self, tables: dict[str, pd.DataFrame], page: Page) -> str | None:
        d = tables.get("technologies")
        if d is None or not len(d):
            return None
        fam = page.family
        cards = [
            charts.section(
                "Technologies asked for",
                charts.share_bars(d, "technology", fam),
                f"The 20 named technologies the most {fam} postings mention (in the title or "
                f"description; jobmap technologies: O*NET's technology names and jobmap's "
                f"additions), as a share of each group's postings; the {fam} bars rest on "
                f"{int(d['family'].sum()):,} pairs of a posting and a technology.",
            )
        ]
        distinct = tables.get("technologies_distinct")
        if distinct is not None and len(distinct):
            cards.append(
                charts.section(
                    f"Technologies that distinguish {fam}",
                    charts.table(
                        distinct,
                        {
                            "technology": "technology",
                            "family": f"{fam} postings",
                            "family_share": f"share of {fam}",
                            "rest_share": "share of the others",
                            "ratio": "ratio",
                        },
                        {
                            "family": "{:,}",
                            "family_share": "{:.1%}",
                            "rest_share": "{:.2%}",
                            "ratio": "{:,.1f}x",
                        },
                    ),
                    f"Technologies mentioned by at least {MIN_DISTINCT} {fam} postings, by how "
                    f"much more often they are mentioned there than in the others (the ratio of "
                    f"the shares, the others' counted one posting more).",
                )
            )
        salary = tables.get("technology_salary")
        if salary is not None and len(salary):
            cards.append(
                charts.section(
                    "Median salary by technology",
                    charts.table(
                        salary,
                        {
                            "technology": "technology",
                            "postings": "postings with a salary",
                            "median": "median, all postings",
                            "family_postings": f"{fam} with a salary",
                            "family_median": f"median, {fam}",
                        },
                        {
                            "postings": "{:,}",
                            "median": "${:,.0f}",
                            "family_postings": "{:,}",
                            "family_median": "${:,.0f}",
                        },
                    ),
                    f"Median yearly salary of the postings that mention each technology, where at "
                    f"least {MIN_SALARIED} of them have a salary (the {fam} median likewise); "
                    f"salaries as in the salary chart.",
                )
            )
        pairs = tables.get("technology_pairs")
        if pairs is not None and len(pairs):
            cards.append(
                charts.section(
                    "Technologies that appear together",
                    charts.table(
                        pairs,
                        {
                            "technology": "technology",
                            "with": "with",
                            "postings": f"{fam} postings",
                            "family_share": f"share of {fam}",
                        },
                        {"postings": "{:,}", "family_share": "{:.1%}"},
                    ),
                    f"The pairs of technologies the most {fam} postings mention together (among "
                    f"the family's {PAIR_TECHNOLOGIES} most mentioned).",
                )
            )
        return "".join(cards)


class Engagement(Section):
    """Applicants per view and the remote share: the family's beside all postings'."""

    tables = ("engagement",)

    def build(self, p: pd.DataFrame, ds: Dataset) -> Built:
        rows = []
        for name, part in (("family", p[p["group"] == "family"]), ("all", p)):
            row: dict[str, Any] = {"group": name, "postings": len(part)}
            if {"views", "applies"} <= set(p.columns):
                views = pd.to_numeric(part["views"], errors="coerce")
                applies = pd.to_numeric(part["applies"], errors="coerce").fillna(0)
                seen = views.notna() & (views > 0)
                row["with_views"] = int(seen.sum())
                total_views = float(views[seen].sum())
                row["applies_per_view"] = (
                    float(applies[seen].sum()) / total_views if total_views else np.nan
                )
            if "remote_allowed" in p.columns:
                row["remote_share"] = float(
                    part["remote_allowed"].fillna(False).astype(bool).mean()
                )
            rows.append(row)
        table = pd.DataFrame(rows)
        if len(table.columns) <= 2:
            return {}, []
        return {"engagement": table}, []

    def render(self, tables: dict[str, pd.DataFrame], page: Page) -> str | None:
        d = tables.get("engagement")
        if d is None or not len(d):
            return None
        shown = d.assign(group=d["group"].map({"family": page.family, "all": "all postings"}))
        columns = {"group": "", "postings": "postings"}
        formats = {"postings": "{:,}"}
        said = []
        if "applies_per_view" in d.columns:
            columns |= {"with_views": "with views", "applies_per_view": "applicants per view"}
            formats |= {"with_views": "{:,}", "applies_per_view": "{:.3f}"}
            said.append(
                "applicants per view: the applications of the postings with a view count over "
                "their views"
            )
        if "remote_share" in d.columns:
            columns |= {"remote_share": "remote allowed"}
            formats |= {"remote_share": "{:.1%}"}
            said.append("remote allowed: the share marked remote_allowed")
        return charts.section(
            "Applicants and remote work",
            charts.table(shown, columns, formats),
            f"The {page.family} postings beside all postings (the family's included): "
            + "; ".join(said)
            + ".",
        )


#: The found postings the page lists at most (all of them are in ``report --tables``).
MAX_LISTED = 2_000


class FoundPostings(Section):
    """The family's postings, to check by hand: title, company, location, salary, score, why,
    and a link to the posting where the data has one; sortable and filterable in the page."""

    tables = ("found_postings",)

    def build(self, p: pd.DataFrame, ds: Dataset) -> Built:
        fam = p[p["group"] == "family"]
        table = pd.DataFrame({"job_id": fam["job_id"].to_numpy(), "title": fam["title"].to_numpy()})
        if "company_name" in fam.columns:
            table["company"] = fam["company_name"].to_numpy()
        elif ds.has("companies") and "company_id" in fam.columns:
            names = ds.table("companies").drop_duplicates("company_id").set_index("company_id")
            table["company"] = fam["company_id"].map(names["name"]).to_numpy()
        if "location" in fam.columns:
            table["location"] = fam["location"].to_numpy()
        salary = _salaries(p, ds)
        if salary is not None:
            table["salary"] = table["job_id"].map(salary).to_numpy()
        table["score"] = fam["score"].round(4).to_numpy()
        if "why" in fam.columns:
            table["why"] = fam["why"].to_numpy()
        if "job_posting_url" in fam.columns:
            table["url"] = fam["job_posting_url"].to_numpy()
        table = table.sort_values(["score", "job_id"], ascending=[False, True])
        return {"found_postings": table.reset_index(drop=True)}, []

    def render(self, tables: dict[str, pd.DataFrame], page: Page) -> str | None:
        d = tables.get("found_postings")
        if d is None or not len(d):
            return None
        shown = d.head(MAX_LISTED)
        columns = [c for c in ("title", "company", "location", "salary", "score", "why") if c in d]
        numeric = {"salary", "score"}
        head = "".join(
            f"<th scope='col' data-type='{'number' if c in numeric else 'text'}'>{c}</th>"
            for c in columns
        )
        rows = []
        for rec in shown.to_dict("records"):
            cells = []
            for c in columns:
                v: Any = rec.get(c)
                missing = v is None or (isinstance(v, float) and v != v)
                if c == "salary":
                    text = "" if missing else f"${float(v):,.0f}"
                    cells.append(
                        f"<td class='n' data-value='{'' if missing else float(v)}'>{text}</td>"
                    )
                elif c == "score":
                    cells.append(f"<td class='n'>{'' if missing else f'{float(v):.3f}'}</td>")
                elif c == "title" and _is_link(rec.get("url")):
                    href = html.escape(str(rec["url"]), quote=True)
                    cells.append(
                        f"<td><a href='{href}' rel='noopener noreferrer' target='_blank'>"
                        f"{html.escape(str(v))}</a></td>"
                    )
                else:
                    cells.append(f"<td>{'' if missing else html.escape(str(v))}</td>")
            rows.append(f"<tr>{''.join(cells)}</tr>")
        cut = (
            f" The page lists the first {MAX_LISTED:,} by score; report --tables writes all."
            if len(d) > MAX_LISTED
            else ""
        )
        body = (
            "<div class='postings-tools'><input id='postings-filter' type='search' "
            "placeholder='Filter: every word must appear in the row' aria-label='Filter the "
            f"postings'><span id='postings-count'>{len(shown):,} postings</span></div>"
            f"<div class='postings-wrap'><table id='postings' class='postings'><thead><tr>{head}"
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        )
        return charts.section(
            f"The {page.family} postings",
            body,
            f"Every posting found, to check by hand: click a column to sort, type to filter "
            f"(in the page: nothing is sent anywhere); a title links to the posting where the "
            f"data has its address; why: the evidence the method gives.{cut}",
            wide=True,
        )


def _is_link(url: Any) -> bool:
    return isinstance(url, str) and url.startswith(("https://", "http://"))


#: The report's sections, in the page's order.
SECTIONS: tuple[Section, ...] = (
    Overview(),
    Salary(),
    TopTitles(),
    Technologies(),
    Occupations(),
    OccupationGroups(),
    Companies(),
    JobIndustries(),
    CompanyIndustries(),
    Skills(),
    Benefits(),
    States(),
    Experience(),
    WorkType(),
    CompanySize(),
    Remote(),
    Engagement(),
    OverTime(),
    FoundPostings(),
)


#: Posting columns the report never reads.
LONG_TEXTS = ("description", "skills_desc")


def build_tables(
    scored: pd.DataFrame,
    ds: Dataset,
    coded: pd.DataFrame | None = None,
    technologies: pd.DataFrame | None = None,
    why: str | None = None,
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Every table the data allows, section by section, and notes on what it does not (what
    the dataset itself lacks, missing tables and partial company coverage, first). ``coded``:
    each posting's occupation (``jobmap occupations``), in the postings' order, for the
    occupation sections; ``technologies``: the postings' technologies (``jobmap
    technologies``), for the technology sections; ``why``: the column of ``scored`` that says
    why a posting was found (the method's evidence), for the list of found postings."""
    # every column but the long texts: the sections never read them, and at full size they
    # are most of the memory
    p = ds.read([c for c in ds.columns() if c not in LONG_TEXTS])
    if coded is not None and len(coded) == len(p):
        from jobmap.knowledge.coder import MAJOR_GROUPS

        code = coded["occupation_code"].fillna("").to_numpy(dtype=object)
        named = code != ""
        titles = coded["occupation_title"].fillna("").to_numpy(dtype=object)
        occupation = pd.Series(np.where(named, code + " " + titles, None), index=p.index)
        major = pd.Series(
            [f"{c[:2]} {MAJOR_GROUPS.get(c[:2], '')}" if c else None for c in code],
            index=p.index,
            dtype=object,
        )
        p = p.assign(occupation=occupation, major_group=major)
    keep = ["job_id", "match", "score"]
    if why is not None and why in scored.columns and why not in keep:
        scored = scored[[*keep, why]].rename(columns={why: "why"})
    else:
        scored = scored[keep]
    p = p.merge(scored, on="job_id", how="inner")
    p["group"] = np.where(p["match"].astype(bool), "family", "rest")
    tables: dict[str, pd.DataFrame] = {}
    notes: list[str] = [n["text"] for n in ds.note_records("missing_table", "coverage")]
    for part in SECTIONS:
        if isinstance(part, Technologies):
            built, said = (
                part.build_from(p, ds, technologies) if technologies is not None else ({}, [])
            )
        else:
            built, said = part.build(p, ds)
        tables.update(built)
        notes += said
    return tables, notes


__all__ = ["SECTIONS", "Page", "Section", "Shares", "build_tables"]
