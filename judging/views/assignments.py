"""Organisers' pages for who judges what in a round: manual and automatic assignment, removal, coverage."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from competitions.models import Entry
from core.errors import DomainError
from core.extensions import db
from core.forms import commit_or_show
from core.permissions import get_or_404
from judging import forms
from judging.models import (
    Judge,
    JudgeAssignment,
)
from judging.services import assignment as assignment_service
from judging.services import judges as judges_service
from judging.services import rounds as rounds_service
from judging.views.common import _load_round, _manage, bp


@bp.route("/rounds/<int:round_id>/assignments", methods=["GET", "POST"])
def assignments(round_id: int):
    rnd = _load_round(round_id)
    _manage(rnd.contest)
    form = forms.AssignForm()
    judges_list = judges_service.judges_of(rnd.contest, include_withdrawn=False)
    form.judge_id.choices = [(j.id, j.user.display_name) for j in judges_list]
    if form.validate_on_submit():
        entry = db.session.execute(
            sa.select(Entry).where(Entry.contest_id == rnd.contest_id, Entry.code == form.entry_code.data.strip())
        ).scalar_one_or_none()
        judge = db.session.get(Judge, form.judge_id.data)

        def assign() -> None:
            if entry is None:
                raise DomainError(_("Unknown entry code: %(codes)s.", codes=form.entry_code.data), field="entry_code")
            if judge is None or judge.contest_id != rnd.contest_id:
                raise DomainError(_("This judge does not judge this contest."), field="judge_id")
            assignment_service.add_assignment(rnd, entry, judge, actor=current_user)

        if commit_or_show(assign, form, _("Assigned.")):
            return redirect(url_for("judging.assignments", round_id=rnd.id))
    entries = rounds_service.round_entries(rnd)
    rows = (
        db.session.execute(
            sa.select(JudgeAssignment)
            .where(JudgeAssignment.round_id == rnd.id, JudgeAssignment.status == "active")
            .options(selectinload(JudgeAssignment.score))
        )
        .scalars()
        .all()
    )
    judge_names = {j.id: j.user.display_name for j in judges_service.judges_of(rnd.contest)}
    by_entry: dict[int, list[JudgeAssignment]] = {}
    for a in rows:
        by_entry.setdefault(a.entry_id, []).append(a)
    declined = (
        db.session.execute(
            sa.select(JudgeAssignment)
            .where(JudgeAssignment.round_id == rnd.id, JudgeAssignment.status == "declined")
            .options(joinedload(JudgeAssignment.entry))
        )
        .scalars()
        .all()
    )
    return render_template(
        "judging/assignments.html",
        rnd=rnd,
        entries=entries,
        by_entry=by_entry,
        form=form,
        judge_names=judge_names,
        loads=assignment_service.judge_loads(rnd),
        declined=declined,
    )


@bp.route("/rounds/<int:round_id>/auto-assign", methods=["POST"])
def auto_assign(round_id: int):
    rnd = _load_round(round_id)
    _manage(rnd.contest)
    done = commit_or_show(lambda: assignment_service.auto_assign(rnd, actor=current_user))
    if done:
        outcome = done.value
        flash(
            _(
                "Automatic assignment: %(added)d added, %(removed)d moved.",
                added=outcome.added,
                removed=outcome.removed,
            ),
            "success",
        )
        if outcome.shortfalls:
            flash(
                _(
                    "%(n)d entries have fewer eligible judges than required; see the coverage page.",
                    n=len(outcome.shortfalls),
                ),
                "warning",
            )
    return redirect(url_for("judging.assignments", round_id=rnd.id))


@bp.route("/assignments/<int:assignment_id>/remove", methods=["POST"])
def remove_assignment(assignment_id: int):
    a = get_or_404(JudgeAssignment, assignment_id)
    _manage(a.round.contest)
    commit_or_show(lambda: assignment_service.remove_assignment(a, actor=current_user))
    return redirect(url_for("judging.assignments", round_id=a.round_id))


@bp.route("/rounds/<int:round_id>/coverage")
def coverage(round_id: int):
    rnd = _load_round(round_id)
    _manage(rnd.contest)
    return render_template("judging/coverage.html", rnd=rnd, rows=assignment_service.coverage(rnd))
