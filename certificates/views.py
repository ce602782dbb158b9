"""Certificate pages: templates and fonts, issuing, lists, revoke/reissue, downloads, public verification."""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from accounts.models import Organisation, OrganisationKind
from certificates import services
from certificates.forms import FontUploadForm, IssueForm, LookupForm, ReissueForm, RenderForm, RevokeForm, TemplateForm
from certificates.layout import PageSpec, TemplateItem, TemplateSpec
from certificates.models import Certificate, CertificateFont, CertificateStatus, CertificateTemplate
from certificates.numbering import DEFAULT_PATTERN
from certificates.sources import SOURCES, sources_for
from core.errors import DomainError
from core.extensions import db, limiter
from core.forms import form_error
from core.names import name_sort_key
from core.permissions import can, get_or_404, is_admin, public, require

bp = Blueprint("certificates", __name__)
verify_bp = Blueprint("certificates_verify", __name__)


def verify_limit() -> str:
    return current_app.config["RATELIMIT_VERIFY"]


def organised_ids() -> list[int] | None:
    """Organisation ids the user organises; None for admins (everything)."""
    return None if is_admin(current_user) else sorted(current_user.organised_org_ids())


def organiser_units() -> list[Organisation]:
    """Associations the user may design templates for."""
    stmt = sa.select(Organisation).where(Organisation.kind == OrganisationKind.ASSOCIATION).order_by(Organisation.name)
    ids = organised_ids()
    if ids is not None:
        stmt = stmt.where(Organisation.id.in_(ids))
    return list(db.session.execute(stmt).scalars())


def font_choices() -> list[tuple[str, str]]:
    faces = services.available_faces()
    return [(key, f"{face.family} [{key}]") for key, face in faces.items()]


# ---- overview ------------------------------------------------------------------------------------------


@bp.route("/")
def index():
    require("certificate.view_list")
    ids = organised_ids()
    templates = services.templates_for(ids) if can("certificate.design") else []
    summaries = services.scope_summaries(ids) if ids is None or ids else []
    school_ids = sorted(current_user.scope_ids(_coordinator_role()))
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


def _coordinator_role():
    from core.permissions import Role

    return Role.COORDINATOR


# ---- fonts ---------------------------------------------------------------------------------------------


@bp.route("/fonts", methods=["GET", "POST"])
def fonts():
    require("certificate.design", None)
    form = FontUploadForm()
    if form.validate_on_submit():
        upload = form.font.data
        data = upload.read() if upload else b""
        units = organiser_units()
        try:
            row = services.upload_font(
                getattr(upload, "filename", "") or "",
                data,
                organisation_id=units[0].id if units else None,
                user=current_user,
            )
            db.session.commit()
            flash(_("Font %(name)s uploaded.", name=row.family or row.original_name), "success")
            return redirect(url_for("certificates.fonts"))
        except DomainError as exc:
            db.session.rollback()
            form_error(form, exc)
    uploads = db.session.execute(sa.select(CertificateFont).order_by(CertificateFont.id.desc())).scalars().all()
    return render_template("certificates/fonts.html", form=form, fonts=services.font_overview(), uploads=uploads)


# ---- templates -----------------------------------------------------------------------------------------


def _store_uploads(
    form: TemplateForm, current_background: str | None, stored: list[str]
) -> tuple[str | None, list[TemplateItem]]:
    """Store a new background / seal image from the form; returns (background name, extra image items).

    The names of the files written are appended to `stored`, so that the caller can remove them again
    when the template is not saved (nothing half-written)."""
    background = None if form.remove_background.data else current_background
    upload = form.background.data
    if upload and getattr(upload, "filename", ""):
        try:
            background = services.store_image(upload.filename, upload.read())
        except DomainError as exc:
            raise DomainError(exc.message, field="background", code=f"background_{exc.code}") from exc
        stored.append(background)
    extra = []
    image = form.new_image.data
    if image and getattr(image, "filename", ""):
        try:
            name = services.store_image(image.filename, image.read())
        except DomainError as exc:
            raise DomainError(exc.message, field="new_image", code=exc.code) from exc
        stored.append(name)
        extra.append(TemplateItem("image", *_seal_position(form), 40, 40, image=name))
    return background, extra


