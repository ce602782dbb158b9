"""Competitions: every state change and every non-trivial query. Functions flush, never commit."""
from __future__ import annotations

import hashlib
import io
import secrets
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from accounts.models import STAGE_COVERS, Organisation, OrganisationKind, Stage
from competitions import eligibility
from competitions import notifications as notices
from competitions.codes import format_entry_code, normalise_category_code
from competitions.definition import FORMAT, VERSION, ContestDefinition, validate_definition
from competitions.eligibility import CategoryRules, EntryFacts, Problem, QuotaCount, QuotaRule, StudentFacts
from competitions.materials import FILE_EXTENSION, IMAGE_TYPES, check_material
from competitions.models import (
    CONTEST_TRANSITIONS,
    LIVE_ENTRY_STATUSES,
    QUOTA_ENTRY_STATUSES,
    STAGE_LABELS,
    Advisor,
    Category,
    CategoryQuota,
    Contest,
    ContestStatus,
    Entry,
    EntryAdvisor,
    EntryMember,
    EntryStatus,
    EntryType,
    Material,
    MaterialRequirement,
    SchoolDeadline,
    Student,
)
from competitions.roster import RosterResult, RosterRow
from competitions.sorting import sort_entries, student_sort_key
from core import audit
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from core.locks import acquire_lock
from core.names import name_matches, name_sort_key

CONTEST_FIELDS = ["name", "year", "status", "description", "registration_opens_at", "registration_closes_at",
                  "timezone", "reference_date"]
CATEGORY_FIELDS = ["code", "name", "description", "entry_type", "min_members", "max_members", "allowed_stages",
                   "max_advisors", "grade_min", "grade_max", "age_min", "age_max", "completion_months", "scoring_mode",
                   "position"]
ENTRY_FIELDS = ["title", "abstract", "category_id", "work_started_on", "work_completed_on", "status", "code"]
STUDENT_FIELDS = ["name", "gender", "birth_date", "grade", "class_name", "id_number", "guardian_phone"]
ADVISOR_FIELDS = ["name", "gender", "phone", "email", "subject", "title"]


# ====================================================================================== time

def local_to_utc(value: datetime | None, tz: str) -> datetime | None:
    """A wall-clock time in the contest's timezone (what an organiser types) as aware UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz))
    return value.astimezone(UTC)


def utc_to_local(value: datetime | None, tz: str) -> datetime | None:
    """Aware UTC as the contest's wall-clock time (naive), for forms and exports."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(tz)).replace(tzinfo=None)


# ====================================================================================== contests

def create_contest(organisation: Organisation, *, name: str, year: int, description: str = "",
                   registration_opens_at: datetime | None = None, registration_closes_at: datetime | None = None,
                   timezone_name: str = "Asia/Shanghai", reference_date: date | None = None, actor=None) -> Contest:
    """A new contest in draft. Window times are aware datetimes (UTC or any zone)."""
    if organisation.kind != OrganisationKind.ASSOCIATION:
        raise DomainError(_l("Contests are organised by an organising unit (科协), not a school."), field="organisation_id")
    contest = Contest(organisation_id=organisation.id, organisation=organisation, status=ContestStatus.DRAFT.value)
    db.session.add(contest)
    _apply_contest_fields(contest, name=name, year=year, description=description,
                          registration_opens_at=registration_opens_at, registration_closes_at=registration_closes_at,
                          timezone=timezone_name, reference_date=reference_date)
    audit.record("create", contest, after=audit.snapshot(contest, CONTEST_FIELDS), actor=actor)
    return contest


def update_contest(contest: Contest, actor=None, **fields: Any) -> Contest:
    """Change name, year, description, window, timezone or reference date (not the status)."""
    before = audit.snapshot(contest, CONTEST_FIELDS)
    _apply_contest_fields(contest, **fields)
    audit.record("update", contest, before=before, after=audit.snapshot(contest, CONTEST_FIELDS), actor=actor)
    return contest


def _apply_contest_fields(contest: Contest, **fields: Any) -> None:
    name = (fields.get("name", contest.name) or "").strip()
    if not name:
        raise DomainError(_l("The contest needs a name."), field="name")
    year = fields.get("year", contest.year)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise DomainError(_l("The year must be between 2000 and 2100."), field="year")
    tz = fields.get("timezone", contest.timezone) or "Asia/Shanghai"
    try:
        ZoneInfo(tz)
    except Exception:
        raise DomainError(_l("Unknown time zone %(tz)s.", tz=tz), field="timezone") from None
    opens = fields.get("registration_opens_at", contest.registration_opens_at)
    closes = fields.get("registration_closes_at", contest.registration_closes_at)
    if opens and closes and closes <= opens:
        raise DomainError(_l("Registration must close after it opens."), field="registration_closes_at")
    with db.session.no_autoflush:
        clash = db.session.execute(sa.select(Contest.id).where(
            Contest.organisation_id == contest.organisation_id, Contest.year == year, Contest.name == name,
            Contest.id != (contest.id or -1))).first()
    if clash:
        raise DomainError(_l("This organisation already has a contest %(name)s in %(year)s.", name=name, year=year), field="name")
    contest.name, contest.year, contest.timezone = name, year, tz
    contest.registration_opens_at, contest.registration_closes_at = opens, closes
    if "description" in fields:
        contest.description = fields["description"] or ""
    if "reference_date" in fields:
        contest.reference_date = fields["reference_date"]
    db.session.flush()


def move_contest(contest: Contest, target: ContestStatus | str, actor=None) -> Contest:
    """Move a contest along its lifecycle (draft → registration → closed → judging → notice → final →
    archived; closed → registration and notice → judging are the allowed steps back). Audited."""
    target = ContestStatus(target)
    current = ContestStatus(contest.status)
    if target not in CONTEST_TRANSITIONS[current]:
        raise DomainError(_l("A contest in %(current)s cannot move to %(target)s.", current=current.value,
                             target=target.value), field="status", code="bad_transition", status=409)
    if target == ContestStatus.REGISTRATION:
        if not contest.categories:
            raise DomainError(_l("Add at least one category before opening registration."), field="status")
        if not (contest.registration_opens_at and contest.registration_closes_at):
            raise DomainError(_l("Set the registration window before opening registration."), field="registration_closes_at")
    contest.status = target.value
    db.session.flush()
    audit.record("status", contest, before={"status": current.value}, after={"status": target.value}, actor=actor)
    return contest


def list_contests(organisation_ids: Iterable[int] | None = None, statuses: Iterable[str] | None = None) -> list[Contest]:
    """Contests, newest first; restricted to the given organisations when given."""
    query = sa.select(Contest).order_by(Contest.year.desc(), Contest.id.desc())
    if organisation_ids is not None:
        query = query.where(Contest.organisation_id.in_(list(organisation_ids) or [-1]))
    if statuses is not None:
        query = query.where(Contest.status.in_(list(statuses)))
    return list(db.session.execute(query).scalars())


def contests_open_to_school(school: Organisation) -> list[Contest]:
    """Contests a school can see: run by an organising unit above it, out of draft."""
    ancestors = []
    node = school.parent
    while node is not None:
        ancestors.append(node.id)
        node = node.parent
    return list_contests(ancestors, [s.value for s in ContestStatus if s != ContestStatus.DRAFT])


# -------------------------------------------------------------------------------------- window

def school_deadline(contest: Contest, school_id: int) -> datetime | None:
    """When registration closes for this school: the contest's close, or the school's own extension."""
    closes = contest.registration_closes_at
    for extension in contest.school_deadlines:
        if extension.school_id == school_id and (closes is None or extension.closes_at > closes):
            closes = extension.closes_at
    return closes


