"""Which staff link this browser holds: check-in pages and the check-in API both admit a valid one.

A staff link (a token the organiser hands to volunteers without accounts) is opened once in the browser,
which keeps its id in the Flask session under STAFF_LINK_KEY.
"""

from __future__ import annotations

from flask import session

from core.extensions import db
from events.models import Event, StaffLink
from events.services import staff as staff_service

STAFF_LINK_KEY = "events_staff_link"


def staff_link_for_event(event: Event) -> StaffLink | None:
    """The staff link stored in this browser's session, if it is for `event` and valid right now."""
    link_id = session.get(STAFF_LINK_KEY)
    if not link_id:
        return None
    link = db.session.get(StaffLink, link_id)
    if link is None or link.event_id != event.id or not staff_service.staff_link_valid(link):
        return None
    return link
