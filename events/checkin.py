"""The check-in decision: from what is known about a scanned ticket to a reason code and an HTTP status.

Pure function, no database: the service loads (and locks) the registration and any earlier check-in, then
asks `decide_checkin` what to do. The order of the checks matters and is part of the rule:

1. `not_found`           no registration has this code (or the code is malformed)        -> 404
2. `wrong_event`         the ticket belongs to another event (or another session of it)   -> 409
3. `cancelled`           the registration was cancelled                                   -> 409
4. `waitlisted`          the registration is still on the waiting list                    -> 409
5. `already_checked_in`  there is a check-in already (reported with its first time/gate)  -> 200
6. `outside_window`      the scan time is outside the session's check-in window           -> 409
7. `checked_in`          a new check-in                                                   -> 201

`already_checked_in` comes before `outside_window` so a rescan after the doors closed still tells staff the
visitor was admitted (and when, and at which gate), which is what they need to know.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

CHECKED_IN = "checked_in"
ALREADY_CHECKED_IN = "already_checked_in"
NOT_FOUND = "not_found"
WRONG_EVENT = "wrong_event"
OUTSIDE_WINDOW = "outside_window"
CANCELLED = "cancelled"
WAITLISTED = "waitlisted"

REASONS = (CHECKED_IN, ALREADY_CHECKED_IN, NOT_FOUND, WRONG_EVENT, OUTSIDE_WINDOW, CANCELLED, WAITLISTED)

HTTP_STATUS = {
    CHECKED_IN: 201,
    ALREADY_CHECKED_IN: 200,
    NOT_FOUND: 404,
    WRONG_EVENT: 409,
    OUTSIDE_WINDOW: 409,
    CANCELLED: 409,
    WAITLISTED: 409,
}

# What the scanner page shows: green admits, amber is "already in" (look at the person), red refuses.
COLOUR = {CHECKED_IN: "green", ALREADY_CHECKED_IN: "amber"}

# Registration states as the decision sees them.
CONFIRMED = "confirmed"
STATE_WAITLISTED = "waitlisted"
STATE_CANCELLED = "cancelled"

# An offline device clock may run ahead; a scan claimed to be further in the future than this is not believed.
MAX_CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class TicketState:
    """The scanned registration: which event and session it is for, and its state."""

    event_id: int
    session_id: int
    status: str  # CONFIRMED, STATE_WAITLISTED or STATE_CANCELLED


@dataclass(frozen=True)
class Window:
    """When check-in is open for a session: [opens_at, closes_at], both aware datetimes, inclusive."""

    opens_at: datetime
    closes_at: datetime

    def __post_init__(self) -> None:
        if self.opens_at.tzinfo is None or self.closes_at.tzinfo is None:
            raise ValueError("window times must be timezone-aware")
        if self.closes_at < self.opens_at:
            raise ValueError("a check-in window must not close before it opens")

    def contains(self, moment: datetime) -> bool:
        return self.opens_at <= moment <= self.closes_at


@dataclass(frozen=True)
class PriorCheckIn:
    checked_in_at: datetime
    gate: str


@dataclass(frozen=True)
class Decision:
    reason: str
    prior: PriorCheckIn | None = None

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.reason]

    @property
    def admitted(self) -> bool:
        """True only for a new check-in (the one case that writes a check-in row)."""
        return self.reason == CHECKED_IN

    @property
    def colour(self) -> str:
        return COLOUR.get(self.reason, "red")


def checkin_window(
    start: datetime,
    end: datetime,
    opens_before: timedelta = timedelta(hours=1),
    closes_after: timedelta = timedelta(0),
) -> Window:
    """Check-in opens `opens_before` the session's start and closes `closes_after` its end."""
    return Window(start - opens_before, end + closes_after)


def effective_scan_time(scanned_at: datetime | None, server_now: datetime) -> datetime:
    """The time a scan counts at: the device's `scanned_at` (an offline scan uploaded later) unless it is
    missing, naive, or more than MAX_CLOCK_SKEW ahead of the server, in which case the server's time."""
    if scanned_at is None or scanned_at.tzinfo is None or scanned_at > server_now + MAX_CLOCK_SKEW:
        return server_now
    return scanned_at


def decide_checkin(
    ticket: TicketState | None,
    event_id: int,
    window: Window | None,
    scan_time: datetime,
    prior: PriorCheckIn | None,
    session_id: int | None = None,
) -> Decision:
    """The reason code for scanning `ticket` at `event_id` (optionally a given session) at `scan_time`.

    `ticket` is None when no registration carries the code; `window` is the ticket's session window;
    `prior` is the existing check-in of that registration, if any. See the module docstring for the order.
    """
    if ticket is None:
        return Decision(NOT_FOUND)
    if ticket.event_id != event_id or (session_id is not None and ticket.session_id != session_id):
        return Decision(WRONG_EVENT)
    if ticket.status == STATE_CANCELLED:
        return Decision(CANCELLED)
    if ticket.status == STATE_WAITLISTED:
        return Decision(WAITLISTED)
    if ticket.status != CONFIRMED:
        raise ValueError(f"unknown registration status {ticket.status!r}")
    if prior is not None:
        return Decision(ALREADY_CHECKED_IN, prior)
    if window is None or not window.contains(scan_time):
        return Decision(OUTSIDE_WINDOW)
    return Decision(CHECKED_IN)
