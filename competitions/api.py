"""/api/v1/competitions: contests, entries, review decisions, rosters (masked). Same rules as the pages."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from marshmallow import Schema, fields, validate

from competitions.loaders import load_school
from competitions.models import Contest, ContestStatus, Entry, EntryStatus
from competitions.services import contests as contests_service
from competitions.services import definitions as definitions_service
from competitions.services import listings as listings_service
from competitions.services import review as review_service
from competitions.services import schools as schools_service
from competitions.services import students as students_service
from core.api import ApiBlueprint
from core.extensions import db
from core.permissions import Role, can, get_or_404, is_admin, require

blp = ApiBlueprint(
    "competitions_api",
    __name__,
    url_prefix="/api/v1/competitions",
    description="Contests, categories, entries, review and school rosters",
)


class QuotaSchema(Schema):
    scope = fields.String()
    stage = fields.String()
    kind = fields.String()
    limit = fields.Integer()


class RequirementSchema(Schema):
    kind = fields.String()
    label = fields.String()
    accepted = fields.List(fields.String())
    max_mb = fields.Integer()
    max_files = fields.Integer()
    required = fields.Boolean()


class CategorySchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    entry_type = fields.String()
    min_members = fields.Integer()
    max_members = fields.Integer()
    allowed_stages = fields.List(fields.String())
    max_advisors = fields.Integer()
    grade_min = fields.Integer(allow_none=True)
    grade_max = fields.Integer(allow_none=True)
    age_min = fields.Integer(allow_none=True)
    age_max = fields.Integer(allow_none=True)
    completion_months = fields.Integer(allow_none=True)
    scoring_mode = fields.String()
    requirements = fields.List(fields.Nested(RequirementSchema))
    quotas = fields.List(fields.Nested(QuotaSchema))


class ContestSchema(Schema):
    id = fields.Integer()
    organisation_id = fields.Integer()
    year = fields.Integer()
    name = fields.String()
    status = fields.String(metadata={"enum": [s.value for s in ContestStatus]})
    timezone = fields.String()
    registration_opens_at = fields.DateTime(allow_none=True)
    registration_closes_at = fields.DateTime(allow_none=True)
    reference_date = fields.Date(allow_none=True)


class ContestDetailSchema(ContestSchema):
    categories = fields.List(fields.Nested(CategorySchema))


class MemberSchema(Schema):
    student_id = fields.Integer()
    name = fields.Function(lambda m: m.student.name)
    grade = fields.Function(lambda m: m.student.grade)
    is_leader = fields.Boolean()


class EntryAdvisorSchema(Schema):
    advisor_id = fields.Integer()
    name = fields.Function(lambda a: a.advisor.name)


class MaterialSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    original_name = fields.String()
    file_type = fields.String()
    size = fields.Integer()


class EntrySchema(Schema):
    id = fields.Integer()
    contest_id = fields.Integer()
    category_id = fields.Integer()
    category_code = fields.Function(lambda e: e.category.code)
    school_id = fields.Integer()
    school_name = fields.Function(lambda e: e.school.name)
    code = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": [s.value for s in EntryStatus]})
    title = fields.String()
    abstract = fields.String()
    review_reason = fields.String()
    submitted_at = fields.DateTime(allow_none=True)
    advanced_from_id = fields.Integer(allow_none=True)
    members = fields.List(fields.Nested(MemberSchema))
    advisors = fields.List(fields.Nested(EntryAdvisorSchema))
    materials = fields.List(fields.Nested(MaterialSchema))


class EntryListArgs(Schema):
    category_id = fields.Integer()
    school_id = fields.Integer()
    status = fields.String(validate=validate.OneOf([s.value for s in EntryStatus]))
    q = fields.String()
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class EntryPageSchema(Schema):
    items = fields.List(fields.Nested(EntrySchema))
    total = fields.Integer()
    page = fields.Integer()
    pages = fields.Integer()


class StatusSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in ContestStatus]))


class ReviewSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(["approve", "return", "reject"]))
    reason = fields.String(load_default="")


class StudentSchema(Schema):
    """Minors' data masked: the API never returns whole ID numbers or phone numbers."""

    id = fields.Integer()
    name = fields.String()
    gender = fields.String()
    grade = fields.Integer()
    class_name = fields.String(allow_none=True)
    id_number = fields.Function(lambda s: s.masked_id_number)
    guardian_phone = fields.Function(lambda s: s.masked_phone)


