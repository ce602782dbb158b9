"""Caravan conflicts: the scheduling rules from the configuration, the conflict check of a visit against the
organisation's other visits and blackout days (the pure rules are events.caravan.scheduling), the sentence that
describes a refusal, whether any caravan is free for a requested slot, and claiming a visit's caravan and staff
in event_caravan_bookings (where the PostgreSQL exclusion constraint has the last word)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from core.errors import DomainError
from core.extensions import db
from core.intervals import intervals_overlap
from events.caravan import scheduling
from events.caravan.models import Blackout, Caravan, CaravanBooking, CaravanStaff, CaravanVisit
from events.models import PENDING_VISIT_STATUSES, VisitStatus
from events.services.common import _local


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


def _travel(visit: CaravanVisit) -> timedelta | None:
    if visit.venue is not None and visit.venue.travel_minutes is not None:
        return timedelta(minutes=visit.venue.travel_minutes)
    return None


def as_booking(visit: CaravanVisit, *, caravan_id=None, staff_ids=None, start=None, end=None) -> scheduling.Booking:
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
    return (
        db.session.execute(
            sa.select(CaravanVisit)
            .options(selectinload(CaravanVisit.staff), selectinload(CaravanVisit.venue))
            .where(
                CaravanVisit.organisation_id == organisation_id,
                CaravanVisit.status.in_([VisitStatus.CONFIRMED, *PENDING_VISIT_STATUSES]),
                CaravanVisit.starts_at < end + margin,
                CaravanVisit.ends_at > start - margin,
            )
            .execution_options(populate_existing=True)
        )
        .scalars()
        .all()
    )


def _blackouts(organisation_id: int) -> list[scheduling.Blackout]:
    rows = db.session.execute(sa.select(Blackout).where(Blackout.organisation_id == organisation_id)).scalars().all()
    return [scheduling.Blackout(b.first_day, b.last_day, b.caravan_id, b.reason) for b in rows]


def visit_conflicts(
    visit: CaravanVisit,
    *,
    caravan_id: int | None,
    staff_ids: Iterable[int] = (),
    start: datetime | None = None,
    end: datetime | None = None,
) -> scheduling.ConflictReport:
    """Hard conflicts (confirmed visits, blackouts) and soft ones (pending requests) for scheduling `visit`
    on `caravan_id` with `staff_ids` at [start, end)."""
    start, end = start or visit.starts_at, end or visit.ends_at
    candidate = as_booking(visit, caravan_id=caravan_id, staff_ids=list(staff_ids), start=start, end=end)
    others = [as_booking(v) for v in _nearby_visits(visit.organisation_id, start, end) if v.id != visit.id]
    # a pending request without a caravan yet claims nothing specific, so it can't collide by resource;
    # it is shown as a soft conflict when it overlaps in time on any caravan of the organisation.
    report = scheduling.find_conflicts(candidate, others, scheduling_rules(), _blackouts(visit.organisation_id))
    rules = scheduling_rules()
    mine = scheduling.blocked_interval(candidate, rules)
    extra_soft = tuple(
        scheduling.Conflict(scheduling.OVERLAP, False, None, other.key, scheduling.blocked_interval(other, rules))
        for other in others
        if not other.confirmed
        and other.caravan_id is None
        and intervals_overlap(mine, scheduling.blocked_interval(other, rules))
    )
    return scheduling.ConflictReport(report.hard, report.soft + extra_soft, report.needs)


def describe_conflicts(report: scheduling.ConflictReport) -> str:
    """A readable sentence listing the hard conflicts (for the refusal message).

    A colliding visit is shown with its own times and, said as such, the longer time it keeps the caravan or
    staff member busy (its blocked interval: travel and setup before, packing up after).
    """
    parts = []
    visits = (
        {
            v.id: v
            for v in db.session.execute(
                sa.select(CaravanVisit).where(CaravanVisit.id.in_([c.other_key for c in report.hard if c.other_key]))
            ).scalars()
        }
        if report.hard
        else {}
    )
    staff_ids = [c.resource[1] for c in report.hard if c.resource and c.resource[0] == scheduling.STAFF]
    staff_names = (
        dict(
            db.session.execute(
                sa.select(CaravanStaff.id, CaravanStaff.name).where(CaravanStaff.id.in_(staff_ids))
            ).all()
        )
        if staff_ids
        else {}
    )

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
        values = dict(
            host=other.host_name if other else "?",
            start=start,
            end=end,
            blocked_from=blocked_from,
            blocked_until=blocked_until,
        )
        if conflict.resource and conflict.resource[0] == scheduling.CARAVAN:
            parts.append(
                _(
                    "the caravan is already booked for %(host)s: the visit runs %(start)s – %(end)s, and "
                    "with travel, setup and packing-up time the caravan is busy from %(blocked_from)s to "
                    "%(blocked_until)s",
                    **values,
                )
            )
        else:
            parts.append(
                _(
                    "%(staff)s is already booked for %(host)s: the visit runs %(start)s – %(end)s, "
                    "and with travel, setup and packing-up time they are busy from %(blocked_from)s to "
                    "%(blocked_until)s",
                    staff=staff_names.get(conflict.resource[1], "?"),
                    **values,
                )
            )
    if report.needs and any(c.kind == scheduling.OVERLAP for c in report.hard):
        # the blocked interval of the other visit is not the whole story: this visit needs its own travel and
        # setup time before it, so a start right at the end of the other's blocked interval is still refused
        needs_from, needs_until = period(*report.needs)
        parts.append(
            _(
                "with its own travel, setup and packing-up time this visit would need them from "
                "%(needs_from)s to %(needs_until)s",
                needs_from=needs_from,
                needs_until=needs_until,
            )
        )
    return _("; ").join(dict.fromkeys(parts))  # "；" in Chinese


def active_caravans(organisation_id: int) -> list[Caravan]:
    return (
        db.session.execute(
            sa.select(Caravan)
            .where(Caravan.organisation_id == organisation_id, Caravan.active.is_(True))
            .order_by(Caravan.id)
        )
        .scalars()
        .all()
    )


def require_free_caravan(
    organisation_id: int, caravans: list[Caravan], start: datetime, end: datetime, field_name: str, key=None
) -> None:
    """Refuse a requested slot when no caravan is free then (confirmed visits and blackouts, buffers included)."""
    candidate = scheduling.Booking(key, None, start, end, False)
    existing = [as_booking(v) for v in _nearby_visits(organisation_id, start, end)]
    if not scheduling.free_caravans(
        candidate, [c.id for c in caravans], existing, scheduling_rules(), _blackouts(organisation_id)
    ):
        raise DomainError(
            _l(
                "The caravan is already booked (or unavailable) at %(start)s – %(end)s; choose another date.",
                start=_local(start),
                end=_local(end),
            ),
            field=field_name,
            code="conflict",
            status=409,
        )


def claim_resources(visit: CaravanVisit, caravan_id: int, staff_ids: list[int]) -> None:
    rules = scheduling_rules()
    blocked_from, blocked_until = scheduling.blocked_interval(
        as_booking(visit, caravan_id=caravan_id, staff_ids=staff_ids), rules
    )
    resources = [f"caravan:{caravan_id}"] + [f"staff:{sid}" for sid in staff_ids]
    try:
        with db.session.begin_nested():
            for resource in resources:
                db.session.add(
                    CaravanBooking(
                        visit_id=visit.id, resource=resource, blocked_from=blocked_from, blocked_until=blocked_until
                    )
                )
            db.session.flush()
    except IntegrityError:  # PostgreSQL's exclusion constraint caught a concurrent approval
        raise DomainError(
            _l("Another approval booked this caravan or a staff member at the same time; reload."),
            field="starts_at",
            code="conflict",
            status=409,
        ) from None
