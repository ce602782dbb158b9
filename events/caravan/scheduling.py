"""Caravan scheduling: which bookings of a caravan or its staff collide, as plain values.

A visit occupies its resources (the caravan and every staff member on it) for longer than the visit itself:
the vehicle has to travel there and be set up before the start, and be packed up after the end. The
*blocked interval* of a booking is therefore

    [start - travel_time - setup_buffer, end + teardown_buffer)

half-open, so a booking whose blocked interval begins exactly where another one ends is allowed
("adjacent intervals"). Travel time belongs to the booking being travelled *to* (a venue far from the base
can override the default). The same interval is stored on confirmed bookings so that the database
(a PostgreSQL exclusion constraint, or a locked check on SQLite) enforces exactly what this module computes.

Only confirmed bookings block (hard conflicts); pending ones are reported as soft conflicts so an organiser
sees them before approving. Blackout days (holidays, vehicle maintenance) block the whole local day, for
one caravan or for all of them.

Everything here is pure: dataclasses in, dataclasses out, no database, no Flask.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from core.intervals import intervals_overlap

CARAVAN = "caravan"
STAFF = "staff"

OVERLAP = "overlap"
BLACKOUT = "blackout"

DEFAULT_TIMEZONE = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class SchedulingRules:
    """Configurable buffers around every visit (an organisation may change them)."""

    setup_buffer: timedelta = timedelta(minutes=60)
    teardown_buffer: timedelta = timedelta(minutes=30)
    travel_time: timedelta = timedelta(minutes=60)
    timezone: tzinfo = DEFAULT_TIMEZONE  # blackout days are local calendar days

    def __post_init__(self) -> None:
        for name in ("setup_buffer", "teardown_buffer", "travel_time"):
            if getattr(self, name) < timedelta(0):
                raise ValueError(f"{name} must not be negative")


@dataclass(frozen=True)
class Booking:
    """A caravan visit (requested or scheduled) seen as a claim on resources over time.

    `key` identifies the visit (its id, or None for a candidate not saved yet); `travel_time` overrides the
    rules' default for this destination.
    """

    key: Hashable
    caravan_id: int | None
    start: datetime
    end: datetime
    confirmed: bool = False
    staff_ids: frozenset[int] = field(default_factory=frozenset)
    travel_time: timedelta | None = None

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("booking times must be timezone-aware")
        if self.end <= self.start:
            raise ValueError("a booking must end after it starts")
        if self.travel_time is not None and self.travel_time < timedelta(0):
            raise ValueError("travel_time must not be negative")
        object.__setattr__(self, "staff_ids", frozenset(self.staff_ids))

    def resources(self) -> frozenset[tuple[str, int]]:
        """The (kind, id) pairs this booking occupies: its caravan and each staff member."""
        keys = {(STAFF, staff_id) for staff_id in self.staff_ids}
        if self.caravan_id is not None:
            keys.add((CARAVAN, self.caravan_id))
        return frozenset(keys)


@dataclass(frozen=True)
class Blackout:
    """Local calendar days [first_day, last_day] (inclusive) on which a caravan, or all (caravan_id None), can't go out."""

    first_day: date
    last_day: date
    caravan_id: int | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise ValueError("a blackout must not end before it starts")

    def interval(self, tz: tzinfo) -> tuple[datetime, datetime]:
        """The blackout as a half-open interval of aware datetimes, midnight to midnight local time."""
        start = datetime.combine(self.first_day, time.min, tzinfo=tz)
        end = datetime.combine(self.last_day + timedelta(days=1), time.min, tzinfo=tz)
        return start, end

    def applies_to(self, caravan_id: int | None) -> bool:
        return self.caravan_id is None or self.caravan_id == caravan_id


@dataclass(frozen=True)
class Conflict:
    """One reason a booking can't (hard) or maybe shouldn't (soft) be scheduled."""

    kind: str  # OVERLAP or BLACKOUT
    hard: bool
    resource: tuple[str, int] | None  # (CARAVAN|STAFF, id); None for an all-caravans blackout
    other_key: Hashable = None  # the colliding booking's key (OVERLAP)
    other_interval: tuple[datetime, datetime] | None = None
    reason: str = ""  # the blackout's reason (BLACKOUT)


@dataclass(frozen=True)
class ConflictReport:
    hard: tuple[Conflict, ...] = ()
    soft: tuple[Conflict, ...] = ()
    needs: tuple[datetime, datetime] | None = None  # the candidate's own blocked interval

    @property
    def ok(self) -> bool:
        """True when nothing blocks the booking (soft conflicts are warnings only)."""
        return not self.hard


def blocked_interval(booking: Booking, rules: SchedulingRules) -> tuple[datetime, datetime]:
    """[start - travel - setup, end + teardown): the time the booking keeps its caravan and staff busy."""
    travel = rules.travel_time if booking.travel_time is None else booking.travel_time
    return booking.start - travel - rules.setup_buffer, booking.end + rules.teardown_buffer


def find_conflicts(
    candidate: Booking,
    existing: Iterable[Booking],
    rules: SchedulingRules,
    blackouts: Iterable[Blackout] = (),
) -> ConflictReport:
    """Every collision of `candidate` with other bookings sharing a caravan or staff member, and with blackouts.

    Collisions with confirmed bookings and blackout days are hard; collisions with pending bookings are
    soft. The candidate's own key (when it is already saved) is skipped, so re-checking a visit on approval
    doesn't collide with itself. Results are ordered by the other booking's start, then by resource.
    """
    mine = blocked_interval(candidate, rules)
    my_resources = candidate.resources()
    hard: list[Conflict] = []
    soft: list[Conflict] = []
    others = sorted(
        (b for b in existing if candidate.key is None or b.key != candidate.key),
        key=lambda b: (b.start, str(b.key)),
    )
    for other in others:
        theirs = blocked_interval(other, rules)
        if not intervals_overlap(mine, theirs):
            continue
        for resource in sorted(my_resources & other.resources()):
            conflict = Conflict(OVERLAP, other.confirmed, resource, other.key, theirs)
            (hard if other.confirmed else soft).append(conflict)
    for blackout in blackouts:
        if not blackout.applies_to(candidate.caravan_id):
            continue
        if intervals_overlap(mine, blackout.interval(rules.timezone)):
            resource = None if blackout.caravan_id is None else (CARAVAN, blackout.caravan_id)
            hard.append(Conflict(BLACKOUT, True, resource, reason=blackout.reason))
    return ConflictReport(tuple(hard), tuple(soft), mine)


def free_caravans(
    candidate: Booking,
    caravan_ids: Iterable[int],
    existing: Iterable[Booking],
    rules: SchedulingRules,
    blackouts: Iterable[Blackout] = (),
) -> list[int]:
    """The caravans (in the given order) that could take `candidate` without a hard conflict.

    Used for a public visit request, which names a date but not a caravan: the request is refused only
    when no caravan is free. The candidate's staff list is kept as given (usually empty at request time).
    """
    existing = list(existing)
    blackouts = list(blackouts)
    free = []
    for caravan_id in caravan_ids:
        trial = Booking(
            candidate.key,
            caravan_id,
            candidate.start,
            candidate.end,
            candidate.confirmed,
            candidate.staff_ids,
            candidate.travel_time,
        )
        if find_conflicts(trial, existing, rules, blackouts).ok:
            free.append(caravan_id)
    return free
