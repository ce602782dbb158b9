"""Every state change and non-trivial query of the events area. Functions flush, never commit.

Concurrency rules (the known weaknesses this area must avoid):
- capacity: a registration takes the session's named lock (core.locks) before counting seats;
- check-in: a scan takes the ticket's named lock before looking for an earlier check-in (a row lock taken
  by the same SELECT would not do: under READ COMMITTED the joined check-in would be read from the snapshot
  taken before the wait), and the unique constraint on event_checkins.registration_id is the last word;
- caravan bookings: an approval takes the organisation's schedule lock before checking conflicts, and on
  PostgreSQL an exclusion constraint on event_caravan_bookings refuses overlaps whatever happens.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from core import audit
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from core.locks import acquire_lock
from core.phones import InvalidPhone, parse_mobile
from core.privacy import mask_minor_name, mask_phone
from events import capacity as seats
from events import checkin as decision_rules
from events import notifications as notices
from events import scheduling, tickets
from events.models import (
    PENDING_VISIT_STATUSES,
    Audience,
    Blackout,
    Caravan,
    CaravanBooking,
    CaravanStaff,
    CaravanVisit,
    CheckIn,
    Event,
    EventKind,
    EventSession,
    EventStatus,
    PersonalData,
    Registration,
    RegistrationKind,
    RegistrationSource,
    RegistrationStatus,
    ScanLog,
    StaffLink,
    Venue,
    VenueKind,
    VisitStatus,
)

MAX_HEAD_COUNT = 500


# --- helpers ---------------------------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return now if now is not None else utcnow()


def bump_sequence(obj) -> None:
    """iCalendar SEQUENCE goes up on every change a calendar client should notice."""
    obj.sequence = (obj.sequence or 0) + 1


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_period(start: datetime | None, end: datetime | None, field: str = "starts_at") -> None:
    if start is None or end is None:
        raise DomainError(_l("Give a start and an end time."), field=field)
    if end <= start:
        raise DomainError(_l("The end must be after the start."), field=field.replace("start", "end"))


# --- venues ----------------------------------------------------------------------------------------------


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
        db.session.execute(sa.update(Event).where(Event.venue_id == venue.id)
                           .values(sequence=Event.sequence + 1))
    db.session.flush()
    audit.record("create" if created else "update", venue, after={"name": venue.name}, actor=actor)
    return venue


# --- events and sessions ---------------------------------------------------------------------------------


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
        organisation_id=organisation_id, kind=kind, title=title.strip(), description=description or "",
        starts_at=starts_at, ends_at=ends_at, venue_id=venue_id, audience=audience, status=status,
        registration_opens_at=registration_opens_at, registration_closes_at=registration_closes_at,
        waitlist_enabled=waitlist_enabled, exit_scan=bool(exit_scan), personal_data=_personal_data(personal_data),
    )
    db.session.add(event)
    for spec in sessions:
        _validate_session(spec.starts_at, spec.ends_at, spec.capacity)
        event.sessions.append(EventSession(title=spec.title or "", starts_at=spec.starts_at,
                                           ends_at=spec.ends_at, capacity=spec.capacity))
    db.session.flush()
    audit.record("create", event, after={"title": event.title, "kind": kind, "sessions": len(sessions)}, actor=actor)
    return event


def _personal_data(value: str | None) -> str:
    if (value or "") not in set(PersonalData):
        raise DomainError(_l("Unknown choice."), field="personal_data")
    return value or PersonalData.NONE


def _validate_session(starts_at, ends_at, capacity) -> None:
    _check_period(starts_at, ends_at)
    if capacity is None or capacity < 0:
        raise DomainError(_l("Give a capacity (0 or more)."), field="capacity")


EDITABLE_EVENT_FIELDS = (
    "kind", "title", "description", "audience", "venue_id", "starts_at", "ends_at",
    "registration_opens_at", "registration_closes_at", "waitlist_enabled", "exit_scan", "personal_data",
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
            raise DomainError(_l("This event is a caravan visit: its times follow the visit; move the visit "
                                 "on its page."), field="starts_at", code="locked", status=409)
        _move_sessions(event, old_period, new_period, follow_all=False)
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
    return db.session.execute(
        sa.select(CaravanVisit).where(CaravanVisit.event_id == event.id, CaravanVisit.status == VisitStatus.CONFIRMED)
    ).scalars().first()


def _move_sessions(event: Event, old_period: tuple, new_period: tuple, *, follow_all: bool) -> None:
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
        raise DomainError(_l("This event is a caravan visit: its sessions stay within the visit's time; move the "
                             "visit on its page."), field="starts_at", code="locked", status=409)


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


def update_session(session: EventSession, *, starts_at, ends_at, capacity: int, title: str = "",
                   actor=None, now: datetime | None = None) -> Overbooking | None:
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
    audit.record("update_session", session.event, before=before,
                 after=audit.snapshot(session, list(before)), actor=actor)
    if capacity == before["capacity"]:
        return None
    confirmed = session_counts([session.id])[session.id].registered
    return Overbooking(session, capacity, confirmed) if confirmed > capacity else None


# --- counting --------------------------------------------------------------------------------------------


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
        sa.select(Registration.session_id, Registration.status,
                  sa.func.coalesce(sa.func.sum(Registration.head_count), 0), sa.func.count(Registration.id))
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
        .where(CheckIn.session_id.in_(ids)).group_by(CheckIn.session_id)
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
            {"id": s.id, "title": s.title, "checked_in": counts[s.id].checked_in,
             "registered": counts[s.id].registered, "capacity": s.capacity}
            for s in event.sessions
        ],
    }


def list_events(*, organisation_ids: Iterable[int] | None = None, published_only: bool = False,
                upcoming_from: datetime | None = None, year: int | None = None) -> list[tuple[Event, int]]:
    """Events (with venue and sessions loaded) and their confirmed seats, ordered by start."""
    query = sa.select(Event).options(selectinload(Event.sessions), selectinload(Event.venue)).order_by(
        Event.starts_at, Event.id)
    if organisation_ids is not None:
        query = query.where(Event.organisation_id.in_(list(organisation_ids)))
    if published_only:
        query = query.where(Event.status == EventStatus.PUBLISHED)
    if upcoming_from is not None:
        query = query.where(Event.ends_at >= upcoming_from)
    if year is not None:
        query = query.where(Event.starts_at >= datetime(year, 1, 1, tzinfo=UTC) - timedelta(hours=8),
                            Event.starts_at < datetime(year + 1, 1, 1, tzinfo=UTC) - timedelta(hours=8))
    events = db.session.execute(query).scalars().all()
    registered = dict(db.session.execute(
        sa.select(Registration.event_id, sa.func.coalesce(sa.func.sum(Registration.head_count), 0))
        .where(Registration.event_id.in_([e.id for e in events]),
               Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(Registration.event_id)
    ).all()) if events else {}
    return [(event, int(registered.get(event.id, 0))) for event in events]


# --- registration ----------------------------------------------------------------------------------------


def registration_open(event: Event, now: datetime) -> bool:
    """Registration is open for a published event inside its window (or until it starts, without one)."""
    if event.status != EventStatus.PUBLISHED:
        return False
    if event.registration_opens_at and now < event.registration_opens_at:
        return False
    closes = event.registration_closes_at or event.ends_at
    return now < closes


class SessionFull(DomainError):
    """A walk-in refused for want of seats; `absent_seats`: seats of registrants who have not come (0 before
    the session starts), which the staff may choose to give to walk-ins."""

    def __init__(self, absent_seats: int):
        super().__init__(_l("This session is full."), field="session_id", code="full", status=409)
        self.absent_seats = absent_seats


GENDERS = ("男", "女")


def personal_answers(event: Event, kind: str, *, gender: str = "", birth_date: date | None = None,
                     id_number: str | None = None, required: bool = True) -> dict:
    """What a person gives for an event's insurance list (Event.personal_data), checked; {} when not asked.

    Asked of individuals only (a group's leader gives the school's list at the door). With an ID number, gender
    and birth date are read from it (core.idcard checks its check digit and date). Walk-ins may leave it blank.
    """
    from core.idcard import IdNumberError, parse_id_number

    if event.personal_data == PersonalData.NONE or kind != RegistrationKind.INDIVIDUAL:
        return {}
    if event.personal_data == PersonalData.ID_NUMBER:
        if not (id_number or "").strip():
            if required:
                raise DomainError(_l("Give the ID number (for the event's insurance)."), field="id_number")
            return {}
        try:
            info = parse_id_number(id_number)
        except IdNumberError:
            raise DomainError(_l("This is not a valid ID number (18 characters, with its check digit)."),
                              field="id_number") from None
        return {"id_number": info.number, "gender": info.gender, "birth_date": info.birth_date}
    answers = {}
    if gender or required:
        if gender not in GENDERS:
            raise DomainError(_l("Choose 男 or 女."), field="gender")
        answers["gender"] = gender
    if birth_date is None and required:
        raise DomainError(_l("Give the birth date (for the event's insurance)."), field="birth_date")
    if birth_date is not None:
        if birth_date >= utcnow().date():
            raise DomainError(_l("The birth date must be in the past."), field="birth_date")
        answers["birth_date"] = birth_date
    return answers


def register(
    session: EventSession,
    *,
    name: str,
    phone: str | None,
    kind: str = RegistrationKind.INDIVIDUAL,
    head_count: int = 1,
    school_name: str = "",
    school_id: int | None = None,
    grade: str = "",
    member_names: str = "",
    gender: str = "",
    birth_date: date | None = None,
    id_number: str | None = None,
    source: str = RegistrationSource.ONLINE,
    use_absent_seats: bool = False,
    user=None,
    now: datetime | None = None,
) -> Registration:
    """Register a person or a school group for a session.

    Confirmed while seats last (a group needs all its head-count), then on the waiting list if the event
    keeps one, else refused. The same phone can hold one live registration per session. Online, a session
    that is over is closed. Runs under the session's lock, so concurrent registrations can't overfill it.

    Walk-ins at the door skip the registration window but must come inside the session's check-in window, and
    are never waitlisted: they are confirmed while seats last, else refused (code `full`) before anything is
    written. Once the session has started, `use_absent_seats` admits a walk-in into the seats of registrants
    who have not come (capacity minus the people checked in); the refusal (SessionFull) says how many such
    seats there are.
    """
    now = _now(now)
    event = session.event
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Give a name."), field="name")
    if kind not in set(RegistrationKind):
        raise DomainError(_l("Unknown kind of registration."), field="kind")
    if kind == RegistrationKind.INDIVIDUAL:
        head_count = 1
    elif not (1 <= int(head_count or 0) <= MAX_HEAD_COUNT):
        raise DomainError(_l("A group has between 1 and %(n)d people.", n=MAX_HEAD_COUNT), field="head_count")
    if event.audience == Audience.SCHOOL_GROUPS and kind != RegistrationKind.GROUP and source != RegistrationSource.WALK_IN:
        raise DomainError(_l("This event takes school groups only."), field="kind")
    personal = personal_answers(event, kind, gender=gender, birth_date=birth_date, id_number=id_number,
                                required=source != RegistrationSource.WALK_IN)
    normalised_phone = None
    if phone or source != RegistrationSource.WALK_IN:
        try:
            normalised_phone = parse_mobile(phone or "")
        except InvalidPhone:
            raise DomainError(_l("Give an 11-digit mobile number starting with 1."), field="phone") from None
    if source == RegistrationSource.WALK_IN:
        if event.status == EventStatus.CANCELLED:
            raise DomainError(_l("This event was cancelled."), field="session_id")
        window = session_window(session.starts_at, session.ends_at, event)
        if not window.contains(now):
            raise DomainError(_l("Check-in for this session is not open now (%(start)s – %(end)s).",
                                 start=_local(window.opens_at), end=_local(window.closes_at)),
                              field="session_id", code=decision_rules.OUTSIDE_WINDOW, status=409)
    elif not registration_open(event, now):
        raise DomainError(_l("Registration for this event is not open."), field="session_id")
    elif session.ends_at <= now:  # the event's window may still be open while this session is over
        raise DomainError(_l("This session is over; choose a later one."), field="session_id")

    acquire_lock(f"events.session:{session.id}")
    if normalised_phone and db.session.execute(
        sa.select(Registration.id).where(
            Registration.session_id == session.id, Registration.phone == normalised_phone,
            Registration.status != RegistrationStatus.CANCELLED)
    ).first():
        raise DomainError(_l("This phone number is already registered for this session."), field="phone",
                          code="duplicate", status=409)
    counts = session_counts([session.id])[session.id]
    walk_in = source == RegistrationSource.WALK_IN
    placement = seats.place_registration(session.capacity, counts.registered, int(head_count),
                                         event.waitlist_enabled and not walk_in)
    if walk_in and placement == seats.FULL:
        # seats of registrants who have not come are free to walk-ins only once the session has started
        absent = seats.seats_free(session.capacity, counts.checked_in) if now >= session.starts_at else 0
        if use_absent_seats and int(head_count) <= absent:
            placement = seats.CONFIRMED
        else:
            raise SessionFull(absent)
    if placement == seats.FULL:
        raise DomainError(_l("This session is full."), field="session_id", code="full", status=409)
    registration = Registration(
        event_id=event.id, session_id=session.id, kind=kind, source=source, name=name, phone=normalised_phone,
        head_count=int(head_count), school_name=(school_name or "").strip(), school_id=school_id,
        grade=(grade or "").strip(), member_names=(member_names or "").strip(),
        status=RegistrationStatus.CONFIRMED if placement == seats.CONFIRMED else RegistrationStatus.WAITLISTED,
        code=tickets.new_code(), link_token=tickets.new_link_token(), registered_by_id=getattr(user, "id", None),
        **personal,
    )
    db.session.add(registration)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise DomainError(_l("This phone number is already registered for this session."), field="phone",
                          code="duplicate", status=409) from None
    after = {"status": registration.status, "seats": registration.head_count, "source": source}
    if walk_in and counts.registered + int(head_count) > session.capacity:
        after["absent_seats"] = True  # admitted into the seats of registrants who have not come
    audit.record("register", registration, after=after, actor=user)
    if source != RegistrationSource.WALK_IN:
        notices.tell_registrant(registration, f"events.registration_{registration.status}")
    return registration


def cancel_registration(registration: Registration, *, actor=None, now: datetime | None = None) -> list[Registration]:
    """Cancel a registration (self-service link or organiser); a freed seat promotes the waiting list.

    A checked-in registration can't be cancelled. Returns the registrations promoted.
    """
    now = _now(now)
    if registration.status == RegistrationStatus.CANCELLED:
        return []
    acquire_lock(f"events.session:{registration.session_id}")
    acquire_lock(checkin_lock_name(registration.code))  # a scan of this ticket can't run in between
    db.session.refresh(registration)
    if registration.status == RegistrationStatus.CANCELLED:
        return []
    if db.session.execute(sa.select(CheckIn.id).where(CheckIn.registration_id == registration.id)).first():
        raise DomainError(_l("This ticket was already used to check in and can't be cancelled."), code="checked_in",
                          status=409)
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    db.session.flush()
    audit.record("cancel", registration, before={"status": "confirmed" if was_confirmed else "waitlisted"},
                 after={"status": "cancelled"}, actor=actor)
    return promote_waitlist(registration.session, now=now) if was_confirmed else []


def promote_waitlist(session: EventSession, *, now: datetime | None = None) -> list[Registration]:
    """Confirm waiting registrations, oldest first, while seats are free (caller holds the session lock)."""
    now = _now(now)
    free = seats.seats_free(session.capacity, session_counts([session.id])[session.id].registered)
    if free <= 0:
        return []
    waiting = db.session.execute(
        sa.select(Registration).where(Registration.session_id == session.id,
                                      Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.created_at, Registration.id)
    ).scalars().all()
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
            Registration.session_id == registration.session_id, Registration.status == RegistrationStatus.WAITLISTED,
            sa.or_(Registration.created_at < registration.created_at,
                   sa.and_(Registration.created_at == registration.created_at, Registration.id < registration.id)))
    ).scalar_one()
    return ahead + 1


def find_registration_by_token(token: str) -> Registration | None:
    if not token or len(token) > 64:
        return None
    return db.session.execute(
        sa.select(Registration).options(selectinload(Registration.event), selectinload(Registration.session))
        .where(Registration.link_token == token)
    ).scalar_one_or_none()


def search_registrations(event: Event, query: str, limit: int = 20) -> list[Registration]:
    """Registrations of the event whose name contains `query`, or whose phone ends with its digits."""
    text = (query or "").strip()
    if not text:
        return []
    digits = "".join(ch for ch in text if ch.isdigit())
    condition = Registration.name.contains(text, autoescape=True)
    if len(digits) >= 4:
        condition = sa.or_(condition, Registration.phone.endswith(digits, autoescape=True))
    return db.session.execute(
        sa.select(Registration).options(selectinload(Registration.checkin), selectinload(Registration.session))
        .where(Registration.event_id == event.id, condition)
        .order_by(Registration.name, Registration.id).limit(limit)
    ).scalars().all()


def event_registrations(event: Event) -> list[Registration]:
    """All registrations of an event with session and check-in loaded (for lists and exports)."""
    return db.session.execute(
        sa.select(Registration).options(selectinload(Registration.checkin), selectinload(Registration.session))
        .where(Registration.event_id == event.id).order_by(Registration.session_id, Registration.id)
    ).scalars().all()


# --- check-in --------------------------------------------------------------------------------------------


MESSAGES = {
    decision_rules.CHECKED_IN: _l("Checked in."),
    decision_rules.ALREADY_CHECKED_IN: _l("Already checked in at %(time)s (gate %(gate)s)."),
    decision_rules.NOT_FOUND: _l("Unknown ticket: the code is not valid or was mistyped."),
    decision_rules.WRONG_EVENT: _l("This ticket is for another event or session: %(title)s."),
    decision_rules.OUTSIDE_WINDOW: _l("Check-in for this session is not open now (%(start)s – %(end)s)."),
    decision_rules.CANCELLED: _l("This ticket was cancelled."),
    decision_rules.WAITLISTED: _l("This registration is still on the waiting list."),
    decision_rules.OVER_COUNT: _l("More people than this ticket has left (%(left)d of %(total)d): "
                                  "confirm the count to admit them anyway."),
    decision_rules.CHECKED_OUT: _l("Checked out."),
    decision_rules.ALREADY_CHECKED_OUT: _l("Already checked out at %(time)s."),
    decision_rules.NOT_CHECKED_IN: _l("This ticket was never checked in, so it can't check out."),
}


def _local(moment: datetime | None) -> str:
    """`yyyy-MM-dd HH:mm` in the user's time zone."""
    from flask_babel import get_timezone

    if moment is None:
        return ""
    return moment.astimezone(get_timezone()).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class ScannedTicket:
    """What the check-in needs to know about a registration, read in one query with its session and event."""

    id: int
    event_id: int
    session_id: int
    status: str
    name: str
    phone: str | None
    kind: str
    head_count: int
    school_name: str
    grade: str
    session_title: str
    session_starts_at: datetime
    session_ends_at: datetime
    event_title: str

    @property
    def state(self) -> decision_rules.TicketState:
        return decision_rules.TicketState(self.event_id, self.session_id, self.status, self.head_count)


