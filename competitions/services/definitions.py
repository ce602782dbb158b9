"""A contest's definition as JSON (settings, categories, requirements, quotas): export and import."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from accounts.models import Organisation
from competitions.definition import FORMAT, VERSION, ContestDefinition, validate_definition
from competitions.models import (
    Category,
    CategoryQuota,
    Contest,
    MaterialRequirement,
)
from competitions.services.categories import quota_plain, requirement_plain
from competitions.services.contests import create_contest, local_to_utc, utc_to_local
from core import audit
from core.errors import DomainError
from core.extensions import db


def export_contest_definition(contest: Contest) -> dict:
    """The contest set-up (no schools, students or entries) as the documented JSON document."""
    tz = contest.timezone

    def moment(value):
        local = utc_to_local(value, tz)
        return local.isoformat(timespec="minutes") if local else None

    return {
        "format": FORMAT,
        "version": VERSION,
        "contest": {
            "name": contest.name,
            "year": contest.year,
            "description": contest.description,
            "timezone": tz,
            "reference_date": contest.reference_date.isoformat() if contest.reference_date else None,
            "registration_opens_at": moment(contest.registration_opens_at),
            "registration_closes_at": moment(contest.registration_closes_at),
        },
        "categories": [
            {
                "code": c.code,
                "name": c.name,
                "description": c.description,
                "entry_type": c.entry_type,
                "min_members": c.min_members,
                "max_members": c.max_members,
                "allowed_stages": list(c.allowed_stages),
                "max_advisors": c.max_advisors,
                "grade_min": c.grade_min,
                "grade_max": c.grade_max,
                "age_min": c.age_min,
                "age_max": c.age_max,
                "completion_months": c.completion_months,
                "scoring_mode": c.scoring_mode,
                "materials": [requirement_plain(r) for r in c.requirements],
                "quotas": [quota_plain(q) for q in c.quotas],
            }
            for c in contest.categories
        ],
    }


class DefinitionInvalid(DomainError):
    def __init__(self, errors):
        super().__init__(_l("The contest definition has errors."), field="file", code="invalid_definition")
        self.errors = errors


def import_contest_definition(
    doc: Any, organisation: Organisation, *, year: int | None = None, name: str | None = None, actor=None
) -> Contest:
    """Create a new draft contest from a definition document (cloning last year's set-up, or a city's
    template). ``year``/``name`` override the document's. All or nothing: raises DefinitionInvalid."""
    definition, errors = validate_definition(doc)
    if errors:
        raise DefinitionInvalid(errors)
    if not isinstance(definition, ContestDefinition):  # the schema's post_load makes one; anything else is a bug
        raise TypeError(f"contest definition schema returned {type(definition).__name__}")
    if year is not None:
        shift = year - definition.year
        definition.year = year
        definition.reference_date = _shift_years(definition.reference_date, shift)
        definition.registration_opens_at = _shift_years(definition.registration_opens_at, shift)
        definition.registration_closes_at = _shift_years(definition.registration_closes_at, shift)
    contest = create_contest(
        organisation,
        name=(name or definition.name),
        year=definition.year,
        description=definition.description,
        registration_opens_at=local_to_utc(definition.registration_opens_at, definition.timezone),
        registration_closes_at=local_to_utc(definition.registration_closes_at, definition.timezone),
        timezone_name=definition.timezone,
        reference_date=definition.reference_date,
        actor=actor,
    )
    for position, cat in enumerate(definition.categories):
        category = Category(
            contest=contest,
            code=cat.code,
            name=cat.name,
            description=cat.description,
            entry_type=cat.entry_type,
            min_members=cat.min_members,
            max_members=cat.max_members,
            allowed_stages=cat.allowed_stages,
            max_advisors=cat.max_advisors,
            grade_min=cat.grade_min,
            grade_max=cat.grade_max,
            age_min=cat.age_min,
            age_max=cat.age_max,
            completion_months=cat.completion_months,
            scoring_mode=cat.scoring_mode,
            position=position,
        )
        for index, req in enumerate(cat.materials):
            category.requirements.append(
                MaterialRequirement(
                    kind=req.kind,
                    label=req.label,
                    accepted=req.accepted,
                    max_mb=req.max_mb,
                    max_files=req.max_files,
                    required=req.required,
                    position=index,
                )
            )
        for quota in cat.quotas:
            category.quotas.append(
                CategoryQuota(scope=quota.scope, stage=quota.stage, kind=quota.kind, limit=quota.limit)
            )
        db.session.add(category)
    db.session.flush()
    audit.record(
        "import_definition", contest, after={"categories": [c.code for c in definition.categories]}, actor=actor
    )
    return contest


def _shift_years(value, years: int):
    if value is None or years == 0:
        return value
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February
        return value.replace(year=value.year + years, day=28)
