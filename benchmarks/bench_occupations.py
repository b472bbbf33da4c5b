"""Occupation coding: speed on the 33,246 postings of the 2023 copy, and accuracy on the gold files.

Phases, each timed in this run: the titles embedded as ``find`` embeds them (the baseline: the
cache ``find`` builds), the O*NET titles' vectors built (once per model and release), then every
posting coded with both in the cache (the target: <= 60 s on two cores). Then the coder against
the dev gold (``../shared/labels/occupations-dev.csv``, each half) and the helpers' gold file.
Prints JSON for run.py.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared"


def main() -> None:
    data = SHARED / "data" / "linkedin-2023"
    if not data.is_dir():
        print(json.dumps({"skipped": f"{data} is not here"}))
        return
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["JOBMAP_CACHE"] = str(Path(tmp) / "cache")
        os.environ.pop("JOBMAP_KNOWLEDGE_CACHE", None)
        from jobmap.config import Settings
        from jobmap.knowledge.coded import code_dataset
        from jobmap.knowledge.coder import Coder
        from jobmap.methods.base import MethodContext
        from jobmap.pipeline import Pipeline
        from jobmap.runs.occupations import evaluate_occupations
        from jobmap.texts.builders import title_texts

        settings = Settings.build("ml-ai", data, progress=False)
        ds = Pipeline(settings).dataset
        engine = MethodContext.from_settings(settings).engine()
        start = time.perf_counter()
        engine.embed(title_texts(ds.read(["title"])))
        titles_s = time.perf_counter() - start
        start = time.perf_counter()
        Coder(engine=engine).reference_vectors()
        reference_s = time.perf_counter() - start
        start = time.perf_counter()
        coded = code_dataset(
            ds,
            engine,
            cache_dir=settings.cache_dir,
            batch_rows=settings.batch_rows,
            use_cache=False,
        )
        coding_s = time.perf_counter() - start
        start = time.perf_counter()
        code_dataset(ds, engine, cache_dir=settings.cache_dir, batch_rows=settings.batch_rows)
        cached_s = time.perf_counter() - start
        out: dict[str, object] = {
            "postings": len(coded),
            "titles_embedded_s": round(titles_s, 1),
            "reference_vectors_s": round(reference_s, 1),
            "coding_s": round(coding_s, 1),
            "from_cache_s": round(cached_s, 2),
            "none": int((coded["occupation_code"] == "").sum()),
        }
        gold = {
            "dev": (
                SHARED / "labels" / "occupations-dev.csv",
                [SHARED / "data" / "linkedin-2024-sample"],
            ),
            "helpers": (HERE / "gold" / "occupations-helpers.csv", []),
        }
        for name, (path, sources) in gold.items():
            if path.is_file():
                result = evaluate_occupations(path, sources, settings=settings)
                out[name] = result.metrics.to_dict("records")
        out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
