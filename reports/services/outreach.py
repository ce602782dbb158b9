"""Outreach figures: published events, sessions, registrations and check-ins (``EventFilter``), caravan
visits and their hosts (``VisitFilter``), check-in volunteers and caravan crew."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa

from core.db import utcnow
from core.extensions import db
from reports.periods import local, month_bounds, year_bounds


@dataclass(frozen=True)
class EventFilter:
    """Published events of some organisations, starting in [starts_from, starts_before)."""

    org_ids: tuple[int, ...] | None = None
    year: int | None = None
    month_of: datetime | None = None  # the China-time month containing this moment
    kind: str | None = None
    group_only: bool = False  # check-ins of group registrations only
    venue_kind: str | None = None  # school, community, science_base, other (events without a venue: other)

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        if self.year is not None:
            return year_bounds(self.year)
        if self.month_of is not None:
            return month_bounds(self.month_of)
        return None, None

    def params(self) -> dict:
        out = {
            k: v
            for k, v in (("year", self.year), ("type", self.kind), ("venue_kind", self.venue_kind))
            if v is not None
        }
        if self.month_of is not None:
            out["month"] = local(self.month_of).strftime("%Y-%m")
        if self.group_only:
            out["group"] = 1
        return out


def event_where(f: EventFilter) -> list:
    from events.models import Event

    where = [Event.status == "published"]
    if f.org_ids is not None:
        where.append(Event.organisation_id.in_(f.org_ids or (-1,)))
    start, end = f.bounds()
    if start is not None:
        where += [Event.starts_at >= start, Event.starts_at < end]
    if f.kind is not None:
        where.append(Event.kind == f.kind)
    if f.venue_kind is not None:
        from events.models import Venue

        of_kind = Event.venue_id.in_(sa.select(Venue.id).where(Venue.kind == f.venue_kind))
        where.append(sa.or_(of_kind, Event.venue_id.is_(None)) if f.venue_kind == "other" else of_kind)
    return where


def events_select(f: EventFilter):
    from sqlalchemy.orm import selectinload

    from events.models import Event

    return (
        sa.select(Event)
        .where(*event_where(f))
        .options(selectinload(Event.venue), selectinload(Event.sessions))
        .order_by(Event.starts_at, Event.id)
    )


def sessions_select(f: EventFilter):
    """Sessions of the filter's events."""
    from sqlalchemy.orm import joinedload

    from events.models import Event, EventSession

    return (
        sa.select(EventSession)
        .join(Event, Event.id == EventSession.event_id)
        .where(*event_where(f))
        .options(joinedload(EventSession.event))
        .order_by(EventSession.starts_at, EventSession.id)
    )


def registrations_select(f: EventFilter):
    """Confirmed registrations at the filter's events (their head-counts are the registered people)."""
    from sqlalchemy.orm import joinedload

    from events.models import Event, Registration

    return (
        sa.select(Registration)
        .join(Event, Event.id == Registration.event_id)
        .where(*event_where(f), Registration.status == "confirmed")
        .options(joinedload(Registration.event))
        .order_by(Registration.created_at, Registration.id)
    )


def checkins_select(f: EventFilter):
    """Check-ins at the filter's events (each with its registration), for the checked-in figures."""
    from sqlalchemy.orm import joinedload

    from events.models import CheckIn, Event, Registration

    query = (
        sa.select(CheckIn)
        .join(Event, Event.id == CheckIn.event_id)
        .where(*event_where(f))
        .options(joinedload(CheckIn.registration).joinedload(Registration.event))
        .order_by(CheckIn.checked_in_at, CheckIn.id)
    )
    if f.group_only:
        query = query.join(Registration, Registration.id == CheckIn.registration_id).where(Registration.kind == "group")
    return query


def event_counts(f: EventFilter) -> dict[str, dict[str, int]]:
    """Per event kind: events, sessions, registered people, checked-in people, of which in groups.
    Four grouped queries whatever the number of events."""
    from events.models import CheckIn, Event, EventSession, Registration

    out: dict[str, dict[str, int]] = defaultdict(
        lambda: {"events": 0, "sessions": 0, "registered": 0, "checked_in": 0, "group_checked_in": 0}
    )
    where = event_where(f)
    for kind, n in db.session.execute(
        sa.select(Event.kind, sa.func.count(Event.id)).where(*where).group_by(Event.kind)
    ):
        out[kind]["events"] = int(n)
    for kind, n in db.session.execute(
        sa.select(Event.kind, sa.func.count(EventSession.id))
        .join(EventSession, EventSession.event_id == Event.id)
        .where(*where)
        .group_by(Event.kind)
    ):
        out[kind]["sessions"] = int(n)
    for kind, n in db.session.execute(
        sa.select(Event.kind, sa.func.coalesce(sa.func.sum(Registration.head_count), 0))
        .join(Registration, Registration.event_id == Event.id)
        .where(*where, Registration.status == "confirmed")
        .group_by(Event.kind)
    ):
        out[kind]["registered"] = int(n)
    for kind, rkind, n in db.session.execute(
        sa.select(Event.kind, Registration.kind, sa.func.coalesce(sa.func.sum(CheckIn.head_count), 0))
        .join(CheckIn, CheckIn.event_id == Event.id)
        .join(Registration, Registration.id == CheckIn.registration_id)
        .where(*where)
        .group_by(Event.kind, Registration.kind)
    ):
        out[kind]["checked_in"] += int(n)
        if rkind == "group":
            out[kind]["group_checked_in"] += int(n)
    return dict(out)


