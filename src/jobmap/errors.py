"""Domain exceptions. The CLI turns each into one ``Error: ...`` line (no traceback)."""

from __future__ import annotations


class JobmapError(Exception):
    """Base class: a problem the user can fix. The message says what, where and how to fix it."""


class DataError(JobmapError):
    """A dataset cannot be read: wrong path, malformed file, missing required column."""


class ConfigError(JobmapError):
    """A setting has a bad value (an option, an environment variable, a config file)."""


class StorageError(JobmapError):
    """A file could not be written where it must be (a full disk, a read-only folder): nothing
    half-written is left, and the message says what was not saved."""


class EngineError(JobmapError):
    """A distributed run could not finish (a worker lost, parts of the postings missing): run
    again; what was embedded is in the cache."""


class DownloadError(JobmapError):
    """The dataset could not be downloaded (no client, no credentials, no network)."""


class DataWarning(UserWarning):
    """Something in the data was skipped or repaired; the data was still read."""


def quoted(text: object, limit: int = 60) -> str:
    """``text`` quoted for an error message, cut short: a request or a file can hand over
    megabytes, and the message must stay one readable line."""
    text = str(text)
    return repr(text if len(text) <= limit else text[:limit] + "...")
