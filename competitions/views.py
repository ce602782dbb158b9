"""Pages of contests, categories, school rosters, entries, materials, review and exports.

Every view: load or 404, check permission or 403, validate the form, call a service, commit once."""
from __future__ import annotations

import io
import json
import secrets
from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField

from accounts.models import Organisation, OrganisationKind
from competitions import services
from competitions.forms import (
    ACCEPTED_LABELS,
    QUOTA_KIND_LABELS,
    QUOTA_SCOPE_LABELS,
    TIMEZONE_LABELS,
    AdvisorForm,
    CategoryForm,
    ContestForm,
    DefinitionImportForm,
    EntryForm,
    ExtensionForm,
    MaterialForm,
    ReviewForm,
    StudentForm,
    UploadForm,
)
from competitions.jobs import EXPORT_JOB_THRESHOLD, JOB_THRESHOLD_ROWS, pending_roster_path
from competitions.loaders import load_school
from competitions.materials import MATERIAL_KIND_LABELS, MIME_TYPES
from competitions.models import (
    CONTEST_STATUS_LABELS,
    CONTEST_TRANSITIONS,
    ENTRY_STATUS_LABELS,
    STAGE_LABELS,
    Advisor,
    Category,
    Contest,
    Entry,
    EntryStatus,
    Material,
    Student,
)
from competitions.roster import (
    MAX_ROSTER_BYTES,
    grade_label,
    parse_roster,
    roster_from_json,
    roster_to_json,
    write_roster_csv,
    write_roster_template,
    write_roster_xlsx,
)
from competitions.sorting import entry_sort
from core.errors import DomainError
from core.extensions import db
from core.forms import form_error
from core.jobs import enqueue
from core.names import name_sort_key
from core.pagination import ListPagination
from core.permissions import Role, can, get_or_404, is_admin, require

bp = Blueprint("competitions", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PER_PAGE = 50
REVIEW_PER_PAGE = 100


def read_capped(upload, limit: int) -> tuple[bytes, int]:
    """At most limit + 1 bytes of an uploaded file (enough to know it is too large), and its full size."""
    data = upload.read(limit + 1)
    size = len(data)
    if size > limit:
        try:
            upload.stream.seek(0, io.SEEK_END)
            size = upload.stream.tell()
        except (AttributeError, OSError, ValueError):
            pass
    return data, size


def my_schools() -> list[Organisation]:
    ids = current_user.scope_ids(Role.COORDINATOR)
    if not ids:
        return []
    schools = db.session.execute(sa.select(Organisation).where(Organisation.id.in_(ids))).scalars()
    return sorted(schools, key=lambda o: name_sort_key(o.name))


def managed_units() -> list[Organisation]:
    query = sa.select(Organisation).where(Organisation.kind == OrganisationKind.ASSOCIATION.value)
    if not is_admin(current_user):
        query = query.where(Organisation.id.in_(current_user.organised_org_ids() or {-1}))
    return sorted(db.session.execute(query).scalars(), key=lambda o: name_sort_key(o.name))


def _xlsx_response(data: bytes, name: str):
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)


SCORING_LABELS = {"rubric": _l("Rubric"), "performance": _l("Performance (runs)")}


@bp.app_context_processor
def competitions_globals():
    """Labels for keywords shown in competitions templates (the pure modules' labels are plain msgids)."""
    return {"contest_status_labels": CONTEST_STATUS_LABELS, "entry_status_labels": ENTRY_STATUS_LABELS,
            "stage_labels": STAGE_LABELS, "quota_kind_labels": QUOTA_KIND_LABELS,
            "quota_scope_labels": QUOTA_SCOPE_LABELS, "scoring_labels": SCORING_LABELS,
            "material_kind_labels": {k: _l(v) for k, v in MATERIAL_KIND_LABELS.items()},
            "accepted_labels": ACCEPTED_LABELS, "timezone_label": lambda tz: TIMEZONE_LABELS.get(tz, tz)}


# ====================================================================================== contests

@bp.route("/")
def index():
    require("contest.view_list")
    managed = []
    if current_user.organised_org_ids() or is_admin(current_user):
        ids = None if is_admin(current_user) else current_user.organised_org_ids()
        managed = services.list_contests(ids)
    schools = my_schools()
    open_to_me = []
    for school in schools:
        for contest in services.contests_open_to_school(school):
            open_to_me.append((school, contest))
    return render_template("competitions/index.html", managed=managed, open_to_me=open_to_me, schools=schools)


