"""How a message leaves: email through SMTP (Flask-Mailman), SMS through a provider, or the outbox when the
channel has no settings. A provider or server that refuses raises DeliveryError with its reason."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable

from flask import current_app
from flask_mailman import EmailMultiAlternatives

from notifications.models import Channel, Message


class DeliveryError(Exception):
    """The server or gateway refused or could not be reached; the text is its reason, shown to organisers."""


def channel_configured(channel: str) -> bool:
    """Email needs MAIL_SERVER; SMS needs SMS_PROVIDER (and its settings). Without them: the outbox."""
    config = current_app.config
    if channel == Channel.EMAIL:
        return bool(config.get("MAIL_SERVER"))
    if channel == Channel.SMS:
        return bool(config.get("SMS_PROVIDER"))
    return True


# --- email -----------------------------------------------------------------------------------------------


class EmailSender:
    """One SMTP connection for a batch of messages (opened on the first message, closed by close())."""

    def __init__(self):
        config = current_app.config
        mail = current_app.extensions["mailman"]
        self.sender = config.get("MAIL_DEFAULT_SENDER") or "kechuang@localhost"
        self.connection = mail.get_connection(
            backend="smtp",
            fail_silently=False,
            host=config["MAIL_SERVER"],
            port=int(config.get("MAIL_PORT") or 25),
            username=config.get("MAIL_USERNAME") or "",
            password=config.get("MAIL_PASSWORD") or "",
            use_tls=bool(config.get("MAIL_USE_TLS")),
            use_ssl=bool(config.get("MAIL_USE_SSL")),
            timeout=int(config.get("MAIL_TIMEOUT") or 20),
        )
        self.opened = False

    def send(self, message: Message, unsubscribe_url: str | None) -> str:
        headers = {"X-Kechuang-Message": message.key}
        if unsubscribe_url:
            headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body,
            from_email=self.sender,
            to=[message.address],
            headers=headers,
            connection=self.connection,
        )
        if message.html:
            email.attach_alternative(message.html, "text/html")
        try:
            if not self.opened:
                self.connection.open()
                self.opened = True
            sent = email.send()
        except Exception as exc:  # smtplib's refusals and socket errors alike: the reason is kept
            self.close()
            raise DeliveryError(_reason(exc)) from exc
        if sent != 1:
            raise DeliveryError("the SMTP server did not accept the message")
        return ""

    def close(self) -> None:
        if self.opened:
            try:
                self.connection.close()
            finally:
                self.opened = False


def _reason(exc: Exception) -> str:
    code = getattr(exc, "smtp_code", None)
    text = getattr(exc, "smtp_error", None)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    recipients = getattr(exc, "recipients", None)
    if recipients and isinstance(recipients, dict):
        code, text = next(iter(recipients.values()))
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    if code:
        return f"{code} {text}"[:1000]
    return f"{type(exc).__name__}: {exc}"[:1000]


# --- SMS -------------------------------------------------------------------------------------------------


class SmsProvider:
    """What an SMS provider does: send one text to one mainland mobile number, return the provider's id."""

    def send(self, mobile: str, text: str) -> str:
        raise NotImplementedError


def sign_gateway_request(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", hex: what the gateway recomputes to trust a request."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class HttpGatewayProvider(SmsProvider):
    """The common way a 科协 reaches its existing SMS service: a signed JSON POST to a gateway URL.

    Body {"mobile", "text", "nonce"}; headers X-Kechuang-Timestamp and X-Kechuang-Signature
    (sign_gateway_request). A 2xx answer is success (its JSON "id", if any, is the provider's id); anything else
    is a failure whose reason is the gateway's answer."""

    def __init__(self, url: str, secret: str, timeout: float = 10):
        if not url or not secret:
            raise DeliveryError("SMS_GATEWAY_URL and SMS_GATEWAY_SECRET must be set for the http SMS provider")
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise DeliveryError("SMS_GATEWAY_URL must be an http:// or https:// address")
        self.url, self.secret, self.timeout = url, secret, timeout

    def send(self, mobile: str, text: str) -> str:
        body = json.dumps({"mobile": mobile, "text": text, "nonce": secrets.token_hex(8)}, ensure_ascii=False).encode()
        timestamp = str(int(time.time()))
        # The URL is the operator's SMS_GATEWAY_URL, held to http(s) in __init__.
        request = urllib.request.Request(  # noqa: S310
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-Kechuang-Timestamp": timestamp,
                "X-Kechuang-Signature": sign_gateway_request(self.secret, timestamp, body),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 — http(s) only, see __init__
                answer = response.read(4096)
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"{exc.code} {exc.read(500).decode('utf-8', 'replace')}".strip()) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}") from exc
        try:
            return str(json.loads(answer or b"{}").get("id") or "")
        except (ValueError, AttributeError):
            return ""


# Providers by the name SMS_PROVIDER gives; the big Chinese providers register here when they come.
SMS_PROVIDERS: dict[str, Callable[[dict], SmsProvider]] = {
    "http": lambda config: HttpGatewayProvider(
        config.get("SMS_GATEWAY_URL") or "",
        config.get("SMS_GATEWAY_SECRET") or "",
        float(config.get("SMS_GATEWAY_TIMEOUT") or 10),
    ),
}


def sms_provider() -> SmsProvider:
    name = current_app.config.get("SMS_PROVIDER")
    factory = SMS_PROVIDERS.get(name)
    if factory is None:
        raise DeliveryError(f"unknown SMS provider {name!r}")
    return factory(current_app.config)
