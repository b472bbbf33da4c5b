"""What the simulated review still gets wrong after N answers, and how far down the queue each
remaining error waits. Usage: ``python benchmarks/review_reach.py [N] [--anchors A B ...]``.

The review simulation (``review_sim.py``) gives the curve; this gives its floor: for every
labelled posting the family still decides wrongly after N queue answers (dev labels, 2023
copy), the question that would settle it (its title, or the phrase group holding it) and that
question's rank among every question the queue could ask next, by the value the queue orders
them by (no diversity rule, no audits). An error at rank 400 cannot be reached in ten answers by
any re-weighting of the same probabilities; it needs a model that places it elsewhere.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from review_sim import LABELS, arguments, family_settings


def main() -> None:
    if not LABELS.is_file():
        print(f"skipped: {LABELS} is not here")
        return
    from jobmap.answers import AnswerStore
    from jobmap.review.questions import rank
    from jobmap.review.session import ReviewSession
    from jobmap.review.simulate import _oracle

    n, anchors = arguments()
    dev = pd.read_csv(LABELS)
    dev = dev[dev["label"].isin(["yes", "no"])]
    with tempfile.TemporaryDirectory() as tmp:
        settings = family_settings(anchors, tmp)
        session = ReviewSession(settings, AnswerStore(Path(tmp) / "a.sqlite"))
        ids = session.postings["job_id"].astype("int64")
        truth = ids.map(dev.set_index("job_id")["label"].eq("yes").astype(float))
        said = {"yes": 0, "no": 0, "skip": 0}
        audits = 0
        for _ in range(n):
            q = session.next_question()
            if q is None:
                break
            answer = _oracle(session, q.subject, truth)
            said[answer] += 1
            audits += bool(q.audit)
            session.answer(q.subject, answer)
        snap = session.refit()
        groups = session.groups
        queue = rank(
            groups,
            snap.p,
            snap.matched_share,
            snap.settled,
            None,
            limit=len(groups.titles) + len(groups.phrases),
            rule=snap.family.rule_phrases(),
            rule_hit=snap.method.rule_hits(pd.Series(groups.shown)),
        )
        where: dict[int, tuple[int, str, float]] = {}
        for r, (group, value) in enumerate(queue, 1):
            for m in group.members:
                where.setdefault(m, (r, f"{group.kind}: {group.key}", value))
        known = truth.notna().to_numpy()
        y = (truth == 1).to_numpy()
        match = snap.match
        wrong = known & (match != y)
        print(
            f"{anchors} after {n} queue answers ({said['yes']} yes, {said['no']} no, "
            f"{said['skip']} skipped as unlabelled or tied; {audits} audits): "
            f"{int((wrong & match).sum())} false matches, {int((wrong & ~match).sum())} misses "
            f"among {int(known.sum()):,} labelled postings; {len(queue):,} questions open"
        )
        rows = []
        for t in np.unique(groups.of_posting[wrong]):
            in_t = wrong & (groups.of_posting == t)
            r, question, value = where.get(int(t), (0, "(not asked: settled or the rule's)", 0.0))
            rows.append(
                {
                    "title": groups.shown[t],
                    "error": "false match" if match[in_t][0] else "miss",
                    "postings": int(in_t.sum()),
                    "p": round(float(snap.p[t]), 3),
                    "rank": r or None,
                    "value": round(value, 3),
                    "asked as": question,
                }
            )
        table = pd.DataFrame(rows).sort_values("rank", na_position="last")
        with pd.option_context("display.width", 200, "display.max_colwidth", 60):
            print(table.to_string(index=False))
        session.close()


if __name__ == "__main__":
    main()
