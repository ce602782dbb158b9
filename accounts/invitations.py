"""Invitations by link: who may invite whom to what (checked when made and again when accepted), the single-use
token, and accepting it (the account, the role, the spent link, at once). Scopes: accounts/scopes.py."""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from accounts import notifications as notices
from accounts.models import Invitation, Organisation, OrganisationKind, User
from accounts.scopes import INVITATION_SCOPES, SCOPED_ROLES, invitation_scope_name
from accounts.services import create_user, grant_role, hash_token, normalise_login
from core import audit
from core.db import DB_INT_MAX, utcnow
from core.errors import DomainError
from core.extensions import db
from core.permissions import Role, can
from core.phones import clean_mobile


def _check_invitation_right(role: Role, inviter, organisation: Organisation | None, scope_id: int | None) -> None:
    """Refuse (DomainError) an invitation the inviter may not give: an organisation or contest/event they do not
    manage, an unknown contest/event, or a role that does not fit the organisation. Checked when an invitation
    is made and again when it is accepted (the inviter may have lost the right since)."""
    if role in (Role.ORGANISER, Role.COORDINATOR):
        if organisation is None:
            raise DomainError(_l("This role needs an organisation."), field="organisation_id")
        if role == Role.COORDINATOR and organisation.kind != OrganisationKind.SCHOOL:
            raise DomainError(_l("A coordinator belongs to a school."), field="organisation_id")
        if role == Role.ORGANISER and organisation.kind != OrganisationKind.ASSOCIATION:
            raise DomainError(_l("An organiser belongs to an organising unit (科协)."), field="organisation_id")
        if inviter is None or not can("invitation.create", organisation, user=inviter):
            raise DomainError(
                _l("You can only invite people to organisations you manage."),
                field="organisation_id",
                code="forbidden",
                status=403,
            )
        return
    scope = INVITATION_SCOPES.get(role.value)
    field = {Role.JUDGE: "contest_id", Role.CHECKIN: "event_id"}.get(role, "scope_id")
    if scope_id is None:
        raise DomainError(_l("This role needs a contest or an event."), field=field)
    target = scope.load(scope_id) if scope is not None and 0 < scope_id <= DB_INT_MAX else None
    if target is None:
        raise DomainError(
            scope.unknown if scope else _l("This contest or event does not exist."),
            field=field,
            code="not_found",
            status=404,
        )
    if inviter is None or not can(scope.permission, target, user=inviter):
        raise DomainError(
            _l("You can only invite judges to contests, and check-in staff to events, that you manage."),
            field=field,
            code="forbidden",
            status=403,
        )


def create_invitation(
    *,
    role: Role | str,
    created_by: User,
    organisation: Organisation | None = None,
    scope_id: int | None = None,
    email: str | None = None,
    mobile: str | None = None,
    name: str = "",
    days: int = 14,
) -> tuple[Invitation, str]:
    """A single-use invitation; returns it and the plain token (shown once, only its hash is stored). The link
    is sent to the email and to the mobile number given (the phone rule: clean_mobile), if any.

    The inviter must manage what the role is granted on: the organisation (organisers, coordinators), the
    judging of the contest (judges), the event (check-in staff)."""
    role = Role(role)
    if role == Role.ADMIN:
        raise DomainError(_l("Administrators are not invited by link."), field="role")
    mobile = clean_mobile(mobile) if mobile else None
    _check_invitation_right(role, created_by, organisation, scope_id)
    token = secrets.token_urlsafe(24)
    invitation = Invitation(
        token_hash=hash_token(token),
        email=normalise_login(email)[1] if email else None,
        mobile=mobile,
        name=name,
        role=role.value,
        organisation_id=organisation.id if organisation and role in (Role.ORGANISER, Role.COORDINATOR) else None,
        scope_id=scope_id if role in SCOPED_ROLES else None,
        created_by_id=created_by.id,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record(
        "create",
        invitation,
        after={
            "role": role.value,
            "email": invitation.email,
            "mobile": invitation.mobile,
            "scope_id": invitation.scope_id,
        },
        actor=created_by,
        organisation_id=invitation.organisation_id,
    )
    place = invitation.organisation.name if invitation.organisation is not None else invitation_scope_name(invitation)
    notices.send_invitation(invitation, token, created_by, place)
    return invitation, token


def find_invitation(token: str) -> Invitation:
    """The invitation for token, or a DomainError saying why it cannot be used (unknown, used, expired, or its
    inviter no longer manages what it grants)."""
    invitation = db.session.execute(
        sa.select(Invitation).where(Invitation.token_hash == hash_token(token or ""))
    ).scalar_one_or_none()
    if invitation is None:
        raise DomainError(_l("This invitation link is not valid. Ask the organiser for a new one."))
    if invitation.used_at is not None:
        raise DomainError(_l("This invitation link has already been used. Log in, or ask for a new one."))
    if invitation.expires_at <= utcnow():
        raise DomainError(_l("This invitation link has expired. Ask the organiser for a new one."))
    inviter = db.session.get(User, invitation.created_by_id) if invitation.created_by_id else None
    try:
        _check_invitation_right(Role(invitation.role), inviter, invitation.organisation, invitation.scope_id)
    except DomainError as exc:
        raise DomainError(
            _l(
                "This invitation link is no longer valid: whoever sent it can no longer grant this "
                "role. Ask the organiser for a new one."
            )
        ) from exc
    return invitation


def accept_invitation(token: str, *, name: str, password: str, email: str | None, mobile: str | None) -> User:
    """Create the account, grant the invited role and spend the invitation, atomically and once. The inviter's
    right is checked again (find_invitation).

    The UPDATE ... WHERE used_at IS NULL makes a second, concurrent acceptance of the same link fail."""
    invitation = find_invitation(token)
    user = create_user(
        name=name, password=password, email=email or invitation.email, mobile=mobile or invitation.mobile
    )
    spent = db.session.execute(
        sa.update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=utcnow(), used_by_id=user.id)
    )
    if spent.rowcount != 1:
        raise DomainError(_l("This invitation link has already been used. Log in, or ask for a new one."))
    grant_role(user, invitation.role, organisation=invitation.organisation, scope_id=invitation.scope_id, actor=user)
    return user
