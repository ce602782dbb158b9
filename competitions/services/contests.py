"""Contests: creation, settings, status moves, listing, and the registration window per school (deadlines, extensions)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from accounts.models import Organisation, OrganisationKind
from competitions.models import (
    CONTEST_STATUS_LABELS,
    CONTEST_TRANSITIONS,
    Contest,
    ContestStatus,
    Entry,
    EntryStatus,
    SchoolDeadline,
)
from core import audit
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db

CONTEST_FIELDS = [
    "name",
    "year",
    "status",
    "description",
    "registration_opens_at",
    "registration_closes_at",
    "timezone",
    "reference_date",
]


# ====================================================================================== time


def local_to_utc(value: datetime | None, tz: str) -> datetime | None:
    """A wall-clock time in the contest's timezone (what an organiser types) as aware UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz))
    return value.astimezone(UTC)


def utc_to_local(value: datetime | None, tz: str) -> datetime | None:
    """Aware UTC as the contest's wall-clock time (naive), for forms and exports."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(tz)).replace(tzinfo=None)


# ====================================================================================== contests


def create_contest(
    organisation: Organisation,
    *,
    name: str,
    year: int,
    description: str = "",
    registration_opens_at: datetime | None = None,
    registration_closes_at: datetime | None = None,
    timezone_name: str = "Asia/Shanghai",
    reference_date: date | None = None,
    actor=None,
) -> Contest:
    """A new contest in draft. Window times are aware datetimes (UTC or any zone)."""
    if organisation.kind != OrganisationKind.ASSOCIATION:
        raise DomainError(
            _l("Contests are organised by an organising unit (科协), not a school."), field="organisation_id"
        )
    contest = Contest(organisation_id=organisation.id, organisation=organisation, status=ContestStatus.DRAFT.value)
    db.session.add(contest)
    _apply_contest_fields(
        contest,
        name=name,
        year=year,
        description=description,
        registration_opens_at=registration_opens_at,
        registration_closes_at=registration_closes_at,
        timezone=timezone_name,
        reference_date=reference_date,
    )
    audit.record("create", contest, after=audit.snapshot(contest, CONTEST_FIELDS), actor=actor)
    return contest


def update_contest(contest: Contest, actor=None, **fields: Any) -> Contest:
    """Change name, year, description, window, timezone or reference date (not the status)."""
    before = audit.snapshot(contest, CONTEST_FIELDS)
    _apply_contest_fields(contest, **fields)
    audit.record("update", contest, before=before, after=audit.snapshot(contest, CONTEST_FIELDS), actor=actor)
    return contest


def _apply_contest_fields(contest: Contest, **fields: Any) -> None:
    name = (fields.get("name", contest.name) or "").strip()
    if not name:
        raise DomainError(_l("The contest needs a name."), field="name")
    year = fields.get("year", contest.year)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise DomainError(_l("The year must be between 2000 and 2100."), field="year")
    tz = fields.get("timezone", contest.timezone) or "Asia/Shanghai"
    try:
        ZoneInfo(tz)
    except Exception:
        raise DomainError(_l("Unknown time zone %(tz)s.", tz=tz), field="timezone") from None
    opens = fields.get("registration_opens_at", contest.registration_opens_at)
    closes = fields.get("registration_closes_at", contest.registration_closes_at)
    if opens and closes and closes <= opens:
        raise DomainError(_l("Registration must close after it opens."), field="registration_closes_at")
    with db.session.no_autoflush:
        clash = db.session.execute(
            sa.select(Contest.id).where(
                Contest.organisation_id == contest.organisation_id,
                Contest.year == year,
                Contest.name == name,
                Contest.id != (contest.id or -1),
            )
        ).first()
    if clash:
        raise DomainError(
            _l("This organisation already has a contest %(name)s in %(year)s.", name=name, year=year), field="name"
        )
    contest.name, contest.year, contest.timezone = name, year, tz
    contest.registration_opens_at, contest.registration_closes_at = opens, closes
    if "description" in fields:
        contest.description = fields["description"] or ""
    if "reference_date" in fields:
        contest.reference_date = fields["reference_date"]
    db.session.flush()


def move_contest(contest: Contest, target: ContestStatus | str, actor=None) -> Contest:
    """Move a contest along its lifecycle (draft → registration → closed → judging → notice → final →
    archived; closed → registration and notice → judging are the allowed steps back). Audited."""
    try:
        target = ContestStatus(target)
    except ValueError:
        raise DomainError(_l("Unknown status."), field="status", code="unknown_status") from None
    current = ContestStatus(contest.status)
    if target not in CONTEST_TRANSITIONS[current]:
        raise DomainError(
            _l(
                "A contest in %(current)s cannot move to %(target)s.",
                current=CONTEST_STATUS_LABELS[current],
                target=CONTEST_STATUS_LABELS[target],
            ),
            field="status",
            code="bad_transition",
            status=409,
        )
    if target == ContestStatus.REGISTRATION:
        if not contest.categories:
            raise DomainError(_l("Add at least one category before opening registration."), field="status")
        if not (contest.registration_opens_at and contest.registration_closes_at):
            raise DomainError(
                _l("Set the registration window before opening registration."), field="registration_closes_at"
            )
    contest.status = target.value
    db.session.flush()
    audit.record("status", contest, before={"status": current.value}, after={"status": target.value}, actor=actor)
    return contest


def entry_counts_by_status(contest: Contest) -> dict[str, int]:
    """How many entries of the contest are in each status (its page's figures)."""
    return dict(
        db.session.execute(
            sa.select(Entry.status, sa.func.count()).where(Entry.contest_id == contest.id).group_by(Entry.status)
        ).all()
    )


def list_contests(
    organisation_ids: Iterable[int] | None = None, statuses: Iterable[str] | None = None
) -> list[Contest]:
    """Contests, newest first; restricted to the given organisations when given."""
    query = sa.select(Contest).order_by(Contest.year.desc(), Contest.id.desc())
    if organisation_ids is not None:
        query = query.where(Contest.organisation_id.in_(list(organisation_ids) or [-1]))
    if statuses is not None:
        query = query.where(Contest.status.in_(list(statuses)))
    return list(db.session.execute(query).scalars())


def contests_open_to_school(school: Organisation) -> list[Contest]:
    """Contests a school can see: run by an organising unit above it, out of draft."""
    ancestors = []
    node = school.parent
    while node is not None:
        ancestors.append(node.id)
        node = node.parent
    return list_contests(ancestors, [s.value for s in ContestStatus if s != ContestStatus.DRAFT])


# -------------------------------------------------------------------------------------- window


def school_deadline(contest: Contest, school_id: int) -> datetime | None:
    """When registration closes for this school: the contest's close, or the school's own extension."""
    closes = contest.registration_closes_at
    for extension in contest.school_deadlines:
        if extension.school_id == school_id and (closes is None or extension.closes_at > closes):
            closes = extension.closes_at
    return closes


def registration_open_for(contest: Contest, school_id: int, now: datetime | None = None) -> bool:
    """Schools may create, edit and submit entries while the contest is in registration and inside the
    window (in the contest's timezone, checked here on the server), or until their extended deadline."""
    now = now or utcnow()
    if contest.status not in (ContestStatus.REGISTRATION.value, ContestStatus.CLOSED.value):
        return False
    if contest.registration_opens_at and now < contest.registration_opens_at:
        return False
    closes = school_deadline(contest, school_id)
    if contest.status == ContestStatus.CLOSED.value:
        # closed for everybody except a school with an extension still running
        return any(e.school_id == school_id and now <= e.closes_at for e in contest.school_deadlines)
    return closes is None or now <= closes


def status_label_for_school(contest: Contest, school_id: int, now: datetime | None = None):
    """The contest's state as one school sees it: never "registration open" once its own window has closed
    (or before it opens), and "open (extended)" for a school with a running extension after the close."""
    now = now or utcnow()
    is_open = registration_open_for(contest, school_id, now)
    if contest.status == ContestStatus.REGISTRATION.value and not is_open:
        if contest.registration_opens_at and now < contest.registration_opens_at:
            return _l("Registration not yet open")
        return _l("Registration closed for your school")
    if contest.status == ContestStatus.CLOSED.value and is_open:
        return _l("Registration open for your school (extended)")
    return contest.status_label


def extend_deadline(
    contest: Contest, school: Organisation, closes_at: datetime, reason: str = "", actor=None
) -> SchoolDeadline:
    """Extend the registration window for a single school (replaces an earlier extension). Audited."""
    if school.kind != OrganisationKind.SCHOOL:
        raise DomainError(_l("Extensions are given to schools."), field="school_id")
    if contest.status not in (ContestStatus.REGISTRATION.value, ContestStatus.CLOSED.value):
        raise DomainError(_l("Registration can only be extended while it is open or just closed."), field="closes_at")
    if contest.registration_closes_at and closes_at <= contest.registration_closes_at:
        raise DomainError(_l("The extension must end after the contest's own deadline."), field="closes_at")
    extension = next((e for e in contest.school_deadlines if e.school_id == school.id), None)
    before = {"closes_at": extension.closes_at} if extension else None
    if extension is None:
        extension = SchoolDeadline(contest=contest, school_id=school.id, closes_at=closes_at)
        db.session.add(extension)
    extension.closes_at, extension.reason = closes_at, (reason or "").strip()[:500]
    extension.created_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record(
        "extend_deadline",
        contest,
        before=before,
        after={"school_id": school.id, "closes_at": closes_at, "reason": extension.reason},
        actor=actor,
    )
    return extension


def entry_editable(entry: Entry, now: datetime | None = None) -> bool:
    """A school edits a draft or submitted entry until its deadline, and a returned entry until judging starts."""
    if entry.status == EntryStatus.RETURNED.value:
        return entry.contest.status in (ContestStatus.REGISTRATION.value, ContestStatus.CLOSED.value)
    if entry.status in (EntryStatus.DRAFT.value, EntryStatus.SUBMITTED.value):
        return registration_open_for(entry.contest, entry.school_id, now)
    return False


def entry_locked_reason(entry: Entry, now: datetime | None = None):
    """Why a school can no longer change an entry (None while it can), in the words shown beside it."""
    if entry_editable(entry, now):
        return None
    if entry.status == EntryStatus.APPROVED.value:
        return _l(
            "This entry has passed the eligibility review and can no longer be changed. "
            "If something must be corrected, ask the organiser to return it to your school."
        )
    if entry.status == EntryStatus.REJECTED.value:
        return _l("This entry was not admitted to the contest and can no longer be changed.")
    if entry.status == EntryStatus.RETURNED.value:
        return _l("Judging has started; a returned entry can no longer be corrected.")
    return _l("Registration has closed for your school; the entry can no longer be changed.")


def require_editable(entry: Entry, now: datetime | None) -> None:
    reason = entry_locked_reason(entry, now)
    if reason is not None:
        raise DomainError(reason, code="closed", status=409)
