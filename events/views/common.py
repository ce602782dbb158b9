"""The events blueprint and what its pages share: form times in the installation's zone, the organisations
the user manages, the organising-unit choice, the check-in access check, calendar responses."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, request, send_file
from flask_babel import to_user_timezone
from flask_login import current_user

from accounts.models import Organisation
from core.permissions import can, get_or_404, is_admin, require
from events.models import Event, StaffLink
from events.services import planning as planning_service
from events.staffaccess import staff_link_for_event

bp = Blueprint("events", __name__)


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
    """The science associations the user may create events, venues and caravans for."""
    return planning_service.associations(managed_org_ids())


def creatable_for() -> list[Organisation]:
    """The associations the user may create events, venues, caravans and their staff for; 403 when none."""
    orgs = associations_for_user()
    if not orgs:
        abort(403)
    return orgs


def editable_or_new(model, obj_id: int | None):
    """For a page that edits an association's object or creates one: (the object after the manage check, or
    None for a new one; the associations the user may choose from). 404 unknown, 403 not theirs."""
    obj = get_or_404(model, obj_id) if obj_id else None
    if obj is not None:
        require("event.manage", obj)
        return obj, associations_for_user()
    return None, creatable_for()


def xlsx_response(data: bytes, filename: str):
    return send_file(
        io.BytesIO(data),
        as_attachment=True,
        download_name=filename,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


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
