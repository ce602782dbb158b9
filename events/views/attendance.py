"""Organisers' lists and files around the day: group tickets, the attendance report and workbook, the
insurance list, the printed sign-in sheet.

Pages and files that show full contacts record that they were seen (attendance_service.record_contacts_seen)
and commit that audit record although they answer a GET: reading minors' and parents' phones is itself what
the audit log must hold (issue 23), so these are the area's only GETs that write, and they write nothing else.
(events.views.management.registrations does the same for the registrations list.)"""

from __future__ import annotations

import io

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.extensions import db
from core.permissions import get_or_404, require
from events import rendering
from events.models import Event, EventSession, RegistrationStatus
from events.services import attendance as attendance_service
from events.services import registration as registration_service
from events.views.common import bp, xlsx_response


@bp.route("/<int:event_id>/tickets.pdf")
def group_tickets(event_id: int):
    """All confirmed tickets of the event in one PDF (organisers print group tickets)."""
    event = get_or_404(Event, event_id)
    require("event.manage", event)
    rows = [r for r in registration_service.event_registrations(event) if r.status == RegistrationStatus.CONFIRMED]
    if request.args.get("kind") == "group":
        rows = [r for r in rows if r.kind == "group"]
    if not rows:
        flash(_("There are no confirmed tickets to print."), "info")
        return redirect(url_for("events.registrations", event_id=event.id))
    return send_file(
        io.BytesIO(rendering.ticket_pdf(rows)),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"tickets-{event.id}.pdf",
    )


@bp.route("/<int:event_id>/attendance")
def attendance(event_id: int):
    event = get_or_404(Event, event_id)
    require("event.manage", event)
    page = render_template("events/attendance.html", event=event, report=attendance_service.attendance_report(event))
    attendance_service.record_contacts_seen(event, "attendance", actor=current_user)  # full phones on this page
    db.session.commit()
    return page


@bp.route("/<int:event_id>/attendance.xlsx")
def attendance_xlsx(event_id: int):
    event = get_or_404(Event, event_id)
    require("event.manage", event)
    data = attendance_service.attendance_workbook(event, actor=current_user)
    db.session.commit()  # the audit record that the contacts were read
    return xlsx_response(data, f"attendance-{event.id}.xlsx")


@bp.route("/<int:event_id>/insurance.xlsx")
def insurance_xlsx(event_id: int):
    """The insurance/contact list (研学): names, gender, birth date or ID where asked, the phone to call."""
    event = get_or_404(Event, event_id)
    require("event.manage", event)
    data = attendance_service.insurance_workbook(event, actor=current_user)
    db.session.commit()  # the audit record that the contacts were read
    return xlsx_response(data, f"insurance-{event.id}.xlsx")


@bp.route("/sessions/<int:session_id>/signin.pdf")
def signin_sheet(session_id: int):
    """The printable sign-in sheet (签到表) of a session: the paper backup at the door."""
    session_obj = get_or_404(EventSession, session_id)
    require("event.manage", session_obj.event)
    rows = attendance_service.signin_rows(session_obj)
    attendance_service.record_contacts_seen(session_obj.event, f"signin.pdf:{session_obj.id}", actor=current_user)
    data = rendering.signin_sheet_pdf(session_obj, rows, attendance_service.member_list)
    db.session.commit()
    return send_file(
        io.BytesIO(data),
        mimetype="application/pdf",
        as_attachment=False,
        download_name=f"signin-{session_obj.event_id}-{session_obj.id}.pdf",
    )
