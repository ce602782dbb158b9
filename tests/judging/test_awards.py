"""Award allocation: rounding rule, boundary ties, cap, thresholds (no app)."""

from judging.awards import RankedEntry, allocate_by_percentage, allocate_by_threshold, award_table, cumulative_quotas

LEVELS = [("first", 15), ("second", 25), ("third", 35)]


def ranked(ranks):
    return [RankedEntry(f"e{i + 1}", r) for i, r in enumerate(ranks)]


def test_quotas_twenty_entries_with_cap():
    # cumulative 15 % -> 3, 40 % -> 8, 75 % -> 15 but cap 60 % -> 12
    quotas, cap = cumulative_quotas(20, LEVELS, 60)
    assert quotas == {"first": 3, "second": 5, "third": 4}
    assert cap == 12


def test_rounding_half_up_versus_down():
    # N = 10: 1.5 -> 2 (half up) or 1 (down); 4.0 -> 4; 7.5 capped at floor(6.0) = 6
    assert cumulative_quotas(10, LEVELS, 60)[0] == {"first": 2, "second": 2, "third": 2}
    assert cumulative_quotas(10, LEVELS, 60, rounding="down")[0] == {"first": 1, "second": 3, "third": 2}
    # N = 7 without cap: 1.05 -> 1, 2.8 -> 3, 5.25 -> 5
    assert cumulative_quotas(7, LEVELS)[0] == {"first": 1, "second": 2, "third": 2}


def test_allocation_without_ties():
    allocation = allocate_by_percentage(ranked(range(1, 21)), LEVELS, 60)
    assert allocation.counts == {"first": 3, "second": 5, "third": 4}
    assert allocation.awards["e3"] == "first" and allocation.awards["e4"] == "second"
    assert allocation.awards["e12"] == "third" and allocation.awards["e13"] is None
    assert not allocation.notes


def test_boundary_tie_gets_higher_award_and_is_reported():
    # quotas 2/2/2 (cap 6); e2 and e3 share rank 2 at the first-prize boundary
    allocation = allocate_by_percentage(ranked([1, 2, 2, 4, 5, 6, 7, 8, 9, 10]), LEVELS, 60)
    assert [allocation.awards[f"e{i}"] for i in range(1, 8)] == [
        "first",
        "first",
        "first",
        "second",
        "third",
        "third",
        None,
    ]
    assert allocation.counts == {"first": 3, "second": 1, "third": 2}
    assert len(allocation.notes) == 1
    note = allocation.notes[0]
    assert note.level == "first" and note.quota == 2 and note.awarded == 3 and note.entry_ids == ["e3"]


def test_tie_at_cap_included_by_default_and_reported():
    # quotas 2/2/2 cap 6; positions 6 and 7 tied
    allocation = allocate_by_percentage(ranked([1, 2, 3, 4, 5, 6, 6, 8, 9, 10]), LEVELS, 60)
    assert allocation.awards["e7"] == "third"
    assert sum(allocation.counts.values()) == 7
    assert allocation.notes[0].at_cap and allocation.notes[0].entry_ids == ["e7"]


def test_tie_at_cap_strict_excludes_whole_group():
    allocation = allocate_by_percentage(ranked([1, 2, 3, 4, 5, 6, 6, 8, 9, 10]), LEVELS, 60, strict_cap=True)
    assert allocation.awards["e6"] is None and allocation.awards["e7"] is None
    assert allocation.counts == {"first": 2, "second": 2, "third": 1}
    assert allocation.notes[0].excluded and allocation.notes[0].entry_ids == ["e6", "e7"]


def test_tie_spanning_two_levels_consumes_next_level():
    # everyone in the top 5 tied: all get first, second level (cumulative 4) is empty
    allocation = allocate_by_percentage(ranked([1, 1, 1, 1, 1, 6, 7, 8, 9, 10]), LEVELS, 60)
    assert allocation.counts == {"first": 5, "second": 0, "third": 1}
    assert allocation.awards["e6"] == "third"


def test_empty_category():
    allocation = allocate_by_percentage([], LEVELS, 60)
    assert allocation.counts == {"first": 0, "second": 0, "third": 0}


def test_threshold_allocation():
    entries = [
        RankedEntry("a", 1, 92.0),
        RankedEntry("b", 2, 85.0),
        RankedEntry("c", 3, 84.99),
        RankedEntry("d", 4, 60.0),
    ]
    allocation = allocate_by_threshold(entries, [("first", 90), ("second", 85), ("third", 70)])
    assert allocation.awards == {"a": "first", "b": "second", "c": "third", "d": None}
    assert allocation.counts == {"first": 1, "second": 1, "third": 1}


def test_award_table_totals():
    a = allocate_by_percentage(ranked(range(1, 21)), LEVELS, 60)
    b = allocate_by_percentage(ranked(range(1, 11)), LEVELS, 60)
    table = award_table({"robots": a, "science": b})
    assert table["robots"]["total"] == 12 and table["science"]["total"] == 6
    assert table["total"] == {"first": 5, "second": 7, "third": 6, "merit": 0, "total": 18}


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

ORDER = {"first": 0, "second": 1, "third": 2, None: 3}


@st.composite
def ranked_categories(draw):
    n = draw(st.integers(0, 40))
    scores = sorted(draw(st.lists(st.integers(0, 12), min_size=n, max_size=n)), reverse=True)
    ranked, rank = [], 0
    for i, score in enumerate(scores):
        if i == 0 or score != scores[i - 1]:
            rank = i + 1
        ranked.append(RankedEntry(f"e{i}", rank, float(score)))
    return ranked


@settings(max_examples=300, deadline=None)
@given(ranked_categories(), st.sampled_from(["half_up", "down"]), st.booleans())
def test_allocation_properties(ranked, rounding, strict):
    allocation = allocate_by_percentage(ranked, LEVELS, 60, rounding=rounding, strict_cap=strict)
    awards = allocation.awards
    # a better rank never gets a lower award, and tied entries get the same award
    for a, b in zip(ranked, ranked[1:], strict=False):
        assert ORDER[awards[a.entry_id]] <= ORDER[awards[b.entry_id]]
        if a.rank == b.rank:
            assert awards[a.entry_id] == awards[b.entry_id]
    total = sum(allocation.counts.values())
    cap_notes = [note for note in allocation.notes if note.at_cap and not note.excluded]
    if strict or not cap_notes:
        assert total <= allocation.cap  # the cap only gives way to ties it reports
    if len({r.rank for r in ranked}) == len(ranked):  # no ties: exactly the quotas
        assert allocation.counts == allocation.quotas and not allocation.notes
