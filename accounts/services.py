"""Account state changes and look-ups: users, passwords, sessions, roles, API tokens, organisations. Every
function flushes, never commits. Invitations: accounts/invitations.py; scoped roles' registry: accounts/scopes.py."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
import unicodedata
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from accounts import notifications as notices
from accounts.models import (
    ApiToken,
    Membership,
    Organisation,
    OrganisationKind,
    User,
    password_matches,
)
from accounts.scopes import INVITATION_SCOPES, SCOPED_ROLES
from core import audit
from core.db import DB_INT_MAX, utcnow
from core.errors import DomainError
from core.extensions import db
from core.permissions import Role
from core.phones import InvalidPhone, clean_mobile, parse_mobile

TOKEN_PREFIX = "kc_"  # noqa: S105 — the visible prefix of every API token, not a secret
MIN_PASSWORD = 8
TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)


def normalise_login(identifier: str) -> tuple[str, str]:
    """('email'|'mobile', normalised value) for what a person typed into the login box."""
    value = unicodedata.normalize("NFKC", identifier or "").strip()
    if "@" in value:
        return "email", value.lower()
    try:
        return "mobile", parse_mobile(value)
    except InvalidPhone:
        return "mobile", re.sub(r"[\s-]", "", value)  # finds no account; the answer stays the same


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_user_by_login(identifier: str) -> User | None:
    kind, value = normalise_login(identifier)
    column = User.email if kind == "email" else User.mobile
    return db.session.execute(sa.select(User).where(column == value)).scalar_one_or_none()


@functools.cache
def _dummy_password_hash() -> str:
    """A hash made like every stored one (same method and cost) of a random password nobody knows."""
    from werkzeug.security import generate_password_hash

    return generate_password_hash(secrets.token_urlsafe(16))


def authenticate(identifier: str, password: str) -> User | None:
    """The active user with this email/mobile and password, or None (same answer for every failure).

    Every attempt checks one password hash, against a dummy hash when no account matches, so an unknown login
    answers in the same time as a wrong password (no account enumeration by timing)."""
    user = find_user_by_login(identifier)
    if user is None:
        password_matches(_dummy_password_hash(), password or "")
        return None
    if not user.check_password(password or "") or not user.active:
        return None
    user.last_login_at = utcnow()
    db.session.flush()
    return user


@functools.cache
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of the leaked-password corpora zxcvbn ships (its "passwords" list)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.casefold() for word in FREQUENCY_LISTS["passwords"])


def check_password_strength(password: str, *, email: str | None = None, mobile: str | None = None) -> None:
    """At least MIN_PASSWORD characters, not one of the most common passwords, and not built on the account's
    own login (its email, the part of it before @, or its mobile number)."""
    password = password or ""
    if len(password) < MIN_PASSWORD:
        raise DomainError(_l("The password must have at least %(n)d characters.", n=MIN_PASSWORD), field="password")
    folded = unicodedata.normalize("NFKC", password).casefold()
    if folded in _common_passwords():
        raise DomainError(
            _l("This password is one of the most common ones and easy to guess. Choose another."), field="password"
        )
    own = [value.casefold() for value in (email, (email or "").split("@")[0], mobile) if value and len(value) >= 4]
    if any(value in folded for value in own):
        raise DomainError(_l("The password must not contain your email address or mobile number."), field="password")


def create_user(*, name: str, password: str, email: str | None = None, mobile: str | None = None, actor=None) -> User:
    """A new active account; email and mobile are each unique, and at least one is given."""
    email = normalise_login(email)[1] if email else None
    mobile = clean_mobile(mobile) if mobile else None
    if not email and not mobile:
        raise DomainError(_l("Give an email address or a mobile number."), field="email")
    if email and db.session.execute(sa.select(User.id).where(User.email == email)).first():
        raise DomainError(_l("An account with this email address already exists."), field="email")
    if mobile and db.session.execute(sa.select(User.id).where(User.mobile == mobile)).first():
        raise DomainError(_l("An account with this mobile number already exists."), field="mobile")
    check_password_strength(password, email=email, mobile=mobile)
    user = User(name=name.strip(), email=email, mobile=mobile)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("create", user, after={"name": user.name, "email": email, "mobile": mobile}, actor=actor)
    return user


def change_password(user: User, current: str, new: str, *, revoke_tokens: bool = False) -> None:
    """Set a new password after checking the current one. Every other session of the user ends (the caller
    logs the current one in again); with revoke_tokens, the user's API tokens are revoked too."""
    if not user.check_password(current or ""):
        raise DomainError(_l("The current password is not correct."), field="current_password")
    check_password_strength(new, email=user.email, mobile=user.mobile)
    user.set_password(new)
    user.session_version += 1
    db.session.flush()
    audit.record("change_password", user, actor=user)
    if revoke_tokens:
        revoke_all_api_tokens(user, actor=user)
    notices.tell_password_changed(user)


