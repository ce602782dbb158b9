"""JSON API scaffolding under /api/v1: flask-smorest (OpenAPI 3 at /api/v1/openapi.json), bearer tokens,
and one error body {"error": {"code", "message"}} for every failure.

An area's api.py does:

    from core.api import ApiBlueprint
    blp = ApiBlueprint("events_api", __name__, url_prefix="/api/v1/events", description="...")

and its init_app calls `register_api(app, blp)`.
"""

from __future__ import annotations

from flask import Flask, request
from flask_smorest import Api
from flask_smorest import Blueprint as ApiBlueprint
from flask_smorest import abort as api_abort
from marshmallow import Schema, ValidationError, fields
from werkzeug.exceptions import HTTPException

from core.errors import DomainError
from core.extensions import db
from core.permissions import get_or_404, mark_public_endpoint, require
from core.security import api_error, handle_http_error


class ApiErrorSchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Raw()


class ApiErrorBodySchema(Schema):
    error = fields.Nested(ApiErrorSchema, required=True)


class KechuangApi(Api):
    """flask-smorest's Api, documenting the error body our handlers really send (core.security.error_body):
    every operation's default response and every status response is ApiErrorBody, not smorest's own
    {code, status, message, errors}, which this API never returns."""

    ERROR_SCHEMA = ApiErrorBodySchema


class JobSchema(Schema):
    id = fields.String()
    kind = fields.String()
    title = fields.String()
    status = fields.String()
    done = fields.Integer()
    total = fields.Integer()
    percent = fields.Integer()
    message = fields.String()
    error = fields.String(allow_none=True)
    result = fields.Raw(allow_none=True)
    download_url = fields.Method("get_download_url", allow_none=True)

    def get_download_url(self, job):
        from flask import url_for

        if job.result and job.result.get("file"):
            return url_for("core.job_download", job_id=job.id)
        return None


def json_body_doc(schema: type[Schema]) -> dict:
    """OpenAPI requestBody for a view that loads its JSON body with `json_args` (pass to blp.doc)."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def json_args(schema: Schema) -> dict:
    """The request's JSON body loaded by `schema` (an instance, built once), or 422 like @blp.arguments.

    For hot endpoints: @blp.arguments goes through webargs' location machinery on every call, which costs as
    much as the schema itself; this is json.loads and Schema.load, with the same error answer."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        api_abort(422, messages={"json": {"_schema": ["Invalid input type."]}})
    try:
        return schema.load(payload)
    except ValidationError as error:
        api_abort(422, messages={"json": error.messages})


jobs_blp = ApiBlueprint("jobs_api", __name__, url_prefix="/api/v1/jobs", description="Background job progress")


@jobs_blp.route("/<job_id>")
@jobs_blp.response(200, JobSchema)
@jobs_blp.alt_response(404, schema=ApiErrorBodySchema)
def get_job(job_id: str):
    """Progress of one of your background jobs (done/total/message, error, result)."""
    from core.models import Job

    job = get_or_404(Job, job_id)
    require("job.view", job)
    return job


def handle_domain_error(exc: DomainError):
    """A rule a service refused, for every area's API: nothing of the request is kept, and the one error body
    {"error": {"code", "message", "details": {"field"}}} with the error's status (400 or 409). Pages handle
    their DomainErrors themselves (core.forms): one that escapes a page stays a server error."""
    if not request.path.startswith("/api/"):
        raise exc
    db.session.rollback()
    return api_error(exc.status, str(exc), code=exc.code, details={"field": exc.field} if exc.field else None)


def register_api(app: Flask, blueprint) -> None:
    app.extensions["kechuang_api"].register_blueprint(blueprint)


def init_api(app: Flask) -> None:
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearerAuth": []}],
            "info": {
                "description": "Kechuang (科创) JSON API. Authenticate with a personal API token from your profile."
            },
        },
    )
    api = KechuangApi(app)  # one per app: tests create several apps
    app.extensions["kechuang_api"] = api
    api.register_blueprint(jobs_blp)
    app.register_error_handler(DomainError, handle_domain_error)  # a DomainError an API view lets through
    for endpoint in app.view_functions:
        if endpoint.startswith("api-docs."):
            mark_public_endpoint(endpoint)
    # flask-smorest installs its own HTTPException handler; ours gives the project's single error body.
    app.register_error_handler(HTTPException, handle_http_error)
