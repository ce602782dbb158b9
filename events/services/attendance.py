"""After the event: the attendance report, attendance and insurance workbooks (reading contacts is audited),
sign-in sheets' rows, the attendees certificates are issued to, and the year's statistics."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core import audit
from core.db import utcnow
from core.extensions import db
from events.caravan.models import CaravanVisit
from events.models import (
    Event,
    EventSession,
    PersonalData,
    Registration,
    RegistrationKind,
    RegistrationStatus,
    VisitStatus,
)
from events.services.capacity import session_counts
from events.services.common import _local
from events.services.planning import list_events
from events.services.registration import event_registrations


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
        sessions.append(
            {
                "session": session,
                "capacity": session.capacity,
                "registered": sum(r.head_count for r in mine),
                "checked_in": sum(r.checkin.head_count for r in mine if r.checkin is not None),
                "no_shows": sum(r.head_count for r in mine if r.checkin is None),
            }
        )
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

    sheet(
        _("Sessions"),
        [_("Session"), _("Start"), _("Capacity"), _("Registered"), _("Checked in"), _("No-shows")],
        [
            [
                row["session"].title or _local(row["session"].starts_at),
                _local(row["session"].starts_at),
                row["capacity"],
                row["registered"],
                row["checked_in"],
                row["no_shows"],
            ]
            for row in report.sessions
        ],
        first=True,
    )
    sheet(
        _("Schools"),
        [_("School"), _("Registered"), _("Checked in")],
        [[row["school"] or _("(no school)"), row["registered"], row["checked_in"]] for row in report.schools],
    )

    def person_rows(registrations, with_checkin):
        for r in registrations:
            row = [
                r.name,
                r.phone or "",
                r.school_name,
                r.grade,
                r.head_count,
                "、".join(member_list(r)),
                r.session.title or _local(r.session.starts_at),
            ]
            if with_checkin:
                row += [
                    _local(r.checkin.checked_in_at),
                    r.checkin.gate,
                    r.checkin.head_count,
                    _("yes") if r.checkin.over_count else "",
                ]
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
        rows.append(
            {
                "name": r.name,
                "gender": r.gender,
                "birth_date": r.birth_date,
                "id_number": r.id_number or "",
                "phone": r.phone or "",
                "school": r.school_name,
                "grade": r.grade,
                "session": r.session,
                "leader": r.kind == RegistrationKind.GROUP,
            }
        )
        for member in member_list(r) if r.kind == RegistrationKind.GROUP else ():
            rows.append(
                {
                    "name": member,
                    "gender": "",
                    "birth_date": None,
                    "id_number": "",
                    "phone": r.phone or "",
                    "school": r.school_name,
                    "grade": r.grade,
                    "session": r.session,
                    "leader": False,
                }
            )
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
    for index, width in enumerate((6, 16, 6, 12, 22, 16, 24, 10, 20)[: len(header)]):
        ws.column_dimensions[chr(ord("A") + index)].width = width
    return workbook_bytes(book)


def signin_rows(session: EventSession) -> list[Registration]:
    """Who is expected at a session, for its printed sign-in sheet: confirmed registrations by school, then name."""
    return sorted(
        (
            r
            for r in event_registrations(session.event)
            if r.session_id == session.id and r.status == RegistrationStatus.CONFIRMED
        ),
        key=lambda r: (r.school_name, r.name, r.id),
    )


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
                holders.append(
                    Holder(
                        ref=f"registration:{registration.id}:member:{index}",
                        name=name,
                        school_id=registration.school_id,
                        school=registration.school_name,
                        title=event.title,
                        order=index,
                    )
                )
        elif registration.kind == RegistrationKind.GROUP:
            holders.append(
                Holder(
                    ref=f"registration:{registration.id}",
                    name=registration.school_name or registration.name,
                    school_id=registration.school_id,
                    school=registration.school_name,
                    title=event.title,
                    minor=False,
                    extra={"head_count": registration.checkin.head_count},
                )
            )
        else:
            holders.append(
                Holder(
                    ref=f"registration:{registration.id}",
                    name=registration.name,
                    school_id=registration.school_id,
                    school=registration.school_name,
                    title=event.title,
                )
            )
    return SourceBatch(
        scope_title=event.title,
        scope_code=f"EV{event.id}",
        organisation_id=event.organisation_id,
        org_name=event.organisation.name,
        year=to_user_timezone(event.starts_at).year,
        holders=holders,
        issue_date=to_user_timezone(event.ends_at).date(),
    )


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
            *([CaravanVisit.organisation_id.in_(list(organisation_ids))] if organisation_ids is not None else []),
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
