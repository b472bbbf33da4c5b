"""The review: questions, the queue, the session's re-fits, the simulation, and the page's security
rules (a real server for the browser test lives in test_review_browser.py)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from starlette.testclient import TestClient

from jobmap.answers import AnswerStore, subject
from jobmap.config import Settings
from jobmap.review import ReviewSession, simulate_review, views
from jobmap.review.questions import Groups, audit_estimates, audit_posting, expected_change
from jobmap.web import create_app
from tests.fakes import HashBackend

ML = [
    "Machine Learning Engineer",
    "Senior Machine Learning Engineer",
    "Machine Learning Scientist",
    "Lead Machine Learning Engineer",
]
DS = ["Data Scientist", "Senior Data Scientist", "Lead Data Scientist", "Data Scientist II"]
OTHER = ["Data Engineer", "Senior Data Engineer", "Registered Nurse", "Line Cook", "Truck Driver"]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    rows = [t for t in ML for _ in range(3)] + [t for t in DS for _ in range(4)]
    rows += [t for t in OTHER for _ in range(6)]
    rows += ["<script>alert(1)</script> Engineer"]
    f = tmp_path / "jobs.csv"
    pd.DataFrame({"job_id": range(1, len(rows) + 1), "title": rows}).to_csv(f, index=False)
    return f


@pytest.fixture
def family(tmp_path: Path) -> Path:
    f = tmp_path / "fams.toml"
    f.write_text('[families.ml]\nanchors = ["machine learning"]\n')
    return f


@pytest.fixture
def session(data: Path, family: Path, tmp_path: Path, fake_model: HashBackend) -> ReviewSession:
    settings = Settings.build("ml", data, families=family, model="fake", progress=False)
    return ReviewSession(settings, AnswerStore(tmp_path / "answers.sqlite"), audit_every=0)


def test_groups_are_titles_and_shared_phrases(data: Path) -> None:
    postings = pd.read_csv(data)
    groups = Groups.build(postings)
    assert groups.counts[groups.titles.index("data scientist")] == 4
    assert "data scientist" in groups.phrases and "machine learning" in groups.phrases
    assert "senior" not in groups.phrases and "data" not in groups.phrases  # too generic
    members = {groups.titles[i] for i in groups.phrases["data scientist"]}
    assert members == {t.lower() for t in DS}


def test_titles_sharing_a_technology_make_a_group() -> None:
    """One word alone makes no group ("data"), unless it names a technology ("CyberArk")."""
    from jobmap.knowledge.catalogue import technology_words

    titles = ["CyberArk Engineer", "Senior CyberArk Administrator", "CyberArk PAM Consultant"]
    titles += ["Data Engineer", "Data Entry Clerk", "Data Analyst", "Splunk Admin"]
    frame = pd.DataFrame({"title": titles})
    assert "cyberark" not in Groups.build(frame).phrases
    groups = Groups.build(frame, words=technology_words())
    members = {groups.titles[i] for i in groups.phrases["cyberark"]}
    assert members == {
        "cyberark engineer",
        "senior cyberark administrator",
        "cyberark pam consultant",
    }
    assert "data" not in groups.phrases and "splunk" not in groups.phrases  # one title only


def test_expected_change_values_what_an_answer_would_move() -> None:
    counts = np.array([10, 10])
    unsure = expected_change(np.array([0.5, 0.5]), np.array([0.0, 0.0]), counts)
    sure_out = expected_change(np.array([0.02, 0.02]), np.array([0.0, 0.0]), counts)
    sure_in = expected_change(np.array([0.98, 0.98]), np.array([1.0, 1.0]), counts)
    assert unsure == pytest.approx(10) and sure_out < 1 and sure_in < 1


def test_the_queue_orders_by_expected_f1_gain_not_postings_times_probability() -> None:
    """The issue's case: a 582-posting phrase nobody would say yes to (p 0.01) against a 14-posting
    phrase likely in (p 0.4), beside a family of 300 matched postings. Postings x probability
    puts the large one first (5.8 against 5.6 postings); its expected F1 gain is smaller."""
    from jobmap.review.questions import rank

    big = [f"store hourly {w}" for w in ("north", "south", "east")]
    small = [f"cyber defense {w}" for w in ("north", "south", "east")]
    core = [f"security engineer {w}" for w in ("north", "south", "east")]
    other = ["dental assistant", "nurse practitioner", "line cook"]
    titles = big + small + core + other
    groups = Groups.build(pd.DataFrame({"title": titles}))
    n = len(groups.titles)
    # postings per title (Groups counts the frame's rows; set them as a large dataset has them)
    postings = {**dict.fromkeys(big, 194), **dict.fromkeys(small, 14 / 3)}
    postings |= {**dict.fromkeys(core, 100), **dict.fromkeys(other, 400)}
    groups.counts = np.array([postings[groups.shown[i]] for i in range(n)])
    p = np.array(
        [
            0.01 if t in big else 0.4 if t in small else 0.95 if t in core else 0.001
            for t in groups.shown
        ]
    )
    matched = np.array([1.0 if t in core else 0.0 for t in groups.shown])
    settled = np.zeros(n, bool)
    big_value = expected_change(p[:1].repeat(3), np.zeros(3), np.full(3, 194.0))
    assert big_value > 5.6  # postings x probability: the big phrase first
    queue = rank(groups, p, matched, settled, limit=10)
    keys = [g.key for g, _ in queue]
    assert "cyber defense" in keys and "store hourly" in keys
    assert keys.index("cyber defense") < keys.index("store hourly")
    gains = {g.key: g.gain for g, _ in queue}
    assert gains["cyber defense"] > gains["store hourly"] > 0


def test_a_group_answer_settles_all_its_postings(session: ReviewSession) -> None:
    before = session.current.match.copy()
    session.answer(subject("phrase", "data scientist"), "yes")
    titles = session.postings["title"]
    in_ds = titles.isin(DS).to_numpy()
    assert not before[in_ds].any() and session.current.match[in_ds].all()
    assert (session.current.answered[in_ds] == "yes").all()
    assert "data scientist" in session.current.family.anchors  # the rule grew
    # undo takes it back, and the next fit forgets it
    assert session.undo() == 1
    assert not session.current.match[in_ds].any()


def test_the_queue_skips_what_is_answered_and_keeps_questions_apart(
    session: ReviewSession,
) -> None:
    first = session.next_question()
    assert first is not None and not first.audit
    session.answer(first.subject, "skip")
    second = session.next_question()
    assert second is not None and second.subject != first.subject  # a skip is not asked again
    queued = [set(g.members) for g, _ in session.current.queue]
    for i, a in enumerate(queued):
        for b in queued[i + 1 :]:
            assert not a & b  # no two queued questions cover the same title


def test_audit_questions_are_postings_drawn_at_random(
    data: Path, family: Path, tmp_path: Path, fake_model: HashBackend
) -> None:
    settings = Settings.build("ml", data, families=family, model="fake", progress=False)
    session = ReviewSession(settings, AnswerStore(tmp_path / "a.sqlite"), audit_every=2, seed=1)
    q1 = session.next_question()
    assert q1 is not None and not q1.audit
    session.answer(q1.subject, "no")
    q2 = session.next_question()
    assert q2 is not None and q2.audit and q2.kind == "posting"
    assert session.next_question().subject == q2.subject  # the same audit until answered
    # drawn among the unanswered matches: that stratum's size then
    matched_then = int((session.current.match & session.current.answered.isna().to_numpy()).sum())
    session.answer(q2.subject, "no")
    audit = session.answers()[-1]
    assert audit.audit and audit.stratum == "matches" and audit.stratum_size == matched_then
    # the audit counts where it was drawn (its match now is its own answer): a false match
    est = views.threshold_stats(session, 0.5)["audit"]
    assert est["audited_matches"] == 1 and est["precision"] == 0.0
    q3 = session.next_question()
    assert q3 is not None and not q3.audit
    session.answer(q3.subject, "skip")
    q4 = session.next_question()
    assert q4 is not None and q4.audit
    session.answer(q4.subject, "yes")  # drawn from the rest, and in the family: a miss
    assert session.answers()[-1].stratum == "rest"
    est = views.threshold_stats(session, 0.5)["audit"]
    assert est["audited_rest"] == 1 and est["recall"] == 0.0  # one miss, no true match yet
    # estimates weigh each stratum by its size when drawn
    weighed = audit_estimates([(True, True, 10), (True, False, 10), (False, True, 90)], 1, 1)
    assert weighed["precision"] == 0.5 and weighed["recall"] == pytest.approx(5 / (5 + 90))
    # postings answered yes are in the family for certain, beside the audited estimate
    known = audit_estimates([(True, True, 10), (True, False, 10)], 1, 1, answered_yes=10)
    assert known["precision"] == pytest.approx(15 / 20) and known["recall"] is None
    # with an interval: two audits say little ("44% (2 drawn)" had none), forty say more
    low, high = weighed["precision_interval"]
    assert low < 0.5 < high and high - low > 0.5
    low_r, high_r = weighed["recall_interval"]
    assert low_r < weighed["recall"] < high_r
    many = audit_estimates([(True, True, 10)] * 20 + [(True, False, 10)] * 20, 1, 1)
    assert many["precision_interval"][1] - many["precision_interval"][0] < 0.35
    assert known["recall_interval"] is None
    # the draw is uniform within its stratum
    rng = np.random.default_rng(0)
    matched = np.zeros(100, dtype=bool)
    matched[:10] = True
    answered = np.zeros(100, dtype=bool)
    draws = [audit_posting(rng, matched, answered, from_matches=False) for _ in range(2000)]
    assert all(d is not None and d >= 10 for d in draws)
    counts = np.bincount(np.asarray(draws), minlength=100)[10:]
    assert counts.min() > 5 and counts.max() < 45  # about 22 each


def test_simulation_curve_has_both_orders(
    data: Path, family: Path, fake_model: HashBackend
) -> None:
    postings = pd.read_csv(data)
    labels = pd.DataFrame(
        {"job_id": postings["job_id"], "label": postings["title"].isin(ML + DS).astype(int)}
    )
    settings = Settings.build("ml", data, families=family, model="fake", progress=False)
    curve = simulate_review(settings, labels, 3)
    assert list(curve.columns) == ["order", "answers", "precision", "recall", "f1"]
    assert set(curve["order"]) == {"queue", "random"}
    queue = curve[curve["order"] == "queue"].set_index("answers")["f1"]
    assert list(queue.index) == [0, 1, 2, 3]
    assert queue.iloc[-1] > queue.iloc[0]  # the data scientists are one phrase away
    assert curve.attrs["skipped"] == {"queue": 0, "random": 0}  # every posting is labelled
    # with the engineers' labels alone, a question about anything else is a skip
    few = labels[postings["title"].isin(ML).to_numpy()]
    some = simulate_review(settings, few, 3, orders=("random",))
    assert some.attrs["skipped"]["random"] > 0


# -- the page's security rules -----------------------------------------------------------------


@pytest.fixture
def client(session: ReviewSession) -> TestClient:
    app = create_app(session, token="secret-token")
    return TestClient(app)


def test_no_token_is_403(client: TestClient) -> None:
    assert client.get("/").status_code == 403
    assert client.get("/api/question").status_code == 403
    assert client.get("/api/question?token=wrong").status_code == 403
    assert client.post("/api/answer", json={"subject": "x", "answer": "yes"}).status_code == 403


def test_the_token_sets_a_cookie_then_works(client: TestClient) -> None:
    first = client.get("/?token=secret-token", follow_redirects=False)
    assert first.status_code == 303
    cookie = first.headers["set-cookie"]
    assert "jobmap_token_0=secret-token" in cookie and "HttpOnly" in cookie
    assert "samesite=strict" in cookie.lower()
    assert client.get("/api/question").status_code == 200  # the cookie carries it now


def test_foreign_origin_and_host_are_403(client: TestClient) -> None:
    client.get("/?token=secret-token")
    assert client.get("/api/question", headers={"origin": "http://evil.example"}).status_code == 403
    r = client.post(
        "/api/answer",
        json={"subject": "title:data scientist", "answer": "yes"},
        headers={"origin": "http://evil.example"},
    )
    assert r.status_code == 403
    assert client.get("/api/question", headers={"host": "evil.example"}).status_code == 403


def test_state_changes_are_post_only_and_validated(
    client: TestClient, session: ReviewSession
) -> None:
    client.get("/?token=secret-token")
    assert client.get("/api/answer").status_code == 405
    assert client.get("/api/undo").status_code == 405
    bad = [
        {"subject": "title:data scientist", "answer": "maybe"},
        {"subject": "title:no such title", "answer": "yes"},
        {"subject": "posting:abc", "answer": "yes"},
        {"subject": 5, "answer": "yes"},
    ]
    for body in bad:
        r = client.post("/api/answer", json=body)
        assert r.status_code == 400 and r.json()["error"], body
    assert client.post("/api/answer", content=b"not json").status_code == 400
    assert client.get("/api/threshold?t=7").status_code == 400
    assert client.get("/api/search?q=").status_code == 400
    assert session.store.count("ml") == 0  # nothing bad was written
    ok = client.post("/api/answer", json={"subject": "title:data scientist", "answer": "yes"})
    assert ok.status_code == 200 and ok.json()["batch"]


def test_text_from_the_data_is_escaped(client: TestClient) -> None:
    client.get("/?token=secret-token")
    page = client.get("/matches?q=script")
    assert "<script>alert(1)</script>" not in page.text
    rows = client.get("/api/search?q=script").json()["rows"]
    assert rows and rows[0]["title"] == "<script>alert(1)</script> Engineer"  # as JSON text
    session_page = client.get("/").text
    assert '<script src="/static/review.js"></script>' in session_page
    js = client.get("/static/review.js").text
    assert "innerHTML" not in js  # the page puts data on screen with textContent only


def test_a_catastrophic_regular_expression_returns_in_time(client: TestClient) -> None:
    client.get("/?token=secret-token")
    start = time.perf_counter()
    r = client.get("/api/search", params={"q": "(a+)+$", "regex": "1"})
    assert r.status_code == 200
    r = client.get("/api/search", params={"q": "(" * 30 + "a*" + ")*" * 30 + "b", "regex": "1"})
    assert r.status_code == 200 and r.json()["rows"] == []  # RE2 takes it, and no title ends in b
    assert time.perf_counter() - start < 5  # RE2 is linear in the text
    bad = client.get("/api/search", params={"q": "(unclosed", "regex": "1"})
    assert bad.status_code == 400 and "regular expression" in bad.json()["error"]


def test_exports(client: TestClient) -> None:
    client.get("/?token=secret-token")
    client.post("/api/answer", json={"subject": "phrase:data scientist", "answer": "yes"})
    client.post("/api/answer", json={"subject": "title:lead data scientist", "answer": "no"})
    # the postings the answers decide: the title's four (the phrase is the rule's now: its
    # postings are matched by the rule, as a families file with it matches them)
    labels = client.get("/export/labels.csv").text.splitlines()
    assert labels[0] == "job_id,title,label" and len(labels) == 1 + 4
    assert all(line.endswith(",Lead Data Scientist,no") for line in labels[1:])
    toml = client.get("/export/family.toml").text
    assert "[families.ml]" in toml and '"data scientist"' in toml
    import tomllib

    assert tomllib.loads(toml)["families"]["ml"]["anchors"] == [
        "machine learning",
        "data scientist",
    ]
    matches = client.get("/export/matches.csv").text.splitlines()
    assert matches[0].startswith("job_id,title,score,answered")
    assert len(matches) - 1 == 12 + 12  # the ML and the data scientist postings, but the lead's
    assert tomllib.loads(toml)["families"]["ml"]["titles_out"] == ["Lead Data Scientist"]


def test_evaluate_simulate_review_cli(
    data: Path, family: Path, tmp_path: Path, fake_model: HashBackend
) -> None:
    postings = pd.read_csv(data)
    labels = tmp_path / "labels.csv"
    pd.DataFrame(
        {
            "job_id": postings["job_id"],
            "label": postings["title"].isin(ML + DS).map({True: "yes", False: "no"}),
        }
    ).to_csv(labels, index=False)
    out = tmp_path / "curve.csv"
    from tests.conftest import run_cli

    result = run_cli(
        "evaluate",
        "ml",
        "--data",
        data,
        "--labels",
        labels,
        "--families",
        family,
        "--model",
        "fake",
        "--simulate-review",
        "2",
        "--out",
        out,
        "--quiet",
    )
    assert result.exit_code == 0, result.output
    assert "simulated review" in result.stdout
    assert "Skipped (no labelled posting, or a tie): queue 0 of 2; random 0 of 2" in result.stdout
    curve = pd.read_csv(out)
    assert list(curve.columns) == ["order", "answers", "precision", "recall", "f1"]
    assert len(curve) == 6 and set(curve["order"]) == {"queue", "random"}
    whole = run_cli(
        "evaluate", "ml", "--data", data, "--labels", labels, "--families", family,
        "--model", "fake", "--simulate-review", "2", "--all-or-nothing", "--quiet",
    )  # fmt: skip
    assert whole.exit_code == 0, whole.output
    # the user's own answers database was never touched
    import os

    assert not Path(os.environ["JOBMAP_ANSWERS"]).exists()


def test_answer_many_after_search_is_undone_as_one_step(
    client: TestClient, session: ReviewSession
) -> None:
    client.get("/?token=secret-token")
    rows = client.get("/api/search", params={"q": "data"}).json()["rows"]
    subjects = [r["subject"] for r in rows if "engineer" in r["title"].lower()]
    assert len(subjects) == 2
    r = client.post("/api/answer-many", json={"subjects": subjects, "answer": "no"})
    assert r.status_code == 200 and r.json()["answered"] == 2
    batch = r.json()["batch"]
    assert {a.subject for a in session.answers()} == set(subjects)
    similar = client.get("/api/similar", params={"subject": subjects[0]}).json()["rows"]
    assert similar[0]["subject"] == subjects[0]  # a title is nearest to itself
    undone = client.post("/api/undo", json={"batch": batch}).json()
    assert undone["undone"] == 2 and session.answers() == []
    too_many = client.post("/api/answer-many", json={"subjects": [], "answer": "no"})
    assert too_many.status_code == 400


def test_a_phrase_is_as_likely_yes_as_its_typical_title() -> None:
    """Titles sharing a phrase are one question: twelve titles each 0.2 likely in the family
    make a group 0.2 likely yes (not the far smaller chance that most of twelve independent
    titles are), and the typical title is weighted by postings."""
    from jobmap.review.questions import p_group_yes

    assert p_group_yes(np.full(12, 0.2), np.ones(12)) == pytest.approx(0.2)
    assert p_group_yes(np.array([0.9, 0.1, 0.1]), np.array([10, 1, 1])) == pytest.approx(0.9)
    assert p_group_yes(np.array([0.9, 0.1, 0.1]), np.array([1, 5, 5])) == pytest.approx(0.1)
    value = expected_change(np.full(12, 0.2), np.zeros(12), np.full(12, 5))
    assert value == pytest.approx(0.2 * 60)


def test_titles_with_the_familys_own_phrases_are_not_asked(session: ReviewSession) -> None:
    """The person gave "machine learning": asking "Machine Learning Engineer" asks it again."""
    asked = [g.key for g, _ in session.current.queue]
    assert asked and not any("machine learning" in key for key in asked)
    # what the rule leaves open is: the data scientists, by their phrase or their occupation
    # (Data Scientists is the machine-learning engineers' second code)
    asked_titles = {session.groups.titles[m] for g, _ in session.current.queue for m in g.members}
    assert {t.lower() for t in DS} <= asked_titles


def test_the_slider_s_answered_figures_use_the_model_s_own_call(session: ReviewSession) -> None:
    # "Lead Machine Learning Engineer" answered no: the rule still matches it, so the model's own
    # call is a false match (its final score is its answer, 0, which would hide that)
    session.answer(subject("title", "Lead Machine Learning Engineer"), "no")
    session.answer(subject("title", "Machine Learning Engineer"), "yes")
    t = session.current.threshold
    stats = views.threshold_stats(session, t)
    assert stats["answered_precision"] == pytest.approx(3 / 6)  # 3 postings each
    assert stats["answered_recall"] == 1.0
    lead = session.postings["title"].eq("Lead Machine Learning Engineer").to_numpy()
    assert not session.current.match[lead].any()  # the answer decides the match itself


def test_a_grown_term_is_the_rule_s_until_an_answer_keeps_or_drops_it(
    tmp_path: Path, fake_model: HashBackend
) -> None:
    from tests.test_evaluate import OTHER_TITLES

    rows = [f"Registered Nurse {w}" for w in ("ICU", "Cardiac Care", "Oncology Ward")]
    rows += ["RN ICU", "RN Cardiac Care", "Oncology Ward RNs", *OTHER_TITLES]
    data = tmp_path / "jobs.csv"
    pd.DataFrame({"job_id": range(1, len(rows) + 1), "title": rows}).to_csv(data, index=False)
    fams = tmp_path / "f.toml"
    fams.write_text('[families.nursing]\nanchors = ["registered nurse"]\n')
    settings = Settings.build("nursing", data, families=fams, model="fake", progress=False)
    session = ReviewSession(settings, AnswerStore(tmp_path / "a.sqlite"), audit_every=0)
    rn = session.postings["title"].str.contains("RN").to_numpy()
    assert session.current.match[rn].all()  # the rule grew "RN"
    # its titles are the rule's: not asked one by one; the page lists the term instead
    asked = {g.key for g, _ in session.current.queue}
    assert not any("rn" in key.split() or "rns" in key.split() for key in asked)
    grown = views.progress(session)["grown"]
    assert [(t["term"], t["of"], t["subject"]) for t in grown] == [
        ("RN", "registered nurse", "phrase:rn")
    ]
    session.answer("phrase:rn", "no")  # drop it: out of the rule, and its titles answered out
    assert not session.current.match[rn].any()
    assert "'RN' for 'registered nurse' rejected" in session.current.method.decided_by.grown()
    # still listed, with its answer (to flip it)
    assert [(t["subject"], t["answer"]) for t in views.progress(session)["grown"]] == [
        ("phrase:rn", "no")
    ]
    session.undo()
    assert views.progress(session)["grown"][0]["answer"] == ""
    session.answer("phrase:rn", "yes")  # keep it: an initialism still ("RNs" too), confirmed
    assert session.current.match[rn].all() and "rn" in session.current.family.anchors
    said = session.current.method.decided_by.grown()
    assert "'RN' for 'registered nurse' confirmed by an answer" in said
    assert [(t["subject"], t["answer"]) for t in views.progress(session)["grown"]] == [
        ("phrase:rn", "yes")
    ]


# -- partial answers: "yes except these titles" ------------------------------------------------


def test_a_phrase_answered_yes_except_some_titles_is_one_batch(session: ReviewSession) -> None:
    """The card's unticked titles take the other answer, in the same batch: one undo takes back
    the answer and its exceptions."""
    phrase = subject("phrase", "data scientist")
    but = [subject("title", "lead data scientist"), subject("title", "data scientist ii")]
    session.answer(phrase, "yes", exceptions=but)
    titles = session.postings["title"]
    answered = session.current.answered
    assert (answered[titles.isin(["Data Scientist", "Senior Data Scientist"])] == "yes").all()
    assert (answered[titles.isin(["Lead Data Scientist", "Data Scientist II"])] == "no").all()
    match = session.current.match
    assert not match[titles.isin(["Lead Data Scientist", "Data Scientist II"]).to_numpy()].any()
    assert {a.subject: a.answer for a in session.answers()} == {
        phrase: "yes",
        but[0]: "no",
        but[1]: "no",
    }
    assert session.undo() == 3 and session.answers() == []


def test_exceptions_are_titles_of_the_question(session: ReviewSession) -> None:
    from jobmap.errors import ConfigError

    phrase = subject("phrase", "data scientist")
    with pytest.raises(ConfigError, match="not one of the titles"):
        session.answer(phrase, "yes", exceptions=[subject("title", "registered nurse")])
    with pytest.raises(ConfigError, match="only a yes or a no"):
        session.answer(phrase, "skip", exceptions=[subject("title", "data scientist ii")])
    with pytest.raises(ConfigError, match="only a phrase or an occupation"):
        session.answer(
            subject("title", "data scientist"),
            "yes",
            exceptions=[subject("title", "data scientist")],
        )
    with pytest.raises(ConfigError, match="an exception is a title"):
        session.answer(phrase, "yes", exceptions=[phrase])
    assert session.answers() == []  # nothing half-written


def test_the_page_takes_exceptions_and_refuses_bad_ones(
    client: TestClient, session: ReviewSession
) -> None:
    client.get("/?token=secret-token")
    for bad in ("title:data scientist ii", [5], ["title:registered nurse"], ["x"] * 5001):
        r = client.post(
            "/api/answer",
            json={"subject": "phrase:data scientist", "answer": "yes", "except": bad},
        )
        assert r.status_code == 400 and r.json()["error"], bad
    assert session.store.count("ml") == 0
    r = client.post(
        "/api/answer",
        json={
            "subject": "phrase:data scientist",
            "answer": "no",
            "except": ["title:lead data scientist"],
        },
    )
    assert r.status_code == 200
    said = {a.subject: a.answer for a in session.answers()}
    assert said == {"phrase:data scientist": "no", "title:lead data scientist": "yes"}


def test_a_group_question_lists_each_title_s_subject(session: ReviewSession) -> None:
    from jobmap.review.asking import group_question

    group = session.groups.phrase_group("data scientist")
    q = group_question(session.groups, session.postings, group, 1.0, session.current)
    assert len(q.members) == len(q.titles) == 4
    for (shown, _), member in zip(q.titles, q.members, strict=True):
        assert member == subject("title", shown)
    assert q.as_dict()["members"] == q.members


def test_the_simulated_reviewer_unticks_the_titles_its_labels_say_the_other_of(
    data: Path, family: Path, fake_model: HashBackend
) -> None:
    """With partial answers the labels answer a phrase's titles one by one (those the card
    lists); all or nothing, the majority decides them all."""
    postings = pd.read_csv(data)
    # of the data scientists, only "Lead Data Scientist" is in the family
    inside = [*ML, "Lead Data Scientist"]
    labels = pd.DataFrame(
        {"job_id": postings["job_id"], "label": postings["title"].isin(inside).astype(int)}
    )
    settings = Settings.build("ml", data, families=family, model="fake", progress=False)
    curves = {
        partial: simulate_review(settings, labels, 6, orders=("queue",), partial=partial)
        for partial in (True, False)
    }
    best = {k: c["f1"].max() for k, c in curves.items()}
    assert best[True] == pytest.approx(1.0)
    assert best[True] > best[False]


def test_an_occupation_is_near_the_family_by_the_coder_s_next_codes() -> None:
    """Machine-learning engineers coded Computer and Information Research Scientists, with Data
    Scientists as their second code: the data scientists the family does not hold are asked
    by occupation (by top codes alone they are not: no match is coded Data Scientists)."""
    from jobmap.review.questions import occupation_groups

    titles = ML + DS + ["Registered Nurse"]
    groups = Groups.build(pd.DataFrame({"title": titles}))
    n = len(groups.titles)
    first = {t.lower(): "15-1221.00" for t in ML} | {t.lower(): "15-2051.00" for t in DS}
    codes = np.array([first.get(t, "29-1141.00") for t in groups.titles], dtype=object)
    second = np.array(
        [["15-2051.00" if t in {m.lower() for m in ML} else "", ""] for t in groups.titles],
        dtype=object,
    )
    matched = np.array([1.0 if t in {m.lower() for m in ML} else 0.0 for t in groups.titles])
    args = (groups, codes, np.full(n, 0.05), matched, np.zeros(n, bool), np.zeros(n, bool))
    assert [g.key for g, _ in occupation_groups(*args)] == []
    asked = occupation_groups(*args, near_codes=second)
    assert [g.key for g, _ in asked] == ["15-2051.00"]
    group, value = asked[0]
    assert {groups.titles[m] for m in group.members} == {t.lower() for t in DS}
    assert value > 0.05 * 4  # at least the share of its neighbourhood the family holds
    # an occupation the person answered no to is not asked again
    assert occupation_groups(*args, near_codes=second, rejected=("15-2051.00",)) == []


def test_the_exports_agree_with_the_page_and_with_find(
    client: TestClient, session: ReviewSession, data: Path, tmp_path: Path
) -> None:
    """After a scripted session, the answers CSV, the matches CSV, the family TOML and the page's
    count tell one story: the family file finds with ``--no-answers`` what the page finds, and
    every posting the answers decide is matched as its label says."""
    import io

    import jobmap

    client.get("/?token=secret-token")
    said = [
        ("phrase:data scientist", "yes", []),
        ("title:lead machine learning engineer", "no", []),  # a title the rule matches
        ("phrase:data engineer", "no", ["title:senior data engineer"]),  # with an exception
        ("title:line cook", "no", []),
    ]
    for subj, answer, exceptions in said:
        r = client.post(
            "/api/answer", json={"subject": subj, "answer": answer, "except": exceptions}
        )
        assert r.status_code == 200, r.text
    session.wait_idle()
    page = int(client.get("/api/progress").json()["matches"])
    labels = pd.read_csv(io.StringIO(client.get("/export/labels.csv").text))
    matches = pd.read_csv(io.StringIO(client.get("/export/matches.csv").text))
    family = tmp_path / "exported.toml"
    family.write_text(client.get("/export/family.toml").text)
    assert len(matches) == page
    matched = set(matches["job_id"])
    yes = set(labels.loc[labels["label"] == "yes", "job_id"])
    no = set(labels.loc[labels["label"] == "no", "job_id"])
    assert yes and no and yes <= matched and not no & matched
    found = jobmap.run_find(
        "ml", data, families=family, model="fake", use_answers=False, progress=False
    )
    assert set(found.matches["job_id"]) == matched
    titles = set(found.matches["title"])
    assert "Senior Data Engineer" in titles and "Lead Machine Learning Engineer" not in titles


def test_undo_brings_back_the_undone_question(
    session: ReviewSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the page the reply to an undo comes before the re-fit: from a fit in which the undone
    question was settled, so the queue there does not hold it. It comes back all the same."""
    first = session.next_question()
    assert first is not None
    session.answer(first.subject, "no")
    second = session.next_question()
    assert second is not None and second.subject != first.subject
    session.answer(second.subject, "skip")
    with monkeypatch.context() as m:
        m.setattr(session, "_after_change", lambda: None)  # the re-fit has not landed yet
        assert session.undo() == 1
        assert session.next_question().subject == second.subject  # the skip's question, again
        assert session.undo() == 1
        back = session.next_question()
    assert back is not None and back.subject == first.subject and back.titles == first.titles
    session.answer(first.subject, "yes")  # answered again: the queue goes on
    assert session.next_question().subject != first.subject


