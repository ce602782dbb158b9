"""Seats and the waiting list: the rules of registration as pure functions.

A registration takes `seats` places in a session (1 for a person, the head-count for a school group).
The service locks the session row, counts the confirmed seats, and asks `place_registration` whether a new
registration is confirmed, waitlisted or refused; on a cancellation it asks `plan_promotions` whom to move
up. Promotion is first come, first served, except that a group too large for the seats just freed does not
hold up smaller registrations behind it (it stays first in line for the next seats).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

CONFIRMED = "confirmed"
WAITLISTED = "waitlisted"
FULL = "full"


def seats_free(capacity: int, taken: int) -> int:
    """Seats still free in a session (never negative, even if capacity was lowered below what's taken)."""
    return max(0, capacity - taken)


def place_registration(capacity: int, taken: int, seats: int, waitlist_open: bool) -> str:
    """CONFIRMED when the seats fit, else WAITLISTED when the waiting list is open, else FULL."""
    if seats < 1:
        raise ValueError("a registration takes at least one seat")
    if seats <= seats_free(capacity, taken):
        return CONFIRMED
    return WAITLISTED if waitlist_open else FULL


def plan_promotions(free: int, waiting: Iterable[tuple[Hashable, int]]) -> list[Hashable]:
    """Keys of waiting registrations (given oldest first, as (key, seats)) to confirm with `free` seats.

    Each one that fits is promoted in order; one that doesn't fit is passed over for now.
    """
    promoted = []
    for key, seats in waiting:
        if free <= 0:
            break
        if seats <= free:
            promoted.append(key)
            free -= seats
    return promoted