def attendee_view(ticket: ScannedTicket) -> dict:
    """What the scanner shows about the person: name, masked phone, group size, school, session (its start
    when it has no title)."""
    return {
        "name": ticket.name,
        "phone": mask_phone(ticket.phone),
        "kind": ticket.kind,
        "head_count": ticket.head_count,
        "school": ticket.school_name,
        "grade": ticket.grade,
        "session": ticket.session_title or _local(ticket.session_starts_at),
        "status": ticket.status,
    }


def _ticket_window(ticket: ScannedTicket, event: Event) -> decision_rules.Window:
    return session_window(ticket.session_starts_at, ticket.session_ends_at, event)


def session_window(starts_at: datetime, ends_at: datetime, event: Event) -> decision_rules.Window:
    """The check-in window of a session of `event` (it opens `checkin_opens_minutes` before the start)."""
    return decision_rules.checkin_window(starts_at, ends_at, opens_before=timedelta(minutes=event.checkin_opens_minutes))


_SCANNED_TICKET = (
    sa.select(Registration.id, Registration.event_id, Registration.session_id, Registration.status, Registration.name,
              Registration.phone, Registration.kind, Registration.head_count, Registration.school_name,
              Registration.grade, EventSession.title, EventSession.starts_at, EventSession.ends_at, Event.title,
              CheckIn.id, CheckIn.checked_in_at, CheckIn.gate, CheckIn.head_count, CheckIn.checked_out_at)
    .join(EventSession, EventSession.id == Registration.session_id)
    .join(Event, Event.id == Registration.event_id)
    .outerjoin(CheckIn, CheckIn.registration_id == Registration.id)
    .where(Registration.code == sa.bindparam("code"))
)


