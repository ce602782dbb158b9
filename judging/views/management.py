"""Organisers' pages: rounds, rubrics, judges, assignment, results, awards, exports, the notice."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from accounts.models import Organisation
from competitions.models import Contest, Entry
from core.errors import DomainError
from core.extensions import db
from core.forms import commit_or_show, form_error
from core.i18n import format_moment
from core.names import name_sort_key
from core.permissions import can, get_or_404, require
from judging import forms
from judging.aggregation import MIN_SCORES_TO_NORMALISE, TRIMMING_METHODS
from judging.awards import AWARD_LEVELS
from judging.models import (
    AWARD_LABELS,
    METHOD_LABELS,
    SPECIAL_AWARD_LABELS,
    Advancement,
    AwardMode,
    Criterion,
    Judge,
    JudgeAssignment,
    Objection,
    Result,
    Round,
    RoundCategory,
    Score,
    SpecialAward,
)
from judging.performance import format_time
from judging.services import assignment as assignment_service
from judging.services import judges as judges_service
from judging.services import notice as notice_service
from judging.services import results as results_service
from judging.services import rounds as rounds_service
from judging.services import score_import
from judging.services import scoring as scoring_service
from judging.views.common import _contest_tz, _load_round, _manage, _round_category_or_404, bp


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
        try:
            rnd = rounds_service.create_round(
                contest, name=form.name.data, category_ids=form.categories.data, actor=current_user, **fields
            )
        except DomainError as exc:
            db.session.rollback()
            form_error(form, exc)
        else:
            db.session.commit()
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
        try:
            fields = _round_fields(form, contest)
            if fields["position"] is None:
                fields.pop("position")
            rounds_service.update_round(rnd, actor=current_user, name=form.name.data.strip(), **fields)
            rounds_service.set_round_categories(rnd, form.categories.data)
        except DomainError as exc:
            db.session.rollback()
            form_error(form, exc)
        else:
            db.session.commit()
            flash(_("Round saved."), "success")
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
        "close": rounds_service.close_round,
        "reopen": rounds_service.reopen_round,
    }
    if action not in actions:
        abort(404)
    try:
        actions[action](rnd, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
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
    try:
        if form.submit.data and form.validate_on_submit():
            rounds_service.save_criterion(
                rc,
                criterion,
                name=form.name.data,
                description=form.description.data or "",
                weight=form.weight.data,
                maximum=form.maximum.data,
                step=form.step.data,
                actor=current_user,
            )
            db.session.commit()
            flash(_("Criterion saved."), "success")
            return redirect(url_for("judging.rubric", round_id=rnd.id, rc_id=rc.id))
        if template_form.submit.data and template_form.validate_on_submit():
            rounds_service.apply_rubric_template(rc, template_form.template.data, actor=current_user)
            db.session.commit()
            flash(_("Template applied."), "success")
            return redirect(url_for("judging.rubric", round_id=rnd.id, rc_id=rc.id))
        if rule_form.submit.data and rule_form.validate_on_submit():
            rounds_service.set_performance_rule(
                rc,
                rule_form.performance_rule.data,
                rule_form.runs.data,
                bool(rule_form.confirm_runs.data),
                max_points=rule_form.max_points.data,
                time_limit=rule_form.time_limit.data or "",
                actor=current_user,
            )
            db.session.commit()
            flash(_("Rule saved."), "success")
            return redirect(url_for("judging.rubric", round_id=rnd.id, rc_id=rc.id))
    except DomainError as exc:
        db.session.rollback()
        form_error(rule_form if exc.field in ("performance_rule", "runs", "max_points", "time_limit") else form, exc)
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
    try:
        rounds_service.delete_criterion(criterion, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
    return redirect(url_for("judging.rubric", round_id=rc.round_id, rc_id=rc.id))


@bp.route("/contests/<int:contest_id>/judges", methods=["GET", "POST"])
def judges(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    _manage(contest)
    form = forms.InviteJudgeForm()
    link = None
    if form.validate_on_submit():
        try:
            judge, token = judges_service.invite_judge(
                contest, email=form.email.data, name=form.name.data or "", actor=current_user
            )
        except DomainError as exc:
            db.session.rollback()
            form_error(form, exc)
        else:
            db.session.commit()
            if token:
                link = url_for("accounts.accept_invitation", token=token, _external=True)
                flash(_("No account uses this email yet: send the invitation link below."), "info")
            else:
                flash(_("%(name)s is now a judge of this contest.", name=judge.user.display_name), "success")
                return redirect(url_for("judging.judges", contest_id=contest.id))
    rows = judges_service.sync_judges(contest)
    db.session.commit()
    categories = {c.id: c.name for c in contest.categories}
    # 回避 by workplace: the schools a judge belongs to (affiliation, coordinator) keep their entries away
    org_ids = {j.id: judges_service.judge_organisation_ids(j) for j in rows}
    wanted = set().union(*org_ids.values()) if org_ids else set()
    schools = dict(
        db.session.execute(
            sa.select(Organisation.id, Organisation.name).where(
                Organisation.id.in_(wanted or [-1]), Organisation.kind == "school"
            )
        ).all()
    )
    workplaces = {jid: [schools[o] for o in sorted(ids) if o in schools] for jid, ids in org_ids.items()}
    return render_template(
        "judging/judges.html",
        contest=contest,
        judges=rows,
        form=form,
        link=link,
        categories=categories,
        workplaces=workplaces,
    )


def _org_choices(contest: Contest):
    """Organisations by kind, each kind in pinyin order (core.names)."""
    orgs = db.session.execute(sa.select(Organisation)).scalars().all()
    return sorted(orgs, key=lambda o: (o.kind, name_sort_key(o.name)))


@bp.route("/judges/<int:judge_id>", methods=["GET", "POST"])
def judge_profile(judge_id: int):
    """Expertise and conflicts of a judge: edited by organisers or declared by the judge."""
    judge = get_or_404(Judge, judge_id)
    contest = judge.contest
    own = judge.user_id == current_user.id
    if not own:
        _manage(contest)
    form = forms.JudgeProfileForm()
    form.expertise.choices = [(c.id, c.name) for c in contest.categories]
    orgs = _org_choices(contest)
    schools = [o for o in orgs if o.kind == "school"]
    form.conflict_schools.choices = [(o.id, o.name) for o in schools]
    form.affiliation_id.choices = [(0, "—")] + [(o.id, o.name) for o in orgs]
    if request.method == "GET":
        form.expertise.data = judge.expertise
        form.conflict_schools.data = judge.conflict_school_ids
        form.affiliation_id.data = judge.affiliation_id or 0
        codes = dict(
            db.session.execute(
                sa.select(Entry.id, Entry.code).where(Entry.id.in_(judge.conflict_entry_ids or [-1]))
            ).all()
        )
        form.conflict_entries.data = ", ".join(codes.get(i, "") for i in judge.conflict_entry_ids)
    elif form.validate_on_submit():
        codes = (form.conflict_entries.data or "").replace("，", ",").split(",")
        if commit_or_show(
            lambda: judges_service.update_judge_profile(
                judge,
                expertise=form.expertise.data,
                conflict_school_ids=form.conflict_schools.data,
                conflict_entry_ids=judges_service.resolve_entry_codes(contest, codes),
                affiliation_id=form.affiliation_id.data or None,
                actor=current_user,
            ),
            form,
            _("Saved."),
        ):
            if own and not can("judging.manage", contest):
                return redirect(url_for("judging.my"))
            return redirect(url_for("judging.judges", contest_id=contest.id))
    return render_template("judging/judge_profile.html", judge=judge, contest=contest, form=form, own=own)


@bp.route("/judges/<int:judge_id>/withdraw", methods=["POST"])
def withdraw_judge(judge_id: int):
    judge = get_or_404(Judge, judge_id)
    _manage(judge.contest)
    shortfalls = assignment_service.withdraw_judge(judge, actor=current_user)
    db.session.commit()
    short = sum(shortfalls.values())
    flash(
        _("%(name)s withdrew; their entries were reassigned.", name=judge.user.display_name)
        + (" " + _("%(n)d entries still lack judges.", n=short) if short else ""),
        "warning" if short else "success",
    )
    return redirect(url_for("judging.judges", contest_id=judge.contest_id))


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
        try:
            if entry is None:
                raise DomainError(_("Unknown entry code: %(codes)s.", codes=form.entry_code.data), field="entry_code")
            if judge is None or judge.contest_id != rnd.contest_id:
                raise DomainError(_("This judge does not judge this contest."), field="judge_id")
            assignment_service.add_assignment(rnd, entry, judge, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            form_error(form, exc)
        else:
            db.session.commit()
            flash(_("Assigned."), "success")
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
    try:
        outcome = assignment_service.auto_assign(rnd, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
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
    try:
        assignment_service.remove_assignment(a, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
    return redirect(url_for("judging.assignments", round_id=a.round_id))


@bp.route("/rounds/<int:round_id>/coverage")
def coverage(round_id: int):
    rnd = _load_round(round_id)
    _manage(rnd.contest)
    return render_template("judging/coverage.html", rnd=rnd, rows=assignment_service.coverage(rnd))


def _is_final(contest: Contest) -> bool:
    notice = rounds_service.notice_of(contest)
    return notice is not None and notice.finalised_at is not None


@bp.route("/rounds/<int:round_id>/results")
def results(round_id: int):
    rnd = _load_round(round_id)
    _manage(rnd.contest)
    rows = results_service.results_of(rnd)
    judge_names = {j.id: j.user.display_name for j in judges_service.judges_of(rnd.contest)}
    notes = results_service.award_notes(rnd) if rnd.results_computed_at else {}
    entry_codes = {r.entry_id: r.entry.code for r in rows}
    boundary_notes = [
        (note, [entry_codes.get(e, str(e)) for e in note.entry_ids]) for alloc in notes.values() for note in alloc.notes
    ]
    return render_template(
        "judging/results.html",
        rnd=rnd,
        rows=rows,
        judge_names=judge_names,
        boundary_notes=boundary_notes,
        award_labels=AWARD_LABELS,
        override_form=forms.OverrideForm(),
        table=results_service.award_table(rnd),
        allocations=notes,
        final=_is_final(rnd.contest),
        ranked={cid: sum(1 for r in rows if r.category_id == cid and r.rank is not None) for cid in notes},
        normalisation=results_service.normalisation_warnings(rnd) if rnd.results_computed_at else [],
        min_scores=MIN_SCORES_TO_NORMALISE,
        trimming=TRIMMING_METHODS,
    )


@bp.route("/rounds/<int:round_id>/compute", methods=["POST"])
def compute(round_id: int):
    rnd = _load_round(round_id)
    _manage(rnd.contest)
    results_service.compute_results(rnd, actor=current_user)
    db.session.commit()
    flash(_("Results computed."), "success")
    if results_service.normalisation_warnings(rnd):
        flash(
            _(
                "Some judges scored too few entries for the z-score method to normalise their scores: see the "
                "warning on the results page."
            ),
            "warning",
        )
    return redirect(url_for("judging.results", round_id=rnd.id))


@bp.route("/results/<int:result_id>/override", methods=["POST"])
def override(result_id: int):
    result = get_or_404(Result, result_id)
    _manage(result.round.contest)
    form = forms.OverrideForm()
    if not form.validate_on_submit():
        flash(_("Give a reason for changing the award."), "danger")
        return redirect(url_for("judging.results", round_id=result.round_id))
    try:
        results_service.override_award(result, form.award.data or None, form.reason.data, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(_("Award changed; the change is recorded in the audit log."), "success")
    return redirect(url_for("judging.results", round_id=result.round_id))


@bp.route("/rounds/<int:round_id>/quality")
def quality(round_id: int):
    rnd = _load_round(round_id)
    _manage(rnd.contest)
    stats, flagged = results_service.judge_quality_report(rnd)
    return render_template("judging/quality.html", rnd=rnd, stats=stats, flagged=flagged, form=forms.RecheckForm())


@bp.route("/scores/<int:score_id>/recheck", methods=["POST"])
def recheck(score_id: int):
    score = get_or_404(Score, score_id)
    rnd = score.assignment.round
    _manage(rnd.contest)
    form = forms.RecheckForm()
    form.validate_on_submit()
    try:
        scoring_service.request_recheck(score, form.message.data or "", actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(_("The judge is asked to re-check the score."), "success")
    return redirect(url_for("judging.quality", round_id=rnd.id))


@bp.route("/rounds/<int:round_id>/import", methods=["GET", "POST"])
def import_scores(round_id: int):
    rnd = _load_round(round_id)
    _manage(rnd.contest)
    form = forms.ImportScoresForm()
    outcome = None
    if form.validate_on_submit():
        outcome = score_import.import_scores(rnd, form.file.data.read(), actor=current_user)
        if outcome.ok:
            db.session.commit()
            flash(_("%(n)d scores imported.", n=outcome.imported), "success")
            return redirect(url_for("judging.round_detail", round_id=rnd.id))
        db.session.rollback()
    criteria = sorted({c.name for rc in rnd.categories for c in rc.criteria})
    return render_template("judging/import.html", rnd=rnd, form=form, outcome=outcome, criteria=criteria)


@bp.route("/rounds/<int:round_id>/import-template.xlsx")
def import_template(round_id: int):
    """A score sheet to type paper scores into: one row per active assignment of a rubric category, with the
    entry code and the judge's login filled in and one column per criterion."""
    from io import BytesIO

    from core.spreadsheets import new_workbook, workbook_bytes

    rnd = _load_round(round_id)
    _manage(rnd.contest)
    names = []
    for rc in rnd.categories:
        for c in rc.criteria:
            if c.name not in names:
                names.append(c.name)
    workbook = new_workbook()
    sheet = workbook.active
    sheet.title = "评分"
    sheet.append(["作品编号", "评委"] + names)
    rows = db.session.execute(
        sa.select(Entry.code, JudgeAssignment.judge_id)
        .join(Entry, Entry.id == JudgeAssignment.entry_id)
        .where(JudgeAssignment.round_id == rnd.id, JudgeAssignment.status == "active")
        .order_by(Entry.code)
    ).all()
    emails = {j.id: j.user.email or "" for j in judges_service.judges_of(rnd.contest)}
    for code, judge_id in rows:
        sheet.append([code, emails.get(judge_id, "")])
    return send_file(
        BytesIO(workbook_bytes(workbook)),
        as_attachment=True,
        download_name=f"{rnd.contest.name}-{rnd.name}-评分录入.xlsx",
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@bp.route("/rounds/<int:round_id>/export.<fmt>")
def export_results(round_id: int, fmt: str):
    from io import BytesIO

    from judging.exports import results_csv, results_xlsx

    rnd = _load_round(round_id)
    _manage(rnd.contest)
    rows = results_service.result_rows(rnd)
    name = f"{rnd.contest.name}-{rnd.name}-results"
    if fmt == "csv":
        return send_file(
            BytesIO(results_csv(rows)), mimetype="text/csv", as_attachment=True, download_name=f"{name}.csv"
        )
    if fmt == "xlsx":
        return send_file(
            BytesIO(results_xlsx(rows)),
            as_attachment=True,
            download_name=f"{name}.xlsx",
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    abort(404)


@bp.route("/rounds/<int:round_id>/score-sheets.pdf")
def score_sheets(round_id: int):
    """Per-judge score sheets (评分表) for signatures and the paper archive; a judge gets their own."""
    from io import BytesIO

    from judging.pdf import score_sheets_pdf

    rnd = _load_round(round_id)
    judge = None
    if not can("judging.manage", rnd.contest):
        require("judging.judge", rnd.contest)
        judge = judges_service.judge_for_user(rnd.contest, current_user)
    data = score_sheets_pdf(results_service.score_sheet_data(rnd, judge), results_service.pdf_labels())
    return send_file(
        BytesIO(data),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{rnd.contest.name}-{rnd.name}-评分表.pdf",
    )


def _award_list_response(contest: Contest, results: list[Result]):
    """The 获奖名单 PDF of these results (awarded ones, in the order given): students and advisors named in full
    (organisers only)."""
    from io import BytesIO

    from judging.pdf import AwardListCategory, award_list_pdf

    people = results_service.entry_people(results)
    groups: dict[int, AwardListCategory] = {}
    for r in results:
        if r.award:
            students, advisors = people.get(r.entry_id, ("", ""))
            group = groups.setdefault(r.category_id, AwardListCategory(r.entry.category.name, []))
            group.rows.append(
                (r.entry.code or "", r.entry.title, r.entry.school.name, students, advisors, str(AWARD_LABELS[r.award]))
            )
    title = _("%(contest)s — award list", contest=contest.name)
    data = award_list_pdf(title, list(groups.values()), results_service.pdf_labels())
    return send_file(
        BytesIO(data), mimetype="application/pdf", as_attachment=True, download_name=f"{contest.name}-获奖名单.pdf"
    )


@bp.route("/rounds/<int:round_id>/awards.pdf")
def awards_pdf(round_id: int):
    rnd = _load_round(round_id)
    _manage(rnd.contest)
    rows = sorted(
        results_service.results_of(rnd),
        key=lambda r: ((r.entry.category.position, r.category_id), notice_service.award_order(r)),
    )
    return _award_list_response(rnd.contest, rows)


@bp.route("/contests/<int:contest_id>/awards.pdf")
def contest_awards_pdf(contest_id: int):
    """The contest's 获奖名单 from its notice: every published category, each from the round that counts."""
    contest = get_or_404(Contest, contest_id)
    _manage(contest)
    current = rounds_service.notice_of(contest)
    if current is None:
        abort(404)
    return _award_list_response(contest, notice_service.notice_results(current, awarded_only=True))


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
            lambda: results_service.add_special_award_by_code(
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
        awards=results_service.special_awards_of(contest),
        labels=SPECIAL_AWARD_LABELS,
    )


@bp.route("/special-awards/<int:award_id>/delete", methods=["POST"])
def delete_special_award(award_id: int):
    award = get_or_404(SpecialAward, award_id)
    contest = get_or_404(Contest, award.contest_id)
    _manage(contest)
    results_service.remove_special_award(award, actor=current_user)
    db.session.commit()
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
        try:
            notice_service.start_notice(
                contest, chosen, days=form.days.data, mask_names=form.mask_names.data, actor=current_user
            )
        except DomainError as exc:
            db.session.rollback()
            form_error(form, exc)
        else:
            db.session.commit()
            flash(_("The results are published for public notice."), "success")
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
    try:
        notice_service.answer_objection(
            objection, accept=form.decision.data == "accept", reply=form.reply.data, actor=current_user
        )
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(_("Objection answered."), "success")
    return redirect(url_for("judging.notice", contest_id=contest.id))


@bp.route("/contests/<int:contest_id>/finalise", methods=["POST"])
def finalise(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    _manage(contest)
    current = rounds_service.notice_of(contest)
    if current is None:
        abort(404)
    try:
        notice_service.finalise_notice(current, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(_("The results are final."), "success")
    return redirect(url_for("judging.notice", contest_id=contest.id))


@bp.route("/rounds/<int:round_id>/entries/<int:entry_id>/scores")
def entry_scores(round_id: int, entry_id: int):
    """All scores of an entry for organisers (always) — raw, per criterion, with comments."""
    rnd = _load_round(round_id)
    _manage(rnd.contest)
    entry = get_or_404(Entry, entry_id)
    rc = _round_category_or_404(rnd, entry)
    rows = scoring_service.visible_scores(rnd, entry, current_user, organiser=True)
    return render_template("judging/entry_scores.html", rnd=rnd, entry=entry, rows=rows, rc=rc)
