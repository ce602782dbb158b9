"""Calls (评选/申报): selections beyond youth contests — papers, talents, workstations, advisors — with an
organiser-built application form, organiser review, experts' scores aggregated by judging's methods, and outcomes
as levels by quota, bands by thresholds or top-N."""
from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from calls import demo, models, policies  # noqa: F401  (tables, policies, seeders)
    from calls.cli import calls_cli
    from calls.review import bp as review_bp
    from calls.views import bp
    from core.ui import add_nav

    app.register_blueprint(bp, url_prefix="/calls")
    app.register_blueprint(review_bp, url_prefix="/calls")
    app.cli.add_command(calls_cli)
    add_nav(220, _l("Calls"), "calls.index", lambda u: True)
    from calls.submissions import KIND, load_applications
    from judging.submissions import SubmissionKind, register_kind

    register_kind(SubmissionKind(KIND, _l("Application"), load_applications))  # judged as a submission
