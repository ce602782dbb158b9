"""/api/v1/calls: the calls a user may see, one call, its results (final ones for everyone, any time for its
organisers; adults named as in 公示, minors masked), and the current user's own applications. Every route is
guarded by calls.policies; nothing here changes data."""

from __future__ import annotations

import sqlalchemy as sa
from flask_login import current_user
from marshmallow import Schema, fields
from sqlalchemy.orm import selectinload

from calls import outcomes, services
from calls.models import Call, CallStatus
from core.api import ApiBlueprint, ApiErrorBodySchema
from core.extensions import db
from core.permissions import Role, can, get_or_404, is_admin, require

blp = ApiBlueprint("calls_api", __name__, url_prefix="/api/v1/calls", description="Calls (评选/申报) and results")


class CallSchema(Schema):
    id = fields.Integer()
    year = fields.Integer()
    title = fields.String()
    organisation = fields.String(attribute="organisation.name")
    subject = fields.String(metadata={"description": "person, paper, organisation, project or entry"})
    applicants = fields.String(metadata={"description": "units, individuals or nominations"})
    outcome = fields.String(metadata={"description": "levels, bands or top"})
    status = fields.String(metadata={"description": "draft, open, review or finished"})
    status_label = fields.Function(lambda call: str(call.status_label))
    closes_at = fields.AwareDateTime(allow_none=True)
    manage = fields.Function(lambda call: can("calls.manage", call))


class CallDetailSchema(CallSchema):
    description = fields.String()
    rule = fields.Function(lambda call: outcomes.describe(call.outcome, call.outcome_rule))
    form = fields.Function(
        lambda call: [
            {"key": d["key"], "label": d["label"], "kind": d["kind"], "required": bool(d.get("required"))}
            for d in call.form_fields
        ]
    )


class ResultRowSchema(Schema):
    code = fields.String()
    title = fields.String()
    applicant = fields.String()
    unit = fields.String()
    score = fields.Float(allow_none=True)
    rank = fields.Integer(allow_none=True)
    result = fields.String(allow_none=True)
    scores = fields.Integer(metadata={"description": "how many experts' scores count"})


class ResultsSchema(Schema):
    call_id = fields.Integer()
    final = fields.Boolean()
    rule = fields.String()
    summary = fields.List(fields.Tuple((fields.String(), fields.Integer())))
    rows = fields.List(fields.Nested(ResultRowSchema))


class MyApplicationSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    call_id = fields.Integer()
    call = fields.String(attribute="call.title")
    title = fields.String()
    applicant = fields.String(attribute="applicant_name")
    unit = fields.String(attribute="unit_name")
    status = fields.String()
    status_label = fields.Function(lambda a: str(a.status_label))
    review_reason = fields.String()


def visible_calls(user) -> list[Call]:
    """Calls user may see (calls.view): those of organisations they organise, those they are an expert of, open
    calls they may apply to, and every call whose results are final; newest first, in one query."""
    query = sa.select(Call).options(selectinload(Call.organisation)).order_by(Call.year.desc(), Call.id.desc())
    if not is_admin(user):
        query = query.where(
            sa.or_(
                Call.status.in_([CallStatus.FINISHED.value, CallStatus.OPEN.value]),
                Call.organisation_id.in_(sorted(user.organised_org_ids()) or [-1]),
                Call.id.in_(sorted(user.scope_ids(Role.EXPERT)) or [-1]),
            )
        )
    return [c for c in db.session.execute(query).scalars() if c.status != CallStatus.OPEN or can("calls.view", c)]


@blp.route("/")
@blp.response(200, CallSchema(many=True))
def list_calls():
    """The calls you may see: yours to manage, yours to review, open to you, and those with final results."""
    return visible_calls(current_user)


@blp.route("/<int:call_id>")
@blp.response(200, CallDetailSchema)
@blp.alt_response(403, schema=ApiErrorBodySchema)
@blp.alt_response(404, schema=ApiErrorBodySchema)
def get_call(call_id: int):
    """One call: its rule, its application form's fields."""
    call = get_or_404(Call, call_id)
    require("calls.view", call)
    return call


@blp.route("/<int:call_id>/results")
@blp.response(200, ResultsSchema)
@blp.alt_response(403, schema=ApiErrorBodySchema)
@blp.alt_response(404, schema=ApiErrorBodySchema)
def call_results(call_id: int):
    """Results of a call: final ones for everyone, as they stand for its organisers. Applicants are named as in
    公示; students (minors) are masked for everyone but the organisers."""
    call = get_or_404(Call, call_id)
    require("calls.view_results", call)
    manage = can("calls.manage", call)
    results = services.compute_results(call)
    return {
        "call_id": call.id,
        "final": call.status == CallStatus.FINISHED,
        "rule": results.rule,
        "summary": results.summary,
        "rows": [
            {
                "code": row.application.code,
                "title": row.application.title,
                "applicant": row.application.applicant_name
                if manage
                else call.published_name(row.application.applicant_name),
                "unit": row.application.unit_name,
                "score": row.score,
                "rank": row.rank,
                "result": row.result,
                "scores": row.score_count,
            }
            for row in results.rows
            if manage or row.result
        ],
    }


@blp.route("/applications/mine")
@blp.response(200, MyApplicationSchema(many=True))
def my_applications():
    """The applications you submitted, newest first, with their status and the organiser's reason."""
    return services.applications_by(current_user)
