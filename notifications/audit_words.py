"""The notifications area's words for the audit log page (core.audit.describe): messages and announcements."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


def describe_audit() -> None:
    from core import audit
    from notifications.forms import CHANNEL_CHOICES

    audit.describe(
        objects={"notification_messages": _l("Notification")},
        actions={"resend": _l("sent again"), "announce": _l("sent an announcement")},
        fields={"subject": _l("Subject"), "recipients": _l("Recipients"), "channels": _l("Channels")},
        values={("channels", key): label for key, label in CHANNEL_CHOICES},
    )
