"""The check-in hot path (events.fastscan): a scanner's token scan on PostgreSQL in one statement (the function
events_checkin_scan) once its access at the event is known, falling back to the careful path only for a
replayed nonce. On SQLite every scan takes the careful path, which the rest of
the suite covers; CI runs the whole suite on PostgreSQL too, where these tests run."""
import gc
import tempfile
import threading
import time
import weakref
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa
from psycopg import pq

from accounts import services as account_services
from accounts.models import ApiToken
from core.db import SharedConnections, utcnow
from core.extensions import db
from core.permissions import Role
from events import api as events_api
from events import checkin as checkin_rules
from events import fastscan, services
from events.models import CheckIn, Registration, RegistrationStatus, ScanLog
from tests import factories
from tests.events import factories as ef


@pytest.fixture(autouse=True)
def _postgres_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the fast path speaks PostgreSQL; CI runs this suite on PostgreSQL")
    fastscan.ACCESS.entries.clear()


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


@contextmanager
def protocol_trace(connection):
    """The messages `connection` exchanges with the server meanwhile (libpq's trace, without timestamps)."""
    messages = []
    with tempfile.TemporaryFile() as trace:
        connection.pgconn.trace(trace.fileno())
        connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        try:
            yield messages
        finally:
            connection.pgconn.untrace()
            trace.seek(0)
            messages.extend(trace.read().decode().splitlines())


def test_a_scan_is_one_statement_and_writes_the_checkin_and_its_log(client, gate, careful_path_forbidden):
    event = gate["event"]
    registration = ef.registration(event, name="欧阳𠮷")
    warm = ef.registration(event)
    factories.commit()
    # the first scan of a token at an event reads its access, and touches the token
    assert scan(client, gate["headers"], event.id, warm.code, "warm").status_code == 201
    event_id, code, registration_id = event.id, registration.code, registration.id
    (connection,) = client.application.wsgi_app.scanner.connections.idle()  # the lane's one shared connection
    with protocol_trace(connection) as messages:
        response = scan(client, gate["headers"], event_id, code, "n-1", head_count=1)
    assert response.status_code == 201, response.get_json()
    # what the client sent: one execution of the prepared scan, in one round trip
    sent = [message.split("\t")[2] for message in messages if message.startswith("F")]
    assert sent == ["Bind", "Describe", "Execute", "Sync"], messages
    assert fastscan.PREPARED_SCAN_NAME.decode() in messages[0]
    body = response.get_json()
    assert body["status"] == "checked_in" and body["attendee"]["name"] == "欧阳𠮷" and body["gate"] == "东门"
    checkin = db.session.execute(sa.select(CheckIn).where(CheckIn.registration_id == registration_id)).scalar_one()
    assert checkin.checked_in_by_id == gate["staff"].id and checkin.gate == "东门" and checkin.head_count == 1
    log = db.session.execute(sa.select(ScanLog).where(ScanLog.nonce == "n-1")).scalar_one()
    assert log.result == "checked_in" and log.http_status == 201 and log.user_id == gate["staff"].id
    assert log.raw_code == code and log.registration_id == registration_id
    assert log.response is None  # a replay tells the answer again from the result (services.logged_scan_body)


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
    """A cancellation holds the ticket's lock while the scan arrives: the scan statement waits for the lock, then
    reads the ticket afresh (a new snapshot after the lock), writes no check-in, and answers `cancelled`."""
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


def _careful_plan(event_id, code, **scan_args):
    """What the careful path's own rules (services.plan_scan on the ticket as perform_checkin reads it) decide."""
    event = services.load_checkin_event(event_id)
    ticket = prior = None
    row = db.session.execute(services._SCANNED_TICKET, {"code": code}).first()
    if row is not None:
        ticket, prior = services.scanned_ticket_from_row(row)
    db.session.rollback()
    return services.plan_scan(event, ticket, prior, raw_code=code, server_now=utcnow(), **scan_args)


