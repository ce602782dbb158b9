"""/api/v1/me and /api/v1/organisations."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields

from accounts import services
from core.api import ApiBlueprint

blp = ApiBlueprint("accounts_api", __name__, url_prefix="/api/v1", description="Accounts and organisations")


class MembershipSchema(Schema):
    role = fields.String()
    organisation_id = fields.Integer(allow_none=True)
    scope_id = fields.Integer(allow_none=True)


class MeSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    email = fields.String(allow_none=True)
    memberships = fields.List(fields.Nested(MembershipSchema))


class OrganisationSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    name = fields.String()
    code = fields.String(allow_none=True)
    parent_id = fields.Integer(allow_none=True)
    stage = fields.String(allow_none=True)
    district = fields.String(allow_none=True)


@blp.route("/me")
@blp.response(200, MeSchema)
def me():
    """The account behind the token or session, with its roles."""
    return current_user


@blp.route("/organisations")
@blp.response(200, OrganisationSchema(many=True))
def organisations():
    """Organisations you manage (all of them for an administrator)."""
    return services.organisations_visible_to(current_user)
