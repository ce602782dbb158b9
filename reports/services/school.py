"""The school view: a school's participation and awards per contest year."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from core.extensions import db
from reports.services.contests import EntryFilter, entry_where
from reports.services.labels import PUBLISHED_CONTEST_STATUSES


def school_history(school_id: int) -> list[dict]:
    """A school's participation and awards per contest year (all organisers): three grouped queries."""
    from competitions.models import Contest, Entry, EntryMember

    f = EntryFilter(school_id=school_id)
    years: dict[int, dict] = defaultdict(lambda: {"entries": 0, "students": 0, "awards": defaultdict(int)})
    base = sa.select().select_from(Entry).join(Contest, Contest.id == Entry.contest_id).where(*entry_where(f))
    for year, n in db.session.execute(base.add_columns(Contest.year, sa.func.count(Entry.id)).group_by(Contest.year)):
        years[year]["entries"] = int(n)
    pairs = (
        base.add_columns(Contest.year.label("y"), EntryMember.student_id.label("sid"))
        .join(EntryMember, EntryMember.entry_id == Entry.id)
        .distinct()
        .subquery()
    )
    for year, n in db.session.execute(sa.select(pairs.c.y, sa.func.count()).group_by(pairs.c.y)):
        years[year]["students"] = int(n)
    from judging.models import Result, in_contest_round

    for year, award, n in db.session.execute(
        sa.select(Contest.year, Result.award, sa.func.count(Result.id))
        .join(Entry, Entry.id == Result.entry_id)
        .join(Contest, Contest.id == Entry.contest_id)
        .where(
            Entry.school_id == school_id,
            Result.award.is_not(None),
            Contest.status.in_(PUBLISHED_CONTEST_STATUSES),
            in_contest_round(Result),
        )
        .group_by(Contest.year, Result.award)
    ):
        years[year]["awards"][award] = int(n)
    return [
        {"year": y, "entries": v["entries"], "students": v["students"], "awards": dict(v["awards"])}
        for y, v in sorted(years.items(), reverse=True)
    ]
