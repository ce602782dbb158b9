"""Organisers' pages for publishing results: special awards, the 公示 notice, answering objections, finalising."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.models import Organisation
from competitions.models import Contest
from core.extensions import db
from core.forms import commit_or_show
from core.permissions import get_or_404
from judging import forms
from judging.models import (
    SPECIAL_AWARD_LABELS,
    Objection,
    SpecialAward,
)
from judging.services import notice as notice_service
from judging.services import rounds as rounds_service
from judging.services import special_awards as special_awards_service
from judging.views.common import _manage, _org_choices, bp


@bp.route("/contests/<int:contest_id>/special-awards", methods=["GET", "POST"])
def special_awards(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    _manage(contest)
    form = forms.SpecialAwardForm()
    orgs = _org_choices(contest)
    form.organisation_id.choices = [(0, "—")] + [(o.id, o.name) for o in orgs]
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation_id.data) if form.organisation_id.data else None
        if commit_or_show(
            lambda: special_awards_service.add_special_award_by_code(
                contest,
                kind=form.kind.data,
                entry_code=form.entry_code.data or "",
                organisation=organisation,
                reason=form.reason.data or "",
                actor=current_user,
            ),
            form,
            _("Special award added."),
        ):
            return redirect(url_for("judging.special_awards", contest_id=contest.id))
    return render_template(
        "judging/special_awards.html",
        contest=contest,
        form=form,
        awards=special_awards_service.special_awards_of(contest),
        labels=SPECIAL_AWARD_LABELS,
    )


@bp.route("/special-awards/<int:award_id>/delete", methods=["POST"])
def delete_special_award(award_id: int):
    award = get_or_404(SpecialAward, award_id)
    contest = get_or_404(Contest, award.contest_id)
    _manage(contest)
    commit_or_show(lambda: special_awards_service.remove_special_award(award, actor=current_user))
    return redirect(url_for("judging.special_awards", contest_id=contest.id))


@bp.route("/contests/<int:contest_id>/notice", methods=["GET", "POST"])
def notice(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    _manage(contest)
    current = rounds_service.notice_of(contest)
    form = forms.NoticeForm()
    closed = [r for r in rounds_service.rounds_of(contest) if r.is_closed() and r.results_computed_at]
    form.rounds.choices = [(r.id, r.name) for r in closed]
    if request.method == "GET":  # every round with results is offered, ticked: one notice covers them all
        form.rounds.data = [r.id for r in closed]
    if form.validate_on_submit():
        chosen = [r for r in closed if r.id in set(form.rounds.data)]
        if commit_or_show(
            lambda: notice_service.start_notice(
                contest, chosen, days=form.days.data, mask_names=form.mask_names.data, actor=current_user
            ),
            form,
            _("The results are published for public notice."),
        ):
            return redirect(url_for("judging.notice", contest_id=contest.id))
    categories = notice_service.category_rounds(current) if current else {}
    return render_template(
        "judging/notice.html",
        contest=contest,
        notice=current,
        form=form,
        answer_form=forms.AnswerForm(),
        category_rounds=categories,
        category_names={c.id: c.name for c in contest.categories},
    )


@bp.route("/objections/<int:objection_id>/answer", methods=["POST"])
def answer_objection(objection_id: int):
    objection = get_or_404(Objection, objection_id)
    contest = objection.notice.contest
    _manage(contest)
    form = forms.AnswerForm()
    if not form.validate_on_submit():
        flash(_("Write a reply to the objection."), "danger")
        return redirect(url_for("judging.notice", contest_id=contest.id))
    commit_or_show(
        lambda: notice_service.answer_objection(
            objection, accept=form.decision.data == "accept", reply=form.reply.data, actor=current_user
        ),
        success=_("Objection answered."),
    )
    return redirect(url_for("judging.notice", contest_id=contest.id))


@bp.route("/contests/<int:contest_id>/finalise", methods=["POST"])
def finalise(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    _manage(contest)
    current = rounds_service.notice_of(contest)
    if current is None:
        abort(404)
    commit_or_show(
        lambda: notice_service.finalise_notice(current, actor=current_user), success=_("The results are final.")
    )
    return redirect(url_for("judging.notice", contest_id=contest.id))
