"""Calls (评选/申报): selections beyond youth contests — papers, talents, workstations, advisors — with an
organiser-built application form, organiser review, experts' scores aggregated by judging's methods, and outcomes
as levels by quota, bands by thresholds or top-N."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    # tables, policies, message kinds, seeders, and the routes the other view modules add to calls' blueprint
    from calls import (  # noqa: F401
        demo,
        demo_roadshow,
        experts,
        files,
        models,
        nominations,
        notifications,
        policies,
        pool_views,
        recommend_views,
        round_views,
        setup_views,
    )
    from calls.cli import calls_cli
    from calls.review import bp as review_bp
    from calls.views import bp
    from core.ui import add_nav

    app.register_blueprint(bp, url_prefix="/calls")
    app.register_blueprint(review_bp, url_prefix="/calls")
    app.cli.add_command(calls_cli)
    from calls.api import blp as api_blp
    from core.api import register_api

    register_api(app, api_blp)
    add_nav(220, _l("Calls"), "calls.index", lambda u: True)
    from core.ui import add_home_section

    add_home_section(250, "calls/_home_open.html", _home_context)
    from calls.submissions import KIND, load_applications
    from judging.submissions import SubmissionKind, register_kind

    words = {
        "mine": _l("My applications to review"),
        "none": _l("No applications are assigned to you in this round."),
        "next": _l("Next application"),
        "cannot": _l("Cannot review this application?"),
        "why": _l("Why can you not review this application?"),
    }
    register_kind(SubmissionKind(KIND, _l("Application"), load_applications, words))  # judged as a submission
    from core.ui import add_page_section

    add_page_section("calls.application", 90, "judging/_presentation_slot.html", _presentation_section)
    from calls.judging import register as register_judging_owner

    register_judging_owner()  # a call owns rounds, judges and 公示 on judging's engine
    _register_invitation_scope()
    _register_reports()
    from calls.certificates import register as register_certificate_source

    register_certificate_source()  # results of a finished call, scope "call" (calls/certificates.py)
    app.jinja_env.globals["call_certificates_url"] = _certificates_url


def _certificates_url(call) -> str | None:
    """The certificates issue page with this call's results picked, when the certificates area is installed."""
    from flask import current_app, url_for

    if "certificates.issue" not in current_app.view_functions:
        return None
    return url_for("certificates.issue", source="calls.results", scope_id=call.id)


def _register_reports() -> None:
    """The annual report counts calls; the open data publishes their final results (calls.reports)."""
    try:
        from reports.services.annual import register_annual_section
        from reports.services.opendata import register_open_tables
    except ImportError:  # reports area not installed
        return
    from calls.reports import annual_section, open_tables

    register_annual_section(annual_section)
    register_open_tables(open_tables)


def _register_invitation_scope() -> None:
    """Experts are invited to a call from the pool by those who manage the call (accounts checks it)."""
    from accounts.scopes import InvitationScope, register_invitation_scope
    from core.permissions import Role

    register_invitation_scope(
        Role.EXPERT,
        InvitationScope(
            load=_call,
            permission="calls.manage",
            choices=_calls_managed_by,
            unknown=_l("This call does not exist."),
            name=lambda call: f"{call.year} {call.title}",
            granted=_make_expert_profile,
        ),
    )


def _make_expert_profile(user, call, actor) -> None:
    """An expert invited to a call reviews on judging's rounds: their judge profile of the call is made now."""
    from judging.services import judges as judges_service

    judges_service.ensure_judge(call, user, actor=actor)


def _call(call_id: int):
    from calls.models import Call
    from core.extensions import db

    return db.session.get(Call, call_id)


def _calls_managed_by(user) -> list[tuple[int, str]]:
    from calls.services import calls_for
    from core.permissions import is_admin

    return [(c.id, f"{c.year} {c.title}") for c in calls_for(user, is_admin=is_admin(user))]


def _home_context() -> dict | None:
    """Calls open to individuals, on the public home page: an adult applies after registering (accounts.signup)."""
    from calls import services
    from calls.models import Applicants

    rows = [c for c in services.open_calls() if c.applicants == Applicants.INDIVIDUALS]
    return {"rows": rows[:5]} if rows else None


def _presentation_section(user, application) -> dict | None:
    """The application's page (its owner, the organisers: the view checks who sees it): its 答辩 slot, if any."""
    from calls.judging import KIND as CALL
    from judging.presentations.services import slots_of_submissions

    slot = slots_of_submissions(CALL, [application.id]).get(application.id)
    return None if slot is None else {"slot": slot}
