"""Organisers' pages for a contest's rounds: the judging index, the contest overview (create a round), a
round's settings and status, its rubrics (criteria, templates, performance rules)."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from competitions.models import Contest
from core.extensions import db
from core.forms import commit_or_show
from core.i18n import format_moment
from core.permissions import can, get_or_404
from judging import forms
from judging.awards import AWARD_LEVELS
from judging.models import (
    METHOD_LABELS,
    Advancement,
    AwardMode,
    Criterion,
    Round,
    RoundCategory,
)
from judging.performance import format_time
from judging.services import assignment as assignment_service
from judging.services import results as results_service
from judging.services import rounds as rounds_service
from judging.views.common import _contest_tz, _load_round, _manage, bp


@bp.route("/")
def index():
    """Contests this user judges or organises, with their rounds."""
    from core.permissions import Role, is_admin, is_organiser

    query = sa.select(Contest).order_by(Contest.year.desc(), Contest.id.desc())
    if not is_admin(current_user):
        query = query.where(
            sa.or_(
                Contest.organisation_id.in_(current_user.organised_org_ids() or [-1]),
                Contest.id.in_(current_user.scope_ids(Role.JUDGE) or [-1]),
            )
        )
    contests = db.session.execute(query).scalars().all()

    managed = [c for c in contests if can("judging.manage", c)]
    judged = [c for c in contests if can("judging.judge", c) and c not in managed]
    if not (managed or judged or is_organiser(current_user) or current_user.has_role(Role.ADMIN)):
        abort(403)
    return render_template("judging/index.html", managed=managed, judged=judged)


def _round_form_defaults(form: forms.RoundForm, rnd: Round, contest: Contest) -> None:
    from competitions.services.contests import utc_to_local

    form.name.data, form.position.data, form.onsite.data = rnd.name, rnd.position, rnd.onsite
    form.categories.data = [rc.category_id for rc in rnd.categories]
    form.opens_at.data = utc_to_local(rnd.opens_at, _contest_tz(contest))
    form.closes_at.data = utc_to_local(rnd.closes_at, _contest_tz(contest))
    form.judges_per_entry.data, form.method.data, form.n_min.data = rnd.judges_per_entry, rnd.method, rnd.n_min
    chain = rnd.tie_breaks or []
    form.tie_breaks.data = [k for k in chain if not k.startswith("criterion:")]
    form.tie_criterion.data = next((k.split(":", 1)[1] for k in chain if k.startswith("criterion:")), "")
    form.advancement.data, form.advancement_value.data = rnd.advancement, rnd.advancement_value
    form.award_mode.data = rnd.award_mode
    rule = rnd.award_rule or {}
    pairs = dict(rule.get("levels") or rule.get("thresholds") or [])
    for level in AWARD_LEVELS:
        getattr(form, level).data = Decimal(str(pairs[level])) if level in pairs else None
    form.cap.data = Decimal(str(rule["cap"])) if rule.get("cap") is not None else None
    form.rounding.data = rule.get("rounding", "half_up")
    form.strict_cap.data = bool(rule.get("strict_cap"))


def _round_fields(form: forms.RoundForm, contest: Contest) -> dict:
    from competitions.services.contests import local_to_utc

    chain = list(form.tie_breaks.data or [])
    if form.tie_criterion.data and form.tie_criterion.data.strip():
        chain.insert(1 if "raw_sum" in chain else 0, "criterion:" + form.tie_criterion.data.strip())
    levels = [
        (level, str(getattr(form, level).data)) for level in AWARD_LEVELS if getattr(form, level).data is not None
    ]
    rule: dict = {}
    if form.award_mode.data == AwardMode.PERCENTAGE:
        rule = {
            "levels": levels,
            "cap": str(form.cap.data) if form.cap.data is not None else None,
            "rounding": form.rounding.data,
            "strict_cap": bool(form.strict_cap.data),
        }
    elif form.award_mode.data == AwardMode.THRESHOLD:
        rule = {"thresholds": levels}
    return {
        "position": form.position.data or None,
        "onsite": bool(form.onsite.data),
        "opens_at": local_to_utc(form.opens_at.data, _contest_tz(contest)),
        "closes_at": local_to_utc(form.closes_at.data, _contest_tz(contest)),
        "judges_per_entry": form.judges_per_entry.data,
        "method": form.method.data,
        "n_min": form.n_min.data,
        "tie_breaks": chain,
        "advancement": form.advancement.data,
        "advancement_value": form.advancement_value.data if form.advancement.data != Advancement.NONE else None,
        "award_mode": form.award_mode.data,
        "award_rule": rule,
    }


@bp.route("/contests/<int:contest_id>", methods=["GET", "POST"])
def contest(contest_id: int):
    """The contest's judging overview; organisers create rounds here."""
    contest = get_or_404(Contest, contest_id)
    _manage(contest)
    form = forms.RoundForm()
    form.categories.choices = [(c.id, c.name) for c in contest.categories]
    if form.validate_on_submit():
        fields = _round_fields(form, contest)
        if fields["position"] is None:
            fields.pop("position")
        done = commit_or_show(
            lambda: rounds_service.create_round(
                contest, name=form.name.data, category_ids=form.categories.data, actor=current_user, **fields
            ),
            form,
        )
        if done:
            rnd = done.value
            flash(_("Round %(name)s created.", name=rnd.name), "success")
            return redirect(url_for("judging.round_detail", round_id=rnd.id))
    return render_template(
        "judging/contest.html",
        contest=contest,
        rounds=rounds_service.rounds_of(contest),
        form=form,
        notice=rounds_service.notice_of(contest),
        method_labels=METHOD_LABELS,
    )


