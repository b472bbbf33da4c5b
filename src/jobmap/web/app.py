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

import asyncio
import hmac
import json
import re
import secrets
import socket
import unicodedata
from collections.abc import Awaitable, Callable
from contextlib import suppress
from importlib import resources
from typing import Any
from urllib.parse import quote, quote_from_bytes

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import ClientDisconnect, Request
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
from jobmap.answers import ANSWERS, AlreadyUndone, export_labels
from jobmap.errors import JobmapError, quoted
from jobmap.review.session import ReviewSession

#: The token cookie's name, before the port: see :func:`cookie_name`.
COOKIE = "jobmap_token"
MAX_BODY = 1 << 20
MAX_SUBJECTS = 5000
#: Where the page is always reachable from (a Host header names one of these, or one below).
LOCAL = ("127.0.0.1", "localhost", "::1")
#: Listening on these is listening on every address of the machine.
EVERYWHERE = ("0.0.0.0", "::")


def cookie_name(port: int) -> str:
    """The token cookie of the server on ``port``. A browser sends a host's cookies to every
    port of it: with one name for all, opening one server's URL replaced another's cookie and
    logged that page out."""
    return f"{COOKIE}_{port}"


def machine_names() -> set[str]:
    """The names and addresses another machine may reach this one by: its host name (also as
    ``NAME.local``, its name on the local network), its full name, the addresses these resolve
    to, and the address of its route out (the one a machine on the same network sees)."""
    hostname = socket.gethostname()
    names = {hostname, f"{hostname}.local"}
    with suppress(OSError):
        names.add(socket.getfqdn())
    with suppress(OSError, UnicodeError):
        names |= {str(info[4][0]) for info in socket.getaddrinfo(hostname, None)}
    for family, probe in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        # connecting a UDP socket sends nothing: the kernel only picks the route's own address
        with suppress(OSError), socket.socket(family, socket.SOCK_DGRAM) as udp:
            udp.connect((probe, 9))
            names.add(str(udp.getsockname()[0]))
    # a link-local address's zone ("%eth0") is not part of a Host header
    return {name.split("%")[0].lower() for name in names if name}


def host_headers(host: str, port: int) -> set[str]:
    """The Host headers a server listening on ``host``:``port`` answers: the local names, and
    ``host`` itself; for every address (``0.0.0.0``, ``::``), this machine's names and addresses
    too (:func:`machine_names`), so that the page works from the network it is offered to."""
    names = {*LOCAL, host.lower()}
    if host in EVERYWHERE:
        names |= machine_names()
    names -= set(EVERYWHERE)
    out = set()
    for name in names:
        shown = f"[{name}]" if ":" in name else name
        out.add(f"{shown}:{port}")
        if port == 80:  # a browser leaves the default port out
            out.add(shown)
    return out


class Refused(Exception):
    """A request the app answers with ``status`` and ``message`` (a 4xx, never a 500)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _refusal(path: str, message: str, status: int, headers: Any = None) -> Response:
    """An error reply: JSON ``{"error": ...}`` under ``/api/`` (what the page shows), text
    elsewhere."""
    if path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status, headers=headers)
    return PlainTextResponse(message, status_code=status, headers=headers)


def _same(given: str, token: bytes) -> bool:
    # bytes: compare_digest refuses a str with a character beyond ASCII (a 500 before this)
    return hmac.compare_digest(given.encode("utf-8", "replace"), token)


def _package_dir(name: str) -> str:
    return str(resources.files("jobmap.web") / name)


class AsciiQuery:
    """Percent-encodes the bytes beyond ASCII of a raw query string, as a browser would have:
    Starlette reads a request's URL as UTF-8, and one stray byte (``?q=\\xff``) was a 500
    before any check ran."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        query = scope.get("query_string", b"")
        if scope["type"] == "http" and not query.isascii():
            encoded = quote_from_bytes(query, safe=bytes(range(0x80))).encode()
            scope = {**scope, "query_string": encoded}
        await self.app(scope, receive, send)


