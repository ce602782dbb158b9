"""`flask notifications test --to ADDRESS`, `flask notifications outbox`, `flask notifications retry`."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from core.errors import DomainError
from core.extensions import db
from core.privacy import mask_contact
from notifications.channels import channel_configured
from notifications.models import Message
from notifications.services import addresses as addresses_service
from notifications.services import sending as sending_service

notifications_cli = AppGroup("notifications", help="Messages: test the channels, read the outbox, retry failures.")


@notifications_cli.command("test")
@click.option("--to", "to", required=True, help="An email address or a mainland mobile number.")
@click.option("--language", default=None, help="zh_CN (default) or en.")
def send_test(to: str, language: str | None):
    """Send a test message through the configured channel and say where it went."""
    try:
        channel, address = addresses_service.clean_address(to)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    contact = addresses_service.Contact(
        email=address if channel == "email" else None, mobile=address if channel == "sms" else None, language=language
    )
    messages = sending_service.notify(
        contact, "notifications.test", {"sender": "flask notifications test", "channel": channel}
    )
    db.session.commit()
    from notifications.jobs import deliver

    counts = deliver([m.id for m in messages])
    message = db.session.get(Message, messages[0].id)
    if message.status == "sent":
        where = (
            f"SMTP {current_app.config['MAIL_SERVER']}:{current_app.config['MAIL_PORT']}"
            if channel == "email"
            else _("SMS provider %(provider)s", provider=current_app.config["SMS_PROVIDER"])
        )
        click.echo(
            _(
                "sent %(channel)s to %(address)s through %(where)s (message %(id)s)",
                channel=channel,
                address=address,
                where=where,
                id=message.id,
            )
        )
    elif message.status == "outbox":
        click.echo(
            _(
                "%(channel)s is not configured: kept in the outbox (message %(id)s), shown at %(url)s",
                channel=channel,
                id=message.id,
                url=f"/notifications/outbox/{message.id}",
            )
        )
    else:
        raise click.ClickException(
            _(
                "%(channel)s to %(address)s failed: %(error)s (message %(id)s; retried "
                "%(retries)s time(s) later by `flask notifications retry`)",
                channel=channel,
                address=address,
                error=message.error,
                id=message.id,
                retries=len(counts["retry"]),
            )
        )


@notifications_cli.command("outbox")
@click.option("--limit", default=20, show_default=True)
@click.option("--status", default=None, help="queued, sending, sent, outbox, failed or skipped.")
def list_outbox(limit: int, status: str | None):
    """The latest email and SMS messages: id, time, kind, recipient (masked), channel, status."""
    query = sa.select(Message).where(Message.channel != "inbox").order_by(Message.id.desc()).limit(limit)
    if status:
        query = query.where(Message.status == status)
    rows = db.session.execute(query).scalars().all()
    for m in rows:
        error = f"  {m.error}" if m.error else ""
        click.echo(
            f"{m.id}\t{m.created_at:%Y-%m-%d %H:%M}\t{m.kind}\t{mask_contact(m.address)}\t"
            f"{m.channel}\t{m.status}{error}"
        )
    if not rows:
        click.echo(_("no messages"))
    email = (
        f"SMTP {current_app.config['MAIL_SERVER']}"
        if channel_configured("email")
        else _("outbox (%(setting)s unset)", setting="MAIL_SERVER")
    )
    sms = (
        current_app.config["SMS_PROVIDER"]
        if channel_configured("sms")
        else _("outbox (%(setting)s unset)", setting="SMS_PROVIDER")
    )
    click.echo(_("email: %(email)s; sms: %(sms)s", email=email, sms=sms))


@notifications_cli.command("retry")
def retry():
    """Send failed messages whose next attempt is due (and queued ones the queue lost). Safe to run from cron."""
    from notifications.jobs import deliver

    ids = sending_service.due_message_ids()
    counts = deliver(ids) if ids else {"sent": 0, "outbox": 0, "failed": 0}
    click.echo(
        _(
            "due %(due)s: sent %(sent)s, outbox %(outbox)s, failed %(failed)s",
            due=len(ids),
            sent=counts["sent"],
            outbox=counts["outbox"],
            failed=counts["failed"],
        )
    )
