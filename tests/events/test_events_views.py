"""Pages: public registration and tickets, organiser pages, caravan pages, feeds, exports, query counts, CSP."""

import io
import re
from datetime import timedelta
from pathlib import Path

import icalendar
import sqlalchemy as sa
from openpyxl import load_workbook
from PIL import Image

from core.db import utcnow
from core.extensions import db
from events.caravan import fleet as fleet_service
from events.caravan import visits as visits_service
from events.caravan.models import CaravanVisit
from events.models import EventSession, Registration, VisitStatus
from events.services import checkin as checkin_service
from events.services import planning as planning_service
from tests import factories
from tests.events import factories as ef
from tests.qr import decode_qr

ROOT = Path(__file__).resolve().parents[2]


def test_public_registration_flow_to_ticket(client, org):
    event = ef.event(org, capacity=1, title="天文观测夜")
    factories.commit()
    assert "天文观测夜" in client.get("/events/").get_data(as_text=True)
    page = client.get(f"/events/{event.id}")
    assert page.status_code == 200 and "registration-form" in page.get_data(as_text=True)
    response = client.post(
        f"/events/{event.id}",
        data={
            "session_id": event.sessions[0].id,
            "kind": "individual",
            "name": "王小丫",
            "phone": "13800138000",
            "school_name": "青溪县实验小学",
            "grade": "五年级",
            "head_count": 1,
        },
    )
    assert response.status_code == 302 and "/events/t/" in response.headers["Location"]
    registration = db.session.execute(sa.select(Registration)).scalar_one()
    ticket = client.get(response.headers["Location"]).get_data(as_text=True)
    assert registration.code[:4] in ticket and "138****8000" in ticket and "13800138000" not in ticket
    qr = client.get(f"/events/t/{registration.link_token}/qr.png")
    assert qr.mimetype == "image/png" and Image.open(io.BytesIO(qr.data)).size[0] > 100
    png = client.get(f"/events/t/{registration.link_token}/ticket.png")
    assert png.mimetype == "image/png"
    pdf = client.get(f"/events/t/{registration.link_token}/ticket.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    # the same phone again is refused next to the phone field, nothing written
    again = client.post(
        f"/events/{event.id}",
        data={"session_id": event.sessions[0].id, "kind": "individual", "name": "别人", "phone": "138 0013 8000"},
    )
    assert again.status_code == 200 and "is-invalid" in again.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count(Registration.id))).scalar() == 1


def test_ticket_qr_decodes_to_the_code(client, org):
    event = ef.event(org, capacity=2)
    registration = ef.registration(event)
    factories.commit()
    image = Image.open(io.BytesIO(client.get(f"/events/t/{registration.link_token}/qr.png").data))
    assert decode_qr(image) == [registration.code]


def test_full_session_refuses_without_waitlist(client, org):
    event = ef.event(org, capacity=1, waitlist_enabled=False)
    ef.registration(event)
    factories.commit()
    response = client.post(
        f"/events/{event.id}",
        data={"session_id": event.sessions[0].id, "kind": "individual", "name": "晚来的人", "phone": "13900000001"},
    )
    assert response.status_code == 200
    assert db.session.execute(sa.select(sa.func.count(Registration.id))).scalar() == 1


def test_self_service_cancel_promotes_and_the_promoted_ticket_says_so(client, org):
    event = ef.event(org, capacity=1)
    first = ef.registration(event)
    waiting = ef.registration(event)
    factories.commit()
    assert 'id="ticket-code"' not in client.get(f"/events/t/{waiting.link_token}").get_data(as_text=True)
    response = client.post(f"/events/t/{first.link_token}/cancel")
    assert response.status_code == 302
    page = client.get(f"/events/t/{waiting.link_token}").get_data(as_text=True)
    assert 'id="promoted"' in page and 'id="ticket-code"' in page
    assert db.session.get(Registration, first.id).status == "cancelled"


def test_unknown_ticket_is_404(client):
    assert client.get("/events/t/nope").status_code == 404
    assert client.get("/events/t/" + "x" * 200).status_code == 404


