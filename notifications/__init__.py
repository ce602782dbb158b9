"""Notifications: the in-app inbox, email (SMTP), SMS (provider interface), the outbox, preferences and the
sending jobs. Every area sends every message through one call:

    from notifications import notify, Contact
    notify(user_or_contact, "events.registration_confirmed", {"event": ..., "link": ...}, key=f"reg-confirmed:{id}")

and registers the kinds it sends with notifications.kinds.register_kind (in its own notifications.py)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def notify(recipient, kind: str, context: dict | None = None, **options):
    """See notifications.services.notify."""
    from notifications.services.sending import notify as _notify

    return _notify(recipient, kind, context, **options)


def notify_many(items, kind: str, **options):
    """See notifications.services.notify_many."""
    from notifications.services.sending import notify_many as _notify_many

    return _notify_many(items, kind, **options)


def __getattr__(name: str):
    if name == "Contact":
        from notifications.services.addresses import Contact

        return Contact
    raise AttributeError(name)


def init_app(app: Flask) -> None:
    from flask_mailman import Mail

    from core.permissions import is_admin, is_organiser
    from core.ui import add_nav
    from notifications import messages, models  # noqa: F401  (tables, the kinds of this area)
    from notifications.cli import notifications_cli
    from notifications.jobs import init_jobs
    from notifications.views import bp, inject_unread

    for key, value in {
        "MAIL_SERVER": None,
        "MAIL_PORT": 25,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_DEFAULT_SENDER": "kechuang@localhost",
        "MAIL_TIMEOUT": 20,
        "SMS_PROVIDER": None,
        "SMS_GATEWAY_URL": None,
        "SMS_GATEWAY_SECRET": None,
        "SMS_SIGNATURE": None,
    }.items():
        app.config.setdefault(key, value)
    Mail(app)
    init_jobs(app)
    from core.jobs import job_finished

    job_finished.connect(messages.tell_job_owner, sender=app, weak=False)
    app.register_blueprint(bp, url_prefix="/notifications")
    app.cli.add_command(notifications_cli)
    app.context_processor(inject_unread)
    add_nav(950, _l("Outbox"), "notifications.outbox", lambda u: is_admin(u) or is_organiser(u))
    from core.ui import add_attention
    from notifications.attention import attention

    add_attention(100, attention)  # the dashboard's "needs me now" panel
