"""A per-request cache for values computed from the database once per request (e.g. a user's organisations)."""

from __future__ import annotations

from flask import Flask, g, has_request_context

_KEY = "kechuang_request_cache"


def request_cache() -> dict:
    """A dict living for the current request (outside a request: a fresh dict each call, i.e. no caching)."""
    if not has_request_context():
        return {}
    if _KEY not in g:
        setattr(g, _KEY, {})
    return getattr(g, _KEY)


def reset_request_state() -> None:
    # In production each request has its own app context; tests reuse one, so start every request clean.
    from flask_babel import refresh

    g.pop(_KEY, None)
    g.pop("_login_user", None)
    refresh()


def init_cache(app: Flask) -> None:
    app.before_request(reset_request_state)