@bp.route("/rounds/<int:round_id>", methods=["GET", "POST"])
def round_detail(round_id: int):
    rnd = _load_round(round_id)
    contest = rnd.contest
    _manage(contest)
    form = forms.RoundForm()
    form.categories.choices = [(c.id, c.name) for c in contest.categories]
    if request.method == "GET":
        _round_form_defaults(form, rnd, contest)
    elif form.validate_on_submit():

        def save() -> None:
            fields = _round_fields(form, contest)
            if fields["position"] is None:
                fields.pop("position")
            rounds_service.update_round(rnd, actor=current_user, name=form.name.data.strip(), **fields)
            rounds_service.set_round_categories(rnd, form.categories.data)

        if commit_or_show(save, form, _("Round saved.")):
            return redirect(url_for("judging.round_detail", round_id=rnd.id))
    loads = assignment_service.judge_loads(rnd)
    return render_template(
        "judging/round.html", rnd=rnd, contest=contest, form=form, loads=loads, method_labels=METHOD_LABELS
    )


@bp.route("/rounds/<int:round_id>/status/<action>", methods=["POST"])
def round_status(round_id: int, action: str):
    """Open, close (computes results) or reopen a round."""
    rnd = _load_round(round_id)
    _manage(rnd.contest)
    actions = {
        "open": rounds_service.open_round,
        "close": results_service.close_round,
        "reopen": rounds_service.reopen_round,
    }
    if action not in actions:
        abort(404)
    if commit_or_show(lambda: actions[action](rnd, actor=current_user)):
        flash(_("Round status: %(status)s.", status=rnd.status_label), "success")
        if action == "open" and rnd.not_started():
            flash(
                _(
                    "The round starts at %(time)s: judges see when scoring starts and can score only from then.",
                    time=format_moment(rnd.opens_at),
                ),
                "warning",
            )
    return redirect(url_for("judging.round_detail", round_id=rnd.id))


@bp.route("/rounds/<int:round_id>/categories/<int:rc_id>", methods=["GET", "POST"])
def rubric(round_id: int, rc_id: int):
    """Criteria of a rubric category (add, edit, template) or the run rule of a performance category."""
    rnd = _load_round(round_id)
    _manage(rnd.contest)
    rc = get_or_404(RoundCategory, rc_id)
    if rc.round_id != rnd.id:
        abort(404)
    edit_id = request.args.get("edit", type=int)
    criterion = db.session.get(Criterion, edit_id) if edit_id else None
    if criterion is not None and criterion.round_category_id != rc.id:
        abort(404)
    form = forms.CriterionForm(prefix="c", obj=criterion if request.method == "GET" else None)
    template_form = forms.TemplateForm(prefix="t")
    template_form.template.choices = list(rounds_service.TEMPLATE_LABELS.items())
    rule_form = forms.PerformanceRuleForm(prefix="p", obj=rc if request.method == "GET" else None)
    if request.method == "GET" and rc.time_limit_cs is not None:
        rule_form.time_limit.data = format_time(rc.time_limit_cs)
    saved = None
    if form.submit.data and form.validate_on_submit():
        saved = commit_or_show(
            lambda: rounds_service.save_criterion(
                rc,
                criterion,
                name=form.name.data,
                description=form.description.data or "",
                weight=form.weight.data,
                maximum=form.maximum.data,
                step=form.step.data,
                actor=current_user,
            ),
            form,
            _("Criterion saved."),
        )
    elif template_form.submit.data and template_form.validate_on_submit():
        # the criterion form shows what the template refuses, as it always has (an unknown template is a flash)
        saved = commit_or_show(
            lambda: rounds_service.apply_rubric_template(rc, template_form.template.data, actor=current_user),
            form,
            _("Template applied."),
        )
    elif rule_form.submit.data and rule_form.validate_on_submit():
        saved = commit_or_show(
            lambda: rounds_service.set_performance_rule(
                rc,
                rule_form.performance_rule.data,
                rule_form.runs.data,
                bool(rule_form.confirm_runs.data),
                max_points=rule_form.max_points.data,
                time_limit=rule_form.time_limit.data or "",
                actor=current_user,
            ),
            rule_form,
            _("Rule saved."),
        )
    if saved:
        return redirect(url_for("judging.rubric", round_id=rnd.id, rc_id=rc.id))
    return render_template(
        "judging/rubric.html",
        rnd=rnd,
        rc=rc,
        form=form,
        template_form=template_form,
        rule_form=rule_form,
        criterion=criterion,
    )


@bp.route("/criteria/<int:criterion_id>/delete", methods=["POST"])
def delete_criterion(criterion_id: int):
    criterion = get_or_404(Criterion, criterion_id)
    rc = criterion.round_category
    _manage(rc.round.contest)
    commit_or_show(lambda: rounds_service.delete_criterion(criterion, actor=current_user))
    return redirect(url_for("judging.rubric", round_id=rc.round_id, rc_id=rc.id))
