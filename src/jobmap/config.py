"""One place that resolves settings, with a stated precedence: option > environment > default.

Every environment variable jobmap reads is read here (:data:`ENVIRONMENT`), and every output of
jobmap records the settings it ran with (see :meth:`Settings.manifest`).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import platformdirs

from jobmap.errors import ConfigError

#: Environment variable that sets the cache directory when ``--cache-dir`` is not given.
CACHE_ENV = "JOBMAP_CACHE"
ANSWERS_ENV = "JOBMAP_ANSWERS"
FAMILIES_ENV = "JOBMAP_FAMILIES"
ENGINE_ENV = "JOBMAP_ENGINE"
BATCH_ROWS_ENV = "JOBMAP_BATCH_ROWS"
STREAM_BYTES_ENV = "JOBMAP_STREAM_BYTES"
RAY_OBJECT_STORE_ENV = "JOBMAP_RAY_OBJECT_STORE"
RAY_ADDRESS_ENV = "RAY_ADDRESS"
DEBUG_ENV = "JOBMAP_DEBUG"
KNOWLEDGE_CACHE_ENV = "JOBMAP_KNOWLEDGE_CACHE"

#: Every environment variable jobmap reads (this module is the one place that reads them), and
#: what it sets.
ENVIRONMENT: dict[str, str] = {
    CACHE_ENV: "the cache folder (--cache-dir)",
    ANSWERS_ENV: "the answers database (--answers)",
    FAMILIES_ENV: "a families file read after the built-in and per-user ones (--families)",
    ENGINE_ENV: "where the postings are scored: local or ray (--engine)",
    BATCH_ROWS_ENV: "postings per batch of a run (50,000; 10,000 per Ray task)",
    STREAM_BYTES_ENV: "the size from which a postings file is read in parts (256 MB)",
    RAY_OBJECT_STORE_ENV: "the object store of a local Ray cluster, in bytes (512 MB)",
    RAY_ADDRESS_ENV: "a Ray cluster to connect to (else a local one is started)",
    DEBUG_ENV: "show a traceback instead of one error line",
    KNOWLEDGE_CACHE_ENV: "where the O*NET titles' vectors are kept, per model (the cache folder)",
}
#: The seed of every run that draws at random, unless --seed says another.
DEFAULT_SEED = 567
#: Rows per batch of a run over the postings.
BATCH_ROWS = 50_000
#: A postings file at least this large (bytes, in memory) is read into the cache in parts.
STREAM_BYTES = 256 << 20
#: The object store of a local Ray cluster (bytes).
RAY_OBJECT_STORE = 512 << 20


def env_text(name: str) -> str:
    """The environment variable ``name``, stripped ("" when unset)."""
    return os.environ.get(name, "").strip()


def batch_rows() -> int:
    """Rows per batch of a run over the postings (``$JOBMAP_BATCH_ROWS``, else
    :data:`BATCH_ROWS`): memory grows with it."""
    return env_int(BATCH_ROWS_ENV, BATCH_ROWS, 1, "rows")


def stream_bytes() -> int:
    """The size from which a postings file is read in parts (``$JOBMAP_STREAM_BYTES``)."""
    return env_int(STREAM_BYTES_ENV, STREAM_BYTES, 0, "bytes")


def ray_object_store() -> int:
    """The object store of a local Ray cluster (``$JOBMAP_RAY_OBJECT_STORE``); at least the
    80 MB Ray needs."""
    return env_int(RAY_OBJECT_STORE_ENV, RAY_OBJECT_STORE, 80 << 20, "bytes")


def ray_address() -> str | None:
    """The Ray cluster to connect to (``$RAY_ADDRESS``), or None for a local one."""
    return env_text(RAY_ADDRESS_ENV) or None


def debug() -> bool:
    """Whether to show tracebacks (``$JOBMAP_DEBUG``)."""
    return bool(env_text(DEBUG_ENV))


def default_answers_path() -> Path:
    """The per-user answers database (``~/.local/share/jobmap/answers.sqlite`` on Linux)."""
    return Path(platformdirs.user_data_dir("jobmap", appauthor=False)) / "answers.sqlite"


def resolve_answers_path(path: str | os.PathLike[str] | None = None) -> Path:
    """``path`` if given, else ``$JOBMAP_ANSWERS``, else :func:`default_answers_path`."""
    if path is not None and str(path) != "":
        return Path(path).expanduser()
    env = env_text(ANSWERS_ENV)
    return Path(env).expanduser() if env else default_answers_path()


def resolve_families_file(path: str | os.PathLike[str] | None = None) -> Path | None:
    """``path`` if given, else ``$JOBMAP_FAMILIES``, else None (the built-in and per-user
    families only)."""
    if path is not None and str(path) != "":
        return Path(path).expanduser()
    env = env_text(FAMILIES_ENV)
    return Path(env).expanduser() if env else None


def default_cache_dir() -> Path:
    """The per-user cache folder (``~/.cache/jobmap`` on Linux)."""
    return Path(platformdirs.user_cache_dir("jobmap", appauthor=False))


def resolve_cache_dir(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """``cache_dir`` if given, else ``$JOBMAP_CACHE``, else :func:`default_cache_dir`."""
    if cache_dir is not None and str(cache_dir) != "":
        return Path(cache_dir).expanduser()
    env = env_text(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    return default_cache_dir()


def knowledge_cache_dir(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where derived knowledge (the O*NET titles' vectors of a model) is kept:
    ``$JOBMAP_KNOWLEDGE_CACHE``, else ``knowledge/`` in the cache folder. It depends only on the
    model and the O*NET release, so several caches may share one."""
    env = env_text(KNOWLEDGE_CACHE_ENV)
    return Path(env).expanduser() if env else resolve_cache_dir(cache_dir) / "knowledge"