def checkin_lock_name(code: str) -> str:
    """The named lock a scan of ticket `code` holds (cancelling the ticket takes it too)."""
    return f"events.checkin:{code}"


def parse_code_or_none(raw: str | None) -> str | None:
    try:
        return tickets.parse_code((raw or "")[:200])
    except tickets.InvalidCode:
        return None


@dataclass
class ScanResult:
    http_status: int
    body: dict
    replayed: bool = False  # the answer given earlier for the same nonce, not a new decision


IN, OUT = "in", "out"


def perform_checkin(
    event: Event,
    *,
    raw_code: str,
    gate: str = "",
    nonce: str | None = None,
    scanned_at: datetime | None = None,
    device: str = "",
    head_count: int | None = None,
    confirm_over: bool = False,
    session_id: int | None = None,
    direction: str = IN,
    offline_result: str | None = None,
    user=None,
    staff_link: StaffLink | None = None,
    now: datetime | None = None,
) -> ScanResult:
    """Redeem a scanned or typed code at `event` (or, `direction=OUT`, record the exit); every attempt is
    logged with the answer it gave, and a repeated nonce gets exactly that answer again.

    The ticket's named lock is taken first (before anything is read, the nonce included), so two scans of one
    ticket run one after the other and the second sees the first's check-in; the unique constraint on
    event_checkins.registration_id stays the last word. The time a scan counts at is the device's `scanned_at`
    (an offline scan uploaded later) unless it is implausible (events.checkin.effective_scan_time). The body
    always carries `status` (reason code), a readable `message`, `colour` and the `attendee` (None when the code
    matches no registration). `head_count`: the people arriving (None: all the ticket has left); a count above
    that needs `confirm_over`. `offline_result`: what an offline device showed for this scan, kept in the log.
    Raises IntegrityError only when one nonce arrives twice at the very same moment with different codes; the
    caller then rolls back and calls `replay_scan`.
    """
    server_now = _now(now)
    raw, gate, device = (raw_code or "")[:200], (gate or "")[:60], (device or "")[:200]
    nonce = (nonce or "").strip()[:80] or None
    code = parse_code_or_none(raw)
    if code is not None:
        acquire_lock(checkin_lock_name(code))
    if nonce is not None:
        replay = replay_scan(nonce, raw=raw, gate=gate, device=device, scanned_at=scanned_at, now=server_now,
                             user=user, staff_link=staff_link)
        if replay is not None:
            return replay
    row = db.session.execute(_SCANNED_TICKET, {"code": code}).first() if code is not None else None
    ticket = ScannedTicket(*row[:14]) if row is not None else None
    checkin_id = row[14] if row is not None else None
    prior = decision_rules.PriorCheckIn(row[15], row[16], row[17]) if checkin_id is not None else None
    scan_time = decision_rules.effective_scan_time(scanned_at, server_now)
    state = ticket.state if ticket is not None else None
    if direction == OUT:
        decision = decision_rules.decide_checkout(state, event.id, prior, row[18] if row is not None else None)
    else:
        window = _ticket_window(ticket, event) if ticket is not None else None
        arriving = None if head_count is None else max(1, min(int(head_count), MAX_HEAD_COUNT))
        decision = decision_rules.decide_checkin(state, event.id, window, scan_time, prior, session_id=session_id,
                                                 arriving=arriving, confirm_over=confirm_over)
        if event.status == EventStatus.CANCELLED and decision.reason in (decision_rules.CHECKED_IN,
                                                                         decision_rules.OUTSIDE_WINDOW):
            decision = decision_rules.Decision(decision_rules.CANCELLED)  # the event itself was called off
    checkin = None
    if decision.reason == decision_rules.CHECKED_IN:
        if checkin_id is None:
            checkin = CheckIn(registration_id=ticket.id, event_id=event.id, session_id=ticket.session_id,
                              checked_in_at=scan_time, scanned_at=scanned_at, gate=gate, head_count=decision.people,
                              over_count=decision.over_count, checked_in_by_id=getattr(user, "id", None),
                              staff_link_id=getattr(staff_link, "id", None))
            db.session.add(checkin)
        else:  # the next part of a group
            checkin = db.session.get(CheckIn, checkin_id)
            checkin.head_count += decision.people
            checkin.over_count = checkin.over_count or decision.over_count
    elif decision.reason == decision_rules.CHECKED_OUT:
        checkin = db.session.get(CheckIn, checkin_id)
        checkin.checked_out_at = scan_time
        checkin.checkout_gate = gate
    body = scan_body(decision, ticket, event, checkin)
    db.session.add(ScanLog(
        event_id=event.id, registration_id=getattr(ticket, "id", None), gate=gate, device=device, raw_code=raw,
        nonce=nonce, result=decision.reason, http_status=decision.http_status, response=body, direction=direction,
        offline_result=(offline_result or None) and offline_result[:30], scanned_at=scanned_at,
        server_at=server_now, user_id=getattr(user, "id", None), staff_link_id=getattr(staff_link, "id", None)))
    db.session.flush()
    return ScanResult(decision.http_status, body)


def replay_scan(nonce: str, *, raw: str = "", gate: str = "", device: str = "", scanned_at=None, now=None,
                user=None, staff_link=None) -> ScanResult | None:
    """The answer stored for `nonce` (the retry is logged too, pointing at the first), or None when it is new."""
    first = db.session.execute(sa.select(ScanLog).where(ScanLog.nonce == nonce)).scalar_one_or_none()
    if first is None:
        return None
    db.session.add(ScanLog(event_id=first.event_id, registration_id=first.registration_id, gate=gate,
                           device=(device or "")[:200], raw_code=raw, nonce=None, result=first.result,
                           http_status=first.http_status, response=first.response, direction=first.direction,
                           scanned_at=scanned_at, server_at=_now(now), user_id=getattr(user, "id", None),
                           staff_link_id=getattr(staff_link, "id", None), replay_of_id=first.id))
    db.session.flush()
    return ScanResult(first.http_status, dict(first.response), replayed=True)


def scan_body(decision, ticket: ScannedTicket | None, event: Event, checkin: CheckIn | None) -> dict:
    """The answer to a scan: reason code, readable message, colour and the attendee (see attendee_view);
    for a check-in its time, gate, people in so far, people admitted now and whether it is an over-count."""
    reason = decision.reason
    params = {}
    if reason == decision_rules.ALREADY_CHECKED_IN:
        params = {"time": _local(decision.prior.checked_in_at), "gate": decision.prior.gate or "—"}
    elif reason == decision_rules.ALREADY_CHECKED_OUT:
        params = {"time": _local(checkin.checked_out_at if checkin else None)}
    elif reason == decision_rules.WRONG_EVENT:
        params = {"title": ticket.event_title}
    elif reason == decision_rules.OUTSIDE_WINDOW:
        window = _ticket_window(ticket, event)
        params = {"start": _local(window.opens_at), "end": _local(window.closes_at)}
    elif reason == decision_rules.OVER_COUNT:
        params = {"left": max(ticket.head_count - (decision.prior.head_count if decision.prior else 0), 0),
                  "total": ticket.head_count}
    message = str(MESSAGES[reason])
    body = {
        "status": reason,
        "message": message % params if params else message,
        "colour": decision.colour,
        # A ticket of another event names the other event, never its holder: staff of this event have no
        # business seeing who registered elsewhere (often a minor).
        "attendee": attendee_view(ticket) if ticket is not None and reason != decision_rules.WRONG_EVENT else None,
    }
    if reason == decision_rules.CHECKED_IN:
        body["checked_in_at"] = checkin.checked_in_at.isoformat()
        body["gate"] = checkin.gate
        body["head_count"] = checkin.head_count  # people in so far
        body["people"] = decision.people  # admitted by this scan
        body["over_count"] = decision.over_count
    elif reason == decision_rules.CHECKED_OUT:
        body["checked_out_at"] = checkin.checked_out_at.isoformat()
    if decision.prior is not None:
        body["first_checked_in_at"] = decision.prior.checked_in_at.isoformat()
        body["first_gate"] = decision.prior.gate
    return body


# --- the offline scanner ---------------------------------------------------------------------------------


def ticket_hash(code: str) -> str:
    """What the offline list keeps of a ticket code: the first 128 bits of its SHA-256, in hex. The device
    hashes what it scans the same way; the list alone does not give a code back."""
    return hashlib.sha256(code.encode()).hexdigest()[:32]


