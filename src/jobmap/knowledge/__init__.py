"""Knowledge the title model lacks, shipped in the package: the O*NET database's occupations (the
O*NET-SOC codes with their titles and descriptions), 56,495 alternate titles, task statements and
technology skills (``knowledge/onet/``, built by ``tools/build_onet.py`` from an O*NET release;
a newer release is a rebuild, not a code change). Each table loads once, lazily.

>>> occupations().set_index("code").loc["15-2051.00", "title"]
'Data Scientists'
>>> len(alternate_titles())
56495
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd


def onet_dir() -> Path:
    """The folder of the shipped O*NET tables, its ``NOTICE`` and ``release.json``."""
    return Path(str(resources.files("jobmap.knowledge") / "onet"))


@cache
def _table(name: str) -> pd.DataFrame:
    return pd.read_parquet(onet_dir() / f"{name}.parquet")


def occupations() -> pd.DataFrame:
    """The 1,016 O*NET-SOC occupations: ``code`` (``15-2051.00``), ``title``, ``description``."""
    return _table("occupations")


@cache
def occupation_titles() -> dict[str, str]:
    """Each O*NET-SOC code's occupation title (``15-2051.00`` -> ``Data Scientists``)."""
    occ = occupations()
    return dict(zip(occ["code"], occ["title"], strict=True))


def alternate_titles() -> pd.DataFrame:
    """O*NET's alternate titles: ``code``, ``title``, ``short_title``, ``sources``."""
    return _table("titles")


def tasks() -> pd.DataFrame:
    """Task statements: ``code``, ``task``, ``type`` (Core or Supplemental)."""
    return _table("tasks")


def technologies() -> pd.DataFrame:
    """Technology skills: ``code``, ``technology`` (Python, SQL...), ``commodity_code``,
    ``category`` (the commodity title), ``hot``, ``in_demand``."""
    return _table("technologies")


def release() -> dict[str, Any]:
    """Which O*NET release is shipped: its name, and each source file's rows and SHA-256."""
    data: dict[str, Any] = json.loads((onet_dir() / "release.json").read_text())
    return data


def attribution() -> str:
    """The notice the O*NET licence (CC BY 4.0) requires wherever this data is shipped or shown."""
    return (onet_dir() / "NOTICE").read_text().strip()


__all__ = [
    "alternate_titles",
    "attribution",
    "occupation_titles",
    "occupations",
    "onet_dir",
    "release",
    "tasks",
    "technologies",
]
