"""The review simulation on the dev labels, on the half tuned on and the half only checked.

The dev file is split by a hash of the title (so that a title never sits in both halves): what
was tuned on the "tune" half is reported beside the "check" half. Usage:
``python benchmarks/review_sim.py [N] [--anchors "machine learning" "artificial intelligence"]``.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from jobmap.config import Settings

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "linkedin-2023"
LABELS = ROOT.parent / "shared" / "labels" / "ml-ai-linkedin-2023-dev.csv"


def halves(labels: pd.DataFrame, postings: pd.DataFrame) -> dict[str, pd.DataFrame]:
    lab = labels.loc[labels["label"].isin(["yes", "no"]), ["job_id", "label"]].merge(
        postings[["job_id", "title"]], on="job_id", how="inner"
    )
    lab["label"] = (lab["label"] == "yes").astype(int)
    # salted: the dev file itself looks chosen by the last bit of an unsalted SHA-256 of the title
    h = (
        lab["title"]
        .astype(str)
        .str.lower()
        .map(lambda t: hashlib.sha256(b"jobmap-review-split:" + t.encode()).digest()[0] % 2)
    )
    return {"tune": lab[h == 0], "check": lab[h == 1]}


def arguments() -> tuple[int, list[str]]:
    """``[N] [--anchors A B ...]`` from the command line (20 and the two anchors by default)."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 20
    anchors = ["machine learning", "artificial intelligence"]
    if "--anchors" in sys.argv:
        anchors = sys.argv[sys.argv.index("--anchors") + 1 :]
    return n, anchors


def family_settings(anchors: list[str], folder: str) -> Settings:
    """Settings for a family of ``anchors`` alone on the 2023 copy (its file in ``folder``)."""
    from jobmap.config import Settings

    fams = Path(folder) / "f.toml"
    fams.write_text(f"[families.two-anchors]\nanchors = {json.dumps(anchors)}\n")
    return Settings.build("two-anchors", DATA, families=fams, progress=False)


def main() -> None:
    if not LABELS.is_file():
        print(f"skipped: {LABELS} is not here")
        return
    import jobmap
    from jobmap.review import simulate_review

    n, anchors = arguments()
    postings = jobmap.load(DATA, progress=False).postings
    dev = pd.read_csv(LABELS)
    every = dev.loc[dev["label"].isin(["yes", "no"]), ["job_id", "label"]]
    parts = {"dev": every.assign(label=(every["label"] == "yes").astype(int))}
    parts.update(halves(dev, postings))
    with tempfile.TemporaryDirectory() as tmp:
        settings = family_settings(anchors, tmp)
        curves: dict[str, pd.DataFrame] = {}
        for name, lab in parts.items():
            start = time.perf_counter()
            curve = simulate_review(settings, lab, n)
            wide = curve.pivot(index="answers", columns="order", values="f1")
            print(
                f"\n{name} half: {len(lab):,} labelled, {int(lab['label'].sum())} ML/AI "
                f"({time.perf_counter() - start:.0f} s)"
            )
            print(wide.round(3).to_string())
            print(
                "skipped (no labelled posting, or a tie): "
                + ", ".join(f"{o} {k} of {n}" for o, k in curve.attrs["skipped"].items())
            )
            curves[name] = curve
        # the README's curve is the two anchors'; other anchors get files of their own
        default = anchors == ["machine learning", "artificial intelligence"]
        stem = "review-curve" + (
            "" if default else "-" + "-".join(a.replace(" ", "_") for a in anchors)
        )
        plot(curves, ROOT / "docs" / f"{stem}.png", anchors)
        pd.concat([c.assign(labels=k) for k, c in curves.items()]).to_csv(
            ROOT / "docs" / f"{stem}.csv", index=False
        )
        print(f"wrote docs/{stem}.png and docs/{stem}.csv")


def plot(curves: dict[str, pd.DataFrame], path: Path, anchors: list[str]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(curves), figsize=(4.2 * len(curves), 3.6), dpi=110)
    for ax, (name, curve) in zip(axes, curves.items(), strict=True):
        for order, style in (("queue", "-o"), ("random", "--")):
            part = curve[curve["order"] == order]
            ax.plot(part["answers"], part["f1"], style, markersize=3, label=order)
        ax.set_title(f"{name} labels")
        ax.set_xlabel("answers")
        ax.set_ylim(0.5, 1.0)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("F1")
    axes[0].legend(loc="lower right")
    fig.suptitle("Simulated review of a family given " + ", ".join(f'"{a}"' for a in anchors))
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


if __name__ == "__main__":
    main()
