"""The check-in hot path (events.fastscan): a scanner's token scan on PostgreSQL in two statements, falling back
to the careful path only for a replayed nonce. On SQLite every scan takes the careful path, which the rest of
the suite covers; CI runs the whole suite on PostgreSQL too, where these tests run."""
import threading
import time
from datetime import timedelta

import psycopg
import pytest
import sqlalchemy as sa

from accounts import services as account_services
from accounts.models import ApiToken
from core.db import utcnow
from core.extensions import db
from core.permissions import Role
from events import api as events_api
from events import services
from events.models import CheckIn, Registration, RegistrationStatus, ScanLog
from tests import factories
from tests.events import factories as ef


@pytest.fixture(autouse=True)
def _postgres_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the fast path speaks PostgreSQL; CI runs this suite on PostgreSQL")


@pytest.fixture
def careful_path_forbidden(monkeypatch):
    """Fail the test if a scan falls back to the careful path."""

    def forbidden(*args, **kwargs):
        raise AssertionError("the careful path ran")

    monkeypatch.setattr(events_api, "_checkin_carefully", forbidden)


@pytest.fixture
def gate():
    org = factories.association()
    event = ef.event(org, capacity=50)
    staff = factories.checkin_staff(event.id)
    token_row, token = account_services.create_api_token(staff, "东门扫码枪")
    factories.commit()
    return {"org": org, "event": event, "staff": staff, "token_id": token_row.id,
            "headers": {"Authorization": f"Bearer {token}"}}


def scan(client, headers, event_id, code, nonce, **extra):
    return client.post("/api/v1/checkins", json={"code": code, "event_id": event_id, "gate": "东门", "nonce": nonce,
                                                 **extra}, headers=headers)


def test_a_scan_is_two_statements_and_writes_the_checkin_and_its_log(client, gate, monkeypatch,
                                                                     careful_path_forbidden):
    event = gate["event"]
    registration = ef.registration(event, name="欧阳𠮷")
    warm = ef.registration(event)
    factories.commit()
    assert scan(client, gate["headers"], event.id, warm.code, "warm").status_code == 201  # touches the token
    statements = []
    original = psycopg.Connection.execute

    def counting(self, query, *args, **kwargs):
        statements.append(str(query)[:60])
        return original(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Connection, "execute", counting)
    event_id, code, registration_id = event.id, registration.code, registration.id
    response = scan(client, gate["headers"], event_id, code, "n-1", head_count=1)
    monkeypatch.undo()
    assert response.status_code == 201, response.get_json()
    assert len(statements) == 2, statements  # READ, then WRITE
    body = response.get_json()
    assert body["status"] == "checked_in" and body["attendee"]["name"] == "欧阳𠮷" and body["gate"] == "东门"
    checkin = db.session.execute(sa.select(CheckIn).where(CheckIn.registration_id == registration_id)).scalar_one()
    assert checkin.checked_in_by_id == gate["staff"].id and checkin.gate == "东门" and checkin.head_count == 1
    log = db.session.execute(sa.select(ScanLog).where(ScanLog.nonce == "n-1")).scalar_one()
    assert log.result == "checked_in" and log.http_status == 201 and log.user_id == gate["staff"].id
    assert log.response == body and log.raw_code == code and log.registration_id == registration_id


def test_every_answer_matches_the_careful_path(client, gate, careful_path_forbidden):
    """Each reason through the token path gives the status and reason the careful path gives."""
    org, event, headers = gate["org"], gate["event"], gate["headers"]
    admitted, again = ef.registration(event), ef.registration(event)
    cancelled = ef.registration(event)
    services.cancel_registration(cancelled)
    other = ef.event(org, title="另一场科普讲座")
    foreign = ef.registration(other)
    later = ef.event(org, starts_at=utcnow() + timedelta(days=2))
    account_services.grant_role(gate["staff"], Role.CHECKIN, scope_id=later.id)
    early = ef.registration(later)
    full = ef.event(org, capacity=1)
    account_services.grant_role(gate["staff"], Role.CHECKIN, scope_id=full.id)
    ef.registration(full)
    waiting = ef.registration(full)
    factories.commit()
    assert waiting.status == RegistrationStatus.WAITLISTED
    assert scan(client, headers, event.id, again.code, "first").status_code == 201
    cases = [
        (event.id, admitted.code, 201, "checked_in"),
        (event.id, again.code, 200, "already_checked_in"),
        (event.id, admitted.code[:-4], 404, "not_found"),  # truncated
        (event.id, "2" * len(admitted.code), 404, "not_found"),  # forged
        (event.id, foreign.code, 409, "wrong_event"),
        (event.id, cancelled.code, 409, "cancelled"),
        (later.id, early.code, 409, "outside_window"),
        (full.id, waiting.code, 409, "waitlisted"),
    ]
    for n, (event_id, code, status, reason) in enumerate(cases):
        response = scan(client, headers, event_id, code, f"case-{n}")
        body = response.get_json()
        assert (response.status_code, body["status"]) == (status, reason), (code, body)
        assert body["message"]
    already = scan(client, headers, event.id, again.code, "again-2").get_json()
    assert already["first_gate"] == "东门" and already["first_checked_in_at"]
    wrong = scan(client, headers, event.id, foreign.code, "wrong-2").get_json()
    assert wrong["attendee"] is None and "另一场科普讲座" in wrong["message"]  # never the other event's visitor
    assert db.session.execute(sa.select(sa.func.count(ScanLog.id))).scalar() == len(cases) + 3


