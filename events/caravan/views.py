"""The caravan's pages: a school's request and status page (public), organisers' caravans, crew, blackout days,
a visit with its decision forms, the month calendar, and the crew's calendar feeds."""

from __future__ import annotations

import calendar as calendar_module
from datetime import date, datetime, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone
from flask_login import current_user

from accounts.models import Organisation
from core.db import utcnow
from core.extensions import db, limiter
from core.forms import commit_or_show
from core.permissions import can, get_or_404, public, require
from events import ics
from events.caravan import conflicts as conflicts_service
from events.caravan import fleet as fleet_service
from events.caravan import forms
from events.caravan import visits as visits_service
from events.caravan.models import Blackout, Caravan, CaravanVisit
from events.services import calendars as calendars_service
from events.views.common import (
    associations_for_user,
    bp,
    choose_organisation,
    creatable_for,
    editable_or_new,
    host,
    ics_response,
    local_zone,
    managed_org_ids,
    to_form,
    to_utc,
)


@bp.route("/caravans/<int:caravan_id>.ics")
def caravan_ics(caravan_id: int):
    """The staff feed for a signed-in organiser; calendar apps use the unguessable caravan_feed address."""
    caravan = get_or_404(Caravan, caravan_id)
    require("event.manage", caravan)
    return _caravan_feed(caravan)


@bp.route("/caravans/feed/<token>.ics")
@public
@limiter.limit("60 per minute")
def caravan_feed(token: str):
    """A caravan's visits with crew names and host schools, for the crew's calendar apps: the address is the
    caravan's random feed_token (never its sequential id)."""
    caravan = fleet_service.caravan_by_feed_token(token)
    if caravan is None:
        abort(404)
    return _caravan_feed(caravan)


def _caravan_feed(caravan: Caravan) -> Response:
    items = calendars_service.calendar_items_for_visits(calendars_service.caravan_feed_visits(caravan.id), host())
    response = ics_response(ics.render_calendar(items, caravan.name, utcnow()), f"caravan-{caravan.id}.ics")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/caravans/<int:caravan_id>/feed/reset", methods=["POST"])
def reset_caravan_feed(caravan_id: int):
    caravan = get_or_404(Caravan, caravan_id)
    require("event.manage", caravan)
    commit_or_show(
        lambda: fleet_service.reset_caravan_feed(caravan, actor=current_user),
        None,
        _("The caravan's calendar feed has a new address; the old one no longer works."),
    )
    return redirect(url_for("events.caravan_form", caravan_id=caravan.id))


