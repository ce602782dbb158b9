"""The check-in hot path on PostgreSQL: a scanner's POST /api/v1/checkins in two statements.

A gate scanner (a handheld or a phone running a pretixSCAN-like app) authenticates with an API token and sends
a scan per second at busy doors; many gates share one server. The careful path (services.perform_checkin
through the ORM session) takes the ticket's lock, reads, decides and writes in one transaction: seven round
trips with token authentication, BEGIN and COMMIT. This path does the same work in two single-statement
transactions on an autocommit connection:

1. READ: the event, the ticket with its session and any earlier check-in, and the token's owner with their
   memberships (accounts.tokens.PRINCIPAL_SQL), in one SELECT.
2. scan_by_token checks `event.checkin` (core.permissions) on that principal, and services.plan_scan decides,
   as on the careful path.
3. WRITE: a new check-in and its scan-log row in one INSERT ... WITH statement, which first takes the ticket's
   advisory lock (the one cancel_registration holds) and re-reads the registration FOR SHARE, so a ticket
   cancelled or checked in since step 1 is not admitted; any other answer is one INSERT into the scan log.

When the write cannot stand it writes nothing. If the ticket changed since the read (a concurrent scan of it
won the unique constraint on event_checkins.registration_id, or it was cancelled), the caller reads and decides
again: a double scan costs two more statements, and is answered `already_checked_in` like on the careful path.
If the nonce was seen before, the careful path answers: it replays the first answer.

events.lane calls scan_by_token in front of the app; what it returns None for goes on to the app's view.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC

import psycopg
from flask_babel import gettext as _

from accounts import tokens as token_auth
from core.db import postgres_autocommit, utcnow
from core.extensions import db
from core.permissions import can
from core.security import error_body
from events import checkin as checkin_rules
from events import services
from events.models import RegistrationStatus

_READ_SQL = f"""
SELECT e.id, e.organisation_id, e.checkin_opens_minutes, e.status,
       r.id, r.event_id, r.session_id, r.status, r.name, r.phone, r.kind, r.head_count, r.school_name, r.grade,
       s.title, s.starts_at, s.ends_at, re.title, c.checked_in_at, c.gate,
       principal.*
  FROM (SELECT 1) AS one
  LEFT JOIN events e ON e.id = %(event_id)s
  LEFT JOIN event_registrations r ON r.code = %(code)s
  LEFT JOIN event_sessions s ON s.id = r.session_id
  LEFT JOIN events re ON re.id = r.event_id
  LEFT JOIN event_checkins c ON c.registration_id = r.id
  LEFT JOIN ({token_auth.PRINCIPAL_SQL}) AS principal ON true
"""

_LOG_COLUMNS = ("event_id", "registration_id", "gate", "device", "raw_code", "nonce", "result", "http_status",
                "response", "scanned_at", "server_at", "user_id", "staff_link_id")
_LOG_TYPES = {"event_id": "integer", "registration_id": "integer", "gate": "varchar", "device": "varchar",
              "raw_code": "varchar", "nonce": "varchar", "result": "varchar", "http_status": "integer",
              "response": "json", "scanned_at": "timestamptz", "server_at": "timestamptz", "user_id": "integer",
              "staff_link_id": "integer"}
_LOG_VALUES = ", ".join(f"%(log_{name})s::{_LOG_TYPES[name]}" for name in _LOG_COLUMNS)

_LOG_SQL = f"INSERT INTO event_scan_log ({', '.join(_LOG_COLUMNS)}) VALUES ({_LOG_VALUES}) RETURNING id"

_ADMIT_SQL = f"""
WITH held AS (SELECT pg_advisory_xact_lock(hashtextextended(%(lock_name)s, 0))),
     still_confirmed AS (
       SELECT r.id FROM event_registrations r, held
        WHERE r.id = %(registration_id)s AND r.status = '{RegistrationStatus.CONFIRMED}'
          FOR SHARE OF r),
     admitted AS (
       INSERT INTO event_checkins (registration_id, event_id, session_id, checked_in_at, scanned_at, gate,
                                   head_count, checked_in_by_id, staff_link_id)
       SELECT id, %(event_id)s::integer, %(session_id)s::integer, %(checked_in_at)s::timestamptz,
              %(scanned_at)s::timestamptz, %(gate)s::varchar, %(head_count)s::integer, %(checked_in_by_id)s::integer,
              %(staff_link_id)s::integer
         FROM still_confirmed
       ON CONFLICT (registration_id) DO NOTHING
       RETURNING id)
