"""The offline scanner: the hashed ticket list it downloads, the queued scans it uploads (each replayed through
the check-in), and the conflicts found on upload."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from core.extensions import db
from core.privacy import mask_minor_name
from events import tickets
from events.models import CheckIn, Event, EventStatus, Registration, ScanLog
from events.services.checkin import IN, perform_checkin, session_window
from events.services.common import _local, _now


def ticket_hash(code: str) -> str:
    """What the offline list keeps of a ticket code: the first 128 bits of its SHA-256, in hex. The device
    hashes what it scans the same way; the list alone does not give a code back."""
    return hashlib.sha256(code.encode()).hexdigest()[:32]


def offline_ticket_list(event: Event, now: datetime | None = None) -> dict:
    """What a scanner needs to decide scans of `event` without network (static/js/events-checkin-rule.js):
    the sessions' check-in windows and, per ticket, only the hash of its code, its session, status, head-count,
    a masked name, the people already in (with the first check-in's time and gate) and when they went out. Never
    a phone, never a full name. `separators`: the characters a typed code may carry that are not part of it (events.tickets)."""
    sessions = [
        {
            "id": s.id,
            "title": s.title or _local(s.starts_at),
            "opens_at": (w := session_window(s.starts_at, s.ends_at, event)).opens_at.isoformat(),
            "closes_at": w.closes_at.isoformat(),
        }
        for s in event.sessions
    ]
    rows = db.session.execute(
        sa.select(
            Registration.code,
            Registration.session_id,
            Registration.status,
            Registration.head_count,
            Registration.name,
            CheckIn.head_count,
            CheckIn.checked_in_at,
            CheckIn.gate,
            CheckIn.checked_out_at,
        )
        .outerjoin(CheckIn, CheckIn.registration_id == Registration.id)
        .where(Registration.event_id == event.id)
        .order_by(Registration.id)
    ).all()
    tickets_out = [
        [
            ticket_hash(code),
            session_id,
            status,
            head_count,
            mask_minor_name(name),
            people or 0,
            checked_in_at.isoformat() if checked_in_at else None,
            gate or "",
            checked_out_at.isoformat() if checked_out_at else None,
        ]
        for code, session_id, status, head_count, name, people, checked_in_at, gate, checked_out_at in rows
    ]
    return {
        "event_id": event.id,
        "cancelled": event.status == EventStatus.CANCELLED,
        "synced_at": _now(now).isoformat(),
        "separators": tickets.SEPARATORS_PATTERN,
        "fields": [
            "hash",
            "session_id",
            "status",
            "head_count",
            "name",
            "in",
            "checked_in_at",
            "gate",
            "checked_out_at",
        ],
        "sessions": sessions,
        "tickets": tickets_out,
    }


@dataclass(frozen=True)
class QueuedScan:
    """A scan an offline device decided and queued, as it uploads it."""

    code: str
    nonce: str
    scanned_at: datetime | None = None
    gate: str = ""
    device: str = ""
    head_count: int | None = None
    confirm_over: bool = False
    direction: str = IN
    offline_result: str | None = None


def upload_offline_scans(
    event: Event, scans: Sequence[QueuedScan], *, user=None, staff_link=None, now: datetime | None = None
) -> list[dict]:
    """Decide a device's queued scans with the one rule, in the order they were made (the device's time),
    each logged with what the device showed; a scan uploaded before (its nonce) gets its first answer. Returns
    per scan its nonce, the server's answer (`status`, `body`) and whether it differs from the device's."""
    server_now = _now(now)
    ordered = sorted(scans, key=lambda scan: (scan.scanned_at or server_now, scan.nonce))
    answers = []
    for scan in ordered:
        result = perform_checkin(
            event,
            raw_code=scan.code,
            gate=scan.gate,
            nonce=scan.nonce,
            scanned_at=scan.scanned_at,
            device=scan.device,
            head_count=scan.head_count,
            confirm_over=scan.confirm_over,
            direction=scan.direction,
            offline_result=scan.offline_result,
            user=user,
            staff_link=staff_link,
            now=server_now,
        )
        answers.append(
            {
                "nonce": scan.nonce,
                "http_status": result.http_status,
                "body": result.body,
                "differs": scan.offline_result is not None and scan.offline_result != result.body["status"],
            }
        )
    return answers


def offline_conflicts(event: Event, limit: int = 200) -> list[dict]:
    """Uploaded offline scans whose server answer differs from what the device showed (the same ticket
    admitted at two gates, a ticket cancelled since the last sync), newest first, names masked."""
    rows = db.session.execute(
        sa.select(ScanLog, Registration.name)
        .outerjoin(Registration, Registration.id == ScanLog.registration_id)
        .where(
            ScanLog.event_id == event.id,
            ScanLog.offline_result.is_not(None),
            ScanLog.replay_of_id.is_(None),
            ScanLog.offline_result != ScanLog.result,
        )
        .order_by(ScanLog.id.desc())
        .limit(limit)
    ).all()
    return [
        {
            "id": log.id,
            "name": mask_minor_name(name or ""),
            "gate": log.gate,
            "offline_result": log.offline_result,
            "result": log.result,
            "message": log.response.get("message", ""),
            "scanned_at": log.scanned_at.isoformat() if log.scanned_at else None,
        }
        for log, name in rows
    ]
