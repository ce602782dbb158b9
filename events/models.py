"""Venues, events and sessions, registrations, check-ins and the scan log, and the area's vocabulary (every
enumeration with its display names, the caravan's visit statuses included). The caravan's tables are in
events/caravan/models.py."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import TimestampMixin, UTCDateTime, utcnow
from core.extensions import db


class EventKind(StrEnum):
    SCIENCE_DAY = "science_day"  # 科普日
    LECTURE = "lecture"  # 讲座
    STUDY_VISIT = "study_visit"  # 研学
    EXHIBITION = "exhibition"  # 展览
    TRAINING = "training"  # 培训
    CARAVAN_SCHOOL = "caravan_school"  # 大篷车进校园
    CARAVAN_COMMUNITY = "caravan_community"  # 大篷车进社区


class Audience(StrEnum):
    PUBLIC = "public"
    SCHOOL_GROUPS = "school_groups"


class PersonalData(StrEnum):
    """What an event asks of each visitor for its insurance/contact list (研学): nothing, gender and birth date,
    or the ID number (gender and birth date are read from it)."""

    NONE = ""
    BIRTH_DATE = "birth_date"
    ID_NUMBER = "id_number"


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class VenueKind(StrEnum):
    SCHOOL = "school"
    COMMUNITY = "community"
    SCIENCE_BASE = "science_base"
    OTHER = "other"


class RegistrationKind(StrEnum):
    INDIVIDUAL = "individual"
    GROUP = "group"


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class RegistrationSource(StrEnum):
    ONLINE = "online"
    COORDINATOR = "coordinator"
    WALK_IN = "walk_in"


class VisitStatus(StrEnum):
    REQUESTED = "requested"  # pending: waits for an organiser (a soft conflict for others)
    PROPOSED = "proposed"  # the organiser proposed another date; waits for the requester
    CONFIRMED = "confirmed"  # scheduled: blocks its caravan and staff
    DECLINED = "declined"
    CANCELLED = "cancelled"


PENDING_VISIT_STATUSES = (VisitStatus.REQUESTED, VisitStatus.PROPOSED)

# --- the area's vocabulary: the one place each value's display name is written (lazy, translated when shown);
# forms, templates (the `events_labels` global, events/_labels.html), the CLI and reports read them here.
EVENT_KIND_LABELS = {
    EventKind.SCIENCE_DAY: _l("Science day"),
    EventKind.LECTURE: _l("Lecture"),
    EventKind.STUDY_VISIT: _l("Study visit"),
    EventKind.EXHIBITION: _l("Exhibition"),
    EventKind.TRAINING: _l("Training"),
    EventKind.CARAVAN_SCHOOL: _l("Caravan at a school"),
    EventKind.CARAVAN_COMMUNITY: _l("Caravan in a community"),
}
AUDIENCE_LABELS = {Audience.PUBLIC: _l("Public"), Audience.SCHOOL_GROUPS: _l("School groups")}
EVENT_STATUS_LABELS = {
    EventStatus.DRAFT: _l("Draft"),
    EventStatus.PUBLISHED: _l("Published"),
    EventStatus.CANCELLED: _l("Cancelled"),
}
VENUE_KIND_LABELS = {
    VenueKind.SCHOOL: _l("School"),
    VenueKind.COMMUNITY: _l("Community"),
    VenueKind.SCIENCE_BASE: _l("Science base"),
    VenueKind.OTHER: _l("Other"),
}
REGISTRATION_KIND_LABELS = {RegistrationKind.INDIVIDUAL: _l("Individual"), RegistrationKind.GROUP: _l("School group")}
REGISTRATION_STATUS_LABELS = {
    RegistrationStatus.CONFIRMED: _l("Confirmed"),
    RegistrationStatus.WAITLISTED: _l("Waiting list"),
    RegistrationStatus.CANCELLED: _l("Cancelled"),
}
VISIT_STATUS_LABELS = {
    VisitStatus.REQUESTED: _l("Pending"),
    VisitStatus.PROPOSED: _l("Other date proposed"),
    VisitStatus.CONFIRMED: _l("Scheduled"),
    VisitStatus.DECLINED: _l("Declined"),
    VisitStatus.CANCELLED: _l("Cancelled"),
}
#: By vocabulary name, for templates: events_labels.kind["lecture"] (see events/_labels.html).
LABELS = {
    "kind": EVENT_KIND_LABELS,
    "audience": AUDIENCE_LABELS,
    "event_status": EVENT_STATUS_LABELS,
    "venue_kind": VENUE_KIND_LABELS,
    "registration_kind": REGISTRATION_KIND_LABELS,
    "registration_status": REGISTRATION_STATUS_LABELS,
    "visit_status": VISIT_STATUS_LABELS,
}


def label_of(labels: dict, value) -> str:
    """The display name of `value` in one of the vocabularies above; an unknown value shows as itself."""
    return str(labels.get(value, value or ""))


def _in(values) -> str:
    return ",".join(f"'{v.value}'" for v in values)


class Venue(TimestampMixin, db.Model):
    """A place events happen: a school, a community centre, a science base (or elsewhere)."""

    __tablename__ = "event_venues"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    host_organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    address: Mapped[str] = mapped_column(sa.String(300), default="", nullable=False)
    capacity: Mapped[int] = mapped_column(default=0, nullable=False)
    travel_minutes: Mapped[int | None] = mapped_column(sa.Integer)  # caravan travel time to here, if not the default

    __table_args__ = (
        sa.CheckConstraint(f"kind IN ({_in(VenueKind)})", name="kind"),
        sa.CheckConstraint("capacity >= 0", name="capacity"),
        sa.CheckConstraint("travel_minutes IS NULL OR travel_minutes >= 0", name="travel"),
    )

    @property
    def audit_organisation_id(self) -> int:
        return self.organisation_id


class Event(TimestampMixin, db.Model):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    venue_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event_venues.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    audience: Mapped[str] = mapped_column(sa.String(20), default=Audience.PUBLIC, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), default=EventStatus.DRAFT, nullable=False, index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    waitlist_enabled: Mapped[bool] = mapped_column(default=True, nullable=False)
    checkin_opens_minutes: Mapped[int] = mapped_column(default=60, nullable=False)
    # 研学 and volunteer hours: visitors are scanned at the exit too, and the attendance shows time in and out
    exit_scan: Mapped[bool] = mapped_column(default=False, server_default=sa.false(), nullable=False)
    sequence: Mapped[int] = mapped_column(default=0, nullable=False)  # iCalendar SEQUENCE
    personal_data: Mapped[str] = mapped_column(
        sa.String(20), default=PersonalData.NONE, server_default="", nullable=False
    )

    organisation = relationship("Organisation", foreign_keys=[organisation_id])
    venue: Mapped[Venue | None] = relationship()
    sessions: Mapped[list[EventSession]] = relationship(
        back_populates="event", order_by="EventSession.starts_at, EventSession.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.CheckConstraint(f"kind IN ({_in(EventKind)})", name="kind"),
        sa.CheckConstraint(f"audience IN ({_in(Audience)})", name="audience"),
        sa.CheckConstraint(f"status IN ({_in(EventStatus)})", name="status"),
        sa.CheckConstraint("ends_at > starts_at", name="period"),
        sa.CheckConstraint(f"personal_data IN ({_in(PersonalData)})", name="personal_data"),
    )

    @property
    def audit_organisation_id(self) -> int:
        return self.organisation_id

    @property
    def capacity(self) -> int:
        return sum(s.capacity for s in self.sessions)


class EventSession(db.Model):
    """场次: a time slot of an event with its own capacity; registrations and check-ins belong to a session."""

    __tablename__ = "event_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    capacity: Mapped[int] = mapped_column(nullable=False)
    sequence: Mapped[int] = mapped_column(default=0, nullable=False)

    event: Mapped[Event] = relationship(back_populates="sessions")

    __table_args__ = (
        sa.CheckConstraint("capacity >= 0", name="capacity"),
        sa.CheckConstraint("ends_at > starts_at", name="period"),
    )


class Registration(TimestampMixin, db.Model):
    """A person or a school group holding seats in a session; the ticket is its random `code`."""

    __tablename__ = "event_registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event_sessions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(20), default=RegistrationKind.INDIVIDUAL, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    source: Mapped[str] = mapped_column(sa.String(20), default=RegistrationSource.ONLINE, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)  # the person, or the group leader
    phone: Mapped[str | None] = mapped_column(sa.String(20))  # normalised 11-digit mobile
    school_name: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
    grade: Mapped[str] = mapped_column(sa.String(40), default="", nullable=False)
    head_count: Mapped[int] = mapped_column(default=1, nullable=False)
    member_names: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    # asked only where the event needs them for its insurance list (Event.personal_data); never in public pages
    gender: Mapped[str] = mapped_column(sa.String(2), default="", server_default="", nullable=False)
    birth_date: Mapped[date | None] = mapped_column(sa.Date)
    id_number: Mapped[str | None] = mapped_column(sa.String(18))
    code: Mapped[str] = mapped_column(sa.String(28), unique=True, nullable=False)
    link_token: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    registered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    event: Mapped[Event] = relationship()
    session: Mapped[EventSession] = relationship()
    checkin: Mapped[CheckIn | None] = relationship(back_populates="registration", uselist=False)

    __table_args__ = (
        sa.CheckConstraint(f"kind IN ({_in(RegistrationKind)})", name="kind"),
        sa.CheckConstraint(f"status IN ({_in(RegistrationStatus)})", name="status"),
        sa.CheckConstraint(f"source IN ({_in(RegistrationSource)})", name="source"),
        sa.CheckConstraint("head_count >= 1", name="head_count"),
        # the same phone can hold one live registration per session (cancelled ones don't count)
        sa.Index(
            "uq_event_registrations_session_phone",
            "session_id",
            "phone",
            unique=True,
            sqlite_where=sa.text("status <> 'cancelled' AND phone IS NOT NULL"),
            postgresql_where=sa.text("status <> 'cancelled' AND phone IS NOT NULL"),
        ),
        sa.Index("ix_event_registrations_session_status", "session_id", "status"),
    )

    @property
    def audit_organisation_id(self) -> int | None:
        return self.event.organisation_id if self.event else None


class CheckIn(db.Model):
    """Exactly one per registration (a unique constraint, so two simultaneous scans can't both admit)."""

    __tablename__ = "event_checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event_registrations.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event_sessions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    gate: Mapped[str] = mapped_column(sa.String(60), default="", nullable=False)
    head_count: Mapped[int] = mapped_column(default=1, nullable=False)  # people in so far (a group in parts)
    # staff confirmed more people than the ticket holds (kept apart in the year's figures)
    over_count: Mapped[bool] = mapped_column(default=False, server_default=sa.false(), nullable=False)
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checkout_gate: Mapped[str] = mapped_column(sa.String(60), default="", server_default="", nullable=False)
    checked_in_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    staff_link_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event_staff_links.id", ondelete="SET NULL"))

    registration: Mapped[Registration] = relationship(back_populates="checkin")

    __table_args__ = (sa.CheckConstraint("head_count >= 0", name="head_count"),)


class ScanLog(db.Model):
    """Every scan attempt, admitted or not: device/gate, raw code, result, the answer given, device and server time.

    A scan carrying a nonce is found again by it, so a retried request gets exactly the stored answer back. The
    retry is logged too (nonce empty, replay_of_id pointing at the first). A scan decided offline on a device
    and uploaded later keeps what the device showed (`offline_result`), so staff see where the two differ.
    """

    __tablename__ = "event_scan_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("event_registrations.id", ondelete="SET NULL"), index=True
    )
    gate: Mapped[str] = mapped_column(sa.String(60), default="", nullable=False)
    device: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    raw_code: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    nonce: Mapped[str | None] = mapped_column(sa.String(80), unique=True)
    result: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    http_status: Mapped[int] = mapped_column(nullable=False)
    response: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    direction: Mapped[str] = mapped_column(sa.String(3), default="in", server_default="in", nullable=False)
    offline_result: Mapped[str | None] = mapped_column(sa.String(30))
    scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    server_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    staff_link_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event_staff_links.id", ondelete="SET NULL"))
    replay_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event_scan_log.id", ondelete="SET NULL"))


class StaffLink(db.Model):
    """An expiring check-in link for helpers without an account; valid only inside the event's window."""

    __tablename__ = "event_staff_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    label: Mapped[str] = mapped_column(sa.String(60), default="", nullable=False)  # gate name, e.g. 东门
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    event: Mapped[Event] = relationship()