def registration_open_for(contest: Contest, school_id: int, now: datetime | None = None) -> bool:
    """Schools may create, edit and submit entries while the contest is in registration and inside the
    window (in the contest's timezone, checked here on the server), or until their extended deadline."""
    now = now or utcnow()
    if contest.status not in (ContestStatus.REGISTRATION.value, ContestStatus.CLOSED.value):
        return False
    if contest.registration_opens_at and now < contest.registration_opens_at:
        return False
    closes = school_deadline(contest, school_id)
    if contest.status == ContestStatus.CLOSED.value:
        # closed for everybody except a school with an extension still running
        return any(e.school_id == school_id and now <= e.closes_at for e in contest.school_deadlines)
    return closes is None or now <= closes


def status_label_for_school(contest: Contest, school_id: int, now: datetime | None = None):
    """The contest's state as one school sees it: never "registration open" once its own window has closed
    (or before it opens), and "open (extended)" for a school with a running extension after the close."""
    now = now or utcnow()
    is_open = registration_open_for(contest, school_id, now)
    if contest.status == ContestStatus.REGISTRATION.value and not is_open:
        if contest.registration_opens_at and now < contest.registration_opens_at:
            return _l("Registration not yet open")
        return _l("Registration closed for your school")
    if contest.status == ContestStatus.CLOSED.value and is_open:
        return _l("Registration open for your school (extended)")
    return contest.status_label


def extend_deadline(contest: Contest, school: Organisation, closes_at: datetime, reason: str = "", actor=None) -> SchoolDeadline:
    """Extend the registration window for a single school (replaces an earlier extension). Audited."""
    if school.kind != OrganisationKind.SCHOOL:
        raise DomainError(_l("Extensions are given to schools."), field="school_id")
    if contest.status not in (ContestStatus.REGISTRATION.value, ContestStatus.CLOSED.value):
        raise DomainError(_l("Registration can only be extended while it is open or just closed."), field="closes_at")
    if contest.registration_closes_at and closes_at <= contest.registration_closes_at:
        raise DomainError(_l("The extension must end after the contest's own deadline."), field="closes_at")
    extension = next((e for e in contest.school_deadlines if e.school_id == school.id), None)
    before = {"closes_at": extension.closes_at} if extension else None
    if extension is None:
        extension = SchoolDeadline(contest=contest, school_id=school.id, closes_at=closes_at)
        db.session.add(extension)
    extension.closes_at, extension.reason = closes_at, (reason or "").strip()[:500]
    extension.created_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record("extend_deadline", contest, before=before,
                 after={"school_id": school.id, "closes_at": closes_at, "reason": extension.reason}, actor=actor)
    return extension


# ====================================================================================== categories

def save_category(contest: Contest, category: Category | None, actor=None, **fields: Any) -> Category:
    """Create or update a category. Codes are unique in a contest and frozen once an entry has a code."""
    if contest.status not in (ContestStatus.DRAFT.value, ContestStatus.REGISTRATION.value):
        raise DomainError(_l("Categories can only be changed before registration closes."), field="code")
    code = normalise_category_code_or_error(fields.get("code", category.code if category else ""))
    if category is not None and code != category.code and _category_has_codes(category):
        raise DomainError(_l("Entries of this category already have codes; its code cannot change."), field="code")
    clash = db.session.execute(sa.select(Category.id).where(Category.contest_id == contest.id, Category.code == code,
                                                            Category.id != (category.id if category else -1))).first()
    if clash:
        raise DomainError(_l("The code %(code)s is already used in this contest.", code=code), field="code")
    name = (fields.get("name", category.name if category else "") or "").strip()
    if not name:
        raise DomainError(_l("The category needs a name."), field="name")
    before = audit.snapshot(category, CATEGORY_FIELDS) if category else None
    if category is None:
        category = Category(contest=contest, code=code, name=name,
                            position=len(contest.categories))
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
    audit.record("update" if before else "create", category, before=before,
                 after=audit.snapshot(category, CATEGORY_FIELDS), actor=actor)
    return category


def normalise_category_code_or_error(code: str) -> str:
    try:
        return normalise_category_code(code)
    except ValueError:
        raise DomainError(_l("A category code has 1-12 letters or digits and starts with a letter, e.g. JQR."),
                          field="code") from None


def _check_category_values(fields: dict) -> None:
    if fields.get("entry_type", "individual") not in {t.value for t in EntryType}:
        raise DomainError(_l("Unknown entry type."), field="entry_type")
    if fields.get("scoring_mode", "rubric") not in ("rubric", "performance"):
        raise DomainError(_l("Unknown scoring mode."), field="scoring_mode")
    if fields.get("entry_type") == EntryType.TEAM.value:
        low, high = fields.get("min_members", 2), fields.get("max_members", 3)
        if low is None or low < 2:
            raise DomainError(_l("A team (集体) has at least 2 members; a single student enters an individual category."),
                              field="min_members")
        if high is None or not (low <= high <= 10):
            raise DomainError(_l("A team has between 2 and 10 members, and the minimum cannot exceed the maximum."),
                              field="max_members")
    stages = fields.get("allowed_stages")
    if stages is not None and (not stages or any(s not in eligibility.STAGES for s in stages)):
        raise DomainError(_l("Choose at least one stage."), field="allowed_stages")
    if fields.get("grade_min") and fields.get("grade_max") and fields["grade_min"] > fields["grade_max"]:
        raise DomainError(_l("The lowest grade cannot be above the highest."), field="grade_max")
    if fields.get("age_min") and fields.get("age_max") and fields["age_min"] > fields["age_max"]:
        raise DomainError(_l("The minimum age cannot be above the maximum."), field="age_max")


def _category_has_codes(category: Category) -> bool:
    return db.session.execute(sa.select(Entry.id).where(Entry.category_id == category.id,
                                                        Entry.code.is_not(None)).limit(1)).first() is not None


def delete_category(category: Category, actor=None) -> None:
    """Only a category without entries can be deleted."""
    if db.session.execute(sa.select(Entry.id).where(Entry.category_id == category.id).limit(1)).first():
        raise DomainError(_l("This category has entries and cannot be deleted."), field="code")
    audit.record("delete", category, before=audit.snapshot(category, CATEGORY_FIELDS), actor=actor)
    db.session.delete(category)
    db.session.flush()


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
    before = [_requirement_plain(r) for r in category.requirements]
    category.requirements.clear()
    db.session.flush()
    for position, item in enumerate(requirements):
        category.requirements.append(MaterialRequirement(
            kind=item["kind"], label=item.get("label", ""), accepted=list(item.get("accepted") or ["pdf"]),
            max_mb=int(item.get("max_mb", 20)), max_files=int(item.get("max_files", 1)),
            required=bool(item.get("required", True)), position=position))
    db.session.flush()
    audit.record("requirements", category, before={"materials": before},
                 after={"materials": [_requirement_plain(r) for r in category.requirements]}, actor=actor)


