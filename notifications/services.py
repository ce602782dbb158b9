"""Every message to a user goes through notify(): rendered in the recipient's language, stored once per channel
(the idempotency key is unique), then sent by a background job with retries. Functions flush, never commit."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape as html_escape
from typing import Any

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from accounts.models import Organisation, User
from accounts.services import clean_mobile
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from core.i18n import format_day, format_moment
from notifications.kinds import MessageKind, get_kind
from notifications.models import Channel, Message, MessageStatus, OneTimeCode, Preference

PENDING_KEY = "kechuang_notifications_to_send"
MAX_ATTEMPTS = 5
BACKOFF_SECONDS = (60, 300, 1800, 7200)  # after the 1st, 2nd, 3rd, 4th failure
CHUNK = 200  # messages per sending job


@dataclass(frozen=True)
class Contact:
    """A recipient without an account (a visitor, a requester): where to write and in which language."""

    email: str | None = None
    mobile: str | None = None
    language: str | None = None
    name: str = ""


Recipient = User | Contact


# --- addresses ---------------------------------------------------------------------------------------------


def clean_email(value: str, field: str = "email") -> str:
    """The normalised address, or a DomainError saying it is not a valid email address."""
    try:
        return validate_email((value or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise DomainError(_l("Enter a valid email address, such as name@example.cn."), field=field) from None


def clean_address(value: str, field: str = "to") -> tuple[str, str]:
    """(channel, address) for an email address or a mobile number typed by a person."""
    if "@" in (value or ""):
        return Channel.EMAIL, clean_email(value, field)
    return Channel.SMS, clean_mobile(value, field)


def _subject_of(recipient: Recipient) -> str:
    if isinstance(recipient, User):
        return f"user:{recipient.id}"
    return f"email:{recipient.email}" if recipient.email else f"sms:{recipient.mobile}"


def _language_of(recipient: Recipient) -> str:
    languages = current_app.config["LANGUAGES"]
    language = getattr(recipient, "locale", None) if isinstance(recipient, User) else recipient.language
    return language if language in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def _address_of(recipient: Recipient, channel: str) -> str | None:
    if channel == Channel.INBOX:
        return "" if isinstance(recipient, User) else None
    return recipient.email if channel == Channel.EMAIL else recipient.mobile


# --- rendering ---------------------------------------------------------------------------------------------


def _localised(context: dict) -> dict:
    """Dates and times in the current (recipient's) language; lazy strings as text."""
    out = {}
    for name, value in context.items():
        if isinstance(value, datetime):
            out[name] = format_moment(value, "short")
        elif isinstance(value, date):
            out[name] = format_day(value)
        elif value is None:
            out[name] = ""
        else:
            out[name] = str(value)
    return out


@dataclass(frozen=True)
class KindTexts:
    """A kind's texts translated into one language (once per language per call, not once per recipient)."""

    subject: str
    body: str
    sms: str | None
    footer: str
    unsubscribe: str


def kind_texts(kind: MessageKind) -> KindTexts:
    """The kind's texts in the current locale (callers wrap it in force_locale)."""
    return KindTexts(
        str(kind.subject),
        str(kind.body),
        str(kind.sms) if kind.sms else None,
        str(_l("Unsubscribe from these messages: %(url)s")),
        str(_l("Unsubscribe from these messages")),
    )


@dataclass
class Rendered:
    subject: str
    body: str
    sms: str
    link: str

    def email_text(self, texts: KindTexts, unsubscribe_url: str | None) -> str:
        if not unsubscribe_url:
            return self.body
        return f"{self.body}\n\n--\n" + texts.footer % {"url": unsubscribe_url}

    def email_html(self, texts: KindTexts, unsubscribe_url: str | None, brand=None) -> str:
        """Simple HTML: the sending association's brand band (accounts.branding, when it has one), the paragraphs
        of the text, the link, the unsubscribe link of a bulk message."""
        paragraphs = [html_escape(p).replace("\n", "<br>") for p in self.body.split("\n\n")]
        if self.link:
            paragraphs.append('<a href="{0}">{0}</a>'.format(html_escape(self.link)))
        html = "".join(f"<p>{p}</p>" for p in paragraphs)
        if brand is not None:
            logo = (
                f'<img src="{html_escape(brand.logo_url)}" alt="" height="32" '
                f'style="vertical-align:middle;background:#fff;border-radius:4px;margin-right:8px">'
                if brand.logo_url
                else ""
            )
            html = (
                f'<div style="background:{brand.colour or "#1f2937"};color:#fff;padding:12px 16px;'
                f'font-weight:600">{logo}{html_escape(brand.name)}</div>' + html
            )
        if unsubscribe_url:
            url, label = html_escape(unsubscribe_url), html_escape(texts.unsubscribe)
            html += f'<hr><p><small><a href="{url}">{label}</a></small></p>'
        return html


def render_message(texts: KindTexts, context: dict, *, signature: str = "") -> Rendered:
    """Subject, text and SMS of a message from the kind's translated texts and the context's values."""
    values = _localised(context)
    subject = texts.subject % values
    short = texts.sms % values if texts.sms else subject
    return Rendered(
        subject[:300], texts.body % values, f"【{signature}】{short}" if signature else short, values.get("link", "")
    )


def sms_signature(organisation_id: int | None) -> str:
    """SMS texts are signed with the sending organisation's name (or SMS_SIGNATURE, or the platform's name)."""
    if organisation_id:
        name = db.session.execute(sa.select(Organisation.name).where(Organisation.id == organisation_id)).scalar()
        if name:
            return name
    return current_app.config.get("SMS_SIGNATURE") or "科创"


def _unsubscribe_signature(payload: str) -> str:
    key = hashlib.sha256(b"notifications.unsubscribe|" + current_app.config["SECRET_KEY"].encode()).digest()
    return base64.urlsafe_b64encode(hmac.new(key, payload.encode(), hashlib.sha256).digest()[:18]).decode()


def unsubscribe_url(subject: str, kind: str) -> str:
    """The one-click unsubscribe link of a bulk email: the (subject, kind) it turns off, signed with an HMAC of
    the secret key (no database row; a plain HMAC because 5,000 of them are made in one go)."""
    payload = base64.urlsafe_b64encode(f"{subject}\n{kind}".encode()).decode().rstrip("=")
    return absolute_url(f"/notifications/unsubscribe/{payload}.{_unsubscribe_signature(payload)}")


def read_unsubscribe_token(token: str) -> tuple[str, str] | None:
    payload, _, signature = (token or "").partition(".")
    if not payload or not hmac.compare_digest(signature, _unsubscribe_signature(payload)):
        return None
    try:
        subject, kind = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode().split("\n")
    except ValueError:
        return None
    return subject, kind


def absolute_url(path: str) -> str:
    """A link for a message: BASE_URL + path (messages are often rendered outside a request)."""
    return current_app.config["BASE_URL"].rstrip("/") + path


def link_for(endpoint: str, **values) -> str:
    """BASE_URL + the path of an endpoint, inside or outside a request (reminders run from the CLI)."""
    adapter = current_app.url_map.bind("localhost")
    return absolute_url(adapter.build(endpoint, values))


# --- notify ------------------------------------------------------------------------------------------------


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
    subjects = {_subject_of(r) for r, _ in items}
    disabled = _disabled(subjects, kind) if not message_kind.security else set()
    signature = sms_signature(organisation_id) if Channel.SMS in wanted else ""

    by_language: dict[str, list[tuple[Recipient, dict]]] = defaultdict(list)
    for recipient, context in items:
        by_language[_language_of(recipient)].append((recipient, context))
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
        subject = _subject_of(recipient)
        user_id = recipient.id if isinstance(recipient, User) else None
        rendered = None
        for channel in wanted:
            address = _address_of(recipient, channel)
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


# --- sending -----------------------------------------------------------------------------------------------


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


# --- inbox, outbox, preferences ----------------------------------------------------------------------------


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


def preferences_of(subject: str) -> dict[tuple[str, str], bool]:
    rows = db.session.execute(sa.select(Preference).where(Preference.subject == subject)).scalars()
    return {(p.kind, p.channel): p.enabled for p in rows}


def set_preference(subject: str, kind: str, channel: str, enabled: bool) -> None:
    """Turn a channel of a kind on or off for a recipient; security kinds cannot be turned off."""
    message_kind = get_kind(kind)
    if message_kind.security:
        raise DomainError(_l("Security messages are always sent."), code="security")
    if channel not in set(Channel):
        raise DomainError(_l("Unknown channel."), field="channel")
    row = db.session.execute(
        sa.select(Preference).where(
            Preference.subject == subject, Preference.kind == kind, Preference.channel == channel
        )
    ).scalar_one_or_none()
    if row is None:
        db.session.add(Preference(subject=subject, kind=kind, channel=channel, enabled=enabled))
    else:
        row.enabled = enabled
    db.session.flush()


def user_subject(user: User) -> str:
    return f"user:{user.id}"


# --- one-time codes ----------------------------------------------------------------------------------------

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
