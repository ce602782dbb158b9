"""The organiser's "needs me now" item of the notifications area: messages that could not be delivered."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from core.permissions import is_admin, is_organiser
from core.ui import Attention


def attention(user) -> list[Attention]:
    from notifications.models import MessageStatus
    from notifications.services.inbox import status_counts

    if not (is_admin(user) or is_organiser(user)):
        return []
    failed = status_counts(user).get(MessageStatus.FAILED, 0)
    if not failed:
        return []
    return [
        Attention(
            40,
            _l("Messages not delivered"),
            url_for("notifications.outbox", status=MessageStatus.FAILED),
            failed,
            "failed",
        )
    ]