def set_category_quotas(category: Category, quotas: list[dict], actor=None) -> None:
    """Replace the quotas of a category (scope, stage, kind, limit): one per scope, stage and kind."""
    for item in quotas:
        if item.get("scope", "school") not in ("school", "district") or item.get("stage") not in eligibility.STAGES \
                or item.get("kind") not in ("individual", "team") or item.get("limit") is None or int(item["limit"]) < 0:
            raise DomainError(_l("Each quota needs where it counts, a stage, an entry type and a number (0 or more)."),
                              field="quotas")
    if len({(i.get("scope", "school"), i["stage"], i["kind"]) for i in quotas}) != len(quotas):
        raise DomainError(_l("Each quota appears once."), field="quotas")
    before = [_quota_plain(q) for q in category.quotas]
    category.quotas.clear()
    db.session.flush()
    for item in quotas:
        category.quotas.append(CategoryQuota(scope=item.get("scope", "school"), stage=item["stage"],
                                             kind=item["kind"], limit=int(item["limit"])))
    db.session.flush()
    audit.record("quotas", category, before={"quotas": before},
                 after={"quotas": [_quota_plain(q) for q in category.quotas]}, actor=actor)


def _requirement_plain(r: MaterialRequirement) -> dict:
    return {"kind": r.kind, "label": r.label, "accepted": list(r.accepted), "max_mb": r.max_mb,
            "max_files": r.max_files, "required": r.required}


def _quota_plain(q: CategoryQuota) -> dict:
    return {"scope": q.scope, "stage": q.stage, "kind": q.kind, "limit": q.limit}


# ====================================================================================== definition JSON

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
            "name": contest.name, "year": contest.year, "description": contest.description, "timezone": tz,
            "reference_date": contest.reference_date.isoformat() if contest.reference_date else None,
            "registration_opens_at": moment(contest.registration_opens_at),
            "registration_closes_at": moment(contest.registration_closes_at),
        },
        "categories": [{
            "code": c.code, "name": c.name, "description": c.description, "entry_type": c.entry_type,
            "min_members": c.min_members, "max_members": c.max_members, "allowed_stages": list(c.allowed_stages),
            "max_advisors": c.max_advisors, "grade_min": c.grade_min, "grade_max": c.grade_max,
            "age_min": c.age_min, "age_max": c.age_max, "completion_months": c.completion_months,
            "scoring_mode": c.scoring_mode,
            "materials": [_requirement_plain(r) for r in c.requirements],
            "quotas": [_quota_plain(q) for q in c.quotas],
        } for c in contest.categories],
    }


class DefinitionInvalid(DomainError):
    def __init__(self, errors):
        super().__init__(_l("The contest definition has errors."), field="file", code="invalid_definition")
        self.errors = errors


def import_contest_definition(doc: Any, organisation: Organisation, *, year: int | None = None,
                              name: str | None = None, actor=None) -> Contest:
    """Create a new draft contest from a definition document (cloning last year's set-up, or a city's
    template). ``year``/``name`` override the document's. All or nothing: raises DefinitionInvalid."""
    definition, errors = validate_definition(doc)
    if errors:
        raise DefinitionInvalid(errors)
    assert isinstance(definition, ContestDefinition)
    if year is not None:
        shift = year - definition.year
        definition.year = year
        definition.reference_date = _shift_years(definition.reference_date, shift)
        definition.registration_opens_at = _shift_years(definition.registration_opens_at, shift)
        definition.registration_closes_at = _shift_years(definition.registration_closes_at, shift)
    contest = create_contest(
        organisation, name=(name or definition.name), year=definition.year, description=definition.description,
        registration_opens_at=local_to_utc(definition.registration_opens_at, definition.timezone),
        registration_closes_at=local_to_utc(definition.registration_closes_at, definition.timezone),
        timezone_name=definition.timezone, reference_date=definition.reference_date, actor=actor)
    for position, cat in enumerate(definition.categories):
        category = Category(contest=contest, code=cat.code, name=cat.name, description=cat.description,
                            entry_type=cat.entry_type, min_members=cat.min_members, max_members=cat.max_members,
                            allowed_stages=cat.allowed_stages, max_advisors=cat.max_advisors, grade_min=cat.grade_min,
                            grade_max=cat.grade_max, age_min=cat.age_min, age_max=cat.age_max,
                            completion_months=cat.completion_months, scoring_mode=cat.scoring_mode, position=position)
        for index, req in enumerate(cat.materials):
            category.requirements.append(MaterialRequirement(kind=req.kind, label=req.label, accepted=req.accepted,
                                                             max_mb=req.max_mb, max_files=req.max_files,
                                                             required=req.required, position=index))
        for quota in cat.quotas:
            category.quotas.append(CategoryQuota(scope=quota.scope, stage=quota.stage, kind=quota.kind, limit=quota.limit))
        db.session.add(category)
    db.session.flush()
    audit.record("import_definition", contest, after={"categories": [c.code for c in definition.categories]}, actor=actor)
    return contest


def _shift_years(value, years: int):
    if value is None or years == 0:
        return value
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February
        return value.replace(year=value.year + years, day=28)


# ====================================================================================== schools

SCHOOL_HEADERS = {
    "name": ("学校名称", "学校", "name", "school"),
    "code": ("代码", "学校代码", "code"),
    "stage": ("学段", "stage"),
    "district": ("地区", "区县", "district"),
}
STAGE_WORDS = {"小学": "primary", "初中": "junior", "高中": "senior", "完全中学": "complete", "完中": "complete",
               "九年一贯制": "nine_year", "九年一贯": "nine_year", "primary": "primary", "junior": "junior",
               "senior": "senior", "complete": "complete", "nine_year": "nine_year"}


@dataclass
class SchoolImportResult:
    created: int = 0
    updated: int = 0
    problems: list[tuple[int | None, Any]] = field(default_factory=list)  # (row or None, lazy message)


def import_schools(data: bytes, filename: str, parent: Organisation, actor=None, size: int | None = None) -> SchoolImportResult:
    """Create or update schools under ``parent`` from a file with 学校名称, 代码, 学段, 地区 (xlsx or csv).
    Matched by code. All or nothing: any problem means nothing is written (problems are returned).
    ``size``: the upload's full size when only its first bytes were read."""
    from accounts.services import save_organisation
    from competitions.roster import RosterFileError, normalise_header, normalise_text, read_table

    result = SchoolImportResult()
    try:
        rows, _fmt, _enc = read_table(data, filename, size=size)
    except RosterFileError as exc:
        result.problems.append((None, _l_message(exc.error.message, exc.error.params)))
        return result
    from core.spreadsheets import find_header_row

    lookup = {normalise_header(alias): key for key, aliases in SCHOOL_HEADERS.items() for alias in aliases}
    found = find_header_row(rows, lambda value: lookup.get(normalise_header(value)), required="name")
    header_at, mapping = (found[0], found[1]) if found else (None, {})
    if header_at is None or "code" not in mapping or "stage" not in mapping:
        result.problems.append((None, _l("The file needs the columns 学校名称, 代码, 学段 and 地区.")))
        return result
    parsed = []
    seen: dict[str, int] = {}

    def cell(values: tuple, key: str) -> str:
        return normalise_text(values[mapping[key]]) if key in mapping and mapping[key] < len(values) else ""

    for number, values in rows[header_at + 1:]:
        name, code, stage_text, district = (cell(values, k) for k in ("name", "code", "stage", "district"))
        if name and mapping["name"] < len(values):
            name = " ".join(str(values[mapping["name"]]).split())  # keep full-width （） as schools write them
        if not any((name, code, stage_text, district)):
            continue
        if not name:
            result.problems.append((number, _l("学校名称 is required.")))
        if not code:
            result.problems.append((number, _l("代码 is required.")))
        elif code in seen:
            result.problems.append((number, _l("The code %(code)s is also on row %(row)s.", code=code, row=seen[code])))
        seen.setdefault(code, number)
        stage = STAGE_WORDS.get(stage_text.replace(" ", ""))
        if stage is None:
            result.problems.append((number, _l("学段 “%(value)s” must be 小学, 初中, 高中, 完全中学 or 九年一贯制.", value=stage_text)))
        parsed.append((number, name, code, stage, district or None))
    if not parsed and not result.problems:
        result.problems.append((None, _l("The file has a header row but no schools.")))
    if result.problems:
        return result
    existing = {o.code: o for o in db.session.execute(sa.select(Organisation).where(
        Organisation.code.in_([p[2] for p in parsed]))).scalars()}
    for number, name, code, stage, district in parsed:
        org = existing.get(code)
        if org is not None and org.kind != OrganisationKind.SCHOOL:
            result.problems.append((number, _l("The code %(code)s belongs to an organisation that is not a school.", code=code)))
            continue
        try:
            save_organisation(org, kind=OrganisationKind.SCHOOL.value, name=name, code=code, stage=stage,
                              district=district, parent_id=org.parent_id if org else parent.id)
        except DomainError as exc:
            result.problems.append((number, exc.message))
            continue
        if org is None:
            result.created += 1
        else:
            result.updated += 1
    return result


