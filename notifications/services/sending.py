"""Every message to a user goes through notify(): rendered in the recipient's language, stored once per channel
(the idempotency key is unique), then sent by a background job with retries (notifications.jobs): claiming
due messages, resending a failed one, finding those a lost queue message left behind. Functions flush, never
commit."""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from accounts.models import User
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from notifications.kinds import MessageKind, get_kind
from notifications.models import Channel, Message, MessageStatus, Preference
from notifications.services.addresses import Recipient, address_of, language_of, subject_of
from notifications.services.preferences import unsubscribe_url
from notifications.services.rendering import KindTexts, kind_texts, render_message, sms_signature

PENDING_KEY = "kechuang_notifications_to_send"


MAX_ATTEMPTS = 5


BACKOFF_SECONDS = (60, 300, 1800, 7200)  # after the 1st, 2nd, 3rd, 4th failure


CHUNK = 200  # messages per sending job


def notify(
    recipient: Recipient,
    kind: str,
    context: dict | None = None,
    *,
    key: str | None = None,
    organisation_id: int | None = None,
    channels: Sequence[str] | None = None,
) -> list[Message]:
    """Tell one recipient (an account, or a Contact for a visitor) that something happened; returns the messages
    created.

    The one call every area makes. One message per channel of the kind (or `channels`) that the recipient has an
    address for and has not turned off (security kinds are always sent); the rate limit of the kind holds back
    extra messages. `key` names the occurrence (e.g. "registration-confirmed:42"): calling again with the same key
    creates nothing, so a retried job or trigger never sends twice. Email and SMS leave after commit."""
    ids = notify_many([(recipient, context or {})], kind, key=key, organisation_id=organisation_id, channels=channels)
    if not ids:
        return []
    return list(db.session.execute(sa.select(Message).where(Message.id.in_(ids)).order_by(Message.id)).scalars())


def notify_many(
    items: Iterable[tuple[Recipient, dict]],
    kind: str,
    *,
    key: str | None = None,
    organisation_id: int | None = None,
    channels: Sequence[str] | None = None,
) -> list[int]:
    """notify() for many recipients at once (results to 300 schools, a cancellation to 5,000 registrants):
    texts translated once per language, preferences and limits read in one query each, one INSERT for all; rows
    whose key exists are left alone. Returns the ids of the messages created."""
    message_kind = get_kind(kind)
    items = [(r, c) for r, c in items if r is not None]
    if not items:
        return []
    wanted = tuple(channels or message_kind.channels)
    key = key or uuid.uuid4().hex
    now = utcnow()
    subjects = {subject_of(r) for r, _ in items}
    disabled = _disabled(subjects, kind) if not message_kind.security else set()
    signature = sms_signature(organisation_id) if Channel.SMS in wanted else ""

    by_language: dict[str, list[tuple[Recipient, dict]]] = defaultdict(list)
    for recipient, context in items:
        by_language[language_of(recipient)].append((recipient, context))
    rows = []
    common = {
        "kind": kind,
        "bulk": message_kind.bulk,
        "organisation_id": organisation_id,
        "created_at": now,
        "attempts": 0,
        "error": "",
    }
    for language, group in by_language.items():
        with force_locale(language):  # texts translated once; dates in the recipient's language
            texts = kind_texts(message_kind)
            rows += _rows_for(group, texts, wanted, disabled, key, language, signature, common, now)
    if message_kind.limit is not None:
        rows = _within_limit(rows, message_kind, now)
    if not rows:
        return []
    channel_of = {row["key"]: row["channel"] for row in rows}
    created = _insert_new(rows)
    _send_after_commit([message_id for message_id, row_key in created if channel_of[row_key] != Channel.INBOX])
    return [message_id for message_id, _ in created]


def _rows_for(
    group, texts: KindTexts, wanted, disabled, key: str, language: str, signature: str, common: dict, now: datetime
) -> list[dict]:
    """The rows to insert for recipients of one language: one per channel they have an address for."""
    rows = []
    kind = common["kind"]
    from accounts.branding import brand_of

    brand = brand_of(common["organisation_id"]) if common["organisation_id"] and Channel.EMAIL in wanted else None
    for recipient, context in group:
        subject = subject_of(recipient)
        user_id = recipient.id if isinstance(recipient, User) else None
        rendered = None
        for channel in wanted:
            address = address_of(recipient, channel)
            if address is None or (channel != Channel.INBOX and not address) or (subject, channel) in disabled:
                continue
            if rendered is None:
                rendered = render_message(texts, context, signature=signature)
            row = {
                **common,
                "key": _row_key(key, channel, subject),
                "channel": str(channel),
                "user_id": user_id,
                "address": address,
                "language": language,
                "subject": rendered.subject,
                "body": rendered.body,
                "html": None,
                "link": rendered.link[:500],
                "status": MessageStatus.QUEUED,
                "sent_at": None,
            }
            if channel == Channel.INBOX:
                row.update(status=MessageStatus.SENT, sent_at=now)
            elif channel == Channel.SMS:
                row["body"] = rendered.sms
            else:
                unsubscribe = unsubscribe_url(subject, kind) if common["bulk"] else None
                row.update(
                    body=rendered.email_text(texts, unsubscribe), html=rendered.email_html(texts, unsubscribe, brand)
                )
            rows.append(row)
    return rows


