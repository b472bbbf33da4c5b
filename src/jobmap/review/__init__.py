"""Review: a person turns a rough family into a precise one by answering a few questions.

:class:`ReviewSession` holds the loop (questions, answers, re-fits); :func:`simulate_review`
measures how many answers a family needs, against labels; the page is :mod:`jobmap.web`.
"""

from jobmap.review.asking import Question
from jobmap.review.session import ReviewSession
from jobmap.review.simulate import simulate_review

__all__ = ["Question", "ReviewSession", "simulate_review"]
