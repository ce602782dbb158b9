"""School coordinators' pages: the roster (students, advisors, imports and exports), the school's entries in a
contest, each entry with its materials, and submitting or withdrawing it. Organisers open these pages too
(read, review from the entry page).

One module past ~500 lines on purpose: these are one audience's pages over one school's records (roster, entries,
materials), sharing the school/contest loaders and coordinator checks at the top; split by concern they would
import each other's loaders back."""

from __future__ import annotations

import io
import secrets

from flask import abort, current_app, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectField

from accounts.models import Organisation, descendant_ids
from competitions.forms import AdvisorForm, EntryForm, MaterialForm, ReviewForm, StudentForm, UploadForm
from competitions.jobs import JOB_THRESHOLD_ROWS, pending_roster_path
from competitions.loaders import load_school
from competitions.materials import MATERIAL_KIND_LABELS, MIME_TYPES
from competitions.models import Advisor, Category, Contest, Entry, EntryStatus, Material, Student
from competitions.roster.matching import NAMESAKE_DIFFERENCES
from competitions.roster.preview import roster_from_json, roster_to_json
from competitions.roster.reading import parse_roster
from competitions.roster.values import MAX_ROSTER_BYTES, grade_label
from competitions.roster.writing import write_roster_csv, write_roster_template, write_roster_xlsx
from competitions.services import advisors as advisors_service
from competitions.services import checks as checks_service
from competitions.services import contests as contests_service
from competitions.services import entries as entries_service
from competitions.services import listings as listings_service
from competitions.services import materials as materials_service
from competitions.services import review as review_service
from competitions.services import students as students_service
from competitions.sorting import entry_sort
from competitions.views.common import PER_PAGE, bp, read_capped, xlsx_response
from core.forms import commit_or_show
from core.jobs import enqueue
from core.pagination import ListPagination
from core.permissions import Role, can, get_or_404, require

PICKER_RESULTS = 20

# ====================================================================================== roster


@bp.route("/school/<int:school_id>/students")
def students(school_id: int):
    school = load_school(school_id)
    require("school.roster", school)
    search = (request.args.get("q") or "").strip() or None
    page = ListPagination(items=students_service.list_students(school.id, search), per_page=PER_PAGE, error_out=False)
    return render_template(
        "competitions/students.html",
        school=school,
        page=page,
        search=search or "",
        advisors=advisors_service.list_advisors(school.id),
    )


@bp.route("/school/<int:school_id>/students/search")
def search_students(school_id: int):
    """The student picker's look-up (static/js/competitions-picker.js): the first matches by name, pinyin
    initials or class, in roster order, as JSON. A school's 2,000 students never travel as one dropdown."""
    school = load_school(school_id)
    require("school.roster", school)
    found = students_service.list_students(school.id, request.args.get("q") or None)
    return {
        "students": [{"id": s.id, "label": s.label} for s in found[:PICKER_RESULTS]],
        "more": max(0, len(found) - PICKER_RESULTS),
    }


@bp.route("/school/<int:school_id>/students/new", methods=["GET", "POST"], endpoint="new_student")
@bp.route("/school/<int:school_id>/students/<int:student_id>/edit", methods=["GET", "POST"])
def edit_student(school_id: int, student_id: int | None = None):
    return _edit_school_record(
        school_id,
        Student,
        student_id,
        StudentForm,
        students_service.save_student,
        students_service.STUDENT_FIELDS,
        "competitions/student_form.html",
        "student",
    )


def _edit_school_record(
    school_id: int, model, record_id: int | None, form_class, save, fields, template: str, name: str
):
    """Add or edit a student or advisor of the school's roster (the service checks the values)."""
    school = load_school(school_id)
    require("school.roster", school)
    record = _school_record_or_404(model, record_id, school) if record_id is not None else None
    form = form_class(obj=record)
    if form.validate_on_submit() and commit_or_show(
        lambda: save(school, record, **{k: getattr(form, k).data for k in fields}), form, _("Saved.")
    ):
        return redirect(url_for("competitions.students", school_id=school.id))
    return render_template(template, form=form, school=school, **{name: record})


@bp.route("/school/<int:school_id>/students/<int:student_id>/delete", methods=["POST"])
def delete_student(school_id: int, student_id: int):
    return _delete_school_record(school_id, Student, student_id, students_service.delete_student)


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
    commit_or_show(lambda: delete(record), success=_("Removed."))
    return redirect(url_for("competitions.students", school_id=school.id))


