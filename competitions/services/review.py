"""Submission and review: submitting, codes, withdrawing, approving/returning/rejecting, the organiser's review queue and its checks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from accounts.models import Organisation
from competitions import eligibility
from competitions import notifications as notices
from competitions.codes import format_entry_code
from competitions.eligibility import EntryFacts, Problem, QuotaCount, StudentFacts
from competitions.models import (
    LIVE_ENTRY_STATUSES,
    QUOTA_ENTRY_STATUSES,
    Category,
    Contest,
    ContestStatus,
    Entry,
    EntryAdvisor,
    EntryMember,
    EntryStatus,
    Material,
    Student,
)
from competitions.services.checks import (
    category_rules,
    entry_problems,
    plain_quota_count,
    problems_message,
    quota_rules,
    required_kinds,
)
from competitions.services.contests import require_editable
from competitions.services.listings import entry_query
from core import audit
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from core.locks import acquire_lock


def submit_entry(entry: Entry, actor=None, now: datetime | None = None) -> Entry:
    """Submit a draft or a returned entry for review. It must pass every check; it gets its code (作品编号)
    at the first submission — the next number in its contest and category — and keeps it for good."""
    if entry.status not in (EntryStatus.DRAFT.value, EntryStatus.RETURNED.value):
        raise DomainError(_l("Only a draft or a returned entry can be submitted."), code="bad_status", status=409)
    require_editable(entry, now)
    acquire_lock(f"entries:{entry.contest_id}")  # serialises quota counting, one-entry-per-student and numbering
    problems = entry_problems(entry)
    if problems:
        raise DomainError(problems_message(problems), code="ineligible", status=409)
    before = entry.status
    if entry.code is None:
        assign_entry_code(entry)
    entry.status = EntryStatus.SUBMITTED.value
    entry.submitted_at = utcnow()
    entry.review_reason = ""
    db.session.flush()
    audit.record(
        "submit", entry, before={"status": before}, after={"status": entry.status, "code": entry.code}, actor=actor
    )
    return entry


def assign_entry_code(entry: Entry) -> str:
    """Next sequence within (contest, category); call under the contest's entries lock."""
    highest = (
        db.session.execute(
            sa.select(sa.func.max(Entry.sequence)).where(
                Entry.contest_id == entry.contest_id, Entry.category_id == entry.category_id
            )
        ).scalar()
        or 0
    )
    entry.sequence = highest + 1
    entry.code = format_entry_code(entry.contest.year, entry.category.code, entry.sequence)
    db.session.flush()
    return entry.code


def withdraw_entry(entry: Entry, actor=None, now: datetime | None = None) -> Entry:
    """A school takes a submitted entry back to draft before its deadline (its code stays)."""
    if entry.status != EntryStatus.SUBMITTED.value:
        raise DomainError(_l("Only a submitted entry can be withdrawn."), code="bad_status", status=409)
    require_editable(entry, now)
    entry.status = EntryStatus.DRAFT.value
    db.session.flush()
    audit.record("withdraw", entry, before={"status": "submitted"}, after={"status": "draft"}, actor=actor)
    return entry


REVIEWABLE = (EntryStatus.SUBMITTED.value,)


def _review(entry: Entry, status: EntryStatus, reason: str, actor) -> Entry:
    if entry.contest.status not in (ContestStatus.REGISTRATION.value, ContestStatus.CLOSED.value):
        raise DomainError(
            _l("Entries are reviewed while registration is open or closed, before judging."),
            code="bad_status",
            status=409,
        )
    if entry.status not in REVIEWABLE and not (
        entry.status == EntryStatus.APPROVED.value and status != EntryStatus.APPROVED
    ):
        raise DomainError(_l("This entry is not waiting for review."), code="bad_status", status=409)
    before = {"status": entry.status, "review_reason": entry.review_reason}
    entry.status = status.value
    entry.review_reason = reason
    entry.reviewed_at = utcnow()
    entry.reviewed_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record(
        status.value if status != EntryStatus.APPROVED else "approve",
        entry,
        before=before,
        after={"status": entry.status, "review_reason": reason},
        actor=actor,
    )
    notices.tell_review(entry)
    return entry


def approve_entry(entry: Entry, actor=None) -> Entry:
    """资格审核: approve a submitted entry. Audited."""
    return _review(entry, EntryStatus.APPROVED, "", actor)


def return_entry(entry: Entry, reason: str, actor=None) -> Entry:
    """Send an entry back to the school for correction with a reason the school sees. Audited."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Tell the school what to correct."), field="reason")
    return _review(entry, EntryStatus.RETURNED, reason, actor)


def reject_entry(entry: Entry, reason: str, actor=None) -> Entry:
    """Reject an entry (it frees its students and quota). A reason is required. Audited."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give the reason for the rejection."), field="reason")
    return _review(entry, EntryStatus.REJECTED, reason, actor)


