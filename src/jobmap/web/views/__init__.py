"""The review page's views, one module per page or API group over a shared base (as datasette
keeps its views): the pages, the questions and answers, exploring the titles, the exports."""

from starlette.routing import BaseRoute

from jobmap.web.views.answers import AnswerViews
from jobmap.web.views.base import Review
from jobmap.web.views.explore import ExploreViews
from jobmap.web.views.exports import Exports
from jobmap.web.views.pages import Pages


def routes(review: Review) -> list[BaseRoute]:
    """Every route of the page, view group by view group."""
    groups = (Pages, AnswerViews, ExploreViews, Exports)
    return [route for group in groups for route in group(review).routes()]


__all__ = ["Review", "routes"]
