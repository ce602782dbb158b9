"""Events area: venues, events, sessions, the science caravan, registrations, tickets and check-in."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Plug the events area into the app: blueprints, API, CLI, UI panels, certificate source, demo seeder."""
    from core.api import register_api
    from core.permissions import can
    from core.ui import add_dashboard_panel, add_home_section, add_nav
    from events import demo, models, policies, share  # noqa: F401  (tables, demo seeder, permission rules, poster and share routes)
    from events.api import blp as api_blp
    from events.caravan import models as caravan_models  # noqa: F401  (the caravan's tables)
    from events.cli import events_cli
    from events.tickets import format_code
    from events.views import bp

    app.config.setdefault("EVENTS_SETUP_MINUTES", 60)  # caravan set-up before a visit
    app.config.setdefault("EVENTS_TEARDOWN_MINUTES", 30)  # packing up after it
    app.config.setdefault("EVENTS_TRAVEL_MINUTES", 60)  # default travel time (a venue may override it)
    app.register_blueprint(bp, url_prefix="/events")
    register_api(app, api_blp)
    app.cli.add_command(events_cli)
    app.jinja_env.filters["ticket_code"] = format_code
    app.jinja_env.globals["events_label"] = lambda vocabulary, value: models.label_of(models.LABELS[vocabulary], value)
    add_nav(300, _l("Events"), "events.manage", lambda u: can("event.view_list", user=u))
    add_nav(310, _l("Science caravan"), "events.caravans", lambda u: can("event.create", user=u))
    add_dashboard_panel(300, "events/_dashboard_panel.html", dashboard_context)
    from core.ui import add_attention
    from events.attention import attention

    add_attention(100, attention)  # the dashboard's "needs me now" panel
    add_home_section(300, "events/_home_events.html", home_context)
    _register_certificate_source()
    _register_invitation_scope()


def _register_invitation_scope() -> None:
    """Check-in staff are invited to an event by those who manage it (accounts checks it)."""
    from accounts.scopes import InvitationScope, register_invitation_scope
    from core.permissions import Role

    register_invitation_scope(
        Role.CHECKIN,
        InvitationScope(
            load=_event,
            permission="event.manage",
            choices=_events_managed_by,
            unknown=_l("This event does not exist."),
            name=_event_name,
        ),
    )


def _event(event_id: int):
    from core.extensions import db
    from events.models import Event

    return db.session.get(Event, event_id)


def _events_managed_by(user) -> list[tuple[int, str]]:
    """(id, "date title") of the events user manages, latest first."""
    import sqlalchemy as sa

    from core.extensions import db
    from core.permissions import can, is_admin
    from events.models import Event

    query = sa.select(Event).order_by(Event.starts_at.desc()).limit(500)
    if not is_admin(user):
        query = query.where(Event.organisation_id.in_(sorted(user.organised_org_ids()) or [-1]))
    return [(e.id, _event_name(e)) for e in db.session.execute(query).scalars() if can("event.manage", e, user=user)]


def _event_name(event) -> str:
    """An event as organisers pick it and invited staff read it: its day and title."""
    from core.i18n import format_day

    return f"{format_day(event.starts_at, 'medium')} {event.title}"


def dashboard_context(user) -> dict | None:
    """Upcoming events the user organises or staffs, and pending caravan requests; for a school coordinator,
    the caravan requests of their school (or sent from their account) and the way to send one."""
    import sqlalchemy as sa

    from core.db import utcnow
    from core.extensions import db
    from core.permissions import Role, can, is_admin
    from events.caravan.models import CaravanVisit
    from events.models import PENDING_VISIT_STATUSES
    from events.services import planning as planning_service

    if not can("event.view_list", user=user):
        schools = user.scope_ids(Role.COORDINATOR)
        if not schools:
            return None
        visits = (
            db.session.execute(
                sa.select(CaravanVisit)
                .where(
                    sa.or_(
                        CaravanVisit.host_organisation_id.in_(sorted(schools)), CaravanVisit.submitted_by_id == user.id
                    )
                )
                .order_by(CaravanVisit.starts_at.desc())
                .limit(5)
            )
            .scalars()
            .all()
        )
        return {"visits": visits, "coordinator": True}
    org_ids = None if is_admin(user) else sorted(user.organised_org_ids())
    staff_only = org_ids is not None and not org_ids
    rows = planning_service.list_events(organisation_ids=None if staff_only else org_ids, upcoming_from=utcnow())
    if staff_only:
        staffed = user.scope_ids(Role.CHECKIN)
        rows = [row for row in rows if row[0].id in staffed]
    pending_query = sa.select(sa.func.count(CaravanVisit.id)).where(CaravanVisit.status.in_(PENDING_VISIT_STATUSES))
    if org_ids is not None:
        pending_query = pending_query.where(CaravanVisit.organisation_id.in_(org_ids or [-1]))
    return {"rows": rows[:5], "pending": db.session.execute(pending_query).scalar() or 0, "staff_only": staff_only}


def home_context() -> dict | None:
    from core.db import utcnow
    from events.services import planning as planning_service

    rows = planning_service.list_events(published_only=True, upcoming_from=utcnow())
    return {"rows": rows[:5]} if rows else None


def _register_certificate_source() -> None:
    try:
        from certificates.sources import CertificateSource, register_source
    except ImportError:  # the certificates area is not installed
        return
    from events.services.attendance import collect_attendees

    register_source(
        CertificateSource(
            key="events.attendees",
            kind="attendance",
            scope="event",
            label=_l("Attendees (checked in)"),
            collect=collect_attendees,
            scopes=_event_choices,
        )
    )


def _event_choices(organisation_ids):
    """(id, "2026-05-20 title") of the events of these organisations, newest first: the certificate issue picker."""
    import sqlalchemy as sa
    from flask_babel import to_user_timezone

    from core.extensions import db
    from events.models import Event

    stmt = sa.select(Event.id, Event.starts_at, Event.title).order_by(Event.starts_at.desc(), Event.id.desc())
    if organisation_ids is not None:
        stmt = stmt.where(Event.organisation_id.in_(list(organisation_ids)))
    return [(eid, f"{to_user_timezone(starts):%Y-%m-%d} {title}") for eid, starts, title in db.session.execute(stmt)]
