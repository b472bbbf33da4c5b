"""Technologies in 100,000 descriptions (the bundled sample's 665 real postings drawn again and
again, new job ids), read as ``jobmap technologies`` reads them: from jobmap's cache, in batches,
in one process a core.

Prints JSON for run.py: seconds to build the finder (its index of names); seconds for the whole
run over the 100,000 postings (data already in the cache); the same finder in this one process
on the first 20,000 (per 100,000); the baseline measured in the same run, one compiled
alternation of every name (``PhraseIndex(engine="regex")``) on the first 2,000 (per 100,000);
peak RSS of this process and of the largest worker; the rows found.
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

N = 100_000
ONE_PROCESS = 20_000
BASELINE = 2_000


def main() -> None:
    import jobmap
    from jobmap.data import bundled_sample_path
    from jobmap.knowledge.mentions import READS, TechnologyFinder
    from jobmap.runs.technology_table import workers_for

    raw = pd.read_csv(bundled_sample_path() / "postings.csv", dtype=str, keep_default_na=False)
    big = raw.iloc[np.random.default_rng(100).integers(0, len(raw), N)].reset_index(drop=True)
    big["job_id"] = [str(10**11 + i) for i in range(N)]
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "postings.csv"
        big[list(READS)].to_csv(data, index=False)
        cache = Path(tmp) / "cache"
        jobmap.load(data, cache_dir=cache, progress=False)  # into the cache, as a second run has it
        start = time.perf_counter()
        run = jobmap.runs.run_technologies(data, cache_dir=cache, progress=False)
        seconds = time.perf_counter() - start
    frame = big[list(READS)]
    start = time.perf_counter()
    finder = TechnologyFinder()
    build = time.perf_counter() - start
    start = time.perf_counter()
    one = finder.frame(frame.iloc[:ONE_PROCESS])
    one_seconds = time.perf_counter() - start
    baseline = TechnologyFinder(engine="regex")
    start = time.perf_counter()
    base = baseline.frame(frame.iloc[:BASELINE])
    base_seconds = time.perf_counter() - start
    same = one[one["job_id"].isin(set(frame["job_id"].iloc[:BASELINE]))]
    json.dump(
        {
            "postings": N,
            "workers": workers_for(N),
            "build_seconds": build,
            "seconds": seconds,
            "rows": len(run.found),
            "one_process_per_100k": one_seconds * N / ONE_PROCESS,
            "baseline_per_100k": base_seconds * N / BASELINE,
            "baseline_rows_equal": len(base) == len(same),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "worker_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
