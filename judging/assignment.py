"""Balanced, conflict-free assignment of judges to entries (pure logic, no Flask).

Eligibility: a judge may judge an entry when
- the judge's categories (expertise) include the entry's category (``categories=None``
  means the judge accepts every category of the round),
- the entry and the judge share no conflict key (core.conflicts: the entry's school or unit,
  its authors; the judge's organisations, workplace, own name and declared conflicts),
- the entry is not among the judge's declared conflicting entries,
- the pair is not excluded (e.g. the judge answered "cannot judge" for it).

Goal: every entry gets ``k`` distinct eligible judges (fewer only when fewer than ``k`` are
eligible: that is a shortfall, reported), and judge loads are as even as the constraints
allow.  The algorithm:
1. greedy: entries with the fewest eligible judges first; each takes the ``k`` eligible
   judges with the lowest current load;
2. rebalance: while some judge A has load >= load(B) + 2 for a judge B reachable by a
   chain of moves (A hands entry e1 to J1, J1 hands e2 to J2, ..., to B), apply the chain.
   A chain changes only the loads of A (-1) and B (+1).  When no such chain exists, the
   load vector minimises the sum of squared loads over all assignments with the same
   coverage (the convex-cost flow optimality condition), so max - min <= 1 whenever any
   assignment achieves that.
Locked pairs (already scored) are never moved.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class EntryInfo:
    id: Hashable
    category_id: Hashable
    conflict_keys: frozenset = frozenset()  # the submission's (judging.submissions.Submission.conflict_keys)


@dataclass(frozen=True)
class JudgeInfo:
    id: Hashable
    categories: frozenset | None = None  # None: any category
    conflict_keys: frozenset = frozenset()  # the parties the judge belongs to: organisations, workplace, name
    declared_conflict_keys: frozenset = frozenset()  # the parties the judge declared a conflict with
    conflict_entry_ids: frozenset = frozenset()


@dataclass
class AssignmentPlan:
    assignments: dict[Hashable, set]  # entry id -> judge ids
    loads: dict[Hashable, int]
    shortfalls: dict[Hashable, int] = field(default_factory=dict)  # entry id -> missing judges

    def pairs(self) -> set[tuple[Hashable, Hashable]]:
        return {(e, j) for e, js in self.assignments.items() for j in js}


def is_eligible(judge: JudgeInfo, entry: EntryInfo, excluded: frozenset | set = frozenset()) -> bool:
    """True when the judge may judge the entry (expertise, shared conflict keys, declared conflicts)."""
    if judge.categories is not None and entry.category_id not in judge.categories:
        return False
    if has_conflict(judge, entry):
        return False
    return (entry.id, judge.id) not in excluded


def has_conflict(judge: JudgeInfo, entry: EntryInfo) -> bool:
    """回避: the entry and the judge (or referee) share a conflict key (a school, a unit, a co-author the judge
    belongs to, is, or declared a conflict with), or the entry is one of their declared entries."""
    return bool(
        entry.conflict_keys & (judge.conflict_keys | judge.declared_conflict_keys)
        or entry.id in judge.conflict_entry_ids
    )


def eligible_judges(
    entries: Sequence[EntryInfo],
    judges: Sequence[JudgeInfo],
    excluded: Iterable = (),
) -> dict[Hashable, list[Hashable]]:
    """Map each entry id to the ids of the judges eligible for it."""
    excluded = frozenset(excluded)
    return {e.id: [j.id for j in judges if is_eligible(j, e, excluded)] for e in entries}


def _fill(assign, eligible, loads, k, rng):
    order = sorted(assign, key=lambda e: (len(eligible[e]), rng.random()))
    shortfalls = {}
    for entry_id in order:
        have = assign[entry_id]
        need = k - len(have)
        if need <= 0:
            continue
        candidates = [j for j in eligible[entry_id] if j not in have]
        candidates.sort(key=lambda j: (loads[j], rng.random()))
        for judge_id in candidates[:need]:
            have.add(judge_id)
            loads[judge_id] += 1
        if len(have) < k:
            shortfalls[entry_id] = k - len(have)
    return shortfalls


def _find_chain(assign, eligible_sets, loads, judges_by_entry_load, locked, source):
    """BFS from ``source`` over moves; return a list of (entry, from, to) ending at a judge
    whose load is <= load(source) - 2, or None."""
    target_load = loads[source] - 2
    parent = {source: None}
    queue = deque([source])
    while queue:
        current = queue.popleft()
        for entry_id in judges_by_entry_load[current]:
            if (entry_id, current) in locked:
                continue
            assigned = assign[entry_id]
            for nxt in eligible_sets[entry_id]:
                if nxt in parent or nxt in assigned:
                    continue
                parent[nxt] = (current, entry_id)
                if loads[nxt] <= target_load:
                    chain = []
                    node = nxt
                    while parent[node] is not None:
                        prev, e = parent[node]
                        chain.append((e, prev, node))
                        node = prev
                    return chain[::-1]
                queue.append(nxt)
    return None


def rebalance(
    plan: AssignmentPlan,
    entries: Sequence[EntryInfo],
    judges: Sequence[JudgeInfo],
    excluded: Iterable = (),
    locked: Iterable = (),
) -> AssignmentPlan:
    """Move assignments along chains until no judge has 2+ more than a reachable judge.

    ``locked`` pairs (entry id, judge id) stay where they are.
    """
    eligible = eligible_judges(entries, judges, excluded)
    eligible_sets = {e: set(js) for e, js in eligible.items()}
    locked = set(locked)
    assign = plan.assignments
    loads = plan.loads
    by_judge: dict[Hashable, set] = {j.id: set() for j in judges}
    for entry_id, js in assign.items():
        for j in js:
            by_judge.setdefault(j, set()).add(entry_id)
    stuck: set = set()  # judges from which no improving chain exists at their current load
    while True:
        candidates = sorted((j for j in loads if (j, loads[j]) not in stuck), key=lambda j: -loads[j])
        if not candidates or loads[candidates[0]] - min(loads.values()) < 2:
            break
        moved = False
        for source in candidates:
            if loads[source] - min(loads.values()) < 2:
                break
            chain = _find_chain(assign, eligible_sets, loads, by_judge, locked, source)
            if chain is None:
                stuck.add((source, loads[source]))
                continue
            for entry_id, old, new in chain:
                assign[entry_id].discard(old)
                assign[entry_id].add(new)
                by_judge[old].discard(entry_id)
                by_judge[new].add(entry_id)
            loads[source] -= 1
            loads[chain[-1][2]] += 1
            stuck.clear()
            moved = True
            break
        if not moved:
            break
    return plan


def assign_judges(
    entries: Sequence[EntryInfo],
    judges: Sequence[JudgeInfo],
    k: int,
    *,
    existing: Mapping[Hashable, Iterable] | None = None,
    excluded: Iterable = (),
    locked: Iterable = (),
    seed: int = 0,
) -> AssignmentPlan:
    """Give every entry ``k`` eligible judges with balanced loads (see module docstring).

    ``existing`` assignments are kept (ineligible ones are dropped unless locked) and topped
    up; ``excluded`` pairs are never assigned; ``locked`` pairs are never moved.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    rng = random.Random(seed)
    excluded = frozenset(excluded)
    locked = set(locked)
    eligible = eligible_judges(entries, judges, excluded)
    assign: dict[Hashable, set] = {e.id: set() for e in entries}
    loads = {j.id: 0 for j in judges}
    for entry_id, js in (existing or {}).items():
        if entry_id not in assign:
            continue
        for j in js:
            if j in loads and (j in eligible[entry_id] or (entry_id, j) in locked):
                assign[entry_id].add(j)
                loads[j] += 1
    shortfalls = _fill(assign, eligible, loads, k, rng)
    plan = AssignmentPlan(assign, loads, shortfalls)
    return rebalance(plan, entries, judges, excluded, locked)


