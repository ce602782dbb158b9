"""Judge quality statistics and outlier flags (pure logic, no Flask).

Per judge: mean, spread (population standard deviation), count of their totals, and the
Pearson correlation between their totals and the panel's view of the same entries, where
the panel is the *other* judges who scored the entry (their mean).  Including the judge
in the panel would inflate the correlation.

Outliers: a score is flagged when it lies more than ``threshold`` (default 2) panel
standard deviations from the panel mean, the panel again being the other judges of the
entry (at least two of them; sample standard deviation).  With the judge included a
score can never be 2 SD away among 5 judges (the bound is (n-1)/sqrt(n) = 1.79), which is
why leave-one-out is used.  ``min_sd`` keeps a unanimous panel (SD 0) from flagging
every small difference: the SD used is ``max(panel SD, min_sd)``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from .aggregation import JudgeScore


@dataclass
class JudgeQuality:
    judge_id: Hashable
    mean: float
    spread: float
    count: int
    correlation: float | None  # None when undefined (fewer than 2 pairs or no variance)


@dataclass
class OutlierFlag:
    entry_id: Hashable
    judge_id: Hashable
    score: float
    panel_mean: float
    panel_sd: float

    @property
    def deviations(self) -> float:
        return (self.score - self.panel_mean) / self.panel_sd if self.panel_sd else math.inf


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson correlation coefficient, or None when undefined."""
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / math.sqrt(sxx * syy)


def _by_entry(scores: Sequence[JudgeScore]) -> dict[Hashable, list[JudgeScore]]:
    grouped: dict[Hashable, list[JudgeScore]] = defaultdict(list)
    for s in scores:
        grouped[s.entry_id].append(s)
    return grouped


def judge_quality(scores: Sequence[JudgeScore]) -> dict[Hashable, JudgeQuality]:
    """Mean, spread, count and leave-one-out panel correlation for every judge."""
    grouped = _by_entry(scores)
    own: dict[Hashable, list[float]] = defaultdict(list)
    pairs: dict[Hashable, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for entry_scores in grouped.values():
        total = sum(float(s.total) for s in entry_scores)
        n = len(entry_scores)
        for s in entry_scores:
            own[s.judge_id].append(float(s.total))
            if n > 1:
                xs, ys = pairs[s.judge_id]
                xs.append(float(s.total))
                ys.append((total - float(s.total)) / (n - 1))
    result = {}
    for judge_id, values in own.items():
        n = len(values)
        mean = sum(values) / n
        spread = math.sqrt(sum((v - mean) ** 2 for v in values) / n)
        xs, ys = pairs.get(judge_id, ([], []))
        result[judge_id] = JudgeQuality(judge_id, mean, spread, n, pearson(xs, ys))
    return result


def flag_outliers(scores: Sequence[JudgeScore], threshold: float = 2.0, min_sd: float = 0.0) -> list[OutlierFlag]:
    """Scores more than ``threshold`` panel SDs from the panel mean (leave-one-out, >= 2 others)."""
    flags = []
    for entry_id, entry_scores in _by_entry(scores).items():
        if len(entry_scores) < 3:
            continue
        for s in entry_scores:
            others = [float(o.total) for o in entry_scores if o is not s]
            m = sum(others) / len(others)
            sd = math.sqrt(sum((o - m) ** 2 for o in others) / (len(others) - 1))
            used = max(sd, min_sd)
            diff = abs(float(s.total) - m)
            if (used == 0 and diff > 1e-9) or (used > 0 and diff > threshold * used + 1e-9):
                flags.append(OutlierFlag(entry_id, s.judge_id, float(s.total), m, used))
    return flags
