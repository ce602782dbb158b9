"""Venues, events and their sessions: create, edit, publish, reschedule (registrants are told of a move), list."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from accounts.models import Organisation, OrganisationKind
from core import audit
from core.errors import DomainError
from core.extensions import db
from core.locks import acquire_lock
from events import notifications as notices
from events.caravan.models import CaravanVisit
from events.models import (
    Audience,
    Event,
    EventKind,
    EventSession,
    EventStatus,
    PersonalData,
    Registration,
    RegistrationStatus,
    Venue,
    VenueKind,
    VisitStatus,
)
from events.services.capacity import promote_waitlist, session_counts
from events.services.common import _check_period, _personal_data, bump_sequence


def save_venue(venue: Venue | None, *, organisation_id: int, actor=None, **fields) -> Venue:
    """Create or update a venue; capacity and travel minutes can't be negative."""
    if (fields.get("capacity") or 0) < 0:
        raise DomainError(_l("Capacity can't be negative."), field="capacity")
    if fields.get("travel_minutes") is not None and fields["travel_minutes"] < 0:
        raise DomainError(_l("Travel time can't be negative."), field="travel_minutes")
    if fields.get("kind") and fields["kind"] not in set(VenueKind):
        raise DomainError(_l("Unknown kind of venue."), field="kind")
    if not (fields.get("name") or (venue and venue.name) or "").strip():
        raise DomainError(_l("Give the venue a name."), field="name")
    created = venue is None
    if venue is None:
        venue = Venue(organisation_id=organisation_id)
        db.session.add(venue)
    shown_before = (venue.name, venue.address)
    for key, value in fields.items():
        setattr(venue, key, value.strip() if isinstance(value, str) else value)
    if not created and (venue.name, venue.address) != shown_before:
        # calendar items show the venue as their LOCATION: clients must see the change
        db.session.execute(sa.update(Event).where(Event.venue_id == venue.id).values(sequence=Event.sequence + 1))
    db.session.flush()
    audit.record("create" if created else "update", venue, after={"name": venue.name}, actor=actor)
    return venue


@dataclass(frozen=True)
class SessionSpec:
    starts_at: datetime
    ends_at: datetime
    capacity: int
    title: str = ""


def create_event(
    *,
    organisation_id: int,
    kind: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    sessions: Sequence[SessionSpec] = (),
    capacity: int | None = None,
    venue_id: int | None = None,
    description: str = "",
    audience: str = Audience.PUBLIC,
    status: str = EventStatus.DRAFT,
    registration_opens_at: datetime | None = None,
    registration_closes_at: datetime | None = None,
    waitlist_enabled: bool = True,
    exit_scan: bool = False,
    personal_data: str = PersonalData.NONE,
    actor=None,
) -> Event:
    """A new event with its sessions; without explicit sessions, one session spanning the event with `capacity`."""
    if kind not in set(EventKind):
        raise DomainError(_l("Unknown kind of event."), field="kind")
    if audience not in set(Audience):
        raise DomainError(_l("Unknown audience."), field="audience")
    if not (title or "").strip():
        raise DomainError(_l("Give the event a title."), field="title")
    _check_period(starts_at, ends_at)
    if registration_opens_at and registration_closes_at and registration_closes_at <= registration_opens_at:
        raise DomainError(_l("Registration must close after it opens."), field="registration_closes_at")
    if not sessions:
        if capacity is None or capacity < 0:
            raise DomainError(_l("Give a capacity (0 or more)."), field="capacity")
        sessions = [SessionSpec(starts_at, ends_at, capacity)]
    event = Event(
        organisation_id=organisation_id,
        kind=kind,
        title=title.strip(),
        description=description or "",
        starts_at=starts_at,
        ends_at=ends_at,
        venue_id=venue_id,
        audience=audience,
        status=status,
        registration_opens_at=registration_opens_at,
        registration_closes_at=registration_closes_at,
        waitlist_enabled=waitlist_enabled,
        exit_scan=bool(exit_scan),
        personal_data=_personal_data(personal_data),
    )
    db.session.add(event)
    for spec in sessions:
        _validate_session(spec.starts_at, spec.ends_at, spec.capacity)
        event.sessions.append(
            EventSession(title=spec.title or "", starts_at=spec.starts_at, ends_at=spec.ends_at, capacity=spec.capacity)
        )
    db.session.flush()
    audit.record("create", event, after={"title": event.title, "kind": kind, "sessions": len(sessions)}, actor=actor)
    return event


