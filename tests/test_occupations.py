"""The occupational coder: titles read as a coder reads them, exact O*NET titles, initialisms,
supervisors, trainees, titles that name no occupation, the calibrated confidence, the run and its
command, and the gold-file evaluation."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from jobmap.cli import main
from jobmap.knowledge import attribution
from jobmap.knowledge.coder import Coder, soc_matches
from jobmap.knowledge.titles import normalise, singular, title_queries

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="module")
def lexical() -> Coder:
    """The coder without the sentence model: exact titles, words and rules."""
    return Coder(embeddings=False)


@pytest.fixture
def warm_cache(cache_dir: Path) -> Path:
    """The O*NET titles' vectors are shared by every test (conftest: $JOBMAP_KNOWLEDGE_CACHE)."""
    return cache_dir


def code(coder: Coder, *titles: str) -> list[str]:
    return coder.code(pd.DataFrame({"title": list(titles)}))["occupation_code"].tolist()


def test_titles_lose_seniority_schedule_pay_and_place() -> None:
    assert normalise("Sr. Registered Nurses - Nights (ICU) $2,000 Sign-On Bonus") == (
        "registered nurse intensive care unit"
    )
    assert normalise("Warehouse Associate II - 2nd Shift") == "warehouse associate"
    assert singular("secretaries") == "secretary"
    assert singular("analytics") == "analytics"
    assert singular("boss") == "boss"


def test_title_readings_put_the_function_of_a_director_first() -> None:
    assert title_queries("Director, Data Engineering")[0] == "data engineering director"
    assert "registered nurse" in title_queries("RN - ICU Nights")


def test_exact_titles(lexical: Coder) -> None:
    assert code(
        lexical, "Registered Nurse", "Sous Chef", "Dental Hygienist", "Penetration Tester"
    ) == [
        "29-1141.00",
        "35-1011.00",
        "29-1292.00",
        "15-1299.04",
    ]


def test_initialisms_are_spelled_out(lexical: Coder) -> None:
    assert code(lexical, "RN - ICU Nights", "LPN", "NLP Engineer") == [
        "29-1141.00",
        "29-2061.00",
        "15-1221.00",
    ]


def test_supervisors_go_to_the_first_line_supervisors_of_their_workers(lexical: Coder) -> None:
    coded = code(lexical, "Warehouse Supervisor", "Supervisor, Housekeeping")
    assert [c[:4] for c in coded] == ["53-1", "37-1"]


def test_trainees_are_coded_to_the_occupation_they_train_for(lexical: Coder) -> None:
    assert code(lexical, "Software Engineer Intern (Summer 2024)", "Apprentice Electrician") == [
        "15-1252.00",
        "47-2111.00",
    ]


def test_titles_that_name_no_occupation_get_none_with_a_reason(lexical: Coder) -> None:
    titles = ["Multiple Openings", "Hiring Event - June 5", "", "Hiring Event Servers!"]
    out = lexical.code(pd.DataFrame({"title": titles}))
    assert out["occupation_code"].tolist()[:3] == ["", "", ""]
    assert out["confidence"].tolist()[:3] == [0.0, 0.0, 0.0]
    assert "no occupation" in out["why"][0] and "event" in out["why"][1]
    assert out["occupation_code"][3] == "35-3031.00"  # what is left of an event's title


def test_top_k_codes_and_a_confidence_that_orders_postings(lexical: Coder) -> None:
    out = lexical.code(pd.DataFrame({"title": ["Registered Nurse", "Associate"]}), top=3, raw=True)
    assert {"occupation_code_2", "occupation_title_3"} <= set(out.columns)
    assert len(set(out.loc[0, ["occupation_code", "occupation_code_2", "occupation_code_3"]])) == 3
    assert out["confidence"].min() >= 0 and out["confidence"].max() <= 1
    # a title O*NET names outright is surer than a generic one
    assert out["confidence"][0] > out["confidence"][1] + 0.2
    assert "matches O*NET" in out["why"][0]


def test_the_description_decides_a_title_that_names_no_particular_work(lexical: Coder) -> None:
    text = (
        "Greet customers, sell merchandise, operate the cash register, stock shelves and answer "
        "customers' questions about products in our store."
    )
    plain = lexical.code(pd.DataFrame({"title": ["Associate"]}))
    described = lexical.code(pd.DataFrame({"title": ["Associate"], "description": [text]}))
    assert described["occupation_code"][0] != plain["occupation_code"][0]
    assert described["occupation_code"][0][:2] in {"41", "43", "53"}  # sales, clerks, stockers
    assert "description" in described["why"][0]


