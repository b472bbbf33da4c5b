"""The local web page: ``jobmap review`` serves a review of a family (:mod:`jobmap.web.app`)."""

from jobmap.web.app import create_app
from jobmap.web.server import serve

__all__ = ["create_app", "serve"]
