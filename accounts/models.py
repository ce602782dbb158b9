"""Users, organisations (科协 units, schools, communities, science bases), scoped memberships, invitations, API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from core.cache import request_cache
from core.db import TimestampMixin, UTCDateTime, utcnow
from core.extensions import db
from core.permissions import Role


class OrganisationKind(StrEnum):
    ASSOCIATION = "association"  # 科协 organising unit
    SCHOOL = "school"
    COMMUNITY = "community"
    SCIENCE_BASE = "science_base"


class Stage(StrEnum):
    """学段 of a school."""

    PRIMARY = "primary"  # 小学
    JUNIOR = "junior"  # 初中
    SENIOR = "senior"  # 高中
    COMPLETE = "complete"  # 完全中学 (初中+高中)
    NINE_YEAR = "nine_year"  # 九年一贯制 (小学+初中)


# The stages of students a school of each kind teaches.
STAGE_COVERS = {
    Stage.PRIMARY: {Stage.PRIMARY},
    Stage.JUNIOR: {Stage.JUNIOR},
    Stage.SENIOR: {Stage.SENIOR},
    Stage.COMPLETE: {Stage.JUNIOR, Stage.SENIOR},
    Stage.NINE_YEAR: {Stage.PRIMARY, Stage.JUNIOR},
}


class Organisation(TimestampMixin, db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False, index=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    code: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    stage: Mapped[str | None] = mapped_column(sa.String(20))
    district: Mapped[str | None] = mapped_column(sa.String(100))
    address: Mapped[str | None] = mapped_column(sa.String(300))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(30))
    # An association's brand on its public pages, tickets and emails (accounts/branding.py); the platform stays neutral.
    brand_colour: Mapped[str | None] = mapped_column(sa.String(7))  # "#rrggbb", AA contrast with white text
    logo_file: Mapped[str | None] = mapped_column(sa.String(100))  # file name under <UPLOAD_DIR>/brand/

    parent: Mapped[Organisation | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Organisation]] = relationship(back_populates="parent")

    __table_args__ = (
        sa.CheckConstraint("kind IN ('association','school','community','science_base')", name="kind"),
        sa.CheckConstraint(
            "stage IS NULL OR stage IN ('primary','junior','senior','complete','nine_year')", name="stage"
        ),
    )

    @property
    def audit_organisation_id(self) -> int:
        return self.id

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.kind} {self.name}>"


class RolesMixin:
    """The role questions core.permissions asks of a user, answered from `self.memberships` (objects with
    role, organisation_id and scope_id)."""

    def has_role(self, role: Role) -> bool:
        return any(m.role == role for m in self.memberships)

    def roles(self) -> set[str]:
        return {m.role for m in self.memberships}

    def scope_ids(self, role: Role) -> set[int]:
        """Ids a role applies to: school ids for coordinators, contest ids for judges, event ids for staff."""
        key = "scope_id" if role in (Role.JUDGE, Role.CHECKIN, Role.EXPERT) else "organisation_id"
        return {getattr(m, key) for m in self.memberships if m.role == role and getattr(m, key) is not None}

    def organised_org_ids(self) -> frozenset[int]:
        """Organisations this user organises: their own units and all units below them."""
        roots = self.scope_ids(Role.ORGANISER)
        if not roots:
            return frozenset()
        cache = request_cache()
        key = ("organised", self.id)
        if key not in cache:
            cache[key] = frozenset(descendant_ids(roots))
        return cache[key]


class User(RolesMixin, UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    mobile: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    password_hash: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    active: Mapped[bool] = mapped_column(default=True, nullable=False)
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Part of the login cookie (get_id): bumped when the password changes or the user logs out everywhere, which
    # ends every session signed with the old number.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0", nullable=False)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    __table_args__ = (sa.CheckConstraint("email IS NOT NULL OR mobile IS NOT NULL", name="login"),)

    # Flask-Login
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and remember cookies: "id:session_version"."""
        return f"{self.id}:{self.session_version}"

    @property
    def display_name(self) -> str:
        return self.name or self.email or self.mobile or str(self.id)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)  # scrypt

    def check_password(self, password: str) -> bool:
        return password_matches(self.password_hash, password)


def password_matches(password_hash: str, password: str) -> bool:
    """The one place a password is checked against a stored hash (accounts.services hashes a dummy through it)."""
    return check_password_hash(password_hash, password)


def descendant_ids(roots: set[int]) -> set[int]:
    """The given organisation ids and every organisation below them (one query for the whole tree)."""
    rows = db.session.execute(sa.select(Organisation.id, Organisation.parent_id)).all()
    children: dict[int | None, list[int]] = {}
    for oid, parent in rows:
        children.setdefault(parent, []).append(oid)
    found, stack = set(), list(roots)
    while stack:
        oid = stack.pop()
        if oid in found:
            continue
        found.add(oid)
        stack.extend(children.get(oid, ()))
    return found


class Membership(db.Model):
    """A scoped role: admin (no scope); organiser or coordinator of an organisation; judge of a contest or
    check-in staff of an event, expert of a call (scope_id, the contest/event/call id; those tables live in higher
    areas)."""

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    role: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"))
    scope_id: Mapped[int | None] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation | None] = relationship(lazy="joined")

    __table_args__ = (
        sa.CheckConstraint("role IN ('admin','organiser','coordinator','judge','checkin','expert')", name="role"),
        sa.CheckConstraint(
            "(role = 'admin' AND organisation_id IS NULL AND scope_id IS NULL)"
            " OR (role IN ('organiser','coordinator') AND organisation_id IS NOT NULL AND scope_id IS NULL)"
            " OR (role IN ('judge','checkin','expert') AND scope_id IS NOT NULL)",
            name="scope",
        ),
        sa.UniqueConstraint("user_id", "role", "organisation_id", "scope_id"),
    )


class Invitation(db.Model):
    """A single-use, expiring link that creates an account with a role (coordinators, judges, staff)."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    mobile: Mapped[str | None] = mapped_column(sa.String(20))  # 11 digits (accounts.services.clean_mobile)
    name: Mapped[str] = mapped_column(sa.String(100), default="", nullable=False)
    role: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"))
    scope_id: Mapped[int | None] = mapped_column(sa.Integer)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation | None] = relationship()


class LoginFailure(db.Model):
    """One failed login attempt, counted per account and per address by accounts.throttle when no Redis is
    configured (the database is the store every worker shares). Rows older than the longest window are pruned."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    ip: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False, index=True)

    __table_args__ = (
        sa.Index("ix_login_failures_login_at", "login", "at"),
        sa.Index("ix_login_failures_ip_at", "ip", "at"),
    )


class ApiToken(db.Model):
    """A personal API token; only its SHA-256 is stored, the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    prefix: Mapped[str] = mapped_column(sa.String(12), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
