"""The organiser's "needs me now" items of the competitions area: entries to review, registration closing."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from core.db import utcnow
from core.extensions import db
from core.permissions import is_admin
from core.ui import Attention


def attention(user) -> list[Attention]:
    from competitions.models import Contest, Entry, EntryStatus

    org_ids = None if is_admin(user) else sorted(user.organised_org_ids())
    if org_ids == []:
        return []
    scope = (lambda q: q) if org_ids is None else (lambda q: q.where(Contest.organisation_id.in_(org_ids)))
    items = []
    waiting = db.session.execute(
        scope(
            sa.select(Contest, sa.func.count(Entry.id))
            .join(Entry, Entry.contest_id == Contest.id)
            .where(Entry.status == EntryStatus.SUBMITTED.value)
            .group_by(Contest.id)
            .order_by(Contest.id)
        )
    ).all()
    for contest, n in waiting:
        items.append(
            Attention(
                20,
                _l("Entries to review · %(contest)s", contest=contest.name),
                url_for("competitions.review", contest_id=contest.id),
                n,
                "review",
            )
        )
    now = utcnow()
    closing = db.session.execute(
        scope(
            sa.select(Contest)
            .where(Contest.registration_closes_at >= now, Contest.registration_closes_at < now + timedelta(days=7))
            .order_by(Contest.registration_closes_at)
        )
    ).scalars()
    for contest in closing:
        items.append(
            Attention(
                60,
                _l(
                    "Registration closes %(when)s · %(contest)s",
                    when=_moment(contest.registration_closes_at),
                    contest=contest.name,
                ),
                url_for("competitions.contest", contest_id=contest.id),
                None,
                "deadline",
            )
        )
    return items


def _moment(value) -> str:
    from core.i18n import format_moment

    return format_moment(value, "short")
