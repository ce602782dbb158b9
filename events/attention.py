"""The organiser's "needs me now" items of the events area: caravan requests to answer, registration closing."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from core.db import utcnow
from core.extensions import db
from core.permissions import is_admin
from core.ui import Attention


def attention(user) -> list[Attention]:
    from events.caravan.models import CaravanVisit
    from events.models import PENDING_VISIT_STATUSES, Event, EventStatus

    org_ids = None if is_admin(user) else sorted(user.organised_org_ids())
    if org_ids == []:
        return []
    pending = sa.select(sa.func.count(CaravanVisit.id)).where(CaravanVisit.status.in_(PENDING_VISIT_STATUSES))
    closing = (
        sa.select(Event)
        .where(
            Event.status == EventStatus.PUBLISHED,
            Event.registration_closes_at >= utcnow(),
            Event.registration_closes_at < utcnow() + timedelta(days=7),
        )
        .order_by(Event.registration_closes_at)
    )
    if org_ids is not None:
        pending = pending.where(CaravanVisit.organisation_id.in_(org_ids))
        closing = closing.where(Event.organisation_id.in_(org_ids))
    items = []
    n = db.session.execute(pending).scalar() or 0
    if n:
        items.append(Attention(30, _l("Caravan requests to answer"), url_for("events.caravans"), n, "request"))
    from core.i18n import format_moment

    for event in db.session.execute(closing).scalars():
        items.append(
            Attention(
                61,
                _l(
                    "Registration closes %(when)s · %(event)s",
                    when=format_moment(event.registration_closes_at, "short"),
                    event=event.title,
                ),
                url_for("events.admin_event", event_id=event.id),
                None,
                "deadline",
            )
        )
    return items
