"""``jobmap find`` at 100k, 300k and 1M postings: postings per second and peak memory.

Builds N postings once (real titles of the 2023 copy resampled, real descriptions of the bundled
sample resampled, fresh ids; a parquet file outside the repo, in ``$BENCH_SCALE_DIR`` or
``~/.cache/jobmap-bench``; in two shapes, :data:`SHAPES`), then runs
``jobmap find ml-ai --data FILE --out OUT.parquet`` as a fresh process, cold (the file read
into a new cache, then scored), with:

* ``local``: the default, the postings read and scored in batches (bounded memory);
* ``ray``: ``--engine ray`` on a local Ray cluster of 2 CPUs (when ``jobmap[ray]`` is installed);
* ``in-memory``: the path before batches (the whole table in pandas: ``$JOBMAP_STREAM_BYTES``
  and ``$JOBMAP_BATCH_ROWS`` set past the data), where it fits (100k and 300k by default).

Peak memory is that of the whole process tree (the command and every process it starts, Ray's
workers included), sampled every 0.1 s from ``/proc``: the sum of RSS, and the sum of PSS (which
counts a page shared by several processes, as Ray's object store is, once). Usage::

    python benchmarks/bench_scale.py [--sizes 100000,300000,1000000] [--engines local,ray]
        [--shapes row-groups,one-call]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TITLES = ROOT.parent / "shared" / "data" / "linkedin-2023"
BENCH_DIR = Path(os.environ.get("BENCH_SCALE_DIR", Path.home() / ".cache" / "jobmap-bench"))
GIB = 1 << 30


#: How the file is written: ``row-groups`` in row groups of 50,000 (a ParquetWriter, part by
#: part); ``one-call``: ``DataFrame.to_parquet`` in one call, as most users write one (a million
#: rows in one row group, the repeated descriptions dictionary-encoded: its row groups' sizes
#: say a few MB, and it was read whole, 7.2 GB).
SHAPES = ("row-groups", "one-call")


def build(n: int, seed: int = 20261130, shape: str = "row-groups") -> Path:
    """N postings as a parquet file (written once)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    import jobmap

    suffix = "" if shape == "row-groups" else f"-{shape}"
    path = BENCH_DIR / f"postings-{n}-{seed}{suffix}.parquet"
    if path.is_file():
        return path
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    source = TITLES if TITLES.is_dir() else None  # without ../shared: the sample's titles
    titles = jobmap.load(source, progress=False).postings["title"].astype(str).to_numpy()
    sample = jobmap.load(progress=False).postings
    desc = sample["description"].fillna("").astype(str).to_numpy()
    companies = sample["company_name"].fillna("").astype(str).to_numpy()
    locations = sample["location"].fillna("").astype(str).to_numpy()
    rng = np.random.default_rng(seed)
    tmp = path.with_suffix(".tmp")
    if shape == "one-call":
        import pandas as pd

        d = rng.integers(0, len(desc), n)
        pd.DataFrame(
            {
                "job_id": np.arange(n, dtype=np.int64) + 10_000_000_000,
                "title": titles[rng.integers(0, len(titles), n)],
                "company_name": companies[d],
                "location": locations[d],
                "description": desc[d],
            }
        ).to_parquet(tmp, index=False)
        tmp.rename(path)
        return path
    writer = None
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        d = rng.integers(0, len(desc), m)
        table = pa.table(
            {
                "job_id": np.arange(start, start + m, dtype=np.int64) + 10_000_000_000,
                "title": titles[rng.integers(0, len(titles), m)],
                "company_name": companies[d],
                "location": locations[d],
                "description": desc[d],
            }
        )
        if writer is None:
            writer = pq.ParquetWriter(tmp, table.schema)
        writer.write_table(table, row_group_size=50_000)
    assert writer is not None
    writer.close()
    tmp.rename(path)
    return path


def _tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def _memory(pids: list[int]) -> tuple[int, int]:
    """(sum of RSS, sum of PSS) in bytes."""
    rss = pss = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
        except OSError:
            continue
    return rss, pss


def measure(cmd: list[str], env: dict[str, str]) -> dict[str, float]:
    """Run ``cmd``; its wall time and the peak memory of its process tree."""
    peak = {"rss": 0, "pss": 0}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            rss, pss = _memory(_tree(proc.pid))
            peak["rss"], peak["pss"] = max(peak["rss"], rss), max(peak["pss"], pss)
            time.sleep(0.1)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    out, _ = proc.communicate()
    done.set()
    t.join()
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{out.decode()[-3000:]}")
    return {"seconds": seconds, "rss": peak["rss"] / GIB, "pss": peak["pss"] / GIB}


def run(path: Path, engine: str, n: int, workdir: Path) -> dict[str, float]:
    tag = f"{engine}-{n}-{path.stem}"
    env = dict(os.environ, JOBMAP_CACHE=str(workdir / f"cache-{tag}"), HF_HUB_OFFLINE="1")
    args = [sys.executable, "-m", "jobmap", "find", "ml-ai", "--data", str(path), "--quiet"]
    args += ["--out", str(workdir / f"out-{tag}.parquet")]
    if engine == "ray":
        args += ["--engine", "ray"]
    if engine == "in-memory":
        env.update(JOBMAP_STREAM_BYTES=str(1 << 60), JOBMAP_BATCH_ROWS=str(1 << 40))
    result = measure(args, env)
    result["rate"] = n / result["seconds"]
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,300000,1000000")
    ap.add_argument("--engines", default="local,ray")
    ap.add_argument("--in-memory-up-to", type=int, default=300_000)
    ap.add_argument("--shapes", default=",".join(SHAPES), help=f"of {', '.join(SHAPES)}")
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    engines = a.engines.split(",")
    shapes = a.shapes.split(",")
    try:
        import ray  # noqa: F401
    except ImportError:
        if "ray" in engines:
            print("ray is not installed (pip install 'jobmap[ray]'): the ray engine is skipped")
            engines.remove("ray")
    print(
        f"{'postings':>10} {'file':>10} {'engine':>10} {'seconds':>8} {'postings/s':>11} "
        f"{'peak RSS':>9} {'peak PSS':>9} {'vs in-memory':>13}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            for shape in shapes:
                path = build(n, shape=shape)
                rows: dict[str, dict[str, float]] = {}
                order = (["in-memory"] if n <= a.in_memory_up_to else []) + engines
                for engine in order:
                    r = rows[engine] = run(path, engine, n, Path(tmp))
                    base = rows.get("in-memory")
                    ratio = (
                        f"{r['rate'] / base['rate']:.2f}x" if base and engine != "in-memory" else ""
                    )
                    print(
                        f"{n:>10,} {shape:>10} {engine:>10} {r['seconds']:>8.1f} "
                        f"{r['rate']:>11,.0f} {r['rss']:>8.2f}G {r['pss']:>8.2f}G {ratio:>13}",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
