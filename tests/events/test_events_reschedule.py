"""Rescheduling a caravan visit: on the visit, through the approval's conflict check, everything moves together."""

from datetime import timedelta

import icalendar
import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from core.errors import DomainError
from core.extensions import db
from events.caravan import visits as visits_service
from events.caravan.models import CaravanBooking, CaravanVisit
from events.services import capacity as capacity_service
from events.services import planning as planning_service
from notifications.models import Message
from tests import factories
from tests.events import factories as ef


@pytest.fixture
def org():
    return factories.association(name="青溪县科学技术协会")


def _two_visits(org):
    caravan = ef.caravan(org, crew=[ef.staff(org, "讲解员䶮")])
    first = ef.visit_request(org, ef.future_day(20, 9))
    visits_service.approve_visit(first, caravan=caravan)
    second = ef.visit_request(org, ef.future_day(20, 14), host_name="桃源镇中心小学")
    visits_service.approve_visit(second, caravan=caravan)
    return caravan, first, second


def test_event_times_of_a_visit_are_locked(org):
    _, first, second = _two_visits(org)
    # the old way round the check: moving the visit's event into the other visit's buffer
    with pytest.raises(DomainError) as excinfo:
        planning_service.update_event(first.event, starts_at=second.starts_at, ends_at=second.ends_at)
    assert excinfo.value.code == "locked"
    db.session.rollback()


def test_session_of_a_visit_event_stays_inside_the_visit(org):
    _, first, second = _two_visits(org)
    session = first.event.sessions[0]
    with pytest.raises(DomainError):
        planning_service.update_session(session, starts_at=second.starts_at, ends_at=second.ends_at, capacity=10)
    db.session.rollback()


def test_reschedule_into_another_visits_buffer_is_refused(org):
    _, first, second = _two_visits(org)
    with pytest.raises(DomainError) as excinfo:
        visits_service.reschedule_visit(
            first, starts_at=second.starts_at - timedelta(hours=1), ends_at=second.starts_at + timedelta(hours=1)
        )
    assert excinfo.value.code == "conflict"


def test_staff_conflict_names_the_staff_member(org):
    guide = ef.staff(org, "讲解员𠮷祥")
    one = ef.caravan(org, "一号车", crew=[guide])
    two = ef.caravan(org, "二号车", crew=[guide])
    visits_service.approve_visit(ef.visit_request(org, ef.future_day(25, 9)), caravan=one)
    visit = ef.visit_request(org, ef.future_day(25, 9), host_name="城关第二小学")
    with force_locale("zh_CN"), pytest.raises(DomainError) as excinfo:
        visits_service.approve_visit(visit, caravan=two)
    assert "讲解员𠮷祥" in str(excinfo.value)


def test_reschedule_moves_visit_event_bookings_and_feeds(client, org):
    caravan, first, second = _two_visits(org)
    registration = ef.registration(first.event, phone="13912345678", name="刘䶮", kind="group", head_count=30)
    factories.commit()
    feed_before = list(
        icalendar.Calendar.from_ical(client.get(f"/events/caravans/feed/{caravan.feed_token}.ics").data).walk("VEVENT")
    )
    event_before = list(icalendar.Calendar.from_ical(client.get(f"/events/{first.event_id}.ics").data).walk("VEVENT"))
    new_start = ef.future_day(21, 9)
    visits_service.reschedule_visit(first, starts_at=new_start, ends_at=new_start + timedelta(hours=3))
    factories.commit()
    visit = db.session.get(CaravanVisit, first.id)
    assert (visit.starts_at, visit.ends_at) == (new_start, new_start + timedelta(hours=3))
    assert (visit.event.starts_at, visit.event.ends_at) == (visit.starts_at, visit.ends_at)
    assert (visit.event.sessions[0].starts_at, visit.event.sessions[0].ends_at) == (visit.starts_at, visit.ends_at)
    bookings = db.session.execute(sa.select(CaravanBooking).where(CaravanBooking.visit_id == visit.id)).scalars().all()
    assert len(bookings) == 2 and all(b.blocked_from == new_start - timedelta(hours=2) for b in bookings)
    feed = {
        str(e["UID"]): e
        for e in icalendar.Calendar.from_ical(client.get(f"/events/caravans/feed/{caravan.feed_token}.ics").data).walk(
            "VEVENT"
        )
    }
    old = next(e for e in feed_before if str(e["UID"]) in feed and "青溪县实验小学" in str(e["SUMMARY"]))
    moved = feed[str(old["UID"])]
    assert moved["DTSTART"].dt == new_start and int(moved["SEQUENCE"]) > int(old["SEQUENCE"])
    event_item = list(icalendar.Calendar.from_ical(client.get(f"/events/{first.event_id}.ics").data).walk("VEVENT"))[0]
    assert event_item["DTSTART"].dt == new_start
    assert int(event_item["SEQUENCE"]) > int(event_before[0]["SEQUENCE"])
    # the school's status page shows the one time
    status = client.get(f"/events/caravan/request/{visit.token}").get_data(as_text=True)
    day = new_start.strftime("%-d")
    assert day in status
    # the registrant and the school were told, through the existing message kinds
    kinds = set(db.session.execute(sa.select(Message.kind)).scalars())
    assert {"events.changed", "events.visit_approved"} <= kinds
    # and the first slot is free again: another school can take it
    third = ef.visit_request(org, ef.future_day(20, 9), host_name="白沙镇中心小学")
    visits_service.approve_visit(third, caravan=caravan)
    assert registration.id


