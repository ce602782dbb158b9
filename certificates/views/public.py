"""Public pages (no login, rate-limited): verification by QR token or by typed number and holder name, and the
holder's PDF through a signed link."""

from __future__ import annotations

from flask import abort, render_template, request

from certificates import services
from certificates.forms import LookupForm
from certificates.models import Certificate, CertificateStatus
from certificates.views.common import certificate_pdf, verify_bp, verify_limit
from core.extensions import limiter
from core.permissions import public


def _verify_page(cert: Certificate):
    return render_template(
        "certificates/verify.html",
        cert=cert,
        info=services.verification_payload(cert),
        kind_label=services.kind_label,
        status_labels=services.STATUS_LABELS,
    )


@verify_bp.route("/v/<token>")
@public
@limiter.limit(verify_limit)
def verify(token: str):
    cert = services.certificate_by_token(token)
    if cert is None:
        return render_template("certificates/verify_unknown.html", form=LookupForm(formdata=None)), 404
    return _verify_page(cert)


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
    return certificate_pdf(cert)


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
        return _verify_page(cert)
    return render_template("certificates/verify_lookup.html", form=form)