def _contest_form_values(form: ContestForm) -> dict:
    tz = form.timezone.data.strip()
    try:
        opens = services.local_to_utc(form.registration_opens_at.data, tz)
        closes = services.local_to_utc(form.registration_closes_at.data, tz)
    except Exception:
        raise DomainError(_("Unknown time zone %(tz)s.", tz=tz), field="timezone") from None
    return dict(name=form.name.data, year=form.year.data, description=form.description.data or "",
                registration_opens_at=opens, registration_closes_at=closes, reference_date=form.reference_date.data)


@bp.route("/new", methods=["GET", "POST"])
def new_contest():
    require("contest.create")
    form = ContestForm()
    form.organisation_id.choices = [(o.id, o.name) for o in managed_units()]
    if request.method == "GET":
        form.year.data = date.today().year
    if form.validate_on_submit():
        org = get_or_404(Organisation, form.organisation_id.data)
        require("contest.create", org)
        try:
            values = _contest_form_values(form)
            contest = services.create_contest(org, timezone_name=form.timezone.data.strip(), **values)
        except DomainError as exc:
            db.session.rollback()
            form_error(form, exc)
        else:
            db.session.commit()
            flash(_("Contest created. Add its categories, then open registration."), "success")
            return redirect(url_for("competitions.contest", contest_id=contest.id))
    return render_template("competitions/contest_form.html", form=form, contest=None)