@blp.route("/contests")
@blp.response(200, ContestSchema(many=True))
def list_contests():
    """Contests you organise, and those open to your school."""
    require("contest.view_list")
    found = {}
    if is_admin(current_user) or current_user.organised_org_ids():
        for contest in contests_service.list_contests(
            None if is_admin(current_user) else current_user.organised_org_ids()
        ):
            found[contest.id] = contest
    for school in schools_service.schools_by_ids(current_user.scope_ids(Role.COORDINATOR)):
        for contest in contests_service.contests_open_to_school(school):
            found.setdefault(contest.id, contest)
    return sorted(found.values(), key=lambda c: (-c.year, -c.id))


@blp.route("/contests/<int:contest_id>")
@blp.response(200, ContestDetailSchema)
def get_contest(contest_id: int):
    """One contest with its categories, rules, materials and quotas."""
    contest = get_or_404(Contest, contest_id)
    require("contest.view", contest)
    return contest


@blp.route("/contests/<int:contest_id>/status", methods=["POST"])
@blp.arguments(StatusSchema)
@blp.response(200, ContestSchema)
def move_contest(body, contest_id: int):
    """Move a contest along its lifecycle (organisers; audited)."""
    contest = get_or_404(Contest, contest_id)
    require("contest.manage", contest)
    contests_service.move_contest(contest, body["status"])  # a DomainError answers 400/409 (core.api)
    db.session.commit()
    return contest


@blp.route("/contests/<int:contest_id>/definition")
def contest_definition(contest_id: int):
    """The contest definition document (docs/contest-format.md)."""
    contest = get_or_404(Contest, contest_id)
    require("contest.manage", contest)
    return definitions_service.export_contest_definition(contest)


@blp.route("/contests/<int:contest_id>/entries")
@blp.arguments(EntryListArgs, location="query")
@blp.response(200, EntryPageSchema)
def list_entries(args, contest_id: int):
    """Entries of a contest: all of them for organisers, your school's for coordinators."""
    contest = get_or_404(Contest, contest_id)
    require("contest.view", contest)
    school_id = args.get("school_id")
    if not can("contest.manage", contest):
        mine = current_user.scope_ids(Role.COORDINATOR)
        if school_id is None and len(mine) == 1:
            school_id = next(iter(mine))
        if school_id not in mine:
            abort(403)
    query = listings_service.entries_query(
        contest.id,
        school_id=school_id,
        category_id=args.get("category_id"),
        status=args.get("status"),
        search=args.get("q"),
    )
    page = db.paginate(query, page=args["page"], per_page=args["per_page"], error_out=False)
    return {"items": page.items, "total": page.total, "page": page.page, "pages": page.pages}


@blp.route("/entries/<int:entry_id>")
@blp.response(200, EntrySchema)
def get_entry(entry_id: int):
    """One entry (its school, the organisers)."""
    entry = get_or_404(Entry, entry_id)
    require("entry.view", entry)
    return entry


@blp.route("/entries/<int:entry_id>/submit", methods=["POST"])
@blp.response(200, EntrySchema)
def submit_entry(entry_id: int):
    """Submit a draft or returned entry for review (the school's coordinator; inside the window)."""
    entry = get_or_404(Entry, entry_id)
    require("entry.edit", entry)
    review_service.submit_entry(entry)
    db.session.commit()
    return entry


@blp.route("/entries/<int:entry_id>/review", methods=["POST"])
@blp.arguments(ReviewSchema)
@blp.response(200, EntrySchema)
def review_entry(body, entry_id: int):
    """Approve, return (with a reason the school sees) or reject a submitted entry. Audited."""
    entry = get_or_404(Entry, entry_id)
    require("entry.review", entry)
    if body["action"] == "approve":
        review_service.approve_entry(entry)
    elif body["action"] == "return":
        review_service.return_entry(entry, body["reason"])
    else:
        review_service.reject_entry(entry, body["reason"])
    db.session.commit()
    return entry


@blp.route("/schools/<int:school_id>/students")
@blp.response(200, StudentSchema(many=True))
def list_students(school_id: int):
    """A school's roster with ID numbers and phones masked (the school's coordinators, organisers above it)."""
    school = load_school(school_id)
    require("school.roster", school)
    return students_service.list_students(school.id)
