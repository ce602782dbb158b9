"""Permission rules of the accounts area: organisations, invitations, users, schools.

Imported by the area's init_app, which registers every @policy below (core.permissions holds the mechanism)."""

from __future__ import annotations

from core.permissions import coordinates, is_organiser, organises, policy


@policy("organisation.manage")
def _manage_organisation(user, org) -> bool:
    """Organisers manage their own unit and everything below it (schools, communities, sub-units)."""
    return org is not None and organises(user, org.id)


@policy("organisation.create")
def _create_organisation(user, parent) -> bool:
    return is_organiser(user) if parent is None else organises(user, parent.id)


@policy("invitation.create")
def _create_invitation(user, org) -> bool:
    return is_organiser(user) if org is None else organises(user, org.id)


@policy("user.manage")
def _manage_users(user, obj) -> bool:
    return False  # admin only


@policy("school.view")
def _view_school(user, school) -> bool:
    return school is not None and (coordinates(user, school.id) or organises(user, school.id))
