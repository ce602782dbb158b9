"""The page of recommendation upward (推荐上报): a finished call's organiser picks results and recommends them to
an open call of the parent association that gave this association a quota. Routes on calls' blueprint."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from calls import recommendation, services
from calls.forms import RecommendForm
from calls.models import Call, CallStatus
from calls.views import bp
from core.forms import commit_or_show
from core.permissions import get_or_404, require


@bp.route("/<int:call_id>/recommend", methods=["GET", "POST"])
def recommend(call_id: int):
    call = get_or_404(Call, call_id)
    require("calls.manage", call)
    parents = recommendation.parent_calls(call) if call.status == CallStatus.FINISHED else []
    rows = [row for row in services.compute_results(call).rows if row.result]
    form = RecommendForm()
    form.parent_id.choices = [
        (p.call.id, f"{p.call.year} {p.call.title}（{p.call.organisation.name}）") for p in parents
    ]
    form.application_ids.choices = [(row.application.id, row.application.title) for row in rows]
    if parents and form.validate_on_submit():
        parent = next(p.call for p in parents if p.call.id == form.parent_id.data)
        done = commit_or_show(
            lambda: recommendation.recommend_results(
                call, parent, form.application_ids.data, current_user._get_current_object()
            ),
            form,
        )
        if done:
            made = done.value
            flash(
                ngettext(
                    "%(num)d result recommended to %(call)s.",
                    "%(num)d results recommended to %(call)s.",
                    len(made),
                    call=parent.title,
                ),
                "success",
            )
            return redirect(url_for("calls.recommend", call_id=call.id))
    return render_template(
        "calls/recommend.html",
        call=call,
        form=form,
        parents=parents,
        rows=rows,
        recommended=recommendation.recommended_to(call),
        not_final=call.status != CallStatus.FINISHED,
        title=_("Recommend upward"),
    )
