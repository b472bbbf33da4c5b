"""The questions a review asks, and their order.

A question is about a group that one answer settles at once: every posting sharing a normalised
title ("senior data scientist", 17 postings), or every posting whose title contains a phrase many
titles share ("titles containing 'data scientist': 57 postings in 12 titles"), or, for an audit, one
posting drawn at random.

The queue asks first what would raise the family's F1 the most. For a group whose postings are a
probability ``p`` in the family, answering moves its unmatched postings with probability ``p`` and
its matched ones with probability ``1 - p``: the expected number of postings that change is the
question's value (shown on the card). Its place in the queue is its expected gain in F1
(:func:`f1_gain`), with the family's true and false positives and negatives estimated from every
title's ``p``: a yes to a large group nobody would say yes to would add many postings, but is so
unlikely that a small group likely to be yes gains more (582 postings at p 0.01 rank below 14 at
p 0.4, where postings × probability ranked them the other way). Consecutive questions are kept
apart (a group overlapping, or a title too like, one already queued is pushed back), and every
``audit_every``-th question is a random posting, drawn in turn from the matches and from the rest,
whose answers estimate precision and recall without the queue's bias.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from jobmap.answers import normalise_title
from jobmap.texts.match import phrase_regex, phrases_in

#: Words that alone make no group: they cut across every job family.
GENERIC = frozenset(
    [
        "a",
        "an",
        "and",
        "or",
        "of",
        "for",
        "the",
        "to",
        "in",
        "at",
        "on",
        "with",
        "by",
        "from",
        "as",
        "senior",
        "sr",
        "jr",
        "junior",
        "lead",
        "principal",
        "staff",
        "chief",
        "head",
        "director",
        "manager",
        "associate",
        "assistant",
        "intern",
        "internship",
        "remote",
        "hybrid",
        "onsite",
        "full",
        "part",
        "time",
        "contract",
        "temporary",
        "temp",
        "i",
        "ii",
        "iii",
        "iv",
        "v",
        "level",
        "entry",
        "mid",
        "experienced",
        "new",
        "grad",
        "engineer",
        "engineering",
        "specialist",
        "analyst",
        "consultant",
        "coordinator",
        "representative",
        "technician",
        "officer",
        "administrator",
        "executive",
        "supervisor",
        "worker",
        "team",
        "member",
        "developer",
        "scientist",
        "architect",
        "us",
        "usa",
        "ny",
        "ca",
        "tx",
        "fl",
        "il",
        "nj",
        "wa",
        "pa",
        "ma",
        "job",
        "jobs",
        "position",
        "role",
        "opportunity",
    ]
)
_FUNCTION = frozenset(
    ["a", "an", "and", "or", "of", "for", "the", "to", "in", "at", "on", "with", "by", "from", "as"]
)
#: A phrase question covers at most this share of the postings (a broader one settles too much).
MAX_PHRASE_SHARE = 0.5
#: ... and at least this many distinct titles (else the title questions do).
MIN_PHRASE_TITLES = 3


@dataclass(frozen=True)
class Group:
    """Postings one answer settles: ``kind`` is ``title`` or ``phrase`` (or ``posting``);
    ``gain`` is the F1 its answer is expected to add (:func:`f1_gain`), the queue's order."""

    kind: str
    key: str
    members: tuple[int, ...]  # indices of distinct titles (see :class:`Groups`)
    postings: int
    gain: float = field(default=0.0, compare=False)