def _seal_position(form: TemplateForm) -> tuple[float, float]:
    """Where a newly added image lands: near the bottom-right corner, where seals go; the organiser moves it."""
    try:
        width, height = PageSpec(
            form.page_size.data, form.orientation.data, form.width_mm.data, form.height_mm.data
        ).dimensions_mm()
    except (KeyError, TypeError, ValueError):
        width, height = 297.0, 210.0
    return max(0.0, width - 70.0), max(0.0, height - 70.0)


def _template_form(template: CertificateTemplate | None, organisation_id: int | None = None) -> TemplateForm:
    """The designer's form: the template's design, or for a new one the default design in the brand of the
    organisation it is made for."""
    form = TemplateForm(obj=template) if template else TemplateForm()
    if request.method == "GET":
        spec = TemplateSpec.from_dict(
            template.spec if template else services.default_spec(brand=services.template_brand(organisation_id))
        )
        form.load_spec(spec)
    form.set_font_choices(font_choices())
    return form


@bp.route("/templates/new", methods=["GET", "POST"])
def template_new():
    require("certificate.design", None)
    units = organiser_units()
    if not units:
        abort(403)
    unit_id = request.values.get("organisation_id", type=int) or units[0].id
    if unit_id not in {u.id for u in units}:
        abort(403)
    form = _template_form(None, unit_id)
    if form.validate_on_submit():
        stored: list[str] = []
        try:
            background, extra = _store_uploads(form, None, stored)
            spec = form.to_spec(background, extra).to_dict()
            template = services.create_template(
                unit_id,
                form.name.data,
                kind=form.kind.data or None,
                spec=spec,
                number_pattern=form.number_pattern.data,
                user=current_user,
            )
            db.session.commit()
            flash(_("Template saved."), "success")
            for warning in services.layout_check(spec)["warnings"]:
                flash(warning, "warning")
            return redirect(url_for("certificates.template_edit", template_id=template.id))
        except DomainError as exc:
            db.session.rollback()
            services.discard_images(stored)
            form_error(form, exc)
    return render_template("certificates/template_edit.html", form=form, template=None, units=units, unit_id=unit_id)


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
def template_edit(template_id: int):
    template = get_or_404(CertificateTemplate, template_id)
    require("certificate.template.edit", template)
    form = _template_form(template)
    if form.validate_on_submit():
        stored: list[str] = []
        try:
            background, extra = _store_uploads(form, template.spec.get("background"), stored)
            spec = form.to_spec(background, extra).to_dict()
            services.update_template(
                template,
                name=form.name.data,
                kind=form.kind.data or None,
                spec=spec,
                number_pattern=form.number_pattern.data,
            )
            db.session.commit()
            flash(_("Template saved."), "success")
            for warning in services.layout_check(spec)["warnings"]:
                flash(warning, "warning")
            return redirect(url_for("certificates.template_edit", template_id=template.id))
        except DomainError as exc:
            db.session.rollback()
            services.discard_images(stored)
            form_error(form, exc)
    return render_template(
        "certificates/template_edit.html", form=form, template=template, units=None, unit_id=template.organisation_id
    )


@bp.route("/templates/<int:template_id>/duplicate", methods=["POST"])
def template_duplicate(template_id: int):
    template = get_or_404(CertificateTemplate, template_id)
    require("certificate.template.edit", template)
    copy = services.duplicate_template(template, user=current_user)
    db.session.commit()
    flash(_("Template duplicated."), "success")
    return redirect(url_for("certificates.template_edit", template_id=copy.id))


