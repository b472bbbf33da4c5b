"""`make bench`: every benchmark, each with its baseline measured in the same run.

Prints the rates and the ratios against the baseline; asserts nothing about time (tests do not
either): the numbers are for people, with the targets beside them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "shared" / "data" / "linkedin-2023"
#: The notebook's own rate (52 minutes for 124k postings), with the library versions it used.
NOTEBOOK_RATE = 40.0


def run_phase(script: str, *args: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, str(HERE / script), *args], check=True, capture_output=True, text=True
    )
    result: dict[str, float] = json.loads(out.stdout)
    return result


def bench_embeddings() -> None:
    print("== Embedding throughput: all-MiniLM-L6-v2 on the 33,246 titles of linkedin-2023 ==")
    if not DATA.is_dir():
        print(f"skipped: {DATA} is not here (../shared exists only in the developers' checkout)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        env_args = ["--cache", str(Path(tmp) / "emb")]
        os.environ["BENCH_DATA_CACHE"] = str(Path(tmp) / "data")
        loop = run_phase("bench_embed.py", "loop", "--n", "300")
        cold = run_phase("bench_embed.py", "cold", *env_args)
        warm = run_phase("bench_embed.py", "warm", *env_args)
    n = cold["titles"]
    loop_total = n / loop["rate"]
    rows = [
        (
            "notebook loop (1 title/call)",
            loop["rate"],
            loop_total,
            loop["peak_rss_mb"],
            f"measured on {int(loop['titles'])} titles, extrapolated",
        ),
        (
            "jobmap cold (empty cache)",
            cold["rate"],
            cold["seconds"],
            cold["peak_rss_mb"],
            f"{int(cold['unique']):,} distinct titles embedded, model load included",
        ),
        (
            "jobmap warm (from the cache)",
            warm["rate"],
            warm["seconds"],
            warm["peak_rss_mb"],
            f"{int(warm['computed'])} embedded",
        ),
    ]
    print(f"{'':32} {'titles/s':>10} {'seconds':>9} {'peak RSS':>9}")
    for name, rate, secs, rss, note in rows:
        print(f"{name:32} {rate:10,.0f} {secs:9.1f} {rss:7.0f}MB  {note}")
    print(
        f"cold / loop: {cold['rate'] / loop['rate']:.1f}x   (target >= 8x; against the "
        f"notebook's own reported 40 titles/s: {cold['rate'] / NOTEBOOK_RATE:.0f}x)"
    )
    print(
        f"warm / loop: {warm['rate'] / loop['rate']:.0f}x;  warm, whole set: "
        f"{warm['seconds']:.1f} s   (target <= 10 s)"
    )


#: The notebook's spaCy tokenisation rate (lemmas + part-of-speech tags), as it reported.
NOTEBOOK_TOKENISE_RATE = 18.0


def bench_topics() -> None:
    print("== Tokenisation and LDA on 10,000 postings with descriptions (resampled sample) ==")
    r = run_phase("bench_topics.py")
    base = r["spacy_rate"] or NOTEBOOK_TOKENISE_RATE
    where = "measured here on 100 postings" if r["spacy_rate"] else "the notebook's reported rate"
    print(
        f"tokenise: {r['tokenise_rate']:,.0f} postings/s ({r['tokens_per_posting']:.0f} tokens "
        f"each; target >= 500/s); spaCy: {base:,.1f}/s ({where}): {r['tokenise_rate'] / base:.0f}x"
    )
    print(
        f"LDA fit (30 topics, 10 passes, {r['vocabulary']:,} words): {r['lda_seconds']:.1f} s; "
        f"peak RSS {r['peak_rss_mb']:.0f} MB"
    )


def bench_report() -> None:
    print("== Report over 123,849 postings (the bundled sample resampled) ==")
    r = run_phase("bench_report.py")
    print(
        f"first report (CSV read + cache + scoring + page): {r['first_seconds']:.1f} s; "
        f"again from the cache: {r['cached_seconds']:.1f} s (target < 60 s); "
        f"peak RSS {r['peak_rss_mb']:.0f} MB; {r['postings']:,} postings"
    )


def bench_review() -> None:
    print("== The review page on the 33,246 postings of linkedin-2023 (warm) ==")
    r = run_phase("bench_review.py")
    if "skipped" in r:
        print(f"skipped: {r['skipped']}")
        return
    print(
        f"answer -> next question: p95 {r['p95_answer_to_question_ms']:.0f} ms, median "
        f"{r['median_answer_to_question_ms']:.0f} ms (target: 150 ms); "
        f"{r['ratio_p95_vs_synchronous']}x faster than re-fitting before the next question "
        f"(p95 {r['p95_synchronous_ms']:.0f} ms, measured in the same run)"
    )
    print(
        f"background re-fit: median {r['refit_seconds_median']:.2f} s, max "
        f"{r['refit_seconds_max']:.2f} s (target: 2 s)"
    )


def bench_occupations() -> None:
    print("== Occupations: the 33,246 postings of linkedin-2023 coded, and the gold files ==")
    r = run_phase("bench_occupations.py")
    if "skipped" in r:
        print(f"skipped: {r['skipped']}")
        return
    print(
        f"coding, titles and O*NET vectors cached: {r['coding_s']:.1f} s (target <= 60 s); "
        f"{r['coding_s'] / r['titles_embedded_s']:.2f}x the time find takes to embed the titles "
        f"({r['titles_embedded_s']:.1f} s, this run); O*NET vectors built once: "
        f"{r['reference_vectors_s']:.1f} s; coded table from the cache: {r['from_cache_s']:.2f} s; "
        f"peak RSS {r['peak_rss_mb']:.0f} MB"
    )
    for name in ("dev", "helpers"):
        for row in r.get(name, []):  # type: ignore[attr-defined]
            print(
                f"  {name:8} {row['half']:6} n={row['postings']:4}  major {row['major group']:.3f}"
                f"  6-digit {row['6-digit']:.3f} (top-3 {row['6-digit top-3']:.3f})"
                f"  O*NET-SOC {row['O*NET-SOC']:.3f}   targets: major >= 0.90, 6-digit >= 0.70, "
                "top-3 >= 0.85"
            )


def bench_technologies() -> None:
    print("== Technologies in 100,000 descriptions (the bundled sample resampled) ==")
    r = run_phase("bench_technologies.py")
    print(
        f"jobmap technologies, data cached: {r['seconds']:.1f} s in {r['workers']:.0f} processes "
        f"(target <= 60 s); one process: {r['one_process_per_100k']:.1f} s per 100,000; the "
        f"baseline, one compiled alternation of every name (same run, extrapolated from 2,000): "
        f"{r['baseline_per_100k']:,.0f} s ({r['baseline_per_100k'] / r['seconds']:.0f}x slower, "
        f"same rows: {r['baseline_rows_equal']}); finder built in {r['build_seconds']:.1f} s; "
        f"peak RSS {r['peak_rss_mb']:.0f} MB (a worker {r['worker_peak_rss_mb']:.0f} MB); "
        f"{r['rows']:,.0f} rows"
    )


def main() -> None:
    bench_embeddings()
    bench_topics()
    bench_report()
    bench_review()
    bench_occupations()
    bench_technologies()


if __name__ == "__main__":
    main()
