"""Methods: keyword rules, anchor similarity, LDA topics, clustering and learned heads, all behind
one interface (fit on postings and optional labels, score every posting, explain a score).

``METHODS`` is the registry; the command line builds its choices from it.
"""

from __future__ import annotations

from typing import Any

from jobmap.config import option_flag
from jobmap.errors import ConfigError
from jobmap.methods.anchors import AnchorMethod
from jobmap.methods.auto import AutoMethod
from jobmap.methods.base import Method, MethodContext
from jobmap.methods.bootstrap import BootstrapMethod
from jobmap.methods.cluster import ClusterMethod
from jobmap.methods.head import HeadMethod, KnnMethod
from jobmap.methods.hybrid import HybridMethod
from jobmap.methods.keywords import KeywordMethod
from jobmap.methods.lda import LdaMethod

METHODS: dict[str, type[Method]] = {
    m.name: m
    for m in (
        AutoMethod,
        KeywordMethod,
        HybridMethod,
        BootstrapMethod,
        HeadMethod,
        KnnMethod,
        AnchorMethod,
        LdaMethod,
        ClusterMethod,
    )
}

#: Run settings a method takes when its constructor has an argument of that name, and that no
#: method needs: a run always has a seed.
RUN_ARGUMENTS = ("seed",)


def method_class(name: str) -> type[Method]:
    """The registered method called ``name``; an unknown name is an error listing the known."""
    cls = METHODS.get(name)
    if cls is None:
        raise ConfigError(f"unknown method {name!r}; choose one of {', '.join(METHODS)}.")
    return cls


def check_options(name: str, options: dict[str, Any]) -> None:
    """Refuse an option the method ``name`` does not take, naming the methods that do (as
    scikit-learn's ``set_params`` rejects an invalid parameter)."""
    cls = method_class(name)
    accepted = cls.arguments()
    for option in options:
        if option in accepted:
            continue
        takers = [m for m, c in METHODS.items() if option in c.arguments()]
        where = (
            f"it is an option of {', '.join(takers)}"
            if takers
            else "no method takes it; options: "
            + ", ".join(sorted({a for c in METHODS.values() for a in c.arguments()}))
        )
        raise ConfigError(
            f"{option_flag(option)}: the method {name} does not take {option!r}; {where}."
        )


def make_method(name: str, *, seed: int | None = None, **options: Any) -> Method:
    """A method by name with its options; an option it does not take is an error.

    ``seed`` is a run setting: it goes to every method that takes one.

    >>> make_method("lda", n_topics=10).n_topics
    10
    """
    cls = method_class(name)
    given = {k: v for k, v in options.items() if v is not None}
    check_options(name, given)
    if seed is not None and "seed" in cls.arguments():
        given["seed"] = seed
    return cls(**given)


__all__ = [
    "METHODS",
    "AnchorMethod",
    "AutoMethod",
    "BootstrapMethod",
    "ClusterMethod",
    "HeadMethod",
    "HybridMethod",
    "KnnMethod",
    "LdaMethod",
    "Method",
    "MethodContext",
    "check_options",
    "make_method",
    "method_class",
]
