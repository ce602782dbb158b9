"""Pages of the events area: public events, registration and tickets; organiser management; caravan
scheduling and calendars; the check-in scanner; iCalendar feeds."""
from __future__ import annotations

import calendar as calendar_module
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import to_user_timezone
from flask_login import current_user
from sqlalchemy.orm import selectinload

from accounts.models import Organisation, OrganisationKind
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db, limiter
from core.forms import commit_or_show, form_error
from core.i18n import format_moment
from core.permissions import can, get_or_404, is_admin, public, require
from core.privacy import mask_phone
from events import forms, ics, rendering, services
from events.models import (
    PENDING_VISIT_STATUSES,
    Blackout,
    Caravan,
    CaravanStaff,
    CaravanVisit,
    Event,
    EventSession,
    EventStatus,
    PersonalData,
    Registration,
    RegistrationStatus,
    StaffLink,
    Venue,
    VisitStatus,
)
from events.staffaccess import STAFF_LINK_KEY, staff_link_for_event

bp = Blueprint("events", __name__)


# --- helpers ---------------------------------------------------------------------------------------------


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def to_utc(value: datetime | None) -> datetime | None:
    """A naive local datetime typed into a form, as an aware UTC datetime."""
    if value is None:
        return None
    return value.replace(tzinfo=local_zone()).astimezone(UTC)


def to_form(value: datetime | None) -> datetime | None:
    return to_user_timezone(value).replace(tzinfo=None) if value else None


def managed_org_ids() -> list[int] | None:
    """Organisation ids the current user organises; None means all (administrator)."""
    return None if is_admin(current_user) else sorted(current_user.organised_org_ids())


def associations_for_user() -> list[Organisation]:
    ids = managed_org_ids()
    query = sa.select(Organisation).where(Organisation.kind == OrganisationKind.ASSOCIATION).order_by(Organisation.name)
    if ids is not None:
        query = query.where(Organisation.id.in_(ids))
    return db.session.execute(query).scalars().all()


def choose_organisation(form, orgs: list[Organisation], fixed_id: int | None = None) -> int | None:
    """The organising unit a new object belongs to: fixed (editing), the only one the user organises, or the
    one chosen in the form's organisation field (shown only when there is a choice). None: not allowed."""
    if fixed_id is not None:
        del form.organisation_id
        return fixed_id
    if len(orgs) == 1:
        del form.organisation_id
        return orgs[0].id
    form.organisation_id.choices = [(o.id, o.name) for o in orgs]
    chosen = form.organisation_id.data
    return chosen if chosen in {o.id for o in orgs} else None


def host() -> str:
    return urlsplit(current_app.config.get("BASE_URL") or request.host_url).hostname or "kechuang"


def require_checkin(event: Event) -> StaffLink | None:
    """Check-in pages admit the event's staff accounts, its organisers, or a valid staff link."""
    if current_user.is_authenticated and can("event.checkin", event):
        return None
    link = staff_link_for_event(event)
    if link is not None:
        return link
    if not current_user.is_authenticated:
        from core.extensions import login_manager

        abort(login_manager.unauthorized())  # to the login page, and back here afterwards
    abort(403)