def _l_message(message: str, params: dict):
    """A pure module's English msgid with parameters, translated lazily where it is shown."""
    return _l(message, **params)


def school_of(school_id: int) -> Organisation | None:
    org = db.session.get(Organisation, school_id)
    return org if org is not None and org.kind == OrganisationKind.SCHOOL else None


def school_by_code(code: str) -> Organisation | None:
    return db.session.execute(sa.select(Organisation).where(
        Organisation.code == code, Organisation.kind == OrganisationKind.SCHOOL.value)).scalar_one_or_none()


# ====================================================================================== students

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
    from competitions.roster import plausibility_warnings

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
            candidates = [s for s in by_person.get((row.name, row.birth_date), [])
                          if s.id not in claimed and (not row.id_number or not s.id_number)]
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
    warnings = sorted(result.notes + plausibility_warnings(result.rows, date.today(), stages),
                      key=lambda w: (w.row or 0, w.code))
    return RosterPlan(items, warnings)


def import_roster(school: Organisation, result: RosterResult, actor=None) -> Counter:
    """Apply a validated roster to a school (all rows or, for an invalid roster, none). Audited once."""
    if not result.ok:
        raise DomainError(_l("The roster has errors; nothing was imported."), field="file")
    acquire_lock(f"roster:{school.id}")
    plan = plan_roster_import(school, result)
    now = utcnow()
    # Core-level bulk statements: a 10,000-row roster is one executemany, not 10,000 ORM objects.
    creates = [{"school_id": school.id, "name": item.row.name, "gender": item.row.gender,
                "birth_date": item.row.birth_date, "grade": item.row.grade, "class_name": item.row.class_name,
                "id_number": item.row.id_number, "guardian_phone": item.row.guardian_phone,
                "created_at": now, "updated_at": now}
               for item in plan.items if item.action == "create"]
    updates = [{"id": item.student.id, "updated_at": now, **{name: new for name, (_old, new) in item.changes.items()}}
               for item in plan.items if item.action == "update"]
    if creates:
        db.session.execute(sa.insert(Student), creates)
    if updates:  # ORM bulk UPDATE by primary key: rows with the same changed columns go in one executemany
        db.session.execute(sa.update(Student), updates)
    db.session.flush()
    for item in plan.items:  # keep loaded objects in step with the rows just written
        if item.student is not None and item.action == "update":
            db.session.expire(item.student)
    counts = plan.counts
    audit.record("roster_import", school, object_type="roster", object_id=school.id, organisation_id=school.id,
                 after={"created": counts["create"], "updated": counts["update"], "unchanged": counts["unchanged"],
                        "file_format": result.file_format}, actor=actor)
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
    from competitions.roster import FIELD_LABELS, RowChecker

    values = tuple(fields.get(name) for name in STUDENT_FIELDS)
    mapping = {name: index for index, name in enumerate(STUDENT_FIELDS)}
    checker = RowChecker(mapping, FIELD_LABELS, date.today())
    row = checker.check(0, values)
    if row is None:
        error = checker.errors[0]
        raise DomainError(_l_message(error.message, error.params), field=error.header and
                          {v: k for k, v in FIELD_LABELS.items()}.get(error.header, "name"))
    if row.id_number:
        clash = db.session.execute(sa.select(Student.id).where(
            Student.school_id == school.id, Student.id_number == row.id_number,
            Student.id != (student.id if student else -1))).first()
        if clash:
            raise DomainError(_l("Another student of this school has this ID number."), field="id_number")
    before = audit.snapshot(student, STUDENT_FIELDS) if student else None
    if student is None:
        student = Student(school_id=school.id)
        db.session.add(student)
    for name in STUDENT_FIELDS:
        setattr(student, name, getattr(row, name))
    db.session.flush()
    audit.record("update" if before else "create", student, before=_mask_student(before),
                 after=_mask_student(audit.snapshot(student, STUDENT_FIELDS)), actor=actor)
    return student


def _mask_student(values: dict | None) -> dict | None:
    """The audit log keeps who changed a student, not the minor's ID number or guardian phone."""
    if values is None:
        return None
    from core.privacy import mask_id_number, mask_phone

    return {**values, "id_number": mask_id_number(values.get("id_number")),
            "guardian_phone": mask_phone(values.get("guardian_phone"))}


def delete_student(student: Student, actor=None) -> None:
    """A student who is in an entry stays on the roster."""
    if db.session.execute(sa.select(EntryMember.id).where(EntryMember.student_id == student.id).limit(1)).first():
        raise DomainError(_l("%(name)s is in an entry and cannot be removed.", name=student.name))
    audit.record("delete", student, before={"name": student.name}, actor=actor)
    db.session.delete(student)
    db.session.flush()


def roster_export_rows(school_id: int) -> list[Student]:
    return list_students(school_id)


# ====================================================================================== advisors

def save_advisor(school: Organisation, advisor: Advisor | None, actor=None, **fields: Any) -> Advisor:
    """Create or update a teacher of the school."""
    from accounts.services import clean_mobile
    from competitions.roster import normalise_name

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
    audit.record("update" if before else "create", advisor, before=before,
                 after=audit.snapshot(advisor, ADVISOR_FIELDS), actor=actor)
    return advisor


def list_advisors(school_id: int) -> list[Advisor]:
    """A school's advisors in 姓氏拼音 order."""
    advisors = db.session.execute(sa.select(Advisor).where(Advisor.school_id == school_id)).scalars()
    return sorted(advisors, key=lambda a: (name_sort_key(a.name), a.id))


def delete_advisor(advisor: Advisor, actor=None) -> None:
    if db.session.execute(sa.select(EntryAdvisor.id).where(EntryAdvisor.advisor_id == advisor.id).limit(1)).first():
        raise DomainError(_l("%(name)s advises an entry and cannot be removed.", name=advisor.name))
    audit.record("delete", advisor, before={"name": advisor.name}, actor=actor)
    db.session.delete(advisor)
    db.session.flush()


# ====================================================================================== entries

def entry_editable(entry: Entry, now: datetime | None = None) -> bool:
    """A school edits a draft or submitted entry until its deadline, and a returned entry until judging starts."""
    if entry.status == EntryStatus.RETURNED.value:
        return entry.contest.status in (ContestStatus.REGISTRATION.value, ContestStatus.CLOSED.value)
    if entry.status in (EntryStatus.DRAFT.value, EntryStatus.SUBMITTED.value):
        return registration_open_for(entry.contest, entry.school_id, now)
    return False


