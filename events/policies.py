"""Permission rules of the events area: events, venues, caravans, check-in, visit requests.

Imported by the area's init_app, which registers every @policy below (core.permissions holds the mechanism)."""

from __future__ import annotations

from core.permissions import Role, coordinates, is_organiser, organises, policy, staffs


@policy("event.create")
def _create_event(user, org) -> bool:
    """Organisers create events (and venues, caravans) for their own units."""
    return is_organiser(user) if org is None else organises(user, org.id)


@policy("event.manage")
def _manage_event(user, obj) -> bool:
    """Organisers of the event's (venue's, caravan's, visit's) organisation manage it."""
    return obj is not None and organises(user, obj.organisation_id)


@policy("event.view_list")
def _view_event_list(user, obj) -> bool:
    return is_organiser(user) or bool(user.scope_ids(Role.CHECKIN))


@policy("event.checkin")
def _checkin_event(user, event) -> bool:
    """Check-in staff of this event (granted per event), and its organisers, scan tickets."""
    return event is not None and (staffs(user, event.id) or organises(user, event.organisation_id))


@policy("visit.request")
def _request_visit(user, org) -> bool:
    """School coordinators (and organisers) request a caravan visit from their account."""
    return bool(user.scope_ids(Role.COORDINATOR)) or is_organiser(user)


@policy("visit.view")
def _view_visit(user, visit) -> bool:
    return visit is not None and (
        organises(user, visit.organisation_id)
        or visit.submitted_by_id == user.id
        or coordinates(user, visit.host_organisation_id)
    )
