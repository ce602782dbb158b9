"""Students of a school: the roster import (plan, then apply), editing, listing, export rows."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from accounts.models import STAGE_COVERS, Organisation, Stage
from competitions.models import (
    Advisor,
    EntryMember,
    Student,
)
from competitions.roster.values import RosterResult, RosterRow
from competitions.sorting import student_sort_key
from core import audit
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from core.i18n import local_today
from core.locks import acquire_lock
from core.names import name_matches

STUDENT_FIELDS = ["name", "gender", "birth_date", "grade", "class_name", "id_number", "guardian_phone"]


@dataclass
class PlannedChange:
    row: RosterRow
    action: str  # 'create' | 'update' | 'unchanged'
    student: Student | None = None
    changes: dict = field(default_factory=dict)  # field -> (old, new)


@dataclass
class RosterPlan:
    items: list[PlannedChange]
    warnings: list = field(default_factory=list)  # RosterError: implausible but accepted rows, namesakes

    @property
    def counts(self) -> Counter:
        return Counter(item.action for item in self.items)


def plan_roster_import(school: Organisation, result: RosterResult) -> RosterPlan:
    """What importing a validated roster would do: each row creates a student, or updates the one matched by
    ID number, or else by name + birth date. Re-importing the same file changes nothing; a column missing
    from the file, or a blank optional cell, leaves the stored value as it is."""
    if not result.ok:
        raise ValueError("plan only a valid roster")
    from competitions.roster.matching import plausibility_warnings

    students = list(db.session.execute(sa.select(Student).where(Student.school_id == school.id)).scalars())
    by_id = {s.id_number: s for s in students if s.id_number}
    in_file = Counter((row.name, row.birth_date) for row in result.rows)
    by_person: dict[tuple[str, date], list[Student]] = defaultdict(list)
    for student in students:
        by_person[(student.name, student.birth_date)].append(student)
    items, claimed = [], set()
    for row in result.rows:
        match = by_id.get(row.id_number) if row.id_number else None
        if match is None:
            candidates = [
                s
                for s in by_person.get((row.name, row.birth_date), [])
                if s.id not in claimed and (not row.id_number or not s.id_number)
            ]
            if in_file[(row.name, row.birth_date)] > 1:  # namesakes in the file: gender tells them apart
                candidates = [s for s in candidates if s.gender == row.gender]
            # the one of the same gender and class first (a namesake on the roster is another student)
            candidates.sort(key=lambda s: (s.gender != row.gender, (s.class_name or "") != (row.class_name or "")))
            match = candidates[0] if candidates else None
        if match is None:
            items.append(PlannedChange(row, "create"))
            continue
        claimed.add(match.id)
        changes = {}
        for name in STUDENT_FIELDS:
            if name not in ("name", "birth_date") and name not in result.columns:
                continue  # a column the file does not have keeps what the roster holds
            new = getattr(row, name)
            old = getattr(match, name)
            if new is None:
                continue  # a blank optional cell keeps what the roster holds (never erases an ID number)
            if new != old:
                changes[name] = (old, new)
        items.append(PlannedChange(row, "update" if changes else "unchanged", match, changes))
    stages = {str(s) for s in STAGE_COVERS[Stage(school.stage)]} if school.stage else None
    warnings = sorted(
        result.notes + plausibility_warnings(result.rows, local_today(), stages), key=lambda w: (w.row or 0, w.code)
    )
    return RosterPlan(items, warnings)


def import_roster(school: Organisation, result: RosterResult, actor=None) -> Counter:
    """Apply a validated roster to a school (all rows or, for an invalid roster, none). Audited once."""
    if not result.ok:
        raise DomainError(_l("The roster has errors; nothing was imported."), field="file")
    acquire_lock(f"roster:{school.id}")
    plan = plan_roster_import(school, result)
    now = utcnow()
    # Core-level bulk statements: a 10,000-row roster is one executemany, not 10,000 ORM objects.
    creates = [
        {
            "school_id": school.id,
            "name": item.row.name,
            "gender": item.row.gender,
            "birth_date": item.row.birth_date,
            "grade": item.row.grade,
            "class_name": item.row.class_name,
            "id_number": item.row.id_number,
            "guardian_phone": item.row.guardian_phone,
            "created_at": now,
            "updated_at": now,
        }
        for item in plan.items
        if item.action == "create"
    ]
    updates = [
        {"id": item.student.id, "updated_at": now, **{name: new for name, (_old, new) in item.changes.items()}}
        for item in plan.items
        if item.action == "update"
    ]
    if creates:
        db.session.execute(sa.insert(Student), creates)
    if updates:  # ORM bulk UPDATE by primary key: rows with the same changed columns go in one executemany
        db.session.execute(sa.update(Student), updates)
    db.session.flush()
    for item in plan.items:  # keep loaded objects in step with the rows just written
        if item.student is not None and item.action == "update":
            db.session.expire(item.student)
    counts = plan.counts
    audit.record(
        "roster_import",
        school,
        object_type="roster",
        object_id=school.id,
        organisation_id=school.id,
        after={
            "created": counts["create"],
            "updated": counts["update"],
            "unchanged": counts["unchanged"],
            "file_format": result.file_format,
        },
        actor=actor,
    )
    return counts


def list_students(school_id: int, search: str | None = None, grade: int | None = None) -> list[Student]:
    """A school's roster by grade, class, then 姓氏拼音 (core.names). ``search`` finds a part of the name,
    the start of its pinyin initials (zsy → 张思远) or the class (3班)."""
    query = sa.select(Student).where(Student.school_id == school_id)
    if grade:
        query = query.where(Student.grade == grade)
    students = list(db.session.execute(query).scalars())
    if search and search.strip():
        term = search.strip()
        students = [s for s in students if name_matches(term, s.name) or (s.class_name and term in s.class_name)]
    return sorted(students, key=student_sort_key)


def school_students_by_id(school_id: int, ids: Iterable[int]) -> list[Student]:
    """The given students of one school (others' ids are ignored), in roster order."""
    ids = [i for i in ids if i]
    if not ids:
        return []
    found = db.session.execute(sa.select(Student).where(Student.school_id == school_id, Student.id.in_(ids))).scalars()
    return sorted(found, key=student_sort_key)


def save_student(school: Organisation, student: Student | None, actor=None, **fields: Any) -> Student:
    """Create or update one student; the same checks as a roster row (ID checksum, agreement, phone)."""
    from competitions.roster.checking import RowChecker
    from competitions.roster.values import FIELD_LABELS

    values = tuple(fields.get(name) for name in STUDENT_FIELDS)
    mapping = {name: index for index, name in enumerate(STUDENT_FIELDS)}
    checker = RowChecker(mapping, FIELD_LABELS, local_today())
    row = checker.check(0, values)
    if row is None:
        error = checker.errors[0]
        raise DomainError(
            _l(error.message, **error.params),
            field=error.header and {v: k for k, v in FIELD_LABELS.items()}.get(error.header, "name"),
        )
    if row.id_number:
        clash = db.session.execute(
            sa.select(Student.id).where(
                Student.school_id == school.id,
                Student.id_number == row.id_number,
                Student.id != (student.id if student else -1),
            )
        ).first()
        if clash:
            raise DomainError(_l("Another student of this school has this ID number."), field="id_number")
    before = audit.snapshot(student, STUDENT_FIELDS) if student else None
    if student is None:
        student = Student(school_id=school.id)
        db.session.add(student)
    for name in STUDENT_FIELDS:
        setattr(student, name, getattr(row, name))
    db.session.flush()
    audit.record(
        "update" if before else "create",
        student,
        before=_mask_student(before),
        after=_mask_student(audit.snapshot(student, STUDENT_FIELDS)),
        actor=actor,
    )
    return student


def _mask_student(values: dict | None) -> dict | None:
    """The audit log keeps who changed a student, not the minor's ID number or guardian phone."""
    if values is None:
        return None
    from core.privacy import mask_id_number, mask_phone

    return {
        **values,
        "id_number": mask_id_number(values.get("id_number")),
        "guardian_phone": mask_phone(values.get("guardian_phone")),
    }


def delete_student(student: Student, actor=None) -> None:
    """A student who is in an entry stays on the roster."""
    delete_unless_in_entry(
        student, EntryMember.student_id, _l("%(name)s is in an entry and cannot be removed.", name=student.name), actor
    )


def delete_unless_in_entry(record: Student | Advisor, link_column, refusal, actor=None) -> None:
    """Remove a student or advisor of a school's roster (audited), refused while an entry names them."""
    if db.session.execute(sa.select(link_column).where(link_column == record.id).limit(1)).first():
        raise DomainError(refusal)
    audit.record("delete", record, before={"name": record.name}, actor=actor)
    db.session.delete(record)
    db.session.flush()


def roster_export_rows(school_id: int) -> list[Student]:
    return list_students(school_id)
