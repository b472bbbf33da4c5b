"""Embedding throughput on the 33,246 real titles of the 2023 LinkedIn release.

Phases (each run in its own process by run.py, so that peak memory is its own):
  loop  the notebook's way: one title per model call (a few hundred titles, extrapolated)
  cold  jobmap with an empty cache: load the model, de-duplicate, batch, embed, cache
  warm  jobmap again on the same cache: every vector read back, no model call
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "linkedin-2023"
PREFIX = "Job title: "


def titles() -> list[str]:
    import jobmap

    ds = jobmap.load(DATA, cache_dir=os.environ.get("BENCH_DATA_CACHE"), progress=False)
    return [PREFIX + " ".join(str(t).split()) for t in ds.postings["title"].tolist()]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_loop(n: int) -> dict[str, float]:
    from jobmap.embeddings.backends import SentenceTransformerBackend

    texts = titles()[:n]
    model = SentenceTransformerBackend()
    model.load()  # not timed: the notebook loaded it once too
    model.encode(texts[:2], 1)  # warm-up
    start = time.perf_counter()
    for t in texts:
        model.encode([t], 1)
    seconds = time.perf_counter() - start
    return {"titles": n, "seconds": seconds, "rate": n / seconds}


def phase_engine(cache: str) -> dict[str, float]:
    from jobmap.embeddings import EmbeddingEngine

    texts = titles()
    start = time.perf_counter()
    engine = EmbeddingEngine(cache_dir=cache, progress=False)
    vecs = engine.embed(texts)
    seconds = time.perf_counter() - start
    assert vecs.shape == (len(texts), 384)
    return {
        "titles": len(texts),
        "unique": engine.stats.unique,
        "computed": engine.stats.computed,
        "seconds": seconds,
        "rate": len(texts) / seconds,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("phase", choices=["loop", "cold", "warm"])
    ap.add_argument("--cache", default="")
    ap.add_argument("--n", type=int, default=300)
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    result = phase_loop(args.n) if args.phase == "loop" else phase_engine(args.cache)
    result["peak_rss_mb"] = peak_rss_mb()
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
