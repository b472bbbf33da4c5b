from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jobmap.data.schema import POSTINGS, CoercionProblem, annual_salary, coerce, coerce_column


def test_company_id_written_as_float_becomes_integer() -> None:
    out = coerce_column(pd.Series(["2774458.0", None, "12"]), "id", "company_id")
    assert str(out.dtype) == "Int64"
    assert out.tolist()[0] == 2774458
    assert out.isna().tolist() == [False, True, False]


def test_millisecond_epochs_become_timestamps() -> None:
    out = coerce_column(pd.Series(["1713397508000.0", None]), "ms_time", "listed_time")
    assert str(out.dtype) == "datetime64[ms]"
    assert out.iloc[0] == pd.Timestamp("2024-04-17 23:45:08")
    assert pd.isna(out.iloc[1])


def test_second_epochs_become_timestamps() -> None:
    out = coerce_column(pd.Series(["1692644644.2779734"]), "s_time", "time_recorded")
    assert out.iloc[0] == pd.Timestamp("2023-08-21 19:04:04.278")


def test_zip_codes_get_their_leading_zero_back() -> None:
    out = coerce_column(pd.Series(["8540.0", "94101", None, "SW1A"]), "code5", "zip_code")
    assert out.tolist()[:2] == ["08540", "94101"]
    assert pd.isna(out.iloc[2])
    assert out.iloc[3] == "SW1A"


def test_booleans_from_numbers_and_words() -> None:
    out = coerce_column(pd.Series(["1.0", "0", "true", None]), "bool", "remote_allowed")
    assert out.tolist()[:3] == [True, False, True]


def test_bad_number_names_column_and_row() -> None:
    with pytest.raises(CoercionProblem) as info:
        coerce_column(pd.Series(["1", "2", "three"]), "int", "views")
    assert info.value.column == "views" and info.value.row == 2


@pytest.mark.parametrize(
    ("lo", "med", "hi", "period", "expected"),
    [
        (17.0, None, 20.0, "HOURLY", 38480.0),
        (None, 350.0, None, "MONTHLY", 4200.0),
        (1000.0, None, 1000.0, "WEEKLY", 52000.0),
        (2000.0, None, 3000.0, "BIWEEKLY", 65000.0),
        (55000.0, None, 65000.0, "YEARLY", 60000.0),
        (None, None, 70000.0, "YEARLY", 70000.0),
        (50.0, None, 60.0, None, None),
    ],
)
def test_annual_salary_per_pay_period(lo, med, hi, period, expected) -> None:
    def s(v: object) -> pd.Series:
        return pd.Series([v], dtype="float64")

    got = annual_salary(s(lo), s(med), s(hi), pd.Series([period], dtype="object")).iloc[0]
    if expected is None:
        assert np.isnan(got)
    else:
        assert got == pytest.approx(expected)


def test_annual_salary_matches_kaggle_normalized_salary(sample_copy) -> None:
    raw = pd.read_csv(sample_copy / "postings.csv")
    typed = coerce(raw, POSTINGS)
    derived = annual_salary(
        typed["min_salary"], typed["med_salary"], typed["max_salary"], typed["pay_period"]
    )
    has = typed["normalized_salary"].notna()
    assert has.sum() > 300
    np.testing.assert_allclose(derived[has], typed.loc[has, "normalized_salary"])
    assert derived[~has].isna().all()