def test_ics_feeds_parse(client, org):
    event = ef.event(org, capacity=5, title="机器人工作坊")
    venue = ef.venue(org)
    event.venue_id = venue.id
    caravan = ef.caravan(org)
    visit = ef.visit_request(org, ef.future_day(20))
    visits_service.approve_visit(visit, caravan=caravan)
    factories.commit()
    for url, expected in (
        (f"/events/{event.id}.ics", "机器人工作坊"),
        (f"/events/venues/{venue.id}.ics", "机器人工作坊"),
        (f"/events/caravans/feed/{caravan.feed_token}.ics", "青溪县实验小学"),
    ):
        response = client.get(url)
        assert response.mimetype == "text/calendar"
        calendar = icalendar.Calendar.from_ical(response.data)
        events = list(calendar.walk("VEVENT"))
        assert any(expected in str(e["SUMMARY"]) for e in events), url
    first = list(
        icalendar.Calendar.from_ical(client.get(f"/events/caravans/feed/{caravan.feed_token}.ics").data).walk("VEVENT")
    )[0]
    visits_service.cancel_visit(visit, reason="改期")
    factories.commit()
    second = list(
        icalendar.Calendar.from_ical(client.get(f"/events/caravans/feed/{caravan.feed_token}.ics").data).walk("VEVENT")
    )[0]
    assert str(first["UID"]) == str(second["UID"])
    assert int(second["SEQUENCE"]) > int(first["SEQUENCE"])
    assert str(second["STATUS"]) == "CANCELLED"


