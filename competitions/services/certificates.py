"""Certificate sources of the area: participants and advisors of approved entries of a final contest."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from competitions.models import (
    Contest,
    ContestStatus,
    Entry,
    EntryStatus,
)
from competitions.services.listings import list_entries
from core.extensions import db


def contest_source_batch(contest: Contest, holders: list, issue_date: date | None = None) -> Any:
    """The certificate batch of a contest (every contest source uses it): its name, the number code made of the
    organiser's code and the contest id, the organiser, the year and the holders."""
    import re

    from certificates.sources import SourceBatch

    org = contest.organisation
    code = re.sub(r"[^A-Za-z0-9]", "", org.code or "") + str(contest.id)
    return SourceBatch(
        scope_title=contest.name,
        scope_code=code.upper(),
        organisation_id=contest.organisation_id,
        org_name=org.name,
        year=contest.year,
        holders=holders,
        issue_date=issue_date,
    )


def _certificate_batch(contest_id: int, holders_of: Callable[[Entry], list]) -> Any:
    from certificates.sources import SourceNotFound, SourceNotReady

    contest = db.session.get(Contest, contest_id)
    if contest is None:
        raise SourceNotFound()
    if contest.status not in (ContestStatus.FINAL.value, ContestStatus.ARCHIVED.value):
        raise SourceNotReady(_l("Participation certificates are issued once the contest is final."))
    holders = []
    for entry in list_entries(contest.id, status=EntryStatus.APPROVED.value):
        holders += holders_of(entry)
    return contest_source_batch(contest, holders)


def collect_participants(contest_id: int):
    """Certificate source "participants": every student of an approved entry of a final contest.
    Refs are stable: ``entry:<entry id>:student:<student id>``."""
    from certificates.sources import Holder

    def holders(entry: Entry) -> list:
        advisors = "、".join(a.advisor.name for a in entry.advisors)
        return [
            Holder(
                ref=f"entry:{entry.id}:student:{m.student_id}",
                name=m.student.name,
                school_id=entry.school_id,
                school=entry.school.name,
                category=entry.category.name,
                category_code=entry.category.code,
                title=entry.title,
                advisors=advisors,
                minor=True,
                order=m.position,
                extra={"entry_code": entry.code or ""},
            )
            for m in entry.members
        ]

    return _certificate_batch(contest_id, holders)


def collect_advisors(contest_id: int):
    """Certificate source "advisors": every advisor of an approved entry of a final contest (teachers are
    adults: not masked). Refs: ``entry:<entry id>:advisor:<advisor id>``."""
    from certificates.sources import Holder

    def holders(entry: Entry) -> list:
        return [
            Holder(
                ref=f"entry:{entry.id}:advisor:{a.advisor_id}",
                name=a.advisor.name,
                school_id=entry.school_id,
                school=entry.school.name,
                category=entry.category.name,
                category_code=entry.category.code,
                title=entry.title,
                minor=False,
                order=a.position,
                extra={"entry_code": entry.code or ""},
            )
            for a in entry.advisors
        ]

    return _certificate_batch(contest_id, holders)
