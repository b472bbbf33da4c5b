"""The review page's speed on the 33,246 postings of the 2023 copy, warm (vectors cached): the
time from an answer to the next question (the POST /api/answer round trip, which commits the
answer and returns the next question while the family is re-fitted in the background), and the
time of one re-fit. Baseline in the same run: answering with the re-fit done before the next
question (synchronous). Prints one JSON line."""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "linkedin-2023"
ANSWERS = 20


def main() -> None:
    if not DATA.is_dir():
        print(json.dumps({"skipped": f"{DATA} is not here"}))
        return
    from starlette.testclient import TestClient

    from jobmap.answers import AnswerStore
    from jobmap.config import Settings
    from jobmap.review import ReviewSession
    from jobmap.web import create_app

    with tempfile.TemporaryDirectory() as tmp:
        fams = Path(tmp) / "f.toml"
        fams.write_text(
            '[families.two]\nanchors = ["machine learning", "artificial intelligence"]\n'
        )
        settings = Settings.build("two", DATA, families=fams, progress=False)
        ReviewSession(settings, AnswerStore(Path(tmp) / "warm.sqlite"))  # warms every cache

        def answer_times(background: bool) -> tuple[list[float], list[float]]:
            store = AnswerStore(Path(tmp) / f"{background}.sqlite")
            session = ReviewSession(settings, store, background=background)
            client = TestClient(create_app(session, token="t"))
            client.headers["x-jobmap-token"] = "t"
            times = []
            for k in range(ANSWERS):
                q = client.get("/api/question").json()["question"]
                answer = "yes" if k % 3 == 0 else "no"
                start = time.perf_counter()
                r = client.post("/api/answer", json={"subject": q["subject"], "answer": answer})
                assert r.status_code == 200 and r.json()["question"] is not None
                times.append(time.perf_counter() - start)
                time.sleep(0.3)  # a person reads the next question
            session.wait_idle(120)
            fits = [h["seconds"] for h in session.history if "seconds" in h]
            session.close()
            return times, fits

        async_times, fits = answer_times(True)
        sync_times, _ = answer_times(False)
    p95 = lambda xs: statistics.quantiles(xs, n=20)[-1]  # noqa: E731
    out = {
        "answers": ANSWERS,
        "p95_answer_to_question_ms": round(1000 * p95(async_times), 1),
        "median_answer_to_question_ms": round(1000 * statistics.median(async_times), 1),
        "p95_synchronous_ms": round(1000 * p95(sync_times), 1),
        "refit_seconds_median": round(statistics.median(fits), 2),
        "refit_seconds_max": round(max(fits), 2),
    }
    out["ratio_p95_vs_synchronous"] = round(
        out["p95_synchronous_ms"] / max(out["p95_answer_to_question_ms"], 1e-9), 1
    )
    print(json.dumps(out))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