def reassign_after_withdrawal(
    entries: Sequence[EntryInfo],
    judges: Sequence[JudgeInfo],
    k: int,
    current: Mapping[Hashable, Iterable],
    withdrawn_judge_id: Hashable,
    *,
    locked: Iterable = (),
    excluded: Iterable = (),
    seed: int = 0,
) -> AssignmentPlan:
    """Remove a withdrawn judge and give each of their entries a replacement.

    The other judges keep their entries (they may have scored already): only the
    withdrawn judge's entries get a new judge, the least-loaded eligible one.
    """
    remaining = [j for j in judges if j.id != withdrawn_judge_id]
    rng = random.Random(seed)
    eligible = eligible_judges(entries, remaining, excluded)
    assign = {e.id: {j for j in current.get(e.id, ()) if j != withdrawn_judge_id} for e in entries}
    loads = {j.id: 0 for j in remaining}
    for js in assign.values():
        for j in js:
            if j in loads:
                loads[j] += 1
    shortfalls = _fill(assign, eligible, loads, k, rng)
    return AssignmentPlan(assign, loads, shortfalls)


def replace_judge_for_entry(
    entries: Sequence[EntryInfo],
    judges: Sequence[JudgeInfo],
    k: int,
    current: Mapping[Hashable, Iterable],
    entry_id: Hashable,
    judge_id: Hashable,
    *,
    excluded: Iterable = (),
    seed: int = 0,
) -> AssignmentPlan:
    """A judge cannot judge one entry ("cannot judge"): drop the pair, exclude it, top the entry up."""
    excluded = set(excluded) | {(entry_id, judge_id)}
    rng = random.Random(seed)
    eligible = eligible_judges(entries, judges, excluded)
    assign = {e.id: set(current.get(e.id, ())) for e in entries}
    assign[entry_id].discard(judge_id)
    loads = {j.id: 0 for j in judges}
    for js in assign.values():
        for j in js:
            if j in loads:
                loads[j] += 1
    shortfalls = _fill({entry_id: assign[entry_id]}, {entry_id: eligible[entry_id]}, loads, k, rng)
    return AssignmentPlan(assign, loads, shortfalls)
