"""Categories of a contest: their settings, material requirements and quotas."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from competitions import eligibility
from competitions.codes import normalise_category_code
from competitions.models import (
    Category,
    CategoryQuota,
    Contest,
    ContestStatus,
    Entry,
    EntryType,
    MaterialRequirement,
)
from core import audit
from core.errors import DomainError
from core.extensions import db

CATEGORY_FIELDS = [
    "code",
    "name",
    "description",
    "entry_type",
    "min_members",
    "max_members",
    "allowed_stages",
    "max_advisors",
    "grade_min",
    "grade_max",
    "age_min",
    "age_max",
    "completion_months",
    "scoring_mode",
    "position",
]


def save_category(contest: Contest, category: Category | None, actor=None, **fields: Any) -> Category:
    """Create or update a category. Codes are unique in a contest and frozen once an entry has a code."""
    if contest.status not in (ContestStatus.DRAFT.value, ContestStatus.REGISTRATION.value):
        raise DomainError(_l("Categories can only be changed before registration closes."), field="code")
    code = normalise_category_code_or_error(fields.get("code", category.code if category else ""))
    if category is not None and code != category.code and _category_has_codes(category):
        raise DomainError(_l("Entries of this category already have codes; its code cannot change."), field="code")
    clash = db.session.execute(
        sa.select(Category.id).where(
            Category.contest_id == contest.id, Category.code == code, Category.id != (category.id if category else -1)
        )
    ).first()
    if clash:
        raise DomainError(_l("The code %(code)s is already used in this contest.", code=code), field="code")
    name = (fields.get("name", category.name if category else "") or "").strip()
    if not name:
        raise DomainError(_l("The category needs a name."), field="name")
    before = audit.snapshot(category, CATEGORY_FIELDS) if category else None
    if category is None:
        category = Category(contest=contest, code=code, name=name, position=len(contest.categories))
        db.session.add(category)
    fields = {**fields, "code": code, "name": name}
    _check_category_values(fields)
    for key in CATEGORY_FIELDS:
        if key in fields:
            setattr(category, key, fields[key])
    if category.entry_type == EntryType.INDIVIDUAL.value:
        category.min_members = category.max_members = 1
    elif category.entry_type == EntryType.ADVISOR.value:
        category.min_members = category.max_members = 0
    db.session.flush()
    audit.record(
        "update" if before else "create",
        category,
        before=before,
        after=audit.snapshot(category, CATEGORY_FIELDS),
        actor=actor,
    )
    return category


def normalise_category_code_or_error(code: str) -> str:
    try:
        return normalise_category_code(code)
    except ValueError:
        raise DomainError(
            _l("A category code has 1-12 letters or digits and starts with a letter, e.g. JQR."), field="code"
        ) from None


def _check_category_values(fields: dict) -> None:
    if fields.get("entry_type", "individual") not in {t.value for t in EntryType}:
        raise DomainError(_l("Unknown entry type."), field="entry_type")
    if fields.get("scoring_mode", "rubric") not in ("rubric", "performance"):
        raise DomainError(_l("Unknown scoring mode."), field="scoring_mode")
    if fields.get("entry_type") == EntryType.TEAM.value:
        low, high = fields.get("min_members", 2), fields.get("max_members", 3)
        if low is None or low < 2:
            raise DomainError(
                _l("A team (集体) has at least 2 members; a single student enters an individual category."),
                field="min_members",
            )
        if high is None or not (low <= high <= 10):
            raise DomainError(
                _l("A team has between 2 and 10 members, and the minimum cannot exceed the maximum."),
                field="max_members",
            )
    stages = fields.get("allowed_stages")
    if stages is not None and (not stages or any(s not in eligibility.STAGES for s in stages)):
        raise DomainError(_l("Choose at least one stage."), field="allowed_stages")
    if fields.get("grade_min") and fields.get("grade_max") and fields["grade_min"] > fields["grade_max"]:
        raise DomainError(_l("The lowest grade cannot be above the highest."), field="grade_max")
    if fields.get("age_min") and fields.get("age_max") and fields["age_min"] > fields["age_max"]:
        raise DomainError(_l("The minimum age cannot be above the maximum."), field="age_max")


def _category_has_codes(category: Category) -> bool:
    return (
        db.session.execute(
            sa.select(Entry.id).where(Entry.category_id == category.id, Entry.code.is_not(None)).limit(1)
        ).first()
        is not None
    )


def delete_category(category: Category, actor=None) -> None:
    """Only a category without entries can be deleted."""
    if db.session.execute(sa.select(Entry.id).where(Entry.category_id == category.id).limit(1)).first():
        raise DomainError(_l("This category has entries and cannot be deleted."), field="code")
    audit.record("delete", category, before=audit.snapshot(category, CATEGORY_FIELDS), actor=actor)
    db.session.delete(category)
    db.session.flush()


def save_category_with_rows(
    contest: Contest,
    category: Category | None,
    fields: dict,
    *,
    requirements: list[dict],
    quotas: list[dict],
    actor=None,
) -> Category:
    """Create or update a category with its material requirements and quotas, as the category form saves them."""
    saved = save_category(contest, category, actor=actor, **fields)
    set_category_requirements(saved, requirements, actor=actor)
    set_category_quotas(saved, quotas, actor=actor)
    return saved


def set_category_requirements(category: Category, requirements: list[dict], actor=None) -> None:
    """Replace the material requirements of a category (kind, label, accepted, max_mb, max_files, required).
    Each kind at most once; files of 1-60 MB, 1-20 files; accepted types from competitions.materials."""
    from competitions.materials import FILE_TYPES, MATERIAL_KINDS, TYPE_GROUPS

    for item in requirements:
        if item.get("kind") not in MATERIAL_KINDS:
            raise DomainError(_l("Choose the kind of each material."), field="materials")
        if any(t not in TYPE_GROUPS and t not in FILE_TYPES for t in item.get("accepted") or ["pdf"]):
            raise DomainError(_l("Unknown file type."), field="materials")
        if not (1 <= int(item.get("max_mb", 20)) <= 60 and 1 <= int(item.get("max_files", 1)) <= 20):
            raise DomainError(_l("A material allows at most 60 MB per file and 20 files."), field="materials")
    if len({i["kind"] for i in requirements}) != len(requirements):
        raise DomainError(_l("Each kind of material appears once."), field="materials")
    before = [requirement_plain(r) for r in category.requirements]
    category.requirements.clear()
    db.session.flush()
    for position, item in enumerate(requirements):
        category.requirements.append(
            MaterialRequirement(
                kind=item["kind"],
                label=item.get("label", ""),
                accepted=list(item.get("accepted") or ["pdf"]),
                max_mb=int(item.get("max_mb", 20)),
                max_files=int(item.get("max_files", 1)),
                required=bool(item.get("required", True)),
                position=position,
            )
        )
    db.session.flush()
    audit.record(
        "requirements",
        category,
        before={"materials": before},
        after={"materials": [requirement_plain(r) for r in category.requirements]},
        actor=actor,
    )


def set_category_quotas(category: Category, quotas: list[dict], actor=None) -> None:
    """Replace the quotas of a category (scope, stage, kind, limit): one per scope, stage and kind."""
    for item in quotas:
        if (
            item.get("scope", "school") not in ("school", "district")
            or item.get("stage") not in eligibility.STAGES
            or item.get("kind") not in ("individual", "team")
            or item.get("limit") is None
            or int(item["limit"]) < 0
        ):
            raise DomainError(
                _l("Each quota needs where it counts, a stage, an entry type and a number (0 or more)."), field="quotas"
            )
    if len({(i.get("scope", "school"), i["stage"], i["kind"]) for i in quotas}) != len(quotas):
        raise DomainError(_l("Each quota appears once."), field="quotas")
    before = [quota_plain(q) for q in category.quotas]
    category.quotas.clear()
    db.session.flush()
    for item in quotas:
        category.quotas.append(
            CategoryQuota(
                scope=item.get("scope", "school"), stage=item["stage"], kind=item["kind"], limit=int(item["limit"])
            )
        )
    db.session.flush()
    audit.record(
        "quotas",
        category,
        before={"quotas": before},
        after={"quotas": [quota_plain(q) for q in category.quotas]},
        actor=actor,
    )


def requirement_plain(r: MaterialRequirement) -> dict:
    return {
        "kind": r.kind,
        "label": r.label,
        "accepted": list(r.accepted),
        "max_mb": r.max_mb,
        "max_files": r.max_files,
        "required": r.required,
    }


def quota_plain(q: CategoryQuota) -> dict:
    return {"scope": q.scope, "stage": q.stage, "kind": q.kind, "limit": q.limit}
