"""Competitions: contests, categories, eligibility, quotas, students, advisors, entries, materials, review."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def panel_context(user) -> dict | None:
    """Dashboard: contests the user organises (with entries waiting for review) and those of their school still
    under way (registration to public notice); contests with final results stay on judging's results panel."""
    import sqlalchemy as sa

    from competitions.models import Entry, EntryStatus
    from competitions.services import contests as contests_service
    from core.extensions import db
    from core.permissions import Role, is_admin

    managed = []
    org_ids = user.organised_org_ids()
    if org_ids or is_admin(user):
        contests = contests_service.list_contests(None if is_admin(user) else org_ids)[:8]
        waiting = dict(
            db.session.execute(
                sa.select(Entry.contest_id, sa.func.count())
                .where(
                    Entry.contest_id.in_([c.id for c in contests] or [-1]), Entry.status == EntryStatus.SUBMITTED.value
                )
                .group_by(Entry.contest_id)
            ).all()
        )
        managed = [(c, waiting.get(c.id, 0)) for c in contests]
    school_ids = user.scope_ids(Role.COORDINATOR)
    schools, open_contests = [], []
    if school_ids:
        from accounts.models import Organisation

        schools = list(db.session.execute(sa.select(Organisation).where(Organisation.id.in_(school_ids))).scalars())
        for school in schools:
            open_contests += [
                (school, c, contests_service.status_label_for_school(c, school.id))
                for c in contests_service.contests_open_to_school(school)
                if c.status in ("registration", "closed", "judging", "notice")
            ]
    if not managed and not schools:
        return None
    return {"managed": managed, "open": open_contests, "schools": schools}


def init_app(app: Flask) -> None:
    from competitions import demo, jobs, models, policies  # noqa: F401  (tables, seeders, job handlers, rules)
    from competitions.api import blp as api_blp
    from competitions.cli import init_cli
    from competitions.views import bp
    from core.api import register_api
    from core.permissions import can
    from core.ui import add_dashboard_panel, add_nav

    app.register_blueprint(bp, url_prefix="/contests")
    register_api(app, api_blp)
    init_cli(app)
    add_nav(100, _l("Contests"), "competitions.index", lambda u: can("contest.view_list", user=u))
    add_dashboard_panel(100, "competitions/_dashboard_panel.html", panel_context)
    from competitions.attention import attention
    from core.ui import add_attention

    add_attention(100, attention)  # the dashboard's "needs me now" panel
    _register_certificate_sources()


def _register_certificate_sources() -> None:
    """Participants and advisors of approved entries, handed to the certificates area (which imports no area)."""
    try:
        from certificates.sources import CertificateSource, register_source
    except ImportError:  # certificates area not installed
        return
    from competitions.services.certificates import collect_advisors, collect_participants

    register_source(
        CertificateSource(
            key="competitions.participants",
            kind="participation",
            scope="contest",
            label=_l("Participants (students of approved entries)"),
            collect=collect_participants,
        )
    )
    register_source(
        CertificateSource(
            key="competitions.advisors",
            kind="advisor",
            scope="contest",
            label=_l("Advisors of approved entries"),
            collect=collect_advisors,
        )
    )