def test_the_scan_function_decides_as_decide_checkin(client, gate, careful_path_forbidden):
    """events_checkin_scan holds the decision in SQL: on every reason, and on the inputs that bend it (a session
    asked for, a device clock, a called-off event, a head-count), it answers the body plan_scan gives."""
    org, event, headers = gate["org"], gate["event"], gate["headers"]
    staff = gate["staff"]
    tickets = {name: ef.registration(event)
               for name in ("new", "again", "group", "offline", "too_early", "skewed", "session")}
    cancelled = ef.registration(event)
    services.cancel_registration(cancelled)
    foreign = ef.registration(ef.event(org, title="另一场科普讲座"))
    later = ef.event(org, starts_at=utcnow() + timedelta(days=2))
    called_off = ef.event(org)
    full = ef.event(org, capacity=1)
    for other in (later, called_off, full):
        account_services.grant_role(staff, Role.CHECKIN, scope_id=other.id)
    early, off, _taken, waiting = (ef.registration(later), ef.registration(called_off), ef.registration(full),
                                   ef.registration(full))
    called_off.status = "cancelled"  # after its registration: a cancelled event takes none
    factories.commit()
    assert scan(client, headers, event.id, tickets["again"].code, "warm").status_code == 201
    session = event.sessions[0]
    now = utcnow()
    cases = [
        (event.id, tickets["new"].code, {}),
        (event.id, tickets["again"].code, {}),
        (event.id, tickets["group"].code, {"head_count": 3}),
        (event.id, tickets["offline"].code, {"scanned_at": now - timedelta(minutes=3)}),  # an offline scan, uploaded
        (event.id, tickets["too_early"].code, {"scanned_at": session.starts_at - timedelta(hours=2)}),
        (event.id, tickets["skewed"].code, {"scanned_at": now + timedelta(days=1)}),  # not believed: server time
        (event.id, tickets["session"].code, {"session_id": session.id + 999}),  # another session: wrong_event
        (event.id, "2" * 26, {}),
        (event.id, foreign.code, {}),
        (event.id, cancelled.code, {}),
        (later.id, early.code, {}),
        (called_off.id, off.code, {}),
        (full.id, waiting.code, {}),
    ]
    seen = set()
    for n, (event_id, code, extra) in enumerate(cases):
        expected = _careful_plan(event_id, code, gate="东门", **extra)
        json_extra = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in extra.items()}
        response = scan(client, headers, event_id, code, f"agree-{n}", **json_extra)
        body = response.get_json()
        assert (response.status_code, body["status"]) == (expected.http_status, expected.decision.reason), (n, body)
        for key in ("checked_in_at", "first_checked_in_at"):  # the server's clock at each call
            body.pop(key, None), expected.body.pop(key, None)
        assert body == expected.body, n
        seen.add(body["status"])
    assert seen == set(checkin_rules.REASONS)
    people = db.session.execute(sa.select(CheckIn.head_count).join(Registration).where(
        Registration.id == tickets["group"].id)).scalar_one()
    assert people == 3


def test_access_that_changed_is_checked_again(client, gate, careful_path_forbidden):
    """The access a token scanner was allowed is remembered, but the scan statement compares the grants it was
    decided on: a revoked role refuses the very next scan, and writes nothing."""
    event, headers, staff = gate["event"], gate["headers"], gate["staff"]
    first, second = ef.registration(event), ef.registration(event)
    factories.commit()
    assert scan(client, headers, event.id, first.code, "a1").status_code == 201
    db.session.execute(sa.delete(type(staff.memberships[0])).where(type(staff.memberships[0]).user_id == staff.id))
    factories.commit()
    refused = scan(client, headers, event.id, second.code, "a2")
    assert refused.status_code == 403
    assert db.session.execute(sa.select(sa.func.count(CheckIn.id))).scalar() == 1
    assert db.session.execute(sa.select(sa.func.count(ScanLog.id))).scalar() == 1


def test_a_replayed_fast_scan_is_told_in_the_askers_language(client, gate):
    event = gate["event"]
    registration = ef.registration(event, name="䶮")
    factories.commit()
    first = scan(client, gate["headers"], event.id, registration.code, "lang-1")
    english = client.post("/api/v1/checkins", json={"code": registration.code, "event_id": event.id, "gate": "东门",
                                                    "nonce": "lang-1"},
                          headers={**gate["headers"], "Accept-Language": "en"})
    assert first.status_code == english.status_code == 201
    assert (first.get_json()["message"], english.get_json()["message"]) == ("签到成功。", "Checked in.")
    assert {k: v for k, v in english.get_json().items() if k != "message"} == {
        k: v for k, v in first.get_json().items() if k != "message"}


