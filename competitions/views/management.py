"""Organisers' pages: contests (settings, status, deadlines, definitions), categories, the entry lists and the
master list, the review queue, the school list import, and messages to the schools' coordinators."""

from __future__ import annotations

import io
import json

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.models import Organisation, descendant_ids
from competitions.forms import (
    TIMEZONE_LABELS,
    CategoryForm,
    ContestForm,
    DefinitionImportForm,
    ExtensionForm,
    ReviewForm,
    UploadForm,
)
from competitions.jobs import EXPORT_JOB_THRESHOLD
from competitions.loaders import load_school
from competitions.models import CONTEST_TRANSITIONS, Category, Contest, Entry
from competitions.roster.values import MAX_ROSTER_BYTES
from competitions.services import categories as categories_service
from competitions.services import checks as checks_service
from competitions.services import contests as contests_service
from competitions.services import definitions as definitions_service
from competitions.services import listings as listings_service
from competitions.services import review as review_service
from competitions.services import schools as schools_service
from competitions.sorting import entry_sort
from competitions.views.common import PER_PAGE, bp, managed_units, my_schools, read_capped, xlsx_response
from core.errors import DomainError
from core.extensions import db
from core.forms import commit_or_show
from core.i18n import local_today
from core.jobs import enqueue
from core.pagination import ListPagination
from core.permissions import can, get_or_404, is_admin, require

REVIEW_PER_PAGE = 100

# ====================================================================================== contests


@bp.route("/")
def index():
    require("contest.view_list")
    managed = []
    if current_user.organised_org_ids() or is_admin(current_user):
        ids = None if is_admin(current_user) else current_user.organised_org_ids()
        managed = contests_service.list_contests(ids)
    schools = my_schools()
    open_to_me = [
        (school, contest) for school in schools for contest in contests_service.contests_open_to_school(school)
    ]
    return render_template("competitions/index.html", managed=managed, open_to_me=open_to_me, schools=schools)


def _contest_form_values(form: ContestForm) -> dict:
    tz = form.timezone.data.strip()
    try:
        opens = contests_service.local_to_utc(form.registration_opens_at.data, tz)
        closes = contests_service.local_to_utc(form.registration_closes_at.data, tz)
    except Exception:
        raise DomainError(_("Unknown time zone %(tz)s.", tz=tz), field="timezone") from None
    return dict(
        name=form.name.data,
        year=form.year.data,
        description=form.description.data or "",
        registration_opens_at=opens,
        registration_closes_at=closes,
        reference_date=form.reference_date.data,
    )


@bp.route("/new", methods=["GET", "POST"])
def new_contest():
    require("contest.create")
    form = ContestForm()
    form.organisation_id.choices = [(o.id, o.name) for o in managed_units()]
    if request.method == "GET":
        form.year.data = local_today().year
    if form.validate_on_submit():
        org = get_or_404(Organisation, form.organisation_id.data)
        require("contest.create", org)
        done = commit_or_show(
            lambda: contests_service.create_contest(
                org, timezone_name=form.timezone.data.strip(), **_contest_form_values(form)
            ),
            form,
            _("Contest created. Add its categories, then open registration."),
        )
        if done:
            return redirect(url_for("competitions.contest", contest_id=done.value.id))
    return render_template("competitions/contest_form.html", form=form, contest=None)


