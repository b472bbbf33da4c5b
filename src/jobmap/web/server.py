"""Serving the review page: a free port on 127.0.0.1, a random token in the printed URL."""

from __future__ import annotations

import secrets
import socket
import sys
import threading
import webbrowser

from jobmap.review.session import ReviewSession
from jobmap.web.app import create_app

LOCAL = ("127.0.0.1", "localhost", "::1")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def serve(
    session: ReviewSession,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    open_browser: bool = True,
    token: str | None = None,
) -> None:
    """Serve the review page until interrupted; prints the URL (with its token) first."""
    import uvicorn

    if host not in LOCAL:
        print(
            f"Warning: listening on {host}: anyone who can reach this machine and learns the "
            "token can answer for you. The default, 127.0.0.1, is reachable from this machine "
            "only.",
            file=sys.stderr,
        )
    port = port or free_port(host if host in LOCAL else "0.0.0.0")
    token = token or secrets.token_urlsafe(24)
    app = create_app(session, token=token, port=port, host=host)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{shown}:{port}/?token={token}"
    print(f"Review {session.name!r} at {url}", flush=True)
    print("Press Ctrl+C to stop; every answer is already saved.", flush=True)
    if open_browser:
        threading.Timer(0.5, lambda: webbrowser.open(url)).start()
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    try:
        server.run()
    finally:
        session.close()


__all__ = ["free_port", "serve"]
