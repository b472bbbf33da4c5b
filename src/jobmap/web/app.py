"""The review page: a small Starlette app over a :class:`~jobmap.review.ReviewSession`.

Safe by default: it listens on 127.0.0.1; every request carries the random token of the printed URL
(set on the first visit as an HttpOnly, SameSite=Strict cookie named for the server's port, so two
servers on one machine keep their own, as Jupyter does), compared as bytes in constant time; a
request whose Host or Origin is not the server's own (listening on every address, ``--host
0.0.0.0``: this machine's names and addresses too) is refused (DNS rebinding, cross-site
requests); state changes are POST only; a body is read up to 1 MiB, counted as it streams (a
chunked body has no Content-Length to check first); every input is validated with a 4xx and a
message (JSON ``{"error": ...}`` under ``/api/``), never a 500; undo names the batch it takes
back; a download's file name is RFC 6266's (any Unicode family name); the page renders every text
from the data with ``textContent`` (and Jinja2 escapes the rest); a regular expression from the
search box runs on RE2, a linear-time engine.
"""

from __future__ import annotations

import secrets

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from jobmap.review.session import ReviewSession
from jobmap.web.requests import attachment
from jobmap.web.security import (
    COOKIE,
    EVERYWHERE,
    LOCAL,
    MAX_BODY,
    AsciiQuery,
    Guard,
    Refused,
    cookie_name,
    host_headers,
    machine_names,
    refusal,
)
from jobmap.web.views import Review, routes
from jobmap.web.views.base import package_dir


def create_app(
    session: ReviewSession, *, token: str | None = None, port: int = 0, host: str = "127.0.0.1"
) -> Starlette:
    """The ASGI app of the review page for ``session``. ``token`` (default: a new random one)
    is what every request must carry; ``port`` and ``host`` are where the server listens (the
    Host and Origin checks accept only the names of that place: :func:`host_headers`);
    ``port=0`` is for tests (Starlette's ``testserver``)."""
    token = token or secrets.token_urlsafe(24)
    hosts = host_headers(host, port) if port else {"testserver"}
    routes_ = [
        *routes(Review(session)),
        Mount("/static", StaticFiles(directory=package_dir("static")), name="static"),
    ]

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Refused)
        return refusal(request.url.path, exc.message, exc.status)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return refusal(request.url.path, exc.detail, exc.status_code, exc.headers)

    app = Starlette(
        routes=routes_,
        middleware=[
            Middleware(AsciiQuery),
            Middleware(Guard, token=token, hosts=hosts, cookie=cookie_name(port)),
        ],
        exception_handlers={Refused: refused, HTTPException: http_error},
    )
    app.state.token = token
    return app


__all__ = [
    "COOKIE",
    "EVERYWHERE",
    "LOCAL",
    "MAX_BODY",
    "attachment",
    "cookie_name",
    "create_app",
    "host_headers",
    "machine_names",
]
