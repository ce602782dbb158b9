"""/api/v1/certificates: public verification (404 unknown, 410 revoked) and organisers' certificate lists."""

from __future__ import annotations

from flask import abort, jsonify
from flask_babel import gettext as _
from marshmallow import Schema, fields

from certificates import services
from certificates.models import Certificate, CertificateStatus
from certificates.services.verification import verify_limit
from core.api import ApiBlueprint
from core.extensions import db, limiter
from core.permissions import get_or_404, is_admin, public, require

blp = ApiBlueprint(
    "certificates_api", __name__, url_prefix="/api/v1/certificates", description="Certificates: verification and lists"
)


class CertificateSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    kind = fields.String()
    status = fields.String()
    holder_name = fields.String()
    school_id = fields.Integer(allow_none=True)
    school_name = fields.String()
    award = fields.String()
    category = fields.String()
    category_code = fields.String()
    title = fields.String()
    scope = fields.String()
    scope_id = fields.Integer()
    scope_title = fields.String()
    issue_date = fields.Date()
    revoke_reason = fields.String(allow_none=True)
    superseded_by_id = fields.Integer(allow_none=True)


class ListArgsSchema(Schema):
    scope = fields.String(required=True)
    scope_id = fields.Integer(required=True)
    status = fields.String(load_default=None)
    school_id = fields.Integer(load_default=None)
    limit = fields.Integer(load_default=1000, validate=lambda n: 1 <= n <= 10000)


@blp.route("/verify/<token>")
@public
@limiter.limit(verify_limit)
def verify(token: str):
    """Verify a certificate by its QR token: 200 valid or superseded, 410 revoked, 404 unknown (not genuine)."""
    cert = services.certificate_by_token(token)
    if cert is None:
        return jsonify({"error": {"code": "not_found", "message": _("No such certificate: it is not genuine.")}}), 404
    body = {"certificate": services.verification_payload(cert)}
    if cert.status == CertificateStatus.REVOKED:
        body["error"] = {"code": "revoked", "message": _("This certificate has been revoked.")}
        return jsonify(body), 410
    return jsonify(body), 200


@blp.route("")
@blp.arguments(ListArgsSchema, location="query")
@blp.response(200, CertificateSchema(many=True))
def list_certificates(args):
    """Certificates of a contest or event in print order: organisers see their units', coordinators their school's."""
    from flask_login import current_user

    school_id = args.get("school_id")
    if school_id is not None:
        require("certificate.school_download", school_id)
        org_ids = None
    else:
        require("certificate.view_list")
        org_ids = None if is_admin(current_user) else sorted(current_user.organised_org_ids())
        if org_ids == []:
            abort(403)
    stmt = services.certificates_stmt(
        scope=args["scope"],
        scope_id=args["scope_id"],
        school_id=school_id,
        organisation_ids=org_ids,
        statuses=[args["status"]] if args.get("status") else None,
    )
    return db.session.execute(stmt.limit(args["limit"])).scalars().all()


@blp.route("/<int:cert_id>")
@blp.response(200, CertificateSchema)
def get_certificate(cert_id: int):
    """One certificate record (organisers of the issuing unit)."""
    cert = get_or_404(Certificate, cert_id)
    require("certificate.manage", cert)
    return cert