@bp.route("/<int:contest_id>")
def contest(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    require("contest.view", contest)
    if not can("contest.manage", contest):
        from accounts.models import descendant_ids

        under = descendant_ids({contest.organisation_id})
        schools = [s for s in my_schools() if s.id in under] if can("contest.register", contest) else []
        if schools:
            return redirect(url_for("competitions.school_entries", contest_id=contest.id, school_id=schools[0].id))
        abort(403)
    extension_form = ExtensionForm(prefix="ext")
    extension_form.school_id.choices = _schools_under(contest)
    counts = dict(db.session.execute(sa.select(Entry.status, sa.func.count()).where(Entry.contest_id == contest.id)
                                     .group_by(Entry.status)).all())
    return render_template("competitions/contest.html", contest=contest, transitions=CONTEST_TRANSITIONS[contest.status_enum],
                           extension_form=extension_form, counts=counts,
                           local=lambda v: services.utc_to_local(v, contest.timezone))


def _schools_under(contest: Contest) -> list[tuple[int, str]]:
    from accounts.models import descendant_ids

    ids = descendant_ids({contest.organisation_id})
    rows = db.session.execute(sa.select(Organisation.id, Organisation.name).where(
        Organisation.id.in_(ids), Organisation.kind == OrganisationKind.SCHOOL.value)).all()
    return [(r.id, r.name) for r in sorted(rows, key=lambda r: name_sort_key(r.name))]


@bp.route("/<int:contest_id>/edit", methods=["GET", "POST"])
def edit_contest(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    require("contest.manage", contest)
    form = ContestForm(obj=contest)
    form.organisation_id.choices = [(contest.organisation_id, contest.organisation.name)]
    if contest.timezone not in TIMEZONE_LABELS:  # an imported contest's zone stays selectable
        form.timezone.choices = [*form.timezone.choices, (contest.timezone, contest.timezone)]
    if request.method == "GET":
        form.registration_opens_at.data = services.utc_to_local(contest.registration_opens_at, contest.timezone)
        form.registration_closes_at.data = services.utc_to_local(contest.registration_closes_at, contest.timezone)
    if form.validate_on_submit():
        try:
            values = _contest_form_values(form)
            services.update_contest(contest, timezone=form.timezone.data.strip(), **values)
        except DomainError as exc:
            db.session.rollback()
            form_error(form, exc)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("competitions.contest", contest_id=contest.id))
    return render_template("competitions/contest_form.html", form=form, contest=contest)


@bp.route("/<int:contest_id>/status", methods=["POST"])
def move_contest(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    require("contest.manage", contest)
    try:
        services.move_contest(contest, request.values.get("status", ""))
    except (DomainError, ValueError) as exc:
        db.session.rollback()
        flash(str(exc) if isinstance(exc, DomainError) else _("Unknown status."), "danger")
    else:
        db.session.commit()
        flash(_("The contest is now: %(status)s", status=contest.status_label), "success")
    return redirect(url_for("competitions.contest", contest_id=contest.id))


@bp.route("/<int:contest_id>/extensions", methods=["POST"])
def extend_deadline(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    require("contest.manage", contest)
    form = ExtensionForm(prefix="ext")
    form.school_id.choices = _schools_under(contest)
    if form.validate_on_submit():
        school = load_school(form.school_id.data)
        if school.id not in {sid for sid, _n in form.school_id.choices}:
            abort(403)
        try:
            services.extend_deadline(contest, school, services.local_to_utc(form.closes_at.data, contest.timezone),
                                     form.reason.data or "")
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(_("Registration extended for %(school)s.", school=school.name), "success")
    else:
        flash(_("Choose a school and a new deadline."), "danger")
    return redirect(url_for("competitions.contest", contest_id=contest.id))


@bp.route("/<int:contest_id>/definition.json")
def export_definition(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    require("contest.manage", contest)
    body = json.dumps(services.export_contest_definition(contest), ensure_ascii=False, indent=2).encode()
    return send_file(io.BytesIO(body), mimetype="application/json", as_attachment=True,
                     download_name=f"contest-{contest.year}-{contest.id}.json")


@bp.route("/import", methods=["GET", "POST"])
def import_definition():
    require("contest.create")
    form = DefinitionImportForm()
    form.organisation_id.choices = [(o.id, o.name) for o in managed_units()]
    errors = []
    if form.validate_on_submit():
        org = get_or_404(Organisation, form.organisation_id.data)
        require("contest.create", org)
        try:
            doc = json.loads(form.file.data.read(2 * 1024 * 1024).decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            form.file.errors = [_("This is not a JSON file exported from a contest.")]
        else:
            try:
                contest = services.import_contest_definition(doc, org, year=form.year.data, name=form.name.data or None)
            except services.DefinitionInvalid as exc:
                db.session.rollback()
                errors = [e.render(_) for e in exc.errors]
            except DomainError as exc:
                db.session.rollback()
                form_error(form, exc)
            else:
                db.session.commit()
                flash(_("Contest imported as a draft."), "success")
                return redirect(url_for("competitions.contest", contest_id=contest.id))
    return render_template("competitions/import_definition.html", form=form, errors=errors)


# ====================================================================================== categories

@bp.route("/<int:contest_id>/categories/new", methods=["GET", "POST"], endpoint="new_category")
@bp.route("/<int:contest_id>/categories/<int:category_id>/edit", methods=["GET", "POST"])
def edit_category(contest_id: int, category_id: int | None = None):
    contest = get_or_404(Contest, contest_id)
    require("contest.manage", contest)
    category = None
    if category_id is not None:
        category = get_or_404(Category, category_id)
        if category.contest_id != contest.id:
            abort(404)
    form = CategoryForm(obj=category, materials=category.requirements if category else [])
    if form.validate_on_submit():
        try:
            fields = {name: getattr(form, name).data for name in (
                "code", "name", "description", "entry_type", "allowed_stages", "max_advisors", "grade_min", "grade_max",
                "age_min", "age_max", "completion_months", "scoring_mode")}
            fields["description"] = fields["description"] or ""
            if form.entry_type.data == "team":
                fields["min_members"] = form.min_members.data if form.min_members.data is not None else 2
                fields["max_members"] = form.max_members.data if form.max_members.data is not None else 3
            materials, quotas = form.material_rows(), form.quota_rows()
            saved = services.save_category(contest, category, **fields)
            services.set_category_requirements(saved, materials)
            services.set_category_quotas(saved, quotas)
        except DomainError as exc:
            db.session.rollback()
            form_error(form, exc)
        else:
            db.session.commit()
            flash(_("Category saved."), "success")
            return redirect(url_for("competitions.contest", contest_id=contest.id))
    form.add_blank_rows()
    return render_template("competitions/category_form.html", form=form, contest=contest, category=category)


@bp.route("/<int:contest_id>/categories/<int:category_id>/delete", methods=["POST"])
def delete_category(contest_id: int, category_id: int):
    contest = get_or_404(Contest, contest_id)
    require("contest.manage", contest)
    category = get_or_404(Category, category_id)
    if category.contest_id != contest.id:
        abort(404)
    try:
        services.delete_category(category)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(_("Category deleted."), "success")
    return redirect(url_for("competitions.contest", contest_id=contest.id))


# ====================================================================================== organiser lists

def _entry_filters() -> dict:
    return {"category_id": request.args.get("category_id", type=int), "school_id": request.args.get("school_id", type=int),
            "status": request.args.get("status") or None, "search": (request.args.get("q") or "").strip() or None}


@bp.route("/<int:contest_id>/entries")
def entries(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    require("contest.manage", contest)
    filters, sort = _entry_filters(), entry_sort(request.args.get("sort"))
    page = db.paginate(services.entries_query(contest.id, **filters), per_page=PER_PAGE, error_out=False) \
        if sort == "code" else ListPagination(items=services.list_entries(contest.id, sort, **filters),
                                              per_page=PER_PAGE, error_out=False)
    args = {k: v for k, v in {"category_id": filters["category_id"], "school_id": filters["school_id"],
                              "status": filters["status"], "q": filters["search"],
                              "sort": sort if sort != "code" else None}.items() if v}
    return render_template("competitions/entries.html", contest=contest, page=page, filters=filters, args=args,
                           schools=_schools_under(contest), sort=sort)


@bp.route("/<int:contest_id>/entries.xlsx")
def export_entries(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    require("contest.manage", contest)
    filters, sort = _entry_filters(), entry_sort(request.args.get("sort"))
    count = db.session.execute(sa.select(sa.func.count()).select_from(
        services.entries_query(contest.id, **filters).order_by(None).subquery())).scalar()
    if count > EXPORT_JOB_THRESHOLD:
        job = enqueue("competitions.export_entries", owner=current_user, contest_id=contest.id,
                      filters={**filters, "sort": sort}, title=_("Master list of %(contest)s", contest=contest.name))
        db.session.commit()
        return redirect(url_for("core.job_progress", job_id=job.id))
    return _xlsx_response(services.master_list_xlsx(contest, sort=sort, **filters),
                          f"参赛作品-{contest.year}-{contest.id}.xlsx")


@bp.route("/<int:contest_id>/summary")
def summary(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    require("contest.manage", contest)
    return render_template("competitions/summary.html", contest=contest, summaries=services.school_summaries(contest))


@bp.route("/<int:contest_id>/review")
def review(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    require("contest.manage", contest)
    # the checks run once over the whole queue from plain rows (quotas count in submission order); only the
    # 100 entries of the page are loaded as objects
    checks = services.review_checks(contest, request.args.get("category_id", type=int))
    pages = max(1, (len(checks) + REVIEW_PER_PAGE - 1) // REVIEW_PER_PAGE)
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    window = checks[(page - 1) * REVIEW_PER_PAGE: page * REVIEW_PER_PAGE]
    problems = dict(window)
    shown = [(entry, problems[entry.id]) for entry in services.load_entries([entry_id for entry_id, _p in window])]
    flagged = sum(1 for _entry_id, found in checks if found)
    return render_template("competitions/review.html", contest=contest, queue=shown, total=len(checks), flagged=flagged,
                           page=page, pages=pages, render_problem=services.render_problem, form=ReviewForm())


@bp.route("/<int:contest_id>/review/bulk-approve", methods=["POST"])
def bulk_approve(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    require("contest.manage", contest)
    ids = [int(v) for v in request.form.getlist("entry_ids") if v.isdigit()]
    try:
        approved, skipped = services.bulk_approve_clean(contest, ids or None)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(_("%(approved)s entries approved; %(skipped)s with problems left for review.", approved=approved,
                skipped=skipped), "success")
    return redirect(url_for("competitions.review", contest_id=contest.id))


@bp.route("/entries/<int:entry_id>/review", methods=["POST"])
def review_entry(entry_id: int):
    entry = get_or_404(Entry, entry_id)
    require("entry.review", entry)
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    actions = {"approve": lambda: services.approve_entry(entry),
               "return": lambda: services.return_entry(entry, form.reason.data or ""),
               "reject": lambda: services.reject_entry(entry, form.reason.data or "")}
    if form.action.data not in actions:
        abort(400)
    try:
        actions[form.action.data]()
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(_("%(code)s: %(status)s", code=entry.code or entry.title, status=entry.status_label), "success")
    target = request.form.get("next")
    if target == "queue":
        return redirect(url_for("competitions.review", contest_id=entry.contest_id))
    return redirect(url_for("competitions.entry", entry_id=entry.id))


# ====================================================================================== schools list

@bp.route("/schools/import", methods=["GET", "POST"])
def import_schools():
    require("contest.create")
    form = UploadForm()
    units = managed_units()
    problems, done = [], None
    if form.validate_on_submit() and units:
        parent = next((u for u in units if u.id == request.form.get("organisation_id", type=int)), units[0])
        data, size = read_capped(form.file.data, MAX_ROSTER_BYTES)
        result = services.import_schools(data, form.file.data.filename or "", parent, size=size)
        if result.problems:
            db.session.rollback()
            problems = result.problems
        else:
            db.session.commit()
            done = result
    return render_template("competitions/import_schools.html", form=form, units=units, problems=problems, done=done)


# ====================================================================================== roster

@bp.route("/school/<int:school_id>/students")
def students(school_id: int):
    school = load_school(school_id)
    require("school.roster", school)
    search = (request.args.get("q") or "").strip() or None
    page = ListPagination(items=services.list_students(school.id, search), per_page=PER_PAGE, error_out=False)
    return render_template("competitions/students.html", school=school, page=page, search=search or "",
                           advisors=services.list_advisors(school.id))


PICKER_RESULTS = 20


@bp.route("/school/<int:school_id>/students/search")
def search_students(school_id: int):
    """The student picker's look-up (static/js/competitions-picker.js): the first matches by name, pinyin
    initials or class, in roster order, as JSON. A school's 2,000 students never travel as one dropdown."""
    school = load_school(school_id)
    require("school.roster", school)
    found = services.list_students(school.id, request.args.get("q") or None)
    return {"students": [{"id": s.id, "label": s.label} for s in found[:PICKER_RESULTS]],
            "more": max(0, len(found) - PICKER_RESULTS)}


@bp.route("/school/<int:school_id>/students/new", methods=["GET", "POST"], endpoint="new_student")
@bp.route("/school/<int:school_id>/students/<int:student_id>/edit", methods=["GET", "POST"])
def edit_student(school_id: int, student_id: int | None = None):
    school = load_school(school_id)
    require("school.roster", school)
    student = _school_record_or_404(Student, student_id, school) if student_id is not None else None
    form = StudentForm(obj=student)
    if form.validate_on_submit():
        try:
            services.save_student(school, student, **{name: getattr(form, name).data for name in services.STUDENT_FIELDS})
        except DomainError as exc:
            db.session.rollback()
            form_error(form, exc)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("competitions.students", school_id=school.id))
    return render_template("competitions/student_form.html", form=form, school=school, student=student)


@bp.route("/school/<int:school_id>/students/<int:student_id>/delete", methods=["POST"])
def delete_student(school_id: int, student_id: int):
    return _delete_school_record(school_id, Student, student_id, services.delete_student)


def _school_record_or_404(model, record_id: int, school):
    """A student or advisor of this school, or 404 (ids of other schools' records are not revealed)."""
    record = get_or_404(model, record_id)
    if record.school_id != school.id:
        abort(404)
    return record


def _delete_school_record(school_id: int, model, record_id: int, delete):
    """Remove a student or advisor of the school (the service refuses one still named in an entry)."""
    school = load_school(school_id)
    require("school.roster", school)
    record = _school_record_or_404(model, record_id, school)
    try:
        delete(record)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(_("Removed."), "success")
    return redirect(url_for("competitions.students", school_id=school.id))


@bp.route("/school/<int:school_id>/students/template.xlsx")
def roster_template(school_id: int):
    school = load_school(school_id)
    require("school.roster", school)
    return _xlsx_response(write_roster_template(), "学生名单模板.xlsx")


@bp.route("/school/<int:school_id>/students/export.<fmt>")
def export_students(school_id: int, fmt: str):
    school = load_school(school_id)
    require("school.roster", school)
    rows = services.list_students(school.id)
    if fmt == "xlsx":
        return _xlsx_response(write_roster_xlsx(rows), f"{school.name}-学生名单.xlsx")
    if fmt == "csv":
        return send_file(io.BytesIO(write_roster_csv(rows)), mimetype="text/csv", as_attachment=True,
                         download_name=f"{school.name}-学生名单.csv")
    abort(404)


@bp.route("/school/<int:school_id>/students/import", methods=["GET", "POST"])
def import_students(school_id: int):
    """Upload → check → preview; nothing is written until the coordinator confirms the preview."""
    school = load_school(school_id)
    require("school.roster", school)
    form = UploadForm()
    result = plan = token = None
    if form.validate_on_submit():
        data, size = read_capped(form.file.data, MAX_ROSTER_BYTES)
        result = parse_roster(data, form.file.data.filename or "", size=size)
        if result.ok:
            plan = services.plan_roster_import(school, result)
            token = secrets.token_urlsafe(24)
            pending_roster_path(token).write_bytes(roster_to_json(result))  # parsed once: confirm reuses it
            session["roster_import"] = {"token": token, "school_id": school.id, "filename": form.file.data.filename or ""}
    return render_template("competitions/import_students.html", school=school, form=form, result=result, plan=plan,
                           token=token, render_error=_render_roster_message, grade_label=grade_label)


def _render_roster_message(error) -> str:
    """A roster error or warning in the reader's language, its keyword parameters in words too."""
    from competitions.roster import NAMESAKE_DIFFERENCES

    params = dict(error.params)
    if "stages" in params:
        params["stages"] = "、".join(str(STAGE_LABELS[s]) for s in params["stages"].split(", "))
    difference = NAMESAKE_DIFFERENCES.get(params.get("by"))
    if difference:
        params["by"] = _(difference)
    return _(error.message) % params


@bp.route("/school/<int:school_id>/students/import/confirm", methods=["POST"])
def confirm_import_students(school_id: int):
    school = load_school(school_id)
    require("school.roster", school)
    pending = session.get("roster_import") or {}
    token = request.form.get("token", "")
    if not token or pending.get("token") != token or pending.get("school_id") != school.id:
        flash(_("This import has expired; upload the file again."), "danger")
        return redirect(url_for("competitions.import_students", school_id=school.id))
    path = pending_roster_path(token)
    if not path.exists():
        flash(_("This import has expired; upload the file again."), "danger")
        return redirect(url_for("competitions.import_students", school_id=school.id))
    try:
        result = roster_from_json(path.read_bytes())
    except ValueError:
        flash(_("This import has expired; upload the file again."), "danger")
        return redirect(url_for("competitions.import_students", school_id=school.id))
    if len(result.rows) > JOB_THRESHOLD_ROWS:
        session.pop("roster_import", None)
        job = enqueue("competitions.import_roster", owner=current_user, title=_("Import students: %(school)s", school=school.name),
                      school_id=school.id, token=token, filename=pending.get("filename") or "", actor_id=current_user.id)
        db.session.commit()
        return redirect(url_for("core.job_progress", job_id=job.id))
    try:
        counts = services.import_roster(school, result)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("competitions.import_students", school_id=school.id))
    db.session.commit()
    path.unlink(missing_ok=True)
    session.pop("roster_import", None)
    flash(_("Roster imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.", created=counts["create"],
            updated=counts["update"], unchanged=counts["unchanged"]), "success")
    return redirect(url_for("competitions.students", school_id=school.id))


# ====================================================================================== advisors

@bp.route("/school/<int:school_id>/advisors/new", methods=["GET", "POST"], endpoint="new_advisor")
@bp.route("/school/<int:school_id>/advisors/<int:advisor_id>/edit", methods=["GET", "POST"])
def edit_advisor(school_id: int, advisor_id: int | None = None):
    school = load_school(school_id)
    require("school.roster", school)
    advisor = _school_record_or_404(Advisor, advisor_id, school) if advisor_id is not None else None
    form = AdvisorForm(obj=advisor)
    if form.validate_on_submit():
        try:
            services.save_advisor(school, advisor, **{k: getattr(form, k).data for k in services.ADVISOR_FIELDS})
        except DomainError as exc:
            db.session.rollback()
            form_error(form, exc)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("competitions.students", school_id=school.id))
    return render_template("competitions/advisor_form.html", form=form, school=school, advisor=advisor)


@bp.route("/school/<int:school_id>/advisors/<int:advisor_id>/delete", methods=["POST"])
def delete_advisor(school_id: int, advisor_id: int):
    return _delete_school_record(school_id, Advisor, advisor_id, services.delete_advisor)


# ====================================================================================== school entries

def _require_school_in_contest(contest: Contest, school: Organisation) -> None:
    """A coordinator of this school, and the school lies under the contest's organising unit."""
    require("school.roster", school)
    if not (can("contest.manage", contest) or (can("contest.register", contest) and
                                               school.id in current_user.scope_ids(Role.COORDINATOR))):
        abort(403)
    from accounts.models import descendant_ids

    if school.id not in descendant_ids({contest.organisation_id}):
        abort(404)


@bp.route("/<int:contest_id>/school/<int:school_id>")
def school_entries(contest_id: int, school_id: int):
    contest = get_or_404(Contest, contest_id)
    school = load_school(school_id)
    _require_school_in_contest(contest, school)
    sort = entry_sort(request.args.get("sort"))
    entries = services.list_entries(contest.id, sort, school_id=school.id)
    summary = services.school_summaries(contest, [school.id])
    return render_template("competitions/school_entries.html", contest=contest, school=school, entries=entries, sort=sort,
                           summary=summary[0] if summary else None, deadline=services.school_deadline(contest, school.id),
                           is_open=services.registration_open_for(contest, school.id),
                           state_label=services.status_label_for_school(contest, school.id),
                           local=lambda v: services.utc_to_local(v, contest.timezone))


def _entry_form(contest: Contest, school: Organisation, entry: Entry | None):
    """The entry form with one select per member and per advisor place (order matters: 第一作者, 第一辅导教师)."""
    member_places = max([c.max_members for c in contest.categories] + [1])
    advisor_places = max([c.max_advisors for c in contest.categories] + [1])
    advisors = services.list_advisors(school.id)
    # Only the students already chosen (or just posted) travel with the page; the picker finds the others.
    chosen_ids = {m.student_id for m in entry.members} if entry is not None else set()
    if request.method == "POST":
        chosen_ids |= {v for k, v in request.form.items(multi=True) if k.startswith("member_") or k == "leader_id"
                       for v in [int(v) if v.isdigit() else 0] if v}
    chosen = services.school_students_by_id(school.id, chosen_ids)
    student_choices = [(0, "—")] + [(s.id, s.label) for s in chosen]
    advisor_choices = [(0, "—")] + [(a.id, a.name) for a in advisors]

    class Form(EntryForm):
        pass

    for i in range(member_places):
        setattr(Form, f"member_{i}", SelectField(_("Student %(n)s", n=i + 1), coerce=int, choices=student_choices,
                                                 validate_choice=False, default=0))
    for i in range(advisor_places):
        setattr(Form, f"advisor_{i}", SelectField(_("Advisor %(n)s", n=i + 1), coerce=int, choices=advisor_choices,
                                                  validate_choice=False, default=0))
    form = Form(obj=entry)
    form.category_id.choices = [(c.id, f"{c.code} {c.name}") for c in contest.categories]
    form.leader_id.choices = student_choices
    if request.method == "GET" and entry is not None:
        for i, member in enumerate(entry.members[:member_places]):
            getattr(form, f"member_{i}").data = member.student_id
        for i, adv in enumerate(entry.advisors[:advisor_places]):
            getattr(form, f"advisor_{i}").data = adv.advisor_id
        leader = next((m.student_id for m in entry.members if m.is_leader), 0)
        form.leader_id.data = leader
    form.member_places, form.advisor_places = member_places, advisor_places
    # for static/js/competitions-entry.js: how many places each category shows
    form.limits = {str(c.id): {"members": 0 if c.entry_type == "advisor" else max(c.max_members, 1),
                               "advisors": 1 if c.entry_type == "advisor" else c.max_advisors,
                               "team": c.entry_type == "team"} for c in contest.categories}
    return form


def _entry_values(form) -> dict:
    members = [getattr(form, f"member_{i}").data for i in range(form.member_places)]
    advisors = [getattr(form, f"advisor_{i}").data for i in range(form.advisor_places)]
    return dict(title=form.title.data, abstract=form.abstract.data or "", student_ids=[m for m in members if m],
                leader_id=form.leader_id.data or None, advisor_ids=[a for a in advisors if a],
                work_started_on=form.work_started_on.data, work_completed_on=form.work_completed_on.data)


@bp.route("/<int:contest_id>/school/<int:school_id>/entries/new", methods=["GET", "POST"])
def new_entry(contest_id: int, school_id: int):
    contest = get_or_404(Contest, contest_id)
    school = load_school(school_id)
    _require_school_in_contest(contest, school)
    if school.id not in current_user.scope_ids(Role.COORDINATOR):
        abort(403)  # entries are registered by the school's coordinators
    if not services.registration_open_for(contest, school.id):
        # say so before the coordinator fills in a form the server would refuse
        flash(_("Registration for this contest is not open."), "danger")
        return redirect(url_for("competitions.school_entries", contest_id=contest.id, school_id=school.id))
    form = _entry_form(contest, school, None)
    if form.validate_on_submit():
        category = get_or_404(Category, form.category_id.data)
        try:
            entry = services.create_entry(contest, school, category, **_entry_values(form))
        except DomainError as exc:
            db.session.rollback()
            form_error(form, exc)
        else:
            db.session.commit()
            flash(_("Entry saved as a draft. Upload its materials, then submit it."), "success")
            return redirect(url_for("competitions.entry", entry_id=entry.id))
    return render_template("competitions/entry_form.html", form=form, contest=contest, school=school, entry=None)


@bp.route("/entries/<int:entry_id>")
def entry(entry_id: int):
    entry = get_or_404(Entry, entry_id)
    require("entry.view", entry)
    material_form = MaterialForm()
    kinds = [(r.kind, r.label or _(MATERIAL_KIND_LABELS[r.kind])) for r in entry.category.requirements]
    other_label = MATERIAL_KIND_LABELS["other"]
    if all(kind != "other" for kind, _label in kinds):
        kinds.append(("other", _(other_label)))
    material_form.kind.choices = kinds
    problems = services.entry_problems(entry) if entry.status in (EntryStatus.DRAFT.value, EntryStatus.SUBMITTED.value,
                                                                 EntryStatus.RETURNED.value) else []
    return render_template("competitions/entry.html", entry=entry, material_form=material_form, problems=problems,
                           kind_names=dict(kinds), locked_reason=services.entry_locked_reason(entry),
                           render_problem=services.render_problem, editable=services.entry_editable(entry),
                           review_form=ReviewForm())


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
def edit_entry(entry_id: int):
    entry = get_or_404(Entry, entry_id)
    require("entry.edit", entry)
    reason = services.entry_locked_reason(entry)
    if reason is not None:  # say so before the form, not after the coordinator has typed into it
        flash(str(reason), "warning")
        return redirect(url_for("competitions.entry", entry_id=entry.id))
    form = _entry_form(entry.contest, entry.school, entry)
    if form.validate_on_submit():
        try:
            services.update_entry(entry, category_id=form.category_id.data, **_entry_values(form))
        except DomainError as exc:
            db.session.rollback()
            form_error(form, exc)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("competitions.entry", entry_id=entry.id))
    return render_template("competitions/entry_form.html", form=form, contest=entry.contest, school=entry.school, entry=entry)


def _entry_action(entry_id: int, action, success: str):
    entry = get_or_404(Entry, entry_id)
    require("entry.edit", entry)
    try:
        action(entry)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(success, "success")
    return entry


@bp.route("/entries/<int:entry_id>/submit", methods=["POST"])
def submit_entry(entry_id: int):
    entry = _entry_action(entry_id, services.submit_entry, _("Submitted for review."))
    return redirect(url_for("competitions.entry", entry_id=entry.id))


@bp.route("/entries/<int:entry_id>/withdraw", methods=["POST"])
def withdraw_entry(entry_id: int):
    entry = _entry_action(entry_id, services.withdraw_entry, _("The entry is a draft again."))
    return redirect(url_for("competitions.entry", entry_id=entry.id))


@bp.route("/entries/<int:entry_id>/delete", methods=["POST"])
def delete_entry(entry_id: int):
    entry = get_or_404(Entry, entry_id)
    require("entry.edit", entry)
    contest_id, school_id = entry.contest_id, entry.school_id
    try:
        services.delete_entry(entry)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("competitions.entry", entry_id=entry_id))
    db.session.commit()
    flash(_("Draft deleted."), "success")
    return redirect(url_for("competitions.school_entries", contest_id=contest_id, school_id=school_id))


# ====================================================================================== materials

@bp.route("/entries/<int:entry_id>/materials", methods=["POST"])
def upload_material(entry_id: int):
    entry = get_or_404(Entry, entry_id)
    require("entry.edit", entry)
    form = MaterialForm()
    form.kind.choices = [(r.kind, r.kind) for r in entry.category.requirements] + [("other", "other")]
    if form.validate_on_submit():
        upload = form.file.data
        limit = current_app.config.get("MAX_CONTENT_LENGTH") or 60 * 1024 * 1024
        data = upload.read(limit + 1)
        try:
            services.add_material(entry, form.kind.data, upload.filename or "file", data)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(_("Uploaded."), "success")
    else:
        flash(_("Choose a file to upload."), "danger")
    return redirect(url_for("competitions.entry", entry_id=entry.id))


@bp.route("/materials/<int:material_id>/remove", methods=["POST"])
def remove_material(material_id: int):
    material = get_or_404(Material, material_id)
    entry = material.entry
    require("entry.edit", entry)
    try:
        services.remove_material(material)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(_("Removed."), "success")
    return redirect(url_for("competitions.entry", entry_id=entry.id))


@bp.route("/materials/<int:material_id>")
def material(material_id: int):
    """Served only to the school and the organisers (and whoever an area adds to ENTRY_MATERIAL_VIEWERS);
    assigned judges read materials through judging's own assignment-checked route."""
    material = get_or_404(Material, material_id)
    require("material.view", material.entry)
    path = services.material_path(material.stored_name)
    if not path.exists():
        abort(404)
    inline = material.file_type in ("pdf", "png", "jpeg", "gif", "webp", "mp4", "mov")
    response = send_file(path, mimetype=MIME_TYPES.get(material.file_type, "application/octet-stream"),
                         as_attachment=not inline, download_name=material.original_name, conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=0"
    return response


@bp.route("/materials/<int:material_id>/thumbnail")
def material_thumbnail(material_id: int):
    material = get_or_404(Material, material_id)
    require("material.view", material.entry)
    if not material.thumbnail_name or not services.material_path(material.thumbnail_name).exists():
        abort(404)
    response = send_file(services.material_path(material.thumbnail_name), mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.route("/<int:contest_id>/message", methods=["GET", "POST"])
def message_coordinators(contest_id: int):
    """An organiser writes to the coordinators of every school with an entry: preview the count, then send."""
    from competitions import notifications as notices
    from notifications.forms import AnnouncementForm

    contest = get_or_404(Contest, contest_id)
    require("contest.manage", contest)
    form = AnnouncementForm()
    recipient_count = None
    if form.validate_on_submit():
        if form.send.data:
            reached = notices.announce(contest, form.subject.data, form.body.data, form.channels.data,
                                       actor=current_user)
            db.session.commit()
            flash(_("The message is on its way to %(n)d people.", n=reached), "success")
            return redirect(url_for("notifications.outbox"))
        recipient_count = len(notices.contest_coordinators(contest))
    return render_template("competitions/message.html", contest=contest, form=form, recipient_count=recipient_count)
