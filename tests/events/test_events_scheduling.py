"""Caravan conflict detection: buffers, travel time, adjacency, staff, pending vs confirmed, blackouts."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.intervals import intervals_overlap
from events.caravan.scheduling import (
    BLACKOUT,
    CARAVAN,
    OVERLAP,
    STAFF,
    Blackout,
    Booking,
    SchedulingRules,
    blocked_interval,
    find_conflicts,
    free_caravans,
)

pytestmark = pytest.mark.no_app  # pure logic: no app context or database

CST = timezone(timedelta(hours=8))
RULES = SchedulingRules(
    setup_buffer=timedelta(minutes=60),
    teardown_buffer=timedelta(minutes=30),
    travel_time=timedelta(minutes=45),
    timezone=CST,
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 4, day, hour, minute, tzinfo=CST)


def visit(key, start, end, caravan=1, confirmed=True, staff=(), travel=None):
    return Booking(key, caravan, start, end, confirmed, frozenset(staff), travel)


def test_blocked_interval_adds_travel_setup_and_teardown():
    booking = visit(1, at(10, 9), at(10, 11, 30))
    assert blocked_interval(booking, RULES) == (at(10, 7, 15), at(10, 12, 0))


def test_blocked_interval_uses_destination_travel_override():
    booking = visit(1, at(10, 9), at(10, 11), travel=timedelta(hours=2))
    assert blocked_interval(booking, RULES) == (at(10, 6, 0), at(10, 11, 30))


def test_adjacent_blocked_intervals_are_allowed():
    # first visit blocks until 12:00; the second one's travel+setup (1h45) starts exactly at 12:00
    first = visit(1, at(10, 9), at(10, 11, 30))
    second = visit(2, at(10, 13, 45), at(10, 15))
    assert find_conflicts(second, [first], RULES).ok
    assert find_conflicts(first, [second], RULES).ok


def test_one_minute_into_the_buffer_is_a_hard_conflict():
    first = visit(1, at(10, 9), at(10, 11, 30))
    second = visit(2, at(10, 13, 44), at(10, 15))
    report = find_conflicts(second, [first], RULES)
    assert not report.ok
    assert report.hard[0].kind == OVERLAP
    assert report.hard[0].resource == (CARAVAN, 1)
    assert report.hard[0].other_key == 1
    assert report.hard[0].other_interval == (at(10, 7, 15), at(10, 12, 0))


def test_visits_that_do_not_overlap_themselves_still_collide_through_buffers():
    # 11:30 end, next starts 12:30: the bare visits don't touch, but teardown + travel + setup need 2h15
    first = visit(1, at(10, 9), at(10, 11, 30))
    second = visit(2, at(10, 12, 30), at(10, 14))
    assert not find_conflicts(second, [first], RULES).ok


def test_zero_buffers_allow_back_to_back_visits():
    rules = SchedulingRules(timedelta(0), timedelta(0), timedelta(0), CST)
    first = visit(1, at(10, 9), at(10, 11))
    assert find_conflicts(visit(2, at(10, 11), at(10, 12)), [first], rules).ok
    assert not find_conflicts(visit(2, at(10, 10, 59), at(10, 12)), [first], rules).ok


def test_other_caravan_without_shared_staff_does_not_conflict():
    first = visit(1, at(10, 9), at(10, 12), caravan=1, staff={7})
    second = visit(2, at(10, 9), at(10, 12), caravan=2, staff={8})
    assert find_conflicts(second, [first], RULES).ok


def test_shared_staff_member_conflicts_across_caravans():
    first = visit(1, at(10, 9), at(10, 12), caravan=1, staff={7, 8})
    second = visit(2, at(10, 10), at(10, 11), caravan=2, staff={8, 9})
    report = find_conflicts(second, [first], RULES)
    assert [c.resource for c in report.hard] == [(STAFF, 8)]


def test_same_caravan_and_staff_reports_each_resource():
    first = visit(1, at(10, 9), at(10, 12), staff={3, 4})
    second = visit(2, at(10, 10), at(10, 11), staff={4})
    report = find_conflicts(second, [first], RULES)
    assert sorted(c.resource for c in report.hard) == [(CARAVAN, 1), (STAFF, 4)]


def test_pending_bookings_are_soft_conflicts_only():
    pending = visit(1, at(10, 9), at(10, 12), confirmed=False)
    report = find_conflicts(visit(2, at(10, 10), at(10, 11), confirmed=False), [pending], RULES)
    assert report.ok
    assert [c.other_key for c in report.soft] == [1]
    assert not report.soft[0].hard


def test_candidate_does_not_conflict_with_itself_on_recheck():
    saved = visit(5, at(10, 9), at(10, 12))
    assert find_conflicts(saved, [saved], RULES).ok


def test_unsaved_candidate_with_key_none_checks_everything():
    other = visit(None, at(10, 9), at(10, 12))
    assert not find_conflicts(visit(None, at(10, 9), at(10, 12)), [other], RULES).ok


def test_conflicts_are_ordered_by_start():
    later = visit("b", at(10, 13), at(10, 14))
    earlier = visit("a", at(10, 8), at(10, 9))
    report = find_conflicts(visit("c", at(10, 8), at(10, 14)), [later, earlier], RULES)
    assert [c.other_key for c in report.hard] == ["a", "b"]


def test_blackout_day_blocks_that_caravan_only():
    blackout = Blackout(date(2026, 4, 10), date(2026, 4, 10), caravan_id=1, reason="年检")
    report = find_conflicts(visit(1, at(10, 9), at(10, 11)), [], RULES, [blackout])
    assert [(c.kind, c.resource, c.reason) for c in report.hard] == [(BLACKOUT, (CARAVAN, 1), "年检")]
    assert find_conflicts(visit(1, at(10, 9), at(10, 11), caravan=2), [], RULES, [blackout]).ok


def test_all_caravans_blackout_spans_inclusive_days():
    blackout = Blackout(date(2026, 4, 4), date(2026, 4, 6), reason="清明")
    assert not find_conflicts(visit(1, at(6, 15), at(6, 17)), [], RULES, [blackout]).ok
    # 7 April 08:00 start: travel+setup begin 06:15 on the 7th, after the blackout's last midnight
    assert find_conflicts(visit(1, at(7, 8), at(7, 10)), [], RULES, [blackout]).ok
    # 7 April 01:00 start: travel and setup begin on the 6th, inside the blackout
    assert not find_conflicts(visit(1, at(7, 1), at(7, 3)), [], RULES, [blackout]).ok
    assert find_conflicts(visit(1, at(3, 9), at(3, 11)), [], RULES, [blackout]).ok


def test_blackout_uses_local_midnight():
    blackout = Blackout(date(2026, 4, 10), date(2026, 4, 10))
    # 23:00 UTC on 10 April is 07:00 on the 11th in China; blocked from 05:15 local on the 11th
    utc_start = datetime(2026, 4, 10, 23, 0, tzinfo=UTC)
    booking = Booking(1, 1, utc_start, utc_start + timedelta(hours=2), True)
    assert find_conflicts(booking, [], RULES, [blackout]).ok


def test_free_caravans_skips_busy_and_blacked_out_ones():
    busy = visit(1, at(10, 9), at(10, 12), caravan=1)
    blackout = Blackout(date(2026, 4, 10), date(2026, 4, 10), caravan_id=3)
    request = visit(None, at(10, 10), at(10, 11), caravan=None, confirmed=False)
    assert free_caravans(request, [1, 2, 3], [busy], RULES, [blackout]) == [2]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"setup_buffer": timedelta(minutes=-1)},
        {"teardown_buffer": timedelta(minutes=-1)},
        {"travel_time": timedelta(minutes=-1)},
    ],
)
def test_negative_buffers_are_refused(kwargs):
    with pytest.raises(ValueError):
        SchedulingRules(**kwargs)


def test_invalid_bookings_are_refused():
    with pytest.raises(ValueError):
        visit(1, at(10, 9), at(10, 9))
    with pytest.raises(ValueError):
        Booking(1, 1, datetime(2026, 4, 10, 9), datetime(2026, 4, 10, 10))  # noqa: DTZ001 — naive is refused
    with pytest.raises(ValueError):
        Blackout(date(2026, 4, 10), date(2026, 4, 9))


minutes = st.integers(min_value=0, max_value=600)


@settings(max_examples=300, deadline=None)
@given(
    a_start=minutes,
    a_len=st.integers(1, 240),
    b_start=minutes,
    b_len=st.integers(1, 240),
    setup=st.integers(0, 60),
    teardown=st.integers(0, 60),
    travel=st.integers(0, 60),
)
def test_overlap_matches_minute_by_minute_occupation(a_start, a_len, b_start, b_len, setup, teardown, travel):
    """Two bookings of one caravan conflict exactly when some minute is claimed by both blocked intervals."""
    rules = SchedulingRules(timedelta(minutes=setup), timedelta(minutes=teardown), timedelta(minutes=travel), CST)
    base = at(10, 0)
    a = visit("a", base + timedelta(minutes=a_start), base + timedelta(minutes=a_start + a_len))
    b = visit("b", base + timedelta(minutes=b_start), base + timedelta(minutes=b_start + b_len))

    claimed_a = set(range(a_start - travel - setup, a_start + a_len + teardown))
    claimed_b = set(range(b_start - travel - setup, b_start + b_len + teardown))
    shared = claimed_a & claimed_b
    conflict = not find_conflicts(a, [b], rules).ok
    assert conflict == bool(shared)
    assert conflict == (not find_conflicts(b, [a], rules).ok)  # symmetric


@given(st.integers(0, 100), st.integers(1, 50), st.integers(0, 100), st.integers(1, 50))
def test_intervals_overlap_is_symmetric_and_half_open(s1, l1, s2, l2):
    base = at(10, 0)
    a = (base + timedelta(minutes=s1), base + timedelta(minutes=s1 + l1))
    b = (base + timedelta(minutes=s2), base + timedelta(minutes=s2 + l2))
    expected = bool(set(range(s1, s1 + l1)) & set(range(s2, s2 + l2)))
    assert intervals_overlap(a, b) == intervals_overlap(b, a) == expected
