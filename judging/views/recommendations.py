"""Recommendations to a parent association's contest: the county recommends, the city accepts or declines."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from competitions.models import Contest
from core.errors import DomainError
from core.forms import commit_or_show
from core.permissions import get_or_404, require
from judging.models import AWARD_LABELS, Recommendation
from judging.services import recommendations as service
from judging.services import sheets as sheets_service
from judging.views.common import _manage, bp


@bp.route("/contests/<int:contest_id>/recommend", methods=["GET", "POST"])
def recommend(contest_id: int):
    """The county organiser's page: the final results with award and score; tick entries, choose the parent's
    open contest, recommend."""
    contest = get_or_404(Contest, contest_id)
    _manage(contest)
    targets = service.parent_contests(contest)
    if request.method == "POST":
        target = next((c for c in targets if c.id == request.form.get("target_id", type=int)), None)
        ids = [int(v) for v in request.form.getlist("entry_ids") if v.isdigit()]

        def recommend_chosen() -> list:
            if target is None:
                raise DomainError(_("Entries are recommended to an open contest of a parent association."))
            return service.recommend_entries(
                contest, target, ids, note=request.form.get("note", ""), actor=current_user
            )

        done = commit_or_show(recommend_chosen)
        if done:
            created = done.value
            flash(
                _(
                    "%(n)d entries recommended to %(contest)s; its organiser accepts or declines them.",
                    n=len(created),
                    contest=target.name,
                ),
                "success",
            )
            skipped = len(set(ids)) - len(created)
            if skipped:
                flash(
                    _("%(n)d of the selected entries were already recommended there and were skipped.", n=skipped),
                    "warning",
                )
            return redirect(url_for("judging.recommend", contest_id=contest.id))
    rows = service.recommendable_results(contest)
    sent = service.recommendations_from(contest)
    return render_template(
        "judging/recommend.html",
        contest=contest,
        targets=targets,
        rows=rows,
        people=sheets_service.entry_people(rows),
        sent=sent,
        recommended={(r.entry_id, r.target_contest_id) for r in sent},
        award_labels=AWARD_LABELS,
    )


@bp.route("/contests/<int:contest_id>/recommendations")
def incoming_recommendations(contest_id: int):
    """The city organiser's page: entries recommended to this contest, with award and score, to accept or
    decline."""
    contest = get_or_404(Contest, contest_id)
    require("contest.manage", contest)
    rows = service.incoming_recommendations(contest)
    return render_template(
        "judging/recommendations.html",
        contest=contest,
        rows=rows,
        people=sheets_service.entry_people(rows),
        award_labels=AWARD_LABELS,
    )


@bp.route("/recommendations/<int:recommendation_id>/<decision>", methods=["POST"])
def decide_recommendation(recommendation_id: int, decision: str):
    if decision not in ("accept", "decline"):
        abort(404)
    rec = get_or_404(Recommendation, recommendation_id)
    require("contest.manage", rec.target_contest)

    def decide() -> str:
        """The service's decision, and the message that says it (read before the commit)."""
        if decision == "accept":
            copy = service.accept_recommendation(rec, request.form.get("category_id", type=int), actor=current_user)
            return _("%(code)s accepted: registered as %(new)s.", code=rec.entry.code, new=copy.code)
        service.decline_recommendation(rec, request.form.get("reason", ""), actor=current_user)
        return _("%(code)s declined.", code=rec.entry.code)

    done = commit_or_show(decide)
    if done:
        flash(done.value, "success")
    return redirect(url_for("judging.incoming_recommendations", contest_id=rec.target_contest_id))
