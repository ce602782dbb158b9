"""The scanners' lane: POST /api/v1/checkins from a token-bearing scanner, answered in front of the app.

Gate scanners send a scan a second at busy doors and many gates share one server, so this one call is the
platform's hottest. A full pass through the app costs more than the check-in itself (routing, the
before/after-request hooks, the session, Flask-Login, the Response object); this WSGI middleware answers the
common case without them and leaves everything else to the app, untouched:

- It takes only POST /api/v1/checkins with `Authorization: Bearer …`, no session cookie and a JSON body with
  a Content-Length, on PostgreSQL. Any other request goes straight to the app.
- It checks what the app would: the body by the API's own schema (events.api.CheckinArgs; the usual shape is
  checked in plain Python by events.api.plain_checkin_args, which a test holds to the schema), the token and
  the `event.checkin` rule (core.permissions) on its owner. It answers in the language the app would choose
  for this API call (core.i18n.api_locale_name: Accept-Language, as no UI session can be present).
- It needs no request context (no request object, session or login). An app context is pushed only to decide
  an access fastscan does not remember yet, to build a language's words once, or to run the schema; a scan of
  a remembered access runs on one of the process's shared connections (events.fastscan.TokenScanner) with no
  context.
- It gives the answers events.fastscan gives: a stored scan (201/200/404/409) or a refusal of access (an
  unknown event 404, an invalid token 401, no check-in right 403). What fastscan leaves to the careful path
  (a nonce seen before) and a body the schema refuses go on to the app with the body restored: nothing was
  written, so the app answers as if the lane were not there (the first answer to the nonce, or 422).
- Its answers carry the app's security headers (core.security.security_headers).
"""
from __future__ import annotations

import io
import json

from flask import Flask
from marshmallow import ValidationError
from werkzeug.http import HTTP_STATUS_CODES

from accounts import tokens as token_auth
from core.i18n import api_locale_name
from core.security import security_headers
from events.api import CHECKIN_ARGS, plain_checkin_args
from events.fastscan import TokenScanner

PATH = "/api/v1/checkins"
MAX_BODY = 4096  # a scan is ~150 bytes; anything bigger is left to the app (and its limits)


class CheckinLane:
    """WSGI middleware in front of `app.wsgi_app`; see the module's docstring."""

    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self.cookie_name = app.config.get("SESSION_COOKIE_NAME", "session")
        self.enabled = str(app.config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql")
        self.scanner = TokenScanner(app)

    def __call__(self, environ, start_response):
        if not (self.enabled and environ.get("PATH_INFO") == PATH and environ.get("REQUEST_METHOD") == "POST"
                and environ.get("HTTP_AUTHORIZATION", "").startswith("Bearer ")
                and self.cookie_name + "=" not in environ.get("HTTP_COOKIE", "")):
            return self.wsgi_app(environ, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or -1)
        except ValueError:
            length = -1
        if not 0 < length <= MAX_BODY:
            return self.wsgi_app(environ, start_response)
        body = environ["wsgi.input"].read(length)
        answer = self._answer(environ, body)
        if answer is None:
            environ["wsgi.input"] = io.BytesIO(body)
            return self.wsgi_app(environ, start_response)
        status, payload = answer
        start_response(f"{status} {HTTP_STATUS_CODES[status].upper()}",  # as werkzeug spells it
                       [*security_headers(self.app), ("Content-Type", "application/json"),
                        ("Content-Length", str(len(payload)))])
        return [payload]

    def _answer(self, environ, body: bytes) -> tuple[int, bytes] | None:
        """(status, JSON) for a scan the lane stored, or None: the app answers."""
        try:
            payload = json.loads(body)
        except ValueError:
            return None
        if not isinstance(payload, dict):
            return None
        token_hash = token_auth.bearer_token_hash(environ.get("HTTP_AUTHORIZATION"))
        if token_hash is None:
            return None
        args = plain_checkin_args(payload)
        if args is None:  # not the usual shape: the API's schema judges it, as the app would
            with self.app.app_context():
                try:
                    args = CHECKIN_ARGS.load(payload)
                except ValidationError:
                    return None
        answer = self.scanner.scan(args, token_hash, api_locale_name(environ.get("HTTP_ACCEPT_LANGUAGE", "")))
        if answer is None:
            return None
        body, status = answer
        return status, self.app.json.dumps(body, separators=(",", ":")).encode() + b"\n"


def install(app: Flask) -> None:
    """Put the lane in front of the app (outermost, so a proxy fix behind it still serves the app)."""
    app.wsgi_app = CheckinLane(app, app.wsgi_app)
