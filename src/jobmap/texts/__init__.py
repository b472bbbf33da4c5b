"""Texts: the strings and tokens each method reads, built from batches of postings, and the one
phrase matcher (:mod:`jobmap.texts.match`).

Each builder is a function over a DataFrame batch, so a distributed engine can map it unchanged.
"""

from jobmap.texts.builders import TITLE_PREFIX, clean, has_descriptions, title_texts
from jobmap.texts.match import phrase_regex, phrases_in, substring_in
from jobmap.texts.tokens import posting_tokens, tokenize

__all__ = [
    "TITLE_PREFIX",
    "clean",
    "has_descriptions",
    "phrase_regex",
    "phrases_in",
    "posting_tokens",
    "substring_in",
    "title_texts",
    "tokenize",
]