@bp.route("/caravan/request", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute", methods=["POST"])
def visit_request():
    """Schools and communities ask for the caravan (public form, or from a coordinator account)."""
    form = forms.VisitRequestForm()
    orgs = fleet_service.caravan_organisations()
    form.organisation_id.choices = [(o.id, o.name) for o in orgs]
    school = None
    if current_user.is_authenticated:
        school_ids = current_user.scope_ids("coordinator")
        school = db.session.get(Organisation, min(school_ids)) if school_ids else None
        if school is not None and request.method == "GET":
            form.host_name.data, form.address.data = school.name, school.address
            form.contact_name.data = current_user.name
            form.contact_phone.data = current_user.mobile or ""
    if form.validate_on_submit():
        if form.organisation_id.data not in {o.id for o in orgs}:
            form.organisation_id.errors = [_("Choose a science association.")]
        else:
            done = commit_or_show(
                lambda: visits_service.submit_visit_request(
                    organisation_id=form.organisation_id.data,
                    host_name=form.host_name.data,
                    host_kind=form.host_kind.data,
                    contact_name=form.contact_name.data,
                    contact_phone=form.contact_phone.data,
                    preferred_start=to_utc(form.preferred_start.data),
                    preferred_end=to_utc(form.preferred_end.data),
                    alternative_start=to_utc(form.alternative_start.data),
                    alternative_end=to_utc(form.alternative_end.data),
                    expected_audience=form.expected_audience.data,
                    notes=form.notes.data,
                    address=form.address.data,
                    host_organisation_id=school.id
                    if school is not None and school.name == form.host_name.data
                    else None,
                    user=current_user if current_user.is_authenticated else None,
                ),
                form,
                _("Your request was sent. Keep this page's link to follow it."),
            )
            if done:
                return redirect(url_for("events.visit_status", token=done.value.token))
    return render_template("events/visit_request.html", form=form, has_caravans=bool(orgs))


@bp.route("/caravan/request/<token>", methods=["GET", "POST"])
@public
def visit_status(token: str):
    """The requester's status page: pending, scheduled, declined (with reason) or another date proposed."""
    visit = visits_service.visit_by_token(token)
    if visit is None:
        abort(404)
    counter = forms.CounterProposeVisitForm(prefix="counter")
    if request.method == "GET":
        counter.starts_at.data, counter.ends_at.data = to_form(visit.starts_at), to_form(visit.ends_at)
    if counter.submit.data:
        if counter.validate_on_submit():
            if commit_or_show(
                lambda: visits_service.counter_propose_visit(
                    visit,
                    starts_at=to_utc(counter.starts_at.data),
                    ends_at=to_utc(counter.ends_at.data),
                    message=counter.message.data,
                ),
                counter,
                _("Your time was sent; the organiser will answer."),
            ):
                return redirect(url_for("events.visit_status", token=token))
    elif request.method == "POST":
        commit_or_show(
            lambda: visits_service.accept_proposed_date(visit),
            None,
            _("You accepted the proposed date; the organiser will confirm it."),
        )
        return redirect(url_for("events.visit_status", token=token))
    return render_template("events/visit_status.html", visit=visit, counter=counter)


@bp.route("/caravans")
def caravans():
    require("event.create")
    board = fleet_service.caravan_board(managed_org_ids(), utcnow())
    staff_form = forms.CaravanStaffForm(prefix="staff")
    blackout_form = forms.BlackoutForm(prefix="blackout")
    orgs = associations_for_user()
    choose_organisation(staff_form, orgs)
    choose_organisation(blackout_form, orgs)
    blackout_form.caravan_id.choices = [(0, _("All caravans"))] + [(c.id, c.name) for c in board.caravans]
    return render_template(
        "events/caravans.html",
        caravans=board.caravans,
        staff=board.staff,
        blackouts=board.blackouts,
        pending=board.pending,
        upcoming=board.upcoming,
        staff_form=staff_form,
        blackout_form=blackout_form,
    )


@bp.route("/caravans/new", methods=["GET", "POST"])
@bp.route("/caravans/<int:caravan_id>/edit", methods=["GET", "POST"])
def caravan_form(caravan_id: int | None = None):
    caravan, orgs = editable_or_new(Caravan, caravan_id)
    form = forms.CaravanForm(obj=caravan)
    org_id = choose_organisation(form, orgs, caravan.organisation_id if caravan else None)
    crew_orgs = [org_id] if org_id is not None else [o.id for o in orgs]
    form.crew_ids.choices = [(s.id, s.name) for s in fleet_service.active_staff(crew_orgs)]
    if request.method == "GET" and caravan is not None:
        form.crew_ids.data = [s.id for s in caravan.crew]
    if form.validate_on_submit() and org_id is not None:
        if commit_or_show(
            lambda: fleet_service.save_caravan(
                caravan,
                organisation_id=org_id,
                crew_ids=form.crew_ids.data or [],
                name=form.name.data,
                vehicle=form.vehicle.data or "",
                exhibit_set=form.exhibit_set.data or "",
                active=form.active.data,
                actor=current_user,
            ),
            form,
            _("Caravan saved."),
        ):
            return redirect(url_for("events.caravans"))
    return render_template("events/caravan_form.html", form=form, caravan=caravan)


@bp.route("/caravans/staff", methods=["POST"])
def add_caravan_staff():
    orgs = creatable_for()
    form = forms.CaravanStaffForm(prefix="staff")
    org_id = choose_organisation(form, orgs)
    if form.validate_on_submit() and org_id is not None:
        commit_or_show(
            lambda: fleet_service.save_caravan_staff(
                None,
                organisation_id=org_id,
                name=form.name.data,
                role=form.role.data or "",
                actor=current_user,
            ),
            None,
            _("Staff member added."),
        )
    else:
        flash(_("Give the staff member's name."), "danger")
    return redirect(url_for("events.caravans"))


@bp.route("/caravans/blackouts", methods=["POST"])
def add_blackout():
    orgs = creatable_for()
    form = forms.BlackoutForm(prefix="blackout")
    form.caravan_id.choices = []
    caravan_id = form.caravan_id.data or None
    caravan = get_or_404(Caravan, caravan_id) if caravan_id else None
    org_id = choose_organisation(form, orgs, caravan.organisation_id if caravan else None)
    if form.validate_on_submit() and org_id is not None:
        if caravan is not None:
            require("event.manage", caravan)
        commit_or_show(
            lambda: fleet_service.add_blackout(
                organisation_id=org_id,
                first_day=form.first_day.data,
                last_day=form.last_day.data,
                caravan_id=caravan_id,
                reason=form.reason.data or "",
                actor=current_user,
            ),
            None,
            _("Blackout added."),
        )
    else:
        flash(_("Give the first and the last day."), "danger")
    return redirect(url_for("events.caravans"))


@bp.route("/caravans/blackouts/<int:blackout_id>/delete", methods=["POST"])
def delete_blackout(blackout_id: int):
    blackout = get_or_404(Blackout, blackout_id)
    require("event.manage", blackout)
    commit_or_show(
        lambda: fleet_service.delete_blackout(blackout, actor=current_user), None, _("Blackout removed."), "info"
    )
    return redirect(url_for("events.caravans"))


def _visit_forms(visit: CaravanVisit):
    approve = forms.ApproveVisitForm(prefix="approve")
    caravan_rows = fleet_service.active_caravans(visit.organisation_id)
    approve.caravan_id.choices = [(c.id, c.name) for c in caravan_rows]
    approve.staff_ids.choices = [
        (s.id, f"{s.name} {s.role}".strip()) for s in fleet_service.active_staff([visit.organisation_id])
    ]
    if request.method == "GET":
        approve.starts_at.data, approve.ends_at.data = to_form(visit.starts_at), to_form(visit.ends_at)
        approve.capacity.data = visit.expected_audience
        if caravan_rows:
            approve.staff_ids.data = [s.id for s in caravan_rows[0].crew]
    reschedule = forms.RescheduleVisitForm(prefix="reschedule")
    if request.method == "GET":
        reschedule.starts_at.data, reschedule.ends_at.data = to_form(visit.starts_at), to_form(visit.ends_at)
    return (
        approve,
        forms.DeclineVisitForm(prefix="decline"),
        forms.ProposeVisitForm(prefix="propose"),
        forms.CancelVisitForm(prefix="cancel"),
        reschedule,
        caravan_rows,
    )


def _visit_action(visit_obj: CaravanVisit, approve, decline, propose, reschedule, cancel):
    """The organiser's decision the submitted form asks for, as (service call, success message); None when no
    form was submitted valid."""
    if approve.submit.data and approve.validate_on_submit():
        return (
            lambda: visits_service.approve_visit(
                visit_obj,
                caravan=get_or_404(Caravan, approve.caravan_id.data),
                staff_ids=approve.staff_ids.data or [],
                starts_at=to_utc(approve.starts_at.data),
                ends_at=to_utc(approve.ends_at.data),
                capacity=approve.capacity.data,
                actor=current_user,
            ),
            _("Visit scheduled."),
        )
    if decline.submit.data and decline.validate_on_submit():
        return (
            lambda: visits_service.decline_visit(visit_obj, reason=decline.reason.data, actor=current_user),
            _("Request declined."),
        )
    if propose.submit.data and propose.validate_on_submit():
        return (
            lambda: visits_service.propose_visit_date(
                visit_obj,
                starts_at=to_utc(propose.starts_at.data),
                ends_at=to_utc(propose.ends_at.data),
                reason=propose.reason.data,
                actor=current_user,
            ),
            _("Another date was proposed to the requester."),
        )
    if reschedule.submit.data and reschedule.validate_on_submit():
        return (
            lambda: visits_service.reschedule_visit(
                visit_obj,
                starts_at=to_utc(reschedule.starts_at.data),
                ends_at=to_utc(reschedule.ends_at.data),
                actor=current_user,
            ),
            _("Visit moved; its event, calendars and the school's page show the new time."),
        )
    if cancel.submit.data and cancel.validate_on_submit():
        return (
            lambda: visits_service.cancel_visit(visit_obj, reason=cancel.reason.data, actor=current_user),
            _("Visit cancelled."),
        )
    return None


@bp.route("/caravans/visits/<int:visit_id>", methods=["GET", "POST"])
def visit(visit_id: int):
    """A request with its conflicts per caravan, and the organiser's decision forms."""
    visit_obj = get_or_404(CaravanVisit, visit_id)
    require("visit.view", visit_obj)
    manage_it = can("event.manage", visit_obj)
    approve, decline, propose, cancel, reschedule, caravan_rows = _visit_forms(visit_obj)
    if request.method == "POST":
        require("event.manage", visit_obj)
        action = _visit_action(visit_obj, approve, decline, propose, reschedule, cancel)
        if action is not None and commit_or_show(action[0], None, action[1]):
            return redirect(url_for("events.visit", visit_id=visit_obj.id))
    conflicts = {}
    if manage_it and visit_obj.is_pending:
        for caravan in caravan_rows:
            conflicts[caravan.id] = conflicts_service.visit_conflicts(
                visit_obj, caravan_id=caravan.id, staff_ids=[s.id for s in caravan.crew]
            )
    return render_template(
        "events/visit.html",
        visit=visit_obj,
        approve=approve,
        decline=decline,
        propose=propose,
        cancel=cancel,
        reschedule=reschedule,
        caravans=caravan_rows,
        conflicts=conflicts,
        manage_it=manage_it,
        describe=conflicts_service.describe_conflicts,
    )


def _month_arg() -> date:
    try:
        year, month = (int(part) for part in request.args.get("month", "").split("-"))
        return date(year, month, 1)
    except ValueError:
        today = to_user_timezone(utcnow()).date()
        return today.replace(day=1)


@bp.route("/caravans/calendar")
@bp.route("/caravans/<int:caravan_id>/calendar")
def caravan_calendar(caravan_id: int | None = None):
    """A month calendar of caravan visits: one caravan, or all caravans of the user's organisations."""
    caravan = get_or_404(Caravan, caravan_id) if caravan_id else None
    if caravan is not None:
        require("event.manage", caravan)
    else:
        require("event.create")
    first = _month_arg()
    zone = local_zone()
    weeks = calendar_module.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    start = datetime.combine(weeks[0][0], datetime.min.time(), tzinfo=zone)
    end = datetime.combine(weeks[-1][-1] + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    visits = visits_service.visits_between(managed_org_ids(), start, end, caravan_id=caravan_id)
    by_day: dict[date, list[CaravanVisit]] = {}
    for item in visits:
        day = to_user_timezone(item.starts_at).date()
        last = to_user_timezone(item.ends_at - timedelta(seconds=1)).date()
        while day <= last:
            by_day.setdefault(day, []).append(item)
            day += timedelta(days=1)
    blacked: dict[date, list[str]] = {}
    for blackout in fleet_service.blackouts_between(managed_org_ids(), weeks[0][0], weeks[-1][-1]):
        if caravan_id and blackout.caravan_id not in (None, caravan_id):
            continue
        label = blackout.reason or _("Blackout")
        if caravan_id is None and blackout.caravan is not None:  # all caravans: say which one is unavailable
            label = f"{blackout.caravan.name}: {label}"
        day = blackout.first_day
        while day <= blackout.last_day:
            blacked.setdefault(day, []).append(label)
            day += timedelta(days=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return render_template(
        "events/calendar.html",
        caravan=caravan,
        weeks=weeks,
        first=first,
        by_day=by_day,
        blacked=blacked,
        previous=previous,
        following=following,
    )
