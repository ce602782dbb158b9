"""Organisers' pages: their events, event and session forms, status, registrations, check-in staff, venues and
messages to registrants."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone
from flask_login import current_user

from accounts.models import Organisation
from core.db import utcnow
from core.extensions import db
from core.forms import commit_or_show
from core.i18n import format_moment
from core.permissions import get_or_404, require
from events import forms
from events.models import Event, EventSession, Registration, StaffLink, Venue
from events.services import attendance as attendance_service
from events.services import capacity as capacity_service
from events.services import planning as planning_service
from events.services import registration as registration_service
from events.services import staff as staff_service
from events.views.common import (
    associations_for_user,
    bp,
    choose_organisation,
    editable_or_new,
    managed_org_ids,
    to_form,
    to_utc,
)


@bp.route("/manage")
def manage():
    """Events the user organises (or staffs), with registered seats: one query for events, one for counts."""
    require("event.view_list")
    ids = managed_org_ids()
    rows = planning_service.list_events(organisation_ids=ids)
    if ids is not None and not ids:
        staffed = current_user.scope_ids("checkin")
        rows = [row for row in planning_service.list_events() if row[0].id in staffed]
    return render_template("events/manage.html", rows=rows)


def _venue_choices(org_ids) -> list[tuple[int, str]]:
    return [(0, _("(no venue)"))] + [(v.id, v.name) for v in planning_service.venues_of(org_ids)]


@bp.route("/new", methods=["GET", "POST"])
def create():
    orgs = associations_for_user()
    if not orgs:
        abort(403)
    form = forms.EventForm()
    org_id = choose_organisation(form, orgs)
    form.venue_id.choices = _venue_choices([o.id for o in orgs])
    if form.validate_on_submit() and org_id is not None:
        require("event.create", db.session.get(Organisation, org_id))
        done = commit_or_show(
            lambda: planning_service.create_event(
                organisation_id=org_id,
                kind=form.kind.data,
                title=form.title.data,
                description=form.description.data or "",
                venue_id=form.venue_id.data or None,
                audience=form.audience.data,
                starts_at=to_utc(form.starts_at.data),
                ends_at=to_utc(form.ends_at.data),
                capacity=form.capacity.data if form.capacity.data is not None else 0,
                registration_opens_at=to_utc(form.registration_opens_at.data),
                registration_closes_at=to_utc(form.registration_closes_at.data),
                waitlist_enabled=form.waitlist_enabled.data,
                exit_scan=form.exit_scan.data,
                personal_data=form.personal_data.data or "",
                actor=current_user,
            ),
            form,
            _("Event saved as a draft. Publish it when it is ready."),
        )
        if done:
            return redirect(url_for("events.admin_event", event_id=done.value.id))
    return render_template("events/event_form.html", form=form, event=None)


@bp.route("/<int:event_id>/admin")
def admin_event(event_id: int):
    event = get_or_404(Event, event_id)
    require("event.manage", event)
    session_form = forms.SessionForm()
    return render_template(
        "events/admin_event.html",
        event=event,
        counters=capacity_service.event_counters(event),
        session_form=session_form,
    )


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
def edit(event_id: int):
    event = get_or_404(Event, event_id)
    require("event.manage", event)
    form = forms.EventForm(obj=event)
    del form.capacity
    del form.organisation_id
    form.venue_id.choices = _venue_choices(managed_org_ids())
    locked_by = planning_service.visit_of_event(event)  # a caravan visit's event keeps the visit's times
    if locked_by is not None:
        for name in ("starts_at", "ends_at"):
            getattr(form, name).render_kw = {"readonly": True}
    if request.method == "GET" or locked_by is not None:
        for name in ("starts_at", "ends_at"):
            getattr(form, name).data = to_form(getattr(event, name))
    if request.method == "GET":
        form.venue_id.data = event.venue_id or 0
        for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
            getattr(form, name).data = to_form(getattr(event, name))
    if form.validate_on_submit():
        if commit_or_show(
            lambda: planning_service.update_event(
                event,
                actor=current_user,
                kind=form.kind.data,
                title=form.title.data,
                description=form.description.data or "",
                venue_id=form.venue_id.data or None,
                audience=form.audience.data,
                starts_at=to_utc(form.starts_at.data),
                ends_at=to_utc(form.ends_at.data),
                registration_opens_at=to_utc(form.registration_opens_at.data),
                registration_closes_at=to_utc(form.registration_closes_at.data),
                waitlist_enabled=form.waitlist_enabled.data,
                exit_scan=form.exit_scan.data,
                personal_data=form.personal_data.data or "",
            ),
            form,
            _("Event updated."),
        ):
            return redirect(url_for("events.admin_event", event_id=event.id))
    return render_template("events/event_form.html", form=form, event=event, locked_by=locked_by)


@bp.route("/<int:event_id>/status/<status>", methods=["POST"])
def set_status(event_id: int, status: str):
    event = get_or_404(Event, event_id)
    require("event.manage", event)
    commit_or_show(
        lambda: planning_service.set_event_status(event, status, actor=current_user), None, _("Status changed.")
    )
    return redirect(url_for("events.admin_event", event_id=event.id))


def _session_fields(form: forms.SessionForm) -> dict:
    """The session form's values as the planning service takes them (times from the organiser's zone to UTC)."""
    return dict(
        title=form.title.data,
        starts_at=to_utc(form.starts_at.data),
        ends_at=to_utc(form.ends_at.data),
        capacity=form.capacity.data,
    )


@bp.route("/<int:event_id>/sessions", methods=["POST"])
def add_session(event_id: int):
    event = get_or_404(Event, event_id)
    require("event.manage", event)
    form = forms.SessionForm()
    if form.validate_on_submit():
        commit_or_show(
            lambda: planning_service.add_session(event, **_session_fields(form), actor=current_user),
            None,
            _("Session added."),
        )
    else:
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "danger")
    return redirect(url_for("events.admin_event", event_id=event.id))


def _overbooking_message(overbooking: planning_service.Overbooking) -> str:
    """The warning shown after a session's capacity went below the people already confirmed in it."""
    session_obj = overbooking.session
    name = session_obj.title or to_user_timezone(session_obj.starts_at).strftime("%Y-%m-%d %H:%M")
    values = dict(session=name, capacity=overbooking.capacity, confirmed=overbooking.confirmed)
    if session_obj.event.waitlist_enabled:
        return _(
            "The capacity of session “%(session)s” is now %(capacity)d, but %(confirmed)d people are already "
            "confirmed: new registrations will go on the waiting list; those already confirmed keep their "
            "places.",
            **values,
        )
    return _(
        "The capacity of session “%(session)s” is now %(capacity)d, but %(confirmed)d people are already "
        "confirmed: this event keeps no waiting list, so new registrations will be refused; those already "
        "confirmed keep their places.",
        **values,
    )


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
def edit_session(session_id: int):
    session_obj = get_or_404(EventSession, session_id)
    require("event.manage", session_obj.event)
    form = forms.SessionForm(obj=session_obj)
    if request.method == "GET":
        form.starts_at.data, form.ends_at.data = to_form(session_obj.starts_at), to_form(session_obj.ends_at)
    if form.validate_on_submit():
        done = commit_or_show(
            lambda: planning_service.update_session(session_obj, **_session_fields(form), actor=current_user),
            form,
            _("Session updated."),
        )
        if done:
            if done.value is not None:  # the capacity went below the people already confirmed
                flash(_overbooking_message(done.value), "warning")
            return redirect(url_for("events.admin_event", event_id=session_obj.event_id))
    return render_template("events/session_form.html", form=form, session_obj=session_obj)


