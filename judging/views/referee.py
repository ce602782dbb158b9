"""The referee's pages: robot runs recorded per entry and confirmed by a second person."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from competitions.models import Entry
from core.forms import commit_or_show
from core.permissions import get_or_404, require
from judging import forms
from judging.models import (
    PERFORMANCE_RULE_LABELS,
    RUN_STATUS_LABELS,
    PerformanceRun,
)
from judging.performance import format_time
from judging.services import judges as judges_service
from judging.services import rounds as rounds_service
from judging.services import runs as runs_service
from judging.services import scoring as scoring_service
from judging.views.common import _contest_of, _load_round, _round_category_or_404, bp


@bp.route("/rounds/<int:round_id>/referee")
def referee(round_id: int):
    """Performance categories of the round: entries and their runs."""
    rnd = _load_round(round_id)
    require("judging.referee", _contest_of(rnd))
    perf = [rc for rc in rnd.categories if rc.is_performance]
    entries = rounds_service.round_entries(rnd)
    runs = {rc.category_id: runs_service.runs_of(rnd, rc.category_id) for rc in perf}
    return render_template(
        "judging/referee.html",
        rnd=rnd,
        perf=perf,
        entries=entries,
        runs=runs,
        status_labels=RUN_STATUS_LABELS,
        rule_labels=PERFORMANCE_RULE_LABELS,
        stand_aside=judges_service.entries_to_stand_aside(rnd, current_user, entries),
    )


@bp.route("/rounds/<int:round_id>/referee/<int:entry_id>", methods=["GET", "POST"])
def referee_entry(round_id: int, entry_id: int):
    """One entry's runs: the form opens on the next unrecorded run with empty fields (``?run=N`` corrects a
    recorded run, starting from what was recorded); the page says which run counts and why."""
    rnd = _load_round(round_id)
    require("judging.referee", _contest_of(rnd))
    entry = get_or_404(Entry, entry_id)
    rc = _round_category_or_404(rnd, entry)
    if not rc.is_performance:
        abort(404)  # rubric categories are scored by judges, not refereed
    form = forms.RunForm()
    runs = runs_service.runs_of(rnd, entry.category_id).get(entry.id, [])
    next_number = runs_service.next_run_number(rc, runs)
    correcting = request.args.get("run", type=int)
    if request.method == "GET":
        form.run_number.data = correcting or next_number
        existing = next((r for r in runs if r.run_number == correcting), None)
        if existing is not None:  # correcting a run starts from what was recorded
            form.points.data = "" if existing.status != "ok" else scoring_service.plain_number(existing.points)
            form.time.data = "" if existing.time_cs is None else format_time(existing.time_cs)
            form.penalty_seconds.data = existing.penalty_seconds
            form.status.data = existing.status
    if form.validate_on_submit():
        if commit_or_show(
            lambda: runs_service.record_run(
                rnd,
                entry,
                run_number=form.run_number.data,
                points=form.points.data,
                time_text=form.time.data or "",
                penalty_seconds=form.penalty_seconds.data or 0,
                status=form.status.data,
                actor=current_user,
            ),
            form,
            _("Run %(n)d saved.", n=form.run_number.data),
        ):
            return redirect(url_for("judging.referee_entry", round_id=rnd.id, entry_id=entry.id))
    stand_aside = bool(judges_service.entries_to_stand_aside(rnd, current_user, [entry]))
    show_form = rnd.accepts_scores() and (form.run_number.data is not None) and not stand_aside
    return render_template(
        "judging/referee_entry.html",
        rnd=rnd,
        rc=rc,
        entry=entry,
        form=form,
        runs=runs,
        stand_aside=stand_aside,
        stand_aside_text=judges_service.STAND_ASIDE,
        format_time=format_time,
        status_labels=RUN_STATUS_LABELS,
        accepts=rnd.accepts_scores() and not stand_aside,
        show_form=show_form,
        correcting=correcting,
        counting=runs_service.counting_run(rc, runs),
        rule_labels=PERFORMANCE_RULE_LABELS,
        plain_number=scoring_service.plain_number,
    )


@bp.route("/runs/<int:run_id>/confirm", methods=["POST"])
def confirm_run(run_id: int):
    run = get_or_404(PerformanceRun, run_id)
    rnd = _load_round(run.round_id)
    require("judging.referee", _contest_of(rnd))
    commit_or_show(lambda: runs_service.confirm_run(run, current_user), success=_("Run confirmed."))
    return redirect(url_for("judging.referee_entry", round_id=rnd.id, entry_id=run.entry_id))
