"""What schools see of their outcomes once results are final (school coordinators, organisers), and the
organiser's switch that releases a round's judges' comments to the schools."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.models import Organisation, OrganisationKind, descendant_ids
from competitions.models import Contest
from core.forms import commit_or_show
from core.permissions import get_or_404, require
from judging.models import AWARD_LABELS
from judging.services import outcomes as outcomes_service
from judging.views.common import _load_round, _manage, bp


@bp.route("/contests/<int:contest_id>/school/<int:school_id>/outcomes")
def school_outcomes(contest_id: int, school_id: int):
    """A school's results of one contest: awards, scores, ranks, released comments and certificates."""
    contest = get_or_404(Contest, contest_id)
    school = get_or_404(Organisation, school_id)
    if school.kind != OrganisationKind.SCHOOL.value:
        abort(404)
    require("contest.view", contest)
    require("school.view", school)
    if school.id not in descendant_ids({contest.organisation_id}):
        abort(404)
    outcome = outcomes_service.school_outcome(contest, school)
    return render_template(
        "judging/school_outcomes.html", contest=contest, school=school, outcome=outcome, award_labels=AWARD_LABELS
    )


@bp.route("/rounds/<int:round_id>/comments", methods=["POST"])
def release_comments(round_id: int):
    """Release (or withhold again) the round's judges' comments to the schools."""
    rnd = _load_round(round_id)
    _manage(rnd.contest)
    released = request.form.get("release") == "1"
    commit_or_show(
        lambda: outcomes_service.set_comments_released(rnd, released, actor=current_user),
        success=_(
            "Judges' comments of this round are released to the schools; they see them, anonymised, once the "
            "results are final."
        )
        if released
        else _("Judges' comments of this round are hidden from the schools."),
    )
    return redirect(url_for("judging.round_detail", round_id=rnd.id))
