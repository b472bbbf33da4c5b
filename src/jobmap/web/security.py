"""The review server's rules, checked before any view runs: the token (a cookie named for the
server's port, as Jupyter names its own), the Host and Origin (the server's own names only:
DNS rebinding, cross-site requests), the body's size, and raw bytes in a query. A request that
breaks one is refused with a 4xx and a message (:class:`Refused`), never a 500."""

from __future__ import annotations

import hmac
import socket
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any
from urllib.parse import quote_from_bytes

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import (
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)

from jobmap.errors import quoted

#: The token cookie's name, before the port: see :func:`cookie_name`.
COOKIE = "jobmap_token"
MAX_BODY = 1 << 20
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


def refusal(path: str, message: str, status: int, headers: Any = None) -> Response:
    """An error reply: JSON ``{"error": ...}`` under ``/api/`` (what the page shows), text
    elsewhere."""
    if path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status, headers=headers)
    return PlainTextResponse(message, status_code=status, headers=headers)


def _same(given: str, token: bytes) -> bool:
    # bytes: compare_digest refuses a str with a character beyond ASCII (a 500 before this)
    return hmac.compare_digest(given.encode("utf-8", "replace"), token)


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
            return refusal(path, f"Forbidden: unknown Host {quoted(host)}.", 403)
        origin = request.headers.get("origin")
        if origin is not None and origin.lower().removeprefix("http://") not in self.hosts:
            return refusal(path, f"Forbidden: foreign Origin {quoted(origin)}.", 403)
        given = request.query_params.get("token")
        by_query = given is not None and _same(given, self.token)
        cookie = request.cookies.get(self.cookie, "")
        header = request.headers.get("x-jobmap-token", "")
        if not (by_query or _same(cookie, self.token) or _same(header, self.token)):
            return refusal(
                path, "Forbidden: open the URL jobmap review printed (it carries the token).", 403
            )
        length = request.headers.get("content-length")
        if length is not None:
            length = length.strip()
            if not (length.isascii() and length.isdigit()):
                return refusal(path, f"Bad Content-Length {quoted(length)}.", 400)
            if len(length) > 12 or int(length) > MAX_BODY:
                return refusal(path, f"Request too large: at most {MAX_BODY:,} bytes.", 413)
        if by_query and request.method == "GET" and path == "/":
            response: Response = RedirectResponse("/", status_code=303)
            response.set_cookie(
                self.cookie, self.token.decode(), httponly=True, samesite="strict", path="/"
            )
            return response
        return await call_next(request)


__all__ = [
    "COOKIE",
    "EVERYWHERE",
    "LOCAL",
    "MAX_BODY",
    "AsciiQuery",
    "Guard",
    "Refused",
    "cookie_name",
    "host_headers",
    "machine_names",
    "refusal",
]
