"""Entries: whether they can be edited, creating and editing them with their members and advisors, deleting."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from accounts.models import Organisation
from competitions.models import (
    Advisor,
    Category,
    Contest,
    Entry,
    EntryAdvisor,
    EntryMember,
    EntryStatus,
    EntryType,
    Student,
)
from competitions.services.checks import entry_problems, problems_message, students_in_other_entries
from competitions.services.contests import registration_open_for, require_editable
from competitions.services.materials import remove_material_files
from core import audit
from core.errors import DomainError
from core.extensions import db
from core.locks import acquire_lock

ENTRY_FIELDS = ["title", "abstract", "category_id", "work_started_on", "work_completed_on", "status", "code"]


def create_entry(
    contest: Contest,
    school: Organisation,
    category: Category,
    *,
    title: str,
    abstract: str = "",
    student_ids: list[int] = (),
    leader_id: int | None = None,
    advisor_ids: list[int] = (),
    work_started_on: date | None = None,
    work_completed_on: date | None = None,
    actor=None,
    now: datetime | None = None,
) -> Entry:
    """A draft entry of a school, while registration is open for it (the server checks the window)."""
    if not registration_open_for(contest, school.id, now):
        raise DomainError(_l("Registration for this contest is not open."), code="closed", status=409)
    if category.contest_id != contest.id:
        raise DomainError(_l("Choose a category of this contest."), field="category_id")
    entry = Entry(
        contest=contest,
        contest_id=contest.id,
        category=category,
        category_id=category.id,
        school_id=school.id,
        title="",
        status=EntryStatus.DRAFT.value,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(entry)
    _fill_entry(
        entry,
        title=title,
        abstract=abstract,
        student_ids=student_ids,
        leader_id=leader_id,
        advisor_ids=advisor_ids,
        work_started_on=work_started_on,
        work_completed_on=work_completed_on,
    )
    audit.record("create", entry, after=_entry_snapshot(entry), actor=actor)
    return entry


def update_entry(entry: Entry, *, actor=None, now: datetime | None = None, **fields: Any) -> Entry:
    """Change an editable entry. A submitted entry stays submitted only if it still passes every check."""
    require_editable(entry, now)
    before = _entry_snapshot(entry)
    if "category_id" in fields and fields["category_id"] != entry.category_id:
        category = db.session.get(Category, fields["category_id"])
        if category is None or category.contest_id != entry.contest_id:
            raise DomainError(_l("Choose a category of this contest."), field="category_id")
        if entry.code:
            raise DomainError(_l("An entry with a code cannot change category."), field="category_id")
        entry.category, entry.category_id = category, category.id
    _fill_entry(entry, **{k: v for k, v in fields.items() if k != "category_id"})
    if entry.status == EntryStatus.SUBMITTED.value:
        problems = entry_problems(entry)
        if problems:
            raise DomainError(problems_message(problems), code="ineligible", status=409)
    audit.record("update", entry, before=before, after=_entry_snapshot(entry), actor=actor)
    return entry


def _fill_entry(
    entry: Entry,
    *,
    title: str | None = None,
    abstract: str | None = None,
    student_ids: list[int] | None = None,
    leader_id: int | None = None,
    advisor_ids: list[int] | None = None,
    work_started_on: Any = ...,
    work_completed_on: Any = ...,
) -> None:
    if title is not None:
        title = " ".join(title.split())
        if not title:
            raise DomainError(_l("The entry needs a title."), field="title")
        if len(title) > 300:
            raise DomainError(_l("The title has at most 300 characters."), field="title")
        entry.title = title
    if abstract is not None:
        entry.abstract = abstract.strip()
    if work_started_on is not ...:
        entry.work_started_on = work_started_on
    if work_completed_on is not ...:
        entry.work_completed_on = work_completed_on
    if entry.work_started_on and entry.work_completed_on and entry.work_completed_on < entry.work_started_on:
        raise DomainError(_l("The work cannot be completed before it started."), field="work_completed_on")
    if student_ids is not None:
        _set_members(entry, list(student_ids), leader_id)
    if advisor_ids is not None:
        _set_advisors(entry, list(advisor_ids))
    db.session.flush()


def _own_records(
    model: type[Student] | type[Advisor], ids: list[int], school_id: int, field: str, twice, foreign
) -> dict:
    """The students or advisors chosen for an entry by id: each once, each of the entry's school."""
    if len(set(ids)) != len(ids):
        raise DomainError(twice, field=field)
    found = {r.id: r for r in db.session.execute(sa.select(model).where(model.id.in_(ids or [-1]))).scalars()}
    if any(i not in found or found[i].school_id != school_id for i in ids):
        raise DomainError(foreign, field=field)
    return found


