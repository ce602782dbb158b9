"""Scoped roles: what a judge, check-in staff member or expert is granted on (a contest, an event, a call), as the
area that owns those objects registers it at start-up (accounts imports no higher area). The registry is read by
roles (grant_role calls `granted`), invitations (who may invite to what) and the invitations list (names)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from accounts.models import Invitation
from core.permissions import Role


@dataclass(frozen=True)
class InvitationScope:
    """What a scoped role (judge of a contest, check-in staff of an event) is granted on, registered at start-up
    by the area that owns those objects (accounts imports no higher area)."""

    load: Callable[[int], Any]  # the object with this id, or None
    permission: str  # what the inviter must be allowed to do on it (a core.permissions policy)
    choices: Callable[[Any], list[tuple[int, str]]]  # (id, name) of the objects a user may invite to
    unknown: Any  # message for an id that names nothing
    name: Callable[[Any], str]  # how the object is named to the person invited (contest name, event title)
    # What the owning area sets up when the role is granted on one of its objects, whatever the path (invitation
    # accepted, an organiser adding an account, the admin's role page): a judge's profile. (user, object, actor)
    granted: Callable[[Any, Any, Any], None] | None = None


INVITATION_SCOPES: dict[str, InvitationScope] = {}
#: Roles granted on one object of a higher area (scope_id): a contest, an event, a call.
SCOPED_ROLES = (Role.JUDGE, Role.CHECKIN, Role.EXPERT)


def register_invitation_scope(role: Role | str, scope: InvitationScope) -> None:
    INVITATION_SCOPES[Role(role).value] = scope


def invitation_choices(role: Role | str, user) -> list[tuple[int, str]]:
    """The contests (judges) or events (check-in staff) user may invite to, by name."""
    scope = INVITATION_SCOPES.get(Role(role).value)
    return scope.choices(user) if scope else []


def invitation_scope_name(invitation: Invitation) -> str | None:
    """The name of the contest (judges) or event (check-in staff) an invitation is for, from the area that owns
    it; None for an unscoped role or an object that no longer exists."""
    scope = INVITATION_SCOPES.get(invitation.role)
    if scope is None or invitation.scope_id is None:
        return None
    target = scope.load(invitation.scope_id)
    return scope.name(target) if target is not None else None


def invitation_scope_names(invitations, user) -> dict[tuple[str, int], str]:
    """(role, scope id) -> the name of what each scoped invitation is for (contest, event, call), from the area
    that registered the role's scope: one query per registered role for the objects user may invite to, then one
    load per object user no longer manages (an invitation keeps its target's name after a right is lost)."""
    names: dict[tuple[str, int], str] = {}
    for role, scope in INVITATION_SCOPES.items():
        wanted = {i.scope_id for i in invitations if i.role == role and i.scope_id is not None}
        if not wanted:
            continue
        known = dict(scope.choices(user))
        for scope_id in sorted(wanted):
            if scope_id in known:
                names[(role, scope_id)] = known[scope_id]
            elif (target := scope.load(scope_id)) is not None:
                names[(role, scope_id)] = scope.name(target)
    return names