@bp.route("/school/<int:school_id>/students/template.xlsx")
def roster_template(school_id: int):
    school = load_school(school_id)
    require("school.roster", school)
    return xlsx_response(write_roster_template(), "学生名单模板.xlsx")


@bp.route("/school/<int:school_id>/students/export.<fmt>")
def export_students(school_id: int, fmt: str):
    school = load_school(school_id)
    require("school.roster", school)
    rows = students_service.list_students(school.id)
    if fmt == "xlsx":
        return xlsx_response(write_roster_xlsx(rows), f"{school.name}-学生名单.xlsx")
    if fmt == "csv":
        return send_file(
            io.BytesIO(write_roster_csv(rows)),
            mimetype="text/csv",
            as_attachment=True,
            download_name=f"{school.name}-学生名单.csv",
        )
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
            plan = students_service.plan_roster_import(school, result)
            token = secrets.token_urlsafe(24)
            pending_roster_path(token).write_bytes(roster_to_json(result))  # parsed once: confirm reuses it
            session["roster_import"] = {
                "token": token,
                "school_id": school.id,
                "filename": form.file.data.filename or "",
            }
    return render_template(
        "competitions/import_students.html",
        school=school,
        form=form,
        result=result,
        plan=plan,
        token=token,
        render_error=_render_roster_message,
        grade_label=grade_label,
    )


def _render_roster_message(error) -> str:
    """A roster error or warning in the reader's language, its keyword parameters in words too."""
    params = dict(error.params)
    if "stages" in params:
        params["stages"] = checks_service.stage_names(params["stages"])
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
    result = None
    if token and pending.get("token") == token and pending.get("school_id") == school.id:
        path = pending_roster_path(token)
        if path.exists():
            try:
                result = roster_from_json(path.read_bytes())
            except ValueError:
                result = None
    if result is None:
        flash(_("This import has expired; upload the file again."), "danger")
        return redirect(url_for("competitions.import_students", school_id=school.id))
    if len(result.rows) > JOB_THRESHOLD_ROWS:
        session.pop("roster_import", None)
        done = commit_or_show(
            lambda: enqueue(
                "competitions.import_roster",
                owner=current_user,
                title=_("Import students: %(school)s", school=school.name),
                school_id=school.id,
                token=token,
                filename=pending.get("filename") or "",
                actor_id=current_user.id,
            )
        )
        return redirect(url_for("core.job_progress", job_id=done.value.id))
    done = commit_or_show(lambda: students_service.import_roster(school, result))
    if not done:
        return redirect(url_for("competitions.import_students", school_id=school.id))
    path.unlink(missing_ok=True)
    session.pop("roster_import", None)
    counts = done.value
    flash(
        _(
            "Roster imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.",
            created=counts["create"],
            updated=counts["update"],
            unchanged=counts["unchanged"],
        ),
        "success",
    )
    return redirect(url_for("competitions.students", school_id=school.id))


# ====================================================================================== advisors


@bp.route("/school/<int:school_id>/advisors/new", methods=["GET", "POST"], endpoint="new_advisor")
@bp.route("/school/<int:school_id>/advisors/<int:advisor_id>/edit", methods=["GET", "POST"])
def edit_advisor(school_id: int, advisor_id: int | None = None):
    return _edit_school_record(
        school_id,
        Advisor,
        advisor_id,
        AdvisorForm,
        advisors_service.save_advisor,
        advisors_service.ADVISOR_FIELDS,
        "competitions/advisor_form.html",
        "advisor",
    )


@bp.route("/school/<int:school_id>/advisors/<int:advisor_id>/delete", methods=["POST"])
def delete_advisor(school_id: int, advisor_id: int):
    return _delete_school_record(school_id, Advisor, advisor_id, advisors_service.delete_advisor)


# ====================================================================================== school entries


def _require_school_in_contest(contest: Contest, school: Organisation) -> None:
    """A coordinator of this school, and the school lies under the contest's organising unit."""
    require("school.roster", school)
    if not (
        can("contest.manage", contest)
        or (can("contest.register", contest) and school.id in current_user.scope_ids(Role.COORDINATOR))
    ):
        abort(403)
    if school.id not in descendant_ids({contest.organisation_id}):
        abort(404)