def test_organiser_pages_render(client, login, org):
    organiser = factories.organiser(org)
    event = ef.event(org, capacity=10)
    registration = ef.registration(event, phone="13911112222", school_name="青溪县实验小学")
    checkin_service.perform_checkin(event, raw_code=registration.code, gate="东门")
    ef.registration(event, kind="group", head_count=5, school_name="青溪县育才小学")
    caravan = ef.caravan(org)
    visit = ef.visit_request(org, ef.future_day(20))
    factories.commit()
    login(organiser)
    for url in (
        "/events/manage",
        "/events/new",
        f"/events/{event.id}/admin",
        f"/events/{event.id}/edit",
        f"/events/{event.id}/registrations",
        f"/events/{event.id}/attendance",
        f"/events/{event.id}/staff",
        f"/events/{event.id}/scan",
        "/events/venues",
        "/events/venues/new",
        "/events/caravans",
        "/events/caravans/new",
        f"/events/caravans/{caravan.id}/edit",
        "/events/caravans/calendar",
        f"/events/caravans/{caravan.id}/calendar",
        f"/events/caravans/visits/{visit.id}",
        f"/events/sessions/{event.sessions[0].id}/edit",
        "/dashboard",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    registrations = client.get(f"/events/{event.id}/registrations").get_data(as_text=True)
    assert "13911112222" in registrations  # organisers with rights to the event reach people (issue 23)
    workbook = load_workbook(io.BytesIO(client.get(f"/events/{event.id}/attendance.xlsx").data))
    assert workbook.sheetnames[:2] and workbook.worksheets[2].max_row == 2  # header + the one attendee
    assert workbook.worksheets[3].max_row == 2  # header + the group that did not come
    assert "13911112222" in str([c.value for row in workbook.worksheets[2].iter_rows() for c in row])
    assert client.get(f"/events/{event.id}/tickets.pdf").data.startswith(b"%PDF")


def test_other_organisations_cannot_manage(client, login, org):
    event = ef.event(org, capacity=10)
    outsider = factories.organiser(factories.association(name="别的科协"))
    factories.commit()
    login(outsider)
    for url in (
        f"/events/{event.id}/admin",
        f"/events/{event.id}/registrations",
        f"/events/{event.id}/scan",
        f"/events/{event.id}/attendance.xlsx",
    ):
        assert client.get(url).status_code == 403, url


def test_check_in_staff_sees_scanner_but_not_registrations(client, login, org):
    event = ef.event(org, capacity=10)
    staff = factories.checkin_staff(event.id)
    factories.commit()
    login(staff)
    assert client.get(f"/events/{event.id}/scan").status_code == 200
    assert client.get(f"/events/{event.id}/registrations").status_code == 403
    assert client.get("/events/manage").status_code == 200


def test_create_event_through_the_form(client, login, org):
    organiser = factories.organiser(org)
    factories.commit()
    login(organiser)
    start = (utcnow() + timedelta(days=7)).strftime("%Y-%m-%dT09:00")
    end = (utcnow() + timedelta(days=7)).strftime("%Y-%m-%dT12:00")
    response = client.post(
        "/events/new",
        data={
            "kind": "lecture",
            "title": "院士科普讲座",
            "venue_id": 0,
            "audience": "public",
            "starts_at": start,
            "ends_at": end,
            "capacity": 200,
            "waitlist_enabled": "y",
        },
    )
    assert response.status_code == 302
    bad = client.post(
        "/events/new",
        data={
            "kind": "lecture",
            "title": "时间倒了",
            "venue_id": 0,
            "audience": "public",
            "starts_at": end,
            "ends_at": start,
            "capacity": 200,
        },
    )
    assert bad.status_code == 200 and "is-invalid" in bad.get_data(as_text=True)
    titles = db.session.execute(sa.text("select title from events")).scalars().all()
    assert titles == ["院士科普讲座"]


def test_public_visit_request_and_organiser_decisions(client, login, org):
    caravan = ef.caravan(org, crew=[ef.staff(org)])
    organiser = factories.organiser(org)
    factories.commit()
    start = ef.future_day(30, 9).replace(tzinfo=None)
    data = {
        "organisation_id": org.id,
        "host_kind": "school",
        "host_name": "青溪县龙潭乡中心小学",
        "address": "龙潭乡",
        "contact_name": "李老师",
        "contact_phone": "13800001234",
        "preferred_start": start.strftime("%Y-%m-%dT%H:%M"),
        "preferred_end": (start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "expected_audience": 200,
    }
    response = client.post("/events/caravan/request", data=data)
    assert response.status_code == 302
    visit = db.session.execute(sa.select(CaravanVisit)).scalar_one()
    assert client.get(response.headers["Location"]).status_code == 200
    # the same slot again, once the first is approved, is refused with the reason next to the date
    login(organiser)
    page = client.get(f"/events/caravans/visits/{visit.id}").get_data(as_text=True)
    assert 'id="conflicts"' in page
    approve = client.post(
        f"/events/caravans/visits/{visit.id}",
        data={
            "approve-caravan_id": caravan.id,
            "approve-staff_ids": [],
            "approve-starts_at": data["preferred_start"],
            "approve-ends_at": data["preferred_end"],
            "approve-capacity": 200,
            "approve-submit": "1",
        },
    )
    assert approve.status_code == 302
    assert db.session.get(CaravanVisit, visit.id).status == VisitStatus.CONFIRMED
    client.post("/logout")
    again = client.post("/events/caravan/request", data={**data, "host_name": "另一所学校"})
    assert again.status_code == 200 and "is-invalid" in again.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count(CaravanVisit.id))).scalar() == 1


def test_list_pages_do_not_query_per_row(client, login, org, count_queries):
    organiser = factories.organiser(org)
    for n in range(3):
        event = ef.event(org, capacity=20, title=f"活动{n}")
        for _ in range(3):
            ef.registration(event)
    factories.commit()
    login(organiser)

    def statements(url):
        with count_queries() as stmts:
            assert client.get(url).status_code == 200
        return len(stmts)

    small = {url: statements(url) for url in ("/events/manage", "/events/", f"/events/{event.id}/registrations")}
    for n in range(5):
        more = ef.event(org, capacity=20, title=f"更多活动{n}")
        for _ in range(4):
            ef.registration(more)
        ef.registration(event)
    factories.commit()
    for url, before in small.items():
        assert statements(url) == before, url


def test_events_templates_and_scripts_respect_the_csp():
    for path in list((ROOT / "templates" / "events").glob("*.html")):
        text = path.read_text()
        assert "style=" not in text, path
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), path
        assert not re.search(r"\son[a-z]+=", text), path


