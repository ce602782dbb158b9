"""Judge assignment: hand examples and hypothesis properties (no app)."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from judging.assignment import (
    EntryInfo,
    JudgeInfo,
    assign_judges,
    eligible_judges,
    is_eligible,
    reassign_after_withdrawal,
    replace_judge_for_entry,
)


def spread(loads):
    return max(loads.values()) - min(loads.values()) if loads else 0


def test_judge_never_gets_entry_from_own_school():
    entries = [EntryInfo(i, "sci", frozenset({f"school{i % 3}"})) for i in range(9)]
    judges = [JudgeInfo(f"j{i}", None, frozenset({f"school{i % 3}"})) for i in range(6)]
    plan = assign_judges(entries, judges, 3)
    school = {e.id: e.conflict_keys for e in entries}
    for entry_id, js in plan.assignments.items():
        assert len(js) == 3
        for j in js:
            judge = next(x for x in judges if x.id == j)
            assert not (school[entry_id] & judge.conflict_keys)
    assert sum(plan.loads.values()) == 27 and spread(plan.loads) <= 1


def test_expertise_and_declared_conflicts():
    robot = EntryInfo("r1", "robots")
    science = EntryInfo("s1", "science", frozenset({"school1"}))
    judge = JudgeInfo("j", frozenset({"robots"}), conflict_entry_ids=frozenset({"r2"}))
    assert is_eligible(judge, robot)
    assert not is_eligible(judge, science)  # outside expertise
    assert not is_eligible(judge, EntryInfo("r2", "robots"))  # declared conflict with the entry
    assert not is_eligible(JudgeInfo("k", declared_conflict_keys=frozenset({"school1"})), science)
    assert not is_eligible(judge, robot, {("r1", "j")})  # excluded pair ("cannot judge")


def test_shortfall_when_too_few_eligible_judges():
    entries = [EntryInfo("e1", "sci", frozenset({"s1"}))]
    judges = [JudgeInfo("a", conflict_keys=frozenset({"s1"})), JudgeInfo("b"), JudgeInfo("c")]
    plan = assign_judges(entries, judges, 3)
    assert plan.assignments["e1"] == {"b", "c"}
    assert plan.shortfalls == {"e1": 1}


def test_rebalance_moves_work_from_overloaded_judge():
    # greedy alone could load the generalist; the specialists take what they can
    entries = [EntryInfo(i, "a" if i < 4 else "b") for i in range(8)]
    judges = [JudgeInfo("gen"), JudgeInfo("spec_a", frozenset({"a"})), JudgeInfo("spec_b", frozenset({"b"}))]
    plan = assign_judges(entries, judges, 1, existing={i: {"gen"} for i in range(8)})
    assert sorted(plan.loads.values()) == [2, 3, 3]


def test_locked_pairs_are_not_moved():
    entries = [EntryInfo(i, "a") for i in range(4)]
    judges = [JudgeInfo("x"), JudgeInfo("y")]
    locked = {(i, "x") for i in range(4)}
    plan = assign_judges(entries, judges, 1, existing={i: {"x"} for i in range(4)}, locked=locked)
    assert plan.loads == {"x": 4, "y": 0}


def test_withdrawal_reassigns_only_that_judges_entries():
    entries = [EntryInfo(i, "a") for i in range(6)]
    judges = [JudgeInfo(f"j{i}") for i in range(4)]
    plan = assign_judges(entries, judges, 2)
    before = {e: set(js) for e, js in plan.assignments.items()}
    after = reassign_after_withdrawal(entries, judges, 2, before, "j0")
    for entry_id, js in after.assignments.items():
        assert "j0" not in js and len(js) == 2
        assert before[entry_id] - {"j0"} <= js  # the other judges keep their entries
    assert "j0" not in after.loads


def test_cannot_judge_replaces_one_pair():
    entries = [EntryInfo(i, "a") for i in range(3)]
    judges = [JudgeInfo(f"j{i}") for i in range(3)]
    current = {0: {"j0", "j1"}, 1: {"j1", "j2"}, 2: {"j0", "j2"}}
    plan = replace_judge_for_entry(entries, judges, 2, current, 0, "j0")
    assert plan.assignments[0] == {"j1", "j2"}
    assert plan.assignments[1] == {"j1", "j2"} and plan.assignments[2] == {"j0", "j2"}


# --- property-based ------------------------------------------------------------------------


@st.composite
def instances(draw, max_entries=12, max_judges=7):
    n_schools = draw(st.integers(1, 4))
    categories = ["c0", "c1", "c2"][: draw(st.integers(1, 3))]
    entries = [
        EntryInfo(i, draw(st.sampled_from(categories)), frozenset({draw(st.integers(0, n_schools - 1))}))
        for i in range(draw(st.integers(0, max_entries)))
    ]
    judges = []
    for j in range(draw(st.integers(1, max_judges))):
        cats = draw(st.one_of(st.none(), st.frozensets(st.sampled_from(categories), min_size=1)))
        orgs = draw(st.frozensets(st.integers(0, n_schools - 1), max_size=2))
        conflicts = (
            draw(st.frozensets(st.integers(0, max(len(entries) - 1, 0)), max_size=2)) if entries else frozenset()
        )
        judges.append(JudgeInfo(f"j{j}", cats, orgs, frozenset(), conflicts))
    k = draw(st.integers(1, 3))
    return entries, judges, k


@settings(max_examples=150, deadline=None)
@given(instances(), st.integers(0, 1000))
def test_assignment_never_violates_constraints_and_covers_maximally(instance, seed):
    entries, judges, k = instance
    plan = assign_judges(entries, judges, k, seed=seed)
    eligible = eligible_judges(entries, judges)
    for entry in entries:
        assigned = plan.assignments[entry.id]
        assert assigned <= set(eligible[entry.id])  # conflicts/expertise never violated
        assert len(assigned) == min(k, len(eligible[entry.id]))
        assert plan.shortfalls.get(entry.id, 0) == k - len(assigned)
    recount = {j.id: 0 for j in judges}
    for js in plan.assignments.values():
        for j in js:
            recount[j] += 1
    assert recount == plan.loads


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 30), st.integers(1, 8), st.integers(1, 4), st.integers(0, 1000))
def test_unconstrained_loads_differ_by_at_most_one(n_entries, n_judges, k, seed):
    entries = [EntryInfo(i, "c") for i in range(n_entries)]
    judges = [JudgeInfo(f"j{j}") for j in range(n_judges)]
    plan = assign_judges(entries, judges, k, seed=seed)
    assert spread(plan.loads) <= 1
    assert sum(plan.loads.values()) == n_entries * min(k, n_judges)


def best_spread(entries, judges, k):
    """Brute force: the smallest max-min load over every maximal-coverage assignment."""
    eligible = eligible_judges(entries, judges)
    options = [list(itertools.combinations(eligible[e.id], min(k, len(eligible[e.id])))) for e in entries]
    best = None
    for choice in itertools.product(*options):
        loads = {j.id: 0 for j in judges}
        for combo in choice:
            for j in combo:
                loads[j] += 1
        s = spread(loads)
        best = s if best is None else min(best, s)
    return best


@settings(max_examples=120, deadline=None)
@given(instances(max_entries=4, max_judges=4), st.integers(0, 1000))
def test_loads_as_balanced_as_constraints_allow(instance, seed):
    entries, judges, k = instance
    plan = assign_judges(entries, judges, k, seed=seed)
    assert spread(plan.loads) == best_spread(entries, judges, k)


@settings(max_examples=80, deadline=None)
@given(instances(), st.integers(0, 1000), st.data())
def test_withdrawal_keeps_constraints(instance, seed, data):
    entries, judges, k = instance
    plan = assign_judges(entries, judges, k, seed=seed)
    withdrawn = data.draw(st.sampled_from([j.id for j in judges]))
    after = reassign_after_withdrawal(entries, judges, k, plan.assignments, withdrawn, seed=seed)
    remaining = [j for j in judges if j.id != withdrawn]
    eligible = eligible_judges(entries, remaining)
    for entry in entries:
        assigned = after.assignments[entry.id]
        assert withdrawn not in assigned
        assert assigned <= set(eligible[entry.id])
        assert len(assigned) == min(k, len(eligible[entry.id]))