class Guard(BaseHTTPMiddleware):
    """Host, Origin, token and size checks before any route runs."""

    def __init__(self, app: Any, token: str, hosts: set[str], cookie: str) -> None:
        super().__init__(app)
        self.token = token.encode()
        self.hosts = hosts
        self.cookie = cookie

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        path = request.url.path
        host = request.headers.get("host", "").lower()
        if host not in self.hosts:
            return _refusal(path, f"Forbidden: unknown Host {quoted(host)}.", 403)
        origin = request.headers.get("origin")
        if origin is not None and origin.lower().removeprefix("http://") not in self.hosts:
            return _refusal(path, f"Forbidden: foreign Origin {quoted(origin)}.", 403)
        given = request.query_params.get("token")
        by_query = given is not None and _same(given, self.token)
        cookie = request.cookies.get(self.cookie, "")
        header = request.headers.get("x-jobmap-token", "")
        if not (by_query or _same(cookie, self.token) or _same(header, self.token)):
            return _refusal(
                path, "Forbidden: open the URL jobmap review printed (it carries the token).", 403
            )
        length = request.headers.get("content-length")
        if length is not None:
            length = length.strip()
            if not (length.isascii() and length.isdigit()):
                return _refusal(path, f"Bad Content-Length {quoted(length)}.", 400)
            if len(length) > 12 or int(length) > MAX_BODY:
                return _refusal(path, f"Request too large: at most {MAX_BODY:,} bytes.", 413)
        if by_query and request.method == "GET" and path == "/":
            response: Response = RedirectResponse("/", status_code=303)
            response.set_cookie(
                self.cookie, self.token.decode(), httponly=True, samesite="strict", path="/"
            )
            return response
        return await call_next(request)


def _error(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _body(request: Request) -> bytes:
    """The request's body, up to :data:`MAX_BODY` bytes, counted as it streams: a chunked body
    says no Content-Length, and one that says one may send more."""
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY:
                raise Refused(f"Request too large: at most {MAX_BODY:,} bytes.", 413)
            chunks.append(chunk)
    except ClientDisconnect:
        raise Refused("the client went away before its request ended.") from None
    return b"".join(chunks)


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await _body(request)
    try:
        body = json.loads(raw or b"{}")
        # JSON may escape half a surrogate pair ("\\ud800"): text no database or page can hold
        json.dumps(body, ensure_ascii=False).encode()
    except RecursionError:
        raise Refused("the body is nested too deeply.") from None
    except UnicodeEncodeError:
        raise Refused("the body holds an unpaired surrogate (\\ud800-\\udfff): not text.") from None
    except ValueError:
        raise Refused("the body is not JSON.") from None
    if not isinstance(body, dict):
        raise Refused("the body must be a JSON object.")
    return body


_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]")


def attachment(filename: str) -> str:
    """A Content-Disposition header that downloads ``filename``, whatever its characters (RFC
    6266 and 5987): an ASCII ``filename`` for old clients (accents dropped, anything else that
    could end the header or the quoted string made ``_``) and the exact name as UTF-8 in
    ``filename*``. A header is Latin-1: a family named ``数据`` made every export a 500, and a
    quote or a line break cut the reply."""
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", filename) if not unicodedata.combining(c)
    )
    fallback = _UNSAFE.sub("_", plain).strip() or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _csv(df: pd.DataFrame, name: str) -> Response:
    return Response(
        csv_text(df),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": attachment(name)},
    )


def create_app(
    session: ReviewSession, *, token: str | None = None, port: int = 0, host: str = "127.0.0.1"
) -> Starlette:
    """The ASGI app of the review page for ``session``. ``token`` (default: a new random one)
    is what every request must carry; ``port`` and ``host`` are where the server listens (the
    Host and Origin checks accept only the names of that place: :func:`host_headers`);
    ``port=0`` is for tests (Starlette's ``testserver``)."""
    token = token or secrets.token_urlsafe(24)
    hosts = host_headers(host, port) if port else {"testserver"}
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
        body = await _json_body(request)
        try:
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
        body = await _json_body(request)
        try:
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
        # the batch the caller saw: a bare "undo the latest" took back what another page (or
        # another server on the same answers) had just given
        batch = (await _json_body(request)).get("batch")
        if not isinstance(batch, str) or not 0 < len(batch) <= 64:
            return _error(
                'give the batch to undo: {"batch": ID}, the id that /api/answer or '
                "/api/answer-many returned."
            )
        try:
            async with lock:
                n = await run(lambda: session.undo(batch))
        except AlreadyUndone as exc:
            return _error(str(exc), 409)
        except JobmapError as exc:
            return _error(str(exc))
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
            headers={"content-disposition": attachment(f"{session.name}.toml")},
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
        return _refusal(
            request.url.path,
            "Method Not Allowed: this changes state; use POST.",
            405,
            {"allow": "POST"},
        )

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

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Refused)
        return _refusal(request.url.path, exc.message, exc.status)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return _refusal(request.url.path, exc.detail, exc.status_code, exc.headers)

    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(AsciiQuery),
            Middleware(Guard, token=token, hosts=hosts, cookie=cookie_name(port)),
        ],
        exception_handlers={Refused: refused, HTTPException: http_error},
    )
    app.state.token = token
    return app


__all__ = ["COOKIE", "attachment", "cookie_name", "create_app", "host_headers", "machine_names"]
