"""The check-in hot path on PostgreSQL: a token scanner's POST /api/v1/checkins in one statement.

A gate scanner (a handheld or a phone running a pretixSCAN-like app) authenticates with an API token and sends
a scan per second at busy doors; many gates share one server. The careful path (services.perform_checkin
through the ORM session) takes the ticket's lock, reads, decides and writes in one transaction: seven round
trips with token authentication, BEGIN and COMMIT. This path makes one round trip per scan:

1. ACCESS, once per (token, event): one SELECT reads the event and the token's owner with their memberships
   (accounts.tokens.PRINCIPAL_SQL); `event.checkin` (core.permissions) is checked on that principal in Python,
   and an allowed access is remembered in the process (`AccessCache`) with the grants' text and the event's
   organisation it was decided on.
2. SCAN: the database function events_checkin_scan (events.models.CHECKIN_SCAN_FUNCTION), in one autocommit
   statement, re-checks that the token is unrevoked, its user active, and the grants and the organisation are
   still those the access was decided on ('stale' otherwise: nothing written, access is checked again); then
   takes the ticket's lock, reads the ticket afresh, decides as events.checkin.decide_checkin does, writes the
   check-in and the scan-log row, and returns what the answer is made of. The statement is prepared once per
   connection and run through libpq (`run_prepared_scan`) on one of the few connections the process's threads
   share (core.db.SharedConnections), held only while it runs. The answer's message is rendered here
   (services.scan_body), in the asker's language.

The one input of the rule the statement cannot re-check is the organisation tree (a city organiser checks in at
its counties' events): an access is trusted for ACCESS_TTL seconds at most, so a unit moved in the tree takes
effect for a running scanner within that time. Everything else takes effect on the next scan.

A scan that admits no one writes only its log row; the function lets that commit go without waiting for the
disk (synchronous_commit off for its own transaction). A crash of the database server could lose the last
moments of such rows, never a check-in, which commits durably.

A nonce seen before raises the scan log's unique violation (nothing is written): the careful path answers with
the first answer. events.lane asks a TokenScanner in front of the app; what it returns None for goes on to the
app's view.
"""
from __future__ import annotations

import itertools
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from datetime import UTC
from typing import NamedTuple

import psycopg
from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _
from psycopg.adapt import PyFormat, Transformer
from psycopg.pq import DiagnosticField, ExecStatus

from accounts import tokens as token_auth
from accounts.services import TOKEN_TOUCH_INTERVAL
from core.db import ConnectionsBusy, SharedConnections, utcnow
from core.extensions import db
from core.i18n import babel_locale
from core.permissions import can
from core.security import error_body
from events import checkin as checkin_rules
from events import services

_ACCESS_SQL = f"""
SELECT e.id, e.organisation_id, e.checkin_opens_minutes, e.status, principal.*, principal.grants::text
  FROM (SELECT 1) AS one
  LEFT JOIN events e ON e.id = %(event_id)s
  LEFT JOIN ({token_auth.PRINCIPAL_SQL}) AS principal ON true
"""

# events_checkin_scan's arguments in order; the last three are constants of the rules, written into the statement
SCAN_ARGUMENTS = ("token_hash", "grants", "event_id", "organisation_id", "code", "raw_code", "gate", "nonce",
                  "scanned_at", "device", "head_count", "session_id", "now")


def _interval(delta) -> str:
    return f"'{delta.total_seconds():g} seconds'::interval"


PREPARED_SCAN_SQL = (
    f"SELECT * FROM events_checkin_scan({', '.join(f'${n}' for n in range(1, len(SCAN_ARGUMENTS) + 1))}, "
    f"{_interval(checkin_rules.MAX_CLOCK_SKEW)}, {services.MAX_HEAD_COUNT:d}, {_interval(TOKEN_TOUCH_INTERVAL)})")
PREPARED_SCAN_NAME = b"kc_events_checkin_scan"
_TEXT_PARAMS = [PyFormat.TEXT] * len(SCAN_ARGUMENTS)


NONCE_CONSTRAINT = "uq_event_scan_log_nonce"
ACCESS_TTL = 60.0
CONNECTION_WAIT = 2.0  # seconds a scan waits for a shared connection before the careful path takes it
STALE = "stale"


class Access(NamedTuple):
    """An allowed (token, event): the user's grants as the database spells them and the event's organisation,
    which the scan statement compares, and when it was decided (time.monotonic)."""

    grants: str | None
    organisation_id: int
    decided_at: float


