"""Aggregation of judges' scores into one score per entry, and ranking with a tie-break chain.

Pure logic, no Flask.  Methods live in one registry (``METHODS``); a new method is one
function decorated with ``@register_method("name")``.  A method receives every judge total
of the round (``JudgeScore``) and an ``AggregationOptions`` and returns an ``EntryResult``
per entry, carrying its explanation: the raw score of each judge, whether it was dropped,
and the normalised value where the method normalises.

Rules implemented:
- ``mean``: arithmetic mean of the judges' totals.
- ``trimmed_mean``: with at least ``n_min`` scores (default 5) one highest and one lowest
  score are dropped and the rest averaged; with fewer scores the plain mean is taken.
- ``zscore`` / ``zscore_trimmed``: every judge's totals are standardised with that judge's
  own mean and population standard deviation, then mapped back to the rubric scale with
  the mean and population standard deviation of all raw totals in the round
  (``normalised = panel_mean + z * panel_sd``, clamped to [scale_min, scale_max]).
  A judge with a single score, or whose scores are all equal, carries no information about
  relative standing: the z value is 0, i.e. the score maps to the panel mean.
  ``zscore_trimmed`` then applies the trimmed-mean rule to the normalised values.
  ``thin_judges`` names the judges with fewer than ``MIN_SCORES_TO_NORMALISE`` scores, whose normalised
  values say little (the results page warns of them).
- ``median``: median of the totals (mean of the two middle values for an even count).
"""

from __future__ import annotations

import gc
import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median as _median

#: Decimal places used to decide that two floating scores are equal.
SCORE_PRECISION = 6


@dataclass(frozen=True)
class JudgeScore:
    """One judge's total for one entry (weighted rubric total), optionally per criterion."""

    entry_id: Hashable
    judge_id: Hashable
    total: float
    criteria: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class AggregationOptions:
    n_min: int = 5
    scale_min: float = 0.0
    scale_max: float = 100.0


@dataclass
class ScoreExplanation:
    judge_id: Hashable
    raw: float
    normalised: float | None = None
    dropped: bool = False


@dataclass
class EntryResult:
    entry_id: Hashable
    method: str
    score: float
    raw_sum: float
    explanation: list[ScoreExplanation]
    trimmed: bool = False
    criteria_sums: dict[str, float] = field(default_factory=dict)
    rank: int | None = None
    decided_by: str | None = None  # tie-break key that separated this entry from an equal score

    @property
    def count(self) -> int:
        return len(self.explanation)


Method = Callable[[Sequence[JudgeScore], AggregationOptions], dict[Hashable, EntryResult]]
METHODS: dict[str, Method] = {}


def register_method(name: str) -> Callable[[Method], Method]:
    """Register an aggregation method under ``name`` (the value stored on a round)."""

    def decorator(func: Method) -> Method:
        METHODS[name] = func
        return func

    return decorator


def aggregate(
    scores: Iterable[JudgeScore],
    method: str = "mean",
    options: AggregationOptions | None = None,
) -> dict[Hashable, EntryResult]:
    """Aggregate all judge totals of a round with the named method."""
    if method not in METHODS:
        raise KeyError(f"unknown aggregation method {method!r}")
    # Tens of thousands of small objects and no cycles: pause the cyclic GC, which would rescan them often.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return METHODS[method](list(scores), options or AggregationOptions())
    finally:
        if enabled:
            gc.enable()


# --- helpers -------------------------------------------------------------------------------


def _group_by_entry(scores: Sequence[JudgeScore]) -> dict[Hashable, list[JudgeScore]]:
    grouped: dict[Hashable, list[JudgeScore]] = defaultdict(list)
    for s in scores:
        grouped[s.entry_id].append(s)
    return grouped


def _criteria_sums(entry_scores: Sequence[JudgeScore]) -> dict[str, float]:
    sums: dict[str, float] = defaultdict(float)
    for s in entry_scores:
        for key, value in s.criteria.items():
            sums[key] += float(value)
    return dict(sums)


