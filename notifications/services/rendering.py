"""A message's texts: the kind's texts translated once per language, the context's values in the recipient's
language, the email (text and HTML with the sender's brand), the SMS signed with the sender's name; links to
the platform for messages rendered outside a request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from html import escape as html_escape

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from accounts.models import Organisation
from core.extensions import db
from core.i18n import format_day, format_moment
from notifications.kinds import MessageKind


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


def absolute_url(path: str) -> str:
    """A link for a message: BASE_URL + path (messages are often rendered outside a request)."""
    return current_app.config["BASE_URL"].rstrip("/") + path


def link_for(endpoint: str, **values) -> str:
    """BASE_URL + the path of an endpoint, inside or outside a request (reminders run from the CLI)."""
    adapter = current_app.url_map.bind("localhost")
    return absolute_url(adapter.build(endpoint, values))
