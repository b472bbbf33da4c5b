from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import jobmap
from tests.conftest import CHROMIUM_FLAGS, needs_shared, run_cli

HEADLESS = ["--headless", *CHROMIUM_FLAGS]


def test_report_tables_on_the_bundled_sample() -> None:
    tables = jobmap.report("ml-ai", progress=False)
    overview = tables["overview"].set_index("group")
    assert overview["postings"].sum() == 665 and overview.loc["family", "postings"] > 0
    # every table, checked against counts made here from the postings and the run's matches
    found = jobmap.find("ml-ai", all=True, progress=False)
    family_ids = set(found.loc[found["match"], "job_id"])
    p = jobmap.load(progress=False).postings
    in_family = p["job_id"].isin(family_ids).astype(bool)
    n_family = int(in_family.sum())
    assert overview.loc["family", "postings"] == n_family
    assert tables["top_titles"]["postings"].sum() == n_family
    with_salary = p["annual_salary"].between(10_000, 1_000_000).fillna(False).astype(bool)
    salary_counts = tables["salary"].set_index("group")["postings"]
    assert salary_counts["family"] == (with_salary & in_family).sum()
    assert salary_counts["rest"] == (with_salary & ~in_family).sum()
    outside = int((p["annual_salary"].notna() & ~with_salary).sum())
    said = [n for n in tables["notes"]["note"] if n.startswith("Salaries:")]
    assert outside > 0 and said and f"{outside:,} of the" in said[0]  # nothing left out unsaid
    work = tables["work_type"].set_index("formatted_work_type")
    expected_work = p.loc[in_family, "formatted_work_type"].value_counts()
    assert work["family"].loc[expected_work.index].tolist() == expected_work.tolist()
    assert tables["over_time"]["family"].sum() == n_family
    top_company = tables["companies"].iloc[0]
    assert (
        top_company["family"]
        == (in_family & (p["company_name"] == top_company["company_name"])).sum()
    )
    remote = tables["remote"].set_index("group")
    assert remote.loc["family", "postings"] == n_family
    for name in ("job_industries", "company_industries", "skills", "benefits", "states"):
        part = tables[name]
        assert part["family"].max() <= n_family and part["family"].sum() >= n_family / 2, name
        assert part["rest_share"].between(0, 1).all(), name
    experience = tables["salary_by_experience"]
    assert set(experience["group"]) == {"family", "rest"}
    assert experience["postings"].sum() <= with_salary.sum()
    sizes = tables["company_size"]
    assert sizes["family"].sum() + sizes["rest"].sum() <= len(p)
    salary = tables["salary"].set_index("group")
    assert salary.loc["rest", "postings"] > 300
    skills = tables["skills"]
    assert {"family", "rest", "family_share", "rest_share"} <= set(skills.columns)
    assert skills["family_share"].between(0, 1).all()
    assert "companies: rows for 68 of the 542 companies in postings." in list(
        tables["notes"]["note"]
    )


