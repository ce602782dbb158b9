"""Calendar feeds: the items (events, caravan visits) that events.ics writes as iCalendar, and what a venue's
and a caravan's feed hold."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from core.db import utcnow
from core.extensions import db
from events.caravan.models import CaravanVisit
from events.models import Event, EventStatus, Venue, VisitStatus


def calendar_items_for_events(events: Iterable[Event], host: str, url_for_event) -> list:
    """One iCalendar item per session (UID per session, SEQUENCE = event's + session's changes)."""
    from events import ics

    items = []
    for event in events:
        status = (
            ics.CANCELLED
            if event.status == EventStatus.CANCELLED
            else (ics.CONFIRMED if event.status == EventStatus.PUBLISHED else ics.TENTATIVE)
        )
        location = ", ".join(p for p in ((event.venue.name, event.venue.address) if event.venue else ()) if p)
        for session in event.sessions:
            summary = event.title + (f" · {session.title}" if session.title and len(event.sessions) > 1 else "")
            items.append(
                ics.CalendarItem(
                    uid=ics.make_uid("session", session.id, host),
                    sequence=event.sequence + session.sequence,
                    start=session.starts_at,
                    end=session.ends_at,
                    summary=summary,
                    description=event.description,
                    location=location,
                    url=url_for_event(event),
                    status=status,
                    last_modified=event.updated_at,
                )
            )
    return items


def calendar_items_for_visits(visits: Iterable[CaravanVisit], host: str) -> list:
    """One iCalendar item per caravan visit: confirmed, pending (TENTATIVE) or cancelled. No contact details."""
    from events import ics

    items = []
    for visit in visits:
        status = {
            VisitStatus.CONFIRMED: ics.CONFIRMED,
            VisitStatus.CANCELLED: ics.CANCELLED,
            VisitStatus.DECLINED: ics.CANCELLED,
        }.get(visit.status, ics.TENTATIVE)
        crew = "、".join(s.name for s in visit.staff)
        items.append(
            ics.CalendarItem(
                uid=ics.make_uid("visit", visit.id, host),
                sequence=visit.sequence,
                start=visit.starts_at,
                end=visit.ends_at,
                summary=_("Science caravan: %(host)s", host=visit.host_name),
                description=(_("Caravan: %(name)s", name=visit.caravan.name) if visit.caravan else "")
                + (("\n" + _("Staff: %(names)s", names=crew)) if crew else ""),
                location=visit.address or (visit.venue.address if visit.venue else ""),
                status=status,
                last_modified=visit.updated_at,
            )
        )
    return items


def caravan_feed_visits(caravan_id: int) -> list[CaravanVisit]:
    """Visits of a caravan for its feed: scheduled and cancelled ones from 90 days back on."""
    return (
        db.session.execute(
            sa.select(CaravanVisit)
            .options(
                selectinload(CaravanVisit.caravan), selectinload(CaravanVisit.staff), selectinload(CaravanVisit.venue)
            )
            .where(
                CaravanVisit.caravan_id == caravan_id,
                CaravanVisit.status.in_([VisitStatus.CONFIRMED, VisitStatus.CANCELLED]),
                CaravanVisit.ends_at >= utcnow() - timedelta(days=90),
            )
            .order_by(CaravanVisit.starts_at)
        )
        .scalars()
        .all()
    )


def venue_feed_events(venue: Venue, now: datetime) -> list[Event]:
    """A venue's feed: its events that are not drafts, from 90 days back."""
    return (
        db.session.execute(
            sa.select(Event)
            .options(selectinload(Event.sessions), selectinload(Event.venue))
            .where(
                Event.venue_id == venue.id, Event.status != EventStatus.DRAFT, Event.ends_at >= now - timedelta(days=90)
            )
            .order_by(Event.starts_at)
        )
        .scalars()
        .all()
    )