def end_all_sessions(user: User, actor=None) -> None:
    """Log the user out everywhere: every session and remember-me cookie signed with the old version ends."""
    user.session_version += 1
    db.session.flush()
    audit.record("end_sessions", user, actor=actor or user)


def user_for_session(session_id: str) -> User | None:
    """The user of a login cookie's "id:version", or None when the version is no longer the user's (the
    password changed, or they logged out everywhere) or the value is malformed."""
    user_id, _sep, version = (session_id or "").partition(":")
    if not (user_id.isdigit() and version.isdigit()) or int(user_id) > DB_INT_MAX:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


def grant_role(
    user: User, role: Role | str, *, organisation: Organisation | None = None, scope_id: int | None = None, actor=None
) -> Membership:
    """Give user a scoped role; granting one the user already has changes nothing."""
    role = Role(role)
    if role in (Role.ORGANISER, Role.COORDINATOR) and organisation is None:
        raise DomainError(_l("This role needs an organisation."), field="organisation")
    if role == Role.COORDINATOR and organisation.kind != OrganisationKind.SCHOOL:
        raise DomainError(_l("A coordinator belongs to a school."), field="organisation")
    if role == Role.ORGANISER and organisation.kind != OrganisationKind.ASSOCIATION:
        raise DomainError(_l("An organiser belongs to an organising unit (科协)."), field="organisation")
    if role in SCOPED_ROLES and scope_id is None:
        raise DomainError(_l("This role needs a contest or an event."), field="scope_id")
    org_id = organisation.id if organisation is not None and role != Role.ADMIN else None
    scope = scope_id if role in SCOPED_ROLES else None
    for existing in user.memberships:
        if existing.role == role and existing.organisation_id == org_id and existing.scope_id == scope:
            return existing
    membership = Membership(user=user, role=role.value, organisation_id=org_id, scope_id=scope)
    db.session.add(membership)
    db.session.flush()
    audit.record(
        "grant_role", user, after={"role": role.value, "organisation_id": org_id, "scope_id": scope}, actor=actor
    )
    target = INVITATION_SCOPES.get(role.value)
    if scope is not None and target is not None and target.granted is not None:
        obj = target.load(scope)
        if obj is not None:
            target.granted(user, obj, actor)
    return membership


def revoke_role(membership: Membership, actor=None) -> None:
    audit.record(
        "revoke_role",
        membership.user,
        before={
            "role": membership.role,
            "organisation_id": membership.organisation_id,
            "scope_id": membership.scope_id,
        },
        actor=actor,
    )
    db.session.delete(membership)
    db.session.flush()


# --- API tokens ----------------------------------------------------------------------------------------


def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new personal API token. The plain token is returned once; only its hash is kept."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=(name or "API").strip()[:100], token_hash=hash_token(token), prefix=token[:10])
    db.session.add(row)
    db.session.flush()
    audit.record("create", row, after={"name": row.name, "prefix": row.prefix}, actor=user)
    return row, token


def revoke_api_token(token: ApiToken, actor=None) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        audit.record("revoke", token, actor=actor)


def revoke_all_api_tokens(user: User, actor=None) -> int:
    """Revoke every API token of the user still in force; returns how many."""
    rows = (
        db.session.execute(sa.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)))
        .scalars()
        .all()
    )
    for row in rows:
        revoke_api_token(row, actor=actor)
    return len(rows)


