"""/api/v1/judging: a judge's assignments and scores (mobile clients), round results for organisers."""

from __future__ import annotations

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema, fields

from competitions.models import Entry
from core.api import ApiBlueprint
from core.extensions import db
from core.permissions import get_or_404, require
from core.security import api_error
from judging.models import Round
from judging.services import assignment, judges, scoring
from judging.services import results as results_service

blp = ApiBlueprint("judging_api", __name__, url_prefix="/api/v1/judging", description="Judging: scores and results")


class AssignmentSchema(Schema):
    entry_id = fields.Integer(attribute="entry.id")
    code = fields.String(attribute="entry.code", allow_none=True)
    title = fields.String(attribute="entry.title")
    category = fields.String(attribute="entry.category.name")
    submitted = fields.Method("get_submitted")
    total = fields.Method("get_total", allow_none=True)

    def get_submitted(self, a):
        return bool(a.score and a.score.submitted)

    def get_total(self, a):
        return None if not a.score or a.score.total is None else str(a.score.total)


class ScoreInSchema(Schema):
    values = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": 'criterion id -> score, e.g. {"12": "8.5"}'},
    )
    comment = fields.String(load_default="")
    submit = fields.Boolean(load_default=False)


class ScoreOutSchema(Schema):
    entry_id = fields.Integer()
    values = fields.Dict(keys=fields.String(), values=fields.String())
    total = fields.String(allow_none=True)
    comment = fields.String()
    submitted = fields.Boolean()
    version = fields.Integer()


class ResultSchema(Schema):
    entry_id = fields.Integer()
    code = fields.String(attribute="entry.code", allow_none=True)
    title = fields.String(attribute="entry.title")
    category_id = fields.Integer()
    score = fields.String(allow_none=True)
    rank = fields.Integer(allow_none=True)
    award = fields.String(allow_none=True)
    advanced = fields.Boolean()
    explanation = fields.Raw()


def _judge(rnd: Round):
    require("judging.judge", rnd.contest)
    judge = judges.find_judge(rnd.contest, current_user)
    if judge is None or judge.withdrawn_at is not None:
        abort(403)
    return judge


@blp.route("/rounds/<int:round_id>/assignments")
@blp.response(200, AssignmentSchema(many=True))
def my_assignments(round_id: int):
    """Your assigned entries in the round, with whether you submitted a score."""
    rnd = get_or_404(Round, round_id)
    judge = _judge(rnd)
    items = assignment.judge_worklist(rnd, judge)
    db.session.commit()
    return items


@blp.route("/rounds/<int:round_id>/entries/<int:entry_id>/score", methods=["PUT"])
@blp.arguments(ScoreInSchema)
@blp.response(200, ScoreOutSchema)
def put_score(payload, round_id: int, entry_id: int):
    """Save your score for an assigned entry (draft, or submit=true). Above maximum, off step, round closed or
    not assigned: an error and nothing changes. The last write wins; every change is audited."""
    rnd = get_or_404(Round, round_id)
    entry = get_or_404(Entry, entry_id)
    _judge(rnd)
    a = assignment.load_assignment_for_judge(rnd, entry, current_user)
    if a is None:
        return api_error(403, _("You are not assigned to this entry."), code="not_assigned")
    score = scoring.save_score(
        a, payload["values"], comment=payload["comment"], submit=payload["submit"], actor=current_user
    )  # a DomainError answers 400/409 (core.api)
    db.session.commit()
    return {
        "entry_id": entry.id,
        "values": score.values,
        "total": None if score.total is None else str(score.total),
        "comment": score.comment,
        "submitted": score.submitted,
        "version": score.version,
    }


@blp.route("/rounds/<int:round_id>/results")
@blp.response(200, ResultSchema(many=True))
def round_results(round_id: int):
    """Computed results of a round (organisers): score, rank, award, advancement and explanation."""
    rnd = get_or_404(Round, round_id)
    require("judging.manage", rnd.contest)
    rows = results_service.results_of(rnd, request.args.get("category", type=int))
    return [
        {
            "entry_id": r.entry_id,
            "entry": r.entry,
            "category_id": r.category_id,
            "score": None if r.score is None else str(r.score),
            "rank": r.rank,
            "award": r.award,
            "advanced": r.advanced,
            "explanation": r.explanation,
        }
        for r in rows
    ]
