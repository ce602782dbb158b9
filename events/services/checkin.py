"""The check-in hot path: read the scanned ticket in one query, decide (the pure rules are events.checkin),
write the check-in and the scan log, replay a scan by its nonce, and the scanner's response body.

Concurrency: a scan takes the ticket's named lock before looking for an earlier check-in (a row lock taken by
the same SELECT would not do: under READ COMMITTED the joined check-in would be read from the snapshot taken
before the wait), and the unique constraint on event_checkins.registration_id is the last word."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.extensions import db
from core.locks import acquire_lock
from core.privacy import mask_phone
from events import checkin as decision_rules
from events import tickets
from events.models import CheckIn, Event, EventSession, EventStatus, Registration, ScanLog, StaffLink
from events.services.common import MAX_HEAD_COUNT, _local, _now

MESSAGES = {
    decision_rules.CHECKED_IN: _l("Checked in."),
    decision_rules.ALREADY_CHECKED_IN: _l("Already checked in at %(time)s (gate %(gate)s)."),
    decision_rules.NOT_FOUND: _l("Unknown ticket: the code is not valid or was mistyped."),
    decision_rules.WRONG_EVENT: _l("This ticket is for another event or session: %(title)s."),
    decision_rules.OUTSIDE_WINDOW: _l("Check-in for this session is not open now (%(start)s – %(end)s)."),
    decision_rules.CANCELLED: _l("This ticket was cancelled."),
    decision_rules.WAITLISTED: _l("This registration is still on the waiting list."),
    decision_rules.OVER_COUNT: _l(
        "More people than this ticket has left (%(left)d of %(total)d): confirm the count to admit them anyway."
    ),
    decision_rules.CHECKED_OUT: _l("Checked out."),
    decision_rules.ALREADY_CHECKED_OUT: _l("Already checked out at %(time)s."),
    decision_rules.NOT_CHECKED_IN: _l("This ticket was never checked in, so it can't check out."),
}


@dataclass(frozen=True)
class ScannedTicket:
    """What the check-in needs to know about a registration, read in one query with its session and event."""

    id: int
    event_id: int
    session_id: int
    status: str
    name: str
    phone: str | None
    kind: str
    head_count: int
    school_name: str
    grade: str
    session_title: str
    session_starts_at: datetime
    session_ends_at: datetime
    event_title: str

    @property
    def state(self) -> decision_rules.TicketState:
        return decision_rules.TicketState(self.event_id, self.session_id, self.status, self.head_count)


def attendee_view(ticket: ScannedTicket) -> dict:
    """What the scanner shows about the person: name, masked phone, group size, school, session (its start
    when it has no title)."""
    return {
        "name": ticket.name,
        "phone": mask_phone(ticket.phone),
        "kind": ticket.kind,
        "head_count": ticket.head_count,
        "school": ticket.school_name,
        "grade": ticket.grade,
        "session": ticket.session_title or _local(ticket.session_starts_at),
        "status": ticket.status,
    }


def _ticket_window(ticket: ScannedTicket, event: Event) -> decision_rules.Window:
    return session_window(ticket.session_starts_at, ticket.session_ends_at, event)


def session_window(starts_at: datetime, ends_at: datetime, event: Event) -> decision_rules.Window:
    """The check-in window of a session of `event` (it opens `checkin_opens_minutes` before the start)."""
    return decision_rules.checkin_window(
        starts_at, ends_at, opens_before=timedelta(minutes=event.checkin_opens_minutes)
    )


_SCANNED_TICKET = (
    sa.select(
        Registration.id,
        Registration.event_id,
        Registration.session_id,
        Registration.status,
        Registration.name,
        Registration.phone,
        Registration.kind,
        Registration.head_count,
        Registration.school_name,
        Registration.grade,
        EventSession.title,
        EventSession.starts_at,
        EventSession.ends_at,
        Event.title,
        CheckIn.id,
        CheckIn.checked_in_at,
        CheckIn.gate,
        CheckIn.head_count,
        CheckIn.checked_out_at,
    )
    .join(EventSession, EventSession.id == Registration.session_id)
    .join(Event, Event.id == Registration.event_id)
    .outerjoin(CheckIn, CheckIn.registration_id == Registration.id)
    .where(Registration.code == sa.bindparam("code"))
)


def checkin_lock_name(code: str) -> str:
    """The named lock a scan of ticket `code` holds (cancelling the ticket takes it too)."""
    return f"events.checkin:{code}"


def parse_code_or_none(raw: str | None) -> str | None:
    try:
        return tickets.parse_code((raw or "")[:200])
    except tickets.InvalidCode:
        return None


@dataclass
class ScanResult:
    http_status: int
    body: dict
    replayed: bool = False  # the answer given earlier for the same nonce, not a new decision


IN, OUT = "in", "out"


def perform_checkin(
    event: Event,
    *,
    raw_code: str,
    gate: str = "",
    nonce: str | None = None,
    scanned_at: datetime | None = None,
    device: str = "",
    head_count: int | None = None,
    confirm_over: bool = False,
    session_id: int | None = None,
    direction: str = IN,
    offline_result: str | None = None,
    user=None,
    staff_link: StaffLink | None = None,
    now: datetime | None = None,
) -> ScanResult:
    """Redeem a scanned or typed code at `event` (or, `direction=OUT`, record the exit); every attempt is
    logged with the answer it gave, and a repeated nonce gets exactly that answer again.

    The ticket's named lock is taken first (before anything is read, the nonce included), so two scans of one
    ticket run one after the other and the second sees the first's check-in; the unique constraint on
    event_checkins.registration_id stays the last word. The time a scan counts at is the device's `scanned_at`
    (an offline scan uploaded later) unless it is implausible (events.checkin.effective_scan_time). The body
    always carries `status` (reason code), a readable `message`, `colour` and the `attendee` (None when the code
    matches no registration). `head_count`: the people arriving (None: all the ticket has left); a count above
    that needs `confirm_over`. `offline_result`: what an offline device showed for this scan, kept in the log.
    Raises IntegrityError only when one nonce arrives twice at the very same moment with different codes; the
    caller then rolls back and calls `replay_scan`.
    """
    server_now = _now(now)
    raw, gate, device = (raw_code or "")[:200], (gate or "")[:60], (device or "")[:200]
    nonce = (nonce or "").strip()[:80] or None
    code = parse_code_or_none(raw)
    if code is not None:
        acquire_lock(checkin_lock_name(code))
    if nonce is not None:
        replay = replay_scan(
            nonce,
            raw=raw,
            gate=gate,
            device=device,
            scanned_at=scanned_at,
            now=server_now,
            user=user,
            staff_link=staff_link,
        )
        if replay is not None:
            return replay
    row = db.session.execute(_SCANNED_TICKET, {"code": code}).first() if code is not None else None
    ticket = ScannedTicket(*row[:14]) if row is not None else None
    checkin_id = row[14] if row is not None else None
    prior = decision_rules.PriorCheckIn(row[15], row[16], row[17]) if checkin_id is not None else None
    scan_time = decision_rules.effective_scan_time(scanned_at, server_now)
    state = ticket.state if ticket is not None else None
    if direction == OUT:
        decision = decision_rules.decide_checkout(state, event.id, prior, row[18] if row is not None else None)
    else:
        window = _ticket_window(ticket, event) if ticket is not None else None
        arriving = None if head_count is None else max(1, min(int(head_count), MAX_HEAD_COUNT))
        decision = decision_rules.decide_checkin(
            state,
            event.id,
            window,
            scan_time,
            prior,
            session_id=session_id,
            arriving=arriving,
            confirm_over=confirm_over,
            event_cancelled=event.status == EventStatus.CANCELLED,
        )
    checkin = None
    if decision.reason == decision_rules.CHECKED_IN:
        if checkin_id is None:
            checkin = CheckIn(
                registration_id=ticket.id,
                event_id=event.id,
                session_id=ticket.session_id,
                checked_in_at=scan_time,
                scanned_at=scanned_at,
                gate=gate,
                head_count=decision.people,
                over_count=decision.over_count,
                checked_in_by_id=getattr(user, "id", None),
                staff_link_id=getattr(staff_link, "id", None),
            )
            db.session.add(checkin)
        else:  # the next part of a group
            checkin = db.session.get(CheckIn, checkin_id)
            checkin.head_count += decision.people
            checkin.over_count = checkin.over_count or decision.over_count
    elif decision.reason == decision_rules.CHECKED_OUT:
        checkin = db.session.get(CheckIn, checkin_id)
        checkin.checked_out_at = scan_time
        checkin.checkout_gate = gate
    body = scan_body(decision, ticket, event, checkin)
    db.session.add(
        ScanLog(
            event_id=event.id,
            registration_id=getattr(ticket, "id", None),
            gate=gate,
            device=device,
            raw_code=raw,
            nonce=nonce,
            result=decision.reason,
            http_status=decision.http_status,
            response=body,
            direction=direction,
            offline_result=(offline_result or None) and offline_result[:30],
            scanned_at=scanned_at,
            server_at=server_now,
            user_id=getattr(user, "id", None),
            staff_link_id=getattr(staff_link, "id", None),
        )
    )
    db.session.flush()
    return ScanResult(decision.http_status, body)


def replay_scan(
    nonce: str,
    *,
    raw: str = "",
    gate: str = "",
    device: str = "",
    scanned_at=None,
    now=None,
    user=None,
    staff_link=None,
) -> ScanResult | None:
    """The answer stored for `nonce` (the retry is logged too, pointing at the first), or None when it is new."""
    first = db.session.execute(sa.select(ScanLog).where(ScanLog.nonce == nonce)).scalar_one_or_none()
    if first is None:
        return None
    db.session.add(
        ScanLog(
            event_id=first.event_id,
            registration_id=first.registration_id,
            gate=gate,
            device=(device or "")[:200],
            raw_code=raw,
            nonce=None,
            result=first.result,
            http_status=first.http_status,
            response=first.response,
            direction=first.direction,
            scanned_at=scanned_at,
            server_at=_now(now),
            user_id=getattr(user, "id", None),
            staff_link_id=getattr(staff_link, "id", None),
            replay_of_id=first.id,
        )
    )
    db.session.flush()
    return ScanResult(first.http_status, dict(first.response), replayed=True)


def scan_body(decision, ticket: ScannedTicket | None, event: Event, checkin: CheckIn | None) -> dict:
    """The answer to a scan: reason code, readable message, colour and the attendee (see attendee_view);
    for a check-in its time, gate, people in so far, people admitted now and whether it is an over-count."""
    reason = decision.reason
    params = {}
    if reason == decision_rules.ALREADY_CHECKED_IN:
        params = {"time": _local(decision.prior.checked_in_at), "gate": decision.prior.gate or "—"}
    elif reason == decision_rules.ALREADY_CHECKED_OUT:
        params = {"time": _local(checkin.checked_out_at if checkin else None)}
    elif reason == decision_rules.WRONG_EVENT:
        params = {"title": ticket.event_title}
    elif reason == decision_rules.OUTSIDE_WINDOW:
        window = _ticket_window(ticket, event)
        params = {"start": _local(window.opens_at), "end": _local(window.closes_at)}
    elif reason == decision_rules.OVER_COUNT:
        params = {
            "left": max(ticket.head_count - (decision.prior.head_count if decision.prior else 0), 0),
            "total": ticket.head_count,
        }
    message = str(MESSAGES[reason])
    body = {
        "status": reason,
        "message": message % params if params else message,
        "colour": decision.colour,
        # A ticket of another event names the other event, never its holder: staff of this event have no
        # business seeing who registered elsewhere (often a minor).
        "attendee": attendee_view(ticket) if ticket is not None and reason != decision_rules.WRONG_EVENT else None,
    }
    if reason == decision_rules.CHECKED_IN:
        body["checked_in_at"] = checkin.checked_in_at.isoformat()
        body["gate"] = checkin.gate
        body["head_count"] = checkin.head_count  # people in so far
        body["people"] = decision.people  # admitted by this scan
        body["over_count"] = decision.over_count
    elif reason == decision_rules.CHECKED_OUT:
        body["checked_out_at"] = checkin.checked_out_at.isoformat()
    if decision.prior is not None:
        body["first_checked_in_at"] = decision.prior.checked_in_at.isoformat()
        body["first_gate"] = decision.prior.gate
    return body
