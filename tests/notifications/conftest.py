"""Real parts for the notifications tests: an SMTP server (aiosmtpd) and a signed SMS gateway (http.server), both
on loopback ports in the test process. Nothing mocks the sending call."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from notifications.channels import sign_gateway_request

GATEWAY_SECRET = "gateway-secret-青溪"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """What the SMTP server received; `refuse` makes it answer 550 to RCPT for the addresses listed."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        return "250 Message accepted"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m["To"]]


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on a loopback port; the app's MAIL_* settings point at it for the test."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_DEFAULT_SENDER")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_DEFAULT_SENDER="青溪县科协 <kx@qingxi.example.cn>")
    mailbox.port = port
    try:
        yield mailbox
    finally:
        controller.stop()
        app.config.update(saved)


class Gateway:
    def __init__(self):
        self.received: list[dict] = []
        self.rejected = 0
        self.fail_with: int | None = None


@pytest.fixture
def sms_gateway(app):
    """A local HTTP SMS gateway that checks the HMAC signature of every request (401 when it is wrong)."""
    gateway = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            expected = sign_gateway_request(GATEWAY_SECRET, self.headers["X-Kechuang-Timestamp"], body)
            if self.headers.get("X-Kechuang-Signature") != expected:
                gateway.rejected += 1
                self._answer(401, {"error": "bad signature"})
            elif gateway.fail_with:
                self._answer(gateway.fail_with, {"error": "quota exceeded"})
            else:
                gateway.received.append(json.loads(body))
                self._answer(200, {"id": f"sms-{len(gateway.received)}"})

        def _answer(self, status, payload):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    saved = {k: app.config.get(k) for k in ("SMS_PROVIDER", "SMS_GATEWAY_URL", "SMS_GATEWAY_SECRET")}
    app.config.update(
        SMS_PROVIDER="http",
        SMS_GATEWAY_URL=f"http://127.0.0.1:{server.server_port}/send",
        SMS_GATEWAY_SECRET=GATEWAY_SECRET,
    )
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()
        app.config.update(saved)


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(("html",)).get_content()
