"""Seats, the waiting list and phone numbers: the rules of registration as pure functions.

A registration takes `seats` places in a session (1 for a person, the head-count for a school group).
The service locks the session row, counts the confirmed seats, and asks `place_registration` whether a new
registration is confirmed, waitlisted or refused; on a cancellation it asks `plan_promotions` whom to move
up. Promotion is first come, first served, except that a group too large for the seats just freed does not
hold up smaller registrations behind it (it stays first in line for the next seats).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Iterable

CONFIRMED = "confirmed"
WAITLISTED = "waitlisted"
FULL = "full"

_PHONE_NOISE = re.compile(r"[\s\-()+]")
_MAINLAND_MOBILE = re.compile(r"1[3-9]\d{9}")


class InvalidPhone(ValueError):
    pass


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


def normalise_phone(raw: str) -> str:
    """A mainland mobile number as 11 digits: full-width digits, spaces, dashes, brackets and +86/0086 removed.

    Used both to store the number and to detect the same phone registering twice for one session.
    """
    text = _PHONE_NOISE.sub("", unicodedata.normalize("NFKC", raw or ""))
    for prefix in ("0086", "86"):
        if len(text) == 11 + len(prefix) and text.startswith(prefix):
            text = text[len(prefix):]
    if not _MAINLAND_MOBILE.fullmatch(text):
        raise InvalidPhone(raw)
    return text


def mask_phone(phone: str) -> str:
    """138****5678: what lists, scanner results and exports show of a phone number."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_name(name: str) -> str:
    """张*明 / 李*: a visitor's name as shown on public or shared screens (first and last character kept)."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
