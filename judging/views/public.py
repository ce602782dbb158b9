"""The public notice (公示) page with its objection form (no login)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from competitions.models import Contest
from core.extensions import limiter
from core.forms import commit_or_show
from core.permissions import get_or_404, public
from judging import forms
from judging.models import (
    AWARD_LABELS,
    SPECIAL_AWARD_LABELS,
)
from judging.services import notice as notice_service
from judging.services import rounds as rounds_service
from judging.services import sheets as sheets_service
from judging.services import special_awards as special_awards_service
from judging.views.common import bp


@bp.route("/public/<int:contest_id>", methods=["GET", "POST"])
@public
@limiter.limit("10 per hour", methods=["POST"])
def public_notice(contest_id: int):
    """The public notice page (no login): entry code, title, school, award; names masked by default; objection
    form while the notice runs."""
    from core.privacy import mask_minor_name as mask_name

    contest = get_or_404(Contest, contest_id)
    current = rounds_service.notice_of(contest)
    if current is None:
        abort(404)
    form = forms.ObjectionForm()
    if request.method == "POST" and current.is_running() and form.validate_on_submit():
        done = commit_or_show(
            lambda: (
                notice_service.submit_objection(
                    current,
                    name=form.name.data,
                    contact=form.contact.data,
                    reason=form.reason.data,
                    entry_code=form.entry_code.data or "",
                ).reference
            ),
            form,
        )
        if done:
            reference = done.value
            flash(
                _(
                    "Your objection was received under reference %(ref)s. Quote it when you ask about it; the "
                    "organiser will answer it.",
                    ref=reference,
                ),
                "success",
            )
            return redirect(url_for("judging.public_notice", contest_id=contest.id))
    category_id = request.args.get("category", type=int)
    rows = notice_service.public_results(current, category_id)
    members = sheets_service.entry_people(rows, mask=mask_name if current.mask_names else None)
    return render_template(
        "judging/public_notice.html",
        contest=contest,
        notice=current,
        rows=rows,
        form=form,
        members=members,
        category_id=category_id,
        award_labels=AWARD_LABELS,
        categories=notice_service.notice_categories(current),
        specials=special_awards_service.special_awards_of(contest),
        special_labels=SPECIAL_AWARD_LABELS,
    )
