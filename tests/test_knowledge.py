"""The O*NET data shipped in the package: what it holds, its attribution, and that the build
script makes it from an O*NET release (issue 20, item 1)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

from jobmap import knowledge
from tests.conftest import needs_shared

ROOT = Path(__file__).resolve().parents[1]


def test_the_shipped_tables_hold_the_release() -> None:
    counts = {f["table"]: f["rows"] for f in knowledge.release()["files"].values()}
    assert counts == {"occupations": 1016, "titles": 56495, "tasks": 18797, "technologies": 32681}
    assert len(knowledge.occupations()) == 1016
    assert len(knowledge.alternate_titles()) == 56495
    occ = knowledge.occupations().set_index("code")
    assert occ.loc["15-1212.00", "title"] == "Information Security Analysts"
    titles = knowledge.alternate_titles()
    assert "Red Team Member" in set(titles.loc[titles["code"] == "15-1212.00", "title"])
    tech = knowledge.technologies()
    assert tech["hot"].dtype == bool and tech["technology"].eq("Python").any()


def test_the_attribution_the_licence_requires_ships_and_is_in_the_readme() -> None:
    notice = knowledge.attribution()
    assert "O*NET Database" in notice and "CC BY 4.0" in notice and "USDOL/ETA" in notice
    readme = (ROOT / "README.md").read_text()
    assert "O*NET Database (2025 release)" in readme and "CC BY 4.0" in readme


def test_the_build_script_makes_the_shipped_tables(tmp_path: Path) -> None:
    source = needs_shared("onet")
    spec = importlib.util.spec_from_file_location("build_onet", ROOT / "tools" / "build_onet.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    info = build.build(source, tmp_path)
    assert info == knowledge.release()
    for name in ("occupations", "titles", "tasks", "technologies"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / f"{name}.parquet"),
            pd.read_parquet(knowledge.onet_dir() / f"{name}.parquet"),
        )