def entry_locked_reason(entry: Entry, now: datetime | None = None):
    """Why a school can no longer change an entry (None while it can), in the words shown beside it."""
    if entry_editable(entry, now):
        return None
    if entry.status == EntryStatus.APPROVED.value:
        return _l("This entry has passed the eligibility review and can no longer be changed. "
                  "If something must be corrected, ask the organiser to return it to your school.")
    if entry.status == EntryStatus.REJECTED.value:
        return _l("This entry was not admitted to the contest and can no longer be changed.")
    if entry.status == EntryStatus.RETURNED.value:
        return _l("Judging has started; a returned entry can no longer be corrected.")
    return _l("Registration has closed for your school; the entry can no longer be changed.")


def _require_editable(entry: Entry, now: datetime | None) -> None:
    reason = entry_locked_reason(entry, now)
    if reason is not None:
        raise DomainError(reason, code="closed", status=409)


def create_entry(contest: Contest, school: Organisation, category: Category, *, title: str, abstract: str = "",
                 student_ids: list[int] = (), leader_id: int | None = None, advisor_ids: list[int] = (),
                 work_started_on: date | None = None, work_completed_on: date | None = None,
                 actor=None, now: datetime | None = None) -> Entry:
    """A draft entry of a school, while registration is open for it (the server checks the window)."""
    if not registration_open_for(contest, school.id, now):
        raise DomainError(_l("Registration for this contest is not open."), code="closed", status=409)
    if category.contest_id != contest.id:
        raise DomainError(_l("Choose a category of this contest."), field="category_id")
    entry = Entry(contest=contest, contest_id=contest.id, category=category, category_id=category.id,
                  school_id=school.id, title="", status=EntryStatus.DRAFT.value, created_by_id=getattr(actor, "id", None))
    db.session.add(entry)
    _fill_entry(entry, title=title, abstract=abstract, student_ids=student_ids, leader_id=leader_id,
                advisor_ids=advisor_ids, work_started_on=work_started_on, work_completed_on=work_completed_on)
    audit.record("create", entry, after=_entry_snapshot(entry), actor=actor)
    return entry


def update_entry(entry: Entry, *, actor=None, now: datetime | None = None, **fields: Any) -> Entry:
    """Change an editable entry. A submitted entry stays submitted only if it still passes every check."""
    _require_editable(entry, now)
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


def _fill_entry(entry: Entry, *, title: str | None = None, abstract: str | None = None,
                student_ids: list[int] | None = None, leader_id: int | None = None, advisor_ids: list[int] | None = None,
                work_started_on: Any = ..., work_completed_on: Any = ...) -> None:
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


def _set_members(entry: Entry, student_ids: list[int], leader_id: int | None) -> None:
    if len(set(student_ids)) != len(student_ids):
        raise DomainError(_l("A student is listed twice."), field="student_ids")
    students = {s.id: s for s in db.session.execute(sa.select(Student).where(Student.id.in_(student_ids or [-1]))).scalars()}
    for sid in student_ids:
        if sid not in students or students[sid].school_id != entry.school_id:
            raise DomainError(_l("Choose students from your own school's roster."), field="student_ids")
    category = entry.category
    if category.entry_type == EntryType.ADVISOR.value and student_ids:
        raise DomainError(_l("The advisor track takes no students."), field="student_ids")
    if category.entry_type != EntryType.ADVISOR.value and len(student_ids) > max(category.max_members, 1):
        raise DomainError(_l("This category allows at most %(n)s students.", n=max(category.max_members, 1)), field="student_ids")
    acquire_lock(f"entries:{entry.contest_id}")  # two schools' drafts cannot both take one student
    taken = students_in_other_entries(entry.contest_id, student_ids, exclude_entry_id=entry.id)
    if taken:
        sid, code = next(iter(taken.items()))
        raise DomainError(_l("%(name)s is already in entry %(entry)s of this contest; a student may enter one project per edition.",
                             name=students[sid].name, entry=code), field="student_ids", code="student_taken", status=409)
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
    if len(set(advisor_ids)) != len(advisor_ids):
        raise DomainError(_l("An advisor is listed twice."), field="advisor_ids")
    advisors = {a.id: a for a in db.session.execute(sa.select(Advisor).where(Advisor.id.in_(advisor_ids or [-1]))).scalars()}
    for aid in advisor_ids:
        if aid not in advisors or advisors[aid].school_id != entry.school_id:
            raise DomainError(_l("Choose advisors from your own school."), field="advisor_ids")
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


def students_in_other_entries(contest_id: int, student_ids: Iterable[int], exclude_entry_id: int | None = None) -> dict[int, str]:
    """student id -> code (or title) of another live entry of the contest that has the student."""
    ids = list(student_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(EntryMember.student_id, Entry.code, Entry.title).join(Entry, Entry.id == EntryMember.entry_id)
        .where(Entry.contest_id == contest_id, EntryMember.student_id.in_(ids),
               Entry.status.in_([s.value for s in LIVE_ENTRY_STATUSES]), Entry.id != (exclude_entry_id or -1))).all()
    return {sid: code or f"“{title}”" for sid, code, title in rows}


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
        _remove_material_files(material)
    db.session.delete(entry)
    db.session.flush()


# -------------------------------------------------------------------------------------- eligibility facts

def category_rules(category: Category, contest: Contest) -> CategoryRules:
    return CategoryRules(
        code=category.code, entry_type=category.entry_type, min_members=category.min_members,
        max_members=category.max_members, allowed_stages=frozenset(category.allowed_stages or eligibility.STAGES),
        max_advisors=category.max_advisors, grade_min=category.grade_min, grade_max=category.grade_max,
        age_min=category.age_min, age_max=category.age_max, reference_date=contest.reference_date,
        completion_months=category.completion_months)


def entry_facts(entry: Entry) -> EntryFacts:
    return EntryFacts(
        id=entry.id, school_id=entry.school_id,
        members=tuple(StudentFacts(id=m.student.id, name=m.student.name, birth_date=m.student.birth_date,
                                   grade=m.student.grade, school_id=m.student.school_id) for m in entry.members),
        advisor_count=len(entry.advisors), work_started_on=entry.work_started_on, work_completed_on=entry.work_completed_on)


def _quota_rules(category: Category) -> list[QuotaRule]:
    return [QuotaRule(q.scope, q.stage, q.kind, q.limit) for q in category.quotas]


def _required_kinds(category: Category) -> dict[str, str]:
    """Required material kinds, each with the name the category gives it ('' for the standard name)."""
    return {r.kind: r.label for r in category.requirements if r.required}


def entry_problems(entry: Entry, counted: list[QuotaCount] | None = None,
                   other_entries: dict[int, str] | None = None) -> list[Problem]:
    """Every eligibility problem of one entry (team size, stage, advisors, grade, age, completion window, one
    entry per student, quota, missing materials). Quotas count the school's other submitted/approved entries."""
    category, contest = entry.category, entry.contest
    facts = entry_facts(entry)
    if other_entries is None:
        other_entries = students_in_other_entries(entry.contest_id, [m.id for m in facts.members], entry.id)
    if counted is None:
        counted = _quota_counts(entry.category_id, exclude_entry_id=entry.id)
    return eligibility.check_entry(
        category_rules(category, contest), facts, other_entries=other_entries, quota_rules=_quota_rules(category),
        district=entry.school.district, counted=counted, required_materials=_required_kinds(category),
        present_materials=[m.kind for m in entry.materials])