@bp.route("/<int:contest_id>")
def contest(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    require("contest.view", contest)
    if not can("contest.manage", contest):
        under = descendant_ids({contest.organisation_id})
        schools = [s for s in my_schools() if s.id in under] if can("contest.register", contest) else []
        if schools:
            return redirect(url_for("competitions.school_entries", contest_id=contest.id, school_id=schools[0].id))
        abort(403)
    extension_form = ExtensionForm(prefix="ext")
    extension_form.school_id.choices = schools_service.schools_under(contest.organisation_id)
    return render_template(
        "competitions/contest.html",
        contest=contest,
        transitions=CONTEST_TRANSITIONS[contest.status_enum],
        extension_form=extension_form,
        counts=contests_service.entry_counts_by_status(contest),
        local=lambda v: contests_service.utc_to_local(v, contest.timezone),
    )


@bp.route("/<int:contest_id>/edit", methods=["GET", "POST"])
def edit_contest(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    require("contest.manage", contest)
    form = ContestForm(obj=contest)
    form.organisation_id.choices = [(contest.organisation_id, contest.organisation.name)]
    if contest.timezone not in TIMEZONE_LABELS:  # an imported contest's zone stays selectable
        form.timezone.choices = [*form.timezone.choices, (contest.timezone, contest.timezone)]
    if request.method == "GET":
        form.registration_opens_at.data = contests_service.utc_to_local(contest.registration_opens_at, contest.timezone)
        form.registration_closes_at.data = contests_service.utc_to_local(
            contest.registration_closes_at, contest.timezone
        )
    if form.validate_on_submit() and commit_or_show(
        lambda: contests_service.update_contest(
            contest, timezone=form.timezone.data.strip(), **_contest_form_values(form)
        ),
        form,
        _("Saved."),
    ):
        return redirect(url_for("competitions.contest", contest_id=contest.id))
    return render_template("competitions/contest_form.html", form=form, contest=contest)


@bp.route("/<int:contest_id>/status", methods=["POST"])
def move_contest(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    require("contest.manage", contest)
    if commit_or_show(lambda: contests_service.move_contest(contest, request.values.get("status", ""))):
        flash(_("The contest is now: %(status)s", status=contest.status_label), "success")
    return redirect(url_for("competitions.contest", contest_id=contest.id))


@bp.route("/<int:contest_id>/extensions", methods=["POST"])
def extend_deadline(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    require("contest.manage", contest)
    form = ExtensionForm(prefix="ext")
    form.school_id.choices = schools_service.schools_under(contest.organisation_id)
    if form.validate_on_submit():
        school = load_school(form.school_id.data)
        if school.id not in {sid for sid, _n in form.school_id.choices}:
            abort(403)
        commit_or_show(
            lambda: contests_service.extend_deadline(
                contest,
                school,
                contests_service.local_to_utc(form.closes_at.data, contest.timezone),
                form.reason.data or "",
            ),
            success=_("Registration extended for %(school)s.", school=school.name),
        )
    else:
        flash(_("Choose a school and a new deadline."), "danger")
    return redirect(url_for("competitions.contest", contest_id=contest.id))


@bp.route("/<int:contest_id>/definition.json")
def export_definition(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    require("contest.manage", contest)
    body = json.dumps(definitions_service.export_contest_definition(contest), ensure_ascii=False, indent=2).encode()
    return send_file(
        io.BytesIO(body),
        mimetype="application/json",
        as_attachment=True,
        download_name=f"contest-{contest.year}-{contest.id}.json",
    )


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
            invalid = []

            def import_it():
                try:
                    return definitions_service.import_contest_definition(
                        doc, org, year=form.year.data, name=form.name.data or None
                    )
                except definitions_service.DefinitionInvalid as exc:  # its problems are shown as a list
                    invalid.extend(exc.errors)
                    raise

            done = commit_or_show(import_it, form, _("Contest imported as a draft."))
            if done:
                return redirect(url_for("competitions.contest", contest_id=done.value.id))
            errors = [e.render(_) for e in invalid]
    return render_template("competitions/import_definition.html", form=form, errors=errors)


# ====================================================================================== categories


@bp.route("/<int:contest_id>/categories/new", methods=["GET", "POST"], endpoint="new_category")
@bp.route("/<int:contest_id>/categories/<int:category_id>/edit", methods=["GET", "POST"])
def edit_category(contest_id: int, category_id: int | None = None):
    contest = get_or_404(Contest, contest_id)
    require("contest.manage", contest)
    category = _category_of(contest, category_id) if category_id is not None else None
    form = CategoryForm(obj=category, materials=category.requirements if category else [])
    if form.validate_on_submit():
        fields = {
            name: getattr(form, name).data
            for name in (
                "code",
                "name",
                "description",
                "entry_type",
                "allowed_stages",
                "max_advisors",
                "grade_min",
                "grade_max",
                "age_min",
                "age_max",
                "completion_months",
                "scoring_mode",
            )
        }
        fields["description"] = fields["description"] or ""
        if form.entry_type.data == "team":
            fields["min_members"] = form.min_members.data if form.min_members.data is not None else 2
            fields["max_members"] = form.max_members.data if form.max_members.data is not None else 3
        if commit_or_show(
            lambda: categories_service.save_category_with_rows(
                contest, category, fields, requirements=form.material_rows(), quotas=form.quota_rows()
            ),
            form,
            _("Category saved."),
        ):
            return redirect(url_for("competitions.contest", contest_id=contest.id))
    form.add_blank_rows()
    return render_template("competitions/category_form.html", form=form, contest=contest, category=category)


def _category_of(contest: Contest, category_id: int) -> Category:
    category = get_or_404(Category, category_id)
    if category.contest_id != contest.id:
        abort(404)
    return category


@bp.route("/<int:contest_id>/categories/<int:category_id>/delete", methods=["POST"])
def delete_category(contest_id: int, category_id: int):
    contest = get_or_404(Contest, contest_id)
    require("contest.manage", contest)
    category = _category_of(contest, category_id)
    commit_or_show(lambda: categories_service.delete_category(category), success=_("Category deleted."))
    return redirect(url_for("competitions.contest", contest_id=contest.id))


# ====================================================================================== organiser lists


def _entry_filters() -> dict:
    return {
        "category_id": request.args.get("category_id", type=int),
        "school_id": request.args.get("school_id", type=int),
        "status": request.args.get("status") or None,
        "search": (request.args.get("q") or "").strip() or None,
    }


@bp.route("/<int:contest_id>/entries")
def entries(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    require("contest.manage", contest)
    filters, sort = _entry_filters(), entry_sort(request.args.get("sort"))
    page = (
        db.paginate(listings_service.entries_query(contest.id, **filters), per_page=PER_PAGE, error_out=False)
        if sort == "code"
        else ListPagination(
            items=listings_service.list_entries(contest.id, sort, **filters), per_page=PER_PAGE, error_out=False
        )
    )
    args = {
        k: v
        for k, v in {
            "category_id": filters["category_id"],
            "school_id": filters["school_id"],
            "status": filters["status"],
            "q": filters["search"],
            "sort": sort if sort != "code" else None,
        }.items()
        if v
    }
    return render_template(
        "competitions/entries.html",
        contest=contest,
        page=page,
        filters=filters,
        args=args,
        schools=schools_service.schools_under(contest.organisation_id),
        sort=sort,
    )


@bp.route("/<int:contest_id>/entries.xlsx", methods=["GET", "POST"])
def export_entries(contest_id: int):
    """The master list with the list's filters: a short one at once; a long one is prepared by a background job,
    started from the list page's button (a POST; a GET never writes, it points to that page)."""
    contest = get_or_404(Contest, contest_id)
    require("contest.manage", contest)
    filters, sort = _entry_filters(), entry_sort(request.args.get("sort"))
    if listings_service.count_entries(contest.id, **filters) > EXPORT_JOB_THRESHOLD:
        if request.method == "GET":
            flash(_("This list is long: press “Master list (.xlsx)” to prepare it in the background."), "info")
            return redirect(url_for("competitions.entries", contest_id=contest.id, **request.args))
        done = commit_or_show(
            lambda: enqueue(
                "competitions.export_entries",
                owner=current_user,
                contest_id=contest.id,
                filters={**filters, "sort": sort},
                title=_("Master list of %(contest)s", contest=contest.name),
            )
        )
        return redirect(url_for("core.job_progress", job_id=done.value.id))
    return xlsx_response(
        listings_service.master_list_xlsx(contest, sort=sort, **filters), f"参赛作品-{contest.year}-{contest.id}.xlsx"
    )


@bp.route("/<int:contest_id>/summary")
def summary(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    require("contest.manage", contest)
    return render_template(
        "competitions/summary.html", contest=contest, summaries=listings_service.school_summaries(contest)
    )


@bp.route("/<int:contest_id>/review")
def review(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    require("contest.manage", contest)
    # the checks run once over the whole queue from plain rows (quotas count in submission order); only the
    # 100 entries of the page are loaded as objects
    checks = review_service.review_checks(contest, request.args.get("category_id", type=int))
    pages = max(1, (len(checks) + REVIEW_PER_PAGE - 1) // REVIEW_PER_PAGE)
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    window = checks[(page - 1) * REVIEW_PER_PAGE : page * REVIEW_PER_PAGE]
    problems = dict(window)
    shown = [
        (entry, problems[entry.id]) for entry in review_service.load_entries([entry_id for entry_id, _p in window])
    ]
    flagged = sum(1 for _entry_id, found in checks if found)
    return render_template(
        "competitions/review.html",
        contest=contest,
        queue=shown,
        total=len(checks),
        flagged=flagged,
        page=page,
        pages=pages,
        render_problem=checks_service.render_problem,
        form=ReviewForm(),
    )


@bp.route("/<int:contest_id>/review/bulk-approve", methods=["POST"])
def bulk_approve(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    require("contest.manage", contest)
    ids = [int(v) for v in request.form.getlist("entry_ids") if v.isdigit()]
    done = commit_or_show(lambda: review_service.bulk_approve_clean(contest, ids or None))
    if done:
        approved, skipped = done.value
        flash(
            _(
                "%(approved)s entries approved; %(skipped)s with problems left for review.",
                approved=approved,
                skipped=skipped,
            ),
            "success",
        )
    return redirect(url_for("competitions.review", contest_id=contest.id))


@bp.route("/entries/<int:entry_id>/review", methods=["POST"])
def review_entry(entry_id: int):
    entry = get_or_404(Entry, entry_id)
    require("entry.review", entry)
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    actions = {
        "approve": lambda: review_service.approve_entry(entry),
        "return": lambda: review_service.return_entry(entry, form.reason.data or ""),
        "reject": lambda: review_service.reject_entry(entry, form.reason.data or ""),
    }
    if form.action.data not in actions:
        abort(400)
    if commit_or_show(actions[form.action.data]):
        flash(_("%(code)s: %(status)s", code=entry.code or entry.title, status=entry.status_label), "success")
    if request.form.get("next") == "queue":
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
        result = schools_service.import_schools(data, form.file.data.filename or "", parent, size=size)
        if result.problems:  # all or nothing: every problem listed (not one DomainError), nothing written
            db.session.rollback()
            problems = result.problems
        else:
            db.session.commit()
            done = result
    return render_template("competitions/import_schools.html", form=form, units=units, problems=problems, done=done)


# ====================================================================================== messages


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
            done = commit_or_show(
                lambda: notices.announce(
                    contest, form.subject.data, form.body.data, form.channels.data, actor=current_user
                ),
                form,
            )
            if done:
                flash(_("The message is on its way to %(n)d people.", n=done.value), "success")
                return redirect(url_for("notifications.outbox"))
        else:
            recipient_count = len(notices.contest_coordinators(contest))
    return render_template("competitions/message.html", contest=contest, form=form, recipient_count=recipient_count)
