"""/api/v1/reports: the annual report's figures as JSON (every number with the URL of the list it counts)."""

from __future__ import annotations

from dataclasses import asdict

from marshmallow import Schema, fields, validate

from accounts.models import Organisation
from core.api import ApiBlueprint
from core.permissions import get_or_404, require

blp = ApiBlueprint("reports_api", __name__, url_prefix="/api/v1/reports", description="Reports: the year in figures")


class AnnualArgs(Schema):
    org = fields.Integer(required=True)
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))


class FigureSchema(Schema):
    key = fields.String()
    label = fields.String()
    value = fields.Integer()
    link = fields.String(allow_none=True)


class RowSchema(Schema):
    label = fields.String()
    values = fields.List(fields.Raw())
    links = fields.List(fields.String(allow_none=True))


class TableSchema(Schema):
    key = fields.String()
    title = fields.String()
    label_header = fields.String()
    columns = fields.List(fields.String())
    rows = fields.List(fields.Nested(RowSchema))
    note = fields.String()


class SectionSchema(Schema):
    title = fields.String()
    figures = fields.List(fields.Nested(FigureSchema))
    tables = fields.List(fields.Nested(TableSchema))


class ReportSchema(Schema):
    title = fields.String()
    subtitle = fields.String()
    footer = fields.String()
    definitions = fields.List(fields.String())
    sections = fields.List(fields.Nested(SectionSchema))


@blp.route("/annual")
@blp.arguments(AnnualArgs, location="query")
@blp.response(200, ReportSchema)
def annual(args):
    """The annual report of an organisation (and its sub-organisations) for a year: organisers only."""
    from reports.services.annual import build_annual_report

    org = get_or_404(Organisation, args["org"])
    require("report.view", org)
    return asdict(build_annual_report(org, args["year"]))
