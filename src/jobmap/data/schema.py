"""The one schema module: every table jobmap reads, its columns and their types.

Raw files arrive with loose types (the Kaggle file writes ``company_id`` as ``"2774458.0"``,
times as millisecond epochs, zip codes as floats). :func:`coerce` turns a raw DataFrame into the
typed table, whatever the source. Columns not listed here are kept as they were read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

import numpy as np
import pandas as pd

#: Bump when typing rules change: it is part of every cache key, so old caches are rebuilt.
SCHEMA_VERSION: Final = 2  # 2: the dataset's notes are records (kind, text)

Kind = Literal["id", "int", "float", "str", "bool", "ms_time", "s_time", "code5"]

#: Multipliers from a pay period to a year, as Kaggle's ``normalized_salary`` uses them.
PAY_PERIOD_PER_YEAR: Final[dict[str, float]] = {
    "HOURLY": 2080.0,
    "WEEKLY": 52.0,
    "BIWEEKLY": 26.0,
    "MONTHLY": 12.0,
    "YEARLY": 1.0,
}


@dataclass(frozen=True)
class TableSpec:
    """A table: its name, where it lives in each Kaggle layout, and its typed columns."""

    name: str
    paths: dict[str, str]  # layout name -> path inside the dataset folder
    columns: dict[str, Kind]
    key: str | None = None  # the id column that links it to postings or companies
    required: tuple[str, ...] = ()
    description: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)


_SALARY_COLUMNS: dict[str, Kind] = {
    "max_salary": "float",
    "med_salary": "float",
    "min_salary": "float",
    "pay_period": "str",
    "currency": "str",
    "compensation_type": "str",
}

POSTINGS = TableSpec(
    name="postings",
    paths={"kaggle-2024": "postings.csv", "kaggle-2023": "job_postings.csv"},
    key="job_id",
    required=("job_id", "title"),
    description="one row per job posting",
    columns={
        "job_id": "id",
        "company_id": "id",
        "company_name": "str",
        "title": "str",
        "description": "str",
        **_SALARY_COLUMNS,
        "normalized_salary": "float",
        "location": "str",
        "views": "int",
        "applies": "int",
        "formatted_work_type": "str",
        "work_type": "str",
        "formatted_experience_level": "str",
        "remote_allowed": "bool",
        "sponsored": "bool",
        "original_listed_time": "ms_time",
        "listed_time": "ms_time",
        "expiry": "ms_time",
        "closed_time": "ms_time",
        "job_posting_url": "str",
        "application_url": "str",
        "application_type": "str",
        "skills_desc": "str",
        "posting_domain": "str",
        "zip_code": "code5",
        "fips": "code5",
    },
)

TABLES: Final[tuple[TableSpec, ...]] = (
    POSTINGS,
    TableSpec(
        name="benefits",
        paths={"kaggle-2024": "jobs/benefits.csv", "kaggle-2023": "job_details/benefits.csv"},
        key="job_id",
        required=("job_id",),
        description="benefits listed per posting",
        columns={"job_id": "id", "inferred": "bool", "type": "str"},
    ),
    TableSpec(
        name="job_industries",
        paths={
            "kaggle-2024": "jobs/job_industries.csv",
            "kaggle-2023": "job_details/job_industries.csv",
        },
        key="job_id",
        required=("job_id",),
        description="industry ids per posting (names in the industries table)",
        columns={"job_id": "id", "industry_id": "id"},
    ),
    TableSpec(
        name="job_skills",
        paths={"kaggle-2024": "jobs/job_skills.csv", "kaggle-2023": "job_details/job_skills.csv"},
        key="job_id",
        required=("job_id",),
        description="skill codes per posting (names in the skills table)",
        columns={"job_id": "id", "skill_abr": "str"},
    ),
    TableSpec(
        name="salaries",
        paths={"kaggle-2024": "jobs/salaries.csv", "kaggle-2023": "job_details/salaries.csv"},
        key="job_id",
        required=("job_id",),
        description="salary rows per posting",
        columns={"salary_id": "id", "job_id": "id", **_SALARY_COLUMNS},
    ),
    TableSpec(
        name="companies",
        paths={
            "kaggle-2024": "companies/companies.csv",
            "kaggle-2023": "company_details/companies.csv",
        },
        key="company_id",
        required=("company_id",),
        description="one row per company",
        columns={
            "company_id": "id",
            "name": "str",
            "description": "str",
            "company_size": "int",
            "state": "str",
            "country": "str",
            "city": "str",
            "zip_code": "str",
            "address": "str",
            "url": "str",
        },
    ),
    TableSpec(
        name="company_industries",
        paths={
            "kaggle-2024": "companies/company_industries.csv",
            "kaggle-2023": "company_details/company_industries.csv",
        },
        key="company_id",
        required=("company_id",),
        description="industry names per company",
        columns={"company_id": "id", "industry": "str"},
    ),
    TableSpec(
        name="company_specialities",
        paths={
            "kaggle-2024": "companies/company_specialities.csv",
            "kaggle-2023": "company_details/company_specialities.csv",
        },
        key="company_id",
        required=("company_id",),
        description="specialities per company",
        columns={"company_id": "id", "speciality": "str"},
    ),
    TableSpec(
        name="employee_counts",
        paths={
            "kaggle-2024": "companies/employee_counts.csv",
            "kaggle-2023": "company_details/employee_counts.csv",
        },
        key="company_id",
        required=("company_id",),
        description="employee and follower counts per company, with when they were recorded",
        columns={
            "company_id": "id",
            "employee_count": "int",
            "follower_count": "int",
            "time_recorded": "s_time",
        },
    ),
    TableSpec(
        name="industries",
        paths={"kaggle-2024": "mappings/industries.csv", "kaggle-2023": "maps/industries.csv"},
        key="industry_id",
        required=("industry_id",),
        description="industry id -> name",
        columns={"industry_id": "id", "industry_name": "str"},
    ),
    TableSpec(
        name="skills",
        paths={"kaggle-2024": "mappings/skills.csv", "kaggle-2023": "maps/skills.csv"},
        key="skill_abr",
        required=("skill_abr",),
        description="skill code -> name",
        columns={"skill_abr": "str", "skill_name": "str"},
    ),
)

TABLES_BY_NAME: Final[dict[str, TableSpec]] = {t.name: t for t in TABLES}


class CoercionProblem(ValueError):
    """A value in a typed column could not be read; carries the column and the first bad row."""

    def __init__(self, column: str, row: int, value: object, expected: str) -> None:
        super().__init__(f"column {column!r}, row {row}: {value!r} is not {expected}")
        self.column = column
        self.row = row
        self.value = value
        self.expected = expected


def _numeric(series: pd.Series, column: str) -> pd.Series:
    out = pd.to_numeric(series, errors="coerce")
    bad = out.isna() & series.notna() & (series.astype("string").str.strip() != "")
    if bad.any():
        first = int(np.flatnonzero(bad.to_numpy())[0])
        raise CoercionProblem(column, first, series.iloc[first], "a number")
    return out.astype("float64")


#: An integer written as text: digits, a sign, and a ``.0`` a spreadsheet may have added.
_INT_TEXT = r"[+-]?\d+(?:\.0*)?"
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
#: Up to this many digits a float64 holds every integer exactly (2^53 has 16).
_EXACT_DIGITS = 15


def _to_int(series: pd.Series, column: str) -> pd.Series:
    """Whole numbers, exactly: text is parsed as integers, never through float64 (which makes
    9007199254740993 and 9007199254740992 one number); a value outside 64 bits is a problem."""
    if pd.api.types.is_integer_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("Int64")
    if pd.api.types.is_float_dtype(series.dtype):
        num = series.astype("float64")
        bad = num.notna() & ((num != np.floor(num)) | (num.abs() >= 2.0**63))
        if bad.any():
            first = int(np.flatnonzero(bad.to_numpy())[0])
            raise CoercionProblem(column, first, series.iloc[first], "a whole number")
        return num.astype("Int64")
    text = series.astype("string").str.strip()
    empty = text.isna() | (text == "")
    whole = text.str.fullmatch(_INT_TEXT).fillna(False) & ~empty
    digits = text.where(whole).str.replace(r"\.0*$", "", regex=True)
    out = np.zeros(len(series), dtype=np.int64)
    mask = whole.to_numpy(dtype=bool)
    others = (~empty & ~whole).to_numpy(dtype=bool)
    if others.any():  # "1e3", "1.5", "abc": through numbers, but only what a float holds exactly
        num = pd.to_numeric(text.where(others).astype(object), errors="coerce").astype("float64")
        for i in np.flatnonzero(others):
            value = float(num.iloc[i])
            if value != value:
                raise CoercionProblem(column, int(i), series.iloc[i], "a number")
            if value != np.floor(value) or abs(value) >= 2.0**53:
                raise CoercionProblem(column, int(i), series.iloc[i], "a whole number")
            out[i] = int(value)
        mask = mask | others
    if whole.any():
        lengths = digits.str.lstrip("+-").str.len()
        short = (whole & (lengths <= _EXACT_DIGITS)).to_numpy(dtype=bool)
        if short.any():
            out[short] = pd.to_numeric(digits[short]).to_numpy(dtype=np.int64)
        for i in np.flatnonzero(whole.to_numpy(dtype=bool) & ~short):
            value = int(digits.iloc[i])
            if not INT64_MIN <= value <= INT64_MAX:
                raise CoercionProblem(
                    column, int(i), series.iloc[i], "a whole number of at most 64 bits"
                )
            out[i] = value
    return pd.Series(pd.arrays.IntegerArray(out, ~mask), index=series.index)


def round_trips(series: pd.Series) -> bool:
    """Whether every value of an id column is an integer that reads back as written: "007"
    (which would become 7, the id of another posting), "1.0", "+5" or an id beyond 64 bits do
    not; integers stored as numbers do. A file whose ids do not keeps them as text."""
    if len(series) == 0:
        return True
    if pd.api.types.is_integer_dtype(series.dtype):
        return bool(series.notna().all())
    if pd.api.types.is_float_dtype(series.dtype):
        num = series.astype("float64")
        return bool((num.notna() & (num == np.floor(num)) & (num.abs() < 2.0**53)).all())
    text = series.astype("string")
    if not bool(text.str.fullmatch(r"-?(?:0|[1-9]\d*)").fillna(False).all()):
        return False
    long = text[text.str.lstrip("-").str.len() >= 19]
    return all(INT64_MIN <= int(v) <= INT64_MAX for v in long)


def _to_bool(series: pd.Series, column: str) -> pd.Series:
    if series.dtype == bool:
        return series.astype("boolean")
    text = series.astype("string").str.strip().str.lower()
    mapping = {
        "1": True,
        "1.0": True,
        "true": True,
        "yes": True,
        "t": True,
        "0": False,
        "0.0": False,
        "false": False,
        "no": False,
        "f": False,
    }
    out = text.map(mapping)
    bad = out.isna() & text.notna() & (text != "")
    if bad.any():
        first = int(np.flatnonzero(bad.to_numpy())[0])
        raise CoercionProblem(column, first, series.iloc[first], "true/false or 1/0")
    return out.astype("boolean")


def _to_time(series: pd.Series, column: str, unit: str) -> pd.Series:
    num = _numeric(series, column)
    # Epochs as floats: keep millisecond precision, drop the rest.
    ms = (num * (1000.0 if unit == "s" else 1.0)).round()
    return pd.to_datetime(ms, unit="ms").astype("datetime64[ms]")


def _to_code5(series: pd.Series, column: str) -> pd.Series:
    """Zip and FIPS codes: a spreadsheet turned 08540 into 8540.0; restore the leading zero."""
    text = series.astype("string").str.strip()
    text = text.str.replace(r"\.0+$", "", regex=True)
    is_digits = text.str.fullmatch(r"\d{1,5}").fillna(False)
    text = text.where(~is_digits, text.str.zfill(5))
    return text.mask(text == "").astype("string")


def _to_str(series: pd.Series) -> pd.Series:
    return series.astype("string")


def coerce_column(series: pd.Series, kind: Kind, column: str) -> pd.Series:
    """Type one column. Raises :class:`CoercionProblem` naming the first bad row."""
    if kind in ("id", "int"):
        return _to_int(series, column)
    if kind == "float":
        return _numeric(series, column)
    if kind == "bool":
        return _to_bool(series, column)
    if kind == "ms_time":
        return _to_time(series, column, "ms")
    if kind == "s_time":
        return _to_time(series, column, "s")
    if kind == "code5":
        return _to_code5(series, column)
    return _to_str(series)


def coerce(df: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """Type every known column of ``df`` as ``spec`` says; other columns are kept untouched."""
    out = df.copy()
    for column, kind in spec.columns.items():
        if column in out.columns:
            out[column] = coerce_column(out[column], kind, column)
    return out


def annual_salary(
    min_salary: pd.Series,
    med_salary: pd.Series,
    max_salary: pd.Series,
    pay_period: pd.Series,
) -> pd.Series:
    """Yearly salary from min/med/max and the pay period, as Kaggle's ``normalized_salary``.

    The median when given, else the mean of min and max (or whichever exists), times the number of
    pay periods in a year (2080 working hours, 52 weeks, 26 fortnights, 12 months).

    >>> import pandas as pd
    >>> s = lambda *v: pd.Series(v, dtype="float64")
    >>> annual_salary(s(17.0), s(None), s(20.0), pd.Series(["HOURLY"])).tolist()
    [38480.0]
    """
    mid = med_salary.astype("float64")
    both = pd.concat([min_salary.astype("float64"), max_salary.astype("float64")], axis=1)
    mid = mid.fillna(both.mean(axis=1, skipna=True))
    factor = pay_period.astype("string").str.upper().str.strip().map(PAY_PERIOD_PER_YEAR)
    return (mid * factor.astype("float64")).astype("float64")


def add_annual_salary(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``annual_salary`` where the salary columns exist (postings, salaries)."""
    needed = ("min_salary", "med_salary", "max_salary", "pay_period")
    if not all(c in df.columns for c in needed):
        return df
    out = df.copy()
    out["annual_salary"] = annual_salary(
        out["min_salary"], out["med_salary"], out["max_salary"], out["pay_period"]
    )
    return out


def clean(text: object) -> str:
    """Collapse white space; missing values become ``""``."""
    if text is None or text is pd.NA or (isinstance(text, float) and text != text):
        return ""
    return " ".join(str(text).split())


def has_descriptions(postings: pd.DataFrame) -> bool:
    """Whether the postings have descriptions to read: a ``description`` column that is non-empty
    for more than half of them. The one test every layer uses (the dataset's notes, ``auto``'s
    pick, ``lda``'s note), so that they never disagree."""
    if "description" not in postings.columns:
        return False
    return enough_descriptions(described(postings["description"]), len(postings))


def described(descriptions: pd.Series) -> int:
    """How many of ``descriptions`` are non-empty (white space counts as empty)."""
    return int((descriptions.astype("string").str.strip().fillna("") != "").sum())


def enough_descriptions(described: int, postings: int) -> bool:
    """The rule of :func:`has_descriptions`, on counts (for data read in parts): more than
    half of the postings have one."""
    return postings > 0 and described / postings > 0.5
