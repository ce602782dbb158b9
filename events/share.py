"""Sharing an event: a printable poster with a QR code to the event page, and the picture chat apps show when its
link is pasted (Open Graph image). Public, like the event page they point to; drafts stay hidden."""

from __future__ import annotations

import io

from flask import abort, render_template, send_file
from flask_babel import gettext as _

from accounts.branding import brand_of, logo_path
from core.permissions import can, get_or_404, public
from events import rendering
from events.models import Event, EventStatus
from events.views import bp


def _shared_event_or_404(event_id: int) -> Event:
    event = get_or_404(Event, event_id)
    if event.status == EventStatus.DRAFT and not can("event.manage", event):
        abort(404)
    return event


def event_link(event: Event) -> str:
    """The address printed on posters and carried by their QR code (BASE_URL: the poster outlives the request)."""
    from notifications.services.rendering import link_for

    return link_for("events.detail", event_id=event.id)


@bp.route("/<int:event_id>/poster")
@public
def poster(event_id: int):
    """A poster for a school's notice board: title, time, place, and a QR code to the event page."""
    event = _shared_event_or_404(event_id)
    return render_template(
        "events/poster.html", event=event, brand=brand_of(event.organisation), link=event_link(event)
    )


@bp.route("/<int:event_id>/qr.png")
@public
def event_qr(event_id: int):
    event = _shared_event_or_404(event_id)
    return send_file(io.BytesIO(rendering.qr_png(event_link(event))), mimetype="image/png", max_age=3600)


@bp.route("/<int:event_id>/share.png")
@public
def share_image(event_id: int):
    """The 1200 × 630 picture of a link preview: the association's colour and logo, the title, time and place."""
    event = _shared_event_or_404(event_id)
    brand = brand_of(event.organisation)
    org = event.organisation if brand is None else None
    logo = None
    if brand is not None:
        from accounts.models import Organisation
        from core.extensions import db

        logo = logo_path(db.session.get(Organisation, brand.organisation_id))
    data = rendering.share_png(
        title=event.title,
        when=rendering.event_time(event),
        where=event.venue.name if event.venue else "",
        organiser=brand.name if brand else (org.name if org else ""),
        colour=brand.colour if brand else None,
        logo=str(logo) if logo else None,
        footer=_("Scan or tap to register"),
    )
    return send_file(io.BytesIO(data), mimetype="image/png", max_age=600)