@bp.route("/<int:event_id>/registrations")
def registrations(event_id: int):
    """Registrations of an event, phones masked; `q` searches names and phone endings."""
    event = get_or_404(Event, event_id)
    require("event.manage", event)
    q = request.args.get("q", "").strip()
    rows = (
        registration_service.search_registrations(event, q, limit=500)
        if q
        else registration_service.event_registrations(event)
    )
    page = render_template(
        "events/registrations.html", event=event, rows=rows, q=q, member_list=attendance_service.member_list
    )
    attendance_service.record_contacts_seen(event, "registrations", actor=current_user)  # full phones on this page
    db.session.commit()
    return page


@bp.route("/registrations/<int:registration_id>/cancel", methods=["POST"])
def cancel_registration(registration_id: int):
    registration = get_or_404(Registration, registration_id)
    require("event.manage", registration.event)
    done = commit_or_show(lambda: registration_service.cancel_registration(registration, actor=current_user))
    if done:
        flash(_("Registration cancelled; %(n)d promoted from the waiting list.", n=len(done.value)), "success")
    return redirect(url_for("events.registrations", event_id=registration.event_id))


@bp.route("/<int:event_id>/staff", methods=["GET", "POST"])
def staff(event_id: int):
    """Check-in access: grant it to accounts, or create expiring staff links (shown once)."""
    event = get_or_404(Event, event_id)
    require("event.manage", event)
    link_form = forms.StaffLinkForm(prefix="link")
    grant_form = forms.GrantStaffForm(prefix="grant")
    new_link = None
    if link_form.submit.data and link_form.validate_on_submit():
        done = commit_or_show(
            lambda: staff_service.create_staff_link(
                event,
                label=link_form.label.data,
                expires_at=to_utc(link_form.expires_at.data),
                actor=current_user,
            ),
            link_form,
        )
        if done:
            _link, token = done.value
            new_link = url_for("events.staff_entry", token=token, _external=True)
    elif grant_form.submit.data and grant_form.validate_on_submit():
        from accounts.services import find_user_by_login

        user = find_user_by_login(grant_form.login.data)
        if user is None:
            grant_form.login.errors = [_("No account with this email or mobile number.")]
        elif commit_or_show(
            lambda: staff_service.grant_checkin_account(event, user, actor=current_user),
            grant_form,
            _("%(name)s can now check visitors in.", name=user.display_name),
        ):
            return redirect(url_for("events.staff", event_id=event.id))
    return render_template(
        "events/staff.html",
        event=event,
        link_form=link_form,
        grant_form=grant_form,
        new_link=new_link,
        links=staff_service.staff_links(event),
        staff_users=staff_service.checkin_accounts(event),
        now=utcnow(),
    )


