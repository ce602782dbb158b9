"""Caravan visits: a school's request, the organiser's counter-proposal, approval (which books a caravan and its
staff and creates the visit's event), decline, date proposals, cancellation, rescheduling; and the lists of
visits for calendars. Conflicts are checked and described by events.caravan.conflicts.

Concurrency: an approval takes the organisation's schedule lock before checking conflicts, and on PostgreSQL
an exclusion constraint on event_caravan_bookings refuses overlaps whatever happens."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from core import audit
from core.errors import DomainError
from core.extensions import db
from core.locks import acquire_lock
from core.phones import InvalidPhone, parse_mobile
from events import notifications as notices
from events import tickets
from events.caravan import conflicts
from events.caravan.models import Caravan, CaravanBooking, CaravanStaff, CaravanVisit
from events.models import PENDING_VISIT_STATUSES, Audience, EventKind, EventStatus, Venue, VenueKind, VisitStatus
from events.services.common import _check_period, _local, _now, bump_sequence
from events.services.planning import create_event, move_sessions, save_venue, set_event_status


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
        organisation_id=organisation_id,
        host_kind=host_kind,
        host_name=host_name.strip(),
        contact_name=contact_name.strip(),
        contact_phone=phone,
        preferred_start=preferred_start,
        preferred_end=preferred_end,
        alternative_start=alternative_start,
        alternative_end=alternative_end,
        starts_at=preferred_start,
        ends_at=preferred_end,
        expected_audience=expected_audience or 0,
        notes=(notes or "").strip(),
        address=(address or "").strip(),
        host_organisation_id=host_organisation_id,
        venue_id=venue_id,
        token=tickets.new_link_token(),
        submitted_by_id=getattr(user, "id", None),
        status=VisitStatus.REQUESTED,
    )
    caravans = conflicts.active_caravans(organisation_id)
    if not caravans:
        raise DomainError(_l("This organisation has no caravan to request."), field="organisation_id")
    slots = [("preferred_start", preferred_start, preferred_end)]
    if alternative_start is not None:
        slots.append(("alternative_start", alternative_start, alternative_end))
    for field_name, start, end in slots:
        conflicts.require_free_caravan(organisation_id, caravans, start, end, field_name)
    db.session.add(visit)
    db.session.flush()
    audit.record("request", visit, after={"host": visit.host_name, "start": preferred_start}, actor=user)
    notices.tell_visit(visit, notices.VISIT_RECEIVED.key)
    return visit


def counter_propose_visit(
    visit: CaravanVisit, *, starts_at: datetime, ends_at: datetime, message: str = "", now: datetime | None = None
) -> CaravanVisit:
    """The requester answers with a time of their own (instead of accepting the organiser's): the request is
    pending again at that time, refused like a new request when it is past or no caravan is free then. Their
    message joins the request's notes."""
    now = _now(now)
    if visit.status not in PENDING_VISIT_STATUSES:
        raise DomainError(_l("Only a pending request can get another date."), code="state", status=409)
    _check_period(starts_at, ends_at)
    if starts_at <= now:
        raise DomainError(_l("The proposed date must be in the future."), field="starts_at")
    conflicts.require_free_caravan(
        visit.organisation_id,
        conflicts.active_caravans(visit.organisation_id),
        starts_at,
        ends_at,
        "starts_at",
        key=visit.id,
    )
    before = {"start": visit.starts_at, "end": visit.ends_at, "status": visit.status}
    visit.starts_at, visit.ends_at, visit.status = starts_at, ends_at, VisitStatus.REQUESTED
    message = (message or "").strip()
    if message:
        visit.notes = "\n".join(p for p in (visit.notes, f"{_local(now)} {message}") if p)
    bump_sequence(visit)
    db.session.flush()
    audit.record(
        "counter_propose", visit, before=before, after={"start": starts_at, "end": ends_at, "message": message}
    )
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
    staff = (
        db.session.execute(
            sa.select(CaravanStaff).where(
                CaravanStaff.id.in_(staff_ids), CaravanStaff.organisation_id == visit.organisation_id
            )
        )
        .scalars()
        .all()
        if staff_ids
        else []
    )
    if len(staff) != len(set(staff_ids)):
        raise DomainError(_l("Unknown staff member."), field="staff_ids")

    acquire_lock(f"events.caravan_schedule:{visit.organisation_id}")
    db.session.refresh(visit)
    if visit.status not in PENDING_VISIT_STATUSES:
        raise DomainError(_l("Only a pending request can be approved."), code="state", status=409)
    if venue is not None:
        visit.venue = venue
    report = conflicts.visit_conflicts(visit, caravan_id=caravan.id, staff_ids=staff_ids, start=start, end=end)
    if not report.ok:
        raise DomainError(
            _l("Can't schedule this visit: %(why)s.", why=conflicts.describe_conflicts(report)),
            field="starts_at",
            code="conflict",
            status=409,
        )
    visit.caravan_id, visit.staff, visit.starts_at, visit.ends_at = caravan.id, staff, start, end
    visit.status, visit.decided_by_id, visit.decided_at = VisitStatus.CONFIRMED, getattr(actor, "id", None), now
    if visit.venue is None:
        visit.venue = _venue_for_visit(visit, actor)
    event = create_event(
        organisation_id=visit.organisation_id,
        kind=EventKind.CARAVAN_SCHOOL if visit.host_kind == VenueKind.SCHOOL else EventKind.CARAVAN_COMMUNITY,
        title=_caravan_event_title(visit),
        description=visit.notes,
        starts_at=start,
        ends_at=end,
        venue_id=visit.venue.id,
        capacity=capacity if capacity is not None else max(visit.expected_audience, 0),
        audience=Audience.SCHOOL_GROUPS if visit.host_kind == VenueKind.SCHOOL else Audience.PUBLIC,
        status=EventStatus.PUBLISHED,
        actor=actor,
    )
    visit.event_id = event.id
    bump_sequence(visit)
    conflicts.claim_resources(visit, caravan.id, [s.id for s in staff])
    audit.record(
        "approve",
        visit,
        after={
            "caravan_id": caravan.id,
            "staff": [s.id for s in staff],
            "start": start,
            "end": end,
            "event_id": event.id,
        },
        actor=actor,
    )
    notices.tell_visit(visit, notices.VISIT_APPROVED.key)
    return visit


def _caravan_event_title(visit: CaravanVisit) -> str:
    """The visit's event title in the installation's language (not the approving organiser's page language)."""
    from core.i18n import print_locale

    with print_locale():
        return _("Science caravan at %(host)s", host=visit.host_name)


def _venue_for_visit(visit: CaravanVisit, actor) -> Venue:
    existing = (
        db.session.execute(
            sa.select(Venue).where(Venue.organisation_id == visit.organisation_id, Venue.name == visit.host_name)
        )
        .scalars()
        .first()
    )
    if existing is not None:
        return existing
    return save_venue(
        None,
        organisation_id=visit.organisation_id,
        kind=visit.host_kind,
        name=visit.host_name,
        address=visit.address,
        capacity=visit.expected_audience,
        host_organisation_id=visit.host_organisation_id,
        actor=actor,
    )


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


def propose_visit_date(
    visit: CaravanVisit,
    *,
    starts_at: datetime,
    ends_at: datetime,
    reason: str = "",
    actor=None,
    now: datetime | None = None,
) -> CaravanVisit:
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


def reschedule_visit(
    visit: CaravanVisit, *, starts_at: datetime, ends_at: datetime, actor=None, now: datetime | None = None
) -> CaravanVisit:
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
    report = conflicts.visit_conflicts(
        visit, caravan_id=visit.caravan_id, staff_ids=staff_ids, start=starts_at, end=ends_at
    )
    if not report.ok:
        raise DomainError(
            _l("Can't move this visit: %(why)s.", why=conflicts.describe_conflicts(report)),
            field="starts_at",
            code="conflict",
            status=409,
        )
    db.session.execute(sa.delete(CaravanBooking).where(CaravanBooking.visit_id == visit.id))
    visit.starts_at, visit.ends_at = starts_at, ends_at
    bump_sequence(visit)
    conflicts.claim_resources(visit, visit.caravan_id, staff_ids)
    event = visit.event
    if event is not None:
        event_before = audit.snapshot(event, ["starts_at", "ends_at"])
        event.starts_at, event.ends_at = starts_at, ends_at
        move_sessions(event, old_period, (starts_at, ends_at), follow_all=True)
        bump_sequence(event)
        db.session.flush()
        audit.record(
            "update", event, before=event_before, after=audit.snapshot(event, ["starts_at", "ends_at"]), actor=actor
        )
        if event.status == EventStatus.PUBLISHED:
            notices.tell_event_changed(event)
    db.session.flush()
    audit.record(
        "reschedule",
        visit,
        before={"start": old_period[0], "end": old_period[1]},
        after={"start": starts_at, "end": ends_at},
        actor=actor,
    )
    notices.tell_visit(visit, notices.VISIT_APPROVED.key)
    return visit


def visits_between(
    organisation_ids: Iterable[int] | None,
    start: datetime,
    end: datetime,
    caravan_id: int | None = None,
    include_pending: bool = True,
) -> list[CaravanVisit]:
    """Visits overlapping [start, end) for calendars, with caravan, venue and staff loaded."""
    statuses = [VisitStatus.CONFIRMED] + (list(PENDING_VISIT_STATUSES) if include_pending else [])
    query = (
        sa.select(CaravanVisit)
        .options(selectinload(CaravanVisit.caravan), selectinload(CaravanVisit.staff), selectinload(CaravanVisit.venue))
        .where(CaravanVisit.status.in_(statuses), CaravanVisit.starts_at < end, CaravanVisit.ends_at > start)
        .order_by(CaravanVisit.starts_at, CaravanVisit.id)
    )
    if organisation_ids is not None:
        query = query.where(CaravanVisit.organisation_id.in_(list(organisation_ids)))
    if caravan_id is not None:
        query = query.where(CaravanVisit.caravan_id == caravan_id)
    return db.session.execute(query).scalars().all()


def visit_by_token(token: str) -> CaravanVisit | None:
    """The visit behind a requester's status link."""
    return db.session.execute(sa.select(CaravanVisit).where(CaravanVisit.token == token[:64])).scalar_one_or_none()
