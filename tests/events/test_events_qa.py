"""Regressions found by walking through issue 6 as its users would (QA pass): one test per bug fixed."""
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from accounts import services as account_services
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from events.caravan import fleet as fleet_service
from events.models import CheckIn, Registration, ScanLog
from events.services import capacity as capacity_service
from events.services import checkin as checkin_service
from events.services import planning as planning_service
from events.services import registration as registration_service
from tests import factories
from tests.events import factories as ef


@pytest.fixture
def org():
    return factories.association(name="青溪县科学技术协会")


def _walk_in(client, headers, event, nonce, **fields):
    payload = {"session_id": event.sessions[0].id, "name": "现场观众", "phone": "", "nonce": nonce, **fields}
    return client.post(f"/api/v1/events/{event.id}/walk-ins", headers=headers, json=payload)


def test_a_retried_walk_in_registers_the_visitor_once(client, org):
    """The scanner page retries a walk-in with the same nonce after a network error: the retry must answer like
    the first attempt instead of registering the visitor a second time (and leaving a ticket never used)."""
    event = ef.event(org, capacity=5)
    staff = factories.checkin_staff(event.id)
    _row, token = account_services.create_api_token(staff, "scanner")
    factories.commit()
    headers = {"Authorization": f"Bearer {token}"}
    first = _walk_in(client, headers, event, "walk-1")
    again = _walk_in(client, headers, event, "walk-1")
    assert first.status_code == 201 and again.status_code == 201
    assert again.get_json() == first.get_json()
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScanLog)) == 2  # the retry is logged too
    # with a phone the retry used to be refused as a duplicate registration instead of replaying the answer
    with_phone = _walk_in(client, headers, event, "walk-2", phone="13912340000", name="李四")
    retry = _walk_in(client, headers, event, "walk-2", phone="13912340000", name="李四")
    assert with_phone.status_code == 201 and retry.status_code == 201 and retry.get_json() == with_phone.get_json()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 2


def test_registration_for_a_session_that_is_over_is_refused(org):
    """An event's morning session is over while the event (and so its registration window) still runs."""
    start = (utcnow() - timedelta(hours=5)).replace(microsecond=0)
    event = ef.event(org, capacity=10, starts_at=start, hours=8)
    over = event.sessions[0]
    planning_service.update_session(over, starts_at=start, ends_at=start + timedelta(hours=2), capacity=10)
    later = planning_service.add_session(event, starts_at=utcnow() + timedelta(hours=1), ends_at=start + timedelta(hours=8),
                                 capacity=10)
    with pytest.raises(DomainError) as refused:
        ef.registration(event, session=over)
    assert refused.value.field == "session_id"
    assert "结束" in str(refused.value) or "over" in str(refused.value)
    assert ef.registration(event, session=later).status == "confirmed"
    # a walk-in is bound by the session's check-in window instead, and refused before anything is written
    with pytest.raises(DomainError) as outside:
        registration_service.register(over, name="现场", phone=None, source="walk_in")
    assert outside.value.code == "outside_window"
    assert capacity_service.session_counts([over.id])[over.id].registrations == 0


def test_event_pages_use_their_own_words_not_other_areas(client, login, org):
    """Catalogs of all areas are merged and other areas win for shared msgids: the events pages must not show a
    contest's "作品名称" for an event title, "名称" for a person's name, or "上一页" for the previous month."""
    organiser = factories.organiser(org)
    event = ef.event(org, capacity=10)
    registration = ef.registration(event, name="王小明", phone="13911112222")
    checkin_service.perform_checkin(event, raw_code=registration.code, gate="东门")
    ef.caravan(org)
    factories.commit()
    login(organiser)
    manage = client.get("/events/manage").get_data(as_text=True)
    assert "作品名称" not in manage and "活动名称" in manage
    assert "作品名称" not in client.get("/events/new").get_data(as_text=True)
    for url in (f"/events/{event.id}/registrations", f"/events/{event.id}/attendance", f"/events/{event.id}/scan"):
        page = client.get(url).get_data(as_text=True)
        assert "<th>名称</th>" not in page and ">名称<" not in page, url
        assert "姓名" in page, url
    calendar = client.get("/events/caravans/calendar").get_data(as_text=True)
    assert "上一页" not in calendar and "上个月" in calendar and "下个月" in calendar
    workbook = load_workbook(io.BytesIO(client.get(f"/events/{event.id}/attendance.xlsx").data))
    assert workbook.worksheets[2].cell(1, 1).value == "姓名"


def test_a_coordinator_finds_the_caravan_requests_of_the_school_on_the_dashboard(client, login, org):
    """A coordinator who asked for the caravan from the account had nowhere in it to follow the request (the
    dashboard showed nothing of the events area) nor a way to send one."""
    school = factories.school(parent=org, name="青溪县实验小学")
    coordinator = factories.coordinator(school)
    ef.caravan(org)
    visit = ef.visit_request(org, ef.future_day(12), host_name="青溪县实验小学", host_organisation_id=school.id)
    ef.visit_request(org, ef.future_day(14), host_name="别的学校")
    factories.commit()
    login(coordinator)
    page = client.get("/dashboard").get_data(as_text=True)
    assert f"/events/caravans/visits/{visit.id}" in page and "别的学校" not in page
    assert "/events/caravan/request" in page
    assert client.get(f"/events/caravans/visits/{visit.id}").status_code == 200


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
        planning_service.update_event(event, registration_opens_at=opens, registration_closes_at=opens - timedelta(days=1))
    assert refused.value.field == "registration_closes_at"


def test_the_all_caravans_calendar_says_which_caravan_a_blackout_is_for(client, login, org):
    """On the calendar of all caravans a one-caravan blackout (its annual inspection) looked like a day on which
    no caravan could go out."""
    organiser = factories.organiser(org)
    first, second = ef.caravan(org, name="科普大篷车一号"), ef.caravan(org, name="科普大篷车二号")
    day = ef.future_day(20).date()
    fleet_service.add_blackout(organisation_id=org.id, first_day=day, last_day=day, caravan_id=second.id, reason="车辆年检")
    factories.commit()
    login(organiser)
    month = day.strftime("%Y-%m")
    page = client.get(f"/events/caravans/calendar?month={month}").get_data(as_text=True)
    assert "科普大篷车二号: 车辆年检" in page
    assert "车辆年检" not in client.get(f"/events/caravans/{first.id}/calendar?month={month}").get_data(as_text=True)
    assert "科普大篷车二号: 车辆年检" not in client.get(
        f"/events/caravans/{second.id}/calendar?month={month}").get_data(as_text=True)


def test_the_public_event_page_says_when_registration_opens_and_closes(client, org):
    """A parent saw only "registration is not open" with no date, and nothing about when it closes."""
    opens = ef.future_day(3, 9)
    later = ef.event(org, capacity=10, starts_at=ef.future_day(20), registration_opens_at=opens)
    closes = ef.future_day(5, 18)
    open_now = ef.event(org, capacity=10, starts_at=ef.future_day(20), registration_closes_at=closes)
    factories.commit()
    page = client.get(f"/events/{later.id}").get_data(as_text=True)
    assert 'id="registration-window"' in page and opens.strftime("%Y/%-m/%-d 09:00") in page
    assert 'id="registration-form"' not in page
    page = client.get(f"/events/{open_now.id}").get_data(as_text=True)
    assert 'id="registration-form"' in page and closes.strftime("%Y/%-m/%-d 18:00") in page
