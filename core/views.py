"""Platform pages: the public home page, the dashboard, language switch, audit log, job progress."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.extensions import db
from core.models import AuditLog, Job
from core.permissions import get_or_404, is_admin, public, require
from core.security import is_safe_next
from core.ui import DASHBOARD, HOME

bp = Blueprint("core", __name__)


@bp.route("/")
@public
def home():
    sections = [(p.template, ctx) for p in HOME if (ctx := p.context()) is not None]
    return render_template("core/home.html", sections=sections)


@bp.route("/healthz")
@public
def healthz():
    """{"status": "ok"} when the database answers; 503 {"status": "unavailable"} when it does not."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return {"status": "unavailable"}, 503
    return {"status": "ok"}


@bp.route("/dashboard")
def dashboard():
    user = current_user._get_current_object()
    panels = [(p.template, ctx) for p in DASHBOARD if (ctx := p.context(user)) is not None]
    return render_template("core/dashboard.html", panels=panels)


@bp.route("/lang/<code>", methods=["POST"])
@public
def set_language(code: str):
    """Switch the UI language; an unknown code is refused and changes nothing."""
    if code not in current_app.config["LANGUAGES"]:
        return render_template(
            "errors/error.html",
            status=400,
            message=_("Unknown language: %(code)s. Choose 中文 or English.", code=code[:20]),
        ), 400
    session["lang"] = code
    if current_user.is_authenticated:
        current_user.locale = code
        db.session.commit()
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("core.home"))


@bp.route("/audit")
def audit_log():
    """Organisers browse the audit log of their organisations, filtered by object."""
    require("audit.browse")
    query = sa.select(AuditLog).order_by(AuditLog.id.desc())
    object_type = request.args.get("object_type", "").strip()
    object_id = request.args.get("object_id", "").strip()
    if object_type:
        query = query.where(AuditLog.object_type == object_type)
    if object_id:
        query = query.where(AuditLog.object_id == object_id)
    if not is_admin(current_user):
        query = query.where(AuditLog.organisation_id.in_(current_user.organised_org_ids()))
    page = db.paginate(query, per_page=50, error_out=False)
    types = (
        db.session.execute(sa.select(AuditLog.object_type).distinct().order_by(AuditLog.object_type)).scalars().all()
    )
    from core import audit

    return render_template(
        "core/audit.html",
        page=page,
        types=types,
        object_type=object_type,
        object_id=object_id,
        object_label=audit.object_label,
        action_label=audit.action_label,
        changes=audit.changes,
        names=audit.id_names(page.items),
    )


@bp.route("/jobs/<job_id>")
def job_progress(job_id: str):
    job = get_or_404(Job, job_id)
    require("job.view", job)
    return render_template("core/job.html", job=job)


@bp.route("/jobs/<job_id>/download")
def job_download(job_id: str):
    """The file a finished job produced (stored under instance/, path relative to it)."""
    job = get_or_404(Job, job_id)
    require("job.view", job)
    rel = (job.result or {}).get("file")
    if not rel:
        abort(404)
    base = Path(current_app.instance_path).resolve()
    path = (base / rel).resolve()
    if base not in path.parents or not path.is_file():
        abort(404)
    return send_file(path, as_attachment=True, download_name=(job.result or {}).get("filename") or path.name)
