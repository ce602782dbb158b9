"""Factories for contests, categories, students, advisors and entries (all flushed)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from competitions.idcard import make_id_number
from competitions.models import (
    Advisor,
    Category,
    CategoryQuota,
    Contest,
    ContestStatus,
    Entry,
    EntryAdvisor,
    EntryMember,
    EntryStatus,
    MaterialRequirement,
    Student,
)
from core.extensions import db
from tests import factories

_seq = itertools.count(1)
NOW = datetime.now(UTC)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def contest(
    org=None,
    status: str = ContestStatus.REGISTRATION.value,
    year: int = 2025,
    name: str | None = None,
    opens: datetime | None = None,
    closes: datetime | None = None,
    reference_date: date | None = date(2025, 3, 1),
) -> Contest:
    org = org or factories.association()
    c = Contest(
        organisation_id=org.id,
        organisation=org,
        year=year,
        name=name or f"第{next(_seq)}届青少年科技创新大赛",
        status=status,
        registration_opens_at=opens or NOW - timedelta(days=10),
        registration_closes_at=closes or NOW + timedelta(days=10),
        timezone="Asia/Shanghai",
        reference_date=reference_date,
    )
    db.session.add(c)
    db.session.flush()
    return c


def category(
    contest_obj: Contest,
    code: str | None = None,
    entry_type: str = "individual",
    min_members: int = 1,
    max_members: int = 1,
    requirements=(("report", ["pdf"], True),),
    quotas=(),
    **fields,
) -> Category:
    cat = Category(
        contest=contest_obj,
        contest_id=contest_obj.id,
        code=code or f"C{next(_seq)}",
        name=fields.pop("name", "科技创新成果"),
        entry_type=entry_type,
        min_members=min_members,
        max_members=max_members,
        **fields,
    )
    for index, (kind, accepted, required) in enumerate(requirements):
        cat.requirements.append(
            MaterialRequirement(kind=kind, accepted=accepted, max_mb=5, required=required, position=index)
        )
    for scope, stage, kind, limit in quotas:
        cat.quotas.append(CategoryQuota(scope=scope, stage=stage, kind=kind, limit=limit))
    db.session.add(cat)
    db.session.flush()
    return cat


def student(
    school,
    name: str | None = None,
    grade: int = 5,
    birth_date: date | None = None,
    gender: str = "男",
    with_id: bool = True,
) -> Student:
    n = next(_seq)
    birth_date = birth_date or date(2025 - 6 - grade, 5, 1)
    s = Student(
        school_id=school.id,
        name=name or f"学生{n}",
        gender=gender,
        birth_date=birth_date,
        grade=grade,
        class_name=f"{grade}班",
        id_number=make_id_number("330102", birth_date, 2 * n, gender) if with_id else None,
        guardian_phone=f"1380000{n:04d}",
    )
    db.session.add(s)
    db.session.flush()
    return s


def advisor(school, name: str | None = None) -> Advisor:
    a = Advisor(school_id=school.id, name=name or f"老师{next(_seq)}", phone="13900000000")
    db.session.add(a)
    db.session.flush()
    return a


def entry(
    contest_obj: Contest,
    cat: Category,
    school,
    students=(),
    advisors=(),
    status: str = EntryStatus.DRAFT.value,
    title: str | None = None,
    code: str | None = None,
) -> Entry:
    e = Entry(
        contest=contest_obj,
        contest_id=contest_obj.id,
        category=cat,
        category_id=cat.id,
        school_id=school.id,
        title=title or f"作品{next(_seq)}",
        status=status,
        work_started_on=date(2024, 3, 1),
    )
    for position, s in enumerate(students):
        e.members.append(EntryMember(student=s, student_id=s.id, position=position, is_leader=position == 0))
    for position, a in enumerate(advisors):
        e.advisors.append(EntryAdvisor(advisor=a, advisor_id=a.id, position=position))
    if code:
        e.code = code
        e.sequence = int(code.rsplit("-", 1)[1])
    if status != EntryStatus.DRAFT.value:
        e.submitted_at = NOW
    db.session.add(e)
    db.session.flush()
    return e
