"""The messages of the accounts area: invitations and password changes. accounts.services calls these with what
the texts need, so this module imports nothing of it; notifications' services read only accounts.models."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from notifications import notify
from notifications.kinds import MessageKind, register_kind
from notifications.models import Channel
from notifications.services.addresses import Contact
from notifications.services.rendering import link_for

INVITATION = register_kind(
    MessageKind(
        "accounts.invitation",
        label=_l("Invitation to an account"),
        security=True,
        channels=(Channel.EMAIL, Channel.SMS),
        subject=_l("You are invited to Kechuang as %(role)s"),
        body=_l(
            "%(inviter)s invites you to Kechuang as %(role)s%(where)s.\n\nCreate your account with this link "
            "(it works once, until %(expires)s): %(link)s"
        ),
        sms=_l("%(inviter)s invites you to Kechuang as %(role)s%(where)s. Create your account: %(link)s"),
    )
)
PASSWORD_CHANGED = register_kind(
    MessageKind(
        "accounts.password_changed",
        label=_l("Password changed"),
        security=True,
        subject=_l("Your password was changed"),
        body=_l(
            "%(name)s, the password of your Kechuang account was changed on %(when)s. If it was not you, ask "
            "your organiser or an administrator to lock the account at once."
        ),
        sms=_l("The password of your Kechuang account was changed. If it was not you, tell your organiser at once."),
    )
)

ROLE_LABELS = {
    "coordinator": _l("School coordinator"),
    "judge": _l("Judge"),
    "checkin": _l("Check-in staff"),
    "organiser": _l("Organiser"),
    "expert": _l("Expert"),
}


def send_invitation(invitation, token: str, inviter, place: str | None) -> None:
    """The link goes to the email and by SMS to the mobile given with the invitation (neither given: the
    organiser copies it by hand). The text names `place`: the organisation, or the contest or event, invited to."""
    if not invitation.email and not invitation.mobile:
        return
    where = f" · {place}" if place else ""
    notify(
        Contact(email=invitation.email, mobile=invitation.mobile, name=invitation.name),
        INVITATION.key,
        {
            "inviter": getattr(inviter, "display_name", "") or "Kechuang",
            "role": ROLE_LABELS.get(invitation.role, invitation.role),
            "where": where,
            "expires": invitation.expires_at,
            "link": link_for("accounts.accept_invitation", token=token),
        },
        key=f"{INVITATION.key}:{invitation.id}",
        organisation_id=invitation.organisation_id,
    )


def tell_password_changed(user) -> None:
    from core.db import utcnow

    now = utcnow()
    notify(
        user,
        PASSWORD_CHANGED.key,
        {"name": user.display_name, "when": now},
        key=f"{PASSWORD_CHANGED.key}:{user.id}:{now.isoformat()}",
    )


SIGNUP_CODE = register_kind(
    MessageKind(
        "accounts.signup_code",
        label=_l("Code to register an account"),
        security=True,
        channels=(Channel.EMAIL, Channel.SMS),
        subject=_l("Your code: %(code)s"),
        body=_l(
            "Your code to register a Kechuang account is %(code)s. It works once, for 10 minutes. If you did not "
            "ask for it, ignore this message."
        ),
        sms=_l(
            "Your code to register a Kechuang account: %(code)s (10 minutes). Ignore this if you did not ask for it."
        ),
    )
)


def send_signup_code(contact: Contact, code: str) -> None:
    import uuid

    notify(contact, SIGNUP_CODE.key, {"code": code}, key=f"{SIGNUP_CODE.key}:{uuid.uuid4().hex}")
