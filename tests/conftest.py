from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from jobmap.cli import main
from jobmap.data import bundled_sample_path
from jobmap.embeddings import register_backend, unregister_backend
from tests.fakes import HashBackend

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
#: Chromium's flags for a closed network, as root (the browser tests add their headless flag).
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHARED_DATA = SHARED / "data"


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled 2024-layout sample."""
    dest = tmp_path / "linkedin-2024-sample"
    shutil.copytree(bundled_sample_path(), dest)
    return dest


@pytest.fixture
def fake_model() -> Iterator[HashBackend]:
    """Registers the fake embedder as model "fake"; yields the one instance every engine gets."""
    backend = HashBackend()
    register_backend("fake", lambda **_: backend)
    yield backend
    unregister_backend("fake")


def run_cli(*args: str) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def needs_shared(*parts: str) -> Path:
    """The path under ../shared, or skip the test when a user's clone has no ../shared."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not here (../shared exists only in the developers' checkout)")
    return path
