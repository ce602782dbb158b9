"""Reading messages: a user's inbox (unread count, marking read), the outbox of email and SMS an organiser may
read with its counts by status, and the names of channels and statuses."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from accounts.models import User
from core.db import utcnow
from core.extensions import db
from notifications.models import Channel, Message, MessageStatus


def inbox_query(user: User):
    return (
        sa.select(Message)
        .where(Message.user_id == user.id, Message.channel == Channel.INBOX)
        .order_by(Message.created_at.desc(), Message.id.desc())
    )


def unread_count(user: User) -> int:
    return (
        db.session.execute(
            sa.select(sa.func.count(Message.id)).where(
                Message.user_id == user.id, Message.channel == Channel.INBOX, Message.read_at.is_(None)
            )
        ).scalar()
        or 0
    )


def mark_read(user: User, message_ids: Iterable[int] | None = None) -> int:
    """Mark the user's inbox messages read (all of them when message_ids is None); returns how many."""
    statement = sa.update(Message).where(
        Message.user_id == user.id, Message.channel == Channel.INBOX, Message.read_at.is_(None)
    )
    if message_ids is not None:
        statement = statement.where(Message.id.in_(list(message_ids)))
    return db.session.execute(statement.values(read_at=utcnow())).rowcount


def outbox_query(user: User, status: str | None = None, kind: str | None = None):
    """Email and SMS messages the user may read: all for an administrator, their units' for an organiser."""
    from core.permissions import is_admin

    query = sa.select(Message).where(Message.channel != Channel.INBOX).order_by(Message.id.desc())
    if not is_admin(user):
        query = query.where(Message.organisation_id.in_(sorted(user.organised_org_ids()) or [-1]))
    if status:
        query = query.where(Message.status == status)
    if kind:
        query = query.where(Message.kind == kind)
    return query


def status_counts(user: User) -> dict[str, int]:
    rows = db.session.execute(
        outbox_query(user).with_only_columns(Message.status, sa.func.count()).group_by(Message.status).order_by(None)
    ).all()
    return {status: n for status, n in rows}


def describe_channel(channel: str) -> Any:
    return {Channel.INBOX: _l("In the platform"), Channel.EMAIL: _l("Email"), Channel.SMS: _l("SMS")}[channel]


def describe_status(status: str) -> Any:
    return {
        MessageStatus.QUEUED: _l("Queued"),
        MessageStatus.SENDING: _l("Sending"),
        MessageStatus.SENT: _l("Sent"),
        MessageStatus.OUTBOX: _l("In the outbox (not sent)"),
        MessageStatus.FAILED: _l("Failed"),
        MessageStatus.SKIPPED: _l("Skipped"),
    }[status]
