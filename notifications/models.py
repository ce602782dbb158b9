"""Messages (one row per recipient and channel), preferences and one-time codes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime, utcnow
from core.extensions import db


class Channel(StrEnum):
    INBOX = "inbox"  # in-app, every account
    EMAIL = "email"
    SMS = "sms"


class MessageStatus(StrEnum):
    QUEUED = "queued"  # waiting for the sending job
    SENDING = "sending"  # claimed by a job; never claimed again (a crash here is not retried: no duplicates)
    SENT = "sent"  # handed to the SMTP server / SMS gateway, or stored in the inbox
    OUTBOX = "outbox"  # no mail server / SMS gateway configured: kept for administrators to read
    FAILED = "failed"  # the server's reason in `error`; retried until MAX_ATTEMPTS, then resendable by hand
    SKIPPED = "skipped"  # the recipient turned this kind off, or the rate limit held it back


class Message(db.Model):
    """One message to one recipient on one channel. `key` is unique: a retried job or a repeated trigger
    with the same key never creates (or sends) a second message."""

    __tablename__ = "notification_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(200), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(80), nullable=False, index=True)
    channel: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    address: Mapped[str] = mapped_column(sa.String(254), default="", nullable=False, index=True)
    language: Mapped[str] = mapped_column(sa.String(10), default="zh_CN", nullable=False)
    subject: Mapped[str] = mapped_column(sa.String(300), default="", nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    html: Mapped[str | None] = mapped_column(sa.Text)
    link: Mapped[str] = mapped_column(sa.String(500), default="", nullable=False)
    bulk: Mapped[bool] = mapped_column(default=False, nullable=False)
    organisation_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)  # whose organisers see it
    status: Mapped[str] = mapped_column(sa.String(10), default=MessageStatus.QUEUED, nullable=False, index=True)
    attempts: Mapped[int] = mapped_column(default=0, nullable=False)
    error: Mapped[str] = mapped_column(sa.String(1000), default="", nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False, index=True)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.CheckConstraint("channel IN ('inbox','email','sms')", name="channel"),
        sa.CheckConstraint("status IN ('queued','sending','sent','outbox','failed','skipped')", name="status"),
        sa.Index("ix_notification_messages_inbox", "user_id", "channel", "read_at"),
    )

    @property
    def audit_organisation_id(self) -> int | None:
        return self.organisation_id


class Preference(db.Model):
    """A recipient's choice for one kind on one channel (only choices that differ from the default are kept).

    `subject` is "user:<id>" for an account, "email:<address>" or "sms:<mobile>" for a visitor who unsubscribed."""

    __tablename__ = "notification_preferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(sa.String(260), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    channel: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    enabled: Mapped[bool] = mapped_column(nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False)

    __table_args__ = (sa.UniqueConstraint("subject", "kind", "channel"),)


class OneTimeCode(db.Model):
    """A short-lived, single-use code sent to a phone or an email address (ticket recovery). Only its hash is
    kept; `attempts` counts wrong guesses, and the code dies after a few."""

    __tablename__ = "notification_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    address: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    code_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0, nullable=False)

    __table_args__ = (sa.Index("ix_notification_codes_lookup", "purpose", "address"),)