def env_int(name: str, default: int, minimum: int, unit: str) -> int:
    """A whole number from the environment variable ``name`` (``default`` when unset), checked:
    at least ``minimum`` ``unit``, else one clear error naming the variable."""
    value = env_text(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise ConfigError(f"${name}={value!r}: give a whole number of {unit}, at least {minimum}.")
    return number


def parse_column_mapping(
    items: list[str] | tuple[str, ...] | Mapping[str, str] | None,
) -> dict[str, str]:
    """Parse ``["title=Job Title", "description=Job Description"]`` into a dict.

    Keys are jobmap's column names, values the column names found in the user's file.

    >>> parse_column_mapping(["title=Job Title"])
    {'title': 'Job Title'}
    """
    if not items:
        return {}
    if isinstance(items, Mapping):
        return {str(k).strip(): str(v) for k, v in items.items()}
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ConfigError(
                f"--columns {item!r}: expected JOBMAP_NAME=YOUR_COLUMN, "
                'for example --columns title="Job Title"'
            )
        out[key.strip()] = value.strip()
    return out


#: The command-line flag of each setting and method option, for messages that name what to fix.
OPTION_FLAGS: dict[str, str] = {
    "data": "--data",
    "columns": "--columns",
    "encoding": "--encoding",
    "families": "--families",
    "method": "--method",
    "threshold": "--threshold",
    "model": "--model",
    "backend": "--backend",
    "device": "--device",
    "batch_size": "--batch-size",
    "seed": "--seed",
    "cache_dir": "--cache-dir",
    "answers": "--answers",
    "engine": "--engine",
    "anchors": "--anchor",
    "anchor_sample": "--anchor-sample",
    "n_topics": "--topics",
    "k": "--k",
    "algorithm": "--algorithm",
    "min_cluster_size": "--min-cluster-size",
}


def _text(path: Path | None) -> str | None:
    return None if path is None else str(path)


def option_flag(name: str) -> str:
    """``--batch-size`` for ``batch_size``; options without a flag are shown as ``name=``."""
    return OPTION_FLAGS.get(name, f"{name}=")


DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"
#: Where a run scores the postings (see :attr:`Settings.engine`).
ENGINES = ("local", "ray")
#: The models that run on the CPU with numpy alone (no backend, no device): model2vec's.
NUMPY_MODELS = ("fast",)


def resolve_engine(engine: str | None = None) -> str:
    """``engine`` if given, else ``$JOBMAP_ENGINE``, else ``local``; checked."""
    chosen = (engine or env_text(ENGINE_ENV) or "local").lower()
    if chosen not in ENGINES:
        where = "--engine" if engine else f"${ENGINE_ENV}"
        raise ConfigError(f"{where} {chosen!r}: give one of {', '.join(ENGINES)}.")
    return chosen


@dataclass(frozen=True)
class Settings:
    """Everything a run depends on, built once (:meth:`build`) from the command's options or a
    function's keyword arguments, and written whole into every manifest (``find``, ``evaluate``,
    ``report``) so that a result can be reproduced.

    >>> s = Settings.build("ml-ai", method="lda", options={"n_topics": 10}, cache_dir="/tmp/c")
    >>> s.method, dict(s.options), s.manifest()["batch_size"]
    ('lda', {'n_topics': 10}, 64)
    """

    family: str = "ml-ai"
    data: str | None = None
    columns: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    encoding: str = "utf-8"
    families: str | None = None
    method: str = "auto"
    #: The method's own arguments (``n_topics`` for lda; ``k``, ``algorithm`` for cluster...).
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    threshold: float | None = None
    model: str = DEFAULT_MODEL_NAME
    backend: str = "torch"
    device: str | None = None
    batch_size: int = 64
    seed: int = DEFAULT_SEED
    cache_dir: Path = field(default_factory=resolve_cache_dir)
    #: The answers database (None: ``$JOBMAP_ANSWERS``, else the per-user one); ``use_answers``
    #: False runs without the family's answers.
    answers: str | None = None
    use_answers: bool = True
    progress: bool = True
    #: Where the postings are scored: ``local`` (this process, in batches) or ``ray`` (a Ray
    #: cluster: ``$RAY_ADDRESS``, else a local one). ``$JOBMAP_ENGINE`` when not given.
    engine: str = "local"
    #: Rows per batch of a run over the postings (``$JOBMAP_BATCH_ROWS``).
    batch_rows: int = BATCH_ROWS
    #: The size from which a postings file is read in parts (``$JOBMAP_STREAM_BYTES``).
    stream_bytes: int = STREAM_BYTES

    @classmethod
    def build(
        cls,
        family: str = "ml-ai",
        data: str | os.PathLike[str] | None = None,
        *,
        columns: list[str] | tuple[str, ...] | Mapping[str, str] | None = None,
        encoding: str = "utf-8",
        families: str | os.PathLike[str] | None = None,
        method: str = "auto",
        options: Mapping[str, Any] | None = None,
        threshold: float | None = None,
        model: str = DEFAULT_MODEL_NAME,
        backend: str = "torch",
        device: str | None = None,
        batch_size: int = 64,
        seed: int = DEFAULT_SEED,
        cache_dir: str | os.PathLike[str] | None = None,
        answers: str | os.PathLike[str] | None = None,
        use_answers: bool = True,
        progress: bool = True,
        engine: str | None = None,
        **method_options: Any,
    ) -> Settings:
        """The one place settings are made and checked. Method options may come as ``options``
        or as keyword arguments (``anchors=[...]``, ``k=7``); unset ones (None) are dropped."""
        if threshold is not None and not -1.0 <= float(threshold) <= 1.0:
            raise ConfigError(f"--threshold {threshold}: give a number between -1 and 1.")
        if int(batch_size) < 1:
            raise ConfigError(f"--batch-size {batch_size}: give a whole number of at least 1.")
        engine = resolve_engine(engine)
        if model in NUMPY_MODELS and (backend != "torch" or device is not None):
            given = "--backend" if backend != "torch" else "--device"
            raise ConfigError(
                f"{given}: the model {model!r} runs on the CPU with numpy alone, with no backend "
                "or device to choose; leave it out, or use a sentence-transformers model."
            )
        merged = {**dict(options or {}), **method_options}
        merged = {k: (list(v) if isinstance(v, tuple) else v) for k, v in merged.items()}
        mapping = parse_column_mapping(dict(columns) if isinstance(columns, Mapping) else columns)
        return cls(
            family=family,
            data=None if data is None else str(data),
            columns=MappingProxyType(mapping),
            encoding=encoding,
            families=_text(resolve_families_file(families)),
            method=method,
            options=MappingProxyType({k: v for k, v in merged.items() if v is not None}),
            threshold=None if threshold is None else float(threshold),
            model=model,
            backend=backend,
            device=device,
            batch_size=int(batch_size),
            seed=int(seed),
            cache_dir=resolve_cache_dir(cache_dir),
            answers=str(resolve_answers_path(answers)),
            use_answers=bool(use_answers),
            progress=progress,
            engine=engine,
            batch_rows=batch_rows(),
            stream_bytes=stream_bytes(),
        )

    def replace(self, **changes: Any) -> Settings:
        """A copy with some settings changed (``method=`` for each method evaluate compares)."""
        if "options" in changes:
            changes["options"] = MappingProxyType(dict(changes["options"]))
        return dataclasses.replace(self, **changes)

    def manifest(self) -> dict[str, Any]:
        """Every setting as plain JSON-ready values."""
        return {
            "family": self.family,
            "data": self.data,
            "columns": dict(self.columns),
            "encoding": self.encoding,
            "families": self.families,
            "method": self.method,
            "options": dict(self.options),
            "threshold": self.threshold,
            "model": self.model,
            "backend": self.backend,
            "device": self.device,
            "batch_size": self.batch_size,
            "seed": self.seed,
            "cache_dir": str(self.cache_dir),
            "answers": self.answers,
            "use_answers": self.use_answers,
            "engine": self.engine,
            "batch_rows": self.batch_rows,
            "stream_bytes": self.stream_bytes,
        }
