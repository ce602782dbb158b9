"""/api/v1 for events: check-in (POST /api/v1/checkins), offline scanners' ticket list and queued uploads, live
counters, manual search, walk-ins, event list.

Check-in calls are open to the event's check-in staff and organisers (session or bearer token) and to a
browser holding a valid staff link for that event; so the routes are @public and check access themselves.
"""

from __future__ import annotations

from datetime import UTC

from flask import g
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy.exc import IntegrityError

from core.api import ApiBlueprint, json_args, json_body_doc
from core.extensions import db
from core.permissions import can, is_admin, public, require
from core.privacy import mask_phone
from core.security import api_error
from events.models import Event, EventSession, RegistrationSource
from events.services import capacity as capacity_service
from events.services import checkin as checkin_service
from events.services import offline as offline_service
from events.services import planning as planning_service
from events.services import registration as registration_service
from events.staffaccess import staff_link_for_event

blp = ApiBlueprint("events_api", __name__, url_prefix="/api/v1", description="Events: check-in, counters, walk-ins")


class CheckinArgs(Schema):
    code = fields.String(required=True, validate=validate.Length(max=200))
    event_id = fields.Integer(required=True)
    gate = fields.String(load_default="", validate=validate.Length(max=60))
    nonce = fields.String(required=True, validate=validate.Length(min=1, max=80))
    scanned_at = fields.AwareDateTime(load_default=None, default_timezone=UTC)
    device = fields.String(load_default="", validate=validate.Length(max=200))
    head_count = fields.Integer(load_default=None, validate=validate.Range(min=1, max=500))  # people arriving
    confirm_over = fields.Boolean(load_default=False)  # staff confirmed a count above the ticket's
    session_id = fields.Integer(load_default=None)
    direction = fields.String(
        load_default=checkin_service.IN, validate=validate.OneOf([checkin_service.IN, checkin_service.OUT])
    )


class QueuedScanSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(max=200))
    nonce = fields.String(required=True, validate=validate.Length(min=1, max=80))
    scanned_at = fields.AwareDateTime(load_default=None, default_timezone=UTC)
    gate = fields.String(load_default="", validate=validate.Length(max=60))
    device = fields.String(load_default="", validate=validate.Length(max=200))
    head_count = fields.Integer(load_default=None, validate=validate.Range(min=1, max=500))
    confirm_over = fields.Boolean(load_default=False)
    direction = fields.String(
        load_default=checkin_service.IN, validate=validate.OneOf([checkin_service.IN, checkin_service.OUT])
    )
    offline_result = fields.String(load_default=None, validate=validate.Length(max=30))


class QueuedScansArgs(Schema):
    scans = fields.List(fields.Nested(QueuedScanSchema), required=True, validate=validate.Length(min=1, max=2000))


class SearchArgs(Schema):
    q = fields.String(required=True, validate=validate.Length(min=1, max=100))


