"""The questions and the answers: the next question, an answer, many at once, undo by batch,
the progress. Every change of state is a POST; a GET there is a 405 that says so."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from jobmap.answers import ANSWERS, AlreadyUndone
from jobmap.errors import JobmapError
from jobmap.review import views
from jobmap.web.requests import json_body
from jobmap.web.security import refusal
from jobmap.web.views.base import Views, error

#: The most subjects one answer-many request may answer.
MAX_SUBJECTS = 5000


async def not_allowed(request: Request) -> Response:
    return refusal(
        request.url.path,
        "Method Not Allowed: this changes state; use POST.",
        405,
        {"allow": "POST"},
    )


class AnswerViews(Views):
    def routes(self) -> list[BaseRoute]:
        posts = [
            ("/api/answer", self.answer),
            ("/api/answer-many", self.answer_many),
            ("/api/undo", self.undo),
        ]
        return [
            Route("/api/question", self.question),
            Route("/api/progress", self.progress),
            *(Route(path, view, methods=["POST"]) for path, view in posts),
            *(Route(path, not_allowed, methods=["GET"]) for path, _ in posts),
        ]

    async def _next(self, **reply: object) -> JSONResponse:
        q = await self.review.run(self.session.next_question)
        return JSONResponse(
            {
                **reply,
                "question": q.as_dict() if q else None,
                "progress": views.progress(self.session),
            }
        )

    async def question(self, request: Request) -> Response:
        return await self._next()

    async def progress(self, request: Request) -> Response:
        return JSONResponse(views.progress(self.session))

    async def answer(self, request: Request) -> Response:
        body = await json_body(request)
        subj, ans = body.get("subject"), body.get("answer")
        exceptions = body.get("except", [])
        if not isinstance(subj, str) or ans not in ANSWERS:
            return error(f"give a subject and an answer ({', '.join(ANSWERS)}).")
        if (
            not isinstance(exceptions, list)
            or len(exceptions) > MAX_SUBJECTS
            or not all(isinstance(e, str) for e in exceptions)
        ):
            return error(
                f'"except" is a list of at most {MAX_SUBJECTS} title subjects (title:TEXT) '
                "that take the other answer."
            )
        try:
            async with self.review.lock:
                batch = await self.review.run(
                    lambda: self.session.answer(subj, ans, exceptions=exceptions)
                )
        except (JobmapError, ValueError) as exc:
            return error(str(exc))
        return await self._next(batch=batch)

    async def answer_many(self, request: Request) -> Response:
        body = await json_body(request)
        subjects, ans = body.get("subjects"), body.get("answer")
        if (
            not isinstance(subjects, list)
            or not subjects
            or len(subjects) > MAX_SUBJECTS
            or not all(isinstance(s, str) for s in subjects)
            or ans not in ANSWERS
        ):
            return error(
                f"give subjects (1 to {MAX_SUBJECTS}) and an answer ({', '.join(ANSWERS)})."
            )
        try:
            async with self.review.lock:
                batch = await self.review.run(lambda: self.session.answer_many(subjects, ans))
        except (JobmapError, ValueError) as exc:
            return error(str(exc))
        return JSONResponse({"batch": batch, "answered": len(subjects)})

    async def undo(self, request: Request) -> Response:
        # the batch the caller saw: a bare "undo the latest" took back what another page (or
        # another server on the same answers) had just given
        batch = (await json_body(request)).get("batch")
        if not isinstance(batch, str) or not 0 < len(batch) <= 64:
            return error(
                'give the batch to undo: {"batch": ID}, the id that /api/answer or '
                "/api/answer-many returned."
            )
        try:
            async with self.review.lock:
                n = await self.review.run(lambda: self.session.undo(batch))
        except AlreadyUndone as exc:
            return error(str(exc), 409)
        except JobmapError as exc:
            return error(str(exc))
        return await self._next(undone=n)
