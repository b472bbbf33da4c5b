"""The review with and without occupation questions, simulated (F1 after 0, 5, 10 and 20 answers).

- security: the family of the two anchors "cybersecurity" and "information security" on the
  33,246 postings of the 2023 copy, labelled by ``benchmarks/gold/security-linkedin-2023.csv`` (a
  title not in it counts as no: every sampled title outside its keyword pool was no);
- finance: the two anchors "accounting" and "finance" on the postings of the 187 titles two helpers
  labelled (``benchmarks/gold/finance-linkedin-2023.csv``), as their own dataset;
- ML/AI: the two anchors "machine learning" and "artificial intelligence" on the labelled dev
  postings as their own dataset (``../shared/labels/ml-ai-linkedin-2023-dev.csv``), whole, and each
  half of it (by a salted hash of the title: the file itself is one half of the 2023 titles by
  the plain hash).

Prints one markdown table row per family, data and queue: with occupation questions, answered
with exceptions (the titles a card lists whose labels say the other answer are unticked) and all
or nothing, and without occupation questions. ``--answers N`` (default 20).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared"
MARKS = (0, 5, 10, 20)


def half(title: str) -> str:
    key = ("jobmap-split:" + " ".join(title.lower().split())).encode()
    return "tune" if int(hashlib.sha256(key).hexdigest(), 16) % 2 == 0 else "check"


QUEUES = ((True, True), (True, False), (False, True))


def run(name: str, data: Path, anchors: list[str], labels: pd.DataFrame, n: int, tmp: Path) -> None:
    from jobmap.config import Settings
    from jobmap.pipeline import Pipeline
    from jobmap.review.simulate import simulate_review

    fams = tmp / f"{hashlib.sha256(name.encode()).hexdigest()[:8]}.toml"
    fams.write_text(f"[families.f]\nanchors = {anchors!r}\n".replace("'", '"'))
    settings = Settings.build("f", data, families=fams, progress=False)
    ds = Pipeline(settings).dataset
    for occupations, partial in QUEUES:
        curve = simulate_review(
            settings,
            labels,
            n=n,
            orders=("queue",),
            dataset=ds,
            occupations=occupations,
            partial=partial,
        )
        f1 = curve.set_index("answers")["f1"]
        queue = "phrases, titles and occupations" if occupations else "phrases and titles"
        queue += ", with exceptions" if partial else ", all or nothing"
        cells = " | ".join(f"{f1[k]:.3f}" if k in f1.index else "" for k in MARKS)
        print(f"| {name} | {queue} | {cells} |", flush=True)


def security_find(data: Path, labels: pd.DataFrame, tmp: Path) -> None:
    """Precision, recall and F1 of find for the security family three ways, over every posting."""
    import jobmap
    from jobmap.metrics import counts

    fams = tmp / "security.toml"
    fams.write_text(
        '[families.anchors]\nanchors = ["cybersecurity", "information security"]\n'
        '[families.occupations]\noccupations = ["15-1212", "15-1299.04", "15-1299.05", '
        '"15-1299.06"]\n'
        '[families.both]\nanchors = ["cybersecurity", "information security"]\n'
        'occupations = ["15-1212", "15-1299.04", "15-1299.05", "15-1299.06"]\n'
    )
    truth = labels.set_index("job_id")["label"]
    for family in ("anchors", "occupations", "both"):
        found = jobmap.find(family, data, all=True, families=fams, progress=False)
        y = found["job_id"].map(truth)
        known = y.notna().to_numpy()
        p, r, f = counts(found["match"].to_numpy()[known], (y[known] == 1).to_numpy()).rates()
        print(f"| security by {family} | {p:.3f} | {r:.3f} | {f:.3f} |", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=20)
    parser.add_argument("--find-only", action="store_true", help="find's figures alone")
    parser.add_argument(
        "--main-queue", action="store_true", help="only the page's queue (occupations, exceptions)"
    )
    args = parser.parse_args()
    if args.main_queue:
        global QUEUES
        QUEUES = QUEUES[:1]
    if not (SHARED / "data").is_dir():
        print(f"skipped: {SHARED} is not here")
        return 0
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        os.environ.setdefault("JOBMAP_CACHE", str(tmp / "cache"))
        from jobmap.data import load

        data = SHARED / "data" / "linkedin-2023"
        gold = pd.read_csv(HERE / "gold" / "security-linkedin-2023.csv", dtype=str)
        said = dict(zip(gold["title"].str.lower().str.strip(), gold["label"], strict=True))
        postings = load(data, progress=False).postings
        label = postings["title"].str.lower().str.strip().map(lambda t: said.get(t, "no"))
        labels = pd.DataFrame(
            {"job_id": postings["job_id"], "label": label.map({"yes": 1, "no": 0})}
        )
        security_find(data, labels.dropna(), tmp)
        if args.find_only:
            return 0
        run(
            "security, 2023 copy",
            data,
            ["cybersecurity", "information security"],
            labels.dropna(),
            args.answers,
            tmp,
        )
        # finance: the postings of the titles two helpers labelled (benchmarks/gold), as their
        # own dataset (a title outside the file is not known to be no)
        fin = pd.read_csv(HERE / "gold" / "finance-linkedin-2023.csv", dtype=str)
        fin = fin[fin["label"].isin(["yes", "no"])]
        said = dict(zip(fin["title"], fin["label"], strict=True))
        chosen = postings[postings["title"].astype(str).str.strip().isin(said)]
        path = tmp / "finance.csv"
        chosen[["job_id", "title"]].to_csv(path, index=False)
        labels = pd.DataFrame(
            {
                "job_id": chosen["job_id"].astype("int64"),
                "label": chosen["title"].astype(str).str.strip().map(said).map({"yes": 1, "no": 0}),
            }
        )
        run(
            f"finance, its gold titles ({len(chosen):,} postings)",
            path,
            ["accounting", "finance"],
            labels,
            args.answers,
            tmp,
        )
        dev = pd.read_csv(SHARED / "labels" / "ml-ai-linkedin-2023-dev.csv", dtype=str)
        dev["half"] = dev["title"].map(half)
        for part in ("all", "tune", "check"):
            rows = dev if part == "all" else dev[dev["half"] == part]
            path = tmp / f"ml-{part}.csv"
            rows[["job_id", "title"]].to_csv(path, index=False)
            labels = pd.DataFrame(
                {
                    "job_id": rows["job_id"].astype("int64"),
                    "label": rows["label"].map({"yes": 1, "no": 0}),
                }
            ).dropna()
            run(
                f"ML/AI, dev labels ({part}: {len(rows):,})",
                path,
                ["machine learning", "artificial intelligence"],
                labels,
                args.answers,
                tmp,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
