"""Issue 20 on the server: groups in parts, confirmed over-counts, walk-ins refused before writing, exit scans,
the stored answer of every scan, the offline ticket list, queued uploads decided at the device's time, conflicts."""

import gzip
import io
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from events.models import CheckIn, Registration, ScanLog
from events.services import attendance as attendance_service
from events.services import checkin as checkin_service
from events.services import offline as offline_service
from events.services import registration as registration_service
from events.services import staff as staff_service
from tests import factories
from tests.events import factories as ef


def scan(event, code, **kwargs):
    return checkin_service.perform_checkin(event, raw_code=code, gate=kwargs.pop("gate", "东门"), **kwargs)


def test_a_group_arrives_in_two_parts_and_an_over_count_needs_confirming():
    event = ef.event(capacity=50)
    group = ef.registration(event, name="青溪县实验小学", kind="group", head_count=12)
    first = scan(event, group.code, head_count=5)
    assert (first.http_status, first.body["people"], first.body["head_count"]) == (201, 5, 5)
    second = scan(event, group.code)  # the rest, no count given
    assert (second.http_status, second.body["status"], second.body["people"], second.body["head_count"]) == (
        201,
        "checked_in",
        7,
        12,
    )
    assert second.body["first_gate"] == "东门"
    assert scan(event, group.code).body["status"] == "already_checked_in"
    refused = scan(event, group.code, head_count=2)
    assert (refused.http_status, refused.body["status"], refused.body["colour"]) == (409, "over_count", "amber")
    checkin = db.session.execute(sa.select(CheckIn)).scalar_one()
    assert (checkin.head_count, checkin.over_count) == (12, False)
    confirmed = scan(event, group.code, head_count=2, confirm_over=True)
    assert (confirmed.http_status, confirmed.body["over_count"]) == (201, True)
    db.session.refresh(checkin)
    assert (checkin.head_count, checkin.over_count) == (14, True)


def test_a_group_of_two_counted_as_nine_is_not_accepted_silently():
    event = ef.event(capacity=50)
    group = ef.registration(event, name="李老师", kind="group", head_count=2)
    assert scan(event, group.code, head_count=9).body["status"] == "over_count"
    assert db.session.execute(sa.select(sa.func.count(CheckIn.id))).scalar() == 0


def test_every_scan_log_row_stores_its_answer_and_a_replayed_nonce_returns_exactly_it():
    event = ef.event(capacity=5)
    registration = ef.registration(event, name="𠮷田䶮")
    first = scan(event, registration.code, nonce="n-1")
    later = scan(event, registration.code, nonce="n-2")
    # the ticket is cancelled meanwhile? No: it was used. Move the clock: the replay must not be decided again.
    replay = scan(event, registration.code, nonce="n-1", now=utcnow() + timedelta(days=3))
    assert (replay.replayed, replay.http_status, replay.body) == (True, 201, first.body)
    assert later.body["status"] == "already_checked_in"
    logs = db.session.execute(sa.select(ScanLog).order_by(ScanLog.id)).scalars().all()
    assert [log.response["status"] for log in logs] == ["checked_in", "already_checked_in", "checked_in"]
    assert logs[2].replay_of_id == logs[0].id
    assert all(log.response["message"] for log in logs)


def test_walk_ins_outside_the_window_or_into_a_full_session_are_refused_before_anything_is_written(client):
    org = factories.association()
    later = ef.event(org, capacity=5, starts_at=utcnow() + timedelta(hours=5))
    with pytest.raises(DomainError) as outside:
        registration_service.register(later.sessions[0], name="王小明", phone=None, source="walk_in")
    assert outside.value.code == "outside_window"
    full = ef.event(org, capacity=2)
    ef.registration(full, name="张三", kind="group", head_count=2)
    with pytest.raises(registration_service.SessionFull) as refused:
        registration_service.register(full.sessions[0], name="李四", phone=None, source="walk_in")
    assert refused.value.absent_seats == 0  # the session has not started: absent registrants may still come
    assert db.session.execute(sa.select(sa.func.count(Registration.id))).scalar() == 1


