"""What every test and every docstring example runs in: its own empty cache and answers
database, through the environment variables users set (never the user's own)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def cache_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty cache, through the environment variable users set."""
    path = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("JOBMAP_CACHE", str(path))
    # answers too: a test never reads or writes the user's own answers database
    monkeypatch.setenv("JOBMAP_ANSWERS", str(path / "answers.sqlite"))
    monkeypatch.delenv("JOBMAP_DEBUG", raising=False)
    return path
