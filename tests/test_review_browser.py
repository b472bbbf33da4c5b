"""The review page in a real browser: `jobmap review` as a user starts it (a real server, the real
MiniLM on the bundled sample), driven by headless Chromium (Debian's, through Playwright) with
the keyboard, then killed with SIGKILL and started again."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from jobmap.answers import AnswerStore
from tests.conftest import CHROMIUM_FLAGS

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless=new", *CHROMIUM_FLAGS]


@contextmanager
def _browser_page(url: str) -> Iterator[Any]:
    """A headless Chromium page (Debian's, through Playwright) opened at ``url``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.goto(url)
        yield page
        browser.close()


def _start(env: dict[str, str], *args: str) -> tuple[subprocess.Popen[str], str]:
    """``jobmap review ml-ai`` (or ``args``) as a user starts it, on a free port; its URL with
    the token."""
    from jobmap.web.server import free_port

    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jobmap.cli",
            "review",
            *(args or ("ml-ai",)),
            "--no-browser",
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 240
    url = ""
    while time.monotonic() < deadline and not url:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            raise AssertionError(f"jobmap review exited with {proc.returncode}")
        found = re.search(r"(http://127\.0\.0\.1:\d+/\?token=\S+)", line)
        url = found.group(1) if found else ""
    assert url, "no URL printed"
    for _ in range(100):  # the server starts listening just after it prints the URL
        try:
            import urllib.request

            urllib.request.urlopen(url.split("?")[0], timeout=1)
        except Exception as exc:
            if "403" in str(exc):
                break
            time.sleep(0.1)
    return proc, url


@contextmanager
def _review(env: dict[str, str], *args: str) -> Iterator[Any]:
    """``jobmap review`` started as a user starts it (:func:`_start`), its page open in Chromium
    with the first question on the card; on leaving, Ctrl+C and a clean exit."""
    proc, url = _start(env, *args)
    try:
        with _browser_page(url) as page:
            page.wait_for_function("document.getElementById('card').dataset.subject")
            yield page
    finally:
        os.kill(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=30) == 0


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    yield {
        **os.environ,
        "JOBMAP_CACHE": str(tmp_path / "cache"),
        "JOBMAP_ANSWERS": str(tmp_path / "answers.sqlite"),
        "HF_HUB_OFFLINE": "1",
    }


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_answer_five_by_keyboard_undo_one_kill_and_reload(
    env: dict[str, str], tmp_path: Path
) -> None:
    proc, url = _start(env)
    try:
        with _browser_page(url) as page:
            page.wait_for_function("document.getElementById('card').dataset.subject")
            asked = []
            for key in ["y", "n", "n", "y", "s"]:
                subject = page.eval_on_selector("#card", "e => e.dataset.subject")
                asked.append(subject)
                started = time.perf_counter()
                page.keyboard.press(key)
                page.wait_for_function(
                    "s => document.getElementById('card').dataset.subject !== s", arg=subject
                )
                assert time.perf_counter() - started < 5
            assert len(set(asked)) == 5  # five different questions
            page.keyboard.press("Backspace")  # takes back the skip
            page.wait_for_function(
                "() => document.getElementById('status').textContent.startsWith('Undone: 1')"
            )
            # what was done reads as done, not in the error colour
            assert page.eval_on_selector("#status", "e => e.classList.contains('ok')")
            page.screenshot(path=str(tmp_path / "review.png"), full_page=True)
    finally:
        os.kill(proc.pid, signal.SIGKILL)  # no shutdown: the answers must already be on disk
        proc.wait()
    kept = AnswerStore(env["JOBMAP_ANSWERS"]).current("ml-ai")
    assert [a.subject for a in kept] == asked[:4]
    assert [a.answer for a in kept] == ["yes", "no", "no", "yes"]

    # started again on the same answers: the page shows them and exports them
    proc, url = _start(env)
    try:
        with _browser_page(url) as page:
            page.wait_for_function(
                "() => document.getElementById('progress').textContent.startsWith('4 answers')"
            )
            nxt = page.eval_on_selector("#card", "e => e.dataset.subject")
            assert nxt not in asked[:4]  # the queue resumes after the answered ones
            with page.expect_download() as download:
                page.click("text=Answers (CSV)")
            path = tmp_path / "labels.csv"
            download.value.save_as(str(path))
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    labels = pd.read_csv(path)
    assert set(labels.columns) == {"job_id", "title", "label"} and len(labels) >= 4
    assert set(labels["label"]) <= {"yes", "no"} and (labels["label"] == "yes").any()


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_a_term_jobmap_grew_is_dropped_from_the_page(env: dict[str, str], tmp_path: Path) -> None:
    titles = [f"Registered Nurse {w}" for w in ("ICU", "Cardiac Care", "Oncology", "ER", "PACU")]
    titles += [f"RN {w}" for w in ("ICU", "Cardiac Care", "Oncology", "ER", "Float Pool")]
    titles += [
        "Line Cook",
        "Truck Driver",
        "Welder",
        "Cashier",
        "Electrician",
        "Plumber",
        "Accountant",
        "Barista",
        "Janitor",
        "Forklift Operator",
        "Security Guard",
        "Bank Teller",
        "Mechanic",
        "Receptionist",
        "Software Engineer",
        "Data Analyst",
    ]
    data = tmp_path / "jobs.csv"
    pd.DataFrame({"job_id": range(1, len(titles) + 1), "title": titles}).to_csv(data, index=False)
    fams = tmp_path / "f.toml"
    fams.write_text('[families.nursing]\nanchors = ["registered nurse"]\n')
    proc, url = _start(env, "nursing", "--data", str(data), "--families", str(fams))
    try:
        with _browser_page(url) as page:
            page.wait_for_function("!document.getElementById('grown-box').hidden")
            assert "'RN' (from 'registered nurse')" in page.inner_text("#grown")
            page.click("#grown button[data-grown='phrase:rn']:text('drop')")
            # the term stays listed, dropped, with the button to keep it after all
            page.wait_for_function(
                "document.getElementById('grown').textContent.includes('dropped')"
            )
            assert page.is_visible("#grown button[data-grown='phrase:rn']:text('keep')")
            assert page.locator("#grown button:text('drop')").count() == 0
            page.screenshot(path=str(tmp_path / "grown.png"), full_page=True)
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    kept = AnswerStore(env["JOBMAP_ANSWERS"]).current("nursing")
    assert [(a.subject, a.answer) for a in kept] == [("phrase:rn", "no")]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_the_card_lists_titles_within_it_and_counts_the_rest(
    env: dict[str, str], tmp_path: Path
) -> None:
    proc, url = _start(env)
    try:
        with _browser_page(url) as page:
            page.wait_for_function("document.getElementById('card').dataset.subject")
            page.set_viewport_size({"width": 1280, "height": 900})
            # a question as the server sends it, of 60 titles with long names
            titles = [
                [f"Senior Widget Systems Analyst, Division {i:02d} (Remote)", 2] for i in range(60)
            ]
            page.evaluate(
                """titles => showQuestion({subject: "phrase:widget", kind: "phrase",
                   label: "titles containing 'widget'", postings: 120, titles: titles,
                   audit: false, value: 3, score: 0.2, matched: 0, why: "a test", example: {}})""",
                titles,
            )
            items = page.eval_on_selector_all("#q-titles li", "els => els.map(e => e.textContent)")
            assert len(items) == 41
            assert items[-1] == "and 20 more titles (40 postings)"
            # the list stays inside the card: no column runs off its right edge
            inside = page.evaluate(
                """() => { const l = document.getElementById('q-titles');
                   const c = document.getElementById('card').getBoundingClientRect();
                   return [...l.children].every(li => li.getBoundingClientRect().right <= c.right)
                     && l.scrollWidth <= l.clientWidth; }"""
            )
            assert inside
            page.screenshot(path=str(tmp_path / "card.png"), full_page=True)
            # the page has its icon (no 404 on every page)
            icon = page.evaluate(
                "() => fetch(document.querySelector('link[rel=icon]').href).then(r => r.status)"
            )
            assert icon == 200
    finally:
        # Ctrl+C is how a review ends: a clean stop, no error, the answers' place said
        os.kill(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    assert proc.stdout is not None
    said = proc.stdout.read()
    assert "Error" not in said and "Stopped. Every answer is saved in" in said


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_a_phrase_answered_yes_except_an_unticked_title(
    env: dict[str, str], tmp_path: Path
) -> None:
    """On a phrase's card, untick a title and press y: the phrase is answered yes and that
    title no, in one batch, and the page says so in the success colour."""
    from jobmap.data import bundled_sample_path, load
    from jobmap.review.questions import Groups

    groups = Groups.build(load(bundled_sample_path(), progress=False).postings)
    phrase, members = max(
        ((p, m) for p, m in groups.phrases.items() if "learning" not in p),
        key=lambda pm: (len(pm[1]), pm[0]),
    )
    titles = [[groups.shown[m], int(groups.counts[m])] for m in members]
    subjects = [f"title:{groups.titles[m]}" for m in members]
    with _review(env) as page:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.evaluate(
            """([subject, titles, members]) => showQuestion({subject, kind: "phrase",
               label: "titles containing", postings: 9, titles, members, audit: false,
               value: 3, score: 0.2, matched: 0, why: "a test", example: {}})""",
            [f"phrase:{phrase}", titles, subjects],
        )
        assert page.is_visible("#q-untick")
        boxes = page.locator("#q-titles input[type=checkbox]")
        assert boxes.count() == len(members)
        boxes.nth(0).click()  # the focus on a box keeps the keys
        page.screenshot(path=str(tmp_path / "unticked.png"), full_page=True)
        page.keyboard.press("y")
        page.wait_for_function(
            "document.getElementById('status').textContent.includes('except 1 title')"
        )
        assert "ok" in (page.get_attribute("#status", "class") or "")
        page.screenshot(path=str(tmp_path / "except.png"), full_page=True)
    said = {a.subject: a.answer for a in AnswerStore(env["JOBMAP_ANSWERS"]).current("ml-ai")}
    assert said == {f"phrase:{phrase}": "yes", subjects[0]: "no"}
    batches = {a.batch for a in AnswerStore(env["JOBMAP_ANSWERS"]).current("ml-ai")}
    assert len(batches) == 1


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_keys_typed_in_flight_are_kept_and_a_new_head_replaces_the_card(
    env: dict[str, str], tmp_path: Path
) -> None:
    """Two "s" presses 10 ms apart are two answers (the second waits for the first's reply and
    skips the question it brings); when a re-fit makes another question the queue's head, the
    card follows, with a note."""
    import json

    with _review(env) as page:
        first = page.get_attribute("#card", "data-subject")
        page.keyboard.press("s")
        page.wait_for_timeout(10)
        page.keyboard.press("s")
        page.wait_for_function(
            "document.getElementById('progress').textContent.startsWith('2 answers')",
            timeout=30_000,
        )
        skipped = [a.subject for a in AnswerStore(env["JOBMAP_ANSWERS"]).current("ml-ai")]
        assert len(skipped) == 2 and skipped[0] == first and skipped[1] != first
        # the server's queue now has another head (as after a re-fit): the card follows
        shown = page.get_attribute("#card", "data-subject")
        head = {
            "subject": "title:a question the re-fit made first",
            "kind": "title",
            "label": "A Question The Re-fit Made First",
            "postings": 1,
            "titles": [["A Question The Re-fit Made First", 1]],
            "members": [],
            "audit": False,
            "value": 2.0,
            "score": 0.4,
            "matched": 0,
            "why": "a test",
            "example": {},
        }
        progress = json.loads(page.evaluate("fetch('/api/progress').then(r => r.text())"))
        page.route(
            "**/api/question",
            lambda route: route.fulfill(
                content_type="application/json",
                body=json.dumps({"question": head, "progress": progress}),
            ),
        )
        page.wait_for_function(
            "document.getElementById('card').dataset.subject.startsWith('title:a question')",
            timeout=10_000,
        )
        assert shown != head["subject"]
        note = page.text_content("#q-note") or ""
        assert "new question" in note
        page.screenshot(path=str(tmp_path / "new-head.png"), full_page=True)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_the_list_tab_answers_in_bulk_and_shows_the_answers(
    env: dict[str, str], tmp_path: Path
) -> None:
    """The List tab hides the card (its keys are off), puts the bulk buttons above the table,
    and after a bulk answer unticks the rows and shows each one's answer; the threshold slider
    spans the scores' range."""
    with _review(env) as page:
        page.set_viewport_size({"width": 1280, "height": 900})
        assert page.get_attribute("#threshold", "min") == "0"
        assert page.get_attribute("#threshold", "max") == "1"
        # the exports follow the slider
        page.evaluate(
            """() => { const s = document.getElementById('threshold'); s.value = '0.8';
               s.dispatchEvent(new Event('input')); }"""
        )
        page.wait_for_function(
            "document.querySelector('a[data-export=\"/export/matches.csv\"]')"
            ".getAttribute('href').includes('?t=0.8')"
        )
        assert "?t=0.8" in (page.get_attribute("a[href^='/export/family.toml']", "href") or "")
        page.click("a[data-tab=list]")
        assert not page.is_visible("#card") and page.is_visible("#search")
        page.fill("#search", "sales")
        page.press("#search", "Enter")
        page.wait_for_function("document.querySelectorAll('#rows tbody tr').length >= 2")
        table_top = page.eval_on_selector("#rows", "e => e.getBoundingClientRect().top")
        bulk_top = page.eval_on_selector(".bulk", "e => e.getBoundingClientRect().top")
        assert bulk_top < table_top
        boxes = page.locator("#rows tbody input[type=checkbox]")
        boxes.nth(0).check()
        boxes.nth(1).check()
        page.click("button[data-bulk=no]")
        page.click("#preview-ok")
        page.wait_for_function(
            "document.getElementById('list-status').textContent.includes('Answered 2 titles')"
        )
        assert page.locator("#rows tbody input:checked").count() == 0
        answers = page.eval_on_selector_all(
            "#rows tbody tr", "trs => trs.map(tr => tr.children[5].textContent)"
        )
        assert answers.count("no") == 2
        page.screenshot(path=str(tmp_path / "list.png"), full_page=True)
    said = AnswerStore(env["JOBMAP_ANSWERS"]).current("ml-ai")
    assert (
        len(said) == 2 and {a.answer for a in said} == {"no"} and len({a.batch for a in said}) == 1
    )


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_a_check_these_row_flips_its_answer_with_one_click(
    env: dict[str, str], tmp_path: Path
) -> None:
    """'Check these' lists answers a model trained without them would give the other way; each
    row's button gives the other answer (a route stands in for the model's slow check)."""
    import json

    with _review(env) as page:
        found = json.loads(page.evaluate("fetch('/api/search?q=sales').then(r => r.text())"))[
            "rows"
        ][0]
        page.evaluate(
            """s => fetch('/api/answer', {method: 'POST', credentials: 'same-origin',
               headers: {'content-type': 'application/json'},
               body: JSON.stringify({subject: s, answer: 'yes'})})""",
            found["subject"],
        )
        row = {**found, "answered": "yes", "predicted": 0.08}
        page.route(
            "**/api/check",
            lambda route: route.fulfill(
                content_type="application/json", body=json.dumps({"rows": [row]})
            ),
        )
        page.click("#check-button")
        page.click(f"#check button[data-flip='{found['subject']}']")
        page.wait_for_function(
            "document.getElementById('status').textContent.startsWith('Answered no')"
        )
        assert page.get_attribute("#check-button", "disabled") is None
    said = {a.subject: a.answer for a in AnswerStore(env["JOBMAP_ANSWERS"]).current("ml-ai")}
    assert said == {found["subject"]: "no"}


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_the_matches_page_sorts_by_a_click_on_a_column(env: dict[str, str], tmp_path: Path) -> None:
    with _review(env) as page:
        page.goto(page.url.split("?")[0].rstrip("/") + "/matches")  # the nav opens a new tab
        page.wait_for_selector("table.matches")
        page.click("table.matches th a:text('title')")
        page.wait_for_url("**/matches?*sort=title*")
        titles = page.eval_on_selector_all(
            "table.matches tbody tr", "trs => trs.map(tr => tr.children[0].textContent)"
        )
        assert titles and titles == sorted(titles, key=str.lower)
        assert page.is_visible("a[href='/']")
        page.set_viewport_size({"width": 1280, "height": 700})
        # a row answered no from the page
        first = page.locator("table.matches tbody button[data-subject]").first
        subject = first.get_attribute("data-subject")
        first.click()
        page.wait_for_function(
            "document.getElementById('matches-status').textContent.startsWith('Answered no')"
        )
        assert first.text_content() == "answered no"
        page.screenshot(path=str(tmp_path / "matches.png"))
    said = {a.subject: a.answer for a in AnswerStore(env["JOBMAP_ANSWERS"]).current("ml-ai")}
    assert said == {subject: "no"}