def offline_ticket_list(event: Event, now: datetime | None = None) -> dict:
    """What a scanner needs to decide scans of `event` without network (static/js/events-checkin-rule.js):
    the sessions' check-in windows and, per ticket, only the hash of its code, its session, status, head-count,
    a masked name, and the people already in (with the first check-in's time and gate). Never a phone, never a
    full name. `separators`: the characters a typed code may carry that are not part of it (events.tickets)."""
    sessions = [{"id": s.id, "title": s.title or _local(s.starts_at),
                 "opens_at": (w := session_window(s.starts_at, s.ends_at, event)).opens_at.isoformat(),
                 "closes_at": w.closes_at.isoformat()} for s in event.sessions]
    rows = db.session.execute(
        sa.select(Registration.code, Registration.session_id, Registration.status, Registration.head_count,
                  Registration.name, CheckIn.head_count, CheckIn.checked_in_at, CheckIn.gate)
        .outerjoin(CheckIn, CheckIn.registration_id == Registration.id)
        .where(Registration.event_id == event.id).order_by(Registration.id)
    ).all()
    tickets_out = [[ticket_hash(code), session_id, status, head_count, mask_minor_name(name), people or 0,
                    checked_in_at.isoformat() if checked_in_at else None, gate or ""]
                   for code, session_id, status, head_count, name, people, checked_in_at, gate in rows]
    return {"event_id": event.id, "cancelled": event.status == EventStatus.CANCELLED,
            "synced_at": _now(now).isoformat(), "separators": tickets.SEPARATORS_PATTERN,
            "fields": ["hash", "session_id", "status", "head_count", "name", "in", "checked_in_at", "gate"],
            "sessions": sessions, "tickets": tickets_out}


@dataclass(frozen=True)
class QueuedScan:
    """A scan an offline device decided and queued, as it uploads it."""

    code: str
    nonce: str
    scanned_at: datetime | None = None
    gate: str = ""
    device: str = ""
    head_count: int | None = None
    confirm_over: bool = False
    direction: str = IN
    offline_result: str | None = None


def upload_offline_scans(event: Event, scans: Sequence[QueuedScan], *, user=None, staff_link=None,
                         now: datetime | None = None) -> list[dict]:
    """Decide a device's queued scans with the one rule, in the order they were made (the device's time),
    each logged with what the device showed; a scan uploaded before (its nonce) gets its first answer. Returns
    per scan its nonce, the server's answer (`status`, `body`) and whether it differs from the device's."""
    server_now = _now(now)
    ordered = sorted(scans, key=lambda scan: (scan.scanned_at or server_now, scan.nonce))
    answers = []
    for scan in ordered:
        result = perform_checkin(event, raw_code=scan.code, gate=scan.gate, nonce=scan.nonce,
                                 scanned_at=scan.scanned_at, device=scan.device, head_count=scan.head_count,
                                 confirm_over=scan.confirm_over, direction=scan.direction,
                                 offline_result=scan.offline_result, user=user, staff_link=staff_link,
                                 now=server_now)
        answers.append({"nonce": scan.nonce, "http_status": result.http_status, "body": result.body,
                        "differs": scan.offline_result is not None and scan.offline_result != result.body["status"]})
    return answers


def offline_conflicts(event: Event, limit: int = 200) -> list[dict]:
    """Uploaded offline scans whose server answer differs from what the device showed (the same ticket
    admitted at two gates, a ticket cancelled since the last sync), newest first, names masked."""
    rows = db.session.execute(
        sa.select(ScanLog, Registration.name)
        .outerjoin(Registration, Registration.id == ScanLog.registration_id)
        .where(ScanLog.event_id == event.id, ScanLog.offline_result.is_not(None), ScanLog.replay_of_id.is_(None),
               ScanLog.offline_result != ScanLog.result)
        .order_by(ScanLog.id.desc()).limit(limit)
    ).all()
    return [{"id": log.id, "name": mask_minor_name(name or ""), "gate": log.gate, "offline_result": log.offline_result,
             "result": log.result, "message": log.response.get("message", ""),
             "scanned_at": log.scanned_at.isoformat() if log.scanned_at else None} for log, name in rows]


# --- staff access ----------------------------------------------------------------------------------------


def create_staff_link(event: Event, *, label: str, expires_at: datetime | None = None, actor=None) -> tuple[StaffLink, str]:
    """A check-in link for helpers without an account; the token is shown once, only its hash is kept."""
    token = tickets.new_link_token()
    expires = expires_at or event.ends_at
    link = StaffLink(event_id=event.id, token_hash=hash_token(token), label=(label or "").strip()[:60],
                     created_by_id=getattr(actor, "id", None), expires_at=expires)
    db.session.add(link)
    db.session.flush()
    audit.record("create_staff_link", event, after={"link_id": link.id, "label": link.label,
                                                    "expires_at": expires}, actor=actor)
    return link, token


def staff_link_valid(link: StaffLink | None, now: datetime | None = None) -> bool:
    """A link works when not revoked, not expired, and only during the event's check-in window."""
    if link is None or link.revoked_at is not None:
        return False
    now = _now(now)
    event = link.event
    opens = event.starts_at - timedelta(minutes=event.checkin_opens_minutes)
    return opens <= now <= min(link.expires_at, event.ends_at)


def find_staff_link(token: str) -> StaffLink | None:
    if not token or len(token) > 64:
        return None
    return db.session.execute(
        sa.select(StaffLink).options(selectinload(StaffLink.event)).where(StaffLink.token_hash == hash_token(token))
    ).scalar_one_or_none()


def revoke_staff_link(link: StaffLink, actor=None, now: datetime | None = None) -> None:
    if link.revoked_at is None:
        link.revoked_at = _now(now)
        db.session.flush()
        audit.record("revoke_staff_link", link.event, after={"link_id": link.id}, actor=actor)


def grant_checkin_account(event: Event, user, actor=None):
    """Give an account check-in rights for this event (a scoped membership)."""
    from accounts.services import grant_role
    from core.permissions import Role

    return grant_role(user, Role.CHECKIN, scope_id=event.id, actor=actor)


# --- caravan scheduling ----------------------------------------------------------------------------------


