"""Ticket recovery (“我的报名”): a one-time code sent to the phone or e-mail a registrant used, then the list of
their registrations."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from core.extensions import db
from events import notifications as notices
from events.models import Registration

RECOVERY_PURPOSE = "events.my_registrations"


def registrations_of_contact(channel: str, address: str) -> list[Registration]:
    """A visitor's registrations, newest first: by the phone they gave, or by the account email they used."""
    from accounts.models import User

    if channel == "sms":
        condition = Registration.phone == address
    else:
        condition = Registration.registered_by_id.in_(sa.select(User.id).where(User.email == address))
    return list(
        db.session.execute(
            sa.select(Registration)
            .options(selectinload(Registration.event), selectinload(Registration.session))
            .where(condition)
            .order_by(Registration.created_at.desc(), Registration.id.desc())
            .limit(200)
        ).scalars()
    )


def start_ticket_recovery(channel: str, address: str, language: str | None = None) -> None:
    """Send a one-time code to a phone or email that registered (nothing for one that did not, and nothing past
    the hourly limit of codes): the page says the same either way, so it reveals no one's registrations."""
    from notifications.services.addresses import Contact
    from notifications.services.codes import issue_code

    if not registrations_of_contact(channel, address):
        return
    code = issue_code(RECOVERY_PURPOSE, address)
    if code is None:
        return
    contact = Contact(
        email=address if channel == "email" else None, mobile=address if channel == "sms" else None, language=language
    )
    notices.send_recovery_code(contact, code)


def finish_ticket_recovery(address: str, code: str) -> bool:
    """True once for the right, live code (short-lived, single-use, a few guesses)."""
    from notifications.services.codes import redeem_code

    return redeem_code(RECOVERY_PURPOSE, address, code)