class WalkInArgs(Schema):
    session_id = fields.Integer(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    phone = fields.String(load_default="", validate=validate.Length(max=30))
    kind = fields.String(load_default="individual", validate=validate.OneOf(["individual", "group"]))
    head_count = fields.Integer(load_default=1, validate=validate.Range(min=1, max=500))
    school_name = fields.String(load_default="", validate=validate.Length(max=200))
    gate = fields.String(load_default="", validate=validate.Length(max=60))
    nonce = fields.String(required=True, validate=validate.Length(min=1, max=80))
    use_absent_seats = fields.Boolean(load_default=False)  # seats of registrants who have not come


class EventSummarySchema(Schema):
    id = fields.Integer()
    title = fields.String()
    kind = fields.String()
    status = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    capacity = fields.Integer()
    registered = fields.Integer()


def _checkin_access(event: Event):
    """(allowed, staff_link, error_response): staff accounts and organisers, or a valid staff link."""
    if current_user.is_authenticated:
        if can("event.checkin", event):
            return True, None, None
    elif g.get("invalid_api_token"):
        return False, None, api_error(401, _("The API token is malformed, revoked or unknown."), code="invalid_token")
    link = staff_link_for_event(event)
    if link is not None:
        return True, link, None
    return False, None, api_error(403 if current_user.is_authenticated else 401)


def _scanner_event(event_id: int):
    """(event, staff_link, None) when the caller may check in at the event, else (None, None, error_response):
    the one load-and-check of every scanner endpoint."""
    event = db.session.get(Event, event_id)
    if event is None:
        return None, None, _unknown_event()
    allowed, link, error = _checkin_access(event)
    if not allowed:
        return None, None, error
    return event, link, None


def _unknown_event():
    return {"status": "not_found", "message": _("Unknown event."), "attendee": None}, 404


CHECKIN_ARGS = CheckinArgs()


@blp.route("/checkins", methods=["POST"])
@public
@blp.doc(**json_body_doc(CheckinArgs))
def create_checkin():
    """Check a ticket in (or out, `direction: "out"`). 201 new check-in (or the next part of a group), 200
    already checked in, 404 unknown code, 409 other refusals (wrong_event, outside_window, cancelled,
    waitlisted, over_count). A repeated nonce returns exactly the first answer."""
    args = json_args(CHECKIN_ARGS)
    event, link, error = _scanner_event(args["event_id"])
    if error is not None:
        return error
    user = current_user if current_user.is_authenticated else None
    try:
        result = checkin_service.perform_checkin(
            event,
            raw_code=args["code"],
            gate=args["gate"],
            nonce=args["nonce"],
            scanned_at=args["scanned_at"],
            device=args["device"],
            head_count=args["head_count"],
            confirm_over=args["confirm_over"],
            session_id=args["session_id"],
            direction=args["direction"],
            user=user,
            staff_link=link,
        )
    except IntegrityError:  # the same nonce twice at the same instant: answer like the first one
        db.session.rollback()
        result = checkin_service.replay_scan(
            args["nonce"], raw=args["code"], gate=args["gate"], user=user, staff_link=link
        )
        if result is None:
            raise
    db.session.commit()
    return result.body, result.http_status


@blp.route("/events/<int:event_id>/checkins/batch", methods=["POST"])
@public
@blp.arguments(QueuedScansArgs)
def upload_scans(args, event_id: int):
    """Upload scans an offline scanner decided and queued: each is decided again by the one rule at the
    device's time and logged with what the device showed; nonces make a repeated upload harmless. Answers
    `results` in the order the scans were made, each with `differs` when the server's answer is not the
    device's."""
    event, link, error = _scanner_event(event_id)
    if error is not None:
        return error
    user = current_user if current_user.is_authenticated else None
    scans = [offline_service.QueuedScan(**scan) for scan in args["scans"]]
    try:
        results = offline_service.upload_offline_scans(event, scans, user=user, staff_link=link)
    except IntegrityError:  # a nonce being written by a concurrent upload: the device sends the batch again
        db.session.rollback()
        return api_error(409, _("Another upload of these scans is running; they will be sent again."), code="conflict")
    db.session.commit()
    return {"results": results}


@blp.route("/events/<int:event_id>/offline-tickets")
@public
def offline_tickets(event_id: int):
    """The event's ticket list for a scanner that must work without network: code hashes, sessions' windows,
    status, head-counts, masked names and who is in already (see offline_service.offline_ticket_list)."""
    event, _link, error = _scanner_event(event_id)
    if error is not None:
        return error
    return offline_service.offline_ticket_list(event)


@blp.route("/events/<int:event_id>/conflicts")
@public
def conflicts(event_id: int):
    """Offline scans whose server answer differs from what the device showed, for the staff to sort out."""
    event, _link, error = _scanner_event(event_id)
    if error is not None:
        return error
    return {"conflicts": offline_service.offline_conflicts(event)}


@blp.route("/events/<int:event_id>/counters")
@public
def counters(event_id: int):
    """Checked in / registered / capacity (people), for the scanner page."""
    event, _link, error = _scanner_event(event_id)
    if error is not None:
        return error
    return capacity_service.event_counters(event)


@blp.route("/events/<int:event_id>/search")
@public
@blp.arguments(SearchArgs, location="query")
def search(args, event_id: int):
    """Find registrations by name or phone ending (manual check-in); phones come back masked."""
    event, _link, error = _scanner_event(event_id)
    if error is not None:
        return error
    rows = registration_service.search_registrations(event, args["q"])
    return {
        "results": [
            {
                "code": r.code,
                "name": r.name,
                "phone": mask_phone(r.phone) if r.phone else "",
                "school": r.school_name,
                "kind": r.kind,
                "head_count": r.head_count,
                "status": r.status,
                "session": r.session.title,
                "checked_in": r.checkin is not None,
            }
            for r in rows
        ]
    }


@blp.route("/events/<int:event_id>/walk-ins", methods=["POST"])
@public
@blp.arguments(WalkInArgs)
def walk_in(args, event_id: int):
    """Register a visitor at the door and check them in at once. Refused before anything is written outside the
    session's check-in window or when it is full (with the seats of absent registrants the staff may offer)."""
    event, link, error = _scanner_event(event_id)
    if error is not None:
        return error
    user = current_user if current_user.is_authenticated else None
    # The scanner page retries a walk-in with the same nonce when the answer got lost: the retry must get the
    # first answer, not register the visitor a second time.
    replay = checkin_service.replay_scan(args["nonce"], raw="", gate=args["gate"], user=user, staff_link=link)
    if replay is not None:
        db.session.commit()
        return replay.body, replay.http_status
    session = db.session.get(EventSession, args["session_id"])
    if session is None or session.event_id != event.id:
        return api_error(422, _("Choose a session of this event."), code="invalid")
    try:
        registration = registration_service.register(
            session,
            name=args["name"],
            phone=args["phone"] or None,
            kind=args["kind"],
            head_count=args["head_count"],
            school_name=args["school_name"],
            source=RegistrationSource.WALK_IN,
            use_absent_seats=args["use_absent_seats"],
            user=user,
        )
    except registration_service.SessionFull as exc:
        db.session.rollback()
        return api_error(409, str(exc), code=exc.code, details={"field": exc.field, "absent_seats": exc.absent_seats})
    try:
        result = checkin_service.perform_checkin(
            event, raw_code=registration.code, gate=args["gate"], nonce=args["nonce"], user=user, staff_link=link
        )
    except IntegrityError:  # the same nonce at the very same moment: undo this registration, answer like the first
        result = None
    if result is None or result.replayed:
        db.session.rollback()
        result = checkin_service.replay_scan(args["nonce"], raw="", gate=args["gate"], user=user, staff_link=link)
        if result is None:
            return api_error(
                409, _("This walk-in is being registered already; scan the ticket to check."), code="conflict"
            )
    db.session.commit()
    return result.body, result.http_status


@blp.route("/events")
@blp.response(200, EventSummarySchema(many=True))
def list_events():
    """Events you organise (all for an administrator), with registered seats."""
    require("event.view_list")
    ids = None if is_admin(current_user) else sorted(current_user.organised_org_ids())
    rows = planning_service.list_events(organisation_ids=ids)
    return [
        {
            "id": e.id,
            "title": e.title,
            "kind": e.kind,
            "status": e.status,
            "starts_at": e.starts_at,
            "ends_at": e.ends_at,
            "capacity": e.capacity,
            "registered": registered,
        }
        for e, registered in rows
    ]