TOKEN_RE = re.compile(r"^kc_[A-Za-z0-9_-]{43}$")


def api_token_for(token: str) -> ApiToken | None:
    """The unrevoked token of an active user, or None. Malformed tokens are rejected without a query.

    One query loads token, user and memberships; nothing is written here (record_token_use writes a stale use in its own transaction)."""
    if not TOKEN_RE.match(token or ""):
        return None
    row = (
        db.session.execute(
            sa.select(ApiToken)
            .where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
            .options(joinedload(ApiToken.user).joinedload(User.memberships))
        )
        .unique()
        .scalar_one_or_none()
    )
    if row is None or not row.user.active:
        return None
    return row


def record_token_use(token: ApiToken, now=None) -> None:
    """Write a token's last use in a short transaction of its own (its own connection), so it never commits,
    nor waits on, the work of the request that used the token. Callers do it only when token_use_is_stale (at
    most every TOKEN_TOUCH_INTERVAL), so scanners sharing a token at a gate do not queue on that row's lock."""
    now = now or utcnow()
    with db.engine.begin() as connection:
        connection.execute(sa.update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
    set_committed_value(token, "last_used_at", now)  # the session's copy agrees, without a write of its own


def token_use_is_stale(last_used_at, now) -> bool:
    """Whether a token's last_used_at is due to be written again (at most every TOKEN_TOUCH_INTERVAL)."""
    return last_used_at is None or now - last_used_at > TOKEN_TOUCH_INTERVAL


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer …` header, or None for no header or another scheme."""
    header = authorization or ""
    return header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None


# --- organisations -------------------------------------------------------------------------------------

ORG_FIELDS = ["kind", "name", "code", "parent_id", "stage", "district", "address", "contact_phone"]


def save_organisation(org: Organisation | None, **fields) -> Organisation:
    """Create (org=None) or update an organisation; codes are unique, and a unit is never its own ancestor."""
    code = (fields.get("code") or "").strip() or None
    fields["code"] = code
    if code:
        clash = db.session.execute(
            sa.select(Organisation.id).where(Organisation.code == code, Organisation.id != (org.id if org else -1))
        ).first()
        if clash:
            raise DomainError(_l("Another organisation already uses the code %(code)s.", code=code), field="code")
    if fields.get("kind") == OrganisationKind.SCHOOL and not fields.get("stage"):
        raise DomainError(_l("A school needs its stage (学段)."), field="stage")
    if fields.get("kind") != OrganisationKind.SCHOOL:
        fields["stage"] = None
    before = audit.snapshot(org, ORG_FIELDS) if org else None
    if org is None:
        org = Organisation()
        db.session.add(org)
    elif fields.get("parent_id") is not None:
        from accounts.models import descendant_ids

        if fields["parent_id"] in descendant_ids({org.id}):
            raise DomainError(_l("An organisation cannot be placed under itself."), field="parent_id")
    for key in ORG_FIELDS:
        if key in fields:
            setattr(org, key, fields[key])
    db.session.flush()
    audit.record("update" if before else "create", org, before=before, after=audit.snapshot(org, ORG_FIELDS))
    return org


def organisations_visible_to(user: User, kind: str | None = None) -> list[Organisation]:
    """The organisations an organiser manages (all of them for an admin), ordered for a list page."""
    from core.permissions import is_admin

    query = sa.select(Organisation).order_by(Organisation.kind, Organisation.district, Organisation.name)
    if kind:
        query = query.where(Organisation.kind == kind)
    if not is_admin(user):
        query = query.where(Organisation.id.in_(user.organised_org_ids() or {-1}))
    return list(db.session.execute(query).scalars())


def organisers_of(organisation_id: int) -> list[User]:
    """The active organisers of an organisation (科协): whom its messages about objections, recommendations and
    the like are for."""
    return list(
        db.session.execute(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.role == Role.ORGANISER,
                Membership.organisation_id == organisation_id,
                User.active.is_(True),
            )
            .order_by(User.id)
        ).scalars()
    )
