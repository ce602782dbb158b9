"""Public pages: the events list, an event with its registration form, the ticket (reached by its unguessable
link) with its QR code, image and PDF, self-cancellation, and the events' and venues' calendar feeds."""

from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.db import utcnow
from core.extensions import db, limiter
from core.forms import commit_or_show
from core.permissions import can, get_or_404, public
from core.privacy import mask_phone
from events import forms, ics, rendering
from events.models import Event, EventSession, EventStatus, PersonalData, Registration, RegistrationStatus, Venue
from events.services import calendars as calendars_service
from events.services import capacity as capacity_service
from events.services import planning as planning_service
from events.services import registration as registration_service
from events.views.common import bp, host, ics_response


@bp.route("/")
@public
def index():
    """Published events that have not ended, with free seats."""
    rows = planning_service.list_events(published_only=True, upcoming_from=utcnow())
    counts = capacity_service.session_counts([s.id for event, _r in rows for s in event.sessions])
    return render_template("events/index.html", rows=rows, counts=counts)


@bp.route("/<int:event_id>", methods=["GET", "POST"])
@public
@limiter.limit("20 per minute", methods=["POST"])
def detail(event_id: int):
    event = get_or_404(Event, event_id)
    if event.status == EventStatus.DRAFT and not can("event.manage", event):
        abort(404)
    form = forms.RegistrationForm()
    now = utcnow()
    form.session_id.choices = [
        (s.id, s.title or _("Session %(n)d", n=n)) for n, s in enumerate(event.sessions, 1) if s.ends_at > now
    ]  # a session that is over takes no more registrations
    if event.audience == "school_groups":
        form.kind.choices = [c for c in form.kind.choices if c[0] == "group"]
    if event.personal_data != PersonalData.BIRTH_DATE:
        del form.gender
        del form.birth_date
    if event.personal_data != PersonalData.ID_NUMBER:
        del form.id_number
    counts = capacity_service.session_counts([s.id for s in event.sessions])
    is_open = registration_service.registration_open(event, now)
    if form.validate_on_submit():
        session_obj = db.session.get(EventSession, form.session_id.data)
        if session_obj is None or session_obj.event_id != event.id:
            form.session_id.errors = [_("Choose a session of this event.")]
        else:
            done = commit_or_show(
                lambda: registration_service.register(
                    session_obj,
                    name=form.name.data,
                    phone=form.phone.data,
                    kind=form.kind.data,
                    head_count=form.head_count.data or 1,
                    school_name=form.school_name.data,
                    grade=form.grade.data,
                    member_names=form.member_names.data,
                    gender=form.gender.data if "gender" in form else "",
                    birth_date=form.birth_date.data if "birth_date" in form else None,
                    id_number=form.id_number.data if "id_number" in form else None,
                    user=current_user if current_user.is_authenticated else None,
                ),
                form,
            )
            if done:
                return redirect(url_for("events.ticket", token=done.value.link_token))
    return render_template("events/detail.html", event=event, form=form, counts=counts, is_open=is_open, now=now)


def _ticket_or_404(token: str) -> Registration:
    registration = registration_service.find_registration_by_token(token)
    if registration is None:
        abort(404)
    return registration


@bp.route("/t/<token>")
@public
def ticket(token: str):
    """The ticket page (reached only through its unguessable link): QR code, status, cancel link."""
    registration = _ticket_or_404(token)
    return render_template(
        "events/ticket.html",
        r=registration,
        event=registration.event,
        masked_phone=mask_phone(registration.phone) if registration.phone else "",
        waitlist_position=capacity_service.waitlist_position(registration),
    )


@bp.route("/t/<token>/qr.png")
@public
def ticket_qr(token: str):
    registration = _ticket_or_404(token)
    return send_file(io.BytesIO(rendering.qr_png(registration.code)), mimetype="image/png", max_age=0)


def _printed_ticket(token: str, render, mimetype: str, suffix: str):
    """A confirmed registration's ticket as a file; any other goes back to its page, which says why."""
    registration = _ticket_or_404(token)
    if registration.status != RegistrationStatus.CONFIRMED:
        flash(_("Only a confirmed registration has a ticket to print."), "warning")
        return redirect(url_for("events.ticket", token=token))
    return send_file(
        io.BytesIO(render(registration)),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"ticket-{registration.event_id}.{suffix}",
    )


@bp.route("/t/<token>/ticket.png")
@public
def ticket_png(token: str):
    return _printed_ticket(token, rendering.ticket_png, "image/png", "png")


@bp.route("/t/<token>/ticket.pdf")
@public
def ticket_pdf(token: str):
    return _printed_ticket(token, lambda registration: rendering.ticket_pdf([registration]), "application/pdf", "pdf")


@bp.route("/t/<token>/cancel", methods=["POST"])
@public
def ticket_cancel(token: str):
    registration = _ticket_or_404(token)
    commit_or_show(
        lambda: registration_service.cancel_registration(registration),
        None,
        _("Your registration was cancelled."),
        "info",
    )
    return redirect(url_for("events.ticket", token=token))


@bp.route("/<int:event_id>.ics")
@public
def event_ics(event_id: int):
    event = get_or_404(Event, event_id)
    if event.status == EventStatus.DRAFT:
        abort(404)
    items = calendars_service.calendar_items_for_events(
        [event], host(), lambda e: url_for("events.detail", event_id=e.id, _external=True)
    )
    return ics_response(ics.render_calendar(items, event.title, utcnow()), f"event-{event.id}.ics")


@bp.route("/venues/<int:venue_id>.ics")
@public
def venue_ics(venue_id: int):
    venue = get_or_404(Venue, venue_id)
    items = calendars_service.calendar_items_for_events(
        calendars_service.venue_feed_events(venue, utcnow()),
        host(),
        lambda e: url_for("events.detail", event_id=e.id, _external=True),
    )
    return ics_response(ics.render_calendar(items, venue.name, utcnow()), f"venue-{venue.id}.ics")
