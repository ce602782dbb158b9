"""Advancement: copying entries recommended by one contest into the next level's contest."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from competitions.materials import FILE_EXTENSION
from competitions.models import (
    Category,
    Contest,
    ContestStatus,
    Entry,
    EntryAdvisor,
    EntryMember,
    EntryStatus,
    Material,
)
from competitions.services.checks import students_in_other_entries
from competitions.services.listings import entry_query
from competitions.services.materials import material_path
from competitions.services.review import assign_entry_code
from core import audit
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from core.locks import acquire_lock


def advance_entries(
    source: Contest, target: Contest, entry_ids: Iterable[int], category_map: dict[int, int], actor=None
) -> list[Entry]:
    """Register approved entries of a finished contest into another contest (county 选拔赛 → city contest):
    same school and students, advisors and copies of the materials, submitted for the target's review, with
    a link to the original. An entry already advanced into the target is skipped, never duplicated."""
    if source.status not in (ContestStatus.FINAL.value, ContestStatus.ARCHIVED.value):
        raise DomainError(_l("Entries can be advanced only from a finished contest."), code="bad_status", status=409)
    if target.status not in (ContestStatus.REGISTRATION.value, ContestStatus.CLOSED.value):
        raise DomainError(_l("The target contest is not taking registrations."), code="bad_status", status=409)
    if target.id == source.id:
        raise DomainError(_l("Choose another contest."), field="target_id")
    acquire_lock(f"entries:{target.id}")
    entries = list(
        db.session.execute(entry_query().where(Entry.contest_id == source.id, Entry.id.in_(list(entry_ids))))
        .unique()
        .scalars()
    )
    done = set(
        db.session.execute(
            sa.select(Entry.advanced_from_id).where(Entry.contest_id == target.id, Entry.advanced_from_id.is_not(None))
        ).scalars()
    )
    created = []
    for entry in entries:
        if entry.id in done:
            continue
        if entry.status != EntryStatus.APPROVED.value:
            raise DomainError(
                _l("Entry %(code)s was not approved and cannot be advanced.", code=entry.code or entry.title)
            )
        category = db.session.get(Category, category_map.get(entry.category_id, -1))
        if category is None or category.contest_id != target.id:
            raise DomainError(
                _l("Choose a category of the target contest for %(name)s.", name=entry.category.name),
                field="category_map",
            )
        taken = students_in_other_entries(target.id, [m.student_id for m in entry.members])
        if taken:
            raise DomainError(
                _l("A student of %(code)s is already in an entry of the target contest.", code=entry.code)
            )
        copy = Entry(
            contest=target,
            contest_id=target.id,
            category=category,
            category_id=category.id,
            school_id=entry.school_id,
            title=entry.title,
            abstract=entry.abstract,
            work_started_on=entry.work_started_on,
            work_completed_on=entry.work_completed_on,
            status=EntryStatus.SUBMITTED.value,
            submitted_at=utcnow(),
            advanced_from_id=entry.id,
            created_by_id=getattr(actor, "id", None),
        )
        for member in entry.members:
            copy.members.append(
                EntryMember(student_id=member.student_id, position=member.position, is_leader=member.is_leader)
            )
        for advisor in entry.advisors:
            copy.advisors.append(EntryAdvisor(advisor_id=advisor.advisor_id, position=advisor.position))
        db.session.add(copy)
        db.session.flush()
        for material in entry.materials:
            stored = secrets.token_hex(16) + FILE_EXTENSION.get(material.file_type, "")
            source_path = material_path(material.stored_name)
            if source_path.exists():
                material_path(stored).write_bytes(source_path.read_bytes())
            thumb = None
            if material.thumbnail_name and material_path(material.thumbnail_name).exists():
                thumb = "thumb-" + secrets.token_hex(16) + ".jpg"
                material_path(thumb).write_bytes(material_path(material.thumbnail_name).read_bytes())
            copy.materials.append(
                Material(
                    kind=material.kind,
                    original_name=material.original_name,
                    stored_name=stored,
                    file_type=material.file_type,
                    size=material.size,
                    sha256=material.sha256,
                    thumbnail_name=thumb,
                    uploaded_by_id=material.uploaded_by_id,
                )
            )
        assign_entry_code(copy)
        audit.record(
            "advance", copy, after={"from_entry": entry.id, "from_code": entry.code, "code": copy.code}, actor=actor
        )
        created.append(copy)
    db.session.flush()
    return created