def _trim_flags(values: Sequence[float], judge_ids: Sequence[Hashable], n_min: int) -> list[bool]:
    """Which positions are dropped: one highest and one lowest when len >= n_min (and >= 3).

    Among equal values the judge with the smallest id (as text) is the one dropped, so
    the choice is deterministic; it does not change the trimmed mean.
    """
    n = len(values)
    flags = [False] * n
    if n < max(n_min, 3):
        return flags
    low = min(range(n), key=lambda i: (values[i], str(judge_ids[i])))
    high = min((i for i in range(n) if i != low), key=lambda i: (-values[i], str(judge_ids[i])))
    flags[low] = flags[high] = True
    return flags


def _mean_of_kept(values: Sequence[float], flags: Sequence[bool]) -> float:
    kept = [v for v, d in zip(values, flags, strict=True) if not d]
    return sum(kept) / len(kept)


def _build(entry_id, method, entry_scores, values, normalised, flags, score) -> EntryResult:
    explanation = [
        ScoreExplanation(s.judge_id, float(s.total), None if normalised is None else normalised[i], flags[i])
        for i, s in enumerate(entry_scores)
    ]
    return EntryResult(
        entry_id=entry_id,
        method=method,
        score=score,
        raw_sum=sum(float(s.total) for s in entry_scores),
        explanation=explanation,
        trimmed=any(flags),
        criteria_sums=_criteria_sums(entry_scores),
    )


def _per_entry(scores, options, method, combine, trim: bool) -> dict[Hashable, EntryResult]:
    results = {}
    for entry_id, entry_scores in _group_by_entry(scores).items():
        values = [float(s.total) for s in entry_scores]
        flags = (
            _trim_flags(values, [s.judge_id for s in entry_scores], options.n_min) if trim else [False] * len(values)
        )
        score = combine(values, flags)
        results[entry_id] = _build(entry_id, method, entry_scores, values, None, flags, score)
    return results