INSERT INTO event_scan_log ({', '.join(_LOG_COLUMNS)})
SELECT {_LOG_VALUES} FROM admitted
RETURNING id
"""


NONCE_CONSTRAINT = "uq_event_scan_log_nonce"


@dataclass
class Scan:
    """What the READ statement found: the event (None: no such event), the ticket and its earlier check-in,
    and the token's owner (None: unknown, revoked or malformed token, or a deactivated user)."""

    event: services.CheckinEvent | None
    ticket: services.ScannedTicket | None
    prior: checkin_rules.PriorCheckIn | None
    principal: token_auth.TokenPrincipal | None


def read(connection, *, event_id: int, code: str | None, token_hash: str) -> Scan:
    row = connection.execute(_READ_SQL, {"event_id": event_id, "code": code, "token_hash": token_hash}).fetchone()
    event = services.CheckinEvent(*row[:4]) if row[0] is not None else None
    ticket, prior = None, None
    if row[4] is not None:
        ticket_row = list(row[4:20])
        for index in (11, 12, 14):  # session start/end, earlier check-in: UTC as UTCDateTime gives them
            if ticket_row[index] is not None:
                ticket_row[index] = ticket_row[index].astimezone(UTC)
        ticket, prior = services.scanned_ticket_from_row(ticket_row)
    principal = token_auth.principal_from_columns(row[20:20 + token_auth.PRINCIPAL_COLUMNS])
    return Scan(event, ticket, prior, principal)


def write(connection, plan: services.ScanPlan, code: str | None) -> bool | None:
    """Store a planned scan in one statement. True: stored. False: nothing written because the ticket changed
    since it was read (checked in by a concurrent scan, or cancelled): read and decide again. None: nothing
    written because the nonce was seen before: the careful path replays the first answer."""
    params = {f"log_{name}": value for name, value in plan.log.items()}
    params["log_response"] = json.dumps(plan.log["response"], ensure_ascii=False)
    try:
        if plan.checkin is None:
            return connection.execute(_LOG_SQL, params).fetchone() is not None
        params.update(plan.checkin)
        params["lock_name"] = services.checkin_lock_name(code)
        return connection.execute(_ADMIT_SQL, params).fetchone() is not None
    except psycopg.errors.UniqueViolation as exc:
        if exc.diag.constraint_name == NONCE_CONSTRAINT:
            return None
        raise


def record(connection, scan: Scan, *, event_id: int, code: str | None, token_hash: str, **scan_args
           ) -> services.ScanPlan | None:
    """Decide and store the scan `read` found (its caller checked access): the stored plan, or None when the
    careful path must answer (a nonce seen before). A ticket that changed between READ and WRITE (a concurrent
    scan admitted it, or it was cancelled) is read and decided once more. `scan_args`: plan_scan's keywords."""
    for _attempt in range(2):
        plan = services.plan_scan(scan.event, scan.ticket, scan.prior, user=scan.principal, server_now=utcnow(),
                                  **scan_args)
        stored = write(connection, plan, code)
        if stored:
            return plan
        if stored is None:
            return None
        scan = read(connection, event_id=event_id, code=code, token_hash=token_hash)
        if scan.event is None or scan.principal is None:
            return None
    return None


def unknown_event_answer() -> tuple[dict, int]:
    return {"status": "not_found", "message": _("Unknown event."), "attendee": None}, 404


def scan_by_token(args: dict, token_hash: str) -> tuple[dict, int] | None:
    """A token scanner's check-in (`args`: the API's CheckinArgs) in two statements: the answer (body, status),
    refusals of access included, or None when the careful path must answer (a nonce seen before). None means
    nothing was written, so the careful path may start over with the same request."""
    code = services.parse_code_or_none(args["code"])
    with postgres_autocommit(db.engine) as connection:
        scan = read(connection, event_id=args["event_id"], code=code, token_hash=token_hash)
        if scan.event is None:
            return unknown_event_answer()
        if scan.principal is None:
            return error_body(401, _("The API token is malformed, revoked or unknown."), code="invalid_token"), 401
        if not can("event.checkin", scan.event, user=scan.principal):
            return error_body(403), 403
        token_auth.touch_if_stale(connection, scan.principal, utcnow())
        plan = record(connection, scan, event_id=args["event_id"], code=code, token_hash=token_hash,
                      raw_code=args["code"], gate=args["gate"], nonce=args["nonce"], scanned_at=args["scanned_at"],
                      device=args["device"], head_count=args["head_count"], session_id=args["session_id"])
    return None if plan is None else (plan.body, plan.http_status)
