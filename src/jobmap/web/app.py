"""The review page: a small Starlette app over a :class:`~jobmap.review.ReviewSession`.

Safe by default: it listens on 127.0.0.1; every request carries the random token of the printed URL
(set as an HttpOnly, SameSite=Strict cookie on the first visit, as Jupyter does); a request whose
Host or Origin is not the server's own is refused (DNS rebinding, cross-site requests); state
changes are POST only; every input is validated with a 4xx and a message; the page renders every
text from the data with ``textContent`` (and Jinja2 escapes the rest); a regular expression from the
search box runs on RE2, a linear-time engine.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import secrets
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from jobmap._csv import csv_text
from jobmap.data.answers import ANSWERS, export_labels
from jobmap.errors import JobmapError
from jobmap.review.session import ReviewSession

COOKIE = "jobmap_token"
MAX_BODY = 1 << 20
MAX_SUBJECTS = 5000


def _package_dir(name: str) -> str:
    return str(resources.files("jobmap.web") / name)


class Guard(BaseHTTPMiddleware):
    """Host, Origin and token checks before any route runs."""

    def __init__(self, app: Any, token: str, hosts: set[str]) -> None:
        super().__init__(app)
        self.token = token
        self.hosts = hosts

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        host = request.headers.get("host", "")
        if host not in self.hosts:
            return PlainTextResponse(f"Forbidden: unknown Host {host!r}.", status_code=403)
        origin = request.headers.get("origin")
        if origin is not None and origin.removeprefix("http://") not in self.hosts:
            return PlainTextResponse(f"Forbidden: foreign Origin {origin!r}.", status_code=403)
        given = request.query_params.get("token")
        if given is not None and hmac.compare_digest(given, self.token):
            if request.method == "GET" and request.url.path == "/":
                response: Response = RedirectResponse("/", status_code=303)
                response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict")
                return response
            return await call_next(request)
        cookie = request.cookies.get(COOKIE, "")
        header = request.headers.get("x-jobmap-token", "")
        if not (hmac.compare_digest(cookie, self.token) or hmac.compare_digest(header, self.token)):
            return PlainTextResponse(
                "Forbidden: open the URL jobmap review printed (it carries the token).",
                status_code=403,
            )
        if request.method == "POST":
            length = int(request.headers.get("content-length") or 0)
            if length > MAX_BODY:
                return PlainTextResponse("Request too large.", status_code=413)
        return await call_next(request)


def _error(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        raise ValueError("the body is not JSON") from None
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


def _csv(df: pd.DataFrame, name: str) -> Response:
    return Response(
        csv_text(df),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


def create_app(
    session: ReviewSession, *, token: str | None = None, port: int = 0, host: str = "127.0.0.1"
) -> Starlette:
    """The ASGI app of the review page for ``session``. ``token`` (default: a new random one)
    is what every request must carry; ``port`` and ``host`` are where the server listens (the
    Host and Origin checks accept only those); ``port=0`` is for tests (Starlette's
    ``testserver``)."""
    token = token or secrets.token_urlsafe(24)
    if port:
        names = {"127.0.0.1", "localhost", host}
        hosts = {f"{name}:{port}" for name in names}
    else:
        hosts = {"testserver"}
    env = Environment(
        loader=FileSystemLoader(_package_dir("templates")),
        autoescape=select_autoescape(["html"]),
    )
    lock = asyncio.Lock()

    async def run(fn: Callable[[], Any]) -> Any:
        # the session is not async; keep the event loop free while it works
        return await asyncio.to_thread(fn)

    async def page(request: Request) -> Response:
        html = env.get_template("review.html").render(
            family=session.name, source=session.dataset.source, answers=ANSWERS
        )
        return HTMLResponse(html, headers={"cache-control": "no-store"})

    async def question(request: Request) -> Response:
        q = await run(session.next_question)
        return JSONResponse(
            {"question": q.as_dict() if q else None, "progress": session.progress()}
        )

    async def answer(request: Request) -> Response:
        try:
            body = await _json_body(request)
            subj, ans = body.get("subject"), body.get("answer")
            if not isinstance(subj, str) or ans not in ANSWERS:
                return _error(f"give a subject and an answer ({', '.join(ANSWERS)}).")
            async with lock:
                batch = await run(lambda: session.answer(subj, ans))
        except (JobmapError, ValueError) as exc:
            return _error(str(exc))
        q = await run(session.next_question)
        return JSONResponse(
            {"batch": batch, "question": q.as_dict() if q else None, "progress": session.progress()}
        )

    async def answer_many(request: Request) -> Response:
        try:
            body = await _json_body(request)
            subjects, ans = body.get("subjects"), body.get("answer")
            if (
                not isinstance(subjects, list)
                or not subjects
                or len(subjects) > MAX_SUBJECTS
                or not all(isinstance(s, str) for s in subjects)
                or ans not in ANSWERS
            ):
                return _error(
                    f"give subjects (1 to {MAX_SUBJECTS}) and an answer ({', '.join(ANSWERS)})."
                )
            async with lock:
                batch = await run(lambda: session.answer_many(subjects, ans))
        except (JobmapError, ValueError) as exc:
            return _error(str(exc))
        return JSONResponse({"batch": batch, "answered": len(subjects)})

    async def undo(request: Request) -> Response:
        async with lock:
            n = await run(session.undo)
        q = await run(session.next_question)
        return JSONResponse(
            {"undone": n, "question": q.as_dict() if q else None, "progress": session.progress()}
        )

    async def progress(request: Request) -> Response:
        return JSONResponse(session.progress())

    async def threshold(request: Request) -> Response:
        try:
            t = float(request.query_params.get("t", ""))
        except ValueError:
            return _error("t: give a number between -1 and 1.")
        if not -1.0 <= t <= 1.0:
            return _error("t: give a number between -1 and 1.")
        return JSONResponse(await run(lambda: session.threshold_stats(t)))

    async def search(request: Request) -> Response:
        q = request.query_params.get("q", "")
        regex = request.query_params.get("regex") in ("1", "true", "on")
        if not q.strip() or len(q) > 500:
            return _error("q: give 1 to 500 characters.")
        try:
            rows = await run(lambda: session.search(q, regex=regex))
        except JobmapError as exc:
            return _error(str(exc))
        return JSONResponse({"rows": rows})

    async def similar(request: Request) -> Response:
        subj = request.query_params.get("subject", "")
        try:
            rows = await run(lambda: session.similar(subj))
        except JobmapError as exc:
            return _error(str(exc))
        return JSONResponse({"rows": rows})

    async def check(request: Request) -> Response:
        return JSONResponse({"rows": await run(session.check_these)})

    async def answers_csv(request: Request) -> Response:
        labels = export_labels(
            session.answers(), session.postings, session.current.family.rule_phrases()
        )
        return _csv(labels, f"{session.name}-labels.csv")

    async def family_toml(request: Request) -> Response:
        return Response(
            session.family_toml(),
            media_type="application/toml; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{session.name}.toml"'},
        )

    async def matches_csv(request: Request) -> Response:
        return _csv(session.matches(), f"{session.name}-matches.csv")

    async def matches_page(request: Request) -> Response:
        df = session.matches()
        q = request.query_params.get("q", "").strip().lower()
        if q:
            df = df[df["title"].astype(str).str.lower().str.contains(q, regex=False)]
        html = env.get_template("matches.html").render(
            family=session.name,
            q=q,
            total=len(session.matches()),
            rows=df.head(2000).fillna("").to_dict("records"),
            has_url="job_posting_url" in df.columns,
        )
        return HTMLResponse(html, headers={"cache-control": "no-store"})

    async def not_allowed(request: Request) -> Response:
        return PlainTextResponse("Method Not Allowed: this changes state; use POST.", 405)

    routes = [
        Route("/", page),
        Route("/api/question", question),
        Route("/api/answer", answer, methods=["POST"]),
        Route("/api/answer", not_allowed, methods=["GET"]),
        Route("/api/answer-many", answer_many, methods=["POST"]),
        Route("/api/answer-many", not_allowed, methods=["GET"]),
        Route("/api/undo", undo, methods=["POST"]),
        Route("/api/undo", not_allowed, methods=["GET"]),
        Route("/api/progress", progress),
        Route("/api/threshold", threshold),
        Route("/api/search", search),
        Route("/api/similar", similar),
        Route("/api/check", check),
        Route("/export/labels.csv", answers_csv),
        Route("/export/family.toml", family_toml),
        Route("/export/matches.csv", matches_csv),
        Route("/matches", matches_page),
        Mount("/static", StaticFiles(directory=_package_dir("static")), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(Guard, token=token, hosts=hosts)])
    app.state.token = token
    return app


__all__ = ["COOKIE", "create_app"]