def test_only_a_scan_that_admits_someone_waits_for_the_disk(gate):
    """events_checkin_scan turns synchronous_commit off for its own transaction when it admits no one: that scan
    writes only its log row (a database crash could lose the last few of those, never a check-in). A check-in
    commits durably."""
    event = gate["event"]
    registration = ef.registration(event, name="欧阳𠮷")
    factories.commit()
    token_hash = account_services.hash_token(gate["headers"]["Authorization"].removeprefix("Bearer "))
    connections = SharedConnections(db.engine)
    try:
        with connections.connection() as connection:  # autocommit, as the lane's
            access, refusal = fastscan.check_access(connection, event.id, token_hash)
            assert refusal is None
            modes = []
            for n, code in enumerate((registration.code, registration.code, "2" * 26)):  # admitted, again, unknown
                args = {"code": code, "event_id": event.id, "gate": "东门", "nonce": f"sync-{n}", "scanned_at": None,
                        "device": "", "head_count": None, "session_id": None}
                connection.execute("BEGIN")  # the scan's transaction, held open to read its setting
                row, _params = fastscan.scan(connection, access, args, token_hash, services.parse_code_or_none(code))
                setting = connection.execute("SELECT current_setting('synchronous_commit')").fetchone()[0]
                connection.execute("COMMIT")  # this transaction's own setting ends with it
                modes.append((row[0], setting))
            assert connection.execute("SELECT current_setting('synchronous_commit')").fetchone()[0] == "on"
    finally:
        connections.close()
    assert modes == [("checked_in", "on"), ("already_checked_in", "off"), ("not_found", "off")]


def test_the_scan_never_scans_the_checkins_table_even_when_its_statistics_say_empty(gate):
    """Every statement of events_checkin_scan is a keyed lookup. Its plans are cached for the session; planned
    on statistics that said event_checkins was empty, a sequential scan of it would stay in the plan while the
    table grows (the function runs with enable_seqscan off, so the index is used whatever the statistics say)."""
    event = gate["event"]
    registrations = [ef.registration(event, name=f"刘䶮{n}") for n in range(8)]
    factories.commit()
    token_hash = account_services.hash_token(gate["headers"]["Authorization"].removeprefix("Bearer "))
    connections = SharedConnections(db.engine)

    def sequential_scans(connection) -> int:
        connection.execute("SELECT pg_stat_force_next_flush()")
        connection.execute("SELECT pg_stat_clear_snapshot()")
        return connection.execute(
            "SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'event_checkins'").fetchone()[0]

    try:
        with connections.connection() as connection:
            connection.execute("ANALYZE event_checkins")  # empty: the statistics say so
            access, refusal = fastscan.check_access(connection, event.id, token_hash)
            assert refusal is None
            before = sequential_scans(connection)
            outcomes = []
            for n, registration in enumerate(registrations):  # more than 5: the cached plan becomes the generic one
                args = {"code": registration.code, "event_id": event.id, "gate": "东门", "nonce": f"plan-{n}",
                        "scanned_at": None, "device": "", "head_count": None, "session_id": None}
                row, _params = fastscan.scan(connection, access, args, token_hash, registration.code)
                outcomes.append(row[0])
            after = sequential_scans(connection)
    finally:
        connections.close()
    assert outcomes == ["checked_in"] * len(registrations)
    assert after == before


def _scan_values(access, token_hash, event_id, code, nonce):
    """run_prepared_scan's arguments (fastscan.SCAN_ARGUMENTS' order) for a plain scan."""
    return [token_hash, access.grants, event_id, access.organisation_id, code, code, "东门", nonce, None, "", None,
            None, utcnow()]


def test_a_prepared_scan_the_server_forgot_is_prepared_again(gate):
    """DEALLOCATE ALL (or a pooler's reset) drops the connection's prepared statements: the next scan prepares it
    again and is stored once."""
    event = gate["event"]
    first, second = ef.registration(event, name="欧阳𠮷"), ef.registration(event, name="刘䶮")
    factories.commit()
    token_hash = account_services.hash_token(gate["headers"]["Authorization"].removeprefix("Bearer "))
    connections = SharedConnections(db.engine)
    try:
        with connections.connection() as connection:
            access, _refusal = fastscan.check_access(connection, event.id, token_hash)
            assert fastscan.run_prepared_scan(connection, _scan_values(access, token_hash, event.id, first.code,
                                                                       "forgot-1"))[0] == "checked_in"
            connection.execute("DEALLOCATE ALL")
            assert fastscan.run_prepared_scan(connection, _scan_values(access, token_hash, event.id, second.code,
                                                                       "forgot-2"))[0] == "checked_in"
            held = connection.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE %s",
                                      (fastscan.PREPARED_SCAN_NAME.decode() + "%",)).fetchone()[0]
    finally:
        connections.close()
    assert held == 1
    assert db.session.execute(sa.select(sa.func.count()).select_from(ScanLog)
                              .where(ScanLog.nonce.in_(["forgot-1", "forgot-2"]))).scalar() == 2