@dataclass
class Groups:
    """The distinct normalised titles of a dataset, their postings, and the phrase groups."""

    titles: list[str]  # normalised
    shown: list[str]  # the most common raw title of each
    counts: np.ndarray
    of_posting: np.ndarray  # each posting's title index
    phrases: dict[str, tuple[int, ...]] = field(default_factory=dict)
    index: dict[str, int] = field(default_factory=dict)
    _has_phrases: tuple[tuple[str, ...], np.ndarray] | None = field(default=None, repr=False)

    @classmethod
    def build(cls, postings: pd.DataFrame, words: frozenset[str] = frozenset()) -> Groups:
        """The groups of ``postings``' titles; ``words`` may each make a group alone (technology
        names: "splunk", "cyberark"), where other single words cut across families."""
        norm = postings["title"].map(normalise_title)
        codes, uniques = pd.factorize(norm, sort=True)
        counts = np.bincount(codes, minlength=len(uniques))
        raw = pd.DataFrame({"code": codes, "title": postings["title"].astype(str).to_numpy()})
        shown_by = raw.groupby("code")["title"].agg(lambda s: s.value_counts().index[0])
        shown = [str(shown_by.get(i, uniques[i])) for i in range(len(uniques))]
        groups = cls(list(map(str, uniques)), shown, counts, np.asarray(codes))
        groups.phrases = groups._phrases(len(postings), words - GENERIC)
        groups.index = {t: i for i, t in enumerate(groups.titles)}
        return groups

    def _phrases(
        self, n_postings: int, single: frozenset[str] = frozenset()
    ) -> dict[str, tuple[int, ...]]:
        """Word runs of two or three words shared by several titles, none generic alone, and the
        ``single`` words (technologies) those titles share."""
        seen: dict[str, set[int]] = {}
        for i, title in enumerate(self.titles):
            words = re.findall(r"[a-z0-9][a-z0-9+#.]*", title)
            grams: set[str] = {w for w in words if w in single}
            for n in (2, 3):  # one word alone ("data", "learning") cuts across families
                for j in range(len(words) - n + 1):
                    run = words[j : j + n]
                    # not "senior ...", not a generic word alone, not "... of"
                    if run[0] in GENERIC or run[-1] in _FUNCTION or any(len(w) < 2 for w in run):
                        continue
                    grams.add(" ".join(run))
            for g in grams:
                seen.setdefault(g, set()).add(i)
        limit = MAX_PHRASE_SHARE * n_postings
        out: dict[str, tuple[int, ...]] = {}
        for phrase, members in seen.items():
            if len(members) < MIN_PHRASE_TITLES:
                continue
            if int(self.counts[list(members)].sum()) > limit:
                continue
            out[phrase] = tuple(sorted(members))
        # a phrase whose titles are exactly those of a longer phrase adds nothing
        by_members: dict[tuple[int, ...], str] = {}
        for phrase in sorted(out, key=lambda p: (-len(p.split()), p)):
            by_members.setdefault(out[phrase], phrase)
        return {p: m for m, p in by_members.items()}

    def has_phrases(self, phrases: tuple[str, ...]) -> np.ndarray:
        """Which titles contain one of ``phrases`` (whole words; ``re:`` patterns are not
        phrases), remembered for the last phrases asked about."""
        key = tuple(p for p in phrases if p.strip("* ") and not p.startswith("re:"))
        if self._has_phrases is None or self._has_phrases[0] != key:
            self._has_phrases = (key, phrases_in(pd.Series(self.titles, dtype=object), key))
        return self._has_phrases[1]

    def title_group(self, i: int) -> Group:
        return Group("title", self.titles[i], (i,), int(self.counts[i]))

    def phrase_group(self, phrase: str) -> Group:
        members = self.phrases.get(phrase)
        if members is None:  # a phrase typed by a person: find its titles now
            pattern = phrase_regex(phrase)
            members = tuple(i for i, t in enumerate(self.titles) if pattern.search(t))
        return Group("phrase", phrase, members, int(self.counts[list(members)].sum()))


