"""The exports: the answers as labels, the family as a families file, the matches as CSV (named
after the family whatever its characters: :func:`jobmap.web.requests.attachment`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from jobmap.review import views
from jobmap.web.requests import attachment, csv_download
from jobmap.web.views.base import Views, slider_threshold


class Exports(Views):
    def routes(self) -> list[BaseRoute]:
        return [
            Route("/export/labels.csv", self.labels),
            Route("/export/family.toml", self.family),
            Route("/export/matches.csv", self.matches),
        ]

    async def labels(self, request: Request) -> Response:
        return csv_download(views.labels(self.session), f"{self.session.name}-labels.csv")

    async def family(self, request: Request) -> Response:
        t = slider_threshold(request, required=False)
        if isinstance(t, Response):
            return t
        return Response(
            views.family_toml(self.session, t),
            media_type="application/toml; charset=utf-8",
            headers={"content-disposition": attachment(f"{self.session.name}.toml")},
        )

    async def matches(self, request: Request) -> Response:
        t = slider_threshold(request, required=False)
        if isinstance(t, Response):
            return t
        return csv_download(views.matches(self.session, t), f"{self.session.name}-matches.csv")
