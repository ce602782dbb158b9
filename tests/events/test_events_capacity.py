"""Seats and waiting-list promotion order (phones and masks: tests/core/test_privacy.py)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from events.capacity import (
    CONFIRMED,
    FULL,
    WAITLISTED,
    place_registration,
    plan_promotions,
    seats_free,
)

pytestmark = pytest.mark.no_app  # pure logic: no app context or database


@pytest.mark.parametrize(
    "capacity, taken, seats, waitlist, expected",
    [
        (100, 0, 1, True, CONFIRMED),
        (100, 99, 1, True, CONFIRMED),  # the last seat
        (100, 100, 1, True, WAITLISTED),
        (100, 100, 1, False, FULL),
        (100, 70, 30, False, CONFIRMED),  # a group of 30 filling the session exactly
        (100, 71, 30, True, WAITLISTED),
        (100, 71, 30, False, FULL),
        (50, 60, 1, True, WAITLISTED),  # capacity lowered below what is taken
    ],
)
def test_place_registration(capacity, taken, seats, waitlist, expected):
    assert place_registration(capacity, taken, seats, waitlist) == expected


def test_registration_needs_a_seat():
    with pytest.raises(ValueError):
        place_registration(10, 0, 0, True)


def test_seats_free_never_negative():
    assert seats_free(10, 3) == 7
    assert seats_free(10, 12) == 0


def test_promotions_in_order():
    assert plan_promotions(2, [("a", 1), ("b", 1), ("c", 1)]) == ["a", "b"]


def test_large_group_does_not_block_individuals_behind_it():
    assert plan_promotions(3, [("group", 25), ("x", 1), ("y", 2), ("z", 1)]) == ["x", "y"]


def test_group_promoted_when_it_fits():
    assert plan_promotions(25, [("group", 25), ("x", 1)]) == ["group"]


def test_nothing_free_promotes_nobody():
    assert plan_promotions(0, [("a", 1)]) == []
    assert plan_promotions(5, []) == []


@given(st.integers(0, 60), st.lists(st.integers(1, 30), max_size=15))
def test_promotions_never_exceed_free_seats_and_keep_order(free, sizes):
    waiting = list(enumerate(sizes))
    promoted = plan_promotions(free, waiting)
    assert sum(sizes[k] for k in promoted) <= free
    assert promoted == sorted(promoted)
    # nobody passed over would have fitted into what is left
    left = free - sum(sizes[k] for k in promoted)
    assert all(sizes[k] > left for k in range(len(sizes)) if k not in promoted)