def test_event_feed_sequence_goes_up_on_every_change(client, org):
    event = ef.event(org, capacity=5, title="科技周开幕式")
    factories.commit()

    def feed_event():
        calendar = icalendar.Calendar.from_ical(client.get(f"/events/{event.id}.ics").data)
        return list(calendar.walk("VEVENT"))[0]

    before = feed_event()
    planning_service.update_event(
        event,
        title="科技周开幕式（改期）",
        starts_at=event.starts_at + timedelta(days=1),
        ends_at=event.ends_at + timedelta(days=1),
    )
    factories.commit()
    after = feed_event()
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    planning_service.update_event(event, title="科技周开幕式（改期）")  # no real change: no new SEQUENCE
    planning_service.set_event_status(event, "cancelled")
    factories.commit()
    cancelled = feed_event()
    assert int(cancelled["SEQUENCE"]) == int(after["SEQUENCE"]) + 1 and str(cancelled["STATUS"]) == "CANCELLED"


def test_coordinator_requests_from_the_account_and_sees_the_calendar_marks(client, login, org):
    school = factories.school(parent=org, name="青溪县实验小学")
    coordinator = factories.coordinator(school)
    caravan = ef.caravan(org)
    organiser = factories.organiser(org)
    factories.commit()
    login(coordinator)
    form = client.get("/events/caravan/request").get_data(as_text=True)
    assert 'value="青溪县实验小学"' in form
    start = ef.future_day(12, 9)
    response = client.post(
        "/events/caravan/request",
        data={
            "organisation_id": org.id,
            "host_kind": "school",
            "host_name": "青溪县实验小学",
            "contact_name": "刘芳",
            "contact_phone": "13800001111",
            "preferred_start": start.strftime("%Y-%m-%dT%H:%M"),
            "preferred_end": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "expected_audience": 90,
        },
    )
    assert response.status_code == 302
    visit = db.session.execute(sa.select(CaravanVisit)).scalar_one()
    assert visit.host_organisation_id == school.id and visit.submitted_by_id == coordinator.id
    assert client.get(f"/events/caravans/visits/{visit.id}").status_code == 200  # the school's own request
    client.post("/logout")
    fleet_service.add_blackout(
        organisation_id=org.id,
        first_day=(start + timedelta(days=1)).date(),
        last_day=(start + timedelta(days=1)).date(),
        reason="期中考试",
    )
    factories.commit()
    login(organiser)
    month = start.strftime("%Y-%m")
    page = client.get(f"/events/caravans/calendar?month={month}").get_data(as_text=True)
    assert "events-visit-requested" in page and "青溪县实验小学" in page and "期中考试" in page
    visits_service.approve_visit(db.session.get(CaravanVisit, visit.id), caravan=caravan)
    factories.commit()
    page = client.get(f"/events/caravans/{caravan.id}/calendar?month={month}").get_data(as_text=True)
    assert "events-visit-confirmed" in page


def test_city_organiser_chooses_the_organising_unit(client, login):
    city = factories.association(name="江城市科学技术协会")
    county = factories.association(name="青溪县科学技术协会", parent=city)
    stranger = factories.association(name="别的市科协")
    organiser = factories.organiser(city)
    factories.commit()
    login(organiser)
    page = client.get("/events/new").get_data(as_text=True)
    assert 'name="organisation_id"' in page and "青溪县科学技术协会" in page and "别的市科协" not in page
    start = (utcnow() + timedelta(days=7)).strftime("%Y-%m-%dT09:00")
    end = (utcnow() + timedelta(days=7)).strftime("%Y-%m-%dT12:00")
    data = {
        "kind": "lecture",
        "title": "县里的讲座",
        "venue_id": 0,
        "audience": "public",
        "starts_at": start,
        "ends_at": end,
        "capacity": 50,
    }
    assert client.post("/events/new", data={**data, "organisation_id": stranger.id}).status_code == 200
    assert client.post("/events/new", data={**data, "organisation_id": county.id}).status_code == 302
    rows = db.session.execute(sa.text("select organisation_id from events")).scalars().all()
    assert rows == [county.id]


