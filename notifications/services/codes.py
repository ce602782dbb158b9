"""One-time codes sent to an address (a visitor finding their tickets again): six digits, ten minutes, five
guesses, five an hour; only an HMAC of the code is stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from core.db import utcnow
from core.extensions import db
from notifications.models import OneTimeCode

CODE_LIFETIME = timedelta(minutes=10)


CODE_TRIES = 5


CODES_PER_HOUR = 5


def _code_hash(purpose: str, address: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}|{address}|{code}".encode(), hashlib.sha256).hexdigest()


def issue_code(purpose: str, address: str, now: datetime | None = None) -> str | None:
    """A new 6-digit code for address (earlier ones die), or None when CODES_PER_HOUR were issued already.
    Only an HMAC of the code is stored."""
    now = now or utcnow()
    recent = (
        db.session.execute(
            sa.select(sa.func.count(OneTimeCode.id)).where(
                OneTimeCode.purpose == purpose,
                OneTimeCode.address == address,
                OneTimeCode.created_at >= now - timedelta(hours=1),
            )
        ).scalar()
        or 0
    )
    if recent >= CODES_PER_HOUR:
        return None
    db.session.execute(
        sa.update(OneTimeCode)
        .where(OneTimeCode.purpose == purpose, OneTimeCode.address == address, OneTimeCode.used_at.is_(None))
        .values(used_at=now)
    )
    code = f"{secrets.randbelow(10**6):06d}"
    db.session.add(
        OneTimeCode(
            purpose=purpose,
            address=address,
            code_hash=_code_hash(purpose, address, code),
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
    )
    db.session.flush()
    return code


def redeem_code(purpose: str, address: str, code: str, now: datetime | None = None) -> bool:
    """True once for the latest live code of address; a wrong guess counts, and CODE_TRIES guesses kill it."""
    now = now or utcnow()
    row = db.session.execute(
        sa.select(OneTimeCode)
        .where(
            OneTimeCode.purpose == purpose,
            OneTimeCode.address == address,
            OneTimeCode.used_at.is_(None),
            OneTimeCode.expires_at > now,
        )
        .order_by(OneTimeCode.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if row is None or row.attempts >= CODE_TRIES:
        return False
    if not hmac.compare_digest(row.code_hash, _code_hash(purpose, address, (code or "").strip())):
        row.attempts += 1
        db.session.flush()
        return False
    spent = db.session.execute(
        sa.update(OneTimeCode).where(OneTimeCode.id == row.id, OneTimeCode.used_at.is_(None)).values(used_at=now)
    )
    return spent.rowcount == 1
