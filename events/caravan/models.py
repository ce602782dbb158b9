"""The science caravan's tables: caravans and their crew, staff, visits (a request that becomes a scheduled
visit), the bookings that keep a caravan or a person from being in two places at once, and blackout days.
Table and constraint names are those of migration e0001 (they moved here from events/models.py unchanged);
the visit statuses are part of the area's vocabulary in events.models."""

from __future__ import annotations

import secrets
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import TimestampMixin, UTCDateTime
from core.extensions import db
from events.models import PENDING_VISIT_STATUSES, Event, Venue, VenueKind, VisitStatus, _in

caravan_crew = sa.Table(
    "event_caravan_crew",
    db.metadata,
    sa.Column("caravan_id", sa.ForeignKey("event_caravans.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("staff_id", sa.ForeignKey("event_caravan_staff.id", ondelete="CASCADE"), primary_key=True),
)

visit_staff = sa.Table(
    "event_visit_staff",
    db.metadata,
    sa.Column("visit_id", sa.ForeignKey("event_caravan_visits.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("staff_id", sa.ForeignKey("event_caravan_staff.id", ondelete="CASCADE"), primary_key=True),
)


class CaravanStaff(db.Model):
    """A person who goes out with a caravan (driver, exhibit guide); can't be in two places at once."""

    __tablename__ = "event_caravan_staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    role: Mapped[str] = mapped_column(sa.String(60), default="", nullable=False)
    active: Mapped[bool] = mapped_column(default=True, nullable=False)


class Caravan(TimestampMixin, db.Model):
    """科普大篷车: a vehicle with an exhibit set and a default crew."""

    __tablename__ = "event_caravans"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    vehicle: Mapped[str] = mapped_column(sa.String(100), default="", nullable=False)
    exhibit_set: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    active: Mapped[bool] = mapped_column(default=True, nullable=False)
    # The staff calendar feed (crew names, school visits) is read at /events/caravans/feed/<feed_token>.ics:
    # 192 random bits, given to the crew's calendar apps; an organiser can replace it (reset_caravan_feed).
    feed_token: Mapped[str] = mapped_column(
        sa.String(64), unique=True, nullable=False, default=lambda: secrets.token_urlsafe(24)
    )

    crew: Mapped[list[CaravanStaff]] = relationship(secondary=caravan_crew, order_by="CaravanStaff.name")

    @property
    def audit_organisation_id(self) -> int:
        return self.organisation_id


class CaravanVisit(TimestampMixin, db.Model):
    """A school's or community's request for the caravan, and, once approved, the scheduled visit."""

    __tablename__ = "event_caravan_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    caravan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event_caravans.id", ondelete="RESTRICT"), index=True)
    venue_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event_venues.id", ondelete="SET NULL"))
    host_organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"))
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(sa.String(20), default=VisitStatus.REQUESTED, nullable=False, index=True)
    host_kind: Mapped[str] = mapped_column(sa.String(20), default=VenueKind.SCHOOL, nullable=False)
    host_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    address: Mapped[str] = mapped_column(sa.String(300), default="", nullable=False)
    contact_name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    contact_phone: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    expected_audience: Mapped[int] = mapped_column(default=0, nullable=False)
    notes: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    preferred_start: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    preferred_end: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    alternative_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    alternative_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)  # the slot now in play
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    decision_reason: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)  # requester's status link
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sequence: Mapped[int] = mapped_column(default=0, nullable=False)

    caravan: Mapped[Caravan | None] = relationship()
    venue: Mapped[Venue | None] = relationship()
    event: Mapped[Event | None] = relationship()
    staff: Mapped[list[CaravanStaff]] = relationship(secondary=visit_staff, order_by="CaravanStaff.name")

    __table_args__ = (
        sa.CheckConstraint(f"status IN ({_in(VisitStatus)})", name="status"),
        sa.CheckConstraint("ends_at > starts_at", name="period"),
        sa.CheckConstraint("preferred_end > preferred_start", name="preferred"),
        sa.CheckConstraint("expected_audience >= 0", name="audience"),
    )

    @property
    def audit_organisation_id(self) -> int:
        return self.organisation_id

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_VISIT_STATUSES


class CaravanBooking(db.Model):
    """A confirmed visit's claim on one resource ('caravan:<id>' or 'staff:<id>') over its blocked interval.

    On PostgreSQL an exclusion constraint makes overlapping claims on one resource impossible, whatever the
    application does; on SQLite the service checks under a write lock (core.locks) before inserting.
    """

    __tablename__ = "event_caravan_bookings"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event_caravan_visits.id", ondelete="CASCADE"), nullable=False, index=True
    )
    resource: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    blocked_from: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    blocked_until: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    __table_args__ = (
        sa.CheckConstraint("blocked_until > blocked_from", name="period"),
        sa.UniqueConstraint("visit_id", "resource"),
        sa.Index("ix_event_caravan_bookings_resource", "resource", "blocked_from"),
        ExcludeConstraint(
            ("resource", "="),
            (sa.func.tstzrange(sa.column("blocked_from"), sa.column("blocked_until"), "[)"), "&&"),
            name="ex_event_caravan_bookings_no_overlap",
            using="gist",
        ).ddl_if(dialect="postgresql"),
    )


# btree_gist lets the exclusion constraint compare the resource text with "=" inside a GiST index.
sa.event.listen(
    CaravanBooking.__table__,
    "before_create",
    sa.DDL("CREATE EXTENSION IF NOT EXISTS btree_gist").execute_if(dialect="postgresql"),
)


class Blackout(db.Model):
    """Days on which a caravan (or every caravan of the organisation) can't be booked."""

    __tablename__ = "event_caravan_blackouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    caravan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event_caravans.id", ondelete="CASCADE"))
    first_day: Mapped[date] = mapped_column(sa.Date, nullable=False)
    last_day: Mapped[date] = mapped_column(sa.Date, nullable=False)
    reason: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)

    caravan: Mapped[Caravan | None] = relationship()

    __table_args__ = (sa.CheckConstraint("last_day >= first_day", name="period"),)