def _validate_session(starts_at, ends_at, capacity) -> None:
    _check_period(starts_at, ends_at)
    if capacity is None or capacity < 0:
        raise DomainError(_l("Give a capacity (0 or more)."), field="capacity")


EDITABLE_EVENT_FIELDS = (
    "kind",
    "title",
    "description",
    "audience",
    "venue_id",
    "starts_at",
    "ends_at",
    "registration_opens_at",
    "registration_closes_at",
    "waitlist_enabled",
    "exit_scan",
    "personal_data",
)


NOTICE_FIELDS = ("venue_id", "starts_at", "ends_at")  # a change registrants are told of


def update_event(event: Event, actor=None, **fields) -> Event:
    """Change an event's details; the iCalendar SEQUENCE goes up when anything changed.

    An event with a single session spanning it (what creating an event without sessions makes) moves that
    session along when its times change: tickets, feeds and the check-in window follow the session's times.
    """
    before = audit.snapshot(event, [f for f in EDITABLE_EVENT_FIELDS if f in fields])
    old_period = (event.starts_at, event.ends_at)
    for key, value in fields.items():
        if key not in EDITABLE_EVENT_FIELDS:
            raise ValueError(f"not an editable field: {key}")
        setattr(event, key, value)
    _check_period(event.starts_at, event.ends_at)
    event.personal_data = _personal_data(event.personal_data)
    if not (event.title or "").strip():
        raise DomainError(_l("Give the event a title."), field="title")
    opens, closes = event.registration_opens_at, event.registration_closes_at
    if opens and closes and closes <= opens:
        raise DomainError(_l("Registration must close after it opens."), field="registration_closes_at")
    new_period = (event.starts_at, event.ends_at)
    if new_period != old_period:
        if visit_of_event(event) is not None:
            raise DomainError(
                _l("This event is a caravan visit: its times follow the visit; move the visit on its page."),
                field="starts_at",
                code="locked",
                status=409,
            )
        move_sessions(event, old_period, new_period, follow_all=False)
    after = audit.snapshot(event, list(before))
    if before != after:
        bump_sequence(event)
        db.session.flush()
        audit.record("update", event, before=before, after=after, actor=actor)
        if event.status == EventStatus.PUBLISHED and any(before.get(f) != after.get(f) for f in NOTICE_FIELDS):
            notices.tell_event_changed(event)
    return event


def visit_of_event(event: Event) -> CaravanVisit | None:
    """The scheduled caravan visit an event belongs to (its times are the visit's), if any."""
    if event.id is None or event.kind not in (EventKind.CARAVAN_SCHOOL, EventKind.CARAVAN_COMMUNITY):
        return None
    return (
        db.session.execute(
            sa.select(CaravanVisit).where(
                CaravanVisit.event_id == event.id, CaravanVisit.status == VisitStatus.CONFIRMED
            )
        )
        .scalars()
        .first()
    )


def move_sessions(event: Event, old_period: tuple, new_period: tuple, *, follow_all: bool) -> None:
    """A session spanning the old period takes the new one; with `follow_all`, the others shift with the start."""
    shift = new_period[0] - old_period[0]
    for session in event.sessions:
        if (session.starts_at, session.ends_at) == old_period:
            session.starts_at, session.ends_at = new_period  # its feed item's SEQUENCE goes up with the event's
        elif follow_all:
            session.starts_at, session.ends_at = session.starts_at + shift, session.ends_at + shift
            bump_sequence(session)


def set_event_status(event: Event, status: str, actor=None) -> Event:
    """Publish, cancel or return to draft; cancelling keeps registrations (their ticket pages say so)."""
    if status not in set(EventStatus):
        raise DomainError(_l("Unknown status."), field="status")
    if event.status != status:
        before = event.status
        event.status = status
        bump_sequence(event)
        db.session.flush()
        audit.record("set_status", event, before={"status": before}, after={"status": status}, actor=actor)
        if status == EventStatus.CANCELLED:
            notices.tell_event_changed(event, cancelled=True)
    return event


def _check_inside_visit(event: Event, starts_at, ends_at) -> None:
    visit = visit_of_event(event)
    if visit is not None and (starts_at < visit.starts_at or ends_at > visit.ends_at):
        raise DomainError(
            _l("This event is a caravan visit: its sessions stay within the visit's time; move the visit on its page."),
            field="starts_at",
            code="locked",
            status=409,
        )


