"""The organiser's "needs me now" items of the judging area: objections to a 公示 still unanswered."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from core.extensions import db
from core.permissions import is_admin
from core.ui import Attention


def attention(user) -> list[Attention]:
    from competitions.models import Contest
    from judging.models import Notice, Objection

    org_ids = None if is_admin(user) else sorted(user.organised_org_ids())
    if org_ids == []:
        return []
    query = (
        sa.select(Contest, sa.func.count(Objection.id))
        .join(Notice, Notice.contest_id == Contest.id)
        .join(Objection, Objection.notice_id == Notice.id)
        .where(Objection.status == "open", Notice.finalised_at.is_(None))
        .group_by(Contest.id)
        .order_by(Contest.id)
    )
    if org_ids is not None:
        query = query.where(Contest.organisation_id.in_(org_ids))
    return [
        Attention(
            10,
            _l("Objections to answer · %(contest)s", contest=contest.name),
            url_for("judging.notice", contest_id=contest.id),
            n,
            "objection",
        )
        for contest, n in db.session.execute(query)
    ]
