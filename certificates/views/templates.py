"""The designer's pages (organisers): fonts, certificate templates, their PDF previews and the live preview/check."""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from certificates import services
from certificates.forms import FontUploadForm, TemplateForm
from certificates.layout import PageSpec, TemplateItem, TemplateSpec
from certificates.models import CertificateFont, CertificateTemplate
from certificates.numbering import DEFAULT_PATTERN
from certificates.views.common import bp, organiser_units, pdf_response, unprocessable
from core.errors import DomainError
from core.extensions import db
from core.forms import commit_or_show
from core.permissions import get_or_404, require


def font_choices() -> list[tuple[str, str]]:
    faces = services.available_faces()
    return [(key, f"{face.family} [{key}]") for key, face in faces.items()]


# ---- fonts ---------------------------------------------------------------------------------------------


@bp.route("/fonts", methods=["GET", "POST"])
def fonts():
    require("certificate.design", None)
    form = FontUploadForm()
    if form.validate_on_submit():
        upload = form.font.data
        data = upload.read() if upload else b""
        units = organiser_units()
        done = commit_or_show(
            lambda: services.upload_font(
                getattr(upload, "filename", "") or "",
                data,
                organisation_id=units[0].id if units else None,
                user=current_user,
            ),
            form,
        )
        if done:
            row = done.value
            flash(_("Font %(name)s uploaded.", name=row.family or row.original_name), "success")
            return redirect(url_for("certificates.fonts"))
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


def _save_template(form: TemplateForm, current_background: str | None, save) -> CertificateTemplate | None:
    """Store the form's uploads, build the spec and `save(spec)` (create or update); commit and flash the
    layout warnings, or show the refusal on the form and remove the images stored for it. None when refused."""
    stored: list[str] = []

    def call():
        background, extra = _store_uploads(form, current_background, stored)
        spec = form.to_spec(background, extra).to_dict()
        return save(spec), spec

    done = commit_or_show(call, form, _("Template saved."))
    if done is None:
        services.discard_images(stored)
        return None
    template, spec = done.value
    for warning in services.layout_check(spec)["warnings"]:
        flash(warning, "warning")
    return template


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
        template = _save_template(
            form,
            None,
            lambda spec: services.create_template(
                unit_id,
                form.name.data,
                kind=form.kind.data or None,
                spec=spec,
                number_pattern=form.number_pattern.data,
                user=current_user,
            ),
        )
        if template is not None:
            return redirect(url_for("certificates.template_edit", template_id=template.id))
    return render_template("certificates/template_edit.html", form=form, template=None, units=units, unit_id=unit_id)


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
def template_edit(template_id: int):
    template = get_or_404(CertificateTemplate, template_id)
    require("certificate.template.edit", template)
    form = _template_form(template)
    if form.validate_on_submit():

        def update(spec: dict) -> CertificateTemplate:
            services.update_template(
                template,
                name=form.name.data,
                kind=form.kind.data or None,
                spec=spec,
                number_pattern=form.number_pattern.data,
            )
            return template

        if _save_template(form, template.spec.get("background"), update) is not None:
            return redirect(url_for("certificates.template_edit", template_id=template.id))
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
        return unprocessable(exc)
    return pdf_response(pdf, f"preview-{template.id}.pdf")


@bp.route("/templates/<int:template_id>/calibration.pdf")
def template_calibration(template_id: int):
    """Test sheet for pre-printed paper: print it on a blank pre-printed sheet and adjust the offset."""
    template = get_or_404(CertificateTemplate, template_id)
    require("certificate.template.edit", template)
    try:
        pdf = services.calibration_pdf(template.spec)
    except DomainError as exc:
        return unprocessable(exc)
    return pdf_response(pdf, f"calibration-{template.id}.pdf")


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
        return unprocessable(exc)
    return pdf_response(pdf, "preview.pdf")
