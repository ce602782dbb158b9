"""The check-in scanner's pages: the staff link that unlocks it, its service worker and manifest, the page.
The scans themselves go through the API (events.api)."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, jsonify, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _

from core.permissions import get_or_404, public
from events import forms
from events.models import Event
from events.services import capacity as capacity_service
from events.services import staff as staff_service
from events.staffaccess import STAFF_LINK_KEY
from events.views.common import bp, require_checkin


@bp.route("/staff/<token>")
@public
def staff_entry(token: str):
    """A helper opens the staff link: during the event window it unlocks the scanner in this browser."""
    link = staff_service.find_staff_link(token)
    if link is None or not staff_service.staff_link_valid(link):
        return render_template(
            "errors/error.html",
            status=403,
            message=_("This staff link is not valid now: it works only during the event."),
        ), 403
    session[STAFF_LINK_KEY] = link.id
    return redirect(url_for("events.scanner", event_id=link.event_id))


@bp.route("/scanner-sw.js")
@public
def scanner_service_worker():
    """The scanner's service worker (a static script): served under /events/ so its scope covers the scanner."""
    response = send_file(
        Path(current_app.static_folder) / "js" / "events-scanner-sw.js", mimetype="text/javascript", max_age=0
    )
    response.headers["Service-Worker-Allowed"] = "/events/"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/<int:event_id>/scan.webmanifest")
@public
def scanner_manifest(event_id: int):
    """The web app manifest that makes the scanner installable on a phone's home screen (like pretixSCAN)."""
    event = get_or_404(Event, event_id)
    require_checkin(event)
    response = jsonify(
        {
            "name": _("Check-in") + " · " + event.title,
            "short_name": _("Check-in"),
            "start_url": url_for("events.scanner", event_id=event.id),
            "scope": "/events/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#0d6efd",
            "icons": [{"src": url_for("static", filename="favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
        }
    )
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
    return render_template(
        "events/scanner.html",
        event=event,
        gate=gate,
        walk_in=walk_in,
        staff_link=link,
        valid_until=valid_until,
        counters=capacity_service.event_counters(event),
    )