def test_soc_prefixes_cover_their_detailed_codes() -> None:
    assert soc_matches("15-1212.00", ["15-1212"])
    assert soc_matches("15-1299.05", ["15-12"])
    assert not soc_matches("15-1252.00", ["15-1212", "15-1299.04"])
    assert not soc_matches("", ["15"])


def test_occupations_about_carries_the_attribution() -> None:
    result = CliRunner().invoke(main, ["occupations", "--about"])
    assert result.exit_code == 0, result.output
    assert "CC BY 4.0" in result.output and "USDOL/ETA" in result.output
    assert attribution().splitlines()[0] in result.output


@pytest.mark.slow
def test_occupations_command_codes_every_posting(warm_cache: Path, tmp_path: Path) -> None:
    data = tmp_path / "p.csv"
    pd.DataFrame(
        {
            "job_id": [1, 2, 3, 4],
            "title": ["Registered Nurse", "Red Team Operator", "Multiple Openings", "Sous Chef"],
        }
    ).to_csv(data, index=False)
    out = tmp_path / "o.csv"
    result = CliRunner().invoke(
        main, ["occupations", "--data", str(data), "--top", "3", "--out", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    df = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(df.columns[:6]) == [
        "job_id",
        "title",
        "occupation_code",
        "occupation_title",
        "confidence",
        "why",
    ]
    assert "occupation_code_3" in df.columns
    assert df["occupation_code"].tolist() == ["29-1141.00", "15-1212.00", "", "35-1011.00"]
    assert "Red Team" in df["why"][1]
    assert (tmp_path / "o.manifest.json").is_file()
    # the summary: the major groups and the largest occupations
    shown = CliRunner().invoke(main, ["occupations", "--data", str(data)])
    assert shown.exit_code == 0, shown.output
    assert "Healthcare Practitioners and Technical" in shown.output
    assert "Registered Nurses" in shown.output and "CC BY 4.0" in shown.output


def test_evaluate_occupations_scores_each_half_and_lists_errors(tmp_path: Path) -> None:
    gold = tmp_path / "gold.csv"
    pd.DataFrame(
        {
            "title": ["Registered Nurse", "Sous Chef", "Associate", "Multiple Openings"],
            "code": ["29-1141.00", "35-1011.00", "41-2031.00", "none"],
            "alt_code": ["", "35-2014.00", "", ""],
        }
    ).to_csv(gold, index=False)
    from jobmap.runs.occupations import evaluate_occupations

    result = evaluate_occupations(gold, model="fast", progress=False)
    row = result.metrics.set_index("half").loc["all"]
    assert row["postings"] == 4
    assert 0.5 <= row["6-digit"] <= 1.0
    assert set(result.metrics["half"]) == {"tune", "check", "all"}
    assert result.metrics.set_index("half").loc[["tune", "check"], "postings"].sum() == 4


def test_evaluate_occupations_names_a_bad_code_and_its_row(tmp_path: Path) -> None:
    gold = tmp_path / "gold.csv"
    gold.write_text("title,code\nNurse,29-1141.00\nChef,35-1011\n")
    result = CliRunner().invoke(main, ["evaluate-occupations", "--gold", str(gold)])
    assert result.exit_code == 1
    assert "row 3, column code" in result.output and "15-1252.00" in result.output


def test_a_family_can_name_occupations(tmp_path: Path) -> None:
    from jobmap.errors import ConfigError
    from jobmap.families import add_family, get_family

    path = tmp_path / "f.toml"
    add_family("sec", [], occupations=["15-1212", "15-1299.04"], families_file=path)
    fam = get_family("sec", path)
    assert fam.occupations == ("15-1212", "15-1299.04") and fam.anchors == ()
    assert "occupations" in fam.manifest()
    with pytest.raises(ConfigError, match="not an O\\*NET-SOC code"):
        add_family("bad", [], occupations=["15-12x"], families_file=path)
    with pytest.raises(ConfigError, match=r"--anchors .* or an occupation"):
        add_family("none", [], families_file=path)


def test_family_add_refuses_an_occupation_onet_does_not_have(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["family", "add", "x", "--soc", "99-9999", "--families", str(tmp_path / "f.toml")]
    )
    assert result.exit_code == 1
    assert "no O*NET-SOC occupation has a code starting '99-9999'" in result.output
    assert not (tmp_path / "f.toml").exists()


def test_a_family_by_occupations_alone_gets_their_titles_as_phrases() -> None:
    from jobmap.knowledge.coder import occupation_phrases

    assert occupation_phrases(["15-1212", "15-1299.04"]) == [
        "information security analyst",
        "penetration tester",
    ]


SECURITY_TITLES = [
    "Red Team Operator",
    "Penetration Tester",
    "Cybersecurity Analyst",
    "Line Cook",
    "Registered Nurse",
    "Accountant",
]


@pytest.fixture
def security_data(tmp_path: Path) -> Path:
    data = tmp_path / "p.csv"
    pd.DataFrame({"job_id": range(1, 7), "title": SECURITY_TITLES}).to_csv(data, index=False)
    (tmp_path / "f.toml").write_text(
        '[families.sec]\nanchors = ["cybersecurity"]\n'
        'occupations = ["15-1212", "15-1299.04"]\n'
        '[families.plain]\nanchors = ["cybersecurity"]\n'
    )
    return data


@pytest.mark.slow
def test_find_takes_the_family_s_occupations_as_evidence(
    warm_cache: Path, security_data: Path
) -> None:
    import jobmap

    families = security_data.parent / "f.toml"
    plain = jobmap.find("plain", security_data, families=families, method="keywords")
    assert set(plain["title"]) == {"Cybersecurity Analyst"}
    found = jobmap.find("sec", security_data, families=families, method="keywords")
    assert set(found["title"]) == {
        "Red Team Operator",
        "Penetration Tester",
        "Cybersecurity Analyst",
    }
    why = dict(zip(found["title"], found[found.columns[4]], strict=True))
    assert why["Red Team Operator"].startswith("occupation: Information Security Analysts (")
    assert "Red Team" in why["Red Team Operator"]
    assert not why["Cybersecurity Analyst"].startswith("occupation")  # the rule decided it


@pytest.mark.slow
def test_family_add_shows_the_occupations_its_anchors_fall_into(
    warm_cache: Path, security_data: Path
) -> None:
    result = CliRunner().invoke(
        main,
        [
            "family",
            "add",
            "cyber",
            "--anchors",
            "cybersecurity",
            "--families",
            str(security_data.parent / "g.toml"),
            "--data",
            str(security_data),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Occupations the phrases fall into" in result.output
    assert "--soc CODE" in result.output


SEC_ROWS = (
    ["Cybersecurity Analyst"] * 3
    + ["Information Security Analyst"] * 4
    + ["IT Security Analyst"] * 3
    + ["Security Operations Center Analyst"] * 3
    + ["Registered Nurse"] * 6
    + ["Line Cook"] * 6
    + ["Accountant"] * 5
)


@pytest.fixture
def sec_session(tmp_path: Path, fake_model: object) -> object:
    from jobmap.answers import AnswerStore
    from jobmap.config import Settings
    from jobmap.review import ReviewSession

    data = tmp_path / "jobs.csv"
    pd.DataFrame({"job_id": range(1, len(SEC_ROWS) + 1), "title": SEC_ROWS}).to_csv(
        data, index=False
    )
    fams = tmp_path / "f.toml"
    fams.write_text('[families.sec]\nanchors = ["information security"]\n')
    settings = Settings.build("sec", data, families=fams, model="fake", progress=False)
    return ReviewSession(settings, AnswerStore(tmp_path / "a.sqlite"), audit_every=0)


def test_the_review_asks_by_occupation_and_a_yes_adds_it(sec_session: object) -> None:
    from jobmap.answers import subject
    from jobmap.review import ReviewSession

    assert isinstance(sec_session, ReviewSession)
    s = sec_session
    queued = {(g.kind, g.key) for g, _ in s.current.queue}
    assert ("occupation", "15-1212.00") in queued
    group = next(g for g, _ in s.current.queue if g.kind == "occupation")
    from jobmap.review.asking import group_question

    q = group_question(s.groups, s.postings, group, 1.0, s.current)
    assert q.label.startswith("postings coded Information Security Analysts (15-1212.00)")
    # the titles coded to it that the family's rule does not hold
    assert {t for t, _ in q.titles} == {"IT Security Analyst", "Security Operations Center Analyst"}
    analysts = s.postings["title"].isin(
        ["IT Security Analyst", "Security Operations Center Analyst"]
    )
    analysts = analysts.to_numpy()
    assert not s.current.match[analysts].any()
    s.answer(subject("occupation", "15-1212.00"), "yes")
    assert "15-1212.00" in s.current.family.occupations
    assert s.current.match[analysts].all()
    # asked and answered (an occupation near the family's new matches may be asked next)
    assert ("occupation", "15-1212.00") not in {(g.kind, g.key) for g, _ in s.current.queue}
    # a no leaves the matches alone, and the occupation is not asked again
    s.undo()
    s.answer(subject("occupation", "15-1212.00"), "no")
    assert not s.current.match[analysts].any()
    assert "15-1212.00" in s.current.family.rejected_occupations
    assert ("occupation", "15-1212.00") not in {(g.kind, g.key) for g, _ in s.current.queue}


def test_an_occupation_answer_names_a_code_the_data_holds(sec_session: object) -> None:
    from jobmap.errors import ConfigError
    from jobmap.review import ReviewSession

    assert isinstance(sec_session, ReviewSession)
    with pytest.raises(ConfigError, match="O\\*NET-SOC code"):
        sec_session.check_subject("occupation:security")
    with pytest.raises(ConfigError, match="no posting of this dataset is coded"):
        sec_session.check_subject("occupation:11-1011.00")
    assert sec_session.check_subject("occupation:15-1212.00") == "occupation:15-1212.00"


@pytest.mark.slow
def test_evaluate_scores_a_family_by_occupation_as_find_does(
    warm_cache: Path, security_data: Path
) -> None:
    import jobmap

    labels = security_data.parent / "labels.csv"
    yes = {"Red Team Operator", "Penetration Tester", "Cybersecurity Analyst"}
    pd.DataFrame(
        {"job_id": range(1, 7), "label": ["yes" if t in yes else "no" for t in SECURITY_TITLES]}
    ).to_csv(labels, index=False)
    families = security_data.parent / "f.toml"

    def recall(family: str) -> float:
        result = jobmap.evaluate(
            family,
            security_data,
            labels=labels,
            methods=["keywords"],
            families=families,
            progress=False,
        )
        row = result.summary.set_index("method").loc["keywords"]
        return float(row["recall"])

    assert recall("plain") == pytest.approx(1 / 3)
    assert recall("sec") == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("title,code\n", "a header and no rows"),
        (
            "title,code\nNurse,99-9999.00\n",
            "row 2, column code: '99-9999.00' is not an O*NET-SOC code of",
        ),
        ("title,code\nNurse,\n", "row 2, column code: empty"),
        ("title,kode\nNurse,29-1141.00\n", "no code column"),
    ],
)
def test_a_bad_gold_file_is_one_line_naming_the_row(tmp_path: Path, text: str, said: str) -> None:
    gold = tmp_path / "gold.csv"
    gold.write_text(text)
    result = CliRunner().invoke(main, ["evaluate-occupations", "--gold", str(gold)])
    assert result.exit_code == 1, result.output
    assert said in result.output and len(result.output.strip().splitlines()) == 1


def test_an_occupation_run_refuses_an_argument_it_does_not_take() -> None:
    import jobmap
    from jobmap.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown argument\\(s\\) banana, tpo"):
        jobmap.occupations(tpo=3, banana=1)


@pytest.mark.slow
def test_a_family_of_occupations_alone_finds_with_the_default_method(
    warm_cache: Path, security_data: Path
) -> None:
    import jobmap

    families = security_data.parent / "f.toml"
    families.write_text('[families.soc]\noccupations = ["15-1212", "15-1299.04"]\n')
    found = jobmap.find("soc", security_data, families=families)
    assert {"Red Team Operator", "Penetration Tester"} <= set(found["title"])
    assert "Line Cook" not in set(found["title"])
    # occupation matches rank by the coder's confidence, above the threshold
    assert found["score"].nunique() > 1 or len(found) == 1


def test_evaluate_occupations_says_which_gold_postings_the_data_lacks(tmp_path: Path) -> None:
    from jobmap.runs.occupations import evaluate_occupations

    data = tmp_path / "p.csv"  # titles only: its ids count, though it has no descriptions
    pd.DataFrame({"job_id": [1, 2], "title": ["Registered Nurse", "Sous Chef"]}).to_csv(
        data, index=False
    )
    gold = tmp_path / "gold.csv"
    pd.DataFrame(
        {
            "job_id": [1, 2, 3],
            "title": ["Registered Nurse", "Sous Chef", "Accountant"],
            "code": ["29-1141.00", "35-1011.00", "13-2011.00"],
        }
    ).to_csv(gold, index=False)
    result = evaluate_occupations(gold, [data], model="fast", progress=False)
    assert result.notes == [
        "1 of the 3 gold postings are not in the data given (by job_id): they are coded from "
        "their title alone."
    ]
