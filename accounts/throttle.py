"""Login limits: failed attempts counted per account and per address, in a store every worker shares.

Two limits, both on failures only (a successful login costs nothing): a strict one per account (what a password
guesser hits) and a looser one per address (a venue's judges behind one NAT share an address, and one judge's
typos must not lock the others out). Unknown logins are counted like known ones, so the answer tells nothing
about which accounts exist.

The store is Redis when REDIS_URL is set (the `limits` library's moving window, the same library Flask-Limiter
uses), otherwise the database table login_failures. Never a worker's memory: two workers would allow twice the
attempts.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from limits import RateLimitItem, parse

from accounts.models import LoginFailure
from core.db import utcnow
from core.extensions import db

ACCOUNT = "account"
ADDRESS = "ip"


class DatabaseStore:
    """Failed attempts as rows of login_failures, counted in the window; old rows are pruned as new ones come."""

    def blocked(self, kind: str, key: str, limit: RateLimitItem) -> bool:
        column = LoginFailure.login if kind == ACCOUNT else LoginFailure.ip
        since = utcnow() - timedelta(seconds=limit.get_expiry())
        count = db.session.execute(
            sa.select(sa.func.count(LoginFailure.id)).where(column == key, LoginFailure.at > since)
        ).scalar_one()
        return count >= limit.amount

    def record(self, login: str, ip: str, longest: timedelta) -> None:
        db.session.execute(sa.delete(LoginFailure).where(LoginFailure.at < utcnow() - longest))
        db.session.add(LoginFailure(login=login, ip=ip))
        db.session.flush()

    def clear(self, login: str, limit: RateLimitItem) -> None:
        db.session.execute(sa.delete(LoginFailure).where(LoginFailure.login == login))
        db.session.flush()


class RedisStore:
    """The same counts in Redis, through limits' moving window (one sorted set per key)."""

    def __init__(self, url: str, prefix: str = "kechuang-login"):
        from limits.storage import storage_from_string
        from limits.strategies import MovingWindowRateLimiter

        self.window = MovingWindowRateLimiter(storage_from_string(url, key_prefix=prefix))

    def blocked(self, kind: str, key: str, limit: RateLimitItem) -> bool:
        return not self.window.test(limit, kind, key)

    def record(self, login: str, ip: str, longest: timedelta) -> None:
        for kind, key, limit in _limits(login, ip):
            self.window.hit(limit, kind, key)

    def clear(self, login: str, limit: RateLimitItem) -> None:
        self.window.clear(limit, ACCOUNT, login)


def _store():
    app = current_app._get_current_object()
    store = app.extensions.get("login_throttle")
    if store is None:
        url = app.config.get("REDIS_URL")
        store = app.extensions["login_throttle"] = RedisStore(url) if url else DatabaseStore()
    return store


def _limits(login: str, ip: str) -> list[tuple[str, str, RateLimitItem]]:
    return [
        (ACCOUNT, login, parse(current_app.config["LOGIN_FAILURES_PER_ACCOUNT"])),
        (ADDRESS, ip, parse(current_app.config["LOGIN_FAILURES_PER_IP"])),
    ]


def login_blocked(login: str, ip: str) -> tuple[str, int] | None:
    """(ACCOUNT or ADDRESS, minutes of the window) when that limit of failed attempts is reached, else None."""
    store = _store()
    for kind, key, limit in _limits(login, ip):
        if store.blocked(kind, key, limit):
            return kind, max(1, limit.get_expiry() // 60)
    return None


def record_login_failure(login: str, ip: str) -> None:
    """Count one failed attempt against the account and the address."""
    longest = max(limit.get_expiry() for _kind, _key, limit in _limits(login, ip))
    _store().record(login, ip, timedelta(seconds=longest))


def clear_login_failures(login: str) -> None:
    """A successful login forgets the account's failures (the address keeps its count)."""
    _store().clear(login, _limits(login, "")[0][2])
