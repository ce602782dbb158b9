"""Certificates: templates, fonts, numbering, rendering, records and verification."""

from __future__ import annotations


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from certificates import demo, jobs, models, policies  # noqa: F401  (tables, job handler, demo seeder, rules)
    from certificates.api import blp as api_blp
    from certificates.cli import certificates_cli
    from certificates.sources import scope_label
    from certificates.views import bp, verify_bp
    from core.api import register_api
    from core.permissions import can
    from core.ui import add_dashboard_panel, add_home_section, add_nav

    app.config.setdefault("CERTIFICATE_FONT_DIRS", None)
    app.register_blueprint(bp, url_prefix="/certificates")
    app.register_blueprint(verify_bp)
    register_api(app, api_blp)
    app.cli.add_command(certificates_cli)
    add_nav(400, _l("Certificates"), "certificates.index", lambda u: can("certificate.view_list", user=u))
    add_dashboard_panel(400, "certificates/_dashboard_panel.html", _dashboard_context)
    add_home_section(400, "certificates/_home_verify.html", lambda: {})
    # Other areas' pages show a holder's certificates without importing this package (e.g. the event ticket
    # page: {{ certificate_links("events.attendees", event.id, "registration:%d" % r.id) }}).
    app.jinja_env.globals["certificate_links"] = certificate_links
    app.jinja_env.globals["certificate_scope_label"] = scope_label


def certificate_links(source_key: str, scope_id: int, holder_ref: str) -> list[tuple[str, str, str]]:
    """(holder name, certificate number, signed download URL) for one holder's valid certificates."""
    from certificates import services

    return [
        (c.holder_name, c.number, services.download_url(c))
        for c in services.holder_certificates(source_key, scope_id, holder_ref)
    ]


def _dashboard_context(user):
    """Counts for the organiser's dashboard; nothing for users without certificate work."""
    from core.permissions import can

    if not can("certificate.view_list", user=user):
        return None
    from accounts.models import Organisation
    from certificates import services
    from core.extensions import db
    from core.permissions import Role

    ids = None if user.has_role(Role.ADMIN) else sorted(user.organised_org_ids())
    summaries = services.scope_summaries(ids) if ids is None or ids else []
    school_ids = sorted(user.scope_ids(Role.COORDINATOR))
    schools = [db.session.get(Organisation, i) for i in school_ids]
    return {
        "summaries": summaries[:5],
        "schools": [s for s in schools if s is not None],
        "organiser": ids is None or bool(ids),
    }
