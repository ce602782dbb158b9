"""Whom a message goes to: an account or a Contact (a visitor, a requester without an account), the address of
each channel, the language, the subject key preferences are stored under; addresses typed by people, cleaned."""

from __future__ import annotations

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l

from accounts.models import User
from core.errors import DomainError
from core.phones import clean_mobile
from notifications.models import Channel


@dataclass(frozen=True)
class Contact:
    """A recipient without an account (a visitor, a requester): where to write and in which language."""

    email: str | None = None
    mobile: str | None = None
    language: str | None = None
    name: str = ""


Recipient = User | Contact


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


def subject_of(recipient: Recipient) -> str:
    if isinstance(recipient, User):
        return f"user:{recipient.id}"
    return f"email:{recipient.email}" if recipient.email else f"sms:{recipient.mobile}"


def language_of(recipient: Recipient) -> str:
    languages = current_app.config["LANGUAGES"]
    language = getattr(recipient, "locale", None) if isinstance(recipient, User) else recipient.language
    return language if language in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def address_of(recipient: Recipient, channel: str) -> str | None:
    if channel == Channel.INBOX:
        return "" if isinstance(recipient, User) else None
    return recipient.email if channel == Channel.EMAIL else recipient.mobile


def user_subject(user: User) -> str:
    return subject_of(user)
