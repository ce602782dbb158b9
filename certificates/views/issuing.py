"""The organiser's pages for issuing: the overview, the issue page (preflight, then issue), the list of one
contest's or event's certificates and their rendering; and the school coordinator's page of their students'."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.models import Organisation, OrganisationKind
from certificates import services
from certificates.forms import IssueForm, RenderForm
from certificates.models import CertificateTemplate
from certificates.sources import SOURCES, sources_for
from certificates.views.common import bp, organised_ids, scope_or_404
from core.errors import DomainError
from core.extensions import db
from core.forms import commit_or_show, form_error
from core.names import name_sort_key
from core.permissions import Role, can, get_or_404, require

# ---- overview ------------------------------------------------------------------------------------------


@bp.route("/")
def index():
    require("certificate.view_list")
    ids = organised_ids()
    templates = services.templates_for(ids) if can("certificate.design") else []
    summaries = services.scope_summaries(ids) if ids is None or ids else []
    school_ids = sorted(current_user.scope_ids(Role.COORDINATOR))
    schools = (
        list(db.session.execute(sa.select(Organisation).where(Organisation.id.in_(school_ids))).scalars())
        if school_ids
        else []
    )
    return render_template(
        "certificates/index.html",
        templates=templates,
        summaries=summaries,
        schools=schools,
        kind_label=services.kind_label,
    )


# ---- issuing -------------------------------------------------------------------------------------------


def _issue_form() -> IssueForm:
    form = IssueForm()
    form.source.choices = [(s.key, f"{s.label}") for s in sources_for("contest") + sources_for("event")]
    form.template_id.choices = [(t.id, t.name) for t in services.templates_for(organised_ids())]
    ids = organised_ids()
    stmt = sa.select(Organisation.id, Organisation.name).where(Organisation.kind == OrganisationKind.SCHOOL)
    if ids is not None:
        stmt = stmt.where(Organisation.id.in_(ids))
    schools = sorted(db.session.execute(stmt).all(), key=lambda row: name_sort_key(row.name))  # 拼音
    form.school_id.choices = [(0, _("All schools"))] + [(i, n) for i, n in schools]
    form.scope_id.choices = scope_choices(ids)
    return form


def scope_choices(organisation_ids) -> dict[str, list[tuple[int, str]]]:
    """The organiser's contests and events, grouped, for the issue form's picker (never a raw id)."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for scope, label in (("contest", _("Contests")), ("event", _("Events"))):
        seen: dict[int, str] = {}
        for source in sources_for(scope):
            if source.scopes is not None:
                seen.update((i, t) for i, t in source.scopes(organisation_ids) if i not in seen)
        if seen:
            groups[str(label)] = [(f"{scope}:{i}", t) for i, t in seen.items()]
    return groups


def picked_scope_id(form: IssueForm) -> int | None:
    """The contest/event id of the picker ("contest:12"; a bare id from older links and scripts), or None with
    an error on the field when it is not of the scope the chosen holders come from."""
    raw = str(form.scope_id.data or "")
    scope, _sep, number = raw.rpartition(":")
    source = SOURCES.get(form.source.data)
    if not number.isdigit() or (scope and source is not None and scope != source.scope):
        form.scope_id.errors = [_("Choose a contest for award winners and participants, an event for attendees.")]
        return None
    return int(number)


def _preflight(form: IssueForm, scope_id: int, template: CertificateTemplate, options: dict):
    """The plan of the batch without issuing it (nothing is kept: the transaction is rolled back either way)."""
    try:
        _source, batch = services.collect_batch(form.source.data, scope_id)
        require("certificate.issue", batch.organisation_id)
        return services.plan_issue(form.source.data, scope_id, template, **options)
    except DomainError as exc:
        form_error(form, exc)
        return None
    finally:
        db.session.rollback()


def _issue_batch(form: IssueForm, scope_id: int, template: CertificateTemplate, options: dict):
    """Issue the batch; returns (source, certificates issued, plan)."""
    source, batch = services.collect_batch(form.source.data, scope_id)
    require("certificate.issue", batch.organisation_id)
    issued, plan = services.issue_certificates(
        form.source.data,
        scope_id,
        template,
        user=current_user,
        public_full_name=form.public_full_name.data,
        accept_preflight=form.accept_preflight.data,
        **options,
    )
    return source, issued, plan


def _flash_issued(issued: list, plan) -> None:
    if issued:
        flash(
            _(
                "%(count)d certificates issued (%(first)s – %(last)s); %(already)d holders already had one.",
                count=len(issued),
                first=issued[0].number,
                last=issued[-1].number,
                already=plan.already,
            ),
            "success",
        )
    elif plan.already:
        flash(
            _(
                "Nothing new to issue: all %(already)d eligible holders already have a certificate.",
                already=plan.already,
            ),
            "info",
        )
    else:
        flash(_("No eligible holder matches this selection (school or category): nothing was issued."), "warning")


