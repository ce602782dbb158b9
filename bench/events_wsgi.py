"""WSGI entry points for bench/events_checkin.py: the Kechuang app, and a bare Flask JSON endpoint as the
reference, both served by gunicorn with the same configuration."""

from __future__ import annotations

from flask import Flask, request


def _kechuang():
    from run import app  # the production entry point, as `gunicorn run:app` loads it

    return app


bare_app = Flask("bare")


@bare_app.post("/bare")
def bare():
    """Parse the same JSON body the check-in API gets and answer a small JSON object."""
    data = request.get_json(silent=True) or {}
    return {"status": "checked_in", "message": "ok", "code": data.get("code"), "attendee": None}, 201


def __getattr__(name):  # gunicorn imports `kechuang_app` lazily so the bare server never builds the full app
    if name == "kechuang_app":
        return _kechuang()
    raise AttributeError(name)