@bp.route("/templates/<int:template_id>/archive", methods=["POST"])
def template_archive(template_id: int):
    """Hide a template from the lists; certificates issued with it still render with it."""
    template = get_or_404(CertificateTemplate, template_id)
    require("certificate.template.edit", template)
    services.archive_template(template)
    db.session.commit()
    flash(_("Template archived."), "success")
    return redirect(url_for("certificates.index"))


@bp.route("/templates/<int:template_id>/preview.pdf")
def template_preview(template_id: int):
    template = get_or_404(CertificateTemplate, template_id)
    require("certificate.template.edit", template)
    try:
        pdf = services.preview_pdf(template.spec, template.number_pattern)
    except DomainError as exc:
        return render_template("errors/error.html", status=422, message=str(exc)), 422
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", download_name=f"preview-{template.id}.pdf")


@bp.route("/templates/<int:template_id>/calibration.pdf")
def template_calibration(template_id: int):
    """Test sheet for pre-printed paper: print it on a blank pre-printed sheet and adjust the offset."""
    template = get_or_404(CertificateTemplate, template_id)
    require("certificate.template.edit", template)
    try:
        pdf = services.calibration_pdf(template.spec)
    except DomainError as exc:
        return render_template("errors/error.html", status=422, message=str(exc)), 422
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", download_name=f"calibration-{template.id}.pdf")


def _live_spec() -> tuple[dict, str]:
    """The designer form as posted (unsaved) turned into a spec; the saved background is kept."""
    template_id = request.form.get("template_id", type=int)
    background = None
    if template_id:
        template = get_or_404(CertificateTemplate, template_id)
        require("certificate.template.edit", template)
        background = template.spec.get("background")
    form = TemplateForm()
    form.set_font_choices(font_choices())
    if form.remove_background.data:
        background = None
    return form.to_spec(background).to_dict(), form.number_pattern.data or DEFAULT_PATTERN


@bp.route("/templates/live-preview.png", methods=["POST"])
def template_live_preview():
    """The designer's live image: the form as it is now (unsaved), rasterised. Errors come back as text."""
    require("certificate.design", None)
    spec, pattern = _live_spec()
    try:
        png = services.preview_png(spec, pattern)
    except DomainError as exc:
        return current_app.response_class(str(exc), status=422, mimetype="text/plain")
    return send_file(io.BytesIO(png), mimetype="image/png")


@bp.route("/templates/live-check", methods=["POST"])
def template_live_check():
    """The designer's overlay: the page size, each item's box (mm) and the layout warnings (overlaps, items
    off the page) of the form as it is now, as JSON. The rules live in certificates.layout."""
    require("certificate.design", None)
    spec_data, _pattern = _live_spec()
    return services.layout_check(spec_data)


@bp.route("/templates/live-preview.pdf", methods=["POST"])
def template_live_preview_pdf():
    """The unsaved design as a PDF with sample data (the designer's "PDF preview" button opens it in a new tab)."""
    require("certificate.design", None)
    spec, pattern = _live_spec()
    try:
        pdf = services.preview_pdf(spec, pattern)
    except DomainError as exc:
        return render_template("errors/error.html", status=422, message=str(exc)), 422
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", download_name="preview.pdf")


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
            kwargs = dict(
                category_code=(form.category_code.data or "").strip() or None,
                school_id=form.school_id.data or None,
                issue_date=form.issue_date.data,
            )
            try:
                source, batch = services.collect_batch(form.source.data, scope_id)
                require("certificate.issue", batch.organisation_id)
                if form.preflight.data:
                    plan = services.plan_issue(form.source.data, scope_id, template, **kwargs)
                    db.session.rollback()
                else:
                    issued, plan = services.issue_certificates(
                        form.source.data,
                        scope_id,
                        template,
                        user=current_user,
                        public_full_name=form.public_full_name.data,
                        accept_preflight=form.accept_preflight.data,
                        **kwargs,
                    )
                    db.session.commit()
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
                        flash(
                            _("No eligible holder matches this selection (school or category): nothing was issued."),
                            "warning",
                        )
                    return redirect(url_for("certificates.scope_list", scope=source.scope, scope_id=plan.scope_id))
            except DomainError as exc:
                db.session.rollback()
                form_error(form, exc)
    preflight = services.preflight_messages(plan.preflight) if plan else None
    return render_template(
        "certificates/issue.html", form=form, plan=plan, preflight=preflight, has_sources=bool(SOURCES)
    )