@bp.route("/issue", methods=["GET", "POST"])
def issue():
    require("certificate.design", None)
    form = _issue_form()
    if request.method == "GET":
        awards = [s.key for s in sources_for("contest") if s.kind == "award"]  # the usual batch: award winners
        form.source.data = request.args.get("source") or (awards or [c[0] for c in form.source.choices] or [None])[0]
        picked, source = request.args.get("scope_id", type=int), SOURCES.get(form.source.data)
        form.scope_id.data = f"{source.scope}:{picked}" if picked and source is not None else None
    plan = None
    if form.validate_on_submit() and (scope_id := picked_scope_id(form)) is not None:
        template = db.session.get(CertificateTemplate, form.template_id.data or 0)
        if template is None or template.archived or not can("certificate.template.edit", template):
            form.template_id.errors = [_("Choose one of your templates.")]
        else:
            options = dict(
                category_code=(form.category_code.data or "").strip() or None,
                school_id=form.school_id.data or None,
                issue_date=form.issue_date.data,
            )
            if form.preflight.data:
                plan = _preflight(form, scope_id, template, options)
            elif done := commit_or_show(lambda: _issue_batch(form, scope_id, template, options), form):
                source, issued, plan = done.value
                _flash_issued(issued, plan)
                return redirect(url_for("certificates.scope_list", scope=source.scope, scope_id=plan.scope_id))
    preflight = services.preflight_messages(plan.preflight) if plan else None
    return render_template(
        "certificates/issue.html", form=form, plan=plan, preflight=preflight, has_sources=bool(SOURCES)
    )


# ---- lists and rendering -------------------------------------------------------------------------------


@bp.route("/<scope>/<int:scope_id>")
def scope_list(scope: str, scope_id: int):
    """Certificates of one contest/event for its organisers (all statuses), in print order."""
    scope_or_404(scope)
    require("certificate.design", None)  # organisers; school coordinators use the school page
    status = request.args.get("status") or None
    category = request.args.get("category") or None
    stmt = services.certificates_stmt(
        scope=scope,
        scope_id=scope_id,
        category_code=category,
        organisation_ids=organised_ids(),
        statuses=[status] if status else None,
    )
    page = db.paginate(stmt, per_page=50, error_out=False)
    title = page.items[0].scope_title if page.items else ""
    missing = services.print_check(scope, scope_id, category_code=category, organisation_ids=organised_ids())
    return render_template(
        "certificates/list.html",
        page=page,
        scope=scope,
        scope_id=scope_id,
        title=title,
        status=status,
        category=category,
        render_form=RenderForm(),
        missing=missing,
        status_labels=services.STATUS_LABELS,
        kind_label=services.kind_label,
    )


@bp.route("/<scope>/<int:scope_id>/render", methods=["POST"])
def render(scope: str, scope_id: int):
    scope_or_404(scope)
    require("certificate.design", None)
    form = RenderForm()
    if not form.validate_on_submit():
        abort(400)
    req = services.RenderRequest(
        scope,
        scope_id,
        category_code=(form.category_code.data or "").strip() or None,
        fmt=form.fmt.data,
        organisation_ids=organised_ids(),
    )
    done = commit_or_show(lambda: services.start_render_job(req, user=current_user, title=_("Render certificates")))
    if done is None:
        return redirect(url_for("certificates.scope_list", scope=scope, scope_id=scope_id))
    return redirect(url_for("core.job_progress", job_id=done.value.id))


# ---- the school coordinator's page ---------------------------------------------------------------------


@bp.route("/school/<int:school_id>")
def school(school_id: int):
    """A school coordinator's view: their students' valid certificates, grouped by contest/event."""
    org = get_or_404(Organisation, school_id)
    require("certificate.school_download", school_id)
    summaries = services.scope_summaries(None, school_id=school_id)
    return render_template("certificates/school.html", school=org, summaries=summaries, form=RenderForm())


@bp.route("/school/<int:school_id>/<scope>/<int:scope_id>/render", methods=["POST"])
def school_render(school_id: int, scope: str, scope_id: int):
    scope_or_404(scope)
    require("certificate.school_download", school_id)
    form = RenderForm()
    if not form.validate_on_submit():
        abort(400)
    req = services.RenderRequest(
        scope,
        scope_id,
        school_id=school_id,
        fmt=form.fmt.data,
        category_code=(form.category_code.data or "").strip() or None,
    )
    done = commit_or_show(
        lambda: services.start_render_job(req, user=current_user, title=_("Certificates of my school"))
    )
    if done is None:
        return redirect(url_for("certificates.school", school_id=school_id))
    return redirect(url_for("core.job_progress", job_id=done.value.id))
