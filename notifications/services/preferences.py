"""What a recipient turned off: preferences per kind and channel, and the signed one-click unsubscribe link of a
bulk email (no database row: an HMAC of the secret key)."""

from __future__ import annotations

import base64
import hashlib
import hmac

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from core.errors import DomainError
from core.extensions import db
from notifications.kinds import get_kind
from notifications.models import Channel, Preference
from notifications.services.rendering import absolute_url


def _unsubscribe_signature(payload: str) -> str:
    key = hashlib.sha256(b"notifications.unsubscribe|" + current_app.config["SECRET_KEY"].encode()).digest()
    return base64.urlsafe_b64encode(hmac.new(key, payload.encode(), hashlib.sha256).digest()[:18]).decode()


def unsubscribe_url(subject: str, kind: str) -> str:
    """The one-click unsubscribe link of a bulk email: the (subject, kind) it turns off, signed with an HMAC of
    the secret key (no database row; a plain HMAC because 5,000 of them are made in one go)."""
    payload = base64.urlsafe_b64encode(f"{subject}\n{kind}".encode()).decode().rstrip("=")
    return absolute_url(f"/notifications/unsubscribe/{payload}.{_unsubscribe_signature(payload)}")


def read_unsubscribe_token(token: str) -> tuple[str, str] | None:
    payload, _, signature = (token or "").partition(".")
    if not payload or not hmac.compare_digest(signature, _unsubscribe_signature(payload)):
        return None
    try:
        subject, kind = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode().split("\n")
    except ValueError:
        return None
    return subject, kind


def preferences_of(subject: str) -> dict[tuple[str, str], bool]:
    rows = db.session.execute(sa.select(Preference).where(Preference.subject == subject)).scalars()
    return {(p.kind, p.channel): p.enabled for p in rows}


def set_preference(subject: str, kind: str, channel: str, enabled: bool) -> None:
    """Turn a channel of a kind on or off for a recipient; security kinds cannot be turned off."""
    message_kind = get_kind(kind)
    if message_kind.security:
        raise DomainError(_l("Security messages are always sent."), code="security")
    if channel not in set(Channel):
        raise DomainError(_l("Unknown channel."), field="channel")
    row = db.session.execute(
        sa.select(Preference).where(
            Preference.subject == subject, Preference.kind == kind, Preference.channel == channel
        )
    ).scalar_one_or_none()
    if row is None:
        db.session.add(Preference(subject=subject, kind=kind, channel=channel, enabled=enabled))
    else:
        row.enabled = enabled
    db.session.flush()
