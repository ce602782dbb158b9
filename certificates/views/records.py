"""One certificate (organisers): its page, revoking and reissuing it, its PDF; and a holder's own list."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from certificates import services
from certificates.forms import ReissueForm, RevokeForm
from certificates.models import Certificate, CertificateStatus
from certificates.views.common import bp, certificate_pdf
from core.extensions import db
from core.forms import commit_or_show
from core.permissions import can, get_or_404, require


def _detail_page(cert: Certificate, revoke_form: RevokeForm, reissue_form: ReissueForm):
    return render_template(
        "certificates/detail.html",
        cert=cert,
        revoke_form=revoke_form,
        reissue_form=reissue_form,
        verify_url=services.verify_url(cert.token),
        status_labels=services.STATUS_LABELS,
        kind_label=services.kind_label,
    )


@bp.route("/c/<int:cert_id>", methods=["GET"])
def detail(cert_id: int):
    cert = get_or_404(Certificate, cert_id)
    require("certificate.manage", cert)
    return _detail_page(cert, RevokeForm(), ReissueForm(obj=cert))


@bp.route("/c/<int:cert_id>/revoke", methods=["POST"])
def revoke(cert_id: int):
    cert = get_or_404(Certificate, cert_id)
    require("certificate.manage", cert)
    form = RevokeForm()
    if form.validate_on_submit() and commit_or_show(
        lambda: services.revoke_certificate(cert, form.reason.data, user=current_user),
        form,
        _("Certificate %(number)s revoked.", number=cert.number),
    ):
        return redirect(url_for("certificates.detail", cert_id=cert.id))
    return _detail_page(cert, form, ReissueForm(obj=cert)), 422


@bp.route("/c/<int:cert_id>/reissue", methods=["POST"])
def reissue(cert_id: int):
    cert = get_or_404(Certificate, cert_id)
    require("certificate.manage", cert)
    form = ReissueForm()
    if form.validate_on_submit() and (
        done := commit_or_show(
            lambda: services.reissue_certificate(
                cert, {f: getattr(form, f).data for f in services.REISSUE_FIELDS}, user=current_user
            ),
            form,
        )
    ):
        new = done.value
        flash(_("Reissued as %(number)s; %(old)s is superseded.", number=new.number, old=cert.number), "success")
        return redirect(url_for("certificates.detail", cert_id=new.id))
    return _detail_page(cert, RevokeForm(), form), 422


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
    return certificate_pdf(cert)


@bp.route("/mine")
def mine():
    """The logged-in holder's own certificates (event attendees reach this from their ticket page)."""
    certs = db.session.execute(services.certificates_stmt(holder_user_id=current_user.id)).scalars().all()
    return render_template("certificates/mine.html", certs=certs, kind_label=services.kind_label)