def test_a_walk_in_may_take_the_seats_of_registrants_who_have_not_come_once_the_session_started():
    event = ef.event(capacity=3, starts_at=(utcnow() - timedelta(minutes=20)).replace(microsecond=0))
    came = ef.registration(event, name="到场的")
    ef.registration(event, name="没来的", kind="group", head_count=2)
    scan(event, came.code)
    session = event.sessions[0]
    with pytest.raises(registration_service.SessionFull) as refused:
        registration_service.register(session, name="现场观众", phone=None, source="walk_in")
    assert refused.value.absent_seats == 2
    walk_in = registration_service.register(
        session, name="现场观众", phone=None, source="walk_in", use_absent_seats=True
    )
    assert walk_in.status == "confirmed"
    with pytest.raises(registration_service.SessionFull):  # three people in a group do not fit the two absent seats
        registration_service.register(
            session, name="一家三口", phone=None, kind="group", head_count=3, source="walk_in", use_absent_seats=True
        )


def test_walk_in_api_refuses_a_full_session_with_the_absent_seats(client):
    org = factories.association()
    event = ef.event(org, capacity=1)
    ef.registration(event)
    staff = factories.checkin_staff(event.id)
    from accounts import services as account_services

    _row, token = account_services.create_api_token(staff, "scanner")
    factories.commit()
    response = client.post(
        f"/api/v1/events/{event.id}/walk-ins",
        headers={"Authorization": f"Bearer {token}"},
        json={"session_id": event.sessions[0].id, "name": "现场", "nonce": "w-1"},
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "full"
    assert response.get_json()["error"]["details"]["absent_seats"] == 0
    assert db.session.execute(sa.select(sa.func.count(ScanLog.id))).scalar() == 0


def test_check_out_records_the_time_out_and_the_attendance_shows_it():
    event = ef.event(capacity=5, exit_scan=True)
    registration = ef.registration(event, name="研学学生")
    assert scan(event, registration.code, direction="out").body["status"] == "not_checked_in"
    scan(event, registration.code)
    out = scan(event, registration.code, direction="out", gate="出口")
    assert (out.http_status, out.body["status"]) == (201, "checked_out")
    assert scan(event, registration.code, direction="out").body["status"] == "already_checked_out"
    checkin = db.session.execute(sa.select(CheckIn)).scalar_one()
    assert checkin.checked_out_at is not None and checkin.checkout_gate == "出口"
    sheet = load_workbook(io.BytesIO(attendance_service.attendance_workbook(event))).worksheets[2]  # the attendees
    header, row = [cell.value for cell in sheet[1]], [cell.value for cell in sheet[2]]
    assert header[-2:] == ["签退时间", "出口"]
    assert row[0] == "研学学生" and row[-1] == "出口" and row[-2]


def test_the_offline_list_holds_only_what_the_gate_needs():
    event = ef.event(capacity=20)
    child = ef.registration(event, name="欧阳𠮷䶮", phone="13912345678")
    group = ef.registration(event, name="王老师", kind="group", head_count=8)
    scan(event, group.code, head_count=3)
    data = offline_service.offline_ticket_list(event)
    text = json.dumps(data, ensure_ascii=False)
    assert "13912345678" not in text and "5678" not in text and "欧阳𠮷䶮" not in text and child.code not in text
    rows = {row[0]: dict(zip(data["fields"], row, strict=True)) for row in data["tickets"]}
    mine = rows[offline_service.ticket_hash(child.code)]
    assert (mine["name"], mine["status"], mine["head_count"], mine["in"]) == (
        "欧阳**",
        "confirmed",
        1,
        0,
    )  # core.privacy: a compound surname stays whole
    theirs = rows[offline_service.ticket_hash(group.code)]
    assert (theirs["head_count"], theirs["in"], theirs["gate"]) == (8, 3, "东门")
    assert data["sessions"][0]["id"] == event.sessions[0].id


def test_the_offline_list_says_who_went_out_so_a_device_decides_exits_like_the_server():
    event = ef.event(capacity=20, exit_scan=True)
    left, stays = ef.registration(event, name="研学学生甲"), ef.registration(event, name="研学学生乙")
    for registration in (left, stays):
        scan(event, registration.code)
    assert scan(event, left.code, direction="out", gate="出口").http_status == 201
    data = offline_service.offline_ticket_list(event)
    rows = {row[0]: dict(zip(data["fields"], row, strict=True)) for row in data["tickets"]}
    assert rows[offline_service.ticket_hash(left.code)]["checked_out_at"]
    assert rows[offline_service.ticket_hash(stays.code)]["checked_out_at"] is None


def test_a_cancelled_event_refuses_a_scan_through_the_one_rule():
    event = ef.event(capacity=20)
    visitor = ef.registration(event, name="诸葛小明")
    event.status = "cancelled"
    result = scan(event, visitor.code)
    assert (result.http_status, result.body["status"]) == (409, "cancelled")


def test_queued_offline_scans_are_decided_at_the_devices_time_and_conflicts_listed(client):
    org = factories.association()
    event = ef.event(org, capacity=10, starts_at=(utcnow() - timedelta(hours=1)).replace(microsecond=0), hours=2)
    first, cancelled = ef.registration(event, name="张小明"), ef.registration(event, name="李小红")
    registration_service.cancel_registration(cancelled)
    staff = factories.checkin_staff(event.id)
    from accounts import services as account_services

    _row, token = account_services.create_api_token(staff, "scanner")
    factories.commit()
    headers = {"Authorization": f"Bearer {token}"}
    at = (utcnow() - timedelta(minutes=30)).replace(microsecond=0)
    scans = [
        {
            "code": first.code,
            "nonce": "gate-a-1",
            "scanned_at": at.isoformat(),
            "gate": "东门",
            "offline_result": "checked_in",
        },
        {
            "code": first.code,
            "nonce": "gate-b-1",
            "scanned_at": (at + timedelta(minutes=1)).isoformat(),
            "gate": "西门",
            "offline_result": "checked_in",
        },
        {
            "code": cancelled.code,
            "nonce": "gate-a-2",
            "scanned_at": at.isoformat(),
            "gate": "东门",
            "offline_result": "checked_in",
        },
    ]
    response = client.post(f"/api/v1/events/{event.id}/checkins/batch", json={"scans": scans}, headers=headers)
    assert response.status_code == 200, response.get_json()
    results = {r["nonce"]: r for r in response.get_json()["results"]}
    assert results["gate-a-1"]["body"]["status"] == "checked_in" and not results["gate-a-1"]["differs"]
    assert results["gate-b-1"]["body"]["status"] == "already_checked_in" and results["gate-b-1"]["differs"]
    assert results["gate-a-2"]["body"]["status"] == "cancelled" and results["gate-a-2"]["differs"]
    checkin = db.session.execute(sa.select(CheckIn)).scalar_one()
    assert checkin.checked_in_at == at  # the device's time
    again = client.post(f"/api/v1/events/{event.id}/checkins/batch", json={"scans": scans}, headers=headers)
    assert [r["body"] for r in again.get_json()["results"]] == [r["body"] for r in response.get_json()["results"]]
    assert db.session.execute(sa.select(sa.func.count(CheckIn.id))).scalar() == 1
    listed = client.get(f"/api/v1/events/{event.id}/conflicts", headers=headers).get_json()["conflicts"]
    assert sorted((c["result"], c["name"]) for c in listed) == [("already_checked_in", "张*明"), ("cancelled", "李*红")]


def test_the_offline_list_of_a_big_event_stays_small(client):
    event = ef.event(capacity=600)
    for n in range(300):
        ef.registration(event, name=f"学生{n:03d}")
    body = json.dumps(offline_service.offline_ticket_list(event), ensure_ascii=False, separators=(",", ":")).encode()
    assert len(gzip.compress(body)) < 300 * 100  # ~100 bytes a ticket compressed: 10,000 tickets well under 1 MB


def test_the_service_worker_is_public_and_the_scanner_installable_only_for_staff(client):
    worker = client.get("/events/scanner-sw.js")
    assert worker.status_code == 200 and worker.headers["Service-Worker-Allowed"] == "/events/"
    assert "javascript" in worker.mimetype and b"caches.open" in worker.data
    event = ef.event(capacity=5, title="科普日")
    _link, token = staff_service.create_staff_link(event, label="东门")
    factories.commit()
    assert client.get(f"/events/{event.id}/scan.webmanifest").status_code in (302, 401)
    client.get(f"/events/staff/{token}")
    manifest = client.get(f"/events/{event.id}/scan.webmanifest").get_json()
    assert manifest["start_url"] == f"/events/{event.id}/scan" and manifest["display"] == "standalone"
