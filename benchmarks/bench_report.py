"""A report over ~124,000 postings: the 665 real postings of the bundled sample resampled to the
full Kaggle size (new job ids, side-table rows copied with them), in the Kaggle layout.

Prints JSON for run.py: seconds for the first report (reads the CSVs into the cache, scores every
posting, codes the occupations, finds the technologies) and for a second one (everything read from
the cache), and peak RSS. The O*NET title vectors (embedded once per model and machine, about a
minute, whatever the data) are kept between runs in ``$JOBMAP_KNOWLEDGE_CACHE`` (default here:
``~/.cache/jobmap-bench/knowledge``), so the first report is a new dataset's, not a new machine's.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

N = 123_849


def build(folder: Path) -> None:
    from jobmap.data import bundled_sample_path

    src = bundled_sample_path()
    postings = pd.read_csv(src / "postings.csv", dtype=str, keep_default_na=False)
    rng = np.random.default_rng(567)
    pick = rng.integers(0, len(postings), N)
    big = postings.iloc[pick].reset_index(drop=True)
    old_ids = big["job_id"].tolist()
    big["job_id"] = [str(10**11 + i) for i in range(N)]
    folder.mkdir(parents=True)
    big.to_csv(folder / "postings.csv", index=False)
    new_of = pd.DataFrame({"old": old_ids, "job_id": big["job_id"]})
    for sub in ("jobs", "companies", "mappings"):
        (folder / sub).mkdir()
        for f in (src / sub).glob("*.csv"):
            table = pd.read_csv(f, dtype=str, keep_default_na=False)
            if sub == "jobs":
                table = table.rename(columns={"job_id": "old"}).merge(new_of, on="old")
                table = table.drop(columns="old")
            table.to_csv(folder / sub / f.name, index=False)


def main() -> None:
    import os

    os.environ.setdefault(
        "JOBMAP_KNOWLEDGE_CACHE", str(Path.home() / ".cache" / "jobmap-bench" / "knowledge")
    )
    import jobmap

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "scaled"
        build(data)
        cache = Path(tmp) / "cache"
        start = time.perf_counter()
        jobmap.report("ml-ai", data, out=Path(tmp) / "r.html", cache_dir=cache, progress=False)
        first = time.perf_counter() - start
        start = time.perf_counter()
        tables = jobmap.report(
            "ml-ai", data, out=Path(tmp) / "r2.html", cache_dir=cache, progress=False
        )
        second = time.perf_counter() - start
    json.dump(
        {
            "postings": int(tables["overview"]["postings"].sum()),
            "first_seconds": first,
            "cached_seconds": second,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