def test_the_matches_page_sorts_filters_and_counts_what_it_shows(client: TestClient) -> None:
    import re

    client.get("/?token=secret-token")
    client.post("/api/answer", json={"subject": "phrase:data scientist", "answer": "yes"})
    page = client.get("/matches").text
    assert "28 matching postings" in page and 'href="/"' in page
    by_title = client.get("/matches?sort=title&order=asc").text
    titles = re.findall(r"<tr><td>([^<]*)</td>", by_title)
    assert titles == sorted(titles, key=str.lower) and len(titles) == 28
    down = re.findall(r"<tr><td>([^<]*)</td>", client.get("/matches?sort=title&order=desc").text)
    assert down == titles[::-1] or sorted(down, key=str.lower, reverse=True) == down
    filtered = client.get("/matches?q=lead").text
    assert "7 of 28 matching postings contain 'lead'" in filtered
    for bad in ("/matches?sort=salary", "/matches?sort=title&order=up"):
        r = client.get(bad)
        assert r.status_code == 400 and "sort: one of" in r.json()["error"]


def test_the_exports_follow_the_slider(
    client: TestClient, session: ReviewSession, data: Path, tmp_path: Path
) -> None:
    """At the slider's threshold the matches CSV and the family file agree with each other and
    with find; at the fitted one they are the page's; a threshold out of range is a 400."""
    import io

    import jobmap

    client.get("/?token=secret-token")
    client.post("/api/answer", json={"subject": "title:line cook", "answer": "no"})
    scores = session.current.scores["score"].to_numpy()
    t = float(np.round(np.quantile(scores, 0.6), 4)) + 1e-4
    fitted = pd.read_csv(io.StringIO(client.get("/export/matches.csv").text))
    moved = pd.read_csv(io.StringIO(client.get(f"/export/matches.csv?t={t}").text))
    assert len(fitted) == int(session.current.match.sum()) and len(moved) != len(fitted)
    toml = client.get(f"/export/family.toml?t={t}").text
    method = session.current.method.name
    import tomllib

    assert tomllib.loads(toml)["families"]["ml"]["thresholds"][method] == pytest.approx(t)
    family = tmp_path / "at-t.toml"
    family.write_text(toml)
    found = jobmap.run_find(
        "ml", data, families=family, model="fake", use_answers=False, progress=False
    )
    assert set(found.matches["job_id"]) == set(moved["job_id"])
    for bad in ("2", "nan", "x"):
        assert client.get(f"/export/matches.csv?t={bad}").status_code == 400
        assert client.get(f"/export/family.toml?t={bad}").status_code == 400


def test_the_stopping_hint_weighs_the_next_questions_and_the_audits(
    session: ReviewSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No hint while the next questions are expected to move postings (the old hint said "may
    be done" while answers still moved 20-90 postings each); a hint once they are not, with the
    audits' recall interval when there are audits."""
    snap = session.current
    queue = list(snap.queue)
    assert queue
    monkeypatch.setattr(snap, "queue", [(g, 3.0) for g, _ in queue])
    assert views.stop_hint(session) == ""
    monkeypatch.setattr(snap, "queue", [(g, 0.05) for g, _ in queue])
    hint = views.stop_hint(session)
    assert "may be done" in hint and "no audit has yet estimated its recall" in hint
    stats = views.threshold_stats(session, snap.threshold)
    audit = {**stats["audit"], "recall": 0.75, "recall_interval": [0.55, 0.9]}
    monkeypatch.setattr(views, "threshold_stats", lambda s, t: {**stats, "audit": audit})
    hint = views.stop_hint(session)
    assert "recall at 75% (95% interval 55%–90%)" in hint and "may miss postings" in hint
    assert views.progress(session)["stop_hint"] == hint
