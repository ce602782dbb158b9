"""events.lane: token scans answered in front of the app on PostgreSQL, everything else left to the app."""
import pytest
import sqlalchemy as sa

from accounts import services as account_services
from core import create_app
from core.extensions import db
from core.security import CSP
from events.lane import CheckinLane
from events.models import CheckIn, ScanLog
from tests import factories
from tests.events import factories as ef

VIEW = "events_api.create_checkin"


@pytest.fixture
def postgres(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the lane serves PostgreSQL only; CI runs this suite on PostgreSQL")


@pytest.fixture
def gate(app):
    org = factories.association()
    event = ef.event(org, capacity=50)
    staff = factories.checkin_staff(event.id)
    _row, token = account_services.create_api_token(staff, "南门扫码枪")
    registration = ef.registration(event, name="龚䶮")
    factories.commit()
    return {"event": event, "code": registration.code, "registration_id": registration.id,
            "headers": {"Authorization": f"Bearer {token}"}}


@pytest.fixture
def view_calls(app, monkeypatch):
    """Count the requests that reach the app's check-in view (the lane answers the others itself)."""
    calls = []
    original = app.view_functions[VIEW]

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setitem(app.view_functions, VIEW, counted)
    return calls


def scan(client, headers, event_id, code, nonce, **extra):
    return client.post("/api/v1/checkins", json={"code": code, "event_id": event_id, "gate": "南门", "nonce": nonce,
                                                 **extra}, headers=headers)


def test_the_lane_is_installed_on_postgresql_only(app):
    assert isinstance(app.wsgi_app, CheckinLane)
    sqlite_app = create_app({"DATABASE_URL": "sqlite://", "TESTING": True})
    assert isinstance(sqlite_app.wsgi_app, CheckinLane) and not sqlite_app.wsgi_app.enabled
    assert app.wsgi_app.enabled == (db.engine.dialect.name == "postgresql")


def test_a_token_scan_is_answered_by_the_lane_with_the_apps_headers(client, gate, postgres, view_calls):
    response = scan(client, gate["headers"], gate["event"].id, gate["code"], "lane-1")
    assert response.status == "201 CREATED" and view_calls == []
    body = response.get_json()
    assert body["status"] == "checked_in" and body["attendee"]["name"] == "龚䶮" and body["message"] == "签到成功。"
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert int(response.headers["Content-Length"]) == len(response.data)
    again = scan(client, gate["headers"], gate["event"].id, gate["code"], "lane-2")
    assert again.status_code == 200 and again.get_json()["status"] == "already_checked_in" and view_calls == []
    assert db.session.execute(sa.select(sa.func.count(CheckIn.id))).scalar() == 1
    assert db.session.execute(sa.select(sa.func.count(ScanLog.id))).scalar() == 2


def test_refusals_of_access_are_localised_by_accept_language(client, gate, postgres, view_calls):
    headers = {"Authorization": "Bearer kc_" + "x" * 43, "Accept-Language": "en"}
    refused = scan(client, headers, gate["event"].id, gate["code"], "lane-3")
    assert refused.status_code == 401 and view_calls == []
    assert refused.get_json()["error"] == {"code": "invalid_token",
                                           "message": "The API token is malformed, revoked or unknown."}
    unknown = scan(client, gate["headers"], 987_654, gate["code"], "lane-4")
    assert unknown.status_code == 404 and unknown.get_json()["message"] == "活动不存在。"
    assert db.session.execute(sa.select(sa.func.count(CheckIn.id))).scalar() == 0


def test_what_the_lane_does_not_answer_reaches_the_app_with_its_body(client, gate, postgres, view_calls):
    event_id, code = gate["event"].id, gate["code"]
    first = scan(client, gate["headers"], event_id, code, "lane-5")
    assert first.status_code == 201 and view_calls == []
    replay = scan(client, gate["headers"], event_id, code, "lane-5")  # a nonce seen before: the app replays
    assert replay.status_code == 201 and replay.get_json() == first.get_json() and view_calls == [1]
    invalid = client.post("/api/v1/checkins", json={"code": code, "event_id": event_id}, headers=gate["headers"])
    assert invalid.status_code == 422 and "nonce" in invalid.get_json()["error"]["details"]["json"]
    assert view_calls == [1, 1]
    not_json = client.post("/api/v1/checkins", data="{broken", headers={**gate["headers"],
                                                                        "Content-Type": "application/json"})
    assert not_json.status_code == 422 and len(view_calls) == 3


def test_a_browser_with_a_session_cookie_goes_through_the_app(client, gate, postgres, view_calls):
    client.get("/healthz")
    client.set_cookie("session", "not-a-valid-session")
    response = scan(client, gate["headers"], gate["event"].id, gate["code"], "lane-6")
    assert response.status_code == 201 and view_calls == [1]
