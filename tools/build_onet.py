"""Build the O*NET data jobmap ships (``src/jobmap/knowledge/onet/``) from the O*NET release files.

    python tools/build_onet.py [ONET_FOLDER]      # default: ../shared/onet

Reads the four tab-separated files of an O*NET release (``Occupation Data.txt``, ``Alternate
Titles.txt``, ``Task Statements.txt``, ``Technology Skills.txt``) and writes them as compressed
parquet tables with the columns jobmap reads, a ``release.json`` (the files' SHA-256 and row
counts) and the ``NOTICE`` the licence requires. A newer release is a rebuild, not a code change:
drop its files in a folder and run this again.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "jobmap" / "knowledge" / "onet"
DEFAULT = ROOT.parent / "shared" / "onet"

NOTICE = """This product includes information from the O*NET Database ({release}) by the U.S.
Department of Labor, Employment and Training Administration (USDOL/ETA). Used under the CC BY 4.0
license. O*NET(R) is a trademark of USDOL/ETA. jobmap has modified all or some of this
information. USDOL/ETA has not approved, endorsed, or tested these modifications.

License: https://creativecommons.org/licenses/by/4.0/
Source files and their SHA-256: release.json beside this file.
"""

#: file -> (table, {source column: jobmap column})
FILES = {
    "Occupation Data.txt": (
        "occupations",
        {"O*NET-SOC Code": "code", "Title": "title", "Description": "description"},
    ),
    "Alternate Titles.txt": (
        "titles",
        {
            "O*NET-SOC Code": "code",
            "Alternate Title": "title",
            "Short Title": "short_title",
            "Source(s)": "sources",
        },
    ),
    "Task Statements.txt": (
        "tasks",
        {"O*NET-SOC Code": "code", "Task": "task", "Task Type": "type"},
    ),
    "Technology Skills.txt": (
        "technologies",
        {
            "O*NET-SOC Code": "code",
            "Example": "technology",
            "Commodity Code": "commodity_code",
            "Commodity Title": "category",
            "Hot Technology": "hot",
            "In Demand": "in_demand",
        },
    ),
}


def build(source: Path, out: Path = OUT, release: str = "2025 release") -> dict[str, object]:
    out.mkdir(parents=True, exist_ok=True)
    info: dict[str, object] = {"release": release, "files": {}}
    for name, (table, columns) in FILES.items():
        path = source / name
        raw = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, quoting=3)
        missing = [c for c in columns if c not in raw.columns]
        if missing:
            raise SystemExit(f"{path}: no column {missing} (found {list(raw.columns)})")
        df = raw[list(columns)].rename(columns=columns)
        for flag in ("hot", "in_demand"):
            if flag in df.columns:
                df[flag] = df[flag].str.upper().eq("Y")
        if "short_title" in df.columns:
            df["short_title"] = df["short_title"].replace("n/a", "")
        df.to_parquet(out / f"{table}.parquet", index=False, compression="zstd")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        info["files"][name] = {"table": table, "rows": len(df), "sha256": digest}  # type: ignore[index]
    (out / "release.json").write_text(json.dumps(info, indent=2) + "\n")
    (out / "NOTICE").write_text(NOTICE.format(release=release))
    return info


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    print(json.dumps(build(folder), indent=2))