class AccessCache:
    """Allowed accesses by (token hash, event id), the most recent `size` of them, each for ACCESS_TTL seconds."""

    def __init__(self, size: int = 4096):
        self.size = size
        self.entries: OrderedDict[tuple[str, int], Access] = OrderedDict()

    def get(self, key: tuple[str, int]) -> Access | None:
        access = self.entries.get(key)
        if access is None or time.monotonic() - access.decided_at > ACCESS_TTL:
            return None
        return access

    def put(self, key: tuple[str, int], access: Access) -> None:
        self.entries[key] = access
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)

    def forget(self, key: tuple[str, int]) -> None:
        self.entries.pop(key, None)


ACCESS = AccessCache()


def unknown_event_answer() -> tuple[dict, int]:
    return {"status": "not_found", "message": _("Unknown event."), "attendee": None}, 404


def check_access(connection, event_id: int, token_hash: str) -> tuple[Access | None, tuple[dict, int] | None]:
    """(access, None) when the token's owner may check in at the event, else (None, the refusal)."""
    row = connection.execute(_ACCESS_SQL, {"event_id": event_id, "token_hash": token_hash}).fetchone()
    if row[0] is None:
        return None, unknown_event_answer()
    principal = token_auth.principal_from_columns(row[4:4 + token_auth.PRINCIPAL_COLUMNS])
    if principal is None:
        return None, (error_body(401, _("The API token is malformed, revoked or unknown."), code="invalid_token"), 401)
    if not can("event.checkin", services.CheckinEvent(*row[:4]), user=principal):
        return None, (error_body(403), 403)
    return Access(row[-1], row[1], time.monotonic()), None


def scan(connection, access: Access, args: dict, token_hash: str, code: str | None):
    """Run events_checkin_scan: (its row, the parameters), the row None when the nonce was seen before (nothing
    written)."""
    raw, gate, nonce, device = services.scan_columns(args["code"], args["gate"], args["nonce"], args["device"])
    params = {"token_hash": token_hash, "grants": access.grants, "event_id": args["event_id"],
              "organisation_id": access.organisation_id, "code": code, "raw_code": raw, "gate": gate,
              "nonce": nonce, "scanned_at": args["scanned_at"], "device": device, "head_count": args["head_count"],
              "session_id": args["session_id"], "now": utcnow()}
    try:
        return run_prepared_scan(connection, [params[name] for name in SCAN_ARGUMENTS]), params
    except psycopg.errors.UniqueViolation as exc:
        if exc.diag.constraint_name == NONCE_CONSTRAINT:
            return None, params
        raise


class _PreparedScan(NamedTuple):
    name: bytes  # the statement's name on this connection's server session
    transformer: Transformer  # the connection's adapters: dumps the arguments, loads the row (psycopg's C code)


_PREPARED_ATTRIBUTE = "kechuang_prepared_scan"  # kept on the connection itself, so it goes when the connection goes
_generations = itertools.count(1)


def run_prepared_scan(connection: psycopg.Connection, values: list):
    """events_checkin_scan's row for `values` (SCAN_ARGUMENTS' order), through libpq directly (psycopg.pq): the
    statement is prepared once per connection, then each scan is one PQexecPrepared with its arguments dumped and
    its row loaded by the connection's own adapters, as psycopg's execute would, without the cursor's machinery
    around them (about half the client's CPU per scan; the GIL is released while libpq waits). The connection must
    be in autocommit (core.db.SharedConnections): the statement is its own transaction. Errors are psycopg's own
    classes, as execute raises them.

    A statement the server no longer holds as prepared (DEALLOCATE ALL, DISCARD ALL) or whose result's shape
    changed (the function replaced by a migration while the process ran) is prepared again, under a new name, and
    run once more: the failed run wrote nothing."""
    for attempt in range(2):
        prepared = getattr(connection, _PREPARED_ATTRIBUTE, None)
        if prepared is None:
            prepared = _prepare_scan(connection)
        result = connection.pgconn.exec_prepared(prepared.name,
                                                 prepared.transformer.dump_sequence(values, _TEXT_PARAMS))
        if result.status == ExecStatus.TUPLES_OK:
            prepared.transformer.set_pgresult(result)
            return prepared.transformer.load_row(0, tuple)
        error = _error(connection, result)
        if attempt or not isinstance(error, (psycopg.errors.InvalidSqlStatementName,
                                             psycopg.errors.FeatureNotSupported)):  # "must not change result type"
            raise error
        setattr(connection, _PREPARED_ATTRIBUTE, None)
    raise AssertionError("unreachable")  # the second attempt returned or raised


