"""The experts' side of a call's review, seen by its organisers: an application as judging will show it to
experts (kind "application" of judging.submissions) — the blind title and answers, how many places named an
applicant or the unit, and who stands aside (回避). Calls' rounds themselves are judging's (docs/decisions/0007)."""

from __future__ import annotations

from flask import Blueprint, render_template

from calls.models import CallApplication
from calls.submissions import KIND, applicant_names
from core.permissions import get_or_404, require
from judging.submissions import load_submission

bp = Blueprint("calls_review", __name__)


@bp.route("/applications/<int:application_id>/experts-view")
def experts_view(application_id: int):
    """What an expert reads of the application in a double-blind round, for its organisers to check."""
    application = get_or_404(CallApplication, application_id)
    require("calls.manage", application.call)
    submission = load_submission(KIND, application.id)
    return render_template(
        "calls/experts_view.html",
        application=application,
        call=application.call,
        submission=submission,
        authors=applicant_names(application),
    )