def judge_statistics(scores: Sequence[JudgeScore]) -> dict[Hashable, tuple[float, float, int]]:
    """Per judge: (mean, population standard deviation, count) of their totals."""
    acc: dict[Hashable, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for s in scores:
        a = acc[s.judge_id]
        t = float(s.total)
        a[0] += t
        a[1] += t * t
        a[2] += 1
    stats = {}
    for judge_id, (total, squares, n) in acc.items():
        mean = total / n
        variance = max(squares / n - mean * mean, 0.0)
        stats[judge_id] = (mean, math.sqrt(variance), n)
    return stats


#: Fewer scores than this by one judge in a category, and a z-score says next to nothing about where an entry
#: stands: one score always maps to the panel mean, two always to mean ± one panel SD.
MIN_SCORES_TO_NORMALISE = 3
NORMALISING_METHODS = ("zscore", "zscore_trimmed")
TRIMMING_METHODS = ("trimmed_mean", "zscore_trimmed")


def thin_judges(scores: Sequence[JudgeScore], minimum: int = MIN_SCORES_TO_NORMALISE) -> dict[Hashable, int]:
    """Judges with fewer than ``minimum`` scores (judge id -> count): too little overlap to normalise them."""
    counts: dict[Hashable, int] = defaultdict(int)
    for s in scores:
        counts[s.judge_id] += 1
    return {judge_id: n for judge_id, n in counts.items() if n < minimum}


def normalise_scores(scores: Sequence[JudgeScore], options: AggregationOptions) -> list[float]:
    """Per-judge z-score of every total, mapped back to the rubric scale (same order as ``scores``)."""
    if not scores:
        return []
    totals = [float(s.total) for s in scores]
    n = len(totals)
    panel_mean = sum(totals) / n
    panel_sd = math.sqrt(max(sum(t * t for t in totals) / n - panel_mean * panel_mean, 0.0))
    stats = judge_statistics(scores)
    out = []
    lo, hi = options.scale_min, options.scale_max
    for s, t in zip(scores, totals, strict=True):
        mean, sd, count = stats[s.judge_id]
        # relative tolerance: a judge whose totals are all equal has sd ~ 1e-8 from rounding
        z = 0.0 if count < 2 or sd <= 1e-9 * max(1.0, abs(mean)) else (t - mean) / sd
        out.append(min(hi, max(lo, panel_mean + z * panel_sd)))
    return out


def _zscore(scores, options, method, trim: bool) -> dict[Hashable, EntryResult]:
    normalised_all = normalise_scores(scores, options)
    by_entry: dict[Hashable, list[int]] = defaultdict(list)
    for i, s in enumerate(scores):
        by_entry[s.entry_id].append(i)
    results = {}
    for entry_id, idx in by_entry.items():
        entry_scores = [scores[i] for i in idx]
        normalised = [normalised_all[i] for i in idx]
        flags = (
            _trim_flags(normalised, [s.judge_id for s in entry_scores], options.n_min) if trim else [False] * len(idx)
        )
        score = _mean_of_kept(normalised, flags)
        results[entry_id] = _build(entry_id, method, entry_scores, None, normalised, flags, score)
    return results


# --- registered methods --------------------------------------------------------------------


@register_method("mean")
def mean_method(scores, options):
    """Arithmetic mean of the judges' totals."""
    return _per_entry(scores, options, "mean", _mean_of_kept, trim=False)


@register_method("trimmed_mean")
def trimmed_mean_method(scores, options):
    """Drop one highest and one lowest total when an entry has >= n_min scores, then average."""
    return _per_entry(scores, options, "trimmed_mean", _mean_of_kept, trim=True)


@register_method("zscore")
def zscore_method(scores, options):
    """Mean of per-judge z-score normalised totals mapped back to the rubric scale."""
    return _zscore(scores, options, "zscore", trim=False)


@register_method("zscore_trimmed")
def zscore_trimmed_method(scores, options):
    """Normalise per judge as ``zscore``, then apply the trimmed-mean rule to normalised values."""
    return _zscore(scores, options, "zscore_trimmed", trim=True)


@register_method("median")
def median_method(scores, options):
    """Median of the judges' totals."""
    return _per_entry(scores, options, "median", lambda values, flags: float(_median(values)), trim=False)


# --- ranking with tie-break chain --------------------------------------------------------

TIE_BREAK_RAW_SUM = "raw_sum"
TIE_BREAK_LATER_ROUND = "later_round"
TIE_BREAK_CRITERION_PREFIX = "criterion:"


def _key_value(result: EntryResult, key: str, later_round: Mapping[Hashable, float]) -> float:
    if key == TIE_BREAK_RAW_SUM:
        return round(result.raw_sum, SCORE_PRECISION)
    if key == TIE_BREAK_LATER_ROUND:
        value = later_round.get(result.entry_id)
        return -math.inf if value is None else round(float(value), SCORE_PRECISION)
    if key.startswith(TIE_BREAK_CRITERION_PREFIX):
        return round(result.criteria_sums.get(key[len(TIE_BREAK_CRITERION_PREFIX) :], 0.0), SCORE_PRECISION)
    raise KeyError(f"unknown tie-break key {key!r}")


def rank_results(
    results: Iterable[EntryResult],
    tie_breaks: Sequence[str] = (TIE_BREAK_RAW_SUM,),
    later_round: Mapping[Hashable, float] | None = None,
) -> list[EntryResult]:
    """Sort by score (desc), then by each tie-break key (desc); set ``rank`` and ``decided_by``.

    Keys: ``raw_sum`` (sum of all raw judge totals), ``criterion:<key>`` (sum of that
    criterion over the judges), ``later_round`` (score in the later round; no score ranks
    last).  Entries equal on the score and on every key share a rank (1, 2, 2, 4).
    ``decided_by`` names the deepest key of the chain that was needed to place the entry
    against its neighbours with the same score, or is None when the score alone decided.
    """
    later_round = later_round or {}
    keyed = []
    for r in results:
        key = (round(r.score, SCORE_PRECISION),) + tuple(_key_value(r, k, later_round) for k in tie_breaks)
        keyed.append((key, r))
    keyed.sort(key=lambda kr: (tuple(-v for v in kr[0]), str(kr[1].entry_id)))
    ordered = []
    for position, (key, r) in enumerate(keyed):
        r.decided_by = None
        neighbours = [keyed[j][0] for j in (position - 1, position + 1) if 0 <= j < len(keyed)]
        for other in neighbours:
            if other[0] == key[0] and other != key:
                first_diff = next(i for i in range(1, len(key)) if key[i] != other[i])
                name = tie_breaks[first_diff - 1]
                if r.decided_by is None or tie_breaks.index(name) > tie_breaks.index(r.decided_by):
                    r.decided_by = name
        if position and keyed[position - 1][0] == key:
            r.rank = ordered[-1].rank
        else:
            r.rank = position + 1
        ordered.append(r)
    return ordered
