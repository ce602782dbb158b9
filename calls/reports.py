"""Calls in the reports: a section of the annual report (applications, experts and results per call of the year)
and a table of the open data (results of calls whose results are final: adults' names as published in 公示,
students' names masked by core.privacy's rule for minors). Registered with reports' registries at start-up."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from calls import services
from calls.experts import CallExpert
from calls.models import ApplicationStatus, Call, CallApplication, CallScore, CallStatus
from core.extensions import db


def annual_section(organisation, org_ids, year: int):
    """Applications, experts and results per call of the organisations in the year; None without calls."""
    from reports.document import Figure, Row, Section, Table

    calls = (
        db.session.execute(
            sa.select(Call).where(Call.organisation_id.in_(list(org_ids) or [-1]), Call.year == year).order_by(Call.id)
        )
        .scalars()
        .all()
    )
    if not calls:
        return None
    ids = [c.id for c in calls]
    counts = services.application_counts(ids)
    invited = dict(
        db.session.execute(
            sa.select(CallExpert.call_id, sa.func.count())
            .where(CallExpert.call_id.in_(ids))
            .group_by(CallExpert.call_id)
        ).all()
    )
    scoring = dict(
        db.session.execute(
            sa.select(CallApplication.call_id, sa.func.count(sa.distinct(CallScore.expert_name)))
            .join(CallScore, CallScore.application_id == CallApplication.id)
            .where(CallApplication.call_id.in_(ids))
            .group_by(CallApplication.call_id)
        ).all()
    )
    rows, totals = [], {"applications": 0, "experts": 0, "results": 0}
    for call in calls:
        applications = sum(counts[call.id].values())
        experts = max(invited.get(call.id, 0), scoring.get(call.id, 0))
        results = (
            sum(1 for row in services.compute_results(call).rows if row.result)
            if call.status in (CallStatus.REVIEW, CallStatus.FINISHED)
            else 0
        )
        rows.append(
            Row(f"{call.title}", [applications, counts[call.id].get(ApplicationStatus.ACCEPTED, 0), experts, results])
        )
        totals["applications"] += applications
        totals["experts"] += experts
        totals["results"] += results
    return Section(
        _("Calls"),
        figures=[
            Figure("calls", _("Calls"), len(calls)),
            Figure("call_applications", _("Applications"), totals["applications"]),
            Figure("call_experts", _("Experts"), totals["experts"]),
            Figure("call_results", _("Results"), totals["results"]),
        ],
        tables=[
            Table(
                "calls_by_call",
                _("By call"),
                [_("Applications"), _("Accepted for review"), _("Experts"), _("Results")],
                rows,
                label_header=_("Call title"),
            )
        ],
    )


def open_tables() -> list:
    """Results of calls whose results are final, one row per application with a result."""
    from reports.opendata import OpenTable

    calls = (
        db.session.execute(sa.select(Call).where(Call.status == CallStatus.FINISHED).order_by(Call.year, Call.id))
        .scalars()
        .all()
    )
    rows = []
    for call in calls:
        for row in services.compute_results(call).rows:
            if not row.result:
                continue
            a = row.application
            rows.append(
                {
                    "id": a.id,
                    "call_id": call.id,
                    "call": call.title,
                    "year": call.year,
                    "organiser": call.organisation.name,
                    "subject": call.subject,
                    "code": a.code,
                    "title": a.title,
                    "applicant": call.published_name(a.applicant_name),
                    "unit": a.unit_name,
                    "score": row.score,
                    "rank": row.rank,
                    "result": row.result,
                }
            )
    return [
        OpenTable(
            "call_results",
            rows,
            fts=["title"],
            description=_("Final results of calls (评选); students' names are masked"),
            columns={
                "id": int,
                "call_id": int,
                "call": str,
                "year": int,
                "organiser": str,
                "subject": str,
                "code": str,
                "title": str,
                "applicant": str,
                "unit": str,
                "score": float,
                "rank": int,
                "result": str,
            },
        )
    ]
