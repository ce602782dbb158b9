"""Lists of entries for organisers and schools: filtered queries, per-school summaries, the master list workbook."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from accounts.models import STAGE_COVERS, Organisation, Stage
from competitions.models import (
    LIVE_ENTRY_STATUSES,
    QUOTA_ENTRY_STATUSES,
    STAGE_LABELS,
    Category,
    CategoryQuota,
    Contest,
    Entry,
    EntryAdvisor,
    EntryMember,
    Student,
)
from competitions.services.checks import entry_facts, quota_count
from competitions.services.contests import utc_to_local
from competitions.sorting import sort_entries
from core.extensions import db
from core.names import name_sort_key


def entry_query():
    return sa.select(Entry).options(
        joinedload(Entry.category),
        joinedload(Entry.school),
        joinedload(Entry.contest),
        selectinload(Entry.members).joinedload(EntryMember.student),
        selectinload(Entry.advisors).joinedload(EntryAdvisor.advisor),
        selectinload(Entry.materials),
    )


def entries_query(
    contest_id: int,
    *,
    school_id: int | None = None,
    category_id: int | None = None,
    status: str | None = None,
    search: str | None = None,
):
    """The filtered entry list of a contest (eager-loaded; no N+1), ordered by code then id."""
    query = entry_query().where(Entry.contest_id == contest_id)
    if school_id:
        query = query.where(Entry.school_id == school_id)
    if category_id:
        query = query.where(Entry.category_id == category_id)
    if status:
        query = query.where(Entry.status == status)
    if search:
        term = f"%{search.strip()}%"
        member_match = (
            sa.select(EntryMember.entry_id)
            .join(Student, Student.id == EntryMember.student_id)
            .where(Student.name.like(term))
        )
        query = query.where(sa.or_(Entry.title.like(term), Entry.code.like(term), Entry.id.in_(member_match)))
    return query.order_by(Entry.code.is_(None), Entry.code, Entry.id)


def count_entries(contest_id: int, **filters) -> int:
    """How many entries the organiser's list shows with these filters (to export small lists at once)."""
    return db.session.execute(
        sa.select(sa.func.count()).select_from(entries_query(contest_id, **filters).order_by(None).subquery())
    ).scalar()


def list_entries(contest_id: int, sort: str | None = None, **filters) -> list[Entry]:
    """entries_query's entries in the order of ``sort`` (competitions.sorting: 作品编号 by default, or pinyin)."""
    return sort_entries(db.session.execute(entries_query(contest_id, **filters)).unique().scalars(), sort)


@dataclass
class SchoolSummary:
    school: Organisation
    entries: Counter
    students: int
    quota_use: list[tuple[Category, CategoryQuota, int]]


def school_summaries(contest: Contest, school_ids: Iterable[int] | None = None) -> list[SchoolSummary]:
    """Per school: entries by status, distinct students in live entries, and the use of each quota (school
    quotas count the school's submitted and approved entries; district quotas those of its whole district)."""
    query = (
        sa.select(Entry)
        .options(selectinload(Entry.members).joinedload(EntryMember.student), joinedload(Entry.school))
        .where(Entry.contest_id == contest.id)
    )
    if school_ids is not None:
        query = query.where(Entry.school_id.in_(list(school_ids) or [-1]))
    entries = list(db.session.execute(query).unique().scalars())
    by_school: dict[int, list[Entry]] = defaultdict(list)
    schools = {}
    for entry in entries:
        by_school[entry.school_id].append(entry)
        schools[entry.school_id] = entry.school
    if school_ids is not None:
        for org in db.session.execute(
            sa.select(Organisation).where(Organisation.id.in_(list(school_ids) or [-1]))
        ).scalars():
            schools.setdefault(org.id, org)
    live = {s.value for s in LIVE_ENTRY_STATUSES}
    counted = {s.value for s in QUOTA_ENTRY_STATUSES}
    district_use: Counter = Counter()  # (category id, district, stage, kind) -> counted entries of all schools
    if any(q.scope == "district" for c in contest.categories for q in c.quotas):
        for entry in (
            db.session.execute(
                sa.select(Entry)
                .options(selectinload(Entry.members).joinedload(EntryMember.student), joinedload(Entry.school))
                .where(Entry.contest_id == contest.id, Entry.status.in_(counted))
            )
            .unique()
            .scalars()
        ):
            qc = quota_count(entry)
            district_use[(entry.category_id, qc.district, qc.stage, qc.kind)] += 1
    summaries = []
    for school_id, school in sorted(
        schools.items(), key=lambda kv: (name_sort_key(kv[1].district), name_sort_key(kv[1].name))
    ):
        own = by_school.get(school_id, [])
        students = {m.student_id for e in own if e.status in live for m in e.members}
        quota_use = []
        stages = {str(x) for x in STAGE_COVERS[Stage(school.stage)]} if school.stage else None
        for category in contest.categories:
            for quota in category.quotas:
                if quota.scope == "district":
                    if school.district:
                        used = district_use[(category.id, school.district, quota.stage, quota.kind)]
                    else:
                        continue
                else:
                    used = sum(
                        1
                        for e in own
                        if e.category_id == category.id
                        and e.status in counted
                        and (qc := quota_count(e)).stage == quota.stage
                        and qc.kind == quota.kind
                    )
                if stages is not None and quota.stage and quota.stage not in stages and not used:
                    continue  # a primary school is not shown the senior-secondary quotas it can never use
                quota_use.append((category, quota, used))
        summaries.append(SchoolSummary(school, Counter(e.status for e in own), len(students), quota_use))
    return summaries


MASTER_HEADERS = (
    "作品编号",
    "类别代码",
    "类别",
    "作品名称",
    "学校",
    "地区",
    "状态",
    "学段",
    "学生",
    "年级",
    "辅导教师",
    "提交时间",
    "审核意见",
)


def master_list_rows(contest: Contest, **filters) -> list[list]:
    """The organiser's master list: one row per entry (names, grades, no ID numbers or phones)."""
    from competitions.roster.values import grade_label

    rows = []
    for entry in list_entries(contest.id, **filters):
        facts = entry_facts(entry)
        rows.append(
            [
                entry.code or "",
                entry.category.code,
                entry.category.name,
                entry.title,
                entry.school.name,
                entry.school.district or "",
                str(entry.status_label),
                str(STAGE_LABELS[facts.stage]) if facts.stage in STAGE_LABELS else "",
                "、".join(
                    m.student.name + ("（组长）" if m.is_leader and len(entry.members) > 1 else "")
                    for m in entry.members
                ),
                "、".join(grade_label(m.student.grade) for m in entry.members),
                "、".join(a.advisor.name for a in entry.advisors),
                utc_to_local(entry.submitted_at, contest.timezone).strftime("%Y-%m-%d %H:%M")
                if entry.submitted_at
                else "",
                entry.review_reason,
            ]
        )
    return rows


def master_list_xlsx(contest: Contest, **filters) -> bytes:
    from core.spreadsheets import StreamWorkbook

    workbook = StreamWorkbook()
    sheet = workbook.create_sheet("参赛作品")
    sheet.append(list(MASTER_HEADERS))
    for row in master_list_rows(contest, **filters):
        sheet.append(row)
    return workbook.to_bytes()