def _quota_counts(category_id: int, exclude_entry_id: int | None = None,
                  before: tuple[datetime, int] | None = None) -> list[QuotaCount]:
    """Counted entries of a category as QuotaCount (stage from the members' grades)."""
    entries = db.session.execute(
        sa.select(Entry).options(selectinload(Entry.members).joinedload(EntryMember.student), joinedload(Entry.school))
        .where(Entry.category_id == category_id, Entry.status.in_([s.value for s in QUOTA_ENTRY_STATUSES]),
               Entry.id != (exclude_entry_id or -1))).unique().scalars()
    return [_quota_count(e) for e in entries]


def _quota_count(entry: Entry) -> QuotaCount:
    """What quotas count of an entry: school, district, stage and individual/team (members only)."""
    return _plain_quota_count(entry.school_id, entry.school.district,
                              [StudentFacts(id=m.student.id, name=m.student.name, birth_date=m.student.birth_date,
                                            grade=m.student.grade, school_id=m.student.school_id) for m in entry.members])


def problems_message(problems: list[Problem]):
    """One localised sentence per problem, joined."""
    from flask_babel import gettext

    return " ".join(render_problem(p, gettext) for p in problems)


def render_problem(problem: Problem, gettext: Callable[[str], str] | None = None) -> str:
    from flask_babel import gettext as default_gettext

    gettext = gettext or default_gettext
    params = dict(problem.params)
    stage, kind = params.get("stage"), params.get("kind")
    if stage in eligibility.STAGE_LABELS:
        params["stage"] = gettext(eligibility.STAGE_LABELS[stage])
    if "stages" in params:
        params["stages"] = "、".join(gettext(eligibility.STAGE_LABELS[s]) for s in params["stages"].split(", "))
    if kind in eligibility.ENTRY_TYPE_LABELS:
        params["kind"] = gettext(eligibility.ENTRY_TYPE_LABELS[kind])
    if "material" in params:
        from competitions.materials import MATERIAL_KIND_LABELS

        params["material"] = params.get("label") or gettext(MATERIAL_KIND_LABELS.get(params["material"], params["material"]))
    if params.get("rule_scope") == "school":
        params["scope"] = gettext("your school")
    return gettext(problem.message) % params


# -------------------------------------------------------------------------------------- submission and review

def submit_entry(entry: Entry, actor=None, now: datetime | None = None) -> Entry:
    """Submit a draft or a returned entry for review. It must pass every check; it gets its code (作品编号)
    at the first submission — the next number in its contest and category — and keeps it for good."""
    if entry.status not in (EntryStatus.DRAFT.value, EntryStatus.RETURNED.value):
        raise DomainError(_l("Only a draft or a returned entry can be submitted."), code="bad_status", status=409)
    _require_editable(entry, now)
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
    audit.record("submit", entry, before={"status": before}, after={"status": entry.status, "code": entry.code}, actor=actor)
    return entry


def assign_entry_code(entry: Entry) -> str:
    """Next sequence within (contest, category); call under the contest's entries lock."""
    highest = db.session.execute(sa.select(sa.func.max(Entry.sequence)).where(
        Entry.contest_id == entry.contest_id, Entry.category_id == entry.category_id)).scalar() or 0
    entry.sequence = highest + 1
    entry.code = format_entry_code(entry.contest.year, entry.category.code, entry.sequence)
    db.session.flush()
    return entry.code


def withdraw_entry(entry: Entry, actor=None, now: datetime | None = None) -> Entry:
    """A school takes a submitted entry back to draft before its deadline (its code stays)."""
    if entry.status != EntryStatus.SUBMITTED.value:
        raise DomainError(_l("Only a submitted entry can be withdrawn."), code="bad_status", status=409)
    _require_editable(entry, now)
    entry.status = EntryStatus.DRAFT.value
    db.session.flush()
    audit.record("withdraw", entry, before={"status": "submitted"}, after={"status": "draft"}, actor=actor)
    return entry


REVIEWABLE = (EntryStatus.SUBMITTED.value,)


def _review(entry: Entry, status: EntryStatus, reason: str, actor) -> Entry:
    if entry.contest.status not in (ContestStatus.REGISTRATION.value, ContestStatus.CLOSED.value):
        raise DomainError(_l("Entries are reviewed while registration is open or closed, before judging."),
                          code="bad_status", status=409)
    if entry.status not in REVIEWABLE and not (entry.status == EntryStatus.APPROVED.value and status != EntryStatus.APPROVED):
        raise DomainError(_l("This entry is not waiting for review."), code="bad_status", status=409)
    before = {"status": entry.status, "review_reason": entry.review_reason}
    entry.status = status.value
    entry.review_reason = reason
    entry.reviewed_at = utcnow()
    entry.reviewed_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record(status.value if status != EntryStatus.APPROVED else "approve", entry, before=before,
                 after={"status": entry.status, "review_reason": reason}, actor=actor)
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
    categories = {c.id: c for c in db.session.execute(
        sa.select(Category).options(selectinload(Category.quotas), selectinload(Category.requirements))
        .where(Category.contest_id == contest.id)).scalars()}
    counted_statuses = [s.value for s in QUOTA_ENTRY_STATUSES]
    in_contest = sa.and_(Entry.contest_id == contest.id, Entry.status.in_(counted_statuses))
    entries = db.session.execute(
        sa.select(Entry.id, Entry.category_id, Entry.school_id, Entry.status, Entry.work_started_on,
                  Entry.work_completed_on, Organisation.district)
        .join(Organisation, Organisation.id == Entry.school_id).where(in_contest)
        .order_by(Entry.submitted_at, Entry.id)).all()
    members: dict[int, list[StudentFacts]] = defaultdict(list)
    for entry_id, sid, name, birth, grade, school_id in db.session.execute(
            sa.select(EntryMember.entry_id, Student.id, Student.name, Student.birth_date, Student.grade, Student.school_id)
            .join(Student, Student.id == EntryMember.student_id).join(Entry, Entry.id == EntryMember.entry_id)
            .where(in_contest).order_by(EntryMember.entry_id, EntryMember.position)):
        members[entry_id].append(StudentFacts(id=sid, name=name, birth_date=birth, grade=grade, school_id=school_id))
    waiting = sa.and_(Entry.contest_id == contest.id, Entry.status == EntryStatus.SUBMITTED.value)
    advisor_counts = dict(db.session.execute(
        sa.select(EntryAdvisor.entry_id, sa.func.count()).join(Entry, Entry.id == EntryAdvisor.entry_id).where(waiting)
        .group_by(EntryAdvisor.entry_id)).all())
    present: dict[int, list[str]] = defaultdict(list)
    for entry_id, kind in db.session.execute(
            sa.select(Material.entry_id, Material.kind).join(Entry, Entry.id == Material.entry_id).where(waiting)):
        present[entry_id].append(kind)
    live = _live_membership(contest.id)
    counted: dict[int, list[QuotaCount]] = defaultdict(list)
    for row in entries:  # approved entries count first, whatever their submission time
        if row.status == EntryStatus.APPROVED.value:
            counted[row.category_id].append(_plain_quota_count(row.school_id, row.district, members[row.id]))
    rules_cache: dict[int, tuple] = {}
    out: list[tuple[int, list[Problem]]] = []
    for row in entries:
        if row.status != EntryStatus.SUBMITTED.value:
            continue
        category = categories[row.category_id]
        if row.category_id not in rules_cache:
            rules_cache[row.category_id] = (category_rules(category, contest), _quota_rules(category),
                                            _required_kinds(category))
        rules, quota_rules, required = rules_cache[row.category_id]
        facts = EntryFacts(id=row.id, school_id=row.school_id, members=tuple(members[row.id]),
                           advisor_count=advisor_counts.get(row.id, 0), work_started_on=row.work_started_on,
                           work_completed_on=row.work_completed_on)
        others = {m.id: code for m in facts.members for eid, code in live.get(m.id, ()) if eid != row.id}
        if category_id is None or row.category_id == category_id:
            out.append((row.id, eligibility.check_entry(
                rules, facts, other_entries=others, quota_rules=quota_rules, district=row.district,
                counted=list(counted[row.category_id]), required_materials=required, present_materials=present[row.id])))
        counted[row.category_id].append(_plain_quota_count(row.school_id, row.district, members[row.id]))
    return out


