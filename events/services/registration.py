"""Registration: who may register when, the personal answers an event asks for, register (onto the waiting
list when full), cancel, find by ticket token, search and list an event's registrations.

Concurrency: a registration takes the session's named lock (core.locks) before counting seats."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from core import audit
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from core.locks import acquire_lock
from core.phones import InvalidPhone, parse_mobile
from events import capacity as seats
from events import checkin as decision_rules
from events import notifications as notices
from events import tickets
from events.models import (
    Audience,
    CheckIn,
    Event,
    EventSession,
    EventStatus,
    PersonalData,
    Registration,
    RegistrationKind,
    RegistrationSource,
    RegistrationStatus,
)
from events.services.capacity import promote_waitlist, session_counts
from events.services.checkin import checkin_lock_name, session_window
from events.services.common import MAX_HEAD_COUNT, _local, _now


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


def personal_answers(
    event: Event,
    kind: str,
    *,
    gender: str = "",
    birth_date: date | None = None,
    id_number: str | None = None,
    required: bool = True,
) -> dict:
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
            raise DomainError(
                _l("This is not a valid ID number (18 characters, with its check digit)."), field="id_number"
            ) from None
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


def register(  # noqa: C901 — the registration rules in the order a visitor meets them (window, walk-in,
    # duplicate, seats or waiting list, group size); each is a few lines and splitting would hide that order
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
    if (
        event.audience == Audience.SCHOOL_GROUPS
        and kind != RegistrationKind.GROUP
        and source != RegistrationSource.WALK_IN
    ):
        raise DomainError(_l("This event takes school groups only."), field="kind")
    personal = personal_answers(
        event,
        kind,
        gender=gender,
        birth_date=birth_date,
        id_number=id_number,
        required=source != RegistrationSource.WALK_IN,
    )
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
            raise DomainError(
                _l(
                    "Check-in for this session is not open now (%(start)s – %(end)s).",
                    start=_local(window.opens_at),
                    end=_local(window.closes_at),
                ),
                field="session_id",
                code=decision_rules.OUTSIDE_WINDOW,
                status=409,
            )
    elif not registration_open(event, now):
        raise DomainError(_l("Registration for this event is not open."), field="session_id")
    elif session.ends_at <= now:  # the event's window may still be open while this session is over
        raise DomainError(_l("This session is over; choose a later one."), field="session_id")

    acquire_lock(f"events.session:{session.id}")
    if (
        normalised_phone
        and db.session.execute(
            sa.select(Registration.id).where(
                Registration.session_id == session.id,
                Registration.phone == normalised_phone,
                Registration.status != RegistrationStatus.CANCELLED,
            )
        ).first()
    ):
        raise DomainError(
            _l("This phone number is already registered for this session."), field="phone", code="duplicate", status=409
        )
    counts = session_counts([session.id])[session.id]
    walk_in = source == RegistrationSource.WALK_IN
    placement = seats.place_registration(
        session.capacity, counts.registered, int(head_count), event.waitlist_enabled and not walk_in
    )
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
        event_id=event.id,
        session_id=session.id,
        kind=kind,
        source=source,
        name=name,
        phone=normalised_phone,
        head_count=int(head_count),
        school_name=(school_name or "").strip(),
        school_id=school_id,
        grade=(grade or "").strip(),
        member_names=(member_names or "").strip(),
        status=RegistrationStatus.CONFIRMED if placement == seats.CONFIRMED else RegistrationStatus.WAITLISTED,
        code=tickets.new_code(),
        link_token=tickets.new_link_token(),
        registered_by_id=getattr(user, "id", None),
        **personal,
    )
    db.session.add(registration)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise DomainError(
            _l("This phone number is already registered for this session."), field="phone", code="duplicate", status=409
        ) from None
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
        raise DomainError(
            _l("This ticket was already used to check in and can't be cancelled."), code="checked_in", status=409
        )
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    db.session.flush()
    audit.record(
        "cancel",
        registration,
        before={"status": "confirmed" if was_confirmed else "waitlisted"},
        after={"status": "cancelled"},
        actor=actor,
    )
    return promote_waitlist(registration.session, now=now) if was_confirmed else []


def find_registration_by_token(token: str) -> Registration | None:
    if not token or len(token) > 64:
        return None
    return db.session.execute(
        sa.select(Registration)
        .options(selectinload(Registration.event), selectinload(Registration.session))
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
    return (
        db.session.execute(
            sa.select(Registration)
            .options(selectinload(Registration.checkin), selectinload(Registration.session))
            .where(Registration.event_id == event.id, condition)
            .order_by(Registration.name, Registration.id)
            .limit(limit)
        )
        .scalars()
        .all()
    )


def event_registrations(event: Event) -> list[Registration]:
    """All registrations of an event with session and check-in loaded (for lists and exports)."""
    return (
        db.session.execute(
            sa.select(Registration)
            .options(selectinload(Registration.checkin), selectinload(Registration.session))
            .where(Registration.event_id == event.id)
            .order_by(Registration.session_id, Registration.id)
        )
        .scalars()
        .all()
    )
