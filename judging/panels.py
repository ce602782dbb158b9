"""Dashboard panel (judges: rounds to score, re-check requests) and home section (results under public notice)."""

from __future__ import annotations

import sqlalchemy as sa

from core.extensions import db
from core.permissions import Role


def dashboard_context(user) -> dict | None:
    """Judges see their open rounds and the re-check requests addressed to them."""
    from competitions.models import Contest
    from judging.models import Judge, Round, RoundStatus
    from judging.services import scoring

    contest_ids = user.scope_ids(Role.JUDGE)
    if not contest_ids:
        return None
    rows = db.session.execute(
        sa.select(Round, Contest)
        .join(Contest, Contest.id == Round.contest_id)
        .where(Round.contest_id.in_(contest_ids), Round.status == RoundStatus.OPEN.value)
        .order_by(Round.contest_id, Round.position)
    ).all()
    withdrawn = set(
        db.session.execute(
            sa.select(Judge.contest_id).where(Judge.user_id == user.id, Judge.withdrawn_at.is_not(None))
        ).scalars()
    )
    rounds = [(r, c) for r, c in rows if c.id not in withdrawn]
    return {"rounds": rounds, "rechecks": scoring.pending_rechecks(user)}


def home_context() -> dict | None:
    """Contests whose results are under public notice or final (public pages)."""
    from competitions.models import Contest
    from judging.models import Notice

    rows = db.session.execute(
        sa.select(Notice, Contest)
        .join(Contest, Contest.id == Notice.contest_id)
        .order_by(Notice.starts_at.desc())
        .limit(10)
    ).all()
    if not rows:
        return None
    return {"notices": rows}


def organiser_context(user) -> dict | None:
    """Organisers see the objections still awaiting an answer and the recommendations awaiting their decision,
    per contest they manage; nothing when there is nothing to do."""
    from competitions.models import Contest
    from core.permissions import is_admin
    from judging.models import Notice, Objection, Recommendation, RecommendationStatus

    if is_admin(user):
        managed = None
    else:
        managed = sorted(user.organised_org_ids())
        if not managed:
            return None
    objections = (
        sa.select(Contest, sa.func.count(Objection.id), sa.func.min(Objection.created_at))
        .join(Notice, Notice.contest_id == Contest.id)
        .join(Objection, Objection.notice_id == Notice.id)
        .where(Objection.status == "open", Notice.finalised_at.is_(None))
        .group_by(Contest.id)
        .order_by(sa.func.min(Objection.created_at))
    )
    recommendations = (
        sa.select(Contest, sa.func.count(Recommendation.id))
        .join(Recommendation, Recommendation.target_contest_id == Contest.id)
        .where(Recommendation.status == RecommendationStatus.PENDING.value)
        .group_by(Contest.id)
        .order_by(Contest.id)
    )
    if managed is not None:
        objections = objections.where(Contest.organisation_id.in_(managed))
        recommendations = recommendations.where(Contest.organisation_id.in_(managed))
    open_objections = db.session.execute(objections).all()
    pending = db.session.execute(recommendations).all()
    if not open_objections and not pending:
        return None
    return {"objections": open_objections, "recommendations": pending}