def _prepare_scan(connection: psycopg.Connection) -> _PreparedScan:
    name = b"%s_%d" % (PREPARED_SCAN_NAME, next(_generations))
    result = connection.pgconn.prepare(name, PREPARED_SCAN_SQL.encode())
    if result.status != ExecStatus.COMMAND_OK:
        raise _error(connection, result)
    prepared = _PreparedScan(name, Transformer.from_context(connection))
    setattr(connection, _PREPARED_ATTRIBUTE, prepared)
    return prepared


def _error(connection: psycopg.Connection, result) -> psycopg.Error:
    """psycopg's error for a failed result: the server's own when it sent one, else the connection's."""
    if result.error_field(DiagnosticField.SQLSTATE) is not None:
        return psycopg.errors.error_from_result(result, encoding=connection.info.encoding)
    message = connection.pgconn.error_message.decode(errors="replace").strip()
    return psycopg.OperationalError(message or "the connection to the database was lost")


def answer(row, args: dict, access: Access, params: dict, text: services.ScanText) -> tuple[dict, int]:
    """The body and status of a scan events_checkin_scan stored, from the row it returned, told in `text`."""
    outcome = row[0]
    event = services.CheckinEvent(args["event_id"], access.organisation_id, row[2], row[3])
    ticket = prior = checkin = None
    if row[4] is not None:
        ticket_row = list(row[4:20])
        for index in (11, 12, 14):  # session start/end, earlier check-in: UTC as UTCDateTime gives them
            if ticket_row[index] is not None:
                ticket_row[index] = ticket_row[index].astimezone(UTC)
        ticket, prior = services.scanned_ticket_from_row(ticket_row)
    if outcome == checkin_rules.CHECKED_IN:
        checkin = {"checked_in_at": params["now"], "gate": params["gate"], "head_count": row[20]}
    decision = checkin_rules.Decision(outcome, prior if outcome == checkin_rules.ALREADY_CHECKED_IN else None)
    return services.scan_body(decision, ticket, event, checkin, text), decision.http_status


class TokenScanner:
    """Token scans of one app in this process (events.lane holds one): a few connections its threads share
    (core.db.SharedConnections, CHECKIN_DB_CONNECTIONS of them), the answers' words per language (services.ScanText,
    built once), and the accesses remembered in ACCESS. A scan of a remembered access needs neither an app context
    nor a request context. A scan that waits CONNECTION_WAIT seconds for a connection goes to the careful path."""

    def __init__(self, app: Flask):
        self.app = app
        self.connections: SharedConnections | None = None
        self.lock = threading.Lock()
        self.texts: dict[str, services.ScanText] = {}

    def scan(self, args: dict, token_hash: str, locale_name: str) -> tuple[dict, int] | None:
        """A token scanner's check-in (`args`: the API's CheckinArgs), answered in `locale_name`: (body, status),
        refusals of access included, or None when the careful path must answer (a nonce seen before, or access
        changing under the scan twice). None means nothing was written, so the careful path may start over with
        the same request. A connection is held only while a statement runs."""
        code = services.parse_code_or_none(args["code"])
        key = (token_hash, args["event_id"])
        connections = self._connections()
        try:
            for _attempt in range(2):
                access = ACCESS.get(key)
                if access is None:
                    with self._context(locale_name), connections.connection(CONNECTION_WAIT) as connection:
                        access, refusal = check_access(connection, args["event_id"], token_hash)
                    if refusal is not None:
                        return refusal
                    ACCESS.put(key, access)
                with connections.connection(CONNECTION_WAIT) as connection:
                    row, params = scan(connection, access, args, token_hash, code)
                if row is None:
                    return None
                if row[0] != STALE:
                    return answer(row, args, access, params, self._text(locale_name))
                ACCESS.forget(key)
        except ConnectionsBusy:  # a statement stuck on the shared connection: the app's own pool answers meanwhile
            return None
        return None

    def _connections(self) -> SharedConnections:
        if self.connections is None:
            with self.lock:  # two threads' first scans: one set of connections
                if self.connections is None:
                    with self.app.app_context():
                        self.connections = SharedConnections(db.engine, self.app.config["CHECKIN_DB_CONNECTIONS"])
        return self.connections

    def _text(self, locale_name: str) -> services.ScanText:
        text = self.texts.get(locale_name)
        if text is None:
            with self._context(locale_name):
                text = self.texts[locale_name] = services.scan_text()
        return text

    @contextmanager
    def _context(self, locale_name: str):
        """An app context speaking `locale_name`: what deciding access and building the words need."""
        with self.app.app_context(), force_locale(babel_locale(locale_name)):
            yield
