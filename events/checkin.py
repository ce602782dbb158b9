"""The check-in decision: from what is known about a scanned ticket to a reason code and an HTTP status.

Pure function, no database: the service loads (and locks) the registration and any earlier check-in, then
asks `decide_checkin` what to do. This is the one copy of the rule; the scanner page mirrors it only to decide
offline (static/js/events-checkin-rule.js), and both are run against one table of cases
(tests/events/checkin_cases.json). The order of the checks matters and is part of the rule:

1. `not_found`           no registration has this code (or the code is malformed)        -> 404
2. `wrong_event`         the ticket belongs to another event (or another session of it)   -> 409
3. `cancelled`           the registration was cancelled                                   -> 409
4. `waitlisted`          the registration is still on the waiting list                    -> 409
5. `already_checked_in`  everyone on the ticket is in (reported with the first time/gate) -> 200
6. `cancelled`           the event itself was called off                                  -> 409
7. `outside_window`      the scan time is outside the session's check-in window           -> 409
8. `over_count`          more people than the ticket has left, not confirmed by staff     -> 409
9. `checked_in`          a new check-in, or the next part of a group                      -> 201

`already_checked_in` comes before `outside_window` so a rescan after the doors closed still tells staff the
visitor was admitted (and when, and at which gate), which is what they need to know; for the same reason a
cancelled event still answers `already_checked_in` for a visitor admitted before it was called off. A group may arrive in
parts: each scan admits the people arriving (default: all who are left) while some are left. A count above
what is left needs the staff's explicit confirmation (`confirm_over`) and is then recorded as an over-count.

Check-out (`decide_checkout`, for events that ask for an exit scan) has its own short order: not_found,
wrong_event, cancelled, waitlisted, not_checked_in, already_checked_out, checked_out.
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
OVER_COUNT = "over_count"
CHECKED_OUT = "checked_out"
ALREADY_CHECKED_OUT = "already_checked_out"
NOT_CHECKED_IN = "not_checked_in"

REASONS = (
    CHECKED_IN,
    ALREADY_CHECKED_IN,
    NOT_FOUND,
    WRONG_EVENT,
    OUTSIDE_WINDOW,
    CANCELLED,
    WAITLISTED,
    OVER_COUNT,
    CHECKED_OUT,
    ALREADY_CHECKED_OUT,
    NOT_CHECKED_IN,
)

HTTP_STATUS = {
    CHECKED_IN: 201,
    ALREADY_CHECKED_IN: 200,
    NOT_FOUND: 404,
    WRONG_EVENT: 409,
    OUTSIDE_WINDOW: 409,
    CANCELLED: 409,
    WAITLISTED: 409,
    OVER_COUNT: 409,
    CHECKED_OUT: 201,
    ALREADY_CHECKED_OUT: 200,
    NOT_CHECKED_IN: 409,
}

# What the scanner page shows: green admits, amber is "already in" (look at the person), red refuses.
# An over-count is amber too: staff look at the group and confirm or correct the number.
COLOUR = {
    CHECKED_IN: "green",
    ALREADY_CHECKED_IN: "amber",
    OVER_COUNT: "amber",
    CHECKED_OUT: "green",
    ALREADY_CHECKED_OUT: "amber",
}

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
    head_count: int = 1  # people on the ticket (a group's size)


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
    """The ticket's check-in so far: when and where it started, and how many people are in."""

    checked_in_at: datetime
    gate: str
    head_count: int = 1


@dataclass(frozen=True)
class Decision:
    reason: str
    prior: PriorCheckIn | None = None
    people: int = 0  # admitted by this scan (checked_in only)
    over_count: bool = False  # a confirmed count above what the ticket had left

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.reason]

    @property
    def admitted(self) -> bool:
        """True only for a new check-in or part (the one case that writes to the check-in row)."""
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
    arriving: int | None = None,
    confirm_over: bool = False,
    event_cancelled: bool = False,
) -> Decision:
    """The reason code for scanning `ticket` at `event_id` (optionally a given session) at `scan_time`.

    `ticket` is None when no registration carries the code; `window` is the ticket's session window;
    `prior` is the ticket's check-in so far, if any; `arriving` the people arriving now (None: all who are
    left); `confirm_over` the staff's confirmation of a count above what is left; `event_cancelled` whether
    the event itself was called off. See the module docstring.
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
    if arriving is not None and arriving < 1:
        raise ValueError("at least one person arrives with a scan")
    left = ticket.head_count - (prior.head_count if prior is not None else 0)
    if prior is not None and left <= 0 and arriving is None:
        return Decision(ALREADY_CHECKED_IN, prior)
    if event_cancelled:
        return Decision(CANCELLED)
    if window is None or not window.contains(scan_time):
        return Decision(OUTSIDE_WINDOW)
    people = max(left, 0) if arriving is None else arriving
    if people > left:
        if not confirm_over:
            return Decision(OVER_COUNT, prior)
        return Decision(CHECKED_IN, prior, people=people, over_count=True)
    return Decision(CHECKED_IN, prior, people=people)


def decide_checkout(
    ticket: TicketState | None, event_id: int, prior: PriorCheckIn | None, checked_out_at: datetime | None
) -> Decision:
    """The reason code for an exit scan of `ticket` at `event_id`: only a ticket that came in can go out, once."""
    if ticket is None:
        return Decision(NOT_FOUND)
    if ticket.event_id != event_id:
        return Decision(WRONG_EVENT)
    if ticket.status == STATE_CANCELLED:
        return Decision(CANCELLED)
    if ticket.status == STATE_WAITLISTED:
        return Decision(WAITLISTED)
    if prior is None:
        return Decision(NOT_CHECKED_IN)
    if checked_out_at is not None:
        return Decision(ALREADY_CHECKED_OUT, prior)
    return Decision(CHECKED_OUT, prior)
