"""The one manifest builder: what every run writes beside its output and keeps in its result,
so that a result can be reproduced (the settings whole, jobmap's version, when, the command)."""

from __future__ import annotations

import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from jobmap._version import __version__, code_fingerprint
from jobmap.config import Settings


def start(run: str, settings: Settings | None, **parts: Any) -> dict[str, Any]:
    """A run's manifest: ``run`` (find, evaluate, simulate, report, ...), jobmap's version and
    code, a run id, when, the command line that started it (from the ``jobmap`` command), every
    setting, and the run's own ``parts`` (data, family, counts...), in that order."""
    return {
        "run": run,
        "jobmap_version": __version__,
        "code": code_fingerprint(),
        "run_id": uuid.uuid4().hex,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv) if sys.argv and "jobmap" in sys.argv[0] else None,
        "settings": settings.manifest() if settings is not None else None,
        **parts,
    }


def finish(manifest: dict[str, Any], started: float) -> dict[str, Any]:
    """Record how long the run took (before anything is written: the file holds it too)."""
    manifest["seconds"] = round(time.perf_counter() - started, 2)
    return manifest


def data_part(dataset: Any) -> dict[str, Any]:
    """What a manifest says of the data a run read."""
    return {
        "source": dataset.source,
        "kind": dataset.kind,
        "key": dataset.key,
        "files": dataset.manifest.get("files", {}),
        "warnings": dataset.warnings,
    }


__all__ = ["data_part", "finish", "start"]
