"""Permission rules of the competitions area: contests, school rosters, entries, materials.

Imported by the area's init_app, which registers every @policy below (core.permissions holds the mechanism)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from accounts.models import descendant_ids
from core.permissions import Role, coordinates, is_organiser, organises, policy

# Extra "may download this entry's materials from /contests/materials/<id>" checks, (user, entry) -> bool,
# appended by a higher area at start-up (competitions imports none). Judging currently serves materials to
# assigned judges through its own assignment-checked route, so the list is empty unless an area adds one.
ENTRY_MATERIAL_VIEWERS: list[Callable[[Any, Any], bool]] = []


def _school_under(user, contest) -> bool:
    """A coordinator's school lies under the contest's organising unit (so the school may register)."""
    schools = user.scope_ids(Role.COORDINATOR)
    if not schools or contest is None:
        return False
    return bool(schools & descendant_ids({contest.organisation_id}))


@policy("contest.view_list")
def _view_contest_list(user, obj) -> bool:
    return is_organiser(user) or bool(user.scope_ids(Role.COORDINATOR))


@policy("contest.create")
def _create_contest(user, org) -> bool:
    return is_organiser(user) if org is None else organises(user, org.id)


@policy("contest.view")
def _view_contest(user, contest) -> bool:
    """Organisers of the unit; coordinators of schools under it once the contest is out of draft."""
    if contest is None:
        return False
    if organises(user, contest.organisation_id):
        return True
    return contest.status != "draft" and _school_under(user, contest)


@policy("contest.manage")
def _manage_contest(user, contest) -> bool:
    """Set up, move along the lifecycle, review, export: organisers of the contest's unit (or above it)."""
    return contest is not None and organises(user, contest.organisation_id)


@policy("contest.register")
def _register_in_contest(user, contest) -> bool:
    """Register entries: coordinators of a school under the organising unit, contest out of draft."""
    return contest is not None and contest.status != "draft" and _school_under(user, contest)


@policy("school.roster")
def _school_roster(user, school) -> bool:
    """Students and advisors of a school: its coordinators, and organisers above it."""
    return school is not None and (coordinates(user, school.id) or organises(user, school.id))


@policy("entry.view")
def _view_entry(user, entry) -> bool:
    return entry is not None and (coordinates(user, entry.school_id) or organises(user, entry.contest.organisation_id))


@policy("entry.edit")
def _edit_entry(user, entry) -> bool:
    """Only the school's coordinators change an entry (the window and status are the service's rules)."""
    return entry is not None and coordinates(user, entry.school_id)


@policy("entry.review")
def _review_entry(user, entry) -> bool:
    return entry is not None and organises(user, entry.contest.organisation_id)


@policy("material.view")
def _view_material(user, entry) -> bool:
    """An entry's files: its school, the organisers, and anyone an area adds to ENTRY_MATERIAL_VIEWERS."""
    if entry is None:
        return False
    if coordinates(user, entry.school_id) or organises(user, entry.contest.organisation_id):
        return True
    return any(check(user, entry) for check in ENTRY_MATERIAL_VIEWERS)
