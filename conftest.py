"""What every test and every docstring example runs in: its own empty cache and answers
database, through the environment variables users set (never the user's own). The O*NET titles'
vectors, which depend only on the model and the O*NET release, are shared by every test of a run
(``$JOBMAP_KNOWLEDGE_CACHE``): embedded once, about a minute, not once per test."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def knowledge_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("knowledge")


@pytest.fixture(autouse=True)
def cache_dir(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    knowledge_cache: Path,
) -> Path:
    """Every test gets its own empty cache, through the environment variable users set."""
    path = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("JOBMAP_CACHE", str(path))
    monkeypatch.setenv("JOBMAP_KNOWLEDGE_CACHE", str(knowledge_cache))
    # answers too: a test never reads or writes the user's own answers database
    monkeypatch.setenv("JOBMAP_ANSWERS", str(path / "answers.sqlite"))
    monkeypatch.delenv("JOBMAP_DEBUG", raising=False)
    return path
