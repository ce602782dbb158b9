"""The certificates blueprints and what their pages share: the organiser's scope, error pages, PDF downloads."""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template, send_file
from flask_login import current_user

from accounts.models import Organisation, OrganisationKind
from certificates import services
from certificates.models import Certificate
from core.errors import DomainError
from core.extensions import db
from core.permissions import is_admin

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


def scope_or_404(scope: str) -> None:
    """Certificates are listed per contest or per event; any other scope in a URL is a 404."""
    if scope not in ("contest", "event"):
        abort(404)


def unprocessable(exc: DomainError):
    """The error page for a document that cannot be made (a template that does not fit, a font removed)."""
    return render_template("errors/error.html", status=422, message=str(exc)), 422


def pdf_response(data: bytes, download_name: str, *, as_attachment: bool = False):
    return send_file(
        io.BytesIO(data), mimetype="application/pdf", as_attachment=as_attachment, download_name=download_name
    )


def certificate_pdf(cert: Certificate):
    """One certificate's PDF as a download named by its number and holder, or the 422 page when it cannot be
    rendered (e.g. an uploaded font of the template was removed)."""
    try:
        data = services.render_single_pdf(cert)
    except DomainError as exc:
        return unprocessable(exc)
    name = services.safe_filename(f"{cert.number}_{cert.holder_name}") + ".pdf"
    return pdf_response(data, name, as_attachment=True)
