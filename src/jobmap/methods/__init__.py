"""Methods: keyword rules, anchor similarity, LDA topics, clustering and learned heads, all behind
one interface (fit on postings, score every posting, explain a score)."""

from __future__ import annotations

from typing import Any

from jobmap.errors import ConfigError
from jobmap.methods.anchors import AnchorMethod
from jobmap.methods.base import Method, MethodContext
from jobmap.methods.cluster import ClusterMethod
from jobmap.methods.keywords import KeywordMethod
from jobmap.methods.lda import LdaMethod
from jobmap.methods.learned import (
    AutoMethod,
    BootstrapMethod,
    HeadMethod,
    HybridMethod,
    KnnMethod,
)

METHODS: dict[str, type[Method]] = {
    m.name: m
    for m in (
        AutoMethod,
        KeywordMethod,
        HybridMethod,
        HeadMethod,
        KnnMethod,
        BootstrapMethod,
        AnchorMethod,
        LdaMethod,
        ClusterMethod,
    )
}


def make_method(name: str, **kwargs: Any) -> Method:
    """A method by name, with its arguments (those it does not take are ignored)."""
    cls = METHODS.get(name)
    if cls is None:
        raise ConfigError(f"unknown method {name!r}; choose one of {', '.join(sorted(METHODS))}.")
    import inspect

    accepted = inspect.signature(cls.__init__).parameters
    return cls(**{k: v for k, v in kwargs.items() if k in accepted and v is not None})


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
    "make_method",
]
