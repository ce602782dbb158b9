"""Editing an event: a single-session event's session (tickets, .ics feed, check-in window) moves with it, and the
registration window is checked."""

from datetime import timedelta

import pytest

from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from events.services import planning as planning_service
from tests import factories
from tests.events import factories as ef


def test_moving_a_single_session_event_moves_its_session(client, org):
    """An organiser moved an event created without sessions to another day: the event page showed the new day
    but its only session (tickets, .ics feed, check-in window) stayed on the old one."""
    event = ef.event(org, capacity=10, starts_at=ef.future_day(10))
    registration = ef.registration(event)
    factories.commit()
    new_start = ef.future_day(11, 14)
    planning_service.update_event(event, starts_at=new_start, ends_at=new_start + timedelta(hours=2))
    factories.commit()
    db.session.expire_all()
    session = event.sessions[0]
    assert (session.starts_at, session.ends_at) == (new_start, new_start + timedelta(hours=2))
    import icalendar

    feed = icalendar.Calendar.from_ical(client.get(f"/events/{event.id}.ics").data)
    (item,) = feed.walk("VEVENT")
    assert item.decoded("DTSTART") == new_start and int(item.get("SEQUENCE")) == 1  # one change, one step
    assert new_start.strftime("%Y/%-m/%-d") in client.get(f"/events/t/{registration.link_token}").get_data(as_text=True)


def test_editing_an_event_checks_the_registration_window(org):
    event = ef.event(org, capacity=10, starts_at=ef.future_day(10))
    opens = utcnow() + timedelta(days=2)
    with pytest.raises(DomainError) as refused:
        planning_service.update_event(
            event, registration_opens_at=opens, registration_closes_at=opens - timedelta(days=1)
        )
    assert refused.value.field == "registration_closes_at"
