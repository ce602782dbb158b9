"""Judging: rounds, rubrics, judges, balanced conflict-free assignment, mobile scoring, robot-run refereeing,
aggregation (mean, trimmed mean, z-score, median), judge quality, awards, public notice with objections."""
from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from core.api import register_api
    from core.permissions import Role, is_organiser
    from core.ui import add_dashboard_panel, add_home_section, add_nav
    from judging import demo, models, panels  # noqa: F401  (tables, seeders)
    from judging.api import blp as api_blp
    from judging.cli import judging_cli
    from judging.views import bp

    app.register_blueprint(bp, url_prefix="/judging")
    register_api(app, api_blp)
    app.cli.add_command(judging_cli)
    add_nav(200, _l("Judging rounds"), "judging.index", lambda u: is_organiser(u) or u.has_role(Role.ADMIN))
    add_nav(210, _l("My judging"), "judging.my", lambda u: bool(u.scope_ids(Role.JUDGE)))
    add_dashboard_panel(200, "judging/_dashboard_panel.html", panels.dashboard_context)
    add_home_section(200, "judging/_home_notices.html", panels.home_context)
    _register_certificate_source()


def _register_certificate_source() -> None:
    try:
        from certificates.sources import CertificateSource, register_source
    except ImportError:  # certificates area not installed
        return
    from judging.services import collect_award_holders

    register_source(CertificateSource(key="judging.awards", kind="award", scope="contest",
                                      label=_l("Award winners (final results)"), collect=collect_award_holders,
                                      scopes=_contest_choices))


def _contest_choices(organisation_ids):
    """(id, "2026 name") of the contests of these organisations, newest first: the certificate issue picker."""
    import sqlalchemy as sa

    from competitions.models import Contest
    from core.extensions import db

    stmt = sa.select(Contest.id, Contest.year, Contest.name).order_by(Contest.year.desc(), Contest.id.desc())
    if organisation_ids is not None:
        stmt = stmt.where(Contest.organisation_id.in_(list(organisation_ids)))
    return [(cid, f"{year} {name}") for cid, year, name in db.session.execute(stmt)]