# ---- lists, records, downloads -------------------------------------------------------------------------


def _scope_org_check(scope: str, scope_id: int) -> None:
    if scope not in ("contest", "event"):
        abort(404)


@bp.route("/<scope>/<int:scope_id>")
def scope_list(scope: str, scope_id: int):
    """Certificates of one contest/event for its organisers (all statuses), in print order."""
    _scope_org_check(scope, scope_id)
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
    _scope_org_check(scope, scope_id)
    require("certificate.design", None)
    form = RenderForm()
    if not form.validate_on_submit():
        abort(400)
    ids = organised_ids()
    req = services.RenderRequest(
        scope,
        scope_id,
        category_code=(form.category_code.data or "").strip() or None,
        fmt=form.fmt.data,
        organisation_ids=ids,
    )
    try:
        job = services.start_render_job(req, user=current_user, title=_("Render certificates"))
    except DomainError as exc:
        flash(str(exc), "danger")
        return redirect(url_for("certificates.scope_list", scope=scope, scope_id=scope_id))
    db.session.commit()
    return redirect(url_for("core.job_progress", job_id=job.id))


@bp.route("/school/<int:school_id>")
def school(school_id: int):
    """A school coordinator's view: their students' valid certificates, grouped by contest/event."""
    org = get_or_404(Organisation, school_id)
    require("certificate.school_download", school_id)
    summaries = services.scope_summaries(None, school_id=school_id)
    return render_template("certificates/school.html", school=org, summaries=summaries, form=RenderForm())


@bp.route("/school/<int:school_id>/<scope>/<int:scope_id>/render", methods=["POST"])
def school_render(school_id: int, scope: str, scope_id: int):
    _scope_org_check(scope, scope_id)
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
    try:
        job = services.start_render_job(req, user=current_user, title=_("Certificates of my school"))
    except DomainError as exc:
        flash(str(exc), "danger")
        return redirect(url_for("certificates.school", school_id=school_id))
    db.session.commit()
    return redirect(url_for("core.job_progress", job_id=job.id))


@bp.route("/c/<int:cert_id>", methods=["GET"])
def detail(cert_id: int):
    cert = get_or_404(Certificate, cert_id)
    require("certificate.manage", cert)
    return render_template(
        "certificates/detail.html",
        cert=cert,
        revoke_form=RevokeForm(),
        reissue_form=ReissueForm(obj=cert),
        verify_url=services.verify_url(cert.token),
        status_labels=services.STATUS_LABELS,
        kind_label=services.kind_label,
    )


@bp.route("/c/<int:cert_id>/revoke", methods=["POST"])
def revoke(cert_id: int):
    cert = get_or_404(Certificate, cert_id)
    require("certificate.manage", cert)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            services.revoke_certificate(cert, form.reason.data, user=current_user)
            db.session.commit()
            flash(_("Certificate %(number)s revoked.", number=cert.number), "success")
            return redirect(url_for("certificates.detail", cert_id=cert.id))
        except DomainError as exc:
            db.session.rollback()
            form_error(form, exc)
    return render_template(
        "certificates/detail.html",
        cert=cert,
        revoke_form=form,
        reissue_form=ReissueForm(obj=cert),
        verify_url=services.verify_url(cert.token),
        status_labels=services.STATUS_LABELS,
        kind_label=services.kind_label,
    ), 422


