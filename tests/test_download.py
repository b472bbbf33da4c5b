from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import pytest

from jobmap.data.download import DATASET, ZIP_NAME, download
from jobmap.errors import DownloadError
from tests.conftest import run_cli


def test_without_the_client_says_where_to_put_the_zip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "kaggle", None)  # import kaggle -> ModuleNotFoundError
    result = run_cli("download", "--dest", str(tmp_path))
    assert result.exit_code == 1
    err = result.stderr.strip()
    assert len(err.splitlines()) == 1
    assert "Kaggle client is not installed" in err
    assert f"--data {tmp_path / ZIP_NAME}" in err


def test_without_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Finder:
        def find_module(self, *a: Any) -> None:  # pragma: no cover - old protocol
            return None

    def failing_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "kaggle":
            raise OSError("Could not find kaggle.json. Make sure it's located in /root/.kaggle.")
        return real_import(name, *args, **kwargs)

    import importlib

    real_import = importlib.import_module
    monkeypatch.setattr(importlib, "import_module", failing_import)
    with pytest.raises(DownloadError) as info:
        download(tmp_path)
    msg = str(info.value)
    assert "no Kaggle credentials" in msg and "kaggle.json" in msg and ZIP_NAME in msg


def test_with_a_client_it_downloads_the_zip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, str, bool]] = []

    class Api:
        def dataset_download_files(self, dataset: str, path: str, unzip: bool, quiet: bool) -> None:
            calls.append((dataset, path, unzip))
            (Path(path) / ZIP_NAME).write_bytes(b"zip")

    fake = types.ModuleType("kaggle")
    fake.api = Api()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "kaggle", fake)
    result = run_cli("download", "--dest", str(tmp_path / "d"))
    assert result.exit_code == 0, result.output
    assert calls == [(DATASET, str(tmp_path / "d"), False)]
    assert (tmp_path / "d" / ZIP_NAME).read_bytes() == b"zip"
    again = run_cli("download", "--dest", str(tmp_path / "d"))
    assert again.exit_code == 0 and len(calls) == 1  # already there: not downloaded twice


def test_client_failure_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Api:
        def dataset_download_files(self, *a: Any, **k: Any) -> None:
            raise ConnectionError("Name or service not known")

    fake = types.ModuleType("kaggle")
    fake.api = Api()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "kaggle", fake)
    with pytest.raises(DownloadError, match="ConnectionError: Name or service not known"):
        download(tmp_path)