def test_renaming_a_venue_or_caravan_bumps_the_feed_sequence(client, org):
    venue = ef.venue(org, name="科技馆一楼")
    event = ef.event(org, capacity=5, venue_id=venue.id)
    caravan = ef.caravan(org)
    visit = ef.visit_request(org, ef.future_day(20))
    visits_service.approve_visit(visit, caravan=caravan)
    factories.commit()
    event_seq, visit_seq = event.sequence, visit.sequence
    planning_service.save_venue(venue, organisation_id=org.id, name="科技馆二楼")
    fleet_service.save_caravan(caravan, organisation_id=org.id, name="科普大篷车（新）")
    factories.commit()
    db.session.refresh(event)
    db.session.refresh(visit)
    assert (event.sequence, visit.sequence) == (event_seq + 1, visit_seq + 1)
    feed = icalendar.Calendar.from_ical(client.get(f"/events/venues/{venue.id}.ics").data)
    assert "科技馆二楼" in str(list(feed.walk("VEVENT"))[0]["LOCATION"])


def _session_data(session, capacity: int) -> dict:
    local = [moment.astimezone(ef.CST).strftime("%Y-%m-%dT%H:%M") for moment in (session.starts_at, session.ends_at)]
    return {"title": session.title, "starts_at": local[0], "ends_at": local[1], "capacity": capacity}