@bp.route("/<int:contest_id>/school/<int:school_id>")
def school_entries(contest_id: int, school_id: int):
    contest = get_or_404(Contest, contest_id)
    school = load_school(school_id)
    _require_school_in_contest(contest, school)
    sort = entry_sort(request.args.get("sort"))
    entries = listings_service.list_entries(contest.id, sort, school_id=school.id)
    summary = listings_service.school_summaries(contest, [school.id])
    return render_template(
        "competitions/school_entries.html",
        contest=contest,
        school=school,
        entries=entries,
        sort=sort,
        summary=summary[0] if summary else None,
        deadline=contests_service.school_deadline(contest, school.id),
        is_open=contests_service.registration_open_for(contest, school.id),
        state_label=contests_service.status_label_for_school(contest, school.id),
        local=lambda v: contests_service.utc_to_local(v, contest.timezone),
    )


def _entry_form(contest: Contest, school: Organisation, entry: Entry | None):
    """The entry form with one select per member and per advisor place (order matters: 第一作者, 第一辅导教师)."""
    member_places = max([c.max_members for c in contest.categories] + [1])
    advisor_places = max([c.max_advisors for c in contest.categories] + [1])
    advisors = advisors_service.list_advisors(school.id)
    # Only the students already chosen (or just posted) travel with the page; the picker finds the others.
    chosen_ids = {m.student_id for m in entry.members} if entry is not None else set()
    if request.method == "POST":
        chosen_ids |= {
            v
            for k, v in request.form.items(multi=True)
            if k.startswith("member_") or k == "leader_id"
            for v in [int(v) if v.isdigit() else 0]
            if v
        }
    chosen = students_service.school_students_by_id(school.id, chosen_ids)
    student_choices = [(0, "—")] + [(s.id, s.label) for s in chosen]
    advisor_choices = [(0, "—")] + [(a.id, a.name) for a in advisors]

    class Form(EntryForm):
        pass

    for i in range(member_places):
        setattr(
            Form,
            f"member_{i}",
            SelectField(
                _("Student %(n)s", n=i + 1), coerce=int, choices=student_choices, validate_choice=False, default=0
            ),
        )
    for i in range(advisor_places):
        setattr(
            Form,
            f"advisor_{i}",
            SelectField(
                _("Advisor %(n)s", n=i + 1), coerce=int, choices=advisor_choices, validate_choice=False, default=0
            ),
        )
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
    form.limits = {
        str(c.id): {
            "members": 0 if c.entry_type == "advisor" else max(c.max_members, 1),
            "advisors": 1 if c.entry_type == "advisor" else c.max_advisors,
            "team": c.entry_type == "team",
        }
        for c in contest.categories
    }
    return form


def _entry_values(form) -> dict:
    members = [getattr(form, f"member_{i}").data for i in range(form.member_places)]
    advisors = [getattr(form, f"advisor_{i}").data for i in range(form.advisor_places)]
    return dict(
        title=form.title.data,
        abstract=form.abstract.data or "",
        student_ids=[m for m in members if m],
        leader_id=form.leader_id.data or None,
        advisor_ids=[a for a in advisors if a],
        work_started_on=form.work_started_on.data,
        work_completed_on=form.work_completed_on.data,
    )