def _row_key(key: str, channel: str, subject: str) -> str:
    full = f"{key}|{channel}|{subject}"
    return full if len(full) <= 200 else hashlib.sha256(full.encode()).hexdigest()


def _disabled(subjects: set[str], kind: str) -> set[tuple[str, str]]:
    """(subject, channel) turned off for this kind among subjects: every opt-out of the kind is read (they are
    few; an IN list of 5,000 subjects costs more to compile than to scan)."""
    rows = db.session.execute(
        sa.select(Preference.subject, Preference.channel).where(Preference.kind == kind, Preference.enabled.is_(False))
    ).all()
    return {(subject, channel) for subject, channel in rows if subject in subjects}


def _within_limit(rows: list[dict], kind: MessageKind, now: datetime) -> list[dict]:
    """Drop rows past the kind's limit per recipient and channel within its window."""
    since = now - kind.window
    sent = db.session.execute(
        sa.select(Message.user_id, Message.address, Message.channel, sa.func.count())
        .where(Message.kind == kind.key, Message.created_at >= since, Message.status != MessageStatus.SKIPPED)
        .group_by(Message.user_id, Message.address, Message.channel)
    ).all()
    counts = {(u, a, c): n for u, a, c, n in sent}
    kept = []
    for row in rows:
        ident = (row["user_id"], row["address"], row["channel"])
        if counts.get(ident, 0) < kind.limit:
            counts[ident] = counts.get(ident, 0) + 1
            kept.append(row)
    return kept


def _insert_new(rows: list[dict]) -> list[tuple[int, str]]:
    """INSERT … ON CONFLICT (key) DO NOTHING RETURNING id, key, on PostgreSQL or SQLite."""
    db.session.flush()
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = Message.__table__
    created: list[tuple[int, str]] = []
    statement = insert(table).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.id, table.c.key)
    for start in range(0, len(rows), 1000):
        created += [(row[0], row[1]) for row in db.session.execute(statement, rows[start : start + 1000])]
    return created


def _send_after_commit(ids: list[int]) -> None:
    if ids:
        db.session.info.setdefault(PENDING_KEY, []).extend(ids)


def claim_messages(ids: Iterable[int], now: datetime | None = None) -> list[int]:
    """Mark due messages 'sending' and return their ids; a message is claimed by one job only (the UPDATE's
    WHERE is the guard), so a redelivered or concurrent job never sends it again."""
    now = now or utcnow()
    ids = sorted(set(ids))
    if not ids:
        return []
    result = db.session.execute(
        sa.update(Message)
        .where(
            Message.id.in_(ids),
            Message.status.in_([MessageStatus.QUEUED, MessageStatus.FAILED]),
            sa.or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= now),
            Message.attempts < MAX_ATTEMPTS,
        )
        .values(status=MessageStatus.SENDING, attempts=Message.attempts + 1)
        .returning(Message.id)
    )
    return sorted(row[0] for row in result)


def resend_message(message: Message, actor=None) -> Message:
    """Queue a failed message again (an organiser's 'resend'): it starts over with a fresh count of attempts.
    Only failed messages: one that was sent (or is being sent) is never sent twice."""
    if message.status != MessageStatus.FAILED:
        raise DomainError(_l("Only a message that failed can be sent again."), code="not_failed", status=409)
    message.status, message.attempts, message.next_attempt_at = MessageStatus.QUEUED, 0, None
    db.session.flush()
    from core import audit

    audit.record("resend", message, actor=actor)
    _send_after_commit([message.id])
    return message


def due_message_ids(now: datetime | None = None, limit: int = 5000) -> list[int]:
    """Failed messages whose next attempt is due, and queued ones older than a minute (a lost queue message):
    what `flask notifications retry` sends."""
    now = now or utcnow()
    return list(
        db.session.execute(
            sa.select(Message.id)
            .where(
                sa.or_(
                    sa.and_(Message.status == MessageStatus.FAILED, Message.next_attempt_at <= now),
                    sa.and_(Message.status == MessageStatus.QUEUED, Message.created_at <= now - timedelta(minutes=1)),
                )
            )
            .order_by(Message.id)
            .limit(limit)
        ).scalars()
    )
