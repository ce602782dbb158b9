"""The permission mechanism, used by pages and API alike: the @policy registry, can/require, the roles and
their primitives (organises, coordinates, judges, staffs), and the core's own rules (admin, audit, jobs).

Views do: obj = get_or_404(Model, id); require("entry.edit", obj); ... Policies are small functions
registered under a dotted name with @policy; each area registers its own from <area>/policies.py, imported by
its init_app (accounts/policies.py, competitions/policies.py, ...). They read roles from the user object
(accounts.models.User), which loads the user's memberships once per request. Objects are read by duck typing
(contest.organisation_id, entry.school_id, ...) so this module imports no area.

Routes are protected by default (core.security.enforce_login); a view that anonymous visitors may use is
marked @public.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from core.extensions import db

T = TypeVar("T")


class Role(StrEnum):
    ADMIN = "admin"  # platform administrator
    ORGANISER = "organiser"  # organiser of an organisation (科协 unit) and its sub-units
    COORDINATOR = "coordinator"  # school coordinator (teacher)
    JUDGE = "judge"  # judge of a contest (scope_id = contest id)
    CHECKIN = "checkin"  # check-in staff of an event (scope_id = event id)
    EXPERT = "expert"  # expert of a call (评选专家, scope_id = call id), invited from the expert pool


POLICIES: dict[str, Callable[..., bool]] = {}


def policy(name: str):
    """Register a permission rule under name; it receives (user, obj) and returns bool."""

    def register(fn: Callable[..., bool]):
        if name in POLICIES:
            raise ValueError(f"policy {name!r} registered twice")
        POLICIES[name] = fn
        return fn

    return register


def can(action: str, obj: Any = None, user: Any = None) -> bool:
    """True when user (default: current user) may do action on obj. Unknown actions raise (typos fail loudly)."""
    user = current_user if user is None else user
    if not getattr(user, "is_authenticated", False):
        return False
    if not getattr(user, "is_active", False):
        return False
    rule = POLICIES[action]
    return bool(is_admin(user) or rule(user, obj))


def require(action: str, obj: Any = None) -> None:
    """403 unless the current user can do action on obj."""
    if not can(action, obj):
        abort(403)


def get_or_404(model: type[T], ident: Any) -> T:
    """Load by primary key or answer 404."""
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


PUBLIC_ENDPOINTS: set[str] = {"static"}


def public(view):
    """Mark a view function (or MethodView class) as reachable without logging in."""
    view.is_public = True
    return view


def mark_public_endpoint(endpoint: str) -> None:
    """For views we do not write ourselves (the OpenAPI document)."""
    PUBLIC_ENDPOINTS.add(endpoint)


def is_public_view(endpoint: str, view) -> bool:
    return bool(
        endpoint in PUBLIC_ENDPOINTS
        or getattr(view, "is_public", False)
        or getattr(getattr(view, "view_class", None), "is_public", False)
    )


# --- role primitives -----------------------------------------------------------------------------------


def is_admin(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.has_role(Role.ADMIN)


def organises(user, organisation_id: int | None) -> bool:
    """Organiser of this organisation or of one of its parent units (a city organiser manages its counties)."""
    return organisation_id is not None and organisation_id in user.organised_org_ids()


def coordinates(user, school_id: int | None) -> bool:
    return school_id is not None and school_id in user.scope_ids(Role.COORDINATOR)


def judges(user, contest_id: int | None) -> bool:
    return contest_id is not None and contest_id in user.scope_ids(Role.JUDGE)


def staffs(user, event_id: int | None) -> bool:
    return event_id is not None and event_id in user.scope_ids(Role.CHECKIN)


def is_organiser(user) -> bool:
    return bool(user.organised_org_ids())


# --- core ----------------------------------------------------------------------------------------------


@policy("admin")
def _admin_only(user, obj) -> bool:
    return False  # admins pass in can() before any rule runs


@policy("audit.browse")
def _browse_audit(user, obj) -> bool:
    return is_organiser(user)


@policy("job.view")
def _view_job(user, job) -> bool:
    return job is not None and job.owner_id == user.id
