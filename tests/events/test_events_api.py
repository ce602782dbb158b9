"""POST /api/v1/checkins and the scanner's helper endpoints: status codes, bodies, access, nonce, walk-ins."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from accounts import services as account_services
from core.db import utcnow
from core.extensions import db
from events.models import CheckIn, Registration, ScanLog
from events.services import registration as registration_service
from events.services import staff as staff_service
from tests import factories
from tests.events import factories as ef


@pytest.fixture
def setup():
    org = factories.association()
    event = ef.event(org, capacity=3)
    staff = factories.checkin_staff(event.id)
    _row, token = account_services.create_api_token(staff, "scanner")
    factories.commit()
    return {"org": org, "event": event, "staff": staff, "headers": {"Authorization": f"Bearer {token}"}}


def checkin(client, headers, event_id, code, nonce, **extra):
    return client.post(
        "/api/v1/checkins",
        json={"code": code, "event_id": event_id, "gate": "东门", "nonce": nonce, **extra},
        headers=headers,
    )


def test_status_codes_and_bodies(client, setup):
    event, headers = setup["event"], setup["headers"]
    registration = ef.registration(event, name="张小明")
    factories.commit()
    first = checkin(client, headers, event.id, registration.code, "a1")
    assert first.status_code == 201
    body = first.get_json()
    assert body["status"] == "checked_in" and body["message"] and body["attendee"]["name"] == "张小明"
    again = checkin(client, headers, event.id, registration.code, "a2")
    assert again.status_code == 200 and again.get_json()["status"] == "already_checked_in"
    assert again.get_json()["first_gate"] == "东门"
    missing = checkin(client, headers, event.id, registration.code[:-3], "a3")
    assert missing.status_code == 404
    assert missing.get_json() | {} == {**missing.get_json()} and missing.get_json()["attendee"] is None
    assert missing.get_json()["status"] == "not_found" and missing.get_json()["message"]


def test_refusals_are_409_with_reason(client, setup):
    org, event, headers = setup["org"], setup["event"], setup["headers"]
    other = ef.event(org, capacity=3, title="别的活动")
    foreign = ef.registration(other)
    cancelled = ef.registration(event)
    registration_service.cancel_registration(cancelled)
    for _ in range(3):
        ef.registration(event)
    waiting = ef.registration(event)
    later = ef.event(org, capacity=3, starts_at=utcnow() + timedelta(days=3))
    staff_later = setup["staff"]
    account_services.grant_role(staff_later, "checkin", scope_id=later.id)
    early = ef.registration(later)
    factories.commit()
    cases = [
        (event.id, foreign.code, "wrong_event"),
        (event.id, cancelled.code, "cancelled"),
        (event.id, waiting.code, "waitlisted"),
        (later.id, early.code, "outside_window"),
    ]
    for n, (event_id, code, reason) in enumerate(cases):
        response = checkin(client, headers, event_id, code, f"r{n}")
        assert response.status_code == 409, reason
        assert response.get_json()["status"] == reason
        # the holder of another event's ticket stays hidden from this event's staff
        assert (response.get_json()["attendee"] is None) == (reason == "wrong_event")
    assert db.session.execute(sa.select(sa.func.count(CheckIn.id))).scalar() == 0
    assert db.session.execute(sa.select(sa.func.count(ScanLog.id))).scalar() == 4


def test_nonce_replay_returns_the_first_answer(client, setup):
    event, headers = setup["event"], setup["headers"]
    registration = ef.registration(event)
    factories.commit()
    first = checkin(client, headers, event.id, registration.code, "same")
    second = checkin(client, headers, event.id, registration.code, "same")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.get_json() == second.get_json()


def test_access_rules(client, setup, login):
    event, headers = setup["event"], setup["headers"]
    registration = ef.registration(event)
    stranger = factories.user(name="路人")
    _row, stranger_token = account_services.create_api_token(stranger, "x")
    factories.commit()
    assert checkin(client, {}, event.id, registration.code, "x1").status_code == 401
    assert (
        checkin(client, {"Authorization": "Bearer kc_nonsense"}, event.id, registration.code, "x2").status_code == 401
    )
    assert (
        checkin(client, {"Authorization": f"Bearer {stranger_token}"}, event.id, registration.code, "x3").status_code
        == 403
    )
    assert checkin(client, headers, 999999, registration.code, "x4").status_code == 404
    assert db.session.execute(sa.select(sa.func.count(CheckIn.id))).scalar() == 0
    # the organiser of the event may check in too
    organiser = factories.organiser(setup["org"])
    factories.commit()
    login(organiser)
    assert checkin(client, {}, event.id, registration.code, "x5").status_code == 201


def test_invalid_payload_is_422(client, setup):
    response = client.post(
        "/api/v1/checkins", json={"event_id": setup["event"].id, "gate": "东门"}, headers=setup["headers"]
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["code"]


def test_staff_link_works_only_in_the_window(client, setup):
    event = setup["event"]
    registration = ef.registration(event)
    _link, token = staff_service.create_staff_link(event, label="北门")
    factories.commit()
    page = client.get(f"/events/staff/{token}")
    assert page.status_code == 302 and f"/events/{event.id}/scan" in page.headers["Location"]
    scanner = client.get(f"/events/{event.id}/scan")
    assert scanner.status_code == 200 and "北门" in scanner.get_data(as_text=True)
    assert checkin(client, {}, event.id, registration.code, "s1").status_code == 201
    # another event's API is not reachable with this link
    other = ef.event(setup["org"], capacity=2)
    factories.commit()
    assert checkin(client, {}, other.id, registration.code, "s2").status_code == 401
    # a link for an event far in the future does not open
    later = ef.event(setup["org"], capacity=2, starts_at=utcnow() + timedelta(days=5))
    _l, later_token = staff_service.create_staff_link(later, label="南门")
    factories.commit()
    assert client.get(f"/events/staff/{later_token}").status_code == 403
    assert client.get("/events/staff/not-a-token").status_code == 403


def test_counters_search_and_walk_in(client, setup):
    event, headers = setup["event"], setup["headers"]
    registration = ef.registration(event, name="欧阳小明", phone="13912345678")
    factories.commit()
    counters = client.get(f"/api/v1/events/{event.id}/counters", headers=headers).get_json()
    assert (counters["checked_in"], counters["registered"], counters["capacity"]) == (0, 1, 3)
    found = client.get(f"/api/v1/events/{event.id}/search?q=5678", headers=headers).get_json()["results"]
    assert [r["code"] for r in found] == [registration.code]
    assert found[0]["phone"] == "139****5678"
    assert client.get(f"/api/v1/events/{event.id}/search?q=欧阳", headers=headers).get_json()["results"]
    walk = client.post(
        f"/api/v1/events/{event.id}/walk-ins",
        headers=headers,
        json={"session_id": event.sessions[0].id, "name": "现场观众", "kind": "group", "head_count": 2, "nonce": "w1"},
    )
    assert walk.status_code == 201 and walk.get_json()["attendee"]["name"] == "现场观众"
    counters = client.get(f"/api/v1/events/{event.id}/counters", headers=headers).get_json()
    assert (counters["checked_in"], counters["registered"]) == (2, 3)
    full = client.post(
        f"/api/v1/events/{event.id}/walk-ins",
        headers=headers,
        json={"session_id": event.sessions[0].id, "name": "晚到的人", "nonce": "w2"},
    )
    assert full.status_code == 409 and full.get_json()["error"]["code"] == "full"


def test_event_list_api(client, setup, login):
    organiser = factories.organiser(setup["org"])
    factories.commit()
    login(organiser)
    rows = client.get("/api/v1/events").get_json()
    assert [row["id"] for row in rows] == [setup["event"].id]


def test_checkin_request_runs_a_fixed_small_number_of_statements(client, setup, count_queries):
    event, headers = setup["event"], setup["headers"]
    first, second = ef.registration(event), ef.registration(event)
    factories.commit()
    checkin(client, headers, event.id, first.code, "warm")
    event_id, code = event.id, second.code  # read here: the test's own (expired) objects must not count
    with count_queries() as statements:
        assert checkin(client, headers, event_id, code, "q1").status_code == 201
    # token and user, memberships, event, the ticket's lock, the nonce, ticket row, check-in, scan log
    assert len(statements) <= 9, statements


def test_scanner_page_calls_need_the_csrf_header(client, setup, login, csrf_enabled):
    import re

    organiser = factories.organiser(setup["org"])
    registration = ef.registration(setup["event"])
    factories.commit()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
    form_token = next(g for g in token.groups() if g)
    assert (
        client.post(
            "/login", data={"login": organiser.email, "password": factories.PASSWORD, "csrf_token": form_token}
        ).status_code
        == 302
    )
    scanner = client.get(f"/events/{setup['event'].id}/scan").get_data(as_text=True)
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', scanner).group(1)
    body = {"code": registration.code, "event_id": setup["event"].id, "gate": "东门", "nonce": "csrf-1"}
    assert client.post("/api/v1/checkins", json=body).status_code == 400  # no token: refused, nothing written
    assert db.session.execute(sa.select(sa.func.count(CheckIn.id))).scalar() == 0
    assert client.post("/api/v1/checkins", json=body, headers={"X-CSRFToken": meta}).status_code == 201


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