def _plain_quota_count(school_id: int, district: str | None, members: list[StudentFacts]) -> QuotaCount:
    """What quotas count of an entry: school, district, stage (the highest of the members') and individual/team."""
    stages = [eligibility.stage_of_grade(m.grade) for m in members]
    stage = max(stages, key=eligibility.STAGES.index) if stages else None
    return QuotaCount(school_id, district, stage, "team" if len(stages) > 1 else "individual")


def load_entries(ids: list[int]) -> list[Entry]:
    """The entries with these ids, eager-loaded for display, in the order of ``ids``."""
    if not ids:
        return []
    found = {e.id: e for e in db.session.execute(_entry_query().where(Entry.id.in_(ids))).unique().scalars()}
    return [found[i] for i in ids if i in found]


def review_queue(contest: Contest, category_id: int | None = None, *, offset: int = 0,
                 limit: int | None = None) -> list[tuple[Entry, list[Problem]]]:
    """Submitted entries in submission order with their automatic checks (see review_checks); only the
    entries of the requested slice are loaded as objects."""
    checks = review_checks(contest, category_id)
    shown = checks[offset: None if limit is None else offset + limit]
    entries = load_entries([entry_id for entry_id, _problems in shown])
    problems = dict(shown)
    return [(entry, problems[entry.id]) for entry in entries]


def _live_membership(contest_id: int) -> dict[int, list[tuple[int, str]]]:
    rows = db.session.execute(
        sa.select(EntryMember.student_id, Entry.id, Entry.code, Entry.title).join(Entry, Entry.id == EntryMember.entry_id)
        .where(Entry.contest_id == contest_id, Entry.status.in_([s.value for s in LIVE_ENTRY_STATUSES]))).all()
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


# -------------------------------------------------------------------------------------- lists

def _entry_query():
    return (sa.select(Entry).options(
        joinedload(Entry.category), joinedload(Entry.school), joinedload(Entry.contest),
        selectinload(Entry.members).joinedload(EntryMember.student),
        selectinload(Entry.advisors).joinedload(EntryAdvisor.advisor),
        selectinload(Entry.materials)))


def entries_query(contest_id: int, *, school_id: int | None = None, category_id: int | None = None,
                  status: str | None = None, search: str | None = None):
    """The filtered entry list of a contest (eager-loaded; no N+1), ordered by code then id."""
    query = _entry_query().where(Entry.contest_id == contest_id)
    if school_id:
        query = query.where(Entry.school_id == school_id)
    if category_id:
        query = query.where(Entry.category_id == category_id)
    if status:
        query = query.where(Entry.status == status)
    if search:
        term = f"%{search.strip()}%"
        member_match = sa.select(EntryMember.entry_id).join(Student, Student.id == EntryMember.student_id).where(Student.name.like(term))
        query = query.where(sa.or_(Entry.title.like(term), Entry.code.like(term), Entry.id.in_(member_match)))
    return query.order_by(Entry.code.is_(None), Entry.code, Entry.id)


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
    query = sa.select(Entry).options(selectinload(Entry.members).joinedload(EntryMember.student), joinedload(Entry.school)) \
        .where(Entry.contest_id == contest.id)
    if school_ids is not None:
        query = query.where(Entry.school_id.in_(list(school_ids) or [-1]))
    entries = list(db.session.execute(query).unique().scalars())
    by_school: dict[int, list[Entry]] = defaultdict(list)
    schools = {}
    for entry in entries:
        by_school[entry.school_id].append(entry)
        schools[entry.school_id] = entry.school
    if school_ids is not None:
        for org in db.session.execute(sa.select(Organisation).where(Organisation.id.in_(list(school_ids) or [-1]))).scalars():
            schools.setdefault(org.id, org)
    live = {s.value for s in LIVE_ENTRY_STATUSES}
    counted = {s.value for s in QUOTA_ENTRY_STATUSES}
    district_use: Counter = Counter()  # (category id, district, stage, kind) -> counted entries of all schools
    if any(q.scope == "district" for c in contest.categories for q in c.quotas):
        for entry in db.session.execute(
                sa.select(Entry).options(selectinload(Entry.members).joinedload(EntryMember.student), joinedload(Entry.school))
                .where(Entry.contest_id == contest.id, Entry.status.in_(counted))).unique().scalars():
            qc = _quota_count(entry)
            district_use[(entry.category_id, qc.district, qc.stage, qc.kind)] += 1
    summaries = []
    for school_id, school in sorted(schools.items(), key=lambda kv: (name_sort_key(kv[1].district), name_sort_key(kv[1].name))):
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
                    used = sum(1 for e in own if e.category_id == category.id and e.status in counted
                               and (qc := _quota_count(e)).stage == quota.stage and qc.kind == quota.kind)
                if stages is not None and quota.stage and quota.stage not in stages and not used:
                    continue  # a primary school is not shown the senior-secondary quotas it can never use
                quota_use.append((category, quota, used))
        summaries.append(SchoolSummary(school, Counter(e.status for e in own), len(students), quota_use))
    return summaries


MASTER_HEADERS = ("作品编号", "类别代码", "类别", "作品名称", "学校", "地区", "状态", "学段", "学生", "年级", "辅导教师",
                  "提交时间", "审核意见")


def master_list_rows(contest: Contest, **filters) -> list[list]:
    """The organiser's master list: one row per entry (names, grades, no ID numbers or phones)."""
    from competitions.roster import grade_label

    rows = []
    for entry in list_entries(contest.id, **filters):
        facts = entry_facts(entry)
        rows.append([
            entry.code or "", entry.category.code, entry.category.name, entry.title, entry.school.name,
            entry.school.district or "", str(entry.status_label),
            str(STAGE_LABELS[facts.stage]) if facts.stage in STAGE_LABELS else "",
            "、".join(m.student.name + ("（组长）" if m.is_leader and len(entry.members) > 1 else "") for m in entry.members),
            "、".join(grade_label(m.student.grade) for m in entry.members),
            "、".join(a.advisor.name for a in entry.advisors),
            utc_to_local(entry.submitted_at, contest.timezone).strftime("%Y-%m-%d %H:%M") if entry.submitted_at else "",
            entry.review_reason,
        ])
    return rows


def master_list_xlsx(contest: Contest, **filters) -> bytes:
    from core.spreadsheets import StreamWorkbook

    workbook = StreamWorkbook()
    sheet = workbook.create_sheet("参赛作品")
    sheet.append(list(MASTER_HEADERS))
    for row in master_list_rows(contest, **filters):
        sheet.append(row)
    return workbook.to_bytes()


# ====================================================================================== materials

THUMBNAIL_SIZE = (320, 320)


def upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "competitions"
    path.mkdir(parents=True, exist_ok=True)
    return path


def material_path(stored_name: str) -> Path:
    return upload_dir() / stored_name


