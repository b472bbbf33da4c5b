"""Every setting in Settings, the environment read in one place, and every option either reaching
what it configures or refused with a message (issue 22)."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from jobmap.answers import AnswerStore
from jobmap.config import DEFAULT_SEED, ENVIRONMENT, Settings
from jobmap.errors import ConfigError
from jobmap.review import ReviewSession
from tests.conftest import run_cli
from tests.fakes import HashBackend

SRC = Path(__file__).resolve().parents[1] / "src" / "jobmap"


def _reads_environment(path: Path) -> list[int]:
    """Lines of a source file that read an environment variable (os.environ.get, os.getenv,
    os.environ[...]): writing one (setdefault) is not reading a setting."""
    tree = ast.parse(path.read_text())
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = ast.unparse(node.func)
            if target in ("os.environ.get", "os.getenv"):
                lines.append(node.lineno)
        elif (
            isinstance(node, ast.Subscript)
            and ast.unparse(node.value) == "os.environ"
            and isinstance(node.ctx, ast.Load)
        ):
            lines.append(node.lineno)
    return lines


def test_the_environment_is_read_in_config_alone() -> None:
    found = {
        str(p.relative_to(SRC)): lines
        for p in SRC.rglob("*.py")
        if p.name != "config.py" and (lines := _reads_environment(p))
    }
    assert found == {}
    assert _reads_environment(SRC / "config.py")  # the check sees a read where there is one
    assert {"JOBMAP_CACHE", "JOBMAP_BATCH_ROWS", "RAY_ADDRESS"} <= set(ENVIRONMENT)


def test_environment_knobs_are_settings_in_the_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOBMAP_BATCH_ROWS", "123")
    monkeypatch.setenv("JOBMAP_FAMILIES", str(tmp_path / "f.toml"))
    s = Settings.build("ml-ai")
    m = s.manifest()
    assert m["batch_rows"] == 123 and m["families"] == str(tmp_path / "f.toml")
    assert m["answers"]  # resolved: the database a run used, never "None"
    assert s.seed == DEFAULT_SEED


@pytest.mark.parametrize("extra", [["--device", "cpu"], ["--backend", "onnx"]])
def test_the_fast_model_refuses_a_backend_or_a_device(extra: list[str]) -> None:
    result = run_cli("find", "ml-ai", "--model", "fast", *extra)
    assert result.exit_code == 1 and "runs on the CPU with numpy alone" in result.stderr
    with pytest.raises(ConfigError):
        Settings.build("ml-ai", model="fast", device="cuda")


def test_evaluate_refuses_options_it_would_drop(tmp_path: Path) -> None:
    labels = tmp_path / "l.csv"
    labels.write_text("title,label\nData Scientist,yes\nCook,no\n")
    ray = run_cli("evaluate", "ml-ai", "--labels", labels, "--engine", "ray", "--quiet")
    assert ray.exit_code == 1 and "--engine ray: evaluate scores" in ray.stderr
    cols = run_cli("evaluate", "ml-ai", "--labels", labels, "--columns", "title=Job", "--quiet")
    assert cols.exit_code == 1 and "--columns: without --data" in cols.stderr


def test_review_seed_reaches_the_audit_draws(tmp_path: Path, fake_model: HashBackend) -> None:
    data = tmp_path / "d.csv"
    data.write_text("title\nData Scientist\nCook\nNurse\n")
    settings = Settings.build("ml-ai", data, model="fake", progress=False, seed=11)
    session = ReviewSession(settings, AnswerStore(tmp_path / "a.sqlite"), audit_every=0)
    assert session.rng.integers(1 << 30) == np.random.default_rng(11).integers(1 << 30)