def test_organiser_moves_the_visit_on_its_page(client, login, org):
    _, first, second = _two_visits(org)
    organiser = factories.organiser(org)
    factories.commit()
    login(organiser)
    page = client.get(f"/events/caravans/visits/{first.id}").get_data(as_text=True)
    assert 'id="reschedule-form"' in page and "data-confirm" in page  # cancelling asks first
    clash = second.starts_at.astimezone(ef.CST).replace(tzinfo=None)
    refused = client.post(
        f"/events/caravans/visits/{first.id}",
        data={
            "reschedule-starts_at": clash.strftime("%Y-%m-%dT%H:%M"),
            "reschedule-ends_at": (clash + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "reschedule-submit": "1",
        },
    )
    assert refused.status_code == 200
    assert db.session.get(CaravanVisit, first.id).starts_at == ef.future_day(20, 9)
    new = ef.future_day(22, 9).replace(tzinfo=None)
    moved = client.post(
        f"/events/caravans/visits/{first.id}",
        data={
            "reschedule-starts_at": new.strftime("%Y-%m-%dT%H:%M"),
            "reschedule-ends_at": (new + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "reschedule-submit": "1",
        },
    )
    assert moved.status_code == 302
    db.session.expire_all()
    assert db.session.get(CaravanVisit, first.id).starts_at == ef.future_day(22, 9)
    edit = client.get(f"/events/{first.event_id}/edit").get_data(as_text=True)
    assert 'id="times-locked"' in edit


def test_caravan_event_title_in_installation_language(org):
    caravan = ef.caravan(org)
    visit = ef.visit_request(org, ef.future_day(20, 9))
    with force_locale("en"):
        visits_service.approve_visit(visit, caravan=caravan)
    assert visit.event.title == "科普大篷车走进青溪县实验小学"


def test_school_counter_proposes_a_time_on_its_status_page(client, org):
    caravan = ef.caravan(org)
    visit = ef.visit_request(org, ef.future_day(20, 9))
    visits_service.propose_visit_date(
        visit, starts_at=ef.future_day(21, 9), ends_at=ef.future_day(21, 11), reason="原定日期有安排"
    )
    taken = ef.visit_request(org, ef.future_day(23, 9), host_name="桃源镇中心小学")
    visits_service.approve_visit(taken, caravan=caravan)
    factories.commit()
    page = client.get(f"/events/caravan/request/{visit.token}").get_data(as_text=True)
    assert 'id="accept-proposal"' in page and 'id="counter-form"' in page
    busy = ef.future_day(23, 9).replace(tzinfo=None)
    refused = client.post(
        f"/events/caravan/request/{visit.token}",
        data={
            "counter-starts_at": busy.strftime("%Y-%m-%dT%H:%M"),
            "counter-ends_at": (busy + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "counter-submit": "1",
        },
    )
    assert refused.status_code == 200 and "is-invalid" in refused.get_data(as_text=True)
    mine = ef.future_day(24, 14).replace(tzinfo=None)
    sent = client.post(
        f"/events/caravan/request/{visit.token}",
        data={
            "counter-starts_at": mine.strftime("%Y-%m-%dT%H:%M"),
            "counter-ends_at": (mine + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "counter-message": "周四下午全校都在",
            "counter-submit": "1",
        },
    )
    assert sent.status_code == 302
    db.session.expire_all()
    visit = db.session.get(CaravanVisit, visit.id)
    assert visit.status == "requested" and visit.starts_at == ef.future_day(24, 14)
    assert "周四下午全校都在" in visit.notes


def test_visitor_sees_waiting_list_position(client, org):
    event = ef.event(org, capacity=1)
    ef.registration(event, name="刘䶮")
    first = ef.registration(event, name="王𠮷祥")
    second = ef.registration(event, name="张小明")
    factories.commit()
    assert (capacity_service.waitlist_position(first), capacity_service.waitlist_position(second)) == (1, 2)
    page = client.get(f"/events/t/{second.link_token}").get_data(as_text=True)
    assert 'id="waitlist-position"' in page and "第 2 位" in page
