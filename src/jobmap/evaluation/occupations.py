"""Occupation coding against a gold file: accuracy at the SOC major group (2 digits), the SOC
detailed occupation (6 digits, ``15-1212``) and the full O*NET-SOC code, top-1 and top-3, a
prediction counting as right where it equals the gold ``code`` or ``alt_code`` at that level; the
largest confusions; and the gold file's deterministic halves (by a hash of the normalised title)
so that one can be tuned on and the other only checked.

>>> gold = pd.DataFrame({"title": ["a", "b"], "code": ["15-1252.00", "29-1141.00"],
...                      "alt_code": ["", ""]})
>>> coded = pd.DataFrame({"occupation_code": ["15-1252.00", "29-1171.00"]})
>>> occupation_accuracy(coded, gold)["6-digit"]
0.5
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pandas as pd

from jobmap.errors import DataError

#: The levels scored, and how many characters of a code each compares.
LEVELS = {"major group": 2, "6-digit": 7, "O*NET-SOC": 10}
_CODE = re.compile(r"^\d{2}-\d{4}\.\d{2}$")


def title_half(title: str) -> str:
    """``tune`` or ``check``: the half of a gold file a title falls in, by a hash of the title
    lower-cased with its white space collapsed (the same title is always in the same half)."""
    key = " ".join(str(title).lower().split()).encode()
    return "tune" if int(hashlib.sha256(key).hexdigest(), 16) % 2 == 0 else "check"


def read_gold_csv(path: Path, required: tuple[str, ...], form: str) -> pd.DataFrame:
    """A gold file read as text, its column names lower-cased: one clear error where it is not
    there, is not a CSV, lacks a ``required`` column or holds no rows (``form``: its columns, as
    the error says them)."""
    if not path.is_file():
        raise DataError(f"{path}: no such gold file. Give a CSV with {form}.")
    try:
        gold = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (ValueError, OSError, UnicodeError, pd.errors.ParserError) as exc:
        raise DataError(
            f"{path}: cannot read it as a CSV ({str(exc).splitlines()[0]}); save it as a CSV of "
            f"{form}, one row per line."
        ) from None
    gold.columns = [str(c).strip().lower() for c in gold.columns]
    missing = [c for c in required if c not in gold.columns]
    if missing:
        raise DataError(
            f"{path}: no {' or '.join(missing)} column (found: {', '.join(gold.columns)}); a "
            f"gold file has {form}."
        )
    if not len(gold):
        raise DataError(f"{path}: a header and no rows; add rows of {form}.")
    return gold


def read_occupation_gold(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A gold file: ``title``, ``code`` (O*NET-SOC, or ``none``), optional ``alt_code``, ``job_id``,
    ``source``; adds ``half``. A bad code is an error naming its row."""
    p = Path(path).expanduser()
    gold = read_gold_csv(p, ("title", "code"), "title,code[,alt_code,job_id]")
    if "alt_code" not in gold.columns:
        gold["alt_code"] = ""
    from jobmap.knowledge import occupations

    known = set(occupations()["code"])
    for column in ("code", "alt_code"):
        gold[column] = gold[column].str.strip()
        for row, value in enumerate(gold[column]):
            where = f"{p}, row {row + 2}, column {column}"
            if not value:
                if column == "code":
                    raise DataError(
                        f"{where}: empty; give the O*NET-SOC code, or none where the posting "
                        "names no occupation."
                    )
                continue
            if value.lower() == "none":
                continue
            if not _CODE.match(value):
                raise DataError(
                    f"{where}: {value!r} is not an O*NET-SOC code; write it as 15-1252.00, or none."
                )
            if value not in known:
                raise DataError(
                    f"{where}: {value!r} is not an O*NET-SOC code of the shipped O*NET release "
                    "(jobmap occupations --about); check its digits."
                )
    gold["half"] = [title_half(t) for t in gold["title"]]
    return gold


def _right(predicted: str, gold: set[str], n: int) -> bool:
    if not gold:
        return False
    if predicted in ("", "none") or "none" in gold:
        return predicted in ("", "none") and "none" in gold
    return any(predicted[:n] == g[:n] for g in gold if g != "none")


def _gold_codes(row: pd.Series) -> set[str]:
    codes = {str(row["code"]).strip().lower(), str(row.get("alt_code", "")).strip().lower()}
    return {c.upper() if c != "none" else c for c in codes if c}


def occupation_accuracy(coded: pd.DataFrame, gold: pd.DataFrame) -> dict[str, float]:
    """Accuracy at each level, top-1 (and top-3 where ``coded`` has ``occupation_code_3``),
    over the rows of ``gold`` (row for row with ``coded``)."""
    n = len(gold)
    out: dict[str, float] = {"postings": float(n)}
    if not n:
        return out
    top = [c for c in ("occupation_code", "occupation_code_2", "occupation_code_3") if c in coded]
    for name, width in LEVELS.items():
        right1 = right3 = 0
        for (_, g), (_, c) in zip(gold.iterrows(), coded.iterrows(), strict=True):
            codes = _gold_codes(g)
            right1 += _right(str(c["occupation_code"]), codes, width)
            right3 += any(_right(str(c[k]), codes, width) for k in top if c[k] or k == top[0])
        out[name] = round(right1 / n, 3)
        if len(top) == 3:
            out[f"{name} top-3"] = round(right3 / n, 3)
    return out


def occupation_confusions(coded: pd.DataFrame, gold: pd.DataFrame, n: int = 15) -> pd.DataFrame:
    """The largest errors at 6 digits: gold occupation, predicted one, postings, example titles."""
    rows = []
    for (_, g), (_, c) in zip(gold.iterrows(), coded.iterrows(), strict=True):
        codes = _gold_codes(g)
        if not _right(str(c["occupation_code"]), codes, 7):
            rows.append(
                {
                    "gold": g["code"],
                    "predicted": c["occupation_code"] or "none",
                    "predicted_title": c.get("occupation_title", ""),
                    "title": g["title"],
                }
            )
    if not rows:
        return pd.DataFrame(columns=["gold", "predicted", "predicted_title", "postings", "titles"])
    df = pd.DataFrame(rows)
    grouped = df.groupby(["gold", "predicted", "predicted_title"], sort=False)
    out = grouped.agg(postings=("title", "size"), titles=("title", lambda t: "; ".join(t[:3])))
    return out.reset_index().sort_values("postings", ascending=False, kind="stable").head(n)


__all__ = [
    "LEVELS",
    "occupation_accuracy",
    "occupation_confusions",
    "read_occupation_gold",
    "title_half",
]
