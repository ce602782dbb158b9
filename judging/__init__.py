"""Judging: rounds, rubrics, judges, balanced conflict-free assignment, mobile scoring, robot-run refereeing,
aggregation (mean, trimmed mean, z-score, median), judge quality, awards, public notice with objections."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from core.api import register_api
    from core.permissions import Role, is_organiser
    from core.ui import add_dashboard_panel, add_home_section, add_nav
    from judging import demo, models, panels, policies  # noqa: F401  (tables, seeders, permission rules)
    from judging.api import blp as api_blp
    from judging.cli import judging_cli
    from judging.presentations import models as presentation_models  # noqa: F401  (tables)
    from judging.views import bp

    app.register_blueprint(bp, url_prefix="/judging")
    register_api(app, api_blp)
    app.cli.add_command(judging_cli)
    add_nav(200, _l("Judging rounds"), "judging.index", lambda u: is_organiser(u) or u.has_role(Role.ADMIN))
    add_nav(210, _l("My judging"), "judging.my", _judges_anything)
    add_dashboard_panel(200, "judging/_dashboard_panel.html", panels.dashboard_context)
    add_dashboard_panel(205, "judging/_organiser_panel.html", panels.organiser_context)
    from core.ui import add_attention
    from judging.attention import attention

    add_attention(100, attention)  # the dashboard's "needs me now" panel
    add_home_section(200, "judging/_home_notices.html", panels.home_context)
    _register_outcomes()
    _register_submission_kinds()
    _register_certificate_source()
    _register_invitation_scope()


def _register_outcomes() -> None:
    """Schools see their outcomes on competitions' pages (which import nothing of judging) and the dashboard."""
    from core.ui import add_dashboard_panel, add_page_section
    from judging import outcome_panels

    add_page_section("competitions.entry", 100, "judging/_entry_outcome.html", outcome_panels.entry_section)
    add_page_section(
        "competitions.entry", 90, "judging/_presentation_slot.html", outcome_panels.entry_presentation_section
    )
    add_page_section(
        "competitions.school_entries",
        100,
        "judging/_school_outcome_summary.html",
        outcome_panels.school_entries_section,
    )
    add_dashboard_panel(150, "judging/_dashboard_outcomes.html", outcome_panels.dashboard_context)


def _register_submission_kinds() -> None:
    """Contest entries are judged as submissions of kind "entry"; competitions adapts them and, sitting below
    judging, cannot register them itself."""
    from competitions.submissions import load_entries
    from judging.submissions import ENTRY_KIND, SubmissionKind, register_kind

    words = {
        "mine": _l("My entries"),
        "none": _l("No entries are assigned to you in this round."),
        "next": _l("Next entry"),
        "cannot": _l("Cannot judge this entry?"),
        "why": _l("Why can you not judge this entry?"),
    }
    register_kind(SubmissionKind(ENTRY_KIND, _l("Contest entry"), load_entries, words))


def _make_judge_profile(user, owner, actor) -> None:
    """The judge role was granted on owner (a contest, or a call through calls' scope): make the profile now, so
    pages that show judges only read."""
    from judging.services import judges as judges_service

    judges_service.ensure_judge(owner, user, actor=actor)


def _register_invitation_scope() -> None:
    """Judges are invited to a contest by those who may manage its judging (accounts checks it)."""
    from accounts.scopes import InvitationScope, register_invitation_scope
    from core.permissions import Role

    register_invitation_scope(
        Role.JUDGE,
        InvitationScope(
            load=_contest,
            permission="judging.manage",
            choices=_contests_judged_by_organiser,
            unknown=_l("This contest does not exist."),
            name=_contest_name,
            granted=_make_judge_profile,
        ),
    )


def _contest(contest_id: int):
    from competitions.models import Contest
    from core.extensions import db

    return db.session.get(Contest, contest_id)


def _contests_judged_by_organiser(user) -> list[tuple[int, str]]:
    """(id, "year name") of the contests whose judging user manages, newest first."""
    import sqlalchemy as sa

    from competitions.models import Contest
    from core.extensions import db
    from core.permissions import can, is_admin

    query = sa.select(Contest).order_by(Contest.year.desc(), Contest.name)
    if not is_admin(user):
        query = query.where(Contest.organisation_id.in_(sorted(user.organised_org_ids()) or [-1]))
    return [
        (c.id, _contest_name(c)) for c in db.session.execute(query).scalars() if can("judging.manage", c, user=user)
    ]


def _contest_name(contest) -> str:
    """A contest as organisers pick it and invited judges read it: its year and name."""
    return f"{contest.year} {contest.name}"


def _register_certificate_source() -> None:
    try:
        from certificates.sources import CertificateSource, register_source
    except ImportError:  # certificates area not installed
        return
    from judging.services.notice import collect_award_holders

    register_source(
        CertificateSource(
            key="judging.awards",
            kind="award",
            scope="contest",
            label=_l("Award winners (final results)"),
            collect=collect_award_holders,
            scopes=_contest_choices,
        )
    )


def _contest_choices(organisation_ids):
    """(id, "2026 name") of the contests of these organisations, newest first: the certificate issue picker."""
    import sqlalchemy as sa

    from competitions.models import Contest
    from core.extensions import db

    stmt = sa.select(Contest.id, Contest.year, Contest.name).order_by(Contest.year.desc(), Contest.id.desc())
    if organisation_ids is not None:
        stmt = stmt.where(Contest.organisation_id.in_(list(organisation_ids)))
    return [(cid, f"{year} {name}") for cid, year, name in db.session.execute(stmt)]


def _judges_anything(user) -> bool:
    """A judge of a contest, or of another owner (a call's invited expert: judging.owners)."""
    from core.permissions import Role
    from judging.owners import OWNERS

    return bool(user.scope_ids(Role.JUDGE)) or any(user.scope_ids(k.judge_role) for k in OWNERS.values())
