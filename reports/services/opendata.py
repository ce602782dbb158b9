"""The rows of the open-data file (what is public anyway); reports.opendata writes them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from core.db import utcnow
from core.extensions import db
from reports.periods import local, local_iso
from reports.services.contests import step_clause
from reports.services.labels import AWARD_LABELS, EVENT_KIND_LABELS, PUBLISHED_CONTEST_STATUSES

#: Tables other areas add to the open data (calls: results of calls), registered at start-up: fn() -> [OpenTable].
OPEN_TABLES: list = []


def register_open_tables(fn):
    if fn not in OPEN_TABLES:
        OPEN_TABLES.append(fn)
    return fn


def collect_open_data(now: datetime | None = None) -> list:
    """The public tables of the open-data file (reports.opendata.OpenTable), denormalised.

    Only what is public anyway: contests and categories (not drafts), results of contests whose results are
    public with students' names masked (no advisors, no personal data), published events with their
    attendance counts, and confirmed caravan visits (host institution and date). No phone, ID number, birth
    date, address, contact or unmasked student name is ever read into these rows."""
    from sqlalchemy.orm import joinedload, selectinload

    from accounts.models import Organisation
    from competitions.models import Contest, Entry, EntryMember
    from core.privacy import mask_minor_names
    from events.caravan.models import CaravanVisit
    from events.models import Event, EventSession
    from judging.models import Result, Round, in_contest_round
    from reports.opendata import OpenTable

    now = now or utcnow()
    org_names = dict(db.session.execute(sa.select(Organisation.id, Organisation.name)).all())
    participating = step_clause("participating")
    per_contest = dict(
        db.session.execute(
            sa.select(Entry.contest_id, sa.func.count(Entry.id)).where(participating).group_by(Entry.contest_id)
        ).all()
    )
    per_category = dict(
        db.session.execute(
            sa.select(Entry.category_id, sa.func.count(Entry.id)).where(participating).group_by(Entry.category_id)
        ).all()
    )
    contests = (
        db.session.execute(
            sa.select(Contest)
            .where(Contest.status != "draft")
            .options(selectinload(Contest.categories))
            .order_by(Contest.year, Contest.id)
        )
        .scalars()
        .all()
    )
    contest_rows, category_rows = [], []
    for c in contests:
        contest_rows.append(
            {
                "id": c.id,
                "year": c.year,
                "name": c.name,
                "organiser": org_names.get(c.organisation_id, ""),
                "status": c.status,
                "results_public": c.status in PUBLISHED_CONTEST_STATUSES,
                "categories": len(c.categories),
                "entries": int(per_contest.get(c.id, 0)),
            }
        )
        for cat in c.categories:
            category_rows.append(
                {
                    "id": cat.id,
                    "contest_id": c.id,
                    "contest": c.name,
                    "year": c.year,
                    "code": cat.code,
                    "name": cat.name,
                    "entry_type": cat.entry_type,
                    "scoring_mode": cat.scoring_mode,
                    "entries": int(per_category.get(cat.id, 0)),
                }
            )

    results = (
        db.session.execute(
            sa.select(Result)
            .join(Entry, Entry.id == Result.entry_id)
            .join(Contest, Contest.id == Entry.contest_id)
            .where(Contest.status.in_(PUBLISHED_CONTEST_STATUSES), in_contest_round(Result))
            .options(
                joinedload(Result.round).joinedload(Round.contest),
                joinedload(Result.entry).joinedload(Entry.category),
                joinedload(Result.entry).selectinload(Entry.members).joinedload(EntryMember.student),
            )
            .order_by(Entry.contest_id, Result.round_id, Result.category_id, Result.rank, Result.id)
        )
        .unique()
        .scalars()
        .all()
    )
    result_rows = [
        {
            "id": r.id,
            "contest_id": r.entry.contest_id,
            "contest": r.round.contest.name,
            "year": r.round.contest.year,
            "round": r.round.name,
            "category_id": r.category_id,
            "category": r.entry.category.name,
            "entry_code": r.entry.code or "",
            "title": r.entry.title,
            "school": org_names.get(r.entry.school_id, ""),
            "students": mask_minor_names(m.student.name for m in r.entry.members),
            "score": float(r.score) if r.score is not None else None,
            "rank": r.rank,
            "award": r.award or "",
            "award_label": str(AWARD_LABELS.get(r.award, "")) if r.award else "",
        }
        for r in results
    ]

    events = (
        db.session.execute(
            sa.select(Event)
            .where(Event.status == "published")
            .options(selectinload(Event.sessions), selectinload(Event.venue))
            .order_by(Event.starts_at, Event.id)
        )
        .scalars()
        .all()
    )
    from events.models import CheckIn, Registration

    reg = dict(
        db.session.execute(
            sa.select(Registration.session_id, sa.func.sum(Registration.head_count))
            .where(Registration.status == "confirmed")
            .group_by(Registration.session_id)
        ).all()
    )
    chk = dict(
        db.session.execute(
            sa.select(CheckIn.session_id, sa.func.sum(CheckIn.head_count)).group_by(CheckIn.session_id)
        ).all()
    )
    event_rows, attendance_rows = [], []
    for e in events:
        sessions: list[EventSession] = list(e.sessions)
        event_rows.append(
            {
                "id": e.id,
                "title": e.title,
                "kind": e.kind,
                "kind_label": str(EVENT_KIND_LABELS.get(e.kind, e.kind)),
                "organiser": org_names.get(e.organisation_id, ""),
                "venue": e.venue.name if e.venue else "",
                "starts_at": local_iso(e.starts_at),
                "ends_at": local_iso(e.ends_at),
                "sessions": len(sessions),
                "capacity": sum(s.capacity for s in sessions),
                "registered": sum(int(reg.get(s.id, 0) or 0) for s in sessions),
                "checked_in": sum(int(chk.get(s.id, 0) or 0) for s in sessions),
            }
        )
        for s in sessions:
            attendance_rows.append(
                {
                    "session_id": s.id,
                    "event_id": e.id,
                    "event": e.title,
                    "session": s.title,
                    "starts_at": local_iso(s.starts_at),
                    "capacity": s.capacity,
                    "registered": int(reg.get(s.id, 0) or 0),
                    "checked_in": int(chk.get(s.id, 0) or 0),
                }
            )

    visits = (
        db.session.execute(
            sa.select(CaravanVisit)
            .where(CaravanVisit.status == "confirmed")
            .options(joinedload(CaravanVisit.caravan))
            .order_by(CaravanVisit.starts_at, CaravanVisit.id)
        )
        .scalars()
        .all()
    )
    visit_rows = [
        {
            "id": v.id,
            "date": local(v.starts_at).date().isoformat(),
            "host_kind": v.host_kind,
            "host": v.host_name,
            "caravan": v.caravan.name if v.caravan else "",
            "event_id": v.event_id,
            "organiser": org_names.get(v.organisation_id, ""),
        }
        for v in visits
    ]

    return [
        OpenTable(
            "contests",
            contest_rows,
            fts=["name"],
            description=_("Contests (editions) and their participation"),
            columns={
                "id": int,
                "year": int,
                "name": str,
                "organiser": str,
                "status": str,
                "results_public": bool,
                "categories": int,
                "entries": int,
            },
        ),
        OpenTable(
            "categories",
            category_rows,
            fts=["name"],
            description=_("Categories of each contest"),
            columns={
                "id": int,
                "contest_id": int,
                "contest": str,
                "year": int,
                "code": str,
                "name": str,
                "entry_type": str,
                "scoring_mode": str,
                "entries": int,
            },
            foreign_keys=[("contest_id", "contests", "id")],
        ),
        OpenTable(
            "results",
            result_rows,
            fts=["title"],
            description=_("Published results; students' names are masked"),
            columns={
                "id": int,
                "contest_id": int,
                "contest": str,
                "year": int,
                "round": str,
                "category_id": int,
                "category": str,
                "entry_code": str,
                "title": str,
                "school": str,
                "students": str,
                "score": float,
                "rank": int,
                "award": str,
                "award_label": str,
            },
            foreign_keys=[("contest_id", "contests", "id"), ("category_id", "categories", "id")],
        ),
        OpenTable(
            "events",
            event_rows,
            fts=["title"],
            description=_("Published events with attendance counts"),
            columns={
                "id": int,
                "title": str,
                "kind": str,
                "kind_label": str,
                "organiser": str,
                "venue": str,
                "starts_at": str,
                "ends_at": str,
                "sessions": int,
                "capacity": int,
                "registered": int,
                "checked_in": int,
            },
        ),
        OpenTable(
            "attendance",
            attendance_rows,
            pk="session_id",
            description=_("Registered and checked-in people per session"),
            columns={
                "session_id": int,
                "event_id": int,
                "event": str,
                "session": str,
                "starts_at": str,
                "capacity": int,
                "registered": int,
                "checked_in": int,
            },
            foreign_keys=[("event_id", "events", "id")],
        ),
        OpenTable(
            "caravan_visits",
            visit_rows,
            description=_("Science caravan visits (host institutions and dates)"),
            columns={
                "id": int,
                "date": str,
                "host_kind": str,
                "host": str,
                "caravan": str,
                "event_id": int,
                "organiser": str,
            },
        ),
        *[table for fn in OPEN_TABLES for table in fn()],
    ]


def export_open_data(path, now: datetime | None = None) -> dict:
    """Write the open-data SQLite file at path; returns {table: rows}. The descriptions (_tables, _about) are
    in the current language (the installation's, from the CLI)."""
    from reports.opendata import write_opendata

    now = now or utcnow()
    return write_opendata(
        path,
        collect_open_data(now),
        about={
            "title": _("Kechuang open data"),
            "generated_at": local_iso(now),
            "note": _("Students' names are masked; no phone numbers, ID numbers, birth dates or contact details."),
        },
    )
