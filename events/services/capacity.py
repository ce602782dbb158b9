"""Seat use: registered/checked-in counts per session, an event's counters, and the waiting list (promotion in
arrival order when seats free up, a waiting registration's place). The seat arithmetic itself is the pure
events.capacity."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from core import audit
from core.extensions import db
from events import capacity as seats
from events import notifications as notices
from events.models import CheckIn, Event, EventSession, Registration, RegistrationStatus
from events.services.common import _now


@dataclass
class SessionCounts:
    registered: int = 0  # confirmed seats (people, counting group head-counts)
    waitlisted: int = 0
    checked_in: int = 0  # people checked in (group check-ins count their head-count)
    registrations: int = 0  # confirmed registrations (tickets)


def session_counts(session_ids: Iterable[int]) -> dict[int, SessionCounts]:
    """Seat and check-in counts per session, in two grouped queries (no per-session query)."""
    ids = list(session_ids)
    counts = {sid: SessionCounts() for sid in ids}
    if not ids:
        return counts
    rows = db.session.execute(
        sa.select(
            Registration.session_id,
            Registration.status,
            sa.func.coalesce(sa.func.sum(Registration.head_count), 0),
            sa.func.count(Registration.id),
        )
        .where(Registration.session_id.in_(ids), Registration.status != RegistrationStatus.CANCELLED)
        .group_by(Registration.session_id, Registration.status)
    ).all()
    for sid, status, people, number in rows:
        if status == RegistrationStatus.CONFIRMED:
            counts[sid].registered = int(people)
            counts[sid].registrations = int(number)
        else:
            counts[sid].waitlisted = int(people)
    for sid, people in db.session.execute(
        sa.select(CheckIn.session_id, sa.func.coalesce(sa.func.sum(CheckIn.head_count), 0))
        .where(CheckIn.session_id.in_(ids))
        .group_by(CheckIn.session_id)
    ).all():
        counts[sid].checked_in = int(people)
    return counts


def event_counters(event: Event) -> dict:
    """Live counters for the scanner page: people checked in / registered (confirmed seats) / capacity."""
    counts = session_counts([s.id for s in event.sessions])
    return {
        "checked_in": sum(c.checked_in for c in counts.values()),
        "registered": sum(c.registered for c in counts.values()),
        "waitlisted": sum(c.waitlisted for c in counts.values()),
        "capacity": sum(s.capacity for s in event.sessions),
        "sessions": [
            {
                "id": s.id,
                "title": s.title,
                "checked_in": counts[s.id].checked_in,
                "registered": counts[s.id].registered,
                "capacity": s.capacity,
            }
            for s in event.sessions
        ],
    }


def promote_waitlist(session: EventSession, *, now: datetime | None = None) -> list[Registration]:
    """Confirm waiting registrations, oldest first, while seats are free (caller holds the session lock)."""
    now = _now(now)
    free = seats.seats_free(session.capacity, session_counts([session.id])[session.id].registered)
    if free <= 0:
        return []
    waiting = (
        db.session.execute(
            sa.select(Registration)
            .where(Registration.session_id == session.id, Registration.status == RegistrationStatus.WAITLISTED)
            .order_by(Registration.created_at, Registration.id)
        )
        .scalars()
        .all()
    )
    chosen = set(seats.plan_promotions(free, [(r.id, r.head_count) for r in waiting]))
    promoted = [r for r in waiting if r.id in chosen]
    for registration in promoted:
        registration.status = RegistrationStatus.CONFIRMED
        registration.promoted_at = now
    db.session.flush()
    for registration in promoted:
        audit.record("promote", registration, before={"status": "waitlisted"}, after={"status": "confirmed"})
    notices.tell_promoted(promoted)
    return promoted


def waitlist_position(registration: Registration) -> int | None:
    """A waiting registration's place in its session's queue (1 = next), in the order promote_waitlist uses;
    None when it is not waiting."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.execute(
        sa.select(sa.func.count(Registration.id)).where(
            Registration.session_id == registration.session_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            sa.or_(
                Registration.created_at < registration.created_at,
                sa.and_(Registration.created_at == registration.created_at, Registration.id < registration.id),
            ),
        )
    ).scalar_one()
    return ahead + 1
