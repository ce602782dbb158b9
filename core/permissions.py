"""Every permission rule of the platform, in one module, used by pages and API alike.

Views do: obj = get_or_404(Model, id); require("entry.edit", obj); ... Policies are small functions
registered under a dotted name with @policy. They read roles from the user object (accounts.models.User),
which loads the user's memberships once per request. Objects are read by duck typing (contest.organisation_id,
entry.school_id, ...) so this module imports no area.

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


# --- accounts ------------------------------------------------------------------------------------------


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


# --- competitions (section owned by the competitions area) ---------------------------------------------

# Extra "may download this entry's materials from /contests/materials/<id>" checks, (user, entry) -> bool,
# appended by a higher area at start-up (core imports no area). Judging currently serves materials to
# assigned judges through its own assignment-checked route, so the list is empty unless an area adds one.
ENTRY_MATERIAL_VIEWERS: list[Callable[[Any, Any], bool]] = []


def _school_under(user, contest) -> bool:
    """A coordinator's school lies under the contest's organising unit (so the school may register)."""
    schools = user.scope_ids(Role.COORDINATOR)
    if not schools or contest is None:
        return False
    from accounts.models import descendant_ids  # lazily: accounts sits above core

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


# --- judging (section owned by the judging area) -------------------------------------------------------


@policy("judging.manage")
def _manage_judging(user, contest) -> bool:
    """Organisers of the contest's organising unit run rounds, rubrics, judges, assignment, results, notice."""
    return contest is not None and organises(user, contest.organisation_id)


@policy("judging.judge")
def _judge_contest(user, contest) -> bool:
    """Judges of the contest score their own assignments (the assignment itself is checked by the service)."""
    return contest is not None and judges(user, contest.id)


@policy("judging.referee")
def _referee_contest(user, contest) -> bool:
    """Performance runs are recorded and confirmed by the contest's judges or its organisers."""
    return contest is not None and (judges(user, contest.id) or organises(user, contest.organisation_id))



# --- events (section owned by the events area) ---------------------------------------------------------


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


# --- certificates (section owned by the certificates area) ---------------------------------------------


@policy("certificate.view_list")
def _view_certificate_list(user, obj) -> bool:
    """The certificates menu: organisers (their units) and school coordinators (their students)."""
    return is_organiser(user) or bool(user.scope_ids(Role.COORDINATOR))


@policy("certificate.design")
def _design_certificates(user, organisation_id) -> bool:
    """Create templates and upload fonts/images: organisers, for their own units (None: any of them)."""
    return is_organiser(user) if organisation_id is None else organises(user, organisation_id)


@policy("certificate.template.edit")
def _edit_certificate_template(user, template) -> bool:
    return template is not None and organises(user, template.organisation_id)


@policy("certificate.issue")
def _issue_certificates(user, organisation_id) -> bool:
    """Issue for a contest/event: organisers of the unit that runs it (the source batch's organisation)."""
    return organisation_id is not None and organises(user, organisation_id)


@policy("certificate.manage")
def _manage_certificate(user, cert) -> bool:
    """See the full record, revoke, reissue: organisers of the issuing unit."""
    return cert is not None and organises(user, cert.organisation_id)


@policy("certificate.download")
def _download_certificate(user, cert) -> bool:
    """One certificate's PDF: its organisers, the holder's school coordinator, or the holder."""
    return cert is not None and (organises(user, cert.organisation_id) or coordinates(user, cert.school_id)
                                 or (cert.holder_user_id is not None and cert.holder_user_id == user.id))


@policy("certificate.school_download")
def _download_school_certificates(user, school_id) -> bool:
    """A school's certificates in bulk: that school's coordinators (and organisers above the school)."""
    return school_id is not None and (coordinates(user, school_id) or organises(user, school_id))


# --- reports (section owned by the reports area) -------------------------------------------------------


@policy("report.view")
def _view_reports(user, org) -> bool:
    """Figures and annual reports: organisers, for their units and everything below (None: any of them)."""
    return is_organiser(user) if org is None else organises(user, org.id)


@policy("report.school")
def _view_school_report(user, school) -> bool:
    """A school's participation and awards over the years: its coordinators and the organisers above it."""
    return school is not None and (coordinates(user, school.id) or organises(user, school.id))