def test_a_repeated_nonce_gets_the_first_answer(client, gate):
    event = gate["event"]
    registration = ef.registration(event)
    factories.commit()
    first = scan(client, gate["headers"], event.id, registration.code, "retry-me")
    retry = scan(client, gate["headers"], event.id, registration.code, "retry-me")
    assert first.status_code == retry.status_code == 201
    assert retry.get_json() == first.get_json()
    assert db.session.execute(sa.select(sa.func.count(CheckIn.id))).scalar() == 1
    replay = db.session.execute(sa.select(ScanLog).where(ScanLog.replay_of_id.is_not(None))).scalar_one()
    assert replay.http_status == 201


def test_access_is_decided_by_the_same_rules(client, gate, careful_path_forbidden):
    org, event = gate["org"], gate["event"]
    registration = ef.registration(event)
    other_event = ef.event(org)
    stranger = factories.checkin_staff(other_event.id, name="何𠮷")  # staff of another event
    _row, stranger_token = account_services.create_api_token(stranger, "别的门")
    county = factories.association(parent=org)
    county_event = ef.event(county)
    county_ticket = ef.registration(county_event)
    city_organiser = factories.organiser(org)  # organises the county below too (organisation tree)
    _row, organiser_token = account_services.create_api_token(city_organiser, "主办方")
    revoked_row, revoked_token = account_services.create_api_token(gate["staff"], "丢失的扫码枪")
    account_services.revoke_api_token(revoked_row)
    factories.commit()

    def bearer(token):
        return {"Authorization": f"Bearer {token}"}

    assert scan(client, bearer(stranger_token), event.id, registration.code, "s1").status_code == 403
    assert scan(client, bearer(revoked_token), event.id, registration.code, "s2").status_code == 401
    malformed = scan(client, bearer("kc_short"), event.id, registration.code, "s3")
    assert malformed.status_code == 401 and malformed.get_json()["error"]["code"] == "invalid_token"
    assert scan(client, bearer(organiser_token), county_event.id, county_ticket.code, "s4").status_code == 201
    assert scan(client, gate["headers"], 999_999, registration.code, "s5").status_code == 404
    db.session.execute(sa.update(type(gate["staff"])).where(type(gate["staff"]).id == gate["staff"].id)
                       .values(active=False))
    factories.commit()
    assert scan(client, gate["headers"], event.id, registration.code, "s6").status_code == 401
    assert db.session.execute(sa.select(sa.func.count(CheckIn.id))).scalar() == 1  # only the organiser's scan


def test_the_token_is_touched_at_most_every_few_minutes(client, gate):
    event = gate["event"]
    first, second = ef.registration(event), ef.registration(event)
    factories.commit()
    scan(client, gate["headers"], event.id, first.code, "t1")
    touched = db.session.get(ApiToken, gate["token_id"]).last_used_at
    assert touched is not None
    db.session.expire_all()
    scan(client, gate["headers"], event.id, second.code, "t2")
    assert db.session.get(ApiToken, gate["token_id"]).last_used_at == touched


def test_concurrent_double_scans_through_the_api_admit_exactly_once(app, gate):
    event = gate["event"]
    registration = ef.registration(event)
    factories.commit()
    event_id, code, headers = event.id, registration.code, gate["headers"]
    count = 8
    barrier = threading.Barrier(count)
    answers, errors = [], []

    def worker(n):
        try:
            client = app.test_client()
            barrier.wait()
            response = scan(client, headers, event_id, code, f"double-{n}")
            answers.append((response.status_code, response.get_json()["status"]))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(answers) == [(200, "already_checked_in")] * (count - 1) + [(201, "checked_in")]
    assert db.session.execute(sa.select(sa.func.count(CheckIn.id))).scalar() == 1
    logged = db.session.execute(sa.select(ScanLog.result, sa.func.count()).group_by(ScanLog.result)).all()
    assert dict(logged) == {"checked_in": 1, "already_checked_in": count - 1}


def test_a_ticket_cancelled_while_it_is_scanned_is_not_admitted(app, client, gate):
    """The scan reads the ticket as confirmed; a cancellation holding the ticket's lock commits before the scan
    writes: the write sees the cancellation (FOR SHARE re-check), writes nothing, and the answer is `cancelled`."""
    event = gate["event"]
    registration = ef.registration(event)
    factories.commit()
    registration_id, event_id, code = registration.id, event.id, registration.code
    cancelling = threading.Event()
    answer = {}

    def cancel_slowly():
        with app.app_context(), app.test_request_context("/"):
            target = db.session.get(Registration, registration_id)
            services.cancel_registration(target)  # takes the ticket's lock, flushes, not committed yet
            cancelling.set()
            time.sleep(0.5)  # the scan below reads "confirmed" and then waits for the lock
            db.session.commit()
            db.session.remove()

    def scan_now():
        cancelling.wait(5)
        response = scan(app.test_client(), gate["headers"], event_id, code, "during-cancel")
        answer["status"], answer["body"] = response.status_code, response.get_json()

    threads = [threading.Thread(target=cancel_slowly), threading.Thread(target=scan_now)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (answer["status"], answer["body"]["status"]) == (409, "cancelled")
    assert db.session.execute(sa.select(sa.func.count(CheckIn.id))).scalar() == 0
    assert db.session.execute(sa.select(ScanLog.result)).scalars().all() == ["cancelled"]


def test_a_browser_session_still_takes_the_careful_path(client, gate, login, monkeypatch):
    """Logged-in pages (the scanner page) authenticate by session, not token: the careful path answers."""
    calls = []
    original = events_api._checkin_carefully

    def spy(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(events_api, "_checkin_carefully", spy)
    registration = ef.registration(gate["event"])
    factories.commit()
    login(gate["staff"])
    response = client.post("/api/v1/checkins", json={"code": registration.code, "event_id": gate["event"].id,
                                                     "gate": "东门", "nonce": "page-1"})
    assert response.status_code == 201 and calls == [1]