def review_checks(contest: Contest, category_id: int | None = None) -> list[tuple[int, list[Problem]]]:
    """(entry id, problems) of every submitted entry in submission order. Quotas are counted in that order:
    approved entries first, then earlier submissions, so the entry that overflows a quota is the flagged one.
    Computed once per call from plain rows in a fixed number of queries (no ORM entries are built), so a
    page of the queue does not pay for loading the whole queue's objects."""
    categories = {
        c.id: c
        for c in db.session.execute(
            sa.select(Category)
            .options(selectinload(Category.quotas), selectinload(Category.requirements))
            .where(Category.contest_id == contest.id)
        ).scalars()
    }
    counted_statuses = [s.value for s in QUOTA_ENTRY_STATUSES]
    in_contest = sa.and_(Entry.contest_id == contest.id, Entry.status.in_(counted_statuses))
    entries = db.session.execute(
        sa.select(
            Entry.id,
            Entry.category_id,
            Entry.school_id,
            Entry.status,
            Entry.work_started_on,
            Entry.work_completed_on,
            Organisation.district,
        )
        .join(Organisation, Organisation.id == Entry.school_id)
        .where(in_contest)
        .order_by(Entry.submitted_at, Entry.id)
    ).all()
    members: dict[int, list[StudentFacts]] = defaultdict(list)
    for entry_id, sid, name, birth, grade, school_id in db.session.execute(
        sa.select(EntryMember.entry_id, Student.id, Student.name, Student.birth_date, Student.grade, Student.school_id)
        .join(Student, Student.id == EntryMember.student_id)
        .join(Entry, Entry.id == EntryMember.entry_id)
        .where(in_contest)
        .order_by(EntryMember.entry_id, EntryMember.position)
    ):
        members[entry_id].append(StudentFacts(id=sid, name=name, birth_date=birth, grade=grade, school_id=school_id))
    waiting = sa.and_(Entry.contest_id == contest.id, Entry.status == EntryStatus.SUBMITTED.value)
    advisor_counts = dict(
        db.session.execute(
            sa.select(EntryAdvisor.entry_id, sa.func.count())
            .join(Entry, Entry.id == EntryAdvisor.entry_id)
            .where(waiting)
            .group_by(EntryAdvisor.entry_id)
        ).all()
    )
    present: dict[int, list[str]] = defaultdict(list)
    for entry_id, kind in db.session.execute(
        sa.select(Material.entry_id, Material.kind).join(Entry, Entry.id == Material.entry_id).where(waiting)
    ):
        present[entry_id].append(kind)
    live = _live_membership(contest.id)
    counted: dict[int, list[QuotaCount]] = defaultdict(list)
    for row in entries:  # approved entries count first, whatever their submission time
        if row.status == EntryStatus.APPROVED.value:
            counted[row.category_id].append(plain_quota_count(row.school_id, row.district, members[row.id]))
    rules_cache: dict[int, tuple] = {}
    out: list[tuple[int, list[Problem]]] = []
    for row in entries:
        if row.status != EntryStatus.SUBMITTED.value:
            continue
        category = categories[row.category_id]
        if row.category_id not in rules_cache:
            rules_cache[row.category_id] = (
                category_rules(category, contest),
                quota_rules(category),
                required_kinds(category),
            )
        rules, quotas, required = rules_cache[row.category_id]
        facts = EntryFacts(
            id=row.id,
            school_id=row.school_id,
            members=tuple(members[row.id]),
            advisor_count=advisor_counts.get(row.id, 0),
            work_started_on=row.work_started_on,
            work_completed_on=row.work_completed_on,
        )
        others = {m.id: code for m in facts.members for eid, code in live.get(m.id, ()) if eid != row.id}
        if category_id is None or row.category_id == category_id:
            out.append(
                (
                    row.id,
                    eligibility.check_entry(
                        rules,
                        facts,
                        other_entries=others,
                        quota_rules=quotas,
                        district=row.district,
                        counted=list(counted[row.category_id]),
                        required_materials=required,
                        present_materials=present[row.id],
                    ),
                )
            )
        counted[row.category_id].append(plain_quota_count(row.school_id, row.district, members[row.id]))
    return out


def load_entries(ids: list[int]) -> list[Entry]:
    """The entries with these ids, eager-loaded for display, in the order of ``ids``."""
    if not ids:
        return []
    found = {e.id: e for e in db.session.execute(entry_query().where(Entry.id.in_(ids))).unique().scalars()}
    return [found[i] for i in ids if i in found]


def review_queue(
    contest: Contest, category_id: int | None = None, *, offset: int = 0, limit: int | None = None
) -> list[tuple[Entry, list[Problem]]]:
    """Submitted entries in submission order with their automatic checks (see review_checks); only the
    entries of the requested slice are loaded as objects."""
    checks = review_checks(contest, category_id)
    shown = checks[offset : None if limit is None else offset + limit]
    entries = load_entries([entry_id for entry_id, _problems in shown])
    problems = dict(shown)
    return [(entry, problems[entry.id]) for entry in entries]


def _live_membership(contest_id: int) -> dict[int, list[tuple[int, str]]]:
    rows = db.session.execute(
        sa.select(EntryMember.student_id, Entry.id, Entry.code, Entry.title)
        .join(Entry, Entry.id == EntryMember.entry_id)
        .where(Entry.contest_id == contest_id, Entry.status.in_([s.value for s in LIVE_ENTRY_STATUSES]))
    ).all()
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for sid, eid, code, title in rows:
        found[sid].append((eid, code or f"“{title}”"))
    return found


def bulk_approve_clean(contest: Contest, entry_ids: Iterable[int] | None = None, actor=None) -> tuple[int, int]:
    """Approve the submitted entries (all, or those named) whose automatic checks found nothing.
    Returns (approved, skipped)."""
    acquire_lock(f"entries:{contest.id}")
    wanted = set(entry_ids) if entry_ids is not None else None
    clean: list[int] = []
    skipped = 0
    for entry_id, problems in review_checks(contest):
        if wanted is not None and entry_id not in wanted:
            continue
        if problems:
            skipped += 1
        else:
            clean.append(entry_id)
    entries = load_entries(clean)
    for entry in entries:
        approve_entry(entry, actor)
    return len(entries), skipped