@bp.route("/c/<int:cert_id>/reissue", methods=["POST"])
def reissue(cert_id: int):
    cert = get_or_404(Certificate, cert_id)
    require("certificate.manage", cert)
    form = ReissueForm()
    if form.validate_on_submit():
        try:
            new = services.reissue_certificate(
                cert, {f: getattr(form, f).data for f in services.REISSUE_FIELDS}, user=current_user
            )
            db.session.commit()
            flash(_("Reissued as %(number)s; %(old)s is superseded.", number=new.number, old=cert.number), "success")
            return redirect(url_for("certificates.detail", cert_id=new.id))
        except DomainError as exc:
            db.session.rollback()
            form_error(form, exc)
    return render_template(
        "certificates/detail.html",
        cert=cert,
        revoke_form=RevokeForm(),
        reissue_form=form,
        verify_url=services.verify_url(cert.token),
        status_labels=services.STATUS_LABELS,
        kind_label=services.kind_label,
    ), 422


@bp.route("/c/<int:cert_id>.pdf")
def pdf(cert_id: int):
    """One certificate's PDF: organisers, the holder's school coordinator, or the holder."""
    cert = db.session.execute(
        sa.select(Certificate).options(selectinload(Certificate.template)).where(Certificate.id == cert_id)
    ).scalar_one_or_none()
    if cert is None:
        abort(404)
    require("certificate.download", cert)
    if cert.status != CertificateStatus.VALID and not can("certificate.manage", cert):
        abort(410)
    try:
        data = services.render_single_pdf(cert)
    except DomainError as exc:  # e.g. an uploaded font of the template was removed
        return render_template("errors/error.html", status=422, message=str(exc)), 422
    return send_file(
        io.BytesIO(data),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=services.safe_filename(f"{cert.number}_{cert.holder_name}") + ".pdf",
    )


@bp.route("/mine")
def mine():
    """The logged-in holder's own certificates (event attendees reach this from their ticket page)."""
    certs = db.session.execute(services.certificates_stmt(holder_user_id=current_user.id)).scalars().all()
    return render_template("certificates/mine.html", certs=certs, kind_label=services.kind_label)


# ---- public verification -------------------------------------------------------------------------------


@verify_bp.route("/v/<token>")
@public
@limiter.limit(verify_limit)
def verify(token: str):
    cert = services.certificate_by_token(token)
    if cert is None:
        return render_template("certificates/verify_unknown.html", form=LookupForm(formdata=None)), 404
    return render_template(
        "certificates/verify.html",
        cert=cert,
        info=services.verification_payload(cert),
        kind_label=services.kind_label,
        status_labels=services.STATUS_LABELS,
    )


@verify_bp.route("/v/<token>/<signature>.pdf")
@public
@limiter.limit(verify_limit)
def holder_download(token: str, signature: str):
    """The holder's PDF through a signed link (shown on their event ticket page); no login needed."""
    cert = services.certificate_by_token(token)
    if cert is None or not services.check_download_signature(cert, signature):
        abort(404)
    if cert.status != CertificateStatus.VALID:
        abort(410)
    try:
        data = services.render_single_pdf(cert)
    except DomainError as exc:
        return render_template("errors/error.html", status=422, message=str(exc)), 422
    return send_file(
        io.BytesIO(data),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=services.safe_filename(f"{cert.number}_{cert.holder_name}") + ".pdf",
    )


@verify_bp.route("/v/")
@public
@limiter.limit(verify_limit)
def lookup():
    """Verification by typed number + holder name."""
    form = LookupForm(request.args)
    if request.args and not form.validate():
        return render_template("certificates/verify_lookup.html", form=form), 400
    if request.args:
        cert = services.certificate_by_number_and_name(form.number.data, form.name.data)
        if cert is None:
            return render_template("certificates/verify_unknown.html", form=form), 404
        return render_template(
            "certificates/verify.html",
            cert=cert,
            info=services.verification_payload(cert),
            kind_label=services.kind_label,
            status_labels=services.STATUS_LABELS,
        )
    return render_template("certificates/verify_lookup.html", form=form)
