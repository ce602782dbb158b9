"""Robot / programming performance runs: parsing, per-entry results and ranking (pure logic).

A run has points, a time (mm:ss.cc), penalty seconds that are added to the time, and a
status: ``ok``, ``dnf`` (did not finish) or ``dq`` (disqualified). A DNF or DQ run is no
result: it is worth no points and no time, whatever was typed, and ranks after every
finished run (DNF before DQ). An entry whose counted runs are all DNF/DQ has no result and
no rank.

Rules per category:
- ``best_of`` N: the best of the first N runs counts (points desc, effective time asc);
  ties go to the other runs, compared best first.
- ``sum``: points and effective times of all runs are added (a run without time makes
  the total time unknown); ties go to the individual runs, best first.
- ``average``: as sum, divided by the number of runs.
Ranking: points descending, then time ascending, then the other runs; entries equal on
all of these share a rank (1, 2, 2, 4).
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

RUN_STATUSES = ("ok", "dnf", "dq")
RULES = ("best_of", "sum", "average")
_FULL_WIDTH = str.maketrans({"：": ":", "．": ".", "。": ".", "，": ","})
_TIME_RE = re.compile(r"^\s*(?:(\d{1,3}):)?(\d{1,2})(?:[.,](\d{1,2}))?\s*$")


class TimeFormatError(ValueError):
    """A time that is not mm:ss.cc."""

    def __init__(self, value: str):
        self.value = value
        super().__init__(f"{value!r} is not a time in mm:ss.cc format.")


def parse_time(value: str) -> int:
    """Parse ``mm:ss.cc`` (also ``m:ss``, ``ss.cc``) into centiseconds; seconds must be < 60 after a minute part."""
    # a Chinese input method types full-width ：and ． (or 。); read them as : and .
    match = _TIME_RE.match((value or "").translate(_FULL_WIDTH))
    if not match:
        raise TimeFormatError(value)
    minutes, seconds, fraction = match.groups()
    if minutes is not None and int(seconds) >= 60:
        raise TimeFormatError(value)
    cs = int((fraction or "0").ljust(2, "0"))
    return (int(minutes or 0) * 60 + int(seconds)) * 100 + cs


def format_time(centiseconds: int | None) -> str:
    """Centiseconds as ``mm:ss.cc``; None as an em dash."""
    if centiseconds is None:
        return "—"
    minutes, rest = divmod(int(centiseconds), 6000)
    seconds, cs = divmod(rest, 100)
    return f"{minutes:02d}:{seconds:02d}.{cs:02d}"


@dataclass(frozen=True)
class Run:
    points: Decimal = Decimal(0)
    time_cs: int | None = None
    penalty_seconds: int = 0
    status: str = "ok"

    def __post_init__(self):
        if self.status not in RUN_STATUSES:
            raise ValueError(f"unknown run status {self.status!r}")

    @property
    def has_result(self) -> bool:
        return self.status == "ok"

    @property
    def effective_points(self) -> Decimal:
        return Decimal(self.points) if self.has_result else Decimal(0)

    @property
    def effective_time_cs(self) -> int | None:
        """Time plus penalties; None for DNF, DQ or an untimed run."""
        if self.status != "ok" or self.time_cs is None:
            return None
        return self.time_cs + self.penalty_seconds * 100

    def sort_key(self) -> tuple:
        """Smaller is better: finished runs first, then (-points, time or inf, status order)."""
        t = self.effective_time_cs
        return (RUN_STATUSES.index(self.status), -self.effective_points, math.inf if t is None else t)


@dataclass
class PerformanceResult:
    entry_id: Hashable
    points: Decimal
    time_cs: int | None
    counted_runs: list[int]  # indexes of the runs that make up the result
    key: tuple = field(repr=False, default=())
    rank: int | None = None
    has_result: bool = True  # False when every counted run was DNF/DQ (or there were none)


def compute_result(entry_id: Hashable, runs: Sequence[Run], rule: str = "best_of", n: int = 2) -> PerformanceResult:
    """The entry's result under the category rule (see module docstring)."""
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}")
    if not runs:
        return PerformanceResult(entry_id, Decimal(0), None, [], ((math.inf,),), has_result=False)
    considered = list(runs[:n]) if rule == "best_of" else list(runs)
    run_keys = sorted(r.sort_key() for r in considered)
    if rule == "best_of":
        best_index = min(range(len(considered)), key=lambda i: considered[i].sort_key())
        best = considered[best_index]
        return PerformanceResult(
            entry_id,
            best.effective_points,
            best.effective_time_cs,
            [best_index],
            tuple(run_keys),
            has_result=best.has_result,
        )
    points = sum((r.effective_points for r in considered), Decimal(0))
    times = [r.effective_time_cs for r in considered]
    time = None if any(t is None for t in times) else sum(times)
    if rule == "average":
        points = points / len(considered)
        time = None if time is None else time / len(considered)
    head = (-points, math.inf if time is None else time)
    finished = [i for i, r in enumerate(considered) if r.has_result]
    return PerformanceResult(entry_id, points, time, finished, (head, *run_keys), has_result=bool(finished))


def rank_performance(
    runs_by_entry: Mapping[Hashable, Sequence[Run]],
    rule: str = "best_of",
    n: int = 2,
) -> list[PerformanceResult]:
    """Compute every entry's result and rank them (competition ranking for full ties); entries without a
    result (only DNF/DQ runs) come last, unranked."""
    results = [compute_result(e, runs, rule, n) for e, runs in runs_by_entry.items()]
    # pad keys so entries with fewer runs compare after those with more good runs
    width = max((len(r.key) for r in results), default=0)
    pad = (math.inf, math.inf, math.inf)

    def full_key(r):
        return tuple(r.key) + (pad,) * (width - len(r.key))

    results.sort(key=lambda r: (not r.has_result, full_key(r), str(r.entry_id)))
    for i, r in enumerate(results):
        if not r.has_result:
            r.rank = None
        elif i and full_key(results[i - 1]) == full_key(r):
            r.rank = results[i - 1].rank
        else:
            r.rank = i + 1
    return results
