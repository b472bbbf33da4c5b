"""``--engine ray`` gives what the local engine gives: a real local Ray cluster of 2 CPUs."""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import jobmap
from jobmap.config import Settings
from jobmap.errors import ConfigError
from jobmap.pipeline import Pipeline

from .conftest import run_cli


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[Any]:
    ray = pytest.importorskip("ray", reason="jobmap[ray] is not installed")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def _both(method: str, tmp_path: Path) -> tuple[Any, Any]:
    out = []
    for engine in ("local", "ray"):
        settings = Settings.build(
            "ml-ai", method=method, engine=engine, cache_dir=tmp_path / engine, progress=False
        )
        out.append(Pipeline(settings).run(use_cache=False))
    return out[0], out[1]


@pytest.mark.slow
@pytest.mark.parametrize("method", ["auto", "bootstrap"])
def test_ray_scores_equal_local_scores(method: str, ray_cluster: Any, tmp_path: Path) -> None:
    local, ray = _both(method, tmp_path)
    a, b = local.scores, ray.scores
    assert list(a.columns) == list(b.columns) and len(a) == len(b) == 665
    np.testing.assert_allclose(b["score"].to_numpy(), a["score"].to_numpy(), rtol=0, atol=1e-6)
    np.testing.assert_array_equal(ray.match, local.match)
    assert local.match.sum() > 0
    for column in a.columns[1:]:
        if not pd.api.types.is_float_dtype(a[column].dtype):
            assert a[column].astype(str).tolist() == b[column].astype(str).tolist(), column
    # the embedding method's titles were embedded on the cluster, into the run's own cache
    if method == "bootstrap":
        assert any((tmp_path / "ray" / "embeddings").rglob("*"))


@pytest.mark.slow
def test_find_with_engine_ray_writes_the_same_output(ray_cluster: Any, tmp_path: Path) -> None:
    outs = {}
    for engine in ("local", "ray"):
        out = tmp_path / f"{engine}.csv"
        result = run_cli(
            "find", "ml-ai", "--engine", engine, "--quiet", "--out", out,
            "--cache-dir", tmp_path / f"c-{engine}",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        outs[engine] = jobmap.read_output(out)
    assert outs["ray"].attrs["manifest"]["settings"]["engine"] == "ray"
    pd.testing.assert_frame_equal(outs["local"], outs["ray"])


def test_an_unknown_engine_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="give one of local, ray"):
        Settings.build("ml-ai", engine="spark")
    monkeypatch.setenv("JOBMAP_ENGINE", "ray")
    assert Settings.build("ml-ai").engine == "ray"
    assert Settings.build("ml-ai", engine="local").engine == "local"


def test_without_ray_installed_the_engine_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_import = builtins.__import__

    def no_ray(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "ray" or name.startswith("ray."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    result = run_cli("find", "ml-ai", "--engine", "ray", "--quiet")
    assert result.exit_code == 1
    assert "pip install 'jobmap[ray]'" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_scoring_tasks_are_consecutive_row_groups(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from jobmap.engines.raydata import row_group_tasks

    f = tmp_path / "p.parquet"
    table = pa.table({"job_id": list(range(95))})
    pq.write_table(table, f, row_group_size=10)  # 10 row groups: 9 of 10 rows, 1 of 5
    tasks = row_group_tasks(f, 25)
    assert tasks == [
        {"first": 0, "last": 2},
        {"first": 3, "last": 5},
        {"first": 6, "last": 8},
        {"first": 9, "last": 9},
    ]
    assert row_group_tasks(f, 1000) == [{"first": 0, "last": 9}]


def test_the_local_object_store_setting_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    from jobmap.engines.raydata import LOCAL_OBJECT_STORE, local_object_store

    assert local_object_store() == LOCAL_OBJECT_STORE
    monkeypatch.setenv("JOBMAP_RAY_OBJECT_STORE", str(1 << 30))
    assert local_object_store() == 1 << 30
    for bad in ("lots", "1000"):
        monkeypatch.setenv("JOBMAP_RAY_OBJECT_STORE", bad)
        with pytest.raises(ConfigError, match="JOBMAP_RAY_OBJECT_STORE"):
            local_object_store()