@bp.route("/staff-links/<int:link_id>/revoke", methods=["POST"])
def revoke_link(link_id: int):
    link = get_or_404(StaffLink, link_id)
    require("event.manage", link.event)
    commit_or_show(
        lambda: staff_service.revoke_staff_link(link, actor=current_user), None, _("Staff link revoked."), "info"
    )
    return redirect(url_for("events.staff", event_id=link.event_id))


@bp.route("/venues")
def venues():
    require("event.create")
    return render_template("events/venues.html", venues=planning_service.venues_of(managed_org_ids()))


@bp.route("/venues/new", methods=["GET", "POST"])
@bp.route("/venues/<int:venue_id>/edit", methods=["GET", "POST"])
def venue_form(venue_id: int | None = None):
    venue, orgs = editable_or_new(Venue, venue_id)
    form = forms.VenueForm(obj=venue)
    org_id = choose_organisation(form, orgs, venue.organisation_id if venue else None)
    if form.validate_on_submit() and org_id is not None:
        if commit_or_show(
            lambda: planning_service.save_venue(
                venue,
                organisation_id=org_id,
                kind=form.kind.data,
                name=form.name.data,
                address=form.address.data or "",
                capacity=form.capacity.data or 0,
                travel_minutes=form.travel_minutes.data,
                actor=current_user,
            ),
            form,
            _("Venue saved."),
        ):
            return redirect(url_for("events.venues"))
    return render_template("events/venue_form.html", form=form, venue=venue)


@bp.route("/<int:event_id>/message", methods=["GET", "POST"])
def message_registrants(event_id: int):
    """An organiser writes to the registrants of the event or of one session (a weather cancellation): the
    first submit shows how many it reaches, the second sends."""
    event = get_or_404(Event, event_id)
    require("event.manage", event)
    from events import notifications as notices

    form = forms.EventAnnouncementForm()
    form.session_id.choices = [(0, _("All sessions"))] + [
        (s.id, f"{s.title or _('Session %(n)d', n=n)} · {format_moment(s.starts_at, 'short')}")
        for n, s in enumerate(event.sessions, 1)
    ]
    recipient_count = None
    if form.validate_on_submit():
        session_id = form.session_id.data or None
        if session_id is not None and session_id not in {s.id for s in event.sessions}:
            abort(404)
        if form.send.data:
            done = commit_or_show(
                lambda: notices.announce(
                    event, session_id, form.subject.data, form.body.data, form.channels.data, actor=current_user
                ),
                form,
            )
            if done:
                flash(_("The message is on its way to %(n)d people.", n=done.value), "success")
                return redirect(url_for("notifications.outbox"))
        recipient_count = notices.count_registrants(event, session_id)
    return render_template("events/message.html", event=event, form=form, recipient_count=recipient_count)
