"""Exploring before answering: the matches at another threshold, a search of the titles (RE2,
linear-time), the titles nearest one, and the answers the model would give the other way."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from jobmap.errors import JobmapError
from jobmap.review import views
from jobmap.web.views.base import Views, error, slider_threshold


class ExploreViews(Views):
    def routes(self) -> list[BaseRoute]:
        return [
            Route("/api/threshold", self.threshold),
            Route("/api/search", self.search),
            Route("/api/similar", self.similar),
            Route("/api/check", self.check),
        ]

    async def threshold(self, request: Request) -> Response:
        t = slider_threshold(request, required=True)
        if isinstance(t, Response):
            return t
        assert t is not None  # required: a missing t is a 400
        return JSONResponse(await self.review.run(lambda: views.threshold_stats(self.session, t)))

    async def search(self, request: Request) -> Response:
        q = request.query_params.get("q", "")
        regex = request.query_params.get("regex") in ("1", "true", "on")
        if not q.strip() or len(q) > 500:
            return error("q: give 1 to 500 characters.")
        try:
            rows = await self.review.run(lambda: views.search(self.session, q, regex=regex))
        except JobmapError as exc:
            return error(str(exc))
        return JSONResponse({"rows": rows})

    async def similar(self, request: Request) -> Response:
        subj = request.query_params.get("subject", "")
        try:
            rows = await self.review.run(lambda: views.similar(self.session, subj))
        except JobmapError as exc:
            return error(str(exc))
        return JSONResponse({"rows": rows})

    async def check(self, request: Request) -> Response:
        return JSONResponse(
            {"rows": await self.review.run(lambda: views.check_these(self.session))}
        )