def test_a_scan_function_replaced_with_another_result_is_prepared_again(gate):
    """A migration that replaces events_checkin_scan with another result's shape while a process runs: the
    prepared statement's cached plan fails ('must not change result type'); it is prepared again, and the failed
    run wrote nothing."""
    from events.models import CHECKIN_SCAN_FUNCTION

    event = gate["event"]
    first, second = ef.registration(event), ef.registration(event)
    factories.commit()
    token_hash = account_services.hash_token(gate["headers"]["Authorization"].removeprefix("Bearer "))
    signature = ("events_checkin_scan(text, text, integer, integer, text, text, text, text, timestamptz, text, "
                 "integer, integer, timestamptz, interval, integer, interval)")
    wider = CHECKIN_SCAN_FUNCTION.replace("admitted_head_count integer)", "admitted_head_count integer, extra text)")
    assert wider != CHECKIN_SCAN_FUNCTION
    connections = SharedConnections(db.engine)
    try:
        with connections.connection() as connection:
            access, _refusal = fastscan.check_access(connection, event.id, token_hash)
            assert len(fastscan.run_prepared_scan(connection, _scan_values(access, token_hash, event.id, first.code,
                                                                           "shape-1"))) == 21
            connection.execute(f"DROP FUNCTION {signature}")
            connection.execute(wider)
            row = fastscan.run_prepared_scan(connection, _scan_values(access, token_hash, event.id, second.code,
                                                                      "shape-2"))
            assert (row[0], len(row)) == ("checked_in", 22)
    finally:
        with db.engine.begin() as restore:
            restore.exec_driver_sql(f"DROP FUNCTION IF EXISTS {signature}")
            restore.exec_driver_sql(CHECKIN_SCAN_FUNCTION)
        connections.close()
    assert db.session.execute(sa.select(sa.func.count()).select_from(ScanLog)
                              .where(ScanLog.nonce == "shape-2")).scalar() == 1


def test_the_prepared_scan_goes_with_its_connection(gate):
    """What a connection's prepared scan keeps (its adapters) does not keep the connection alive after it closed."""
    event = gate["event"]
    registration = ef.registration(event)
    factories.commit()
    token_hash = account_services.hash_token(gate["headers"]["Authorization"].removeprefix("Bearer "))
    connections = SharedConnections(db.engine)
    with connections.connection() as connection:
        access, _refusal = fastscan.check_access(connection, event.id, token_hash)
        assert fastscan.run_prepared_scan(connection, _scan_values(access, token_hash, event.id, registration.code,
                                                                   "gone-1"))[0] == "checked_in"
    gone = weakref.ref(connection)
    connections.close()
    del connection, connections
    gc.collect()
    assert gone() is None


def test_a_scan_waiting_too_long_for_the_shared_connection_takes_the_careful_path(client, gate, monkeypatch,
                                                                                   held_elsewhere):
    """A statement stuck on the worker's shared connection must not stall every scan behind it: after
    CONNECTION_WAIT the scan is answered by the app's careful path (its own pool), once."""
    event = gate["event"]
    warm, registration = ef.registration(event), ef.registration(event, name="欧阳𠮷")
    factories.commit()
    assert scan(client, gate["headers"], event.id, warm.code, "busy-warm").status_code == 201
    careful = []
    original = events_api._checkin_carefully
    monkeypatch.setattr(events_api, "_checkin_carefully", lambda *a: careful.append(1) or original(*a))
    monkeypatch.setattr(fastscan, "CONNECTION_WAIT", 0.2)
    with held_elsewhere(client.application.wsgi_app.scanner.connections):
        response = scan(client, gate["headers"], event.id, registration.code, "busy-1")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["attendee"]["name"] == "欧阳𠮷"
    assert careful == [1]
    assert db.session.execute(sa.select(sa.func.count()).select_from(ScanLog).where(ScanLog.nonce == "busy-1")
                              ).scalar() == 1
