"""Advisors (teachers) of a school: editing and listing."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from accounts.models import Organisation
from competitions.models import (
    Advisor,
    EntryAdvisor,
)
from competitions.services.students import delete_unless_in_entry
from core import audit
from core.errors import DomainError
from core.extensions import db
from core.names import name_sort_key

ADVISOR_FIELDS = ["name", "gender", "phone", "email", "subject", "title"]


def save_advisor(school: Organisation, advisor: Advisor | None, actor=None, **fields: Any) -> Advisor:
    """Create or update a teacher of the school."""
    from competitions.roster.values import normalise_name
    from core.phones import clean_mobile

    name = normalise_name(fields.get("name"))
    if not name:
        raise DomainError(_l("The advisor needs a name."), field="name")
    phone = fields.get("phone") or None
    if phone:
        phone = clean_mobile(phone, field="phone")
    gender = fields.get("gender") or None
    if gender not in (None, "男", "女"):
        raise DomainError(_l("Gender must be 男 or 女."), field="gender")
    before = audit.snapshot(advisor, ADVISOR_FIELDS) if advisor else None
    if advisor is None:
        advisor = Advisor(school_id=school.id)
        db.session.add(advisor)
    advisor.name, advisor.phone, advisor.gender = name, phone, gender
    for key in ("email", "subject", "title"):
        setattr(advisor, key, (fields.get(key) or "").strip() or None)
    db.session.flush()
    audit.record(
        "update" if before else "create",
        advisor,
        before=before,
        after=audit.snapshot(advisor, ADVISOR_FIELDS),
        actor=actor,
    )
    return advisor


def list_advisors(school_id: int) -> list[Advisor]:
    """A school's advisors in 姓氏拼音 order."""
    advisors = db.session.execute(sa.select(Advisor).where(Advisor.school_id == school_id)).scalars()
    return sorted(advisors, key=lambda a: (name_sort_key(a.name), a.id))


def delete_advisor(advisor: Advisor, actor=None) -> None:
    """An advisor of an entry stays on the school's list."""
    delete_unless_in_entry(
        advisor,
        EntryAdvisor.advisor_id,
        _l("%(name)s advises an entry and cannot be removed.", name=advisor.name),
        actor,
    )