def test_report_maps_the_family_s_occupations_with_their_attribution(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    tables = jobmap.report("ml-ai", out=out, progress=False)
    found = jobmap.find("ml-ai", all=True, progress=False)
    coded = jobmap.occupations(progress=False)
    in_family = coded["job_id"].isin(set(found.loc[found["match"], "job_id"]))
    occupations = tables["occupations"]
    top = occupations.iloc[0]
    code = str(top["occupation"]).split(" ", 1)[0]
    assert top["family"] == int((in_family & (coded["occupation_code"] == code)).sum())
    assert top["rest"] == int((~in_family & (coded["occupation_code"] == code)).sum())
    assert top["held"] == pytest.approx(top["family"] / (top["family"] + top["rest"]), abs=1e-4)
    groups = tables["occupation_groups"]
    named = coded["occupation_code"] != ""
    assert groups["family"].sum() == int((in_family & named).sum())
    assert groups["major_group"].str.match(r"^\d{2} \w").all()
    page = html.unescape(out.read_text())
    assert "Occupations: SOC major groups" in page
    assert "O*NET Database (2025 release)" in page and "CC BY 4.0" in page


def test_report_cli_writes_a_self_contained_page(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = run_cli("report", "ml-ai", "--out", out, "--tables", tmp_path / "t", "--quiet")
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert page.count("<svg") >= 10
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=|src=\"http", page)
    footer = html.unescape(page[page.index("<footer>") :])
    assert '"method": "auto"' in footer and '"jobmap_version"' in footer  # the run manifest
    # the salary caption states the range the tables keep
    assert "with a yearly salary between $10,000 and $1,000,000." in html.unescape(page)
    assert (tmp_path / "t" / "salary.csv").is_file() and (tmp_path / "t" / "skills.csv").is_file()
    bad = run_cli("report", "ml-ai", "--out", tmp_path / "r.txt")
    assert bad.exit_code == 1 and "r.txt: end the name in .html or .htm." in bad.stderr


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
    flags = [*HEADLESS, f"--user-data-dir={tmp_path / 'profile'}"]
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


@pytest.mark.slow
def test_the_found_postings_sort_and_filter_in_the_browser(tmp_path: Path) -> None:
    """The report's list of found postings in headless Chromium (Playwright): a click on a column
    sorts it (again: the other way), typing filters it and says how many rows it shows; the new
    sections are there; nothing is loaded from the network."""
    browser_path = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser_path is None:
        pytest.skip("chromium is not installed (.ci/run installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    out = tmp_path / "r.html"
    tables = jobmap.report("ml-ai", out=out, progress=False)
    found = tables["found_postings"]
    shots = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=browser_path, args=HEADLESS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(out.as_uri())
        rows = page.locator("#postings tbody tr")
        assert rows.count() == len(found)
        titles = page.locator("#postings tbody tr td:first-child")
        # by score at first; a click on "title" sorts A to Z, a second Z to A
        header = page.locator("#postings th", has_text="title")
        header.click()
        shown = [t.strip() for t in titles.all_inner_texts()]
        assert shown == sorted(found["title"], key=str.lower)
        assert header.get_attribute("aria-sort") == "ascending"
        header.click()
        assert [t.strip() for t in titles.all_inner_texts()] == shown[::-1]
        # salary sorts as a number, the postings without one last either way
        salary = page.locator("#postings th", has_text="salary")
        cells = page.locator("#postings tbody tr td:nth-child(4)")
        for ascending in (True, False):
            salary.click()
            texts = [c.strip() for c in cells.all_inner_texts()]
            filled = [float(c.strip("$").replace(",", "")) for c in texts if c]
            assert filled == sorted(filled, reverse=not ascending)
            assert texts[: len(filled)] == [t for t in texts if t]  # empty cells at the end
            assert len(filled) == int(found["salary"].notna().sum())
        # filter: every word must appear in the row
        word = str(found["title"].iloc[0]).split()[0]
        page.fill("#postings-filter", word.lower())
        expected = sum(word.lower() in " ".join(map(str, r)).lower() for r in found.values)
        visible = page.locator("#postings tbody tr:not([hidden])")
        assert 0 < visible.count() <= len(found)
        assert f"of {len(found):,} postings" in page.inner_text("#postings-count")
        assert visible.count() <= expected
        page.fill("#postings-filter", "zzzz-no-such-words")
        assert visible.count() == 0
        page.fill("#postings-filter", "")
        assert visible.count() == len(found)
        text = page.inner_text("main")
        assert "Technologies asked for" in text and "Applicants and remote work" in text
        assert "too little time to show a trend" in text  # the sample spans two weeks
        page.locator("section", has_text="Technologies asked for").first.screenshot(
            path=str(shots / "report-technologies.png")
        )
        page.locator("section.wide").screenshot(path=str(shots / "report-found-postings.png"))
        page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
        browser.close()
    assert all(u.startswith("file:") for u in requests), requests