def p_group_yes(p: np.ndarray, counts: np.ndarray) -> float:
    """The probability that one answer for a group is yes: that of its typical posting's title
    (the median of the titles' ``p`` weighted by their postings). The titles sharing a phrase are
    not independent draws: whether "data scientist" titles belong is one question about the
    phrase, so the chance that most of them belong is near that of a typical one, not the far
    smaller chance that many independent titles all happen to. One title: its ``p``."""
    if len(p) == 1:
        return float(p[0])
    order = np.argsort(p, kind="stable")
    cumulative = np.cumsum(counts[order])
    return float(p[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def expected_change(p: np.ndarray, matched_share: np.ndarray, counts: np.ndarray) -> float:
    """Postings an answer is expected to change, for member titles with probability ``p`` of
    being in the family, ``matched_share`` of their postings matched now, and ``counts``
    postings. One answer settles them all alike, yes with the probability of
    :func:`p_group_yes`: a yes moves the unmatched postings, a no the matched ones.

    A phrase whose titles the model sees differently ("data science": directors it misses
    beside researchers it matches) is asked like any other: the page shows its titles, and its
    answer teaches the model most where it is split."""
    total = float(counts.sum())
    if total == 0:
        return 0.0
    p_yes = p_group_yes(p, counts)
    matched = float((matched_share * counts).sum())
    return p_yes * (total - matched) + (1 - p_yes) * matched


def _f1(tp: Any, fp: Any, fn: Any) -> Any:
    denominator = 2 * tp + fp + fn
    return np.where(denominator > 0, 2 * tp / np.maximum(denominator, 1e-12), 0.0)


@dataclass(frozen=True)
class Confusion:
    """The family's expected true positives, false positives and false negatives (in postings),
    from each distinct title's probability ``p`` of being in the family and its postings matched
    now and not: the base an answer's F1 gain is measured from."""

    tp: float
    fp: float
    fn: float

    @classmethod
    def of(cls, p: np.ndarray, matched_share: np.ndarray, counts: np.ndarray) -> Confusion:
        matched = matched_share * counts
        return cls(
            float((p * matched).sum()),
            float(((1 - p) * matched).sum()),
            float((p * (counts - matched)).sum()),
        )


def f1_gain(
    base: Confusion,
    p_yes: Any,
    matched: Any,
    unmatched: Any,
    own: tuple[Any, Any, Any],
) -> Any:
    """The F1 an answer is expected to add: with probability ``p_yes`` the group is in the
    family, and a yes brings its ``unmatched`` postings in (they were false negatives); else a no
    takes its ``matched`` postings out (they were false positives). ``own`` is the group's part
    of ``base`` (its expected tp, fp, fn), replaced by what each truth makes of it. Arrays
    broadcast (every title at once)."""
    tp0, fp0, fn0 = base.tp - own[0], base.fp - own[1], base.fn - own[2]
    tp0, fp0, fn0 = np.maximum(tp0, 0.0), np.maximum(fp0, 0.0), np.maximum(fn0, 0.0)
    yes_gain = _f1(tp0 + matched + unmatched, fp0, fn0) - _f1(tp0 + matched, fp0, fn0 + unmatched)
    no_gain = _f1(tp0, fp0, fn0) - _f1(tp0, fp0 + matched, fn0)
    return p_yes * yes_gain + (1 - p_yes) * no_gain


def group_gain(
    base: Confusion,
    p: np.ndarray,
    matched_share: np.ndarray,
    counts: np.ndarray,
    p_yes: float | None = None,
) -> float:
    """:func:`f1_gain` of one group of titles (``p``, ``matched_share``, ``counts`` its
    members'), yes with ``p_yes`` (:func:`p_group_yes` by default)."""
    if p_yes is None:
        p_yes = p_group_yes(p, counts)
    own = Confusion.of(p, matched_share, counts)
    m = float((matched_share * counts).sum())
    return float(f1_gain(base, p_yes, m, float(counts.sum()) - m, (own.tp, own.fp, own.fn)))


def rank(
    groups: Groups,
    p: np.ndarray,
    matched_share: np.ndarray,
    settled: np.ndarray,
    vectors: np.ndarray | None = None,
    limit: int = 20,
    similar: float = 0.9,
    rule: tuple[str, ...] = (),
    rule_hit: np.ndarray | None = None,
    extra: list[tuple[Group, float]] | None = None,
) -> list[tuple[Group, float]]:
    """The next questions, best first, kept apart: title and phrase groups over the titles not
    settled by an answer, ordered by :func:`f1_gain` and valued (the postings an answer is
    expected to change) by :func:`expected_change`. Phrases and titles that hold one of the
    family's ``rule`` phrases are not asked: the rule decides them already (the review passes the
    terms the method grew into the rule too: "RN" for "registered nurse"); ``rule_hit`` marks
    the titles the method's rule matches (a phrase answered no leaves them alone). ``extra``:
    more valued groups to rank with these (the occupation questions, :func:`occupation_groups`)."""
    rule_res = [phrase_regex(r) for r in rule if r.strip("* ") and not r.startswith("re:")]
    candidates: list[tuple[Group, float]] = []
    # one title: expected_change in one vectorised step (a yes moves the unmatched postings with
    # probability p, a no the matched ones with 1 - p)
    matched = matched_share * groups.counts
    title_value = p * (groups.counts - matched) + (1 - p) * matched
    base = Confusion.of(p, matched_share, groups.counts)
    unmatched = groups.counts - matched
    title_gain = f1_gain(
        base, p, matched, unmatched, (p * matched, (1 - p) * matched, p * unmatched)
    )
    # a title with one of the family's own phrases is the rule's: asking it asks the phrase again
    # (and so is one the method's rule matches by a variant: "RNs", "A.I.", "MLOps")
    own = groups.has_phrases(rule)
    if rule_hit is not None:
        own = own | rule_hit
    open_titles = np.flatnonzero(~settled & (title_value > 0) & ~own)
    best = open_titles[np.argsort(-title_gain[open_titles], kind="stable")][: 50 * limit]
    for i in best:
        title = groups.title_group(int(i))
        candidates.append((replace(title, gain=float(title_gain[i])), float(title_value[i])))
    for phrase, members in groups.phrases.items():
        if any(r.search(phrase) for r in rule_res):
            continue
        idx = np.asarray([m for m in members if not settled[m]], dtype=np.int64)
        if len(idx) < MIN_PHRASE_TITLES:
            continue
        # the titles the method's rule matches stay matched whatever the answer: they are no
        # part of what the answer changes, nor of whether one answer fits the others
        free = idx if rule_hit is None else idx[~rule_hit[idx]]
        if not len(free):
            continue
        value = expected_change(p[free], matched_share[free], groups.counts[free])
        if value > 0:
            gain = group_gain(base, p[free], matched_share[free], groups.counts[free])
            group = Group(
                "phrase", phrase, tuple(int(i) for i in idx), int(groups.counts[idx].sum()), gain
            )
            candidates.append((group, value))
    candidates += extra or []
    candidates.sort(key=lambda gv: (-gv[0].gain, -gv[1], gv[0].kind, gv[0].key))
    chosen: list[tuple[Group, float]] = []
    taken: set[int] = set()
    for group, value in candidates:
        member_set = set(group.members)
        if member_set & taken:
            continue  # overlaps a question already queued: its answer may settle this one
        if vectors is not None and chosen:
            head = vectors[list(group.members)].mean(axis=0)
            near = any(
                float(head @ vectors[list(c.members)].mean(axis=0)) >= similar for c, _ in chosen
            )
            if near:
                continue
        chosen.append((group, value))
        taken |= member_set
        if len(chosen) >= limit:
            break
    return chosen


#: An occupation is asked about when at least this many of the family's matches are coded to it
#: or have it among the coder's next two codes ("Machine Learning Engineer": Computer and
#: Information Research Scientists, then Data Scientists) ...
OCCUPATION_MIN_MATCHED = 2
#: ... and they are at least this share of those and of the postings coded to it that the
#: family does not hold (a security family near 3% of Computer and Information Systems
#: Managers: asking it wasted an answer).
OCCUPATION_MIN_SHARE = 0.1


def occupation_groups(
    groups: Groups,
    title_codes: np.ndarray,
    p: np.ndarray,
    matched_share: np.ndarray,
    settled: np.ndarray,
    own: np.ndarray,
    held: tuple[str, ...] = (),
    rejected: tuple[str, ...] = (),
    near_codes: np.ndarray | None = None,
) -> list[tuple[Group, float]]:
    """Occupation questions: for each occupation near the family's matches, the titles coded to
    it that the family does not hold (not settled, not the rule's), as one group: "postings
    coded Data Scientists that the family does not hold". ``title_codes`` is each distinct
    title's occupation ("" for none), ``near_codes`` its next codes (one column each, or None);
    occupations the family names (``held``, prefixes) or a person answered no to
    (``rejected``) are not asked.

    An occupation is near when the family's matched postings are coded to it or have it among
    their next codes: at least ``OCCUPATION_MIN_MATCHED`` of them, and ``OCCUPATION_MIN_SHARE``
    of them together with the postings coded to it that the family does not hold. The sentence
    model that values phrases sees "Software Engineer" about as near a family of "machine
    learning" as "Data Scientist"; the coder's second codes do not.

    Valued and ordered as phrase questions are (:func:`expected_change`, :func:`f1_gain`), with
    one difference: the chance that the answer is yes is at least that share (smoothed), since
    the model that values a phrase knows titles, not occupations (it gives "Penetration Tester"
    0.01 in a family of "cybersecurity")."""
    counts = groups.counts
    matched = matched_share * counts
    base = Confusion.of(p, matched_share, counts)
    coded = title_codes != ""
    if not coded.any():
        return []
    codes, inverse = np.unique(title_codes[coded], return_inverse=True)
    idx = np.flatnonzero(coded)
    total = np.bincount(inverse, weights=counts[idx], minlength=len(codes))
    in_family = np.bincount(inverse, weights=matched[idx], minlength=len(codes))
    # the matched postings with the occupation among their next codes (a title's codes are
    # distinct: each counts once)
    near = in_family.copy()
    if near_codes is not None:
        position = {str(c): k for k, c in enumerate(codes)}
        for column in np.asarray(near_codes, dtype=object).reshape(len(title_codes), -1).T:
            for i in np.flatnonzero(matched > 0):
                k = position.get(str(column[i]))
                if k is not None and column[i] != title_codes[i]:
                    near[k] += matched[i]
    out: list[tuple[Group, float]] = []
    for k, code in enumerate(codes):
        code = str(code)
        outside = total[k] - in_family[k]
        if near[k] < OCCUPATION_MIN_MATCHED or near[k] < OCCUPATION_MIN_SHARE * (near[k] + outside):
            continue
        if any(code.startswith(h) for h in held) or code in rejected:
            continue
        members = idx[(inverse == k) & ~settled[idx] & ~own[idx] & (matched_share[idx] < 1.0)]
        if not len(members):
            continue
        free = counts[members]
        share = (near[k] + 1.0) / (near[k] + outside + 2.0)
        p_yes = max(p_group_yes(p[members], free), share)
        held_now = float((matched_share[members] * free).sum())
        value = p_yes * (float(free.sum()) - held_now) + (1 - p_yes) * held_now
        if value > 0:
            gain = group_gain(base, p[members], matched_share[members], free, p_yes)
            group = Group("occupation", code, tuple(int(i) for i in members), int(free.sum()), gain)
            out.append((group, value))
    return out


def audit_posting(
    rng: np.random.Generator, matched: np.ndarray, answered: np.ndarray, from_matches: bool
) -> int | None:
    """A posting drawn uniformly at random from the matches (or from the rest), not yet
    answered; None when there is none."""
    pool = np.flatnonzero((matched if from_matches else ~matched) & ~answered)
    if not len(pool):
        pool = np.flatnonzero(~answered)
    return int(rng.choice(pool)) if len(pool) else None


def audit_estimates(
    audited: list[tuple[bool, bool, int | None]],
    n_matched: int,
    n_rest: int,
    answered_yes: int = 0,
) -> dict[str, Any]:
    """Precision and recall estimated from audit answers ``(drawn from the matches, answered
    yes, the size of its stratum then)``.

    An audit is a posting drawn at random among the unanswered matches, or the unanswered rest:
    each stratum's rate of yes answers stands for that stratum, weighed by its size when its
    audits were drawn (``n_matched`` and ``n_rest``, its size now, where none was recorded). The
    ``answered_yes`` postings that other answers put in the family are in it for certain. An
    audit counts in the stratum it was drawn from: once answered, its own match is its answer,
    and counting it there would make every estimate perfect."""
    in_m = [yes for m, yes, _ in audited if m]
    in_r = [yes for m, yes, _ in audited if not m]
    sizes_m = [n for m, _, n in audited if m and n is not None]
    sizes_r = [n for m, _, n in audited if not m and n is not None]
    size_m = sum(sizes_m) / len(sizes_m) if sizes_m else n_matched
    size_r = sum(sizes_r) / len(sizes_r) if sizes_r else n_rest

    def rates(rate_m: float, rate_r: float | None) -> tuple[float | None, float | None]:
        tp = answered_yes + size_m * rate_m
        fp = size_m * (1 - rate_m)
        precision = tp / (tp + fp) if tp + fp else None
        recall = None
        if rate_r is not None:
            fn = size_r * rate_r
            recall = tp / (tp + fn) if tp + fn else None
        return precision, recall

    precision = recall = None
    precision_interval = recall_interval = None
    if in_m:
        rate_r = sum(in_r) / len(in_r) if in_r else None
        precision, recall = rates(sum(in_m) / len(in_m), rate_r)
        # 95% intervals from each stratum's Wilson interval: precision rises with the matches'
        # rate of yes; recall with it, and falls with the rest's
        m_low, m_high = wilson(sum(in_m), len(in_m))
        r_low, r_high = wilson(sum(in_r), len(in_r)) if in_r else (None, None)
        p_low, rec_low = rates(m_low, r_high)
        p_high, rec_high = rates(m_high, r_low)
        precision_interval = [p_low, p_high]
        if in_r:
            recall_interval = [rec_low, rec_high]
    return {
        "audits": len(audited),
        "precision": precision,
        "recall": recall,
        "precision_interval": precision_interval,
        "recall_interval": recall_interval,
        "audited_matches": len(in_m),
        "audited_rest": len(in_r),
    }


def wilson(yes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval (95% by default) of a proportion of ``yes`` in ``n``."""
    if n == 0:
        return 0.0, 1.0
    phat = yes / n
    centre = (phat + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, float(centre - half)), min(1.0, float(centre + half))
