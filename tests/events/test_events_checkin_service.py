"""perform_checkin: every reason, nonce replay, logging, group head-count, concurrent double scans."""

import threading
from datetime import timedelta

import sqlalchemy as sa

from core.db import utcnow
from core.extensions import db
from events.models import CheckIn, Event, ScanLog
from events.services import capacity as capacity_service
from events.services import checkin as checkin_service
from events.services import registration as registration_service
from events.tickets import format_code
from tests import factories
from tests.events import factories as ef


def scan(event, code, **kwargs):
    return checkin_service.perform_checkin(event, raw_code=code, gate=kwargs.pop("gate", "东门"), **kwargs)


def test_checked_in_then_already_checked_in_with_first_time_and_gate():
    event = ef.event(capacity=5)
    registration = ef.registration(event, name="张小明", phone="13812345678")
    first = scan(event, registration.code, gate="东门")
    assert first.http_status == 201
    assert first.body["status"] == "checked_in"
    assert first.body["attendee"]["name"] == "张小明"
    assert first.body["attendee"]["phone"] == "138****5678"
    assert first.body["message"]
    again = scan(event, registration.code, gate="西门")
    assert again.http_status == 200
    assert again.body["status"] == "already_checked_in"
    assert again.body["first_gate"] == "东门"
    assert again.body["first_checked_in_at"] == first.body["checked_in_at"]
    assert "东门" in again.body["message"]
    assert db.session.execute(sa.select(sa.func.count(CheckIn.id))).scalar() == 1


def test_usb_scanner_variants_are_accepted():
    event = ef.event(capacity=5)
    registration = ef.registration(event)
    typed = " " + format_code(registration.code).lower() + "\r\n"
    assert scan(event, typed).http_status == 201


def test_not_found_for_forged_truncated_and_unknown_codes():
    event = ef.event(capacity=5)
    registration = ef.registration(event)
    forged = registration.code[:-1] + ("A" if registration.code[-1] != "A" else "B")
    for raw in (forged, registration.code[:20], "", "<script>", "2" * 28):
        result = scan(event, raw)
        assert result.http_status == 404, raw
        assert result.body["status"] == "not_found"
        assert result.body["attendee"] is None
    assert db.session.execute(sa.select(sa.func.count(CheckIn.id))).scalar() == 0


def test_ticket_for_another_event():
    org = factories.association()
    event, other = ef.event(org, capacity=5), ef.event(org, capacity=5, title="另一场活动")
    registration = ef.registration(other)
    result = scan(event, registration.code)
    assert (result.http_status, result.body["status"]) == (409, "wrong_event")
    assert "另一场活动" in result.body["message"]
    assert result.body["attendee"] is None  # staff of this event do not see who registered elsewhere


def test_cancelled_and_waitlisted_tickets():
    event = ef.event(capacity=1)
    confirmed = ef.registration(event)
    waiting = ef.registration(event)
    assert (scan(event, waiting.code).body["status"]) == "waitlisted"
    registration_service.cancel_registration(confirmed)  # promotes `waiting`
    result = scan(event, confirmed.code)
    assert (result.http_status, result.body["status"]) == (409, "cancelled")
    assert scan(event, waiting.code).http_status == 201


def test_outside_the_window():
    start = utcnow() + timedelta(days=2)
    event = ef.event(capacity=5, starts_at=start)
    registration = ef.registration(event)
    result = scan(event, registration.code)
    assert (result.http_status, result.body["status"]) == (409, "outside_window")
    # an offline scan that happened during the event counts at its own time
    inside = start + timedelta(minutes=5)
    assert scan(event, registration.code, scanned_at=inside, now=inside + timedelta(hours=1)).http_status == 201


def test_group_head_count_recorded():
    event = ef.event(capacity=60)
    group = ef.registration(event, kind="group", head_count=45, name="王老师")
    result = scan(event, group.code, head_count=43)
    assert result.body["head_count"] == 43
    assert capacity_service.event_counters(event)["checked_in"] == 43
    assert capacity_service.event_counters(event)["registered"] == 45


def test_repeated_nonce_returns_the_first_answer_and_is_logged():
    event = ef.event(capacity=5)
    registration = ef.registration(event)
    first = scan(event, registration.code, nonce="n-1")
    replay = scan(event, registration.code, nonce="n-1", gate="西门")
    assert (replay.http_status, replay.body) == (first.http_status, first.body) == (201, first.body)
    other = scan(event, registration.code, nonce="n-2")
    assert other.http_status == 200
    logs = db.session.execute(sa.select(ScanLog).order_by(ScanLog.id)).scalars().all()
    assert [(log.result, log.http_status) for log in logs] == [
        ("checked_in", 201),
        ("checked_in", 201),
        ("already_checked_in", 200),
    ]
    assert logs[1].replay_of_id == logs[0].id and logs[1].gate == "西门"


def test_every_attempt_is_logged_with_raw_code_gate_and_times():
    event = ef.event(capacity=5)
    scanned_at = utcnow() - timedelta(seconds=3)
    scan(event, "not a code", gate="南门", device="iPhone", scanned_at=scanned_at)
    log = db.session.execute(sa.select(ScanLog)).scalar_one()
    assert (log.raw_code, log.gate, log.device, log.result, log.http_status) == (
        "not a code",
        "南门",
        "iPhone",
        "not_found",
        404,
    )
    assert log.scanned_at == scanned_at.replace(microsecond=scanned_at.microsecond)
    assert log.server_at >= log.scanned_at


def _concurrent_scans(app, event_id, code, count, nonce=None):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def worker(n):
        with app.app_context(), app.test_request_context("/"):
            try:
                barrier.wait()
                event = db.session.get(Event, event_id)
                result = checkin_service.perform_checkin(event, raw_code=code, gate=f"门{n}", nonce=nonce)
                db.session.commit()
                results.append(result)
            except Exception as exc:  # noqa: BLE001
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_concurrent_double_scans_admit_exactly_once(app):
    event = ef.event(capacity=5)
    registration = ef.registration(event)
    db.session.commit()
    results, errors = _concurrent_scans(app, event.id, registration.code, 8)
    assert errors == []
    assert sorted(r.http_status for r in results) == [200] * 7 + [201]
    assert db.session.execute(sa.select(sa.func.count(CheckIn.id))).scalar() == 1
    assert db.session.execute(sa.select(sa.func.count(ScanLog.id))).scalar() == 8


def test_concurrent_retries_with_one_nonce_all_get_the_first_answer(app):
    event = ef.event(capacity=5)
    registration = ef.registration(event)
    db.session.commit()
    results, errors = _concurrent_scans(app, event.id, registration.code, 6, nonce="same-nonce")
    assert errors == []
    assert [r.http_status for r in results] == [201] * 6
    assert db.session.execute(sa.select(sa.func.count(CheckIn.id))).scalar() == 1


def test_tickets_of_a_cancelled_event_are_refused():
    event = ef.event(capacity=5)
    registration = ef.registration(event)
    event.status = "cancelled"
    result = scan(event, registration.code)
    assert (result.http_status, result.body["status"]) == (409, "cancelled")
