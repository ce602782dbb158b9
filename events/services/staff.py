"""Check-in staff: scanner links (created, validated, revoked; only the token's hash is stored) and check-in
accounts granted to users."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from core import audit
from core.extensions import db
from events import tickets
from events.models import Event, StaffLink
from events.services.common import _now, hash_token


def create_staff_link(
    event: Event, *, label: str, expires_at: datetime | None = None, actor=None
) -> tuple[StaffLink, str]:
    """A check-in link for helpers without an account; the token is shown once, only its hash is kept."""
    token = tickets.new_link_token()
    expires = expires_at or event.ends_at
    link = StaffLink(
        event_id=event.id,
        token_hash=hash_token(token),
        label=(label or "").strip()[:60],
        created_by_id=getattr(actor, "id", None),
        expires_at=expires,
    )
    db.session.add(link)
    db.session.flush()
    audit.record(
        "create_staff_link", event, after={"link_id": link.id, "label": link.label, "expires_at": expires}, actor=actor
    )
    return link, token


def staff_link_valid(link: StaffLink | None, now: datetime | None = None) -> bool:
    """A link works when not revoked, not expired, and only during the event's check-in window."""
    if link is None or link.revoked_at is not None:
        return False
    now = _now(now)
    event = link.event
    opens = event.starts_at - timedelta(minutes=event.checkin_opens_minutes)
    return opens <= now <= min(link.expires_at, event.ends_at)


def find_staff_link(token: str) -> StaffLink | None:
    if not token or len(token) > 64:
        return None
    return db.session.execute(
        sa.select(StaffLink).options(selectinload(StaffLink.event)).where(StaffLink.token_hash == hash_token(token))
    ).scalar_one_or_none()


def revoke_staff_link(link: StaffLink, actor=None, now: datetime | None = None) -> None:
    if link.revoked_at is None:
        link.revoked_at = _now(now)
        db.session.flush()
        audit.record("revoke_staff_link", link.event, after={"link_id": link.id}, actor=actor)


def grant_checkin_account(event: Event, user, actor=None):
    """Give an account check-in rights for this event (a scoped membership)."""
    from accounts.services import grant_role
    from core.permissions import Role

    return grant_role(user, Role.CHECKIN, scope_id=event.id, actor=actor)


def staff_links(event: Event) -> list[StaffLink]:
    """The event's staff links, newest first."""
    return (
        db.session.execute(sa.select(StaffLink).where(StaffLink.event_id == event.id).order_by(StaffLink.id.desc()))
        .scalars()
        .all()
    )


def checkin_accounts(event: Event) -> list:
    """The accounts granted check-in at the event, by name."""
    from accounts.models import Membership, User

    return (
        db.session.execute(
            sa.select(User)
            .join(Membership)
            .where(Membership.role == "checkin", Membership.scope_id == event.id)
            .order_by(User.name)
        )
        .scalars()
        .all()
    )
