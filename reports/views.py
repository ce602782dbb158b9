"""Pages of the reports area: the organiser's figures, the annual report (page, PDF, .xlsx), the school view
and the list pages every figure links to. Read-only: no page here changes data."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from accounts.models import Organisation, OrganisationKind
from core.db import utcnow
from core.extensions import db
from core.i18n import current_language
from core.permissions import coordinates, get_or_404, is_admin, require
from reports import periods, services
from reports.services import lists

bp = Blueprint("reports", __name__)


# --- helpers ---------------------------------------------------------------------------------------------


def this_year() -> int:
    return periods.local(utcnow()).year


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        abort(400)


def _year_arg() -> int:
    year = _int_arg("year") or this_year()
    if not 2000 <= year <= 2100:
        abort(400)
    return year


def _organisation_arg(required: bool = True) -> Organisation | None:
    org_id = _int_arg("org")
    if org_id is None:
        if required:
            abort(400)
        return None
    org = get_or_404(Organisation, org_id)
    require("report.view", org)
    return org


def _area_url(endpoint: str, **values) -> str | None:
    """A link into another area's page, or None when that area does not have the page (yet)."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def _download_name(org: Organisation, year: int, ext: str) -> str:
    from urllib.parse import quote

    name = _("%(org)s %(year)d annual report", org=org.name, year=year) + f".{ext}"
    return f"attachment; filename=\"report-{year}.{ext}\"; filename*=UTF-8''{quote(name)}"


# --- dashboard and annual report ------------------------------------------------------------------------


@bp.route("/")
def index():
    """The organiser's figures: pipeline per category, judging progress, this month's events, the caravan."""
    require("report.view")
    org_ids = None if is_admin(current_user) else sorted(current_user.organised_org_ids())
    board = services.dashboard(org_ids)
    return render_template(
        "reports/index.html",
        board=board,
        totals=services.dashboard_totals(board),
        organisations=services.report_organisations(current_user),
        year=this_year(),
        steps=services.STEPS,
        step_labels=services.STEP_LABELS,
        kind_labels=services.EVENT_KIND_LABELS,
        area_url=_area_url,
        month_param=periods.local(board.month_start).strftime("%Y-%m"),
    )


@bp.route("/annual")
def annual():
    year = _year_arg()
    org = _organisation_arg(required=False)
    organisations = services.report_organisations(current_user)
    if org is None:
        if not organisations:
            abort(403)
        org = organisations[0]
    report = services.build_annual_report(org, year)
    return render_template(
        "reports/annual.html",
        report=report,
        org=org,
        year=year,
        organisations=organisations,
        years=range(this_year() + 1, this_year() - 10, -1),
    )


@bp.route("/annual.pdf")
def annual_pdf():
    from reports.pdf import build_pdf

    year, org = _year_arg(), _organisation_arg()
    data = build_pdf(services.build_annual_report(org, year))
    return Response(data, mimetype="application/pdf", headers={"Content-Disposition": _download_name(org, year, "pdf")})


@bp.route("/annual.xlsx")
def annual_xlsx():
    from reports.xlsx import build_xlsx

    year, org = _year_arg(), _organisation_arg()
    data = build_xlsx(services.build_annual_report(org, year), summary_title=_("Summary"))
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": _download_name(org, year, "xlsx")},
    )


@bp.route("/annual/export", methods=["POST"])
def annual_export():
    """Render the annual report as a background job (progress bar, then download)."""
    from core.jobs import enqueue
    from reports.jobs import FORMATS

    org = get_or_404(Organisation, _form_int("org"))
    require("report.view", org)
    year, fmt = _form_int("year"), request.form.get("format", "")
    if fmt not in FORMATS or not 2000 <= year <= 2100:
        abort(400)
    job = enqueue(
        "reports.annual",
        owner=current_user,
        organisation_id=org.id,
        year=year,
        fmt=fmt,
        base_url=request.host_url,
        lang=current_language(),
        title=_("%(org)s %(year)d annual report", org=org.name, year=year) + f" (.{fmt})",
    )
    db.session.commit()
    return redirect(url_for("core.job_progress", job_id=job.id))


def _form_int(name: str) -> int:
    try:
        return int(request.form.get(name, ""))
    except ValueError:
        abort(400)


# --- the school view ------------------------------------------------------------------------------------


@bp.route("/schools/<int:school_id>")
def school(school_id: int):
    """A school's own participation and awards across the years (its coordinators and organisers)."""
    school_org = get_or_404(Organisation, school_id)
    if school_org.kind != OrganisationKind.SCHOOL:
        abort(404)
    require("report.school", school_org)
    history = services.school_history(school_org.id)
    return render_template(
        "reports/school.html",
        school=school_org,
        history=history,
        levels=services.AWARD_LEVELS,
        award_labels=services.AWARD_LABELS,
    )


@bp.route("/schools")
def my_schools():
    """A coordinator's entry point: the school view of their school(s)."""
    from core.permissions import Role

    ids = sorted(current_user.scope_ids(Role.COORDINATOR))
    if not ids:
        abort(403)
    schools = services.organisations_by_name(ids)
    if len(schools) == 1:
        return redirect(url_for("reports.school", school_id=schools[0].id))
    return render_template("reports/schools.html", schools=schools)