def test_lowering_capacity_below_confirmed_seats_warns_and_keeps_everyone(client, login, org):
    organiser = factories.organiser(org)
    start = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    event = ef.event(
        org,
        title="青少年机器人体验日",
        sessions=[planning_service.SessionSpec(start, start + timedelta(hours=3), 50, "上午场")],
    )
    session = event.sessions[0]
    group = ef.registration(event, kind="group", head_count=40, name="周老师", school_name="青溪县实验小学")
    people = [ef.registration(event, name=name) for name in ("王小明", "李思琪")]
    factories.commit()
    login(organiser)
    # a title-only change, or a capacity still above the confirmed seats, says nothing more
    assert client.post(f"/events/sessions/{session.id}/edit", data=_session_data(session, 50)).status_code == 302
    page = client.get(f"/events/{event.id}/admin").get_data(as_text=True)
    assert "场次已更新。" in page and "alert-warning" not in page
    response = client.post(
        f"/events/sessions/{session.id}/edit", data=_session_data(session, 30), follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "alert-warning" in page
    assert "场次“上午场”的容量已改为 30，但已确认 42 人：新报名将进入候补，已确认的人不受影响。" in page
    db.session.expire_all()
    assert db.session.get(EventSession, session.id).capacity == 30
    assert {db.session.get(Registration, r.id).status for r in [group, *people]} == {"confirmed"}
    assert ef.registration(event, name="赵子涵").status == "waitlisted"
    # the same warning, in English, when the capacity changes again but stays below the confirmed people
    assert client.post("/lang/en").status_code == 302
    page = client.post(
        f"/events/sessions/{session.id}/edit", data=_session_data(session, 35), follow_redirects=True
    ).get_data(as_text=True)
    assert (
        "The capacity of session “上午场” is now 35, but 42 people are already confirmed: new registrations "
        "will go on the waiting list; those already confirmed keep their places."
    ) in page
    page = client.post(
        f"/events/sessions/{session.id}/edit", data=_session_data(session, 45), follow_redirects=True
    ).get_data(as_text=True)
    assert "alert-warning" not in page
    assert db.session.get(Registration, people[0].id).status == "confirmed"


def test_lowering_capacity_without_waiting_list_says_new_registrations_are_refused(client, login, org):
    organiser = factories.organiser(org)
    event = ef.event(org, capacity=20, title="亲子科学实验课", waitlist_enabled=False)
    for name in ("孙浩然", "吴雨桐", "郑嘉怡"):
        ef.registration(event, name=name)
    factories.commit()
    login(organiser)
    session = event.sessions[0]
    page = client.post(
        f"/events/sessions/{session.id}/edit", data=_session_data(session, 2), follow_redirects=True
    ).get_data(as_text=True)
    local_start = session.starts_at.astimezone(ef.CST).strftime("%Y-%m-%d %H:%M")
    assert (
        f"场次“{local_start}”的容量已改为 2，但已确认 3 人：本活动不设候补，新报名将被拒绝；已确认的人不受影响。"
        in page
    )


def test_a_session_can_be_closed_with_capacity_zero(client, login, org):
    """0 is a capacity, not a missing value: the session closes to new registrations, nobody loses a seat."""
    organiser = factories.organiser(org)
    start = (utcnow() + timedelta(days=5)).replace(microsecond=0)
    event = ef.event(
        org,
        title="科普大讲堂：天宫课堂",
        sessions=[planning_service.SessionSpec(start, start + timedelta(hours=2), 20, "下午场")],
    )
    session = event.sessions[0]
    kept = ef.registration(event, name="欧阳䶮")
    factories.commit()
    login(organiser)
    response = client.post(f"/events/sessions/{session.id}/edit", data=_session_data(session, 0))
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    db.session.expire_all()
    assert db.session.get(EventSession, session.id).capacity == 0
    assert db.session.get(Registration, kept.id).status == "confirmed"
    assert ef.registration(event, name="赵子涵").status == "waitlisted"


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


def test_organiser_post_forms_commit_once_or_show_the_refusal(client, login, org):
    """The organisers' POST pages (staff links and accounts, caravan staff, blackouts, visit decisions) either
    write and say so, or show the service's refusal and write nothing."""
    from events.caravan.models import Blackout, CaravanStaff
    from events.models import StaffLink

    organiser = factories.organiser(org)
    helper = factories.user(name="赵帮手", email="helper@example.cn")
    event = ef.event(org, capacity=10)
    ef.caravan(org)
    visit = ef.visit_request(org, ef.future_day(20))
    factories.commit()
    login(organiser)
    created = client.post(f"/events/{event.id}/staff", data={"link-label": "东门", "link-submit": "1"})
    assert created.status_code == 200 and "/events/staff/" in created.get_data(as_text=True)
    link = db.session.execute(sa.select(StaffLink)).scalar_one()
    granted = client.post(f"/events/{event.id}/staff", data={"grant-login": "helper@example.cn", "grant-submit": "1"})
    assert granted.status_code == 302 and event.id in db.session.get(type(helper), helper.id).scope_ids("checkin")
    unknown = client.post(f"/events/{event.id}/staff", data={"grant-login": "nobody@example.cn", "grant-submit": "1"})
    assert unknown.status_code == 200 and "is-invalid" in unknown.get_data(as_text=True)
    assert client.post(f"/events/staff-links/{link.id}/revoke").status_code == 302
    db.session.expire_all()
    assert db.session.get(StaffLink, link.id).revoked_at is not None
    assert client.post("/events/caravans/staff", data={"staff-name": "钱司机", "staff-role": "司机"}).status_code == 302
    assert db.session.execute(sa.select(CaravanStaff.name)).scalars().all() == ["钱司机"]
    day = ef.future_day(40).date()
    backwards = client.post(
        "/events/caravans/blackouts",
        data={"blackout-first_day": day.isoformat(), "blackout-last_day": (day - timedelta(days=2)).isoformat()},
        follow_redirects=True,
    )
    assert backwards.status_code == 200 and "alert-danger" in backwards.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count(Blackout.id))).scalar() == 0
    client.post(
        "/events/caravans/blackouts",
        data={"blackout-first_day": day.isoformat(), "blackout-last_day": day.isoformat(), "blackout-reason": "年检"},
    )
    blackout = db.session.execute(sa.select(Blackout)).scalar_one()
    assert client.post(f"/events/caravans/blackouts/{blackout.id}/delete").status_code == 302
    assert db.session.execute(sa.select(sa.func.count(Blackout.id))).scalar() == 0
    blank = client.post(f"/events/caravans/visits/{visit.id}", data={"decline-reason": " ", "decline-submit": "1"})
    assert blank.status_code == 200
    assert db.session.get(CaravanVisit, visit.id).status == VisitStatus.REQUESTED
    declined = client.post(
        f"/events/caravans/visits/{visit.id}", data={"decline-reason": "当天车辆检修", "decline-submit": "1"}
    )
    assert declined.status_code == 302 and f"/events/caravans/visits/{visit.id}" in declined.headers["Location"]
    db.session.expire_all()
    assert db.session.get(CaravanVisit, visit.id).status == VisitStatus.DECLINED