def scheduling_rules() -> scheduling.SchedulingRules:
    """Buffers from the configuration (EVENTS_SETUP_MINUTES, EVENTS_TEARDOWN_MINUTES, EVENTS_TRAVEL_MINUTES)."""
    from zoneinfo import ZoneInfo

    config = current_app.config
    return scheduling.SchedulingRules(
        setup_buffer=timedelta(minutes=int(config.get("EVENTS_SETUP_MINUTES", 60))),
        teardown_buffer=timedelta(minutes=int(config.get("EVENTS_TEARDOWN_MINUTES", 30))),
        travel_time=timedelta(minutes=int(config.get("EVENTS_TRAVEL_MINUTES", 60))),
        timezone=ZoneInfo(config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")),
    )


def save_caravan(caravan: Caravan | None, *, organisation_id: int, crew_ids: Iterable[int] = (), actor=None,
                 **fields) -> Caravan:
    if not (fields.get("name") or (caravan and caravan.name) or "").strip():
        raise DomainError(_l("Give the caravan a name."), field="name")
    created = caravan is None
    if caravan is None:
        caravan = Caravan(organisation_id=organisation_id)
        db.session.add(caravan)
    name_before = caravan.name
    for key, value in fields.items():
        setattr(caravan, key, value.strip() if isinstance(value, str) else value)
    if not created and caravan.name != name_before:  # the visits' calendar items name their caravan
        db.session.execute(sa.update(CaravanVisit).where(CaravanVisit.caravan_id == caravan.id)
                           .values(sequence=CaravanVisit.sequence + 1))
    crew_ids = list(crew_ids)
    caravan.crew = db.session.execute(
        sa.select(CaravanStaff).where(CaravanStaff.id.in_(crew_ids), CaravanStaff.organisation_id == organisation_id)
    ).scalars().all() if crew_ids else []
    db.session.flush()
    audit.record("create" if created else "update", caravan, after={"name": caravan.name,
                                                                    "crew": [s.id for s in caravan.crew]}, actor=actor)
    return caravan


def reset_caravan_feed(caravan: Caravan, actor=None) -> Caravan:
    """Give the caravan's staff calendar feed a new random address; the old one stops answering at once."""
    import secrets

    caravan.feed_token = secrets.token_urlsafe(24)
    db.session.flush()
    audit.record("reset_feed", caravan, actor=actor)
    return caravan


def save_caravan_staff(staff: CaravanStaff | None, *, organisation_id: int, name: str, role: str = "",
                       active: bool = True, actor=None) -> CaravanStaff:
    if not (name or "").strip():
        raise DomainError(_l("Give a name."), field="name")
    if staff is None:
        staff = CaravanStaff(organisation_id=organisation_id)
        db.session.add(staff)
    staff.name, staff.role, staff.active = name.strip(), (role or "").strip(), active
    db.session.flush()
    audit.record("save", staff, object_type="event_caravan_staff", after={"name": staff.name},
                 organisation_id=organisation_id, actor=actor)
    return staff


def add_blackout(*, organisation_id: int, first_day: date, last_day: date, caravan_id: int | None = None,
                 reason: str = "", actor=None) -> Blackout:
    if last_day < first_day:
        raise DomainError(_l("The last day must not be before the first day."), field="last_day")
    blackout = Blackout(organisation_id=organisation_id, first_day=first_day, last_day=last_day,
                        caravan_id=caravan_id, reason=(reason or "").strip())
    db.session.add(blackout)
    db.session.flush()
    audit.record("add_blackout", blackout, object_type="event_caravan_blackout", organisation_id=organisation_id,
                 after={"first_day": first_day, "last_day": last_day, "caravan_id": caravan_id}, actor=actor)
    return blackout


def delete_blackout(blackout: Blackout, actor=None) -> None:
    audit.record("delete_blackout", blackout, object_type="event_caravan_blackout",
                 organisation_id=blackout.organisation_id,
                 before={"first_day": blackout.first_day, "last_day": blackout.last_day}, actor=actor)
    db.session.delete(blackout)
    db.session.flush()


def _travel(visit: CaravanVisit) -> timedelta | None:
    if visit.venue is not None and visit.venue.travel_minutes is not None:
        return timedelta(minutes=visit.venue.travel_minutes)
    return None


def _as_booking(visit: CaravanVisit, *, caravan_id=None, staff_ids=None, start=None, end=None) -> scheduling.Booking:
    return scheduling.Booking(
        key=visit.id,
        caravan_id=caravan_id if caravan_id is not None else visit.caravan_id,
        start=start or visit.starts_at,
        end=end or visit.ends_at,
        confirmed=visit.status == VisitStatus.CONFIRMED,
        staff_ids=frozenset(staff_ids if staff_ids is not None else (s.id for s in visit.staff)),
        travel_time=_travel(visit),
    )


def _nearby_visits(organisation_id: int, start: datetime, end: datetime) -> list[CaravanVisit]:
    """Live visits (confirmed or pending) of the organisation within a day of [start, end) — wide enough for
    any buffer — with caravan, venue and staff loaded."""
    margin = timedelta(days=1)
    return db.session.execute(
        sa.select(CaravanVisit).options(selectinload(CaravanVisit.staff), selectinload(CaravanVisit.venue))
        .where(CaravanVisit.organisation_id == organisation_id,
               CaravanVisit.status.in_([VisitStatus.CONFIRMED, *PENDING_VISIT_STATUSES]),
               CaravanVisit.starts_at < end + margin, CaravanVisit.ends_at > start - margin)
        .execution_options(populate_existing=True)
    ).scalars().all()


def _blackouts(organisation_id: int) -> list[scheduling.Blackout]:
    rows = db.session.execute(sa.select(Blackout).where(Blackout.organisation_id == organisation_id)).scalars().all()
    return [scheduling.Blackout(b.first_day, b.last_day, b.caravan_id, b.reason) for b in rows]


def visit_conflicts(visit: CaravanVisit, *, caravan_id: int | None, staff_ids: Iterable[int] = (),
                    start: datetime | None = None, end: datetime | None = None) -> scheduling.ConflictReport:
    """Hard conflicts (confirmed visits, blackouts) and soft ones (pending requests) for scheduling `visit`
    on `caravan_id` with `staff_ids` at [start, end)."""
    start, end = start or visit.starts_at, end or visit.ends_at
    candidate = _as_booking(visit, caravan_id=caravan_id, staff_ids=list(staff_ids), start=start, end=end)
    others = [_as_booking(v) for v in _nearby_visits(visit.organisation_id, start, end) if v.id != visit.id]
    # a pending request without a caravan yet claims nothing specific, so it can't collide by resource;
    # it is shown as a soft conflict when it overlaps in time on any caravan of the organisation.
    report = scheduling.find_conflicts(candidate, others, scheduling_rules(), _blackouts(visit.organisation_id))
    rules = scheduling_rules()
    mine = scheduling.blocked_interval(candidate, rules)
    extra_soft = tuple(
        scheduling.Conflict(scheduling.OVERLAP, False, None, other.key, scheduling.blocked_interval(other, rules))
        for other in others
        if not other.confirmed and other.caravan_id is None
        and scheduling.intervals_overlap(mine, scheduling.blocked_interval(other, rules))
    )
    return scheduling.ConflictReport(report.hard, report.soft + extra_soft, report.needs)


def describe_conflicts(report: scheduling.ConflictReport) -> str:
    """A readable sentence listing the hard conflicts (for the refusal message).

    A colliding visit is shown with its own times and, said as such, the longer time it keeps the caravan or
    staff member busy (its blocked interval: travel and setup before, packing up after).
    """
    parts = []
    visits = {v.id: v for v in db.session.execute(
        sa.select(CaravanVisit).where(CaravanVisit.id.in_([c.other_key for c in report.hard if c.other_key]))
    ).scalars()} if report.hard else {}
    staff_ids = [c.resource[1] for c in report.hard if c.resource and c.resource[0] == scheduling.STAFF]
    staff_names = dict(db.session.execute(
        sa.select(CaravanStaff.id, CaravanStaff.name).where(CaravanStaff.id.in_(staff_ids))
    ).all()) if staff_ids else {}

    def period(start: datetime, end: datetime) -> tuple[str, str]:
        first, last = _local(start), _local(end)
        return first, last[11:] if last[:10] == first[:10] else last  # the end's date only when it differs

    for conflict in report.hard:
        if conflict.kind == scheduling.BLACKOUT:
            parts.append(_("blackout day (%(reason)s)", reason=conflict.reason or "—"))
            continue
        other = visits.get(conflict.other_key)
        blocked_from, blocked_until = period(*conflict.other_interval)
        start, end = period(other.starts_at, other.ends_at) if other else ("?", "?")
        values = dict(host=other.host_name if other else "?", start=start, end=end, blocked_from=blocked_from,
                      blocked_until=blocked_until)
        if conflict.resource and conflict.resource[0] == scheduling.CARAVAN:
            parts.append(_("the caravan is already booked for %(host)s: the visit runs %(start)s – %(end)s, and "
                           "with travel, setup and packing-up time the caravan is busy from %(blocked_from)s to "
                           "%(blocked_until)s", **values))
        else:
            parts.append(_("%(staff)s is already booked for %(host)s: the visit runs %(start)s – %(end)s, "
                           "and with travel, setup and packing-up time they are busy from %(blocked_from)s to "
                           "%(blocked_until)s", staff=staff_names.get(conflict.resource[1], "?"), **values))
    if report.needs and any(c.kind == scheduling.OVERLAP for c in report.hard):
        # the blocked interval of the other visit is not the whole story: this visit needs its own travel and
        # setup time before it, so a start right at the end of the other's blocked interval is still refused
        needs_from, needs_until = period(*report.needs)
        parts.append(_("with its own travel, setup and packing-up time this visit would need them from "
                       "%(needs_from)s to %(needs_until)s", needs_from=needs_from, needs_until=needs_until))
    return _("; ").join(dict.fromkeys(parts))  # "；" in Chinese


def _active_caravans(organisation_id: int) -> list[Caravan]:
    return db.session.execute(
        sa.select(Caravan).where(Caravan.organisation_id == organisation_id, Caravan.active.is_(True))
        .order_by(Caravan.id)
    ).scalars().all()


def submit_visit_request(
    *,
    organisation_id: int,
    host_name: str,
    host_kind: str,
    contact_name: str,
    contact_phone: str,
    preferred_start: datetime,
    preferred_end: datetime,
    alternative_start: datetime | None = None,
    alternative_end: datetime | None = None,
    expected_audience: int = 0,
    notes: str = "",
    address: str = "",
    host_organisation_id: int | None = None,
    venue_id: int | None = None,
    user=None,
    now: datetime | None = None,
) -> CaravanVisit:
    """A school's or community's request for the caravan (public form or coordinator account).

    Refused when a requested slot is in the past, or when no caravan is free then (every caravan has a
    confirmed visit or a blackout overlapping it, buffers included).
    """
    now = _now(now)
    if host_kind not in (VenueKind.SCHOOL, VenueKind.COMMUNITY):
        raise DomainError(_l("A visit is requested by a school or a community."), field="host_kind")
    for field_name, value in (("host_name", host_name), ("contact_name", contact_name)):
        if not (value or "").strip():
            raise DomainError(_l("This field is required."), field=field_name)
    try:
        phone = parse_mobile(contact_phone)
    except InvalidPhone:
        raise DomainError(_l("Give an 11-digit mobile number starting with 1."), field="contact_phone") from None
    _check_period(preferred_start, preferred_end, "preferred_start")
    if preferred_start <= now:
        raise DomainError(_l("The preferred date must be in the future."), field="preferred_start")
    if (alternative_start is None) != (alternative_end is None):
        raise DomainError(_l("Give both the start and the end of the alternative date."), field="alternative_start")
    if alternative_start is not None:
        _check_period(alternative_start, alternative_end, "alternative_start")
        if alternative_start <= now:
            raise DomainError(_l("The alternative date must be in the future."), field="alternative_start")
    if expected_audience is not None and expected_audience < 0:
        raise DomainError(_l("The expected audience can't be negative."), field="expected_audience")
    visit = CaravanVisit(
        organisation_id=organisation_id, host_kind=host_kind, host_name=host_name.strip(),
        contact_name=contact_name.strip(), contact_phone=phone, preferred_start=preferred_start,
        preferred_end=preferred_end, alternative_start=alternative_start, alternative_end=alternative_end,
        starts_at=preferred_start, ends_at=preferred_end, expected_audience=expected_audience or 0,
        notes=(notes or "").strip(), address=(address or "").strip(), host_organisation_id=host_organisation_id,
        venue_id=venue_id, token=tickets.new_link_token(), submitted_by_id=getattr(user, "id", None),
        status=VisitStatus.REQUESTED,
    )
    caravans = _active_caravans(organisation_id)
    if not caravans:
        raise DomainError(_l("This organisation has no caravan to request."), field="organisation_id")
    slots = [("preferred_start", preferred_start, preferred_end)]
    if alternative_start is not None:
        slots.append(("alternative_start", alternative_start, alternative_end))
    for field_name, start, end in slots:
        _require_free_caravan(organisation_id, caravans, start, end, field_name)
    db.session.add(visit)
    db.session.flush()
    audit.record("request", visit, after={"host": visit.host_name, "start": preferred_start}, actor=user)
    notices.tell_visit(visit, notices.VISIT_RECEIVED.key)
    return visit


def _require_free_caravan(organisation_id: int, caravans: list[Caravan], start: datetime, end: datetime,
                          field_name: str, key=None) -> None:
    """Refuse a requested slot when no caravan is free then (confirmed visits and blackouts, buffers included)."""
    candidate = scheduling.Booking(key, None, start, end, False)
    existing = [_as_booking(v) for v in _nearby_visits(organisation_id, start, end)]
    if not scheduling.free_caravans(candidate, [c.id for c in caravans], existing, scheduling_rules(),
                                    _blackouts(organisation_id)):
        raise DomainError(
            _l("The caravan is already booked (or unavailable) at %(start)s – %(end)s; choose another date.",
               start=_local(start), end=_local(end)), field=field_name, code="conflict", status=409)


def counter_propose_visit(visit: CaravanVisit, *, starts_at: datetime, ends_at: datetime, message: str = "",
                          now: datetime | None = None) -> CaravanVisit:
    """The requester answers with a time of their own (instead of accepting the organiser's): the request is
    pending again at that time, refused like a new request when it is past or no caravan is free then. Their
    message joins the request's notes."""
    now = _now(now)
    if visit.status not in PENDING_VISIT_STATUSES:
        raise DomainError(_l("Only a pending request can get another date."), code="state", status=409)
    _check_period(starts_at, ends_at)
    if starts_at <= now:
        raise DomainError(_l("The proposed date must be in the future."), field="starts_at")
    _require_free_caravan(visit.organisation_id, _active_caravans(visit.organisation_id), starts_at, ends_at,
                          "starts_at", key=visit.id)
    before = {"start": visit.starts_at, "end": visit.ends_at, "status": visit.status}
    visit.starts_at, visit.ends_at, visit.status = starts_at, ends_at, VisitStatus.REQUESTED
    message = (message or "").strip()
    if message:
        visit.notes = "\n".join(p for p in (visit.notes, f"{_local(now)} {message}") if p)
    bump_sequence(visit)
    db.session.flush()
    audit.record("counter_propose", visit, before=before,
                 after={"start": starts_at, "end": ends_at, "message": message})
    notices.tell_visit(visit, notices.VISIT_RECEIVED.key)
    return visit


def approve_visit(
    visit: CaravanVisit,
    *,
    caravan: Caravan,
    staff_ids: Iterable[int] | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    capacity: int | None = None,
    venue: Venue | None = None,
    actor=None,
    now: datetime | None = None,
) -> CaravanVisit:
    """Schedule a pending visit on a caravan with its staff (default: the caravan's crew).

    Refused on any hard conflict (a confirmed visit of the caravan or a staff member, buffers included, or
    a blackout day). Creates the visit's event with one session and claims the caravan and staff in
    event_caravan_bookings, under the organisation's schedule lock (and the PostgreSQL exclusion constraint).
    """
    now = _now(now)
    if visit.status not in PENDING_VISIT_STATUSES:
        raise DomainError(_l("Only a pending request can be approved."), code="state", status=409)
    if caravan.organisation_id != visit.organisation_id:
        raise DomainError(_l("This caravan belongs to another organisation."), field="caravan_id")
    start, end = starts_at or visit.starts_at, ends_at or visit.ends_at
    _check_period(start, end)
    staff_ids = [s.id for s in caravan.crew] if staff_ids is None else list(staff_ids)
    staff = db.session.execute(
        sa.select(CaravanStaff).where(CaravanStaff.id.in_(staff_ids),
                                      CaravanStaff.organisation_id == visit.organisation_id)
    ).scalars().all() if staff_ids else []
    if len(staff) != len(set(staff_ids)):
        raise DomainError(_l("Unknown staff member."), field="staff_ids")

    acquire_lock(f"events.caravan_schedule:{visit.organisation_id}")
    db.session.refresh(visit)
    if visit.status not in PENDING_VISIT_STATUSES:
        raise DomainError(_l("Only a pending request can be approved."), code="state", status=409)
    if venue is not None:
        visit.venue = venue
    report = visit_conflicts(visit, caravan_id=caravan.id, staff_ids=staff_ids, start=start, end=end)
    if not report.ok:
        raise DomainError(_l("Can't schedule this visit: %(why)s.", why=describe_conflicts(report)),
                          field="starts_at", code="conflict", status=409)
    visit.caravan_id, visit.staff, visit.starts_at, visit.ends_at = caravan.id, staff, start, end
    visit.status, visit.decided_by_id, visit.decided_at = VisitStatus.CONFIRMED, getattr(actor, "id", None), now
    if visit.venue is None:
        visit.venue = _venue_for_visit(visit, actor)
    event = create_event(
        organisation_id=visit.organisation_id,
        kind=EventKind.CARAVAN_SCHOOL if visit.host_kind == VenueKind.SCHOOL else EventKind.CARAVAN_COMMUNITY,
        title=_caravan_event_title(visit),
        description=visit.notes, starts_at=start, ends_at=end, venue_id=visit.venue.id,
        capacity=capacity if capacity is not None else max(visit.expected_audience, 0),
        audience=Audience.SCHOOL_GROUPS if visit.host_kind == VenueKind.SCHOOL else Audience.PUBLIC,
        status=EventStatus.PUBLISHED, actor=actor,
    )
    visit.event_id = event.id
    bump_sequence(visit)
    _claim_resources(visit, caravan.id, [s.id for s in staff])
    audit.record("approve", visit, after={"caravan_id": caravan.id, "staff": [s.id for s in staff],
                                          "start": start, "end": end, "event_id": event.id}, actor=actor)
    notices.tell_visit(visit, notices.VISIT_APPROVED.key)
    return visit


def _caravan_event_title(visit: CaravanVisit) -> str:
    """The visit's event title in the installation's language (not the approving organiser's page language)."""
    from core.i18n import print_locale

    with print_locale():
        return _("Science caravan at %(host)s", host=visit.host_name)


def _venue_for_visit(visit: CaravanVisit, actor) -> Venue:
    existing = db.session.execute(
        sa.select(Venue).where(Venue.organisation_id == visit.organisation_id, Venue.name == visit.host_name)
    ).scalars().first()
    if existing is not None:
        return existing
    return save_venue(None, organisation_id=visit.organisation_id, kind=visit.host_kind, name=visit.host_name,
                      address=visit.address, capacity=visit.expected_audience,
                      host_organisation_id=visit.host_organisation_id, actor=actor)


def _claim_resources(visit: CaravanVisit, caravan_id: int, staff_ids: list[int]) -> None:
    rules = scheduling_rules()
    blocked_from, blocked_until = scheduling.blocked_interval(
        _as_booking(visit, caravan_id=caravan_id, staff_ids=staff_ids), rules)
    resources = [f"caravan:{caravan_id}"] + [f"staff:{sid}" for sid in staff_ids]
    try:
        with db.session.begin_nested():
            for resource in resources:
                db.session.add(CaravanBooking(visit_id=visit.id, resource=resource, blocked_from=blocked_from,
                                              blocked_until=blocked_until))
            db.session.flush()
    except IntegrityError:  # PostgreSQL's exclusion constraint caught a concurrent approval
        raise DomainError(_l("Another approval booked this caravan or a staff member at the same time; reload."),
                          field="starts_at", code="conflict", status=409) from None


def decline_visit(visit: CaravanVisit, *, reason: str, actor=None, now: datetime | None = None) -> CaravanVisit:
    """Decline a pending request; the reason is required and shown to the requester."""
    if visit.status not in PENDING_VISIT_STATUSES:
        raise DomainError(_l("Only a pending request can be declined."), code="state", status=409)
    if not (reason or "").strip():
        raise DomainError(_l("Give a reason for declining."), field="reason")
    visit.status, visit.decision_reason = VisitStatus.DECLINED, reason.strip()
    visit.decided_by_id, visit.decided_at = getattr(actor, "id", None), _now(now)
    bump_sequence(visit)
    db.session.flush()
    audit.record("decline", visit, after={"reason": visit.decision_reason}, actor=actor)
    notices.tell_visit(visit, notices.VISIT_DECLINED.key)
    return visit


def propose_visit_date(visit: CaravanVisit, *, starts_at: datetime, ends_at: datetime, reason: str = "",
                       actor=None, now: datetime | None = None) -> CaravanVisit:
    """Offer the requester another date; they accept it on their status page (then it is pending again)."""
    if visit.status not in PENDING_VISIT_STATUSES:
        raise DomainError(_l("Only a pending request can get another date."), code="state", status=409)
    _check_period(starts_at, ends_at)
    if starts_at <= _now(now):
        raise DomainError(_l("The proposed date must be in the future."), field="starts_at")
    visit.starts_at, visit.ends_at = starts_at, ends_at
    visit.status, visit.decision_reason = VisitStatus.PROPOSED, (reason or "").strip()
    visit.decided_by_id, visit.decided_at = getattr(actor, "id", None), _now(now)
    bump_sequence(visit)
    db.session.flush()
    audit.record("propose", visit, after={"start": starts_at, "end": ends_at}, actor=actor)
    notices.tell_visit(visit, notices.VISIT_PROPOSED.key)
    return visit


def accept_proposed_date(visit: CaravanVisit) -> CaravanVisit:
    """The requester accepts the proposed date: the request is pending again, at that date."""
    if visit.status != VisitStatus.PROPOSED:
        raise DomainError(_l("There is no proposed date to accept."), code="state", status=409)
    visit.status = VisitStatus.REQUESTED
    bump_sequence(visit)
    db.session.flush()
    audit.record("accept_proposal", visit, after={"start": visit.starts_at})
    return visit


def cancel_visit(visit: CaravanVisit, *, reason: str = "", actor=None) -> CaravanVisit:
    """Cancel a visit: it frees its caravan and staff, and its event is cancelled (feeds show STATUS:CANCELLED)."""
    if visit.status in (VisitStatus.CANCELLED, VisitStatus.DECLINED):
        return visit
    db.session.execute(sa.delete(CaravanBooking).where(CaravanBooking.visit_id == visit.id))
    visit.status, visit.decision_reason = VisitStatus.CANCELLED, (reason or visit.decision_reason or "").strip()
    bump_sequence(visit)
    if visit.event is not None:
        set_event_status(visit.event, EventStatus.CANCELLED, actor=actor)
    db.session.flush()
    audit.record("cancel", visit, after={"reason": visit.decision_reason}, actor=actor)
    return visit


def reschedule_visit(visit: CaravanVisit, *, starts_at: datetime, ends_at: datetime, actor=None,
                     now: datetime | None = None) -> CaravanVisit:
    """Move a scheduled visit to another time: the one way a scheduled visit's time changes.

    Under the organisation's schedule lock, the same conflict check as an approval (the visit's own bookings
    don't count; its caravan and staff stay), then its bookings are claimed again over the new blocked interval
    (the PostgreSQL exclusion constraint still has the last word). The visit's event and its sessions move with
    it, every calendar item's SEQUENCE goes up, registrants are told of the change and the requester gets the
    confirmation again at the new time.
    """
    now = _now(now)
    if visit.status != VisitStatus.CONFIRMED:
        raise DomainError(_l("Only a scheduled visit can be moved."), code="state", status=409)
    _check_period(starts_at, ends_at)
    if starts_at <= now:
        raise DomainError(_l("The new date must be in the future."), field="starts_at")
    acquire_lock(f"events.caravan_schedule:{visit.organisation_id}")
    db.session.refresh(visit)
    if visit.status != VisitStatus.CONFIRMED:
        raise DomainError(_l("Only a scheduled visit can be moved."), code="state", status=409)
    old_period = (visit.starts_at, visit.ends_at)
    if (starts_at, ends_at) == old_period:
        return visit
    staff_ids = [s.id for s in visit.staff]
    report = visit_conflicts(visit, caravan_id=visit.caravan_id, staff_ids=staff_ids, start=starts_at, end=ends_at)
    if not report.ok:
        raise DomainError(_l("Can't move this visit: %(why)s.", why=describe_conflicts(report)),
                          field="starts_at", code="conflict", status=409)
    db.session.execute(sa.delete(CaravanBooking).where(CaravanBooking.visit_id == visit.id))
    visit.starts_at, visit.ends_at = starts_at, ends_at
    bump_sequence(visit)
    _claim_resources(visit, visit.caravan_id, staff_ids)
    event = visit.event
    if event is not None:
        event_before = audit.snapshot(event, ["starts_at", "ends_at"])
        event.starts_at, event.ends_at = starts_at, ends_at
        _move_sessions(event, old_period, (starts_at, ends_at), follow_all=True)
        bump_sequence(event)
        db.session.flush()
        audit.record("update", event, before=event_before, after=audit.snapshot(event, ["starts_at", "ends_at"]),
                     actor=actor)
        if event.status == EventStatus.PUBLISHED:
            notices.tell_event_changed(event)
    db.session.flush()
    audit.record("reschedule", visit, before={"start": old_period[0], "end": old_period[1]},
                 after={"start": starts_at, "end": ends_at}, actor=actor)
    notices.tell_visit(visit, notices.VISIT_APPROVED.key)
    return visit


def visits_between(organisation_ids: Iterable[int] | None, start: datetime, end: datetime,
                   caravan_id: int | None = None, include_pending: bool = True) -> list[CaravanVisit]:
    """Visits overlapping [start, end) for calendars, with caravan, venue and staff loaded."""
    statuses = [VisitStatus.CONFIRMED] + (list(PENDING_VISIT_STATUSES) if include_pending else [])
    query = (
        sa.select(CaravanVisit)
        .options(selectinload(CaravanVisit.caravan), selectinload(CaravanVisit.staff),
                 selectinload(CaravanVisit.venue))
        .where(CaravanVisit.status.in_(statuses), CaravanVisit.starts_at < end, CaravanVisit.ends_at > start)
        .order_by(CaravanVisit.starts_at, CaravanVisit.id)
    )
    if organisation_ids is not None:
        query = query.where(CaravanVisit.organisation_id.in_(list(organisation_ids)))
    if caravan_id is not None:
        query = query.where(CaravanVisit.caravan_id == caravan_id)
    return db.session.execute(query).scalars().all()


# --- after the event: attendance, exports, certificates, statistics --------------------------------------


@dataclass
class AttendanceReport:
    event: Event
    sessions: list[dict]  # per session: title, starts_at, capacity, registered, checked_in, no_shows
    schools: list[dict]  # per school: school, registered, checked_in
    no_shows: list[Registration]  # confirmed registrations without a check-in
    attended: list[Registration]


def attendance_report(event: Event) -> AttendanceReport:
    """Attendance per session and per school, and who didn't come (confirmed but never checked in)."""
    registrations = event_registrations(event)
    confirmed = [r for r in registrations if r.status == RegistrationStatus.CONFIRMED]
    attended = [r for r in confirmed if r.checkin is not None]
    no_shows = [r for r in confirmed if r.checkin is None]
    sessions = []
    for session in event.sessions:
        mine = [r for r in confirmed if r.session_id == session.id]
        sessions.append({
            "session": session, "capacity": session.capacity,
            "registered": sum(r.head_count for r in mine),
            "checked_in": sum(r.checkin.head_count for r in mine if r.checkin is not None),
            "no_shows": sum(r.head_count for r in mine if r.checkin is None),
        })
    by_school: dict[str, dict] = {}
    for registration in confirmed:
        key = registration.school_name or ""
        row = by_school.setdefault(key, {"school": key, "registered": 0, "checked_in": 0})
        row["registered"] += registration.head_count
        if registration.checkin is not None:
            row["checked_in"] += registration.checkin.head_count
    schools = sorted(by_school.values(), key=lambda row: (row["school"] == "", row["school"]))
    return AttendanceReport(event, sessions, schools, no_shows, attended)


def member_list(registration: Registration) -> list[str]:
    """The group members' names as listed at registration (one per line, or separated by 、，,)."""
    text = registration.member_names or ""
    for separator in ("，", "、", "\n"):
        text = text.replace(separator, ",")
    return [name.strip() for name in text.split(",") if name.strip()]


def record_contacts_seen(event: Event, what: str, actor=None) -> None:
    """An organiser saw or exported the event's people with full phones (and ID numbers): one audit entry each
    time, naming the page or file (`what`), so who looked at whose contact details can be traced."""
    audit.record("view_contacts", event, after={"what": what}, actor=actor)


def attendance_workbook(event: Event, actor=None) -> bytes:
    """The attendance report as .xlsx: sheets per session, per school, attendees and no-shows with full phones
    and the group members' names (organisers reach people with it); the export is recorded in the audit log."""
    from openpyxl.styles import Font

    from core.spreadsheets import new_workbook, workbook_bytes

    record_contacts_seen(event, "attendance.xlsx", actor=actor)
    report = attendance_report(event)
    book = new_workbook()
    bold = Font(bold=True)

    def sheet(title, header, rows, first=False):
        ws = book.active if first else book.create_sheet()
        ws.title = title[:31]
        ws.append(header)
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            ws.append(row)
        for column, width in zip("ABCDEFGHIJKLM", (24, 18, 14, 14, 14, 30, 18, 14, 10, 10, 18, 14, 18), strict=True):
            ws.column_dimensions[column].width = width

    sheet(_("Sessions"), [_("Session"), _("Start"), _("Capacity"), _("Registered"), _("Checked in"), _("No-shows")],
          [[row["session"].title or _local(row["session"].starts_at), _local(row["session"].starts_at),
            row["capacity"], row["registered"], row["checked_in"], row["no_shows"]] for row in report.sessions],
          first=True)
    sheet(_("Schools"), [_("School"), _("Registered"), _("Checked in")],
          [[row["school"] or _("(no school)"), row["registered"], row["checked_in"]] for row in report.schools])

    def person_rows(registrations, with_checkin):
        for r in registrations:
            row = [r.name, r.phone or "", r.school_name, r.grade,
                   r.head_count, "、".join(member_list(r)), r.session.title or _local(r.session.starts_at)]
            if with_checkin:
                row += [_local(r.checkin.checked_in_at), r.checkin.gate, r.checkin.head_count,
                        _("yes") if r.checkin.over_count else ""]
                if event.exit_scan:
                    row += [_local(r.checkin.checked_out_at), r.checkin.checkout_gate]
            yield row

    common = [_("Full name"), _("Phone"), _("School"), _("Grade"), _("People"), _("Group members"), _("Session")]
    attended = [_("Checked in at"), _("Gate"), _("People in"), _("Over-count confirmed")]
    if event.exit_scan:
        attended += [_("Checked out at"), _("Exit gate")]
    sheet(_("Attendees"), common + attended, person_rows(report.attended, True))
    sheet(_("No-shows"), common, person_rows(report.no_shows, False))
    return workbook_bytes(book)


def insurance_rows(event: Event) -> list[dict]:
    """The insurance/contact list (研学): every confirmed person, group members on their own rows under their
    group, with gender, birth date and ID number where the event asks for them, and the phone to call (the
    registrant's, i.e. the guardian's or the group leader's)."""
    rows = []
    confirmed = [r for r in event_registrations(event) if r.status == RegistrationStatus.CONFIRMED]
    for r in sorted(confirmed, key=lambda r: (r.session.starts_at, r.school_name, r.id)):
        rows.append({"name": r.name, "gender": r.gender, "birth_date": r.birth_date, "id_number": r.id_number or "",
                     "phone": r.phone or "", "school": r.school_name, "grade": r.grade, "session": r.session,
                     "leader": r.kind == RegistrationKind.GROUP})
        for member in member_list(r) if r.kind == RegistrationKind.GROUP else ():
            rows.append({"name": member, "gender": "", "birth_date": None, "id_number": "", "phone": r.phone or "",
                         "school": r.school_name, "grade": r.grade, "session": r.session, "leader": False})
    return rows


def insurance_workbook(event: Event, actor=None) -> bytes:
    """The insurance/contact list as .xlsx (recorded in the audit log: it holds ID numbers and full phones)."""
    from openpyxl.styles import Font

    from core.spreadsheets import new_workbook, workbook_bytes

    record_contacts_seen(event, "insurance.xlsx", actor=actor)
    book = new_workbook()
    ws = book.active
    ws.title = _("Insurance list")[:31]
    header = [_("No."), _("Full name"), _("Gender"), _("Birth date")]
    if event.personal_data == PersonalData.ID_NUMBER:
        header.append(_("ID number"))
    header += [_("Guardian / contact phone"), _("School"), _("Grade"), _("Session")]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for number, row in enumerate(insurance_rows(event), 1):
        values = [number, row["name"], row["gender"], row["birth_date"].isoformat() if row["birth_date"] else ""]
        if event.personal_data == PersonalData.ID_NUMBER:
            values.append(row["id_number"])
        values += [row["phone"], row["school"], row["grade"], row["session"].title or _local(row["session"].starts_at)]
        ws.append(values)
    for index, width in enumerate((6, 16, 6, 12, 22, 16, 24, 10, 20)[:len(header)]):
        ws.column_dimensions[chr(ord("A") + index)].width = width
    return workbook_bytes(book)


def signin_rows(session: EventSession) -> list[Registration]:
    """Who is expected at a session, for its printed sign-in sheet: confirmed registrations by school, then name."""
    return sorted((r for r in event_registrations(session.event)
                   if r.session_id == session.id and r.status == RegistrationStatus.CONFIRMED),
                  key=lambda r: (r.school_name, r.name, r.id))


def collect_attendees(event_id: int):
    """Certificate source "events.attendees": everyone who checked in at a finished event.

    A person is one holder; a school group is one holder per listed member name, or one holder for the
    group (named after its school) when no names were given.
    """
    from flask_babel import to_user_timezone

    from certificates.sources import Holder, SourceBatch, SourceNotFound, SourceNotReady

    event = db.session.get(Event, event_id)
    if event is None:
        raise SourceNotFound()
    if event.ends_at > utcnow():
        raise SourceNotReady(_l("The event has not ended yet; attendance certificates come after it."))
    holders = []
    for registration in attendance_report(event).attended:
        names = member_list(registration)
        if registration.kind == RegistrationKind.GROUP and names:
            for index, name in enumerate(names):
                holders.append(Holder(ref=f"registration:{registration.id}:member:{index}", name=name,
                                      school_id=registration.school_id, school=registration.school_name,
                                      title=event.title, order=index))
        elif registration.kind == RegistrationKind.GROUP:
            holders.append(Holder(ref=f"registration:{registration.id}", name=registration.school_name
                                  or registration.name, school_id=registration.school_id,
                                  school=registration.school_name, title=event.title, minor=False,
                                  extra={"head_count": registration.checkin.head_count}))
        else:
            holders.append(Holder(ref=f"registration:{registration.id}", name=registration.name,
                                  school_id=registration.school_id, school=registration.school_name,
                                  title=event.title))
    return SourceBatch(scope_title=event.title, scope_code=f"EV{event.id}", organisation_id=event.organisation_id,
                       org_name=event.organisation.name, year=to_user_timezone(event.starts_at).year,
                       holders=holders, issue_date=to_user_timezone(event.ends_at).date())


def year_stats(year: int, organisation_ids: Iterable[int] | None = None) -> dict:
    """Published events, their sessions, registered and checked-in people of a (local) calendar year, by kind
    of event, and confirmed caravan visits: the reports area's definitions (drafts and cancelled events don't
    count)."""
    rows = list_events(organisation_ids=organisation_ids, published_only=True, year=year)
    session_ids = [s.id for event, _registered in rows for s in event.sessions]
    counts = session_counts(session_ids)
    by_kind: dict[str, dict] = {}
    for event, _registered in rows:
        entry = by_kind.setdefault(event.kind, {"events": 0, "registered": 0, "checked_in": 0})
        entry["events"] += 1
        entry["registered"] += sum(counts[s.id].registered for s in event.sessions)
        entry["checked_in"] += sum(counts[s.id].checked_in for s in event.sessions)
    visits = db.session.execute(
        sa.select(sa.func.count(CaravanVisit.id)).where(
            CaravanVisit.status == VisitStatus.CONFIRMED,
            CaravanVisit.starts_at >= datetime(year, 1, 1, tzinfo=UTC) - timedelta(hours=8),
            CaravanVisit.starts_at < datetime(year + 1, 1, 1, tzinfo=UTC) - timedelta(hours=8),
            *( [CaravanVisit.organisation_id.in_(list(organisation_ids))] if organisation_ids is not None else []),
        )
    ).scalar()
    return {
        "year": year,
        "events": len(rows),
        "sessions": len(session_ids),
        "registered": sum(v["registered"] for v in by_kind.values()),
        "checked_in": sum(v["checked_in"] for v in by_kind.values()),
        "caravan_visits": int(visits or 0),
        "by_kind": by_kind,
    }


# --- calendars -------------------------------------------------------------------------------------------


def calendar_items_for_events(events: Iterable[Event], host: str, url_for_event) -> list:
    """One iCalendar item per session (UID per session, SEQUENCE = event's + session's changes)."""
    from events import ics

    items = []
    for event in events:
        status = ics.CANCELLED if event.status == EventStatus.CANCELLED else (
            ics.CONFIRMED if event.status == EventStatus.PUBLISHED else ics.TENTATIVE)
        location = ", ".join(p for p in ((event.venue.name, event.venue.address) if event.venue else ()) if p)
        for session in event.sessions:
            summary = event.title + (f" · {session.title}" if session.title and len(event.sessions) > 1 else "")
            items.append(ics.CalendarItem(
                uid=ics.make_uid("session", session.id, host), sequence=event.sequence + session.sequence,
                start=session.starts_at, end=session.ends_at, summary=summary, description=event.description,
                location=location, url=url_for_event(event), status=status, last_modified=event.updated_at,
            ))
    return items


def calendar_items_for_visits(visits: Iterable[CaravanVisit], host: str) -> list:
    """One iCalendar item per caravan visit: confirmed, pending (TENTATIVE) or cancelled. No contact details."""
    from events import ics

    items = []
    for visit in visits:
        status = {VisitStatus.CONFIRMED: ics.CONFIRMED, VisitStatus.CANCELLED: ics.CANCELLED,
                  VisitStatus.DECLINED: ics.CANCELLED}.get(visit.status, ics.TENTATIVE)
        crew = "、".join(s.name for s in visit.staff)
        items.append(ics.CalendarItem(
            uid=ics.make_uid("visit", visit.id, host), sequence=visit.sequence, start=visit.starts_at,
            end=visit.ends_at, summary=_("Science caravan: %(host)s", host=visit.host_name),
            description=(_("Caravan: %(name)s", name=visit.caravan.name) if visit.caravan else "")
            + (("\n" + _("Staff: %(names)s", names=crew)) if crew else ""),
            location=visit.address or (visit.venue.address if visit.venue else ""), status=status,
            last_modified=visit.updated_at,
        ))
    return items


def caravan_feed_visits(caravan_id: int) -> list[CaravanVisit]:
    """Visits of a caravan for its feed: scheduled and cancelled ones from 90 days back on."""
    return db.session.execute(
        sa.select(CaravanVisit).options(selectinload(CaravanVisit.caravan), selectinload(CaravanVisit.staff),
                                        selectinload(CaravanVisit.venue))
        .where(CaravanVisit.caravan_id == caravan_id,
               CaravanVisit.status.in_([VisitStatus.CONFIRMED, VisitStatus.CANCELLED]),
               CaravanVisit.ends_at >= utcnow() - timedelta(days=90))
        .order_by(CaravanVisit.starts_at)
    ).scalars().all()


# --- ticket recovery ("我的报名") -------------------------------------------------------------------------

RECOVERY_PURPOSE = "events.my_registrations"


def registrations_of_contact(channel: str, address: str) -> list[Registration]:
    """A visitor's registrations, newest first: by the phone they gave, or by the account email they used."""
    from accounts.models import User

    if channel == "sms":
        condition = Registration.phone == address
    else:
        condition = Registration.registered_by_id.in_(sa.select(User.id).where(User.email == address))
    return list(db.session.execute(
        sa.select(Registration).options(selectinload(Registration.event), selectinload(Registration.session))
        .where(condition).order_by(Registration.created_at.desc(), Registration.id.desc()).limit(200)
    ).scalars())


def start_ticket_recovery(channel: str, address: str, language: str | None = None) -> None:
    """Send a one-time code to a phone or email that registered (nothing for one that did not, and nothing past
    the hourly limit of codes): the page says the same either way, so it reveals no one's registrations."""
    from notifications.services import Contact, issue_code

    if not registrations_of_contact(channel, address):
        return
    code = issue_code(RECOVERY_PURPOSE, address)
    if code is None:
        return
    contact = Contact(email=address if channel == "email" else None, mobile=address if channel == "sms" else None,
                      language=language)
    notices.send_recovery_code(contact, code)


def finish_ticket_recovery(address: str, code: str) -> bool:
    """True once for the right, live code (short-lived, single-use, a few guesses)."""
    from notifications.services import redeem_code

    return redeem_code(RECOVERY_PURPOSE, address, code)