# --- the lists behind the figures -----------------------------------------------------------------------


def _list_scope() -> tuple[tuple[int, ...] | None, Organisation | None]:
    """Organisations a list covers: ?org= (and below), else everything the user organises. A school
    coordinator may list their own school's entries and students (?school=)."""
    org = _organisation_arg(required=False)
    if org is not None:
        return tuple(services.organisation_scope(org.id)), org
    if is_admin(current_user):
        return None, None
    school_id = _int_arg("school")
    if (
        not current_user.organised_org_ids()
        and school_id is not None
        and coordinates(current_user, school_id)
        and request.view_args.get("kind") in ("entries", "students", "awards")
    ):
        return None, None
    require("report.view")
    return tuple(sorted(current_user.organised_org_ids())), None


def _entry_filter(org_ids) -> services.EntryFilter:
    step = request.args.get("step", "participating")
    if step not in (*services.STEPS, "participating"):
        abort(400)
    stage = request.args.get("stage") or None
    if stage is not None and stage not in services.STAGES:
        abort(400)
    return services.EntryFilter(
        org_ids=org_ids,
        year=_int_arg("year"),
        contest_id=_int_arg("contest"),
        category_id=_int_arg("category"),
        school_id=_int_arg("school"),
        step=step,
        stage=stage,
        award=request.args.get("award") or None,
        published_only=bool(request.args.get("published")),
        active_only=bool(request.args.get("active")),
    )


def _event_filter(org_ids) -> services.EventFilter:
    month = request.args.get("month")
    month_of = None
    if month:
        try:
            month_of = datetime.strptime(month + "-15", "%Y-%m-%d").replace(tzinfo=periods.zone())
        except ValueError:
            abort(400)
    return services.EventFilter(
        org_ids=org_ids,
        year=_int_arg("year"),
        month_of=month_of,
        kind=request.args.get("type") or None,
        group_only=bool(request.args.get("group")),
        venue_kind=request.args.get("venue_kind") or None,
    )


def _visit_filter(org_ids) -> services.VisitFilter:
    return services.VisitFilter(
        org_ids=org_ids,
        year=_int_arg("year"),
        host_kind=request.args.get("host_kind") or None,
        host_name=request.args.get("host") or None,
        uncounted_only=bool(request.args.get("uncounted")),
        upcoming_from=utcnow() if request.args.get("upcoming") else None,
    )


class _OnePage:
    """A list short enough for one page (the hosts a caravan visited), shaped like a Pagination."""

    def __init__(self, items: list):
        self.items, self.total, self.pages, self.page = items, len(items), 1, 1


@bp.route("/list/<kind>")
def list_rows(kind: str):
    """The rows a figure counts; the number of rows shown at the top is the figure."""
    if kind not in lists.LIST_KINDS:
        abort(404)
    org_ids, org = _list_scope()
    query_args = {k: v for k, v in request.args.items() if k != "page"}
    query_args["kind"] = kind
    if kind == "reached":  # people reached = checked in + caravan audiences without check-in: both lists
        checked, audience = lists.reached_parts(_event_filter(org_ids), _visit_filter(org_ids))
        common = {k: v for k, v in query_args.items() if k not in ("kind", "measure")}
        rows = [
            [
                _("People checked in"),
                checked,
                url_for("reports.list_rows", kind="checkins", measure="people", **common),
            ],
            [
                _("Caravan audience reported by hosts"),
                audience,
                url_for("reports.list_rows", kind="visits", measure="people", uncounted=1, **common),
            ],
        ]
        return render_template(
            "reports/list.html",
            title=_("People reached"),
            headers=[_("Counted as"), _("People")],
            rows=rows,
            linked=True,
            page=_OnePage(rows),
            org=org,
            query_args=query_args,
            people=checked + audience,
            measure="people",
        )
    if kind == "hosts":
        rows = lists.host_rows(_visit_filter(org_ids))
        return render_template(
            "reports/list.html",
            title=_("Schools and communities visited"),
            headers=[_("Host"), _("Kind"), _("Visits"), _("Expected audience")],
            rows=rows,
            page=_OnePage(rows),
            org=org,
            query_args=query_args,
            people=None,
            measure="rows",
        )
    if kind in lists.ENTRY_KINDS:
        spec = lists.entry_list(kind, _entry_filter(org_ids))
    elif kind in lists.EVENT_LIST_KINDS:
        spec = lists.event_list(kind, _event_filter(org_ids))
    else:
        spec = lists.visit_list(kind, _visit_filter(org_ids))
    page = db.paginate(spec.select, per_page=100, error_out=False)
    if kind == "judges":  # the contests of the people on this page, in one query
        contests = services.judge_contests(_entry_filter(org_ids), [u.id for u in page.items])
        rows = [spec.cells(item, contests) for item in page.items]
    else:
        rows = [spec.cells(item) for item in page.items]
    people = services.sum_of(spec.select, spec.people_column) if spec.people_column else None
    measure = "people" if people is not None and request.args.get("measure") == "people" else "rows"
    return render_template(
        "reports/list.html",
        title=spec.title,
        headers=spec.headers,
        rows=rows,
        page=page,
        org=org,
        query_args=query_args,
        people=people,
        measure=measure,
    )
