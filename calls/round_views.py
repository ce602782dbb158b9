"""Pages of a call's review on judging's engine (calls.judging): the organiser's review page (round and rubric,
experts, 回避 assignment, open, close and compute, 公示, objections, final results) and the public 公示 page of a
call with its objection form. Routes on calls' blueprint; judging's services do the work."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from calls import judging as call_judging
from calls import leaks, services
from calls.models import Call
from calls.views import bp
from core.errors import DomainError
from core.extensions import db, limiter
from core.forms import commit_or_show, form_error
from core.permissions import get_or_404, public, require
from judging import forms as judging_forms
from judging.models import Objection, RoundStatus
from judging.services import assignment as assignment_service
from judging.services import notice as notice_service
from judging.services import results as results_service
from judging.services import rounds as rounds_service


def _managed_call(call_id: int) -> Call:
    call = get_or_404(Call, call_id)
    require("calls.manage", call)
    return call


def _round_or_404(call: Call):
    rnd = call_judging.review_round(call)
    if rnd is None:
        abort(404)
    return rnd


@bp.route("/<int:call_id>/review")
def review(call_id: int):
    """The call's expert review on judging's engine, step by step."""
    call = _managed_call(call_id)
    rnd = call_judging.review_round(call)
    notice = rounds_service.notice_of(call)
    loads = assignment_service.judge_loads(rnd) if rnd is not None else []
    results = services.compute_results(call) if rnd is not None and rnd.results_computed_at else None
    return render_template(
        "calls/review.html",
        call=call,
        rnd=rnd,
        loads=loads,
        waiting=call_judging.experts_without_account(call),
        results=results,
        notice=notice,
        # before experts read: files naming an applicant or the unit (calls.leaks), for the organiser to settle
        warnings=leaks.call_warnings(call) if rnd is None or rnd.status == RoundStatus.SETUP else [],
    )


@bp.route("/<int:call_id>/review/round", methods=["POST"])
def create_review_round(call_id: int):
    call = _managed_call(call_id)

    def create():
        return call_judging.create_review_round(
            call,
            name=request.form.get("name", ""),
            criteria=call_judging.parse_criteria(request.form.get("criteria", "")),
            judges_per_entry=request.form.get("judges_per_entry", type=int) or 3,
        )

    commit_or_show(create, None, _("Review round created."))
    return redirect(url_for("calls.review", call_id=call.id))


@bp.route("/<int:call_id>/review/<action>", methods=["POST"])
def review_step(call_id: int, action: str):
    """One step of the review: assign the experts, open the round (confirmed when files name an applicant or the
    unit, calls.leaks), close it (results computed), publish 公示 (days), finalise."""
    call = _managed_call(call_id)
    rnd = _round_or_404(call)
    steps = {
        "assign": (lambda: call_judging.assign_experts(rnd), _("Experts assigned.")),
        "open": (lambda: rounds_service.open_round(rnd), _("The round is open: experts score online.")),
        "close": (lambda: results_service.close_round(rnd), _("The round is closed and its results computed.")),
        "notice": (
            lambda: notice_service.start_notice(
                call, rnd, days=request.form.get("days", type=int) or 7, mask_names=False
            ),
            _("The results are published (公示)."),
        ),
        "finalise": (
            lambda: notice_service.finalise_notice(_notice_or_404(call)),
            _("The results are final."),
        ),
    }
    if action not in steps:
        abort(404)
    if action == "open" and request.form.get("confirm") != "1" and leaks.leaking(call):
        # every call round is double-blind (calls.submissions): opening it over a file that names an applicant
        # or the unit is the organiser's decision, asked for, not refused
        flash(
            _("Files of some applications name an applicant or the unit: confirm to open the round anyway."), "warning"
        )
        return redirect(url_for("calls.review", call_id=call.id))
    step, done = steps[action]
    commit_or_show(step, None, done)
    return redirect(url_for("calls.review", call_id=call.id))


def _notice_or_404(call: Call):
    notice = rounds_service.notice_of(call)
    if notice is None:
        abort(404)
    return notice


@bp.route("/<int:call_id>/review/objections/<int:objection_id>", methods=["POST"])
def answer_objection(call_id: int, objection_id: int):
    call = _managed_call(call_id)
    objection = get_or_404(Objection, objection_id)
    if objection.notice.owner_kind != call_judging.KIND or objection.notice.owner_id != call.id:
        abort(404)
    commit_or_show(
        lambda: notice_service.answer_objection(
            objection, accept=request.form.get("decision") == "accept", reply=request.form.get("reply", "")
        ),
        None,
        _("Objection answered."),
    )
    return redirect(url_for("calls.review", call_id=call.id))


@bp.route("/<int:call_id>/notice", methods=["GET", "POST"])
@public
@limiter.limit("10 per hour", methods=["POST"])
def public_notice(call_id: int):
    """A call's 公示 (no login): code, title, applicants and unit as published (adults), score, result; the
    objection form while it runs."""
    call = get_or_404(Call, call_id)
    notice = _notice_or_404(call)
    form = judging_forms.ObjectionForm()
    form.entry_code.label.text = _("Application code (optional)")
    if request.method == "POST" and notice.is_running() and form.validate_on_submit():
        try:
            objection = notice_service.submit_objection(
                notice,
                name=form.name.data,
                contact=form.contact.data,
                reason=form.reason.data,
                entry_code=form.entry_code.data or "",
            )
        except DomainError as exc:
            db.session.rollback()
            form_error(form, exc)
        else:
            reference = objection.reference
            db.session.commit()
            flash(
                _(
                    "Your objection was received under reference %(ref)s. Quote it when you ask about it; the "
                    "organiser will answer it.",
                    ref=reference,
                ),
                "success",
            )
            return redirect(url_for("calls.public_notice", call_id=call.id))
    rows = services.compute_results(call).rows
    return render_template("calls/notice.html", call=call, notice=notice, rows=rows, form=form)