def _set_members(entry: Entry, student_ids: list[int], leader_id: int | None) -> None:
    students = _own_records(
        Student,
        student_ids,
        entry.school_id,
        "student_ids",
        _l("A student is listed twice."),
        _l("Choose students from your own school's roster."),
    )
    category = entry.category
    if category.entry_type == EntryType.ADVISOR.value and student_ids:
        raise DomainError(_l("The advisor track takes no students."), field="student_ids")
    if category.entry_type != EntryType.ADVISOR.value and len(student_ids) > max(category.max_members, 1):
        raise DomainError(
            _l("This category allows at most %(n)s students.", n=max(category.max_members, 1)), field="student_ids"
        )
    acquire_lock(f"entries:{entry.contest_id}")  # two schools' drafts cannot both take one student
    taken = students_in_other_entries(entry.contest_id, student_ids, exclude_entry_id=entry.id)
    if taken:
        sid, code = next(iter(taken.items()))
        raise DomainError(
            _l(
                "%(name)s is already in entry %(entry)s of this contest; a student may enter one project per edition.",
                name=students[sid].name,
                entry=code,
            ),
            field="student_ids",
            code="student_taken",
            status=409,
        )
    if leader_id is None or leader_id not in student_ids:
        leader_id = student_ids[0] if student_ids else None
    current = {m.student_id: m for m in entry.members}
    members = []
    for position, sid in enumerate(student_ids):
        member = current.pop(sid, None) or EntryMember(student_id=sid, student=students[sid])
        member.position, member.is_leader = position, sid == leader_id
        members.append(member)
    entry.members[:] = members  # members no longer listed are orphans and get deleted


def _set_advisors(entry: Entry, advisor_ids: list[int]) -> None:
    advisors = _own_records(
        Advisor,
        advisor_ids,
        entry.school_id,
        "advisor_ids",
        _l("An advisor is listed twice."),
        _l("Choose advisors from your own school."),
    )
    limit = 1 if entry.category.entry_type == EntryType.ADVISOR.value else entry.category.max_advisors
    if len(advisor_ids) > limit:
        raise DomainError(_l("At most %(n)s advisors are allowed.", n=limit), field="advisor_ids")
    current = {a.advisor_id: a for a in entry.advisors}
    links = []
    for position, aid in enumerate(advisor_ids):
        link = current.pop(aid, None) or EntryAdvisor(advisor=advisors[aid], advisor_id=aid)
        link.position = position
        links.append(link)
    entry.advisors[:] = links


def _entry_snapshot(entry: Entry) -> dict:
    data = audit.snapshot(entry, ENTRY_FIELDS)
    data["members"] = [m.student_id for m in entry.members]
    data["advisors"] = [a.advisor_id for a in entry.advisors]
    return data


def delete_entry(entry: Entry, actor=None, now: datetime | None = None) -> None:
    """A school deletes its own draft (never a submitted or coded entry)."""
    if entry.status != EntryStatus.DRAFT.value or entry.code:
        raise DomainError(_l("Only a draft that was never submitted can be deleted."), code="not_draft", status=409)
    audit.record("delete", entry, before=_entry_snapshot(entry), actor=actor)
    for material in list(entry.materials):
        remove_material_files(material)
    db.session.delete(entry)
    db.session.flush()
