"""Texts: the strings and tokens each method reads, built from batches of postings.

Each builder is a function over a DataFrame batch, so a distributed engine can map it unchanged.
"""

from jobmap.texts.builders import (
    TITLE_PREFIX,
    clean,
    contains_phrase,
    has_descriptions,
    title_texts,
)
from jobmap.texts.tokens import posting_tokens, tokenize

__all__ = [
    "TITLE_PREFIX",
    "clean",
    "contains_phrase",
    "has_descriptions",
    "posting_tokens",
    "title_texts",
    "tokenize",
]