def checked_in_by_venue_kind(f: EventFilter) -> dict[str, int]:
    """Checked-in people per kind of venue (a science base's visitors, schools, communities): one query."""
    from events.models import CheckIn, Event, Venue

    kind = sa.func.coalesce(Venue.kind, "other")
    rows = db.session.execute(
        sa.select(kind, sa.func.coalesce(sa.func.sum(CheckIn.head_count), 0))
        .select_from(CheckIn)
        .join(Event, Event.id == CheckIn.event_id)
        .outerjoin(Venue, Venue.id == Event.venue_id)
        .where(*event_where(f))
        .group_by(kind)
    )
    return {k: int(n) for k, n in rows}


@dataclass(frozen=True)
class VisitFilter:
    """Confirmed caravan visits of some organisations in a year (or from a moment on, for the schedule)."""

    org_ids: tuple[int, ...] | None = None
    year: int | None = None
    host_kind: str | None = None
    uncounted_only: bool = False  # visits that took place without any check-in at their event
    upcoming_from: datetime | None = None
    host_name: str | None = None

    def params(self) -> dict:
        out = {
            k: v
            for k, v in (("year", self.year), ("host_kind", self.host_kind), ("host", self.host_name))
            if v is not None
        }
        if self.uncounted_only:
            out["uncounted"] = 1
        if self.upcoming_from is not None:
            out["upcoming"] = 1
        return out


def visit_where(f: VisitFilter, now: datetime | None = None) -> list:
    from events.caravan.models import CaravanVisit
    from events.models import CheckIn

    where = [CaravanVisit.status == "confirmed"]
    if f.org_ids is not None:
        where.append(CaravanVisit.organisation_id.in_(f.org_ids or (-1,)))
    if f.year is not None:
        start, end = year_bounds(f.year)
        where += [CaravanVisit.starts_at >= start, CaravanVisit.starts_at < end]
    if f.host_kind is not None:
        where.append(CaravanVisit.host_kind == f.host_kind)
    if f.host_name is not None:
        where.append(CaravanVisit.host_name == f.host_name)
    if f.upcoming_from is not None:
        where.append(CaravanVisit.ends_at >= f.upcoming_from)
    if f.uncounted_only:
        where += [
            CaravanVisit.ends_at <= (now or utcnow()),
            sa.or_(CaravanVisit.event_id.is_(None), ~sa.exists().where(CheckIn.event_id == CaravanVisit.event_id)),
        ]
    return where


def visits_select(f: VisitFilter, now: datetime | None = None):
    from sqlalchemy.orm import joinedload, selectinload

    from events.caravan.models import CaravanVisit

    return (
        sa.select(CaravanVisit)
        .where(*visit_where(f, now))
        .options(joinedload(CaravanVisit.caravan), selectinload(CaravanVisit.staff))
        .order_by(CaravanVisit.starts_at, CaravanVisit.id)
    )


def visit_counts(f: VisitFilter, now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Per host kind: visits, distinct hosts (by name, as in hosts_visited) and the reported
    audience of visits without check-ins (uncounted). Two grouped queries."""
    from events.caravan.models import CaravanVisit

    host = CaravanVisit.host_name
    out: dict[str, dict[str, int]] = defaultdict(lambda: {"visits": 0, "hosts": 0, "uncounted_audience": 0})
    for kind, visits, hosts in db.session.execute(
        sa.select(CaravanVisit.host_kind, sa.func.count(CaravanVisit.id), sa.func.count(sa.distinct(host)))
        .where(*visit_where(f, now))
        .group_by(CaravanVisit.host_kind)
    ):
        out[kind]["visits"], out[kind]["hosts"] = int(visits), int(hosts)
    for kind, audience in db.session.execute(
        sa.select(CaravanVisit.host_kind, sa.func.coalesce(sa.func.sum(CaravanVisit.expected_audience), 0))
        .where(*visit_where(replace(f, uncounted_only=True), now))
        .group_by(CaravanVisit.host_kind)
    ):
        out[kind]["uncounted_audience"] = int(audience)
    return dict(out)


def hosts_visited(f: VisitFilter, now: datetime | None = None) -> list[dict]:
    """Schools and communities the caravan visited: name, kind, visits, first and last visit (one query)."""
    from events.caravan.models import CaravanVisit

    rows = db.session.execute(
        sa.select(
            CaravanVisit.host_kind,
            CaravanVisit.host_name,
            sa.func.count(CaravanVisit.id),
            sa.func.sum(CaravanVisit.expected_audience),
        )
        .where(*visit_where(f, now))
        .group_by(CaravanVisit.host_kind, CaravanVisit.host_name)
        .order_by(CaravanVisit.host_kind, CaravanVisit.host_name)
    )
    return [{"kind": k, "name": n, "visits": int(v), "audience": int(a or 0)} for k, n, v, a in rows]


def checkin_staff_select(f: EventFilter):
    """Accounts with the check-in role on the filter's events (one row per account)."""
    from accounts.models import Membership, User
    from events.models import Event

    event_ids = sa.select(Event.id).where(*event_where(f))
    return (
        sa.select(User)
        .where(
            User.id.in_(
                sa.select(Membership.user_id).where(Membership.role == "checkin", Membership.scope_id.in_(event_ids))
            )
        )
        .order_by(User.name, User.id)
    )


def crew_select(f: VisitFilter, now: datetime | None = None):
    """Caravan crew who went out on the filter's visits."""
    from events.caravan.models import CaravanStaff, CaravanVisit, visit_staff

    visit_ids = sa.select(CaravanVisit.id).where(*visit_where(f, now))
    return (
        sa.select(CaravanStaff)
        .where(CaravanStaff.id.in_(sa.select(visit_staff.c.staff_id).where(visit_staff.c.visit_id.in_(visit_ids))))
        .order_by(CaravanStaff.name, CaravanStaff.id)
    )
