from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import jobmap
from tests.conftest import needs_shared, run_cli

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def test_report_tables_on_the_bundled_sample() -> None:
    tables = jobmap.report("ml-ai", progress=False)
    overview = tables["overview"].set_index("group")
    assert overview["postings"].sum() == 665 and overview.loc["family", "postings"] > 0
    for name in (
        "salary",
        "salary_by_experience",
        "top_titles",
        "companies",
        "job_industries",
        "company_industries",
        "skills",
        "benefits",
        "states",
        "remote",
        "experience",
        "work_type",
        "over_time",
        "company_size",
    ):
        assert name in tables and len(tables[name]) > 0, name
    salary = tables["salary"].set_index("group")
    assert salary.loc["rest", "postings"] > 300
    skills = tables["skills"]
    assert {"family", "rest", "family_share", "rest_share"} <= set(skills.columns)
    assert skills["family_share"].between(0, 1).all()
    assert any("companies: rows for 68" in n for n in tables["notes"]["note"])


def test_report_cli_writes_a_self_contained_page(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = run_cli("report", "ml-ai", "--out", out, "--tables", tmp_path / "t", "--quiet")
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert page.count("<svg") >= 10
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=|src=\"http", page)
    footer = html.unescape(page[page.index("<footer>") :])
    assert '"method": "auto"' in footer and '"jobmap_version"' in footer  # the run manifest
    assert (tmp_path / "t" / "salary.csv").is_file() and (tmp_path / "t" / "skills.csv").is_file()
    bad = run_cli("report", "ml-ai", "--out", tmp_path / "r.txt")
    assert bad.exit_code == 2 and "end the file name in .html" in bad.stderr


def test_report_on_titles_only_data_says_what_is_missing(tmp_path: Path) -> None:
    data = needs_shared("data", "linkedin-2023")
    tables = jobmap.report("ml-ai", data, out=tmp_path / "r.html", progress=False)
    notes = " ".join(tables["notes"]["note"])
    assert "companies: table not in the source" in notes
    assert "No posting dates" in notes and "No company names" in notes
    assert tables["salary"].set_index("group").loc["family", "postings"] > 50
    assert "What this data does not allow" in (tmp_path / "r.html").read_text()


@pytest.mark.slow
def test_the_page_draws_in_headless_chromium(tmp_path: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed (.ci/run installs Debian's chromium)")
    page = tmp_path / "r.html"
    jobmap.report("ml-ai", out=page, progress=False)
    shot = tmp_path / "shot.png"
    flags = [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    subprocess.run(
        [browser, *flags, "--window-size=1280,2400", f"--screenshot={shot}", page.as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
    )
    dom = subprocess.run(
        [browser, *flags, "--dump-dom", page.as_uri()],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert dom.count("<svg") >= 10  # every chart is in the rendered page
    import matplotlib.image as mpimg
    import numpy as np

    pixels = mpimg.imread(shot)[..., :3]
    family_blue = np.array([0x1F, 0x6F, 0xEB]) / 255
    blue = (np.abs(pixels - family_blue) < 0.06).all(axis=-1).sum()
    assert pixels.shape[0] >= 2000 and blue > 5_000  # the family's bars were painted


def test_report_keeps_the_column_mapping(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("Headline,Body\nMachine Learning Engineer,Train models\nCook,Cook food\n")
    tables = jobmap.report("ml-ai", f, columns=["title=Headline"], progress=False)
    assert tables["overview"].set_index("group").loc["family", "postings"] == 1
