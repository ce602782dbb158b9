"""Reports area: the organiser's figures, the annual report (page, PDF, .xlsx), the school view, the lists
every figure links to, and the open-data export. Reads every other area; owns no tables."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Plug the reports area in: blueprint, API, CLI (report, opendata), navigation and a dashboard panel."""
    from core.api import register_api
    from core.permissions import Role, can
    from core.ui import add_dashboard_panel, add_nav
    from reports import jobs, policies  # noqa: F401  (the annual report job handler, permission rules)
    from reports.api import blp as api_blp
    from reports.cli import opendata_cli, report_command
    from reports.views import bp

    app.register_blueprint(bp, url_prefix="/reports")
    register_api(app, api_blp)
    app.cli.add_command(report_command)
    app.cli.add_command(opendata_cli)
    add_nav(500, _l("Reports"), "reports.index", lambda u: can("report.view", user=u))
    add_nav(
        510,
        _l("Our school"),
        "reports.my_schools",
        lambda u: bool(u.scope_ids(Role.COORDINATOR)) and not can("report.view", user=u),
    )
    if not any(p.template == "reports/_dashboard_panel.html" for p in _panels()):
        add_dashboard_panel(500, "reports/_dashboard_panel.html", dashboard_context)


def _panels():
    from core.ui import DASHBOARD

    return DASHBOARD


def dashboard_context(user) -> dict | None:
    """Pipeline totals, this month's events and the check-in rate, for organisers."""
    from core.permissions import can, is_admin
    from reports import periods, services

    if not can("report.view", user=user):
        return None
    board = services.dashboard(None if is_admin(user) else sorted(user.organised_org_ids()), visits_limit=0)
    return {
        "steps": services.STEPS,
        "step_labels": services.STEP_LABELS,
        "totals": services.dashboard_totals(board),
        "events": len(board.events),
        "checkin_rate": board.checkin_rate,
        "month": periods.local(board.month_start).strftime("%Y-%m"),
    }