@bp.route("/<int:contest_id>/school/<int:school_id>/entries/new", methods=["GET", "POST"])
def new_entry(contest_id: int, school_id: int):
    contest = get_or_404(Contest, contest_id)
    school = load_school(school_id)
    _require_school_in_contest(contest, school)
    if school.id not in current_user.scope_ids(Role.COORDINATOR):
        abort(403)  # entries are registered by the school's coordinators
    if not contests_service.registration_open_for(contest, school.id):
        # say so before the coordinator fills in a form the server would refuse
        flash(_("Registration for this contest is not open."), "danger")
        return redirect(url_for("competitions.school_entries", contest_id=contest.id, school_id=school.id))
    form = _entry_form(contest, school, None)
    if form.validate_on_submit():
        category = get_or_404(Category, form.category_id.data)
        done = commit_or_show(
            lambda: entries_service.create_entry(contest, school, category, **_entry_values(form)),
            form,
            _("Entry saved as a draft. Upload its materials, then submit it."),
        )
        if done:
            return redirect(url_for("competitions.entry", entry_id=done.value.id))
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
    problems = (
        checks_service.entry_problems(entry)
        if entry.status in (EntryStatus.DRAFT.value, EntryStatus.SUBMITTED.value, EntryStatus.RETURNED.value)
        else []
    )
    return render_template(
        "competitions/entry.html",
        entry=entry,
        material_form=material_form,
        problems=problems,
        kind_names=dict(kinds),
        locked_reason=contests_service.entry_locked_reason(entry),
        render_problem=checks_service.render_problem,
        editable=contests_service.entry_editable(entry),
        review_form=ReviewForm(),
    )


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
def edit_entry(entry_id: int):
    entry = get_or_404(Entry, entry_id)
    require("entry.edit", entry)
    reason = contests_service.entry_locked_reason(entry)
    if reason is not None:  # say so before the form, not after the coordinator has typed into it
        flash(str(reason), "warning")
        return redirect(url_for("competitions.entry", entry_id=entry.id))
    form = _entry_form(entry.contest, entry.school, entry)
    if form.validate_on_submit() and commit_or_show(
        lambda: entries_service.update_entry(entry, category_id=form.category_id.data, **_entry_values(form)),
        form,
        _("Saved."),
    ):
        return redirect(url_for("competitions.entry", entry_id=entry.id))
    return render_template(
        "competitions/entry_form.html", form=form, contest=entry.contest, school=entry.school, entry=entry
    )


def _entry_step(entry_id: int, step, success: str):
    """A school's step on its entry (submit, withdraw), back to the entry page."""
    entry = get_or_404(Entry, entry_id)
    require("entry.edit", entry)
    commit_or_show(lambda: step(entry), success=success)
    return redirect(url_for("competitions.entry", entry_id=entry.id))


@bp.route("/entries/<int:entry_id>/submit", methods=["POST"])
def submit_entry(entry_id: int):
    return _entry_step(entry_id, review_service.submit_entry, _("Submitted for review."))


@bp.route("/entries/<int:entry_id>/withdraw", methods=["POST"])
def withdraw_entry(entry_id: int):
    return _entry_step(entry_id, review_service.withdraw_entry, _("The entry is a draft again."))


@bp.route("/entries/<int:entry_id>/delete", methods=["POST"])
def delete_entry(entry_id: int):
    entry = get_or_404(Entry, entry_id)
    require("entry.edit", entry)
    contest_id, school_id = entry.contest_id, entry.school_id
    if not commit_or_show(lambda: entries_service.delete_entry(entry), success=_("Draft deleted.")):
        return redirect(url_for("competitions.entry", entry_id=entry_id))
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
        commit_or_show(
            lambda: materials_service.add_material(entry, form.kind.data, upload.filename or "file", data),
            success=_("Uploaded."),
        )
    else:
        flash(_("Choose a file to upload."), "danger")
    return redirect(url_for("competitions.entry", entry_id=entry.id))


@bp.route("/materials/<int:material_id>/remove", methods=["POST"])
def remove_material(material_id: int):
    material = get_or_404(Material, material_id)
    entry = material.entry
    require("entry.edit", entry)
    commit_or_show(lambda: materials_service.remove_material(material), success=_("Removed."))
    return redirect(url_for("competitions.entry", entry_id=entry.id))


@bp.route("/materials/<int:material_id>")
def material(material_id: int):
    """Served only to the school and the organisers (and whoever an area adds to ENTRY_MATERIAL_VIEWERS);
    assigned judges read materials through judging's own assignment-checked route."""
    material = get_or_404(Material, material_id)
    require("material.view", material.entry)
    path = materials_service.material_path(material.stored_name)
    if not path.exists():
        abort(404)
    inline = material.file_type in ("pdf", "png", "jpeg", "gif", "webp", "mp4", "mov")
    response = send_file(
        path,
        mimetype=MIME_TYPES.get(material.file_type, "application/octet-stream"),
        as_attachment=not inline,
        download_name=material.original_name,
        conditional=True,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=0"
    return response


@bp.route("/materials/<int:material_id>/thumbnail")
def material_thumbnail(material_id: int):
    material = get_or_404(Material, material_id)
    require("material.view", material.entry)
    if not material.thumbnail_name or not materials_service.material_path(material.thumbnail_name).exists():
        abort(404)
    response = send_file(materials_service.material_path(material.thumbnail_name), mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