def add_session(event: Event, *, starts_at, ends_at, capacity: int, title: str = "", actor=None) -> EventSession:
    _validate_session(starts_at, ends_at, capacity)
    _check_inside_visit(event, starts_at, ends_at)
    session = EventSession(event=event, title=title or "", starts_at=starts_at, ends_at=ends_at, capacity=capacity)
    db.session.add(session)
    bump_sequence(event)
    db.session.flush()
    audit.record("add_session", event, after={"session_id": session.id, "capacity": capacity}, actor=actor)
    return session


@dataclass(frozen=True)
class Overbooking:
    """A session whose capacity was changed to less than the people already confirmed in it."""

    session: EventSession
    capacity: int
    confirmed: int  # confirmed people (group head-counts included), all of whom keep their seats


def update_session(
    session: EventSession,
    *,
    starts_at,
    ends_at,
    capacity: int,
    title: str = "",
    actor=None,
    now: datetime | None = None,
) -> Overbooking | None:
    """Change a session; raising its capacity promotes people from the waiting list at once.

    Lowering the capacity below the people already confirmed is allowed (the room may really be smaller) and
    un-confirms nobody: new registrations wait (or are refused without a waiting list) until seats free up.
    Returns that over-booking when the capacity changed and is now below the confirmed people, else None.
    """
    _validate_session(starts_at, ends_at, capacity)
    if (starts_at, ends_at) != (session.starts_at, session.ends_at):
        _check_inside_visit(session.event, starts_at, ends_at)
    acquire_lock(f"events.session:{session.id}")
    before = audit.snapshot(session, ["title", "starts_at", "ends_at", "capacity"])
    session.title, session.starts_at, session.ends_at, session.capacity = title or "", starts_at, ends_at, capacity
    bump_sequence(session)
    bump_sequence(session.event)
    db.session.flush()
    promote_waitlist(session, now=now)
    audit.record(
        "update_session", session.event, before=before, after=audit.snapshot(session, list(before)), actor=actor
    )
    if capacity == before["capacity"]:
        return None
    confirmed = session_counts([session.id])[session.id].registered
    return Overbooking(session, capacity, confirmed) if confirmed > capacity else None


def list_events(
    *,
    organisation_ids: Iterable[int] | None = None,
    published_only: bool = False,
    upcoming_from: datetime | None = None,
    year: int | None = None,
) -> list[tuple[Event, int]]:
    """Events (with venue and sessions loaded) and their confirmed seats, ordered by start."""
    query = (
        sa.select(Event)
        .options(selectinload(Event.sessions), selectinload(Event.venue))
        .order_by(Event.starts_at, Event.id)
    )
    if organisation_ids is not None:
        query = query.where(Event.organisation_id.in_(list(organisation_ids)))
    if published_only:
        query = query.where(Event.status == EventStatus.PUBLISHED)
    if upcoming_from is not None:
        query = query.where(Event.ends_at >= upcoming_from)
    if year is not None:
        query = query.where(
            Event.starts_at >= datetime(year, 1, 1, tzinfo=UTC) - timedelta(hours=8),
            Event.starts_at < datetime(year + 1, 1, 1, tzinfo=UTC) - timedelta(hours=8),
        )
    events = db.session.execute(query).scalars().all()
    registered = (
        dict(
            db.session.execute(
                sa.select(Registration.event_id, sa.func.coalesce(sa.func.sum(Registration.head_count), 0))
                .where(
                    Registration.event_id.in_([e.id for e in events]),
                    Registration.status == RegistrationStatus.CONFIRMED,
                )
                .group_by(Registration.event_id)
            ).all()
        )
        if events
        else {}
    )
    return [(event, int(registered.get(event.id, 0))) for event in events]


def associations(organisation_ids: Iterable[int] | None) -> list[Organisation]:
    """Science associations (the units that organise events) by name: all (None) or those among the ids."""
    query = sa.select(Organisation).where(Organisation.kind == OrganisationKind.ASSOCIATION).order_by(Organisation.name)
    if organisation_ids is not None:
        query = query.where(Organisation.id.in_(list(organisation_ids)))
    return db.session.execute(query).scalars().all()


def venues_of(organisation_ids: Iterable[int] | None) -> list[Venue]:
    """Venues by name: all (None) or those of the organisations."""
    query = sa.select(Venue).order_by(Venue.name)
    if organisation_ids is not None:
        query = query.where(Venue.organisation_id.in_(list(organisation_ids)))
    return db.session.execute(query).scalars().all()
