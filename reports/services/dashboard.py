"""The organiser dashboard: the pipeline of the contests in progress, judging progress, this month's
events and the caravan schedule, in a constant number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from core.db import utcnow
from core.extensions import db
from reports.periods import month_bounds
from reports.services.contests import EntryFilter, contest_where, step_clause
from reports.services.labels import STEPS
from reports.services.outreach import EventFilter, VisitFilter, event_where, visit_where


@dataclass
class Dashboard:
    pipeline: list[dict] = field(default_factory=list)  # per category: contest, category, counts per step
    rounds: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    visits: list = field(default_factory=list)
    month_start: datetime | None = None

    @property
    def ended_events(self) -> list[dict]:
        """This month's events that are over: the only ones a check-in rate can be read from."""
        return [e for e in self.events if e["ended"]]

    @property
    def checkin_rate(self) -> int | None:
        """People checked in ÷ people registered, in per cent, over this month's events that have ended
        (an event still to come has registrations and no check-ins yet, and would pull the rate down)."""
        registered = sum(e["registered"] for e in self.ended_events)
        checked = sum(e["checked_in"] for e in self.ended_events)
        return round(100 * checked / registered) if registered else None


def dashboard(org_ids: Iterable[int] | None, now: datetime | None = None, visits_limit: int = 10) -> Dashboard:
    """The organiser's figures in a constant number of queries (four), whatever the volume:
    pipeline per category of the contests in progress, judging progress per round, this month's events
    with registered and checked-in people (the check-in rate only over those that have ended), and the
    caravan schedule from now on."""
    from sqlalchemy.orm import joinedload

    from competitions.models import Category, Contest, Entry
    from events.caravan.models import CaravanVisit
    from events.models import CheckIn, Event, Registration
    from judging.models import JudgeAssignment, Round, Score

    now = now or utcnow()
    ids = tuple(org_ids) if org_ids is not None else None
    ef = EntryFilter(org_ids=ids, active_only=True)
    out = Dashboard(month_start=month_bounds(now)[0])

    step_sums = [sa.func.sum(sa.case((step_clause(s), 1), else_=0)).label(s) for s in STEPS]
    rows = db.session.execute(
        sa.select(Contest.id, Contest.name, Category.id, Category.name, *step_sums)
        .select_from(Entry)
        .join(Contest, Contest.id == Entry.contest_id)
        .join(Category, Category.id == Entry.category_id)
        .where(*contest_where(ef))
        .group_by(Contest.id, Contest.name, Category.id, Category.name, Category.position)
        .order_by(Contest.name, Contest.id, Category.position, Category.id)
    ).all()
    for row in rows:
        out.pipeline.append(
            {
                "contest_id": row[0],
                "contest": row[1],
                "category_id": row[2],
                "category": row[3],
                "counts": {s: int(row[4 + i] or 0) for i, s in enumerate(STEPS)},
            }
        )

    active = JudgeAssignment.status == "active"
    submitted = sa.and_(active, Score.submitted.is_(True))
    rounds = db.session.execute(
        sa.select(
            Round.id,
            Round.name,
            Round.status,
            Contest.id,
            Contest.name,
            sa.func.count(sa.case((active, JudgeAssignment.id))),
            sa.func.count(sa.case((submitted, JudgeAssignment.id))),
            sa.func.count(sa.distinct(sa.case((active, JudgeAssignment.entry_id)))),
        )
        .join(Contest, Contest.id == Round.contest_id)
        .outerjoin(JudgeAssignment, JudgeAssignment.round_id == Round.id)
        .outerjoin(Score, Score.assignment_id == JudgeAssignment.id)
        .where(*contest_where(ef))
        .group_by(Round.id, Round.name, Round.status, Round.position, Contest.id, Contest.name)
        .order_by(Contest.name, Contest.id, Round.position, Round.id)
    ).all()
    for rid, name, status, cid, cname, assigned, done, entries in rounds:
        out.rounds.append(
            {
                "round_id": rid,
                "round": name,
                "status": status,
                "contest_id": cid,
                "contest": cname,
                "assignments": int(assigned),
                "submitted": int(done),
                "entries": int(entries),
                "percent": round(100 * done / assigned) if assigned else 0,
            }
        )

    vf = EventFilter(org_ids=ids, month_of=now)
    registered = (
        sa.select(sa.func.coalesce(sa.func.sum(Registration.head_count), 0))
        .where(Registration.event_id == Event.id, Registration.status == "confirmed")
        .correlate(Event)
        .scalar_subquery()
    )
    checked = (
        sa.select(sa.func.coalesce(sa.func.sum(CheckIn.head_count), 0))
        .where(CheckIn.event_id == Event.id)
        .correlate(Event)
        .scalar_subquery()
    )
    for eid, title, kind, starts_at, ends_at, reg, chk in db.session.execute(
        sa.select(Event.id, Event.title, Event.kind, Event.starts_at, Event.ends_at, registered, checked)
        .where(*event_where(vf))
        .order_by(Event.starts_at, Event.id)
    ):
        started = starts_at <= now  # an event still to come has no rate yet (not 0 %)
        out.events.append(
            {
                "id": eid,
                "title": title,
                "kind": kind,
                "starts_at": starts_at,
                "registered": int(reg),
                "checked_in": int(chk),
                "started": started,
                "ended": ends_at <= now,
                "percent": round(100 * int(chk) / int(reg)) if reg and started else None,
            }
        )

    if visits_limit:
        out.visits = list(
            db.session.execute(
                sa.select(CaravanVisit)
                .where(*visit_where(VisitFilter(org_ids=ids, upcoming_from=now)))
                .options(joinedload(CaravanVisit.caravan))
                .order_by(CaravanVisit.starts_at, CaravanVisit.id)
                .limit(visits_limit)
            ).scalars()
        )
    return out


def dashboard_totals(board: Dashboard) -> dict[str, int]:
    """Sums of the pipeline over every category (the top line of the dashboard)."""
    return {s: sum(row["counts"][s] for row in board.pipeline) for s in STEPS}