def add_material(entry: Entry, kind: str, filename: str, data: bytes, actor=None, now: datetime | None = None) -> Material:
    """Store an uploaded file for a required (or 'other') material: type by content (magic bytes) with the
    requirement's accepted types and size limit; a random stored name; a thumbnail for images."""
    _require_editable(entry, now)
    requirement = next((r for r in entry.category.requirements if r.kind == kind), None)
    if requirement is None and kind != "other":
        raise DomainError(_l("This category does not ask for that material."), field="kind")
    accepted = list(requirement.accepted) if requirement else ["pdf", "image", "video", "office"]
    max_bytes = (requirement.max_mb if requirement else 20) * 1024 * 1024
    check = check_material(data, filename, accepted, max_bytes)
    if not check.ok:
        raise DomainError(_l_message(check.message, check.params), field="file", code=check.code)
    existing = [m for m in entry.materials if m.kind == kind]
    limit = requirement.max_files if requirement else 10
    if len(existing) >= limit:
        raise DomainError(_l("At most %(n)s files for this material; remove one first.", n=limit), field="file")
    if check.file_type in IMAGE_TYPES:  # pixels counted from the header before the thumbnail decodes it
        from core.images import MAX_PHOTO_PIXELS, check_image_pixels

        check_image_pixels(data, MAX_PHOTO_PIXELS, field="file")
    stored = secrets.token_hex(16) + FILE_EXTENSION[check.file_type]
    path = material_path(stored)
    path.write_bytes(data)
    thumbnail = None
    if check.file_type in IMAGE_TYPES:
        thumbnail = _make_thumbnail(data)
    material = Material(entry=entry, kind=kind, original_name=Path(filename).name[:255] or stored, stored_name=stored,
                        file_type=check.file_type, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                        thumbnail_name=thumbnail, uploaded_by_id=getattr(actor, "id", None))
    db.session.add(material)
    db.session.flush()
    audit.record("add_material", entry, after={"material_id": material.id, "kind": kind, "file_type": check.file_type,
                                              "size": len(data), "name": material.original_name}, actor=actor)
    return material


def _make_thumbnail(data: bytes) -> str | None:
    """A JPEG preview at most 320 px, or None if Pillow cannot decode the image (the upload still stands)."""
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail(THUMBNAIL_SIZE)
            if image.mode not in ("RGB", "L"):
                background = Image.new("RGB", image.size, "white")
                rgba = image.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                image = background
            name = "thumb-" + secrets.token_hex(16) + ".jpg"
            image.save(material_path(name), "JPEG", quality=80)
            return name
    except Exception:  # noqa: BLE001  (a corrupt image gets no thumbnail; Pillow raises many kinds)
        return None


def remove_material(material: Material, actor=None, now: datetime | None = None) -> None:
    entry = material.entry
    _require_editable(entry, now)
    audit.record("remove_material", entry, before={"material_id": material.id, "kind": material.kind,
                                                   "name": material.original_name}, actor=actor)
    _remove_material_files(material)
    entry.materials.remove(material)
    db.session.delete(material)
    db.session.flush()


def _remove_material_files(material: Material) -> None:
    # Files go when the row goes; a crash in between leaves an orphan file, never a row without a file.
    for name in (material.stored_name, material.thumbnail_name):
        if name:
            material_path(name).unlink(missing_ok=True)


# ====================================================================================== advancement

def advance_entries(source: Contest, target: Contest, entry_ids: Iterable[int], category_map: dict[int, int],
                    actor=None) -> list[Entry]:
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
    entries = list(db.session.execute(_entry_query().where(Entry.contest_id == source.id, Entry.id.in_(list(entry_ids))))
                   .unique().scalars())
    done = set(db.session.execute(sa.select(Entry.advanced_from_id).where(Entry.contest_id == target.id,
                                                                          Entry.advanced_from_id.is_not(None))).scalars())
    created = []
    for entry in entries:
        if entry.id in done:
            continue
        if entry.status != EntryStatus.APPROVED.value:
            raise DomainError(_l("Entry %(code)s was not approved and cannot be advanced.", code=entry.code or entry.title))
        category = db.session.get(Category, category_map.get(entry.category_id, -1))
        if category is None or category.contest_id != target.id:
            raise DomainError(_l("Choose a category of the target contest for %(name)s.", name=entry.category.name),
                              field="category_map")
        taken = students_in_other_entries(target.id, [m.student_id for m in entry.members])
        if taken:
            raise DomainError(_l("A student of %(code)s is already in an entry of the target contest.", code=entry.code))
        copy = Entry(contest=target, contest_id=target.id, category=category, category_id=category.id,
                     school_id=entry.school_id, title=entry.title, abstract=entry.abstract,
                     work_started_on=entry.work_started_on, work_completed_on=entry.work_completed_on,
                     status=EntryStatus.SUBMITTED.value, submitted_at=utcnow(), advanced_from_id=entry.id,
                     created_by_id=getattr(actor, "id", None))
        for member in entry.members:
            copy.members.append(EntryMember(student_id=member.student_id, position=member.position, is_leader=member.is_leader))
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
            copy.materials.append(Material(kind=material.kind, original_name=material.original_name, stored_name=stored,
                                           file_type=material.file_type, size=material.size, sha256=material.sha256,
                                           thumbnail_name=thumb, uploaded_by_id=material.uploaded_by_id))
        assign_entry_code(copy)
        audit.record("advance", copy, after={"from_entry": entry.id, "from_code": entry.code, "code": copy.code}, actor=actor)
        created.append(copy)
    db.session.flush()
    return created


# ====================================================================================== certificate sources

def _certificate_batch(contest_id: int, holders_of: Callable[[Entry], list]) -> Any:
    import re

    from certificates.sources import SourceBatch, SourceNotFound, SourceNotReady

    contest = db.session.get(Contest, contest_id)
    if contest is None:
        raise SourceNotFound()
    if contest.status not in (ContestStatus.FINAL.value, ContestStatus.ARCHIVED.value):
        raise SourceNotReady(_l("Participation certificates are issued once the contest is final."))
    holders = []
    for entry in list_entries(contest.id, status=EntryStatus.APPROVED.value):
        holders += holders_of(entry)
    org = contest.organisation
    code = re.sub(r"[^A-Za-z0-9]", "", org.code or "") + str(contest.id)
    return SourceBatch(scope_title=contest.name, scope_code=code.upper(), organisation_id=contest.organisation_id,
                       org_name=org.name, year=contest.year, holders=holders)


def collect_participants(contest_id: int):
    """Certificate source "participants": every student of an approved entry of a final contest.
    Refs are stable: ``entry:<entry id>:student:<student id>``."""
    from certificates.sources import Holder

    def holders(entry: Entry) -> list:
        advisors = "、".join(a.advisor.name for a in entry.advisors)
        return [Holder(ref=f"entry:{entry.id}:student:{m.student_id}", name=m.student.name, school_id=entry.school_id,
                       school=entry.school.name, category=entry.category.name, category_code=entry.category.code,
                       title=entry.title, advisors=advisors, minor=True, order=m.position,
                       extra={"entry_code": entry.code or ""}) for m in entry.members]

    return _certificate_batch(contest_id, holders)


def collect_advisors(contest_id: int):
    """Certificate source "advisors": every advisor of an approved entry of a final contest (teachers are
    adults: not masked). Refs: ``entry:<entry id>:advisor:<advisor id>``."""
    from certificates.sources import Holder

    def holders(entry: Entry) -> list:
        return [Holder(ref=f"entry:{entry.id}:advisor:{a.advisor_id}", name=a.advisor.name, school_id=entry.school_id,
                       school=entry.school.name, category=entry.category.name, category_code=entry.category.code,
                       title=entry.title, minor=False, order=a.position, extra={"entry_code": entry.code or ""})
                for a in entry.advisors]

    return _certificate_batch(contest_id, holders)
