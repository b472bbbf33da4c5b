"""The pages: the review itself, and the family's matches."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from jobmap.answers import ANSWERS, subject
from jobmap.review import views
from jobmap.web.views.base import Views, error

#: The matches page lists at most this many (the CSV export holds them all).
SHOWN_MATCHES = 2000
#: The columns the matches page sorts by (those the data has).
SORTABLE = ("title", "company_name", "location", "score", "answered")


class Pages(Views):
    def routes(self) -> list[BaseRoute]:
        return [Route("/", self.review_page), Route("/matches", self.matches)]

    async def review_page(self, request: Request) -> Response:
        html = self.review.templates.get_template("review.html").render(
            family=self.session.name, source=self.session.dataset.source, answers=ANSWERS
        )
        return HTMLResponse(html, headers={"cache-control": "no-store"})

    async def matches(self, request: Request) -> Response:
        df = views.matches(self.session)
        q = request.query_params.get("q", "").strip().lower()
        sort = request.query_params.get("sort", "score")
        order = request.query_params.get("order", "desc" if sort == "score" else "asc")
        columns = [c for c in SORTABLE if c in df.columns]
        if sort not in columns or order not in ("asc", "desc"):
            return error(
                f"sort: one of {', '.join(columns)}; order: asc or desc "
                f"(got sort={sort!r}, order={order!r})."
            )
        total = len(df)
        if q:
            df = df[df["title"].astype(str).str.lower().str.contains(q, regex=False)]
        key = df[sort] if sort == "score" else df[sort].astype(str).str.lower()
        df = df.iloc[key.argsort(kind="stable")[:: -1 if order == "desc" else 1]]
        shown = df.head(SHOWN_MATCHES)
        # each row's title as an answer's subject: a row is answered from the page
        shown = shown.assign(subject=[subject("title", t) for t in shown["title"].astype(str)])
        html = self.review.templates.get_template("matches.html").render(
            family=self.session.name,
            q=q,
            total=total,
            found=len(df),
            shown_at_most=SHOWN_MATCHES,
            sort=sort,
            order=order,
            columns=columns,
            rows=shown.fillna("").to_dict("records"),
            has_url="job_posting_url" in df.columns,
        )
        return HTMLResponse(html, headers={"cache-control": "no-store"})
