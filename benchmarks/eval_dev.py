"""`make eval`: every method on the dev labels, the notebook's method beside them.

Methods that learn from labels (head, knn) are 5-fold cross-validated; the others use no labels.
The second table is a family defined by two anchor phrases alone ("machine learning",
"artificial intelligence"), with no keywords, examples or labels.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "linkedin-2023"
LABELS = ROOT.parent / "shared" / "labels" / "ml-ai-linkedin-2023-dev.csv"
METHODS = ["auto", "hybrid", "head", "knn", "anchors", "lda", "cluster"]
OTHER_ANCHORS = [
    ["machine learning"],
    ["machine learning", "data science"],
    ["machine learning engineer", "data scientist"],
    ["AI", "ML"],
]


def table(summary, title: str) -> None:  # type: ignore[no-untyped-def]
    print(f"\n{title}\n")
    print("| method | threshold | precision | recall | F1 | average precision | best F1 (at) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in summary.to_dict("records"):
        name = r["method"] + (f" ({r['picked']})" if r["picked"] else "")
        name += ", 5-fold CV" if r["cross_validated"] else ""
        name += ": the notebook's method (c)" if r["method"] == "anchors" else ""
        name += ", baseline" if r["method"] == "keywords" else ""
        print(
            f"| {name} | {r['threshold']:.2f} | {r['precision']:.3f} | {r['recall']:.3f} | "
            f"{r['f1']:.3f} | {r['average_precision']:.3f} | "
            f"{r['best_f1']:.3f} ({r['best_f1_threshold']:.2f}) |"
        )


def anchors_only(anchors: list[str]) -> dict[str, Any]:
    """``evaluate`` of auto and the notebook's method for a family of these anchors alone."""
    from jobmap.runs import evaluate

    with tempfile.TemporaryDirectory() as tmp:
        fams = Path(tmp) / "anchors.toml"
        fams.write_text(f"[families.anchors-only]\nanchors = {json.dumps(anchors)}\n")
        return evaluate(
            "anchors-only",
            DATA,
            labels=LABELS,
            methods=["auto", "anchors"],
            families=fams,
            progress=False,
        )


def main() -> None:
    if not LABELS.is_file() or not DATA.is_dir():
        print(f"skipped: {LABELS} or {DATA} is not here (../shared is the developers' only)")
        return
    from jobmap.runs import evaluate

    out = evaluate("ml-ai", DATA, labels=LABELS, methods=METHODS, progress=False)
    s = out["summary"]
    print(
        f"Dev labels: {s['labelled'].iloc[0]:,} labelled postings of linkedin-2023, "
        f"{s['positives'].iloc[0]} ML/AI ({s.attrs['unsure_labels']} unsure left out)."
    )
    table(s, "Family ml-ai (built-in: keyword rule, examples, calibrated thresholds)")
    out2 = anchors_only(["machine learning", "artificial intelligence"])
    table(out2["summary"], "A family given only two anchor phrases, no labels")
    print("\nOther anchor phrases, no labels (F1; auto's precision / recall)\n")
    print("| anchors | phrases as a rule | auto | notebook's method | auto P / R |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for anchors in OTHER_ANCHORS:
        s = anchors_only(anchors)["summary"].set_index("method")
        print(
            f"| {', '.join(anchors)} | {s.loc['keywords', 'f1']:.3f} | {s.loc['auto', 'f1']:.3f} | "
            f"{s.loc['anchors', 'f1']:.3f} | "
            f"{s.loc['auto', 'precision']:.3f} / {s.loc['auto', 'recall']:.3f} |"
        )
    out3 = evaluate(
        "ml-ai",
        DATA,
        labels=LABELS,
        methods=["head", "knn", "anchors"],
        model="fast",
        progress=False,
    )
    table(out3["summary"], "The fast body (--model fast: model2vec distilled from MiniLM)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
