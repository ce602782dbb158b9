"""Award allocation per category (pure logic, no Flask).

By percentage (the stated rounding rule):
- N is the number of ranked entries of the category.
- For the award levels in order (e.g. first 15 %, second 25 %, third 35 %), the number of
  entries holding that level *or a better one* is ``round_half_up(N x cumulative % / 100)``
  (``rounding="down"`` uses floor instead).  Rounding the cumulative share, not each
  level, keeps the total from drifting up or down by several entries.
- The total number of awarded entries never exceeds ``floor(N x cap % / 100)``.
- Entries tied (same rank) across a boundary all receive the higher award; the extra
  entries are reported in ``notes`` and the later levels shrink accordingly.  At the cap
  boundary the same rule applies (the cap is exceeded by the tied entries and reported),
  unless ``strict_cap=True``, in which case the whole tied group is left without award.
By threshold: an entry gets the best level whose minimum score it reaches.
Special awards (mayor's award, best creativity ...) are chosen by hand and are separate.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

#: Standard award levels, best first (codes stored in the database).
AWARD_LEVELS = ("first", "second", "third", "merit")
#: Special award kinds (chosen manually, separate from the quota).
SPECIAL_AWARD_KINDS = ("mayor", "best_creativity", "outstanding_advisor", "outstanding_organiser")


@dataclass(frozen=True)
class RankedEntry:
    entry_id: Hashable
    rank: int
    score: float = 0.0


@dataclass
class BoundaryTieNote:
    level: str
    quota: int
    awarded: int
    entry_ids: list  # the tied entries that pushed the count past the quota
    at_cap: bool = False
    excluded: bool = False  # strict cap: the tied group got no award


@dataclass
class AwardAllocation:
    awards: dict[Hashable, str | None]
    counts: dict[str, int]
    quotas: dict[str, int]
    cap: int | None
    notes: list[BoundaryTieNote] = field(default_factory=list)


def round_count(value: Decimal, rounding: str = "half_up") -> int:
    """Round a fractional count: ``half_up`` (2.5 -> 3) or ``down`` (2.9 -> 2)."""
    mode = {"half_up": ROUND_HALF_UP, "down": ROUND_FLOOR}[rounding]
    return int(value.quantize(Decimal(1), rounding=mode))


def cumulative_quotas(
    n: int,
    percentages: Sequence[tuple[str, Decimal | float | str]],
    cap_percent=None,
    rounding: str = "half_up",
) -> tuple[dict[str, int], int | None]:
    """Quota per level from cumulative percentages, and the cap as a count (floor)."""
    cap = None if cap_percent is None else int(Decimal(n) * Decimal(str(cap_percent)) // 100)
    quotas: dict[str, int] = {}
    cumulative = Decimal(0)
    given = 0
    for level, percent in percentages:
        cumulative += Decimal(str(percent))
        upto = round_count(Decimal(n) * cumulative / 100, rounding)
        if cap is not None:
            upto = min(upto, cap)
        upto = min(upto, n)
        quotas[level] = max(upto - given, 0)
        given = max(given, upto)
    return quotas, cap


def allocate_by_percentage(
    ranked: Sequence[RankedEntry],
    percentages: Sequence[tuple[str, Decimal | float | str]],
    cap_percent=None,
    *,
    rounding: str = "half_up",
    strict_cap: bool = False,
) -> AwardAllocation:
    """Allocate award levels by cumulative percentage with the boundary-tie rule (module docstring)."""
    ordered = sorted(ranked, key=lambda r: r.rank)
    n = len(ordered)
    quotas, cap = cumulative_quotas(n, percentages, cap_percent, rounding)
    awards: dict[Hashable, str | None] = {r.entry_id: None for r in ordered}
    counts = {level: 0 for level, _ in percentages}
    notes: list[BoundaryTieNote] = []
    position = 0  # index of the next entry to award
    cumulative_quota = 0
    limit = n if cap is None else cap
    for level, _ in percentages:
        cumulative_quota += quotas[level]
        end = min(cumulative_quota, limit)
        if end <= position:
            continue
        # extend over entries tied with the last one inside the quota
        tie_end = end
        while tie_end < n and ordered[tie_end].rank == ordered[end - 1].rank:
            tie_end += 1
        crosses_cap = cap is not None and tie_end > cap
        if crosses_cap and strict_cap:
            # the tied group that straddles the cap gets nothing; entries before it keep this level
            group_start = tie_end - 1
            while group_start > position and ordered[group_start - 1].rank == ordered[tie_end - 1].rank:
                group_start -= 1
            notes.append(
                BoundaryTieNote(
                    level,
                    quotas[level],
                    group_start - position,
                    [r.entry_id for r in ordered[group_start:tie_end]],
                    True,
                    True,
                )
            )
            tie_end = group_start
        elif tie_end > end:
            notes.append(
                BoundaryTieNote(
                    level, quotas[level], tie_end - position, [r.entry_id for r in ordered[end:tie_end]], crosses_cap
                )
            )
        for r in ordered[position:tie_end]:
            awards[r.entry_id] = level
        counts[level] += tie_end - position
        position = tie_end
        if crosses_cap or (cap is not None and position >= cap):
            break
    return AwardAllocation(awards, counts, quotas, cap, notes)


def allocate_by_threshold(
    scored: Sequence[RankedEntry],
    thresholds: Sequence[tuple[str, Decimal | float | str]],
) -> AwardAllocation:
    """Each entry gets the first level (best first) whose minimum score it reaches, else none."""
    awards: dict[Hashable, str | None] = {}
    counts = {level: 0 for level, _ in thresholds}
    for r in scored:
        level = next((lv for lv, minimum in thresholds if round(r.score, 6) >= float(Decimal(str(minimum)))), None)
        awards[r.entry_id] = level
        if level:
            counts[level] += 1
    return AwardAllocation(awards, counts, {}, None, [])


def award_table(allocations: dict[Hashable, AwardAllocation], levels: Sequence[str] = AWARD_LEVELS) -> dict:
    """Counts per category and level plus totals: {category: {level: n, 'total': n}, 'total': {...}}."""
    table: dict = {}
    grand = {level: 0 for level in levels}
    for category, allocation in allocations.items():
        row = {level: allocation.counts.get(level, 0) for level in levels}
        row["total"] = sum(row.values())
        table[category] = row
        for level in levels:
            grand[level] += row[level]
    grand["total"] = sum(grand.values())
    table["total"] = grand
    return table
