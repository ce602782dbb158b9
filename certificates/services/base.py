"""Labels and tokens shared by the certificate services: kinds and statuses, verification tokens and URLs.

Every state change flushes and never commits; views, API, CLI and jobs commit.
"""

from __future__ import annotations

import re
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l

TOKEN_BYTES = 24  # 192 bits, URL-safe base64: 32 characters
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
KIND_LABELS = {
    "award": _l("Award certificate"),
    "participation": _l("Participation certificate"),
    "advisor": _l("Outstanding advisor"),
    "organisation": _l("Outstanding organising unit"),
    "attendance": _l("Event attendance"),
}
STATUS_LABELS = {"valid": _l("Valid"), "revoked": _l("Revoked"), "superseded": _l("Superseded")}


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def verify_url(token: str) -> str:
    """What the QR code holds: <BASE_URL>/v/<token>."""
    return current_app.config["BASE_URL"].rstrip("/") + "/v/" + token


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))
