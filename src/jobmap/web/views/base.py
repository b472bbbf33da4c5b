"""What the view groups share: the review session, the page's templates, one lock for the
answers, and a way to run the session's (blocking) work off the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from importlib import resources
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from jobmap.review.session import ReviewSession


def package_dir(name: str) -> str:
    """A folder of the web package (templates, static)."""
    return str(resources.files("jobmap.web") / name)


class Review:
    """One review as the views see it."""

    def __init__(self, session: ReviewSession) -> None:
        self.session = session
        self.templates = Environment(
            loader=FileSystemLoader(package_dir("templates")),
            autoescape=select_autoescape(["html"]),
        )
        #: Answers and undos one at a time (the session's state changes under it).
        self.lock = asyncio.Lock()

    async def run(self, fn: Callable[[], Any]) -> Any:
        """``fn()`` in a thread: the session is not async, and the event loop stays free."""
        return await asyncio.to_thread(fn)


class Views:
    """A group of views over one :class:`Review`; :meth:`routes` says where each one answers."""

    def __init__(self, review: Review) -> None:
        self.review = review
        self.session = review.session

    def routes(self) -> list[BaseRoute]:
        raise NotImplementedError


def error(message: str, status: int = 400) -> JSONResponse:
    """An API error: JSON ``{"error": message}`` (what the page shows)."""
    return JSONResponse({"error": message}, status_code=status)


def slider_threshold(request: Request, *, required: bool) -> float | Response | None:
    """The threshold a request names (``?t=``, the page's slider): None without one (unless
    ``required``), or the 400 that says what is wrong with it."""
    raw = request.query_params.get("t", "" if required else None)
    if raw is None:
        return None
    try:
        t = float(raw)
    except ValueError:
        t = float("nan")
    if not -1.0 <= t <= 1.0:  # NaN too
        return error("t: give a number between -1 and 1 (the slider's threshold).")
    return t


__all__ = ["Review", "Views", "error", "package_dir", "slider_threshold"]
