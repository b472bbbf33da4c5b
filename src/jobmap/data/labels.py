"""Label files: ``job_id,label`` or ``title,label`` (CSV or parquet).

Labels are yes/no/unsure (any case) or 1/0 or true/false; ``unsure`` rows are left out of scoring.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from jobmap.data.schema import clean, round_trips
from jobmap.errors import DataError

YES = {"yes", "y", "1", "1.0", "true", "t"}
NO = {"no", "n", "0", "0.0", "false", "f"}
UNSURE = {"unsure", "?", "maybe", ""}


def read_labels(path: str | os.PathLike[str], *, both_classes: bool = True) -> pd.DataFrame:
    """The label file as ``key`` (job_id or title) + ``label`` (bool); unsure rows dropped.

    A file with both columns labels a posting where its job_id is given and a title where only
    the title is (``answers export`` writes such files): ``by`` then says which, per row.
    ``both_classes``: a file without a yes or without a no label is an error (evaluation needs
    both; an import does not).

    ``df.attrs``: ``key`` ("job_id", "title" or "mixed"), ``unsure`` (rows left out), ``path``,
    ``text_ids`` (job ids that are not integers as written: the data's own, ``source_id``).
    """
    p = Path(path).expanduser()
    if not p.is_file():
        raise DataError(
            f"{p}: no such labels file. Give a CSV or parquet with job_id,label or title,label."
        )
    try:
        raw = (
            pd.read_parquet(p)
            if p.suffix.lower() in (".parquet", ".pq")
            else pd.read_csv(p, dtype=str, keep_default_na=False)
        )
    except (ValueError, OSError, UnicodeError, pd.errors.ParserError) as exc:
        raise DataError(f"{p}: cannot read the labels ({str(exc).splitlines()[0]}).") from None
    columns = {str(c).strip().lower(): c for c in raw.columns}
    if "label" not in columns:
        raise DataError(
            f"{p}: no label column (found: {', '.join(map(str, raw.columns))}). "
            "Name it label, with yes/no/unsure or 1/0."
        )
    key = "job_id" if "job_id" in columns else "title" if "title" in columns else None
    if key is None:
        raise DataError(
            f"{p}: needs a job_id or a title column beside label (found: "
            f"{', '.join(map(str, raw.columns))})."
        )
    values = raw[columns["label"]].astype(str).str.strip().str.lower()
    bad = ~values.isin(YES | NO | UNSURE)
    if bad.any():
        rows = [int(i) + 2 for i in bad.to_numpy().nonzero()[0][:5]]
        raise DataError(
            f"{p}: {int(bad.sum())} label(s) are not yes/no/unsure or 1/0 (first "
            f"{values[bad].iloc[0]!r} at line {rows[0]}; lines {', '.join(map(str, rows))}). "
            "Fix those values."
        )
    keep = (~values.isin(UNSURE)).to_numpy()
    out = pd.DataFrame({"key": raw.loc[keep, columns[key]], "label": values[keep].isin(YES)})
    by = pd.Series(key, index=out.index, dtype=object)
    # each row's title, cleaned (the label of a row without a job id, and kept for import)
    titles = pd.Series(
        [clean(t) for t in raw.loc[keep, columns["title"]]] if "title" in columns else "",
        index=out.index,
        dtype=object,
    )
    text_ids = False
    if key == "job_id":
        ids = out["key"].astype("string").str.strip()
        empty = (ids.isna() | (ids == "")).to_numpy()
        by_title = empty & (titles != "").to_numpy()
        if (empty & ~by_title).any():
            first = int(np.flatnonzero(empty & ~by_title)[0])
            raise DataError(
                f"{p}: an empty job_id (first at line {int(out.index[first]) + 2}). Give every "
                "row its job_id, or label by title."
            )
        whole = ids[~by_title].str.replace(r"(?<=\d)\.0+$", "", regex=True)  # a spreadsheet's "7.0"
        if round_trips(whole):
            # exactly: never through float64, which makes 9007199254740993 ...992
            numbers: list[object] = [int(v) for v in whole]
        else:  # the data's own text ids (kept as source_id when the data is read)
            numbers = list(ids[~by_title].astype(object))
            text_ids = True
        keys = titles.to_numpy(dtype=object).copy()  # a row labelled by its title keeps it
        keys[~by_title] = numbers
        out["key"] = pd.Series(keys, index=out.index, dtype=object)
        by = pd.Series(np.where(by_title, "title", "job_id"), index=out.index, dtype=object)
        if by_title.any():
            key = "mixed" if (~by_title).any() else "title"
    else:
        out["key"] = [clean(t) for t in out["key"]]
    if both_classes and not out["label"].any():
        raise DataError(
            f"{p}: no 'yes' label among {len(out):,} rows: precision and recall "
            "need positive examples."
        )
    if both_classes and out["label"].all():
        raise DataError(
            f"{p}: no 'no' label among {len(out):,} rows: precision needs negative examples."
        )
    out["by"] = by.to_numpy()
    out["title"] = titles.to_numpy()
    out = out.reset_index(drop=True)
    out.attrs.update(
        {"key": key, "unsure": int((~keep).sum()), "path": str(p), "text_ids": text_ids}
    )
    return out


def join_labels(labels: pd.DataFrame, postings: pd.DataFrame) -> pd.DataFrame:
    """``job_id, title, label`` for the labelled postings.

    By job_id: ids not in the data are an error when none match, else counted in
    ``attrs["unknown"]``. By title: every posting with a labelled title (compared after collapsing
    white space) gets that label.
    """
    if labels.attrs.get("key") == "mixed":
        # a posting's own label first, then the titles' for the postings left
        parts = []
        for kind in ("job_id", "title"):
            part = labels[labels["by"] == kind].reset_index(drop=True)
            part.attrs = {**labels.attrs, "key": kind}
            parts.append(_join(part, postings, strict=False))
        joined = pd.concat(parts, ignore_index=True).drop_duplicates("job_id", keep="first")
        if joined.empty:
            raise DataError(
                f"{labels.attrs.get('path')}: none of its job ids or titles is in the data. "
                "Pass the dataset they come from with --data."
            )
        joined.attrs = {
            "unknown": sum(int(p.attrs["unknown"]) for p in parts),
            "first_unknown": parts[0].attrs["first_unknown"] or parts[1].attrs["first_unknown"],
        }
        out = joined
    else:
        out = _join(labels, postings)
    if not out["label"].any() or out["label"].all():
        raise DataError(
            f"{labels.attrs.get('path')}: the labelled postings found in the data "
            "are all of one class; evaluation needs both yes and no."
        )
    return out.reset_index(drop=True)


def _join(labels: pd.DataFrame, postings: pd.DataFrame, strict: bool = True) -> pd.DataFrame:
    """:func:`join_labels` for labels of one kind (by job_id or by title); ``strict``: none of
    them in the data is an error."""
    if labels.attrs.get("key") == "job_id":
        text_ids = bool(labels.attrs.get("text_ids"))
        if text_ids and "source_id" not in postings.columns:
            first = labels["key"].iloc[0]
            raise DataError(
                f"{labels.attrs.get('path')}: job_id {first!r} is not an integer, and the data "
                "has no ids of its own to match it (source_id). Label by job_id or title."
            )
        ids = (
            postings["source_id"].astype(object) if text_ids else postings["job_id"].astype("int64")
        )
        known = labels["key"].isin(ids)
        if strict and not known.any():
            raise DataError(
                f"{labels.attrs.get('path')}: none of its {len(labels):,} job ids is in the data "
                f"(first: {labels['key'].iloc[0]}). Pass the dataset they come from with --data."
            )
        merged = labels.loc[known, ["key", "label"]].merge(
            postings[["job_id", "title"]].assign(_key=ids), left_on="key", right_on="_key"
        )
        out = merged[["job_id", "title", "label"]].drop_duplicates("job_id")
        out.attrs["unknown"] = int((~known).sum())
        first_unknown = None if known.all() else labels.loc[~known, "key"].iloc[0]
        out.attrs["first_unknown"] = first_unknown
    else:
        titles = pd.Series([clean(t) for t in postings["title"]], index=postings.index)
        by_title = dict(zip(labels["key"], labels["label"], strict=True))
        hit = titles.isin(by_title)
        if strict and not hit.any():
            raise DataError(
                f"{labels.attrs.get('path')}: none of its titles is in the data. "
                "Without --data, jobmap evaluates on the label file's titles."
            )
        out = pd.DataFrame(
            {
                "job_id": postings.loc[hit, "job_id"],
                "title": postings.loc[hit, "title"],
                "label": titles[hit].map(by_title).astype(bool),
            }
        )
        out.attrs["unknown"] = int((~labels["key"].isin(set(titles[hit]))).sum())
        out.attrs["first_unknown"] = None
    return out.reset_index(drop=True)


def titles_as_postings(labels: pd.DataFrame, path: Path) -> Path:
    """A postings CSV made of a title-only label file's titles (to evaluate on the titles)."""
    df = pd.DataFrame({"title": labels["key"]}).drop_duplicates()
    df.to_csv(path, index=False)
    return path