def ics_response(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# --- public: events, registration, tickets ---------------------------------------------------------------


@bp.route("/")
@public
def index():
    """Published events that have not ended, with free seats."""
    rows = services.list_events(published_only=True, upcoming_from=utcnow())
    counts = services.session_counts([s.id for event, _r in rows for s in event.sessions])
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
    form.session_id.choices = [(s.id, s.title or _("Session %(n)d", n=n)) for n, s in enumerate(event.sessions, 1)
                               if s.ends_at > now]  # a session that is over takes no more registrations
    if event.audience == "school_groups":
        form.kind.choices = [c for c in form.kind.choices if c[0] == "group"]
    if event.personal_data != PersonalData.BIRTH_DATE:
        del form.gender
        del form.birth_date
    if event.personal_data != PersonalData.ID_NUMBER:
        del form.id_number
    counts = services.session_counts([s.id for s in event.sessions])
    is_open = services.registration_open(event, now)
    if form.validate_on_submit():
        session_obj = db.session.get(EventSession, form.session_id.data)
        if session_obj is None or session_obj.event_id != event.id:
            form.session_id.errors = [_("Choose a session of this event.")]
        else:
            done = commit_or_show(lambda: services.register(
                session_obj, name=form.name.data, phone=form.phone.data, kind=form.kind.data,
                head_count=form.head_count.data or 1, school_name=form.school_name.data, grade=form.grade.data,
                member_names=form.member_names.data,
                gender=form.gender.data if "gender" in form else "",
                birth_date=form.birth_date.data if "birth_date" in form else None,
                id_number=form.id_number.data if "id_number" in form else None,
                user=current_user if current_user.is_authenticated else None), form)
            if done:
                return redirect(url_for("events.ticket", token=done.value.link_token))
    return render_template("events/detail.html", event=event, form=form, counts=counts, is_open=is_open, now=now)


def _ticket_or_404(token: str) -> Registration:
    registration = services.find_registration_by_token(token)
    if registration is None:
        abort(404)
    return registration


@bp.route("/t/<token>")
@public
def ticket(token: str):
    """The ticket page (reached only through its unguessable link): QR code, status, cancel link."""
    registration = _ticket_or_404(token)
    return render_template("events/ticket.html", r=registration, event=registration.event,
                           masked_phone=mask_phone(registration.phone) if registration.phone else "",
                           waitlist_position=services.waitlist_position(registration))


@bp.route("/t/<token>/qr.png")
@public
def ticket_qr(token: str):
    registration = _ticket_or_404(token)
    return send_file(io.BytesIO(rendering.qr_png(registration.code)), mimetype="image/png", max_age=0)


@bp.route("/t/<token>/ticket.png")
@public
def ticket_png(token: str):
    registration = _ticket_or_404(token)
    if registration.status != RegistrationStatus.CONFIRMED:
        flash(_("Only a confirmed registration has a ticket to print."), "warning")
        return redirect(url_for("events.ticket", token=token))
    return send_file(io.BytesIO(rendering.ticket_png(registration)), mimetype="image/png", as_attachment=True,
                     download_name=f"ticket-{registration.event_id}.png")


@bp.route("/t/<token>/ticket.pdf")
@public
def ticket_pdf(token: str):
    registration = _ticket_or_404(token)
    if registration.status != RegistrationStatus.CONFIRMED:
        flash(_("Only a confirmed registration has a ticket to print."), "warning")
        return redirect(url_for("events.ticket", token=token))
    return send_file(io.BytesIO(rendering.ticket_pdf([registration])), mimetype="application/pdf",
                     as_attachment=True, download_name=f"ticket-{registration.event_id}.pdf")


@bp.route("/t/<token>/cancel", methods=["POST"])
@public
def ticket_cancel(token: str):
    registration = _ticket_or_404(token)
    commit_or_show(lambda: services.cancel_registration(registration), None,
                   _("Your registration was cancelled."), "info")
    return redirect(url_for("events.ticket", token=token))


@bp.route("/<int:event_id>.ics")
@public
def event_ics(event_id: int):
    event = get_or_404(Event, event_id)
    if event.status == EventStatus.DRAFT:
        abort(404)
    items = services.calendar_items_for_events(
        [event], host(), lambda e: url_for("events.detail", event_id=e.id, _external=True))
    return ics_response(ics.render_calendar(items, event.title, utcnow()), f"event-{event.id}.ics")


@bp.route("/venues/<int:venue_id>.ics")
@public
def venue_ics(venue_id: int):
    venue = get_or_404(Venue, venue_id)
    events = db.session.execute(
        sa.select(Event).options(selectinload(Event.sessions), selectinload(Event.venue))
        .where(Event.venue_id == venue.id, Event.status != EventStatus.DRAFT,
               Event.ends_at >= utcnow() - timedelta(days=90)).order_by(Event.starts_at)
    ).scalars().all()
    items = services.calendar_items_for_events(
        events, host(), lambda e: url_for("events.detail", event_id=e.id, _external=True))
    return ics_response(ics.render_calendar(items, venue.name, utcnow()), f"venue-{venue.id}.ics")


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
    caravan = db.session.execute(sa.select(Caravan).where(Caravan.feed_token == token[:64])).scalar_one_or_none()
    if caravan is None:
        abort(404)
    return _caravan_feed(caravan)


def _caravan_feed(caravan: Caravan) -> Response:
    items = services.calendar_items_for_visits(services.caravan_feed_visits(caravan.id), host())
    response = ics_response(ics.render_calendar(items, caravan.name, utcnow()), f"caravan-{caravan.id}.ics")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/caravans/<int:caravan_id>/feed/reset", methods=["POST"])
def reset_caravan_feed(caravan_id: int):
    caravan = get_or_404(Caravan, caravan_id)
    require("event.manage", caravan)
    services.reset_caravan_feed(caravan, actor=current_user)
    db.session.commit()
    flash(_("The caravan's calendar feed has a new address; the old one no longer works."), "success")
    return redirect(url_for("events.caravan_form", caravan_id=caravan.id))


# --- public: caravan visit requests ----------------------------------------------------------------------


def _caravan_organisations() -> list[Organisation]:
    return db.session.execute(
        sa.select(Organisation).where(Organisation.id.in_(
            sa.select(Caravan.organisation_id).where(Caravan.active.is_(True)))).order_by(Organisation.name)
    ).scalars().all()


@bp.route("/caravan/request", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute", methods=["POST"])
def visit_request():
    """Schools and communities ask for the caravan (public form, or from a coordinator account)."""
    form = forms.VisitRequestForm()
    orgs = _caravan_organisations()
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
            try:
                visit = services.submit_visit_request(
                    organisation_id=form.organisation_id.data, host_name=form.host_name.data,
                    host_kind=form.host_kind.data, contact_name=form.contact_name.data,
                    contact_phone=form.contact_phone.data, preferred_start=to_utc(form.preferred_start.data),
                    preferred_end=to_utc(form.preferred_end.data),
                    alternative_start=to_utc(form.alternative_start.data),
                    alternative_end=to_utc(form.alternative_end.data),
                    expected_audience=form.expected_audience.data, notes=form.notes.data, address=form.address.data,
                    host_organisation_id=school.id if school is not None and school.name == form.host_name.data
                    else None,
                    user=current_user if current_user.is_authenticated else None)
            except DomainError as exc:
                db.session.rollback()
                form_error(form, exc)
            else:
                db.session.commit()
                flash(_("Your request was sent. Keep this page's link to follow it."), "success")
                return redirect(url_for("events.visit_status", token=visit.token))
    return render_template("events/visit_request.html", form=form, has_caravans=bool(orgs))


@bp.route("/caravan/request/<token>", methods=["GET", "POST"])
@public
def visit_status(token: str):
    """The requester's status page: pending, scheduled, declined (with reason) or another date proposed."""
    visit = db.session.execute(sa.select(CaravanVisit).where(CaravanVisit.token == token[:64])).scalar_one_or_none()
    if visit is None:
        abort(404)
    counter = forms.CounterProposeVisitForm(prefix="counter")
    if request.method == "GET":
        counter.starts_at.data, counter.ends_at.data = to_form(visit.starts_at), to_form(visit.ends_at)
    if counter.submit.data:
        if counter.validate_on_submit():
            try:
                services.counter_propose_visit(visit, starts_at=to_utc(counter.starts_at.data),
                                               ends_at=to_utc(counter.ends_at.data), message=counter.message.data)
            except DomainError as exc:
                db.session.rollback()
                form_error(counter, exc)
            else:
                db.session.commit()
                flash(_("Your time was sent; the organiser will answer."), "success")
                return redirect(url_for("events.visit_status", token=token))
    elif request.method == "POST":
        try:
            services.accept_proposed_date(visit)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(_("You accepted the proposed date; the organiser will confirm it."), "success")
        return redirect(url_for("events.visit_status", token=token))
    return render_template("events/visit_status.html", visit=visit, counter=counter)


# --- staff links and the scanner -------------------------------------------------------------------------


@bp.route("/staff/<token>")
@public
def staff_entry(token: str):
    """A helper opens the staff link: during the event window it unlocks the scanner in this browser."""
    link = services.find_staff_link(token)
    if link is None or not services.staff_link_valid(link):
        return render_template("errors/error.html", status=403,
                               message=_("This staff link is not valid now: it works only during the event.")), 403
    session[STAFF_LINK_KEY] = link.id
    return redirect(url_for("events.scanner", event_id=link.event_id))


@bp.route("/scanner-sw.js")
@public
def scanner_service_worker():
    """The scanner's service worker (a static script): served under /events/ so its scope covers the scanner."""
    response = send_file(Path(current_app.static_folder) / "js" / "events-scanner-sw.js",
                         mimetype="text/javascript", max_age=0)
    response.headers["Service-Worker-Allowed"] = "/events/"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/<int:event_id>/scan.webmanifest")
@public
def scanner_manifest(event_id: int):
    """The web app manifest that makes the scanner installable on a phone's home screen (like pretixSCAN)."""
    event = get_or_404(Event, event_id)
    require_checkin(event)
    response = jsonify({"name": _("Check-in") + " · " + event.title, "short_name": _("Check-in"),
                        "start_url": url_for("events.scanner", event_id=event.id), "scope": "/events/",
                        "display": "standalone", "background_color": "#ffffff", "theme_color": "#0d6efd",
                        "icons": [{"src": url_for("static", filename="favicon.svg"), "sizes": "any",
                                   "type": "image/svg+xml"}]})
    response.mimetype = "application/manifest+json"
    return response


@bp.route("/<int:event_id>/scan")
@public
def scanner(event_id: int):
    event = get_or_404(Event, event_id)
    link = require_checkin(event)
    gate = link.label if link is not None else request.args.get("gate", "")
    walk_in = forms.WalkInForm()
    walk_in.session_id.choices = [(s.id, s.title or _("Session %(n)d", n=n)) for n, s in enumerate(event.sessions, 1)]
    # offline, the page keeps scanning while the access it was opened with lasts: a staff link until it expires,
    # an account until the event ends
    valid_until = min(link.expires_at, event.ends_at) if link is not None else event.ends_at
    return render_template("events/scanner.html", event=event, gate=gate, walk_in=walk_in, staff_link=link,
                           valid_until=valid_until, counters=services.event_counters(event))


# --- organiser: events -----------------------------------------------------------------------------------


@bp.route("/manage")
def manage():
    """Events the user organises (or staffs), with registered seats: one query for events, one for counts."""
    require("event.view_list")
    ids = managed_org_ids()
    rows = services.list_events(organisation_ids=ids)
    if ids is not None and not ids:
        staffed = current_user.scope_ids("checkin")
        rows = [row for row in services.list_events() if row[0].id in staffed]
    return render_template("events/manage.html", rows=rows)


def _venue_choices(org_ids) -> list[tuple[int, str]]:
    query = sa.select(Venue).order_by(Venue.name)
    if org_ids is not None:
        query = query.where(Venue.organisation_id.in_(org_ids))
    return [(0, _("(no venue)"))] + [(v.id, v.name) for v in db.session.execute(query).scalars()]


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
        done = commit_or_show(lambda: services.create_event(
            organisation_id=org_id, kind=form.kind.data, title=form.title.data,
            description=form.description.data or "", venue_id=form.venue_id.data or None,
            audience=form.audience.data, starts_at=to_utc(form.starts_at.data), ends_at=to_utc(form.ends_at.data),
            capacity=form.capacity.data if form.capacity.data is not None else 0,
            registration_opens_at=to_utc(form.registration_opens_at.data),
            registration_closes_at=to_utc(form.registration_closes_at.data),
            waitlist_enabled=form.waitlist_enabled.data, exit_scan=form.exit_scan.data,
            personal_data=form.personal_data.data or "", actor=current_user,
        ), form, _("Event saved as a draft. Publish it when it is ready."))
        if done:
            return redirect(url_for("events.admin_event", event_id=done.value.id))
    return render_template("events/event_form.html", form=form, event=None)


@bp.route("/<int:event_id>/admin")
def admin_event(event_id: int):
    event = get_or_404(Event, event_id)
    require("event.manage", event)
    session_form = forms.SessionForm()
    return render_template("events/admin_event.html", event=event, counters=services.event_counters(event),
                           session_form=session_form)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
def edit(event_id: int):
    event = get_or_404(Event, event_id)
    require("event.manage", event)
    form = forms.EventForm(obj=event)
    del form.capacity
    del form.organisation_id
    form.venue_id.choices = _venue_choices(managed_org_ids())
    locked_by = services.visit_of_event(event)  # a caravan visit's event keeps the visit's times
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
        if commit_or_show(lambda: services.update_event(
            event, actor=current_user, kind=form.kind.data, title=form.title.data,
            description=form.description.data or "", venue_id=form.venue_id.data or None,
            audience=form.audience.data, starts_at=to_utc(form.starts_at.data), ends_at=to_utc(form.ends_at.data),
            registration_opens_at=to_utc(form.registration_opens_at.data),
            registration_closes_at=to_utc(form.registration_closes_at.data),
            waitlist_enabled=form.waitlist_enabled.data, exit_scan=form.exit_scan.data,
            personal_data=form.personal_data.data or "",
        ), form, _("Event updated.")):
            return redirect(url_for("events.admin_event", event_id=event.id))
    return render_template("events/event_form.html", form=form, event=event, locked_by=locked_by)


@bp.route("/<int:event_id>/status/<status>", methods=["POST"])
def set_status(event_id: int, status: str):
    event = get_or_404(Event, event_id)
    require("event.manage", event)
    commit_or_show(lambda: services.set_event_status(event, status, actor=current_user), None, _("Status changed."))
    return redirect(url_for("events.admin_event", event_id=event.id))


@bp.route("/<int:event_id>/sessions", methods=["POST"])
def add_session(event_id: int):
    event = get_or_404(Event, event_id)
    require("event.manage", event)
    form = forms.SessionForm()
    if form.validate_on_submit():
        commit_or_show(lambda: services.add_session(
            event, title=form.title.data, starts_at=to_utc(form.starts_at.data), ends_at=to_utc(form.ends_at.data),
            capacity=form.capacity.data, actor=current_user), None, _("Session added."))
    else:
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "danger")
    return redirect(url_for("events.admin_event", event_id=event.id))


def _overbooking_message(overbooking: services.Overbooking) -> str:
    """The warning shown after a session's capacity went below the people already confirmed in it."""
    session_obj = overbooking.session
    name = session_obj.title or to_user_timezone(session_obj.starts_at).strftime("%Y-%m-%d %H:%M")
    values = dict(session=name, capacity=overbooking.capacity, confirmed=overbooking.confirmed)
    if session_obj.event.waitlist_enabled:
        return _("The capacity of session “%(session)s” is now %(capacity)d, but %(confirmed)d people are already "
                 "confirmed: new registrations will go on the waiting list; those already confirmed keep their "
                 "places.", **values)
    return _("The capacity of session “%(session)s” is now %(capacity)d, but %(confirmed)d people are already "
             "confirmed: this event keeps no waiting list, so new registrations will be refused; those already "
             "confirmed keep their places.", **values)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
def edit_session(session_id: int):
    session_obj = get_or_404(EventSession, session_id)
    require("event.manage", session_obj.event)
    form = forms.SessionForm(obj=session_obj)
    if request.method == "GET":
        form.starts_at.data, form.ends_at.data = to_form(session_obj.starts_at), to_form(session_obj.ends_at)
    if form.validate_on_submit():
        try:
            overbooking = services.update_session(
                session_obj, title=form.title.data, starts_at=to_utc(form.starts_at.data),
                ends_at=to_utc(form.ends_at.data), capacity=form.capacity.data, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            form_error(form, exc)
        else:
            warning = _overbooking_message(overbooking) if overbooking is not None else None
            db.session.commit()
            flash(_("Session updated."), "success")
            if warning:
                flash(warning, "warning")
            return redirect(url_for("events.admin_event", event_id=session_obj.event_id))
    return render_template("events/session_form.html", form=form, session_obj=session_obj)


@bp.route("/<int:event_id>/registrations")
def registrations(event_id: int):
    """Registrations of an event, phones masked; `q` searches names and phone endings."""
    event = get_or_404(Event, event_id)
    require("event.manage", event)
    q = request.args.get("q", "").strip()
    rows = services.search_registrations(event, q, limit=500) if q else services.event_registrations(event)
    page = render_template("events/registrations.html", event=event, rows=rows, q=q,
                           member_list=services.member_list)
    services.record_contacts_seen(event, "registrations", actor=current_user)  # full phones on this page
    db.session.commit()
    return page


@bp.route("/registrations/<int:registration_id>/cancel", methods=["POST"])
def cancel_registration(registration_id: int):
    registration = get_or_404(Registration, registration_id)
    require("event.manage", registration.event)
    done = commit_or_show(lambda: services.cancel_registration(registration, actor=current_user))
    if done:
        flash(_("Registration cancelled; %(n)d promoted from the waiting list.", n=len(done.value)), "success")
    return redirect(url_for("events.registrations", event_id=registration.event_id))


@bp.route("/<int:event_id>/tickets.pdf")
def group_tickets(event_id: int):
    """All confirmed tickets of the event in one PDF (organisers print group tickets)."""
    event = get_or_404(Event, event_id)
    require("event.manage", event)
    rows = [r for r in services.event_registrations(event) if r.status == RegistrationStatus.CONFIRMED]
    if request.args.get("kind") == "group":
        rows = [r for r in rows if r.kind == "group"]
    if not rows:
        flash(_("There are no confirmed tickets to print."), "info")
        return redirect(url_for("events.registrations", event_id=event.id))
    return send_file(io.BytesIO(rendering.ticket_pdf(rows)), mimetype="application/pdf", as_attachment=True,
                     download_name=f"tickets-{event.id}.pdf")


@bp.route("/<int:event_id>/attendance")
def attendance(event_id: int):
    event = get_or_404(Event, event_id)
    require("event.manage", event)
    page = render_template("events/attendance.html", event=event, report=services.attendance_report(event))
    services.record_contacts_seen(event, "attendance", actor=current_user)  # full phones on this page
    db.session.commit()
    return page


@bp.route("/<int:event_id>/attendance.xlsx")
def attendance_xlsx(event_id: int):
    event = get_or_404(Event, event_id)
    require("event.manage", event)
    data = services.attendance_workbook(event, actor=current_user)
    db.session.commit()
    return send_file(io.BytesIO(data), as_attachment=True,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     download_name=f"attendance-{event.id}.xlsx")


@bp.route("/<int:event_id>/insurance.xlsx")
def insurance_xlsx(event_id: int):
    """The insurance/contact list (研学): names, gender, birth date or ID where asked, the phone to call."""
    event = get_or_404(Event, event_id)
    require("event.manage", event)
    data = services.insurance_workbook(event, actor=current_user)
    db.session.commit()
    return send_file(io.BytesIO(data), as_attachment=True,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     download_name=f"insurance-{event.id}.xlsx")


@bp.route("/sessions/<int:session_id>/signin.pdf")
def signin_sheet(session_id: int):
    """The printable sign-in sheet (签到表) of a session: the paper backup at the door."""
    session_obj = get_or_404(EventSession, session_id)
    require("event.manage", session_obj.event)
    rows = services.signin_rows(session_obj)
    services.record_contacts_seen(session_obj.event, f"signin.pdf:{session_obj.id}", actor=current_user)
    data = rendering.signin_sheet_pdf(session_obj, rows, services.member_list)
    db.session.commit()
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=False,
                     download_name=f"signin-{session_obj.event_id}-{session_obj.id}.pdf")


@bp.route("/<int:event_id>/staff", methods=["GET", "POST"])
def staff(event_id: int):
    """Check-in access: grant it to accounts, or create expiring staff links (shown once)."""
    event = get_or_404(Event, event_id)
    require("event.manage", event)
    link_form = forms.StaffLinkForm(prefix="link")
    grant_form = forms.GrantStaffForm(prefix="grant")
    new_link = None
    if link_form.submit.data and link_form.validate_on_submit():
        expires = to_utc(link_form.expires_at.data)
        _link, token = services.create_staff_link(event, label=link_form.label.data, expires_at=expires,
                                                  actor=current_user)
        db.session.commit()
        new_link = url_for("events.staff_entry", token=token, _external=True)
    elif grant_form.submit.data and grant_form.validate_on_submit():
        from accounts.services import find_user_by_login

        user = find_user_by_login(grant_form.login.data)
        if user is None:
            grant_form.login.errors = [_("No account with this email or mobile number.")]
        else:
            services.grant_checkin_account(event, user, actor=current_user)
            db.session.commit()
            flash(_("%(name)s can now check visitors in.", name=user.display_name), "success")
            return redirect(url_for("events.staff", event_id=event.id))
    links = db.session.execute(
        sa.select(StaffLink).where(StaffLink.event_id == event.id).order_by(StaffLink.id.desc())
    ).scalars().all()
    from accounts.models import Membership, User

    staff_users = db.session.execute(
        sa.select(User).join(Membership).where(Membership.role == "checkin", Membership.scope_id == event.id)
        .order_by(User.name)
    ).scalars().all()
    return render_template("events/staff.html", event=event, link_form=link_form, grant_form=grant_form,
                           new_link=new_link, links=links, staff_users=staff_users, now=utcnow())


@bp.route("/staff-links/<int:link_id>/revoke", methods=["POST"])
def revoke_link(link_id: int):
    link = get_or_404(StaffLink, link_id)
    require("event.manage", link.event)
    services.revoke_staff_link(link, actor=current_user)
    db.session.commit()
    flash(_("Staff link revoked."), "info")
    return redirect(url_for("events.staff", event_id=link.event_id))


# --- organiser: venues -----------------------------------------------------------------------------------


@bp.route("/venues")
def venues():
    require("event.create")
    ids = managed_org_ids()
    query = sa.select(Venue).order_by(Venue.name)
    if ids is not None:
        query = query.where(Venue.organisation_id.in_(ids))
    return render_template("events/venues.html", venues=db.session.execute(query).scalars().all())


@bp.route("/venues/new", methods=["GET", "POST"])
@bp.route("/venues/<int:venue_id>/edit", methods=["GET", "POST"])
def venue_form(venue_id: int | None = None):
    venue = get_or_404(Venue, venue_id) if venue_id else None
    orgs = associations_for_user()
    if venue is not None:
        require("event.manage", venue)
    elif not orgs:
        abort(403)
    form = forms.VenueForm(obj=venue)
    org_id = choose_organisation(form, orgs, venue.organisation_id if venue else None)
    if form.validate_on_submit() and org_id is not None:
        if commit_or_show(lambda: services.save_venue(
            venue, organisation_id=org_id, kind=form.kind.data, name=form.name.data,
            address=form.address.data or "", capacity=form.capacity.data or 0,
            travel_minutes=form.travel_minutes.data, actor=current_user,
        ), form, _("Venue saved.")):
            return redirect(url_for("events.venues"))
    return render_template("events/venue_form.html", form=form, venue=venue)


# --- organiser: caravans, staff, blackouts, visits, calendars --------------------------------------------


@bp.route("/caravans")
def caravans():
    require("event.create")
    ids = managed_org_ids()

    def scoped(model):
        query = sa.select(model)
        return query.where(model.organisation_id.in_(ids)) if ids is not None else query

    caravan_rows = db.session.execute(
        scoped(Caravan).options(selectinload(Caravan.crew)).order_by(Caravan.name)).scalars().all()
    staff_rows = db.session.execute(scoped(CaravanStaff).order_by(CaravanStaff.name)).scalars().all()
    blackouts = db.session.execute(
        scoped(Blackout).options(selectinload(Blackout.caravan)).order_by(Blackout.first_day)).scalars().all()
    pending = db.session.execute(
        scoped(CaravanVisit).where(CaravanVisit.status.in_(PENDING_VISIT_STATUSES))
        .order_by(CaravanVisit.starts_at)).scalars().all()
    upcoming = db.session.execute(
        scoped(CaravanVisit).options(selectinload(CaravanVisit.caravan))
        .where(CaravanVisit.status == VisitStatus.CONFIRMED, CaravanVisit.ends_at >= utcnow())
        .order_by(CaravanVisit.starts_at)).scalars().all()
    staff_form = forms.CaravanStaffForm(prefix="staff")
    blackout_form = forms.BlackoutForm(prefix="blackout")
    orgs = associations_for_user()
    choose_organisation(staff_form, orgs)
    choose_organisation(blackout_form, orgs)
    blackout_form.caravan_id.choices = [(0, _("All caravans"))] + [(c.id, c.name) for c in caravan_rows]
    return render_template("events/caravans.html", caravans=caravan_rows, staff=staff_rows, blackouts=blackouts,
                           pending=pending, upcoming=upcoming, staff_form=staff_form, blackout_form=blackout_form)


@bp.route("/caravans/new", methods=["GET", "POST"])
@bp.route("/caravans/<int:caravan_id>/edit", methods=["GET", "POST"])
def caravan_form(caravan_id: int | None = None):
    caravan = get_or_404(Caravan, caravan_id) if caravan_id else None
    orgs = associations_for_user()
    if caravan is not None:
        require("event.manage", caravan)
    elif not orgs:
        abort(403)
    form = forms.CaravanForm(obj=caravan)
    org_id = choose_organisation(form, orgs, caravan.organisation_id if caravan else None)
    crew_orgs = [org_id] if org_id is not None else [o.id for o in orgs]
    form.crew_ids.choices = [(s.id, s.name) for s in db.session.execute(
        sa.select(CaravanStaff).where(CaravanStaff.organisation_id.in_(crew_orgs), CaravanStaff.active.is_(True))
        .order_by(CaravanStaff.name)).scalars()]
    if request.method == "GET" and caravan is not None:
        form.crew_ids.data = [s.id for s in caravan.crew]
    if form.validate_on_submit() and org_id is not None:
        try:
            services.save_caravan(caravan, organisation_id=org_id, crew_ids=form.crew_ids.data or [],
                                  name=form.name.data, vehicle=form.vehicle.data or "",
                                  exhibit_set=form.exhibit_set.data or "", active=form.active.data, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            form_error(form, exc)
        else:
            db.session.commit()
            flash(_("Caravan saved."), "success")
            return redirect(url_for("events.caravans"))
    return render_template("events/caravan_form.html", form=form, caravan=caravan)


@bp.route("/caravans/staff", methods=["POST"])
def add_caravan_staff():
    orgs = associations_for_user()
    if not orgs:
        abort(403)
    form = forms.CaravanStaffForm(prefix="staff")
    org_id = choose_organisation(form, orgs)
    if form.validate_on_submit() and org_id is not None:
        services.save_caravan_staff(None, organisation_id=org_id, name=form.name.data, role=form.role.data or "",
                                    actor=current_user)
        db.session.commit()
        flash(_("Staff member added."), "success")
    else:
        flash(_("Give the staff member's name."), "danger")
    return redirect(url_for("events.caravans"))


@bp.route("/caravans/blackouts", methods=["POST"])
def add_blackout():
    orgs = associations_for_user()
    if not orgs:
        abort(403)
    form = forms.BlackoutForm(prefix="blackout")
    form.caravan_id.choices = []
    caravan_id = form.caravan_id.data or None
    caravan = get_or_404(Caravan, caravan_id) if caravan_id else None
    org_id = choose_organisation(form, orgs, caravan.organisation_id if caravan else None)
    if form.validate_on_submit() and org_id is not None:
        if caravan is not None:
            require("event.manage", caravan)
        try:
            services.add_blackout(organisation_id=org_id, first_day=form.first_day.data,
                                  last_day=form.last_day.data, caravan_id=caravan_id, reason=form.reason.data or "",
                                  actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(_("Blackout added."), "success")
    else:
        flash(_("Give the first and the last day."), "danger")
    return redirect(url_for("events.caravans"))


@bp.route("/caravans/blackouts/<int:blackout_id>/delete", methods=["POST"])
def delete_blackout(blackout_id: int):
    blackout = get_or_404(Blackout, blackout_id)
    require("event.manage", blackout)
    services.delete_blackout(blackout, actor=current_user)
    db.session.commit()
    flash(_("Blackout removed."), "info")
    return redirect(url_for("events.caravans"))


def _visit_forms(visit: CaravanVisit):
    approve = forms.ApproveVisitForm(prefix="approve")
    caravan_rows = db.session.execute(
        sa.select(Caravan).options(selectinload(Caravan.crew))
        .where(Caravan.organisation_id == visit.organisation_id, Caravan.active.is_(True)).order_by(Caravan.name)
    ).scalars().all()
    approve.caravan_id.choices = [(c.id, c.name) for c in caravan_rows]
    approve.staff_ids.choices = [(s.id, f"{s.name} {s.role}".strip()) for s in db.session.execute(
        sa.select(CaravanStaff).where(CaravanStaff.organisation_id == visit.organisation_id,
                                      CaravanStaff.active.is_(True)).order_by(CaravanStaff.name)).scalars()]
    if request.method == "GET":
        approve.starts_at.data, approve.ends_at.data = to_form(visit.starts_at), to_form(visit.ends_at)
        approve.capacity.data = visit.expected_audience
        if caravan_rows:
            approve.staff_ids.data = [s.id for s in caravan_rows[0].crew]
    reschedule = forms.RescheduleVisitForm(prefix="reschedule")
    if request.method == "GET":
        reschedule.starts_at.data, reschedule.ends_at.data = to_form(visit.starts_at), to_form(visit.ends_at)
    return approve, forms.DeclineVisitForm(prefix="decline"), forms.ProposeVisitForm(prefix="propose"), \
        forms.CancelVisitForm(prefix="cancel"), reschedule, caravan_rows


@bp.route("/caravans/visits/<int:visit_id>", methods=["GET", "POST"])
def visit(visit_id: int):
    """A request with its conflicts per caravan, and the organiser's decision forms."""
    visit_obj = get_or_404(CaravanVisit, visit_id)
    require("visit.view", visit_obj)
    manage_it = can("event.manage", visit_obj)
    approve, decline, propose, cancel, reschedule, caravan_rows = _visit_forms(visit_obj)
    if request.method == "POST":
        require("event.manage", visit_obj)
        try:
            if approve.submit.data and approve.validate_on_submit():
                services.approve_visit(visit_obj, caravan=get_or_404(Caravan, approve.caravan_id.data),
                                       staff_ids=approve.staff_ids.data or [],
                                       starts_at=to_utc(approve.starts_at.data), ends_at=to_utc(approve.ends_at.data),
                                       capacity=approve.capacity.data, actor=current_user)
                message = _("Visit scheduled.")
            elif decline.submit.data and decline.validate_on_submit():
                services.decline_visit(visit_obj, reason=decline.reason.data, actor=current_user)
                message = _("Request declined.")
            elif propose.submit.data and propose.validate_on_submit():
                services.propose_visit_date(visit_obj, starts_at=to_utc(propose.starts_at.data),
                                            ends_at=to_utc(propose.ends_at.data), reason=propose.reason.data,
                                            actor=current_user)
                message = _("Another date was proposed to the requester.")
            elif reschedule.submit.data and reschedule.validate_on_submit():
                services.reschedule_visit(visit_obj, starts_at=to_utc(reschedule.starts_at.data),
                                          ends_at=to_utc(reschedule.ends_at.data), actor=current_user)
                message = _("Visit moved; its event, calendars and the school's page show the new time.")
            elif cancel.submit.data and cancel.validate_on_submit():
                services.cancel_visit(visit_obj, reason=cancel.reason.data, actor=current_user)
                message = _("Visit cancelled.")
            else:
                message = None
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            if message:
                db.session.commit()
                flash(message, "success")
                return redirect(url_for("events.visit", visit_id=visit_obj.id))
    conflicts = {}
    if manage_it and visit_obj.is_pending:
        for caravan in caravan_rows:
            conflicts[caravan.id] = services.visit_conflicts(visit_obj, caravan_id=caravan.id,
                                                             staff_ids=[s.id for s in caravan.crew])
    return render_template("events/visit.html", visit=visit_obj, approve=approve, decline=decline, propose=propose,
                           cancel=cancel, reschedule=reschedule, caravans=caravan_rows, conflicts=conflicts, manage_it=manage_it,
                           describe=services.describe_conflicts)


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
    visits = services.visits_between(managed_org_ids(), start, end, caravan_id=caravan_id)
    by_day: dict[date, list[CaravanVisit]] = {}
    for item in visits:
        day = to_user_timezone(item.starts_at).date()
        last = to_user_timezone(item.ends_at - timedelta(seconds=1)).date()
        while day <= last:
            by_day.setdefault(day, []).append(item)
            day += timedelta(days=1)
    blackout_query = sa.select(Blackout).options(selectinload(Blackout.caravan)).where(
        Blackout.first_day <= weeks[-1][-1], Blackout.last_day >= weeks[0][0])
    ids = managed_org_ids()
    if ids is not None:
        blackout_query = blackout_query.where(Blackout.organisation_id.in_(ids))
    blacked: dict[date, list[str]] = {}
    for blackout in db.session.execute(blackout_query).scalars():
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
    return render_template("events/calendar.html", caravan=caravan, weeks=weeks, first=first, by_day=by_day,
                           blacked=blacked, previous=previous, following=following)


# --- ticket recovery ("我的报名") and messages to registrants --------------------------------------------

RECOVERY_SESSION_MINUTES = 30


def _recovered_address() -> str | None:
    found = session.get("events_recovered")
    if not found or found.get("until", 0) < utcnow().timestamp():
        return None
    return found.get("address")


@bp.route("/my", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute;30 per hour", methods=["POST"])
def my_registrations():
    """Step 1: the phone or email used to register; a code goes there if it registered (the answer is the same
    either way)."""
    form = forms.RecoveryStartForm()
    if form.validate_on_submit():
        from notifications.services import clean_address

        try:
            channel, address = clean_address(form.contact.data, field="contact")
        except DomainError as exc:
            form_error(form, exc)
        else:
            services.start_ticket_recovery(channel, address, language=session.get("lang"))
            db.session.commit()
            session["events_recovery"] = address
            return redirect(url_for("events.my_registrations_code"))
    return render_template("events/my_start.html", form=form)


@bp.route("/my/code", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute;30 per hour", methods=["POST"])
def my_registrations_code():
    """Step 2: the code; right once, it opens the list for half an hour in this browser."""
    address = session.get("events_recovery")
    if not address:
        return redirect(url_for("events.my_registrations"))
    form = forms.RecoveryCodeForm()
    if form.validate_on_submit():
        ok = services.finish_ticket_recovery(address, form.code.data)
        db.session.commit()  # a wrong guess is counted
        if ok:
            session.pop("events_recovery", None)
            session["events_recovered"] = {"address": address,
                                           "until": utcnow().timestamp() + RECOVERY_SESSION_MINUTES * 60}
            return redirect(url_for("events.my_registrations_list"))
        form.code.errors = [_("This code is not right, or it has expired. Ask for a new one.")]
    from core.privacy import mask_contact as mask_address

    return render_template("events/my_code.html", form=form, masked=mask_address(address))


@bp.route("/my/list")
@public
def my_registrations_list():
    address = _recovered_address()
    if address is None:
        return redirect(url_for("events.my_registrations"))
    channel = "email" if "@" in address else "sms"
    rows = services.registrations_of_contact(channel, address)
    from core.privacy import mask_contact as mask_address

    return render_template("events/my_list.html", rows=rows, masked=mask_address(address))


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
        for n, s in enumerate(event.sessions, 1)]
    recipient_count = None
    if form.validate_on_submit():
        session_id = form.session_id.data or None
        if session_id is not None and session_id not in {s.id for s in event.sessions}:
            abort(404)
        if form.send.data:
            reached = notices.announce(event, session_id, form.subject.data, form.body.data, form.channels.data,
                                       actor=current_user)
            db.session.commit()
            flash(_("The message is on its way to %(n)d people.", n=reached), "success")
            return redirect(url_for("notifications.outbox"))
        recipient_count = notices.count_registrants(event, session_id)
    return render_template("events/message.html", event=event, form=form, recipient_count=recipient_count)
