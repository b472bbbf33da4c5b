"""Serving the review page: a free port on 127.0.0.1, a random token in the printed URL."""

from __future__ import annotations

import contextlib
import errno
import secrets
import socket
import sys
import threading
import webbrowser

from jobmap.errors import ConfigError
from jobmap.review.session import ReviewSession
from jobmap.web.app import EVERYWHERE, LOCAL, create_app


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def listen(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A socket bound to ``host``:``port`` (0: a free port) for :func:`serve`. Bound before
    anything is printed: a port in use is one line and exit 1, not a URL that leads nowhere
    followed by uvicorn's own error."""
    # the socket uvicorn would have made ("localhost" is 127.0.0.1, not ::1)
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    try:
        # as uvicorn does: a port the last run left in TIME_WAIT is free, one in use is not
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except (OSError, UnicodeError, OverflowError) as exc:
        sock.close()
        if getattr(exc, "errno", None) == errno.EADDRINUSE:
            raise ConfigError(
                f"port {port} on {host} is in use; pass --port 0 for a free one (or another port)."
            ) from None
        why = getattr(exc, "strerror", None) or exc
        raise ConfigError(
            f"cannot listen on {host} port {port} ({why}); is --host an address of this machine?"
        ) from None
    return sock


def _url(host: str, port: int, token: str) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/?token={token}"


def serve(
    session: ReviewSession,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    open_browser: bool = True,
    token: str | None = None,
    sock: socket.socket | None = None,
) -> None:
    """Serve the review page until interrupted; prints the URL (with its token) first.
    ``sock``: a socket :func:`listen` bound already (else ``host`` and ``port`` are bound
    here, and a port in use is a :class:`ConfigError` before anything is printed)."""
    import uvicorn

    try:
        sock = sock or listen(host, port)
        port = int(sock.getsockname()[1])
        if host not in LOCAL:
            print(
                f"Warning: listening on {host}: anyone who can reach this machine and learns the "
                "token can answer for you. The default, 127.0.0.1, is reachable from this "
                "machine only.",
                file=sys.stderr,
            )
        token = token or secrets.token_urlsafe(24)
        app = create_app(session, token=token, port=port, host=host)
        url = _url("127.0.0.1" if host in EVERYWHERE else host, port, token)
        print(f"Review {session.name!r} at {url}", flush=True)
        if host in EVERYWHERE:
            print(f"From another machine: {_url(socket.gethostname(), port, token)}", flush=True)
        print("Press Ctrl+C to stop; every answer is already saved.", flush=True)
        if open_browser:
            threading.Timer(0.5, lambda: webbrowser.open(url)).start()
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C is how a review ends: no error
            uvicorn.Server(config).run(sockets=[sock])
        print(f"Stopped. Every answer is saved in {session.store.path}.", flush=True)
    finally:
        if sock is not None:
            sock.close()
        session.close()


__all__ = ["free_port", "listen", "serve"]
