"""Judging pages: organiser set-up (rounds, rubrics, judges, assignment, results, awards, notice), the judge's
mobile scoring pages, the referee page, and the public notice with its objection form."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from accounts.models import Organisation
from competitions.models import Contest, Entry, Material
from core.errors import DomainError
from core.extensions import db, limiter
from core.permissions import can, get_or_404, public, require
from judging import forms, services
from judging.models import (
    AWARD_LABELS,
    METHOD_LABELS,
    PERFORMANCE_RULE_LABELS,
    RUN_STATUS_LABELS,
    SPECIAL_AWARD_LABELS,
    Advancement,
    AwardMode,
    Criterion,
    Judge,
    JudgeAssignment,
    Objection,
    PerformanceRun,
    Result,
    Round,
    RoundCategory,
    RoundStatus,
    Score,
    SpecialAward,
)

bp = Blueprint("judging", __name__)


def _form_error(form, exc: DomainError) -> None:
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = list(field.errors) + [str(exc)]
    else:
        flash(str(exc), "danger")


def _contest_tz(contest: Contest) -> str:
    return contest.timezone or "Asia/Shanghai"


def _manage(contest: Contest) -> None:
    require("judging.manage", contest)


def _load_round(round_id: int) -> Round:
    return get_or_404(Round, round_id)


def _round_category_or_404(rnd: Round, entry: Entry) -> RoundCategory:
    """The rubric/run rule of the entry's category in this round; 404 when the entry is not judged in it."""
    if entry.contest_id != rnd.contest_id:
        abort(404)
    try:
        return services.round_category_for(rnd, entry.category_id)
    except DomainError:
        abort(404)


# --- organiser: contest overview and rounds ----------------------------------------------------------------


@bp.route("/")
def index():
    """Contests this user judges or organises, with their rounds."""
    from core.permissions import Role, is_admin, is_organiser

    query = sa.select(Contest).order_by(Contest.year.desc(), Contest.id.desc())
    if not is_admin(current_user):
        query = query.where(sa.or_(Contest.organisation_id.in_(current_user.organised_org_ids() or [-1]),
                                   Contest.id.in_(current_user.scope_ids(Role.JUDGE) or [-1])))
    contests = db.session.execute(query).scalars().all()

    managed = [c for c in contests if can("judging.manage", c)]
    judged = [c for c in contests if can("judging.judge", c) and c not in managed]
    if not (managed or judged or is_organiser(current_user) or current_user.has_role(Role.ADMIN)):
        abort(403)
    return render_template("judging/index.html", managed=managed, judged=judged)


def _round_form_defaults(form: forms.RoundForm, rnd: Round, contest: Contest) -> None:
    from competitions.services import utc_to_local

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
    for level in ("first", "second", "third", "merit"):
        getattr(form, level).data = Decimal(str(pairs[level])) if level in pairs else None
    form.cap.data = Decimal(str(rule["cap"])) if rule.get("cap") is not None else None
    form.rounding.data = rule.get("rounding", "half_up")
    form.strict_cap.data = bool(rule.get("strict_cap"))


def _round_fields(form: forms.RoundForm, contest: Contest) -> dict:
    from competitions.services import local_to_utc

    chain = list(form.tie_breaks.data or [])
    if form.tie_criterion.data and form.tie_criterion.data.strip():
        chain.insert(1 if "raw_sum" in chain else 0, "criterion:" + form.tie_criterion.data.strip())
    levels = [(level, str(getattr(form, level).data)) for level in ("first", "second", "third", "merit")
              if getattr(form, level).data is not None]
    rule: dict = {}
    if form.award_mode.data == AwardMode.PERCENTAGE:
        rule = {"levels": levels, "cap": str(form.cap.data) if form.cap.data is not None else None,
                "rounding": form.rounding.data, "strict_cap": bool(form.strict_cap.data)}
    elif form.award_mode.data == AwardMode.THRESHOLD:
        rule = {"thresholds": levels}
    return {
        "position": form.position.data or None, "onsite": bool(form.onsite.data),
        "opens_at": local_to_utc(form.opens_at.data, _contest_tz(contest)),
        "closes_at": local_to_utc(form.closes_at.data, _contest_tz(contest)),
        "judges_per_entry": form.judges_per_entry.data, "method": form.method.data, "n_min": form.n_min.data,
        "tie_breaks": chain, "advancement": form.advancement.data,
        "advancement_value": form.advancement_value.data if form.advancement.data != Advancement.NONE else None,
        "award_mode": form.award_mode.data, "award_rule": rule,
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
            rnd = services.create_round(contest, name=form.name.data, category_ids=form.categories.data,
                                        actor=current_user, **fields)
        except DomainError as exc:
            db.session.rollback()
            _form_error(form, exc)
        else:
            db.session.commit()
            flash(_("Round %(name)s created.", name=rnd.name), "success")
            return redirect(url_for("judging.round_detail", round_id=rnd.id))
    return render_template("judging/contest.html", contest=contest, rounds=services.rounds_of(contest), form=form,
                           notice=services.notice_of(contest), method_labels=METHOD_LABELS)


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
            services.update_round(rnd, actor=current_user, name=form.name.data.strip(), **fields)
            services.set_round_categories(rnd, form.categories.data)
        except DomainError as exc:
            db.session.rollback()
            _form_error(form, exc)
        else:
            db.session.commit()
            flash(_("Round saved."), "success")
            return redirect(url_for("judging.round_detail", round_id=rnd.id))
    loads = services.judge_loads(rnd)
    return render_template("judging/round.html", rnd=rnd, contest=contest, form=form, loads=loads,
                           method_labels=METHOD_LABELS)


@bp.route("/rounds/<int:round_id>/status/<action>", methods=["POST"])
def round_status(round_id: int, action: str):
    """Open, close (computes results) or reopen a round."""
    rnd = _load_round(round_id)
    _manage(rnd.contest)
    actions = {"open": services.open_round, "close": services.close_round, "reopen": services.reopen_round}
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
    template_form.template.choices = list(services.TEMPLATE_LABELS.items())
    rule_form = forms.PerformanceRuleForm(prefix="p", obj=rc if request.method == "GET" else None)
    try:
        if form.submit.data and form.validate_on_submit():
            services.save_criterion(rc, criterion, name=form.name.data, description=form.description.data or "",
                                    weight=form.weight.data, maximum=form.maximum.data, step=form.step.data,
                                    actor=current_user)
            db.session.commit()
            flash(_("Criterion saved."), "success")
            return redirect(url_for("judging.rubric", round_id=rnd.id, rc_id=rc.id))
        if template_form.submit.data and template_form.validate_on_submit():
            services.apply_rubric_template(rc, template_form.template.data, actor=current_user)
            db.session.commit()
            flash(_("Template applied."), "success")
            return redirect(url_for("judging.rubric", round_id=rnd.id, rc_id=rc.id))
        if rule_form.submit.data and rule_form.validate_on_submit():
            services.set_performance_rule(rc, rule_form.performance_rule.data, rule_form.runs.data,
                                          bool(rule_form.confirm_runs.data), actor=current_user)
            db.session.commit()
            flash(_("Rule saved."), "success")
            return redirect(url_for("judging.rubric", round_id=rnd.id, rc_id=rc.id))
    except DomainError as exc:
        db.session.rollback()
        _form_error(form, exc)
    return render_template("judging/rubric.html", rnd=rnd, rc=rc, form=form, template_form=template_form,
                           rule_form=rule_form, criterion=criterion)


@bp.route("/criteria/<int:criterion_id>/delete", methods=["POST"])
def delete_criterion(criterion_id: int):
    criterion = get_or_404(Criterion, criterion_id)
    rc = criterion.round_category
    _manage(rc.round.contest)
    try:
        services.delete_criterion(criterion, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
    return redirect(url_for("judging.rubric", round_id=rc.round_id, rc_id=rc.id))


# --- organiser: judges ------------------------------------------------------------------------------------


@bp.route("/contests/<int:contest_id>/judges", methods=["GET", "POST"])
def judges(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    _manage(contest)
    form = forms.InviteJudgeForm()
    link = None
    if form.validate_on_submit():
        try:
            judge, token = services.invite_judge(contest, email=form.email.data, name=form.name.data or "",
                                                 actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            _form_error(form, exc)
        else:
            db.session.commit()
            if token:
                link = url_for("accounts.accept_invitation", token=token, _external=True)
                flash(_("No account uses this email yet: send the invitation link below."), "info")
            else:
                flash(_("%(name)s is now a judge of this contest.", name=judge.user.display_name), "success")
                return redirect(url_for("judging.judges", contest_id=contest.id))
    rows = services.sync_judges(contest)
    db.session.commit()
    categories = {c.id: c.name for c in contest.categories}
    return render_template("judging/judges.html", contest=contest, judges=rows, form=form, link=link,
                           categories=categories)


def _org_choices(contest: Contest):
    orgs = db.session.execute(sa.select(Organisation).order_by(Organisation.kind, Organisation.name)).scalars().all()
    return orgs


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
        codes = dict(db.session.execute(sa.select(Entry.id, Entry.code).where(
            Entry.id.in_(judge.conflict_entry_ids or [-1]))).all())
        form.conflict_entries.data = ", ".join(codes.get(i, "") for i in judge.conflict_entry_ids)
    elif form.validate_on_submit():
        try:
            entry_ids = services.resolve_entry_codes(contest, (form.conflict_entries.data or "").replace("，", ",").split(","))
            services.update_judge_profile(judge, expertise=form.expertise.data,
                                          conflict_school_ids=form.conflict_schools.data,
                                          conflict_entry_ids=entry_ids, affiliation_id=form.affiliation_id.data or None,
                                          actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            if exc.field == "conflict_entries":
                form.conflict_entries.errors = [str(exc)]
            else:
                _form_error(form, exc)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            if own and not can("judging.manage", contest):
                return redirect(url_for("judging.my"))
            return redirect(url_for("judging.judges", contest_id=contest.id))
    return render_template("judging/judge_profile.html", judge=judge, contest=contest, form=form, own=own)


@bp.route("/judges/<int:judge_id>/withdraw", methods=["POST"])
def withdraw_judge(judge_id: int):
    judge = get_or_404(Judge, judge_id)
    _manage(judge.contest)
    shortfalls = services.withdraw_judge(judge, actor=current_user)
    db.session.commit()
    short = sum(shortfalls.values())
    flash(_("%(name)s withdrew; their entries were reassigned.", name=judge.user.display_name)
          + (" " + _("%(n)d entries still lack judges.", n=short) if short else ""), "warning" if short else "success")
    return redirect(url_for("judging.judges", contest_id=judge.contest_id))


# --- organiser: assignment ----------------------------------------------------------------------------------


@bp.route("/rounds/<int:round_id>/assignments", methods=["GET", "POST"])
def assignments(round_id: int):
    rnd = _load_round(round_id)
    _manage(rnd.contest)
    form = forms.AssignForm()
    judges_list = services.judges_of(rnd.contest, include_withdrawn=False)
    form.judge_id.choices = [(j.id, j.user.display_name) for j in judges_list]
    if form.validate_on_submit():
        entry = db.session.execute(sa.select(Entry).where(Entry.contest_id == rnd.contest_id,
                                                          Entry.code == form.entry_code.data.strip())).scalar_one_or_none()
        judge = db.session.get(Judge, form.judge_id.data)
        try:
            if entry is None:
                raise DomainError(_("Unknown entry code: %(codes)s.", codes=form.entry_code.data), field="entry_code")
            if judge is None or judge.contest_id != rnd.contest_id:
                raise DomainError(_("This judge does not judge this contest."), field="judge_id")
            services.add_assignment(rnd, entry, judge, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            _form_error(form, exc)
        else:
            db.session.commit()
            flash(_("Assigned."), "success")
            return redirect(url_for("judging.assignments", round_id=rnd.id))
    entries = services.round_entries(rnd)
    rows = db.session.execute(sa.select(JudgeAssignment).where(
        JudgeAssignment.round_id == rnd.id, JudgeAssignment.status == "active").options(
        selectinload(JudgeAssignment.score))).scalars().all()
    judge_names = {j.id: j.user.display_name for j in services.judges_of(rnd.contest)}
    by_entry: dict[int, list[JudgeAssignment]] = {}
    for a in rows:
        by_entry.setdefault(a.entry_id, []).append(a)
    declined = db.session.execute(sa.select(JudgeAssignment).where(
        JudgeAssignment.round_id == rnd.id, JudgeAssignment.status == "declined").options(
        joinedload(JudgeAssignment.entry))).scalars().all()
    return render_template("judging/assignments.html", rnd=rnd, entries=entries, by_entry=by_entry, form=form,
                           judge_names=judge_names, loads=services.judge_loads(rnd), declined=declined)


@bp.route("/rounds/<int:round_id>/auto-assign", methods=["POST"])
def auto_assign(round_id: int):
    rnd = _load_round(round_id)
    _manage(rnd.contest)
    try:
        outcome = services.auto_assign(rnd, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(_("Automatic assignment: %(added)d added, %(removed)d moved.", added=outcome.added,
                removed=outcome.removed), "success")
        if outcome.shortfalls:
            flash(_("%(n)d entries have fewer eligible judges than required; see the coverage page.",
                    n=len(outcome.shortfalls)), "warning")
    return redirect(url_for("judging.assignments", round_id=rnd.id))


@bp.route("/assignments/<int:assignment_id>/remove", methods=["POST"])
def remove_assignment(assignment_id: int):
    a = get_or_404(JudgeAssignment, assignment_id)
    _manage(a.round.contest)
    try:
        services.remove_assignment(a, actor=current_user)
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
    return render_template("judging/coverage.html", rnd=rnd, rows=services.coverage(rnd))


# --- organiser: results, awards, quality, import, exports ----------------------------------------------------


def _is_final(contest: Contest) -> bool:
    notice = services.notice_of(contest)
    return notice is not None and notice.finalised_at is not None


@bp.route("/rounds/<int:round_id>/results")
def results(round_id: int):
    rnd = _load_round(round_id)
    _manage(rnd.contest)
    rows = services.results_of(rnd)
    judge_names = {j.id: j.user.display_name for j in services.judges_of(rnd.contest)}
    notes = services.award_notes(rnd) if rnd.results_computed_at else {}
    entry_codes = {r.entry_id: r.entry.code for r in rows}
    boundary_notes = [(note, [entry_codes.get(e, str(e)) for e in note.entry_ids])
                      for alloc in notes.values() for note in alloc.notes]
    return render_template("judging/results.html", rnd=rnd, rows=rows, judge_names=judge_names,
                           boundary_notes=boundary_notes, award_labels=AWARD_LABELS, override_form=forms.OverrideForm(),
                           table=services.award_table(rnd), allocations=notes, final=_is_final(rnd.contest),
                           ranked={cid: sum(1 for r in rows if r.category_id == cid and r.rank is not None)
                                   for cid in notes})


@bp.route("/rounds/<int:round_id>/compute", methods=["POST"])
def compute(round_id: int):
    rnd = _load_round(round_id)
    _manage(rnd.contest)
    services.compute_results(rnd, actor=current_user)
    db.session.commit()
    flash(_("Results computed."), "success")
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
        services.override_award(result, form.award.data or None, form.reason.data, actor=current_user)
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
    stats, flagged = services.judge_quality_report(rnd)
    return render_template("judging/quality.html", rnd=rnd, stats=stats, flagged=flagged, form=forms.RecheckForm())


@bp.route("/scores/<int:score_id>/recheck", methods=["POST"])
def recheck(score_id: int):
    score = get_or_404(Score, score_id)
    rnd = score.assignment.round
    _manage(rnd.contest)
    form = forms.RecheckForm()
    form.validate_on_submit()
    try:
        services.request_recheck(score, form.message.data or "", actor=current_user)
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
        outcome = services.import_scores(rnd, form.file.data.read(), actor=current_user)
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
    rows = db.session.execute(sa.select(Entry.code, JudgeAssignment.judge_id).join(
        Entry, Entry.id == JudgeAssignment.entry_id).where(
        JudgeAssignment.round_id == rnd.id, JudgeAssignment.status == "active").order_by(Entry.code)).all()
    emails = {j.id: j.user.email or "" for j in services.judges_of(rnd.contest)}
    for code, judge_id in rows:
        sheet.append([code, emails.get(judge_id, "")])
    return send_file(BytesIO(workbook_bytes(workbook)), as_attachment=True, download_name=f"{rnd.contest.name}-{rnd.name}-评分录入.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/rounds/<int:round_id>/export.<fmt>")
def export_results(round_id: int, fmt: str):
    from io import BytesIO

    from judging.exports import results_csv, results_xlsx

    rnd = _load_round(round_id)
    _manage(rnd.contest)
    rows = services.result_rows(rnd)
    name = f"{rnd.contest.name}-{rnd.name}-results"
    if fmt == "csv":
        return send_file(BytesIO(results_csv(rows)), mimetype="text/csv", as_attachment=True,
                         download_name=f"{name}.csv")
    if fmt == "xlsx":
        return send_file(BytesIO(results_xlsx(rows)), as_attachment=True, download_name=f"{name}.xlsx",
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
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
        judge = services.judge_for_user(rnd.contest, current_user)
    data = score_sheets_pdf(services.score_sheet_data(rnd, judge), services.pdf_labels())
    return send_file(BytesIO(data), mimetype="application/pdf", as_attachment=True,
                     download_name=f"{rnd.contest.name}-{rnd.name}-评分表.pdf")


@bp.route("/rounds/<int:round_id>/awards.pdf")
def awards_pdf(round_id: int):
    from io import BytesIO

    from judging.pdf import AwardListCategory, award_list_pdf

    rnd = _load_round(round_id)
    _manage(rnd.contest)
    groups: dict[int, AwardListCategory] = {}
    for r in services.results_of(rnd):
        if r.award:
            group = groups.setdefault(r.category_id, AwardListCategory(r.entry.category.name, []))
            group.rows.append((r.entry.code or "", r.entry.title, r.entry.school.name, str(AWARD_LABELS[r.award])))
    title = _("%(contest)s — award list", contest=rnd.contest.name)
    data = award_list_pdf(title, list(groups.values()), services.pdf_labels())
    return send_file(BytesIO(data), mimetype="application/pdf", as_attachment=True,
                     download_name=f"{rnd.contest.name}-获奖名单.pdf")


@bp.route("/contests/<int:contest_id>/special-awards", methods=["GET", "POST"])
def special_awards(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    _manage(contest)
    form = forms.SpecialAwardForm()
    orgs = _org_choices(contest)
    form.organisation_id.choices = [(0, "—")] + [(o.id, o.name) for o in orgs]
    if form.validate_on_submit():
        try:
            entry = None
            if form.entry_code.data and form.entry_code.data.strip():
                ids = services.resolve_entry_codes(contest, [form.entry_code.data])
                entry = db.session.get(Entry, ids[0])
            organisation = db.session.get(Organisation, form.organisation_id.data) if form.organisation_id.data else None
            advisor_id = None
            if form.kind.data == "outstanding_advisor":
                if entry is None or not entry.advisors:
                    raise DomainError(_("Give the code of an entry that has an advisor."), field="entry_code")
                advisor_id, entry = entry.advisors[0].advisor_id, None
            services.add_special_award(contest, kind=form.kind.data, entry=entry, advisor_id=advisor_id,
                                       organisation=organisation, reason=form.reason.data or "", actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            if exc.field == "conflict_entries":
                form.entry_code.errors = [str(exc)]
            else:
                _form_error(form, exc)
        else:
            db.session.commit()
            flash(_("Special award added."), "success")
            return redirect(url_for("judging.special_awards", contest_id=contest.id))
    return render_template("judging/special_awards.html", contest=contest, form=form,
                           awards=services.special_awards_of(contest), labels=SPECIAL_AWARD_LABELS)


@bp.route("/special-awards/<int:award_id>/delete", methods=["POST"])
def delete_special_award(award_id: int):
    award = get_or_404(SpecialAward, award_id)
    contest = get_or_404(Contest, award.contest_id)
    _manage(contest)
    services.remove_special_award(award, actor=current_user)
    db.session.commit()
    return redirect(url_for("judging.special_awards", contest_id=contest.id))


# --- organiser: public notice -------------------------------------------------------------------------------


@bp.route("/contests/<int:contest_id>/notice", methods=["GET", "POST"])
def notice(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    _manage(contest)
    current = services.notice_of(contest)
    form = forms.NoticeForm()
    closed = [r for r in services.rounds_of(contest) if r.is_closed() and r.results_computed_at]
    form.round_id.choices = [(r.id, r.name) for r in closed]
    if form.validate_on_submit():
        rnd = db.session.get(Round, form.round_id.data)
        try:
            services.start_notice(contest, rnd, days=form.days.data, mask_names=form.mask_names.data,
                                  actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            _form_error(form, exc)
        else:
            db.session.commit()
            flash(_("The results are published for public notice."), "success")
            return redirect(url_for("judging.notice", contest_id=contest.id))
    return render_template("judging/notice.html", contest=contest, notice=current, form=form,
                           answer_form=forms.AnswerForm())


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
        services.answer_objection(objection, accept=form.decision.data == "accept", reply=form.reply.data,
                                  actor=current_user)
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
    current = services.notice_of(contest)
    if current is None:
        abort(404)
    try:
        services.finalise_notice(current, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(_("The results are final."), "success")
    return redirect(url_for("judging.notice", contest_id=contest.id))


# --- public notice ------------------------------------------------------------------------------------------


@bp.route("/public/<int:contest_id>", methods=["GET", "POST"])
@public
@limiter.limit("10 per hour", methods=["POST"])
def public_notice(contest_id: int):
    """The public notice page (no login): entry code, title, school, award; names masked by default; objection
    form while the notice runs."""
    from core.privacy import mask_minor_name

    contest = get_or_404(Contest, contest_id)
    current = services.notice_of(contest)
    if current is None:
        abort(404)
    form = forms.ObjectionForm()
    if request.method == "POST" and current.is_running() and form.validate_on_submit():
        try:
            services.submit_objection(current, name=form.name.data, contact=form.contact.data, reason=form.reason.data,
                                      entry_code=form.entry_code.data or "")
        except DomainError as exc:
            db.session.rollback()
            _form_error(form, exc)
        else:
            db.session.commit()
            flash(_("Your objection was received. The organiser will answer it."), "success")
            return redirect(url_for("judging.public_notice", contest_id=contest.id))
    category_id = request.args.get("category", type=int)
    rows = services.public_results(current, category_id)
    members = _member_names(rows, current.mask_names, mask_minor_name)
    return render_template("judging/public_notice.html", contest=contest, notice=current, rows=rows, form=form,
                           members=members, category_id=category_id, award_labels=AWARD_LABELS,
                           specials=services.special_awards_of(contest), special_labels=SPECIAL_AWARD_LABELS)


def _member_names(rows, masked: bool, mask) -> dict[int, str]:
    """Student names per entry (masked unless the organiser chose otherwise); one query for all rows."""
    from competitions.models import EntryMember, Student

    ids = [r.entry_id for r in rows]
    if not ids:
        return {}
    names: dict[int, list[str]] = {}
    for entry_id, name in db.session.execute(sa.select(EntryMember.entry_id, Student.name).join(
            Student, Student.id == EntryMember.student_id).where(EntryMember.entry_id.in_(ids))
            .order_by(EntryMember.entry_id, EntryMember.position)).all():
        names.setdefault(entry_id, []).append(mask(name) if masked else name)
    return {k: "、".join(v) for k, v in names.items()}


# --- the judge's pages --------------------------------------------------------------------------------------


@bp.route("/my")
def my():
    """The judge's start page: contests, rounds with progress, re-check requests."""
    from core.permissions import Role

    contest_ids = current_user.scope_ids(Role.JUDGE)
    contests = db.session.execute(sa.select(Contest).where(Contest.id.in_(contest_ids or [-1]))
                                  .order_by(Contest.year.desc())).scalars().all()
    items = []
    for contest in contests:
        judge = services.judge_for_user(contest, current_user)
        rounds = []
        for rnd in services.open_rounds_for_judge(judge):
            total, done = _progress(rnd, judge)
            rounds.append((rnd, total, done))
        items.append((contest, judge, rounds))
    db.session.commit()  # judge profiles created on first visit
    return render_template("judging/my.html", items=items, rechecks=services.pending_rechecks(current_user))


def _progress(rnd: Round, judge: Judge) -> tuple[int, int]:
    total = db.session.execute(sa.select(sa.func.count()).select_from(JudgeAssignment).where(
        JudgeAssignment.round_id == rnd.id, JudgeAssignment.judge_id == judge.id,
        JudgeAssignment.status == "active")).scalar()
    done = db.session.execute(sa.select(sa.func.count()).select_from(Score).join(
        JudgeAssignment, JudgeAssignment.id == Score.assignment_id).where(
        Score.round_id == rnd.id, Score.judge_id == judge.id, Score.submitted.is_(True),
        JudgeAssignment.status == "active")).scalar()
    return total, done


def _judge_or_403(rnd: Round) -> Judge:
    require("judging.judge", rnd.contest)
    judge = services.judge_for_user(rnd.contest, current_user)
    if judge is None or judge.withdrawn_at is not None:
        abort(403)
    return judge


@bp.route("/rounds/<int:round_id>/my")
def worklist(round_id: int):
    """The judge's assigned entries with progress (done/total); a constant number of queries."""
    rnd = _load_round(round_id)
    judge = _judge_or_403(rnd)
    if rnd.status == RoundStatus.SETUP:
        abort(404)
    items = services.judge_worklist(rnd, judge)
    done = sum(1 for a in items if a.score is not None and a.score.submitted)
    return render_template("judging/worklist.html", rnd=rnd, items=items, done=done, total=len(items))


def _assignment_or_403(rnd: Round, entry: Entry) -> JudgeAssignment:
    judge = _judge_or_403(rnd)
    a = services.assignment_of(rnd, entry, judge)
    if a is None:
        abort(403)
    return a


def _score_values_from_form(rc: RoundCategory) -> dict[str, str]:
    return {str(c.id): request.form.get(f"criterion-{c.id}", "") for c in rc.criteria}


@bp.route("/rounds/<int:round_id>/entries/<int:entry_id>/score", methods=["GET", "POST"])
def score(round_id: int, entry_id: int):
    """Score one entry: per-criterion inputs (maximum, step), comment, save draft or submit."""
    rnd = _load_round(round_id)
    entry = get_or_404(Entry, entry_id)
    a = _assignment_or_403(rnd, entry)
    rc = _round_category_or_404(rnd, entry)
    errors: dict[str, str] = {}
    values = {k: v for k, v in ((a.score.values if a.score else {}) or {}).items()}
    comment = a.score.comment if a.score else ""
    if request.method == "POST":
        values = _score_values_from_form(rc)
        comment = request.form.get("comment", "")
        submit = request.form.get("action") == "submit"
        try:
            services.save_score(a, values, comment=comment, submit=submit, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            errors = _field_errors(rc, values, submit)
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(_("Score submitted.") if submit else _("Draft saved."), "success")
            return redirect(url_for("judging.worklist", round_id=rnd.id) if submit
                            else url_for("judging.score", round_id=rnd.id, entry_id=entry.id))
    items = services.judge_worklist(rnd, a.judge)
    ids = [x.entry_id for x in items]
    position = ids.index(entry.id) if entry.id in ids else 0
    next_id = ids[position + 1] if position + 1 < len(ids) else None
    others = services.visible_scores(rnd, entry, current_user, organiser=False) if rnd.is_closed() else []
    return render_template("judging/score.html", rnd=rnd, entry=entry, a=a, rc=rc, values=values, comment=comment,
                           errors=errors, decline_form=forms.DeclineForm(), next_id=next_id, others=others,
                           materials=entry.materials, accepts=rnd.accepts_scores(),
                           done=sum(1 for x in items if x.score is not None and x.score.submitted), total=len(items))


def _field_errors(rc: RoundCategory, values: dict, submit: bool) -> dict[str, str]:
    from judging import scores

    try:
        scores.validate_score_sheet(values, services.criterion_specs(rc), partial=not submit)
    except scores.ScoreSheetError as exc:
        return services.score_field_errors(exc)
    return {}


@bp.route("/rounds/<int:round_id>/entries/<int:entry_id>/autosave", methods=["POST"])
def autosave(round_id: int, entry_id: int):
    """Draft autosave from the scoring page (JSON); the same rules as saving a draft."""
    rnd = _load_round(round_id)
    entry = get_or_404(Entry, entry_id)
    a = _assignment_or_403(rnd, entry)
    payload = request.get_json(silent=True) or {}
    values = {str(k): ("" if v is None else str(v)) for k, v in (payload.get("values") or {}).items()}
    try:
        saved = services.save_score(a, values, comment=str(payload.get("comment") or ""), submit=False,
                                    actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        rc = _round_category_or_404(rnd, entry)
        return jsonify({"error": {"code": exc.code, "message": str(exc),
                                  "fields": _field_errors(rc, values, False)}}), exc.status
    body = {"saved": True, "version": saved.version, "submitted": saved.submitted,
            "total": None if saved.total is None else str(saved.total)}
    db.session.commit()
    return jsonify(body)


@bp.route("/rounds/<int:round_id>/entries/<int:entry_id>/decline", methods=["POST"])
def decline(round_id: int, entry_id: int):
    rnd = _load_round(round_id)
    entry = get_or_404(Entry, entry_id)
    a = _assignment_or_403(rnd, entry)
    form = forms.DeclineForm()
    if not form.validate_on_submit():
        flash(_("Say why you cannot judge this entry."), "danger")
        return redirect(url_for("judging.score", round_id=rnd.id, entry_id=entry.id))
    try:
        services.decline_assignment(a, form.reason.data, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("judging.score", round_id=rnd.id, entry_id=entry.id))
    db.session.commit()
    flash(_("The entry goes back to the organisers for another judge."), "info")
    return redirect(url_for("judging.worklist", round_id=rnd.id))


@bp.route("/rounds/<int:round_id>/entries/<int:entry_id>/materials/<int:material_id>")
def material(round_id: int, entry_id: int, material_id: int):
    """A material of an assigned entry, inline (PDF, images) for its judges and the organisers."""
    from competitions.services import material_path

    rnd = _load_round(round_id)
    entry = get_or_404(Entry, entry_id)
    if not can("judging.manage", rnd.contest):
        _assignment_or_403(rnd, entry)
    item = get_or_404(Material, material_id)
    if item.entry_id != entry.id:
        abort(404)
    thumb = request.args.get("thumb") == "1" and item.thumbnail_name
    path = material_path(item.thumbnail_name if thumb else item.stored_name)
    if not path.is_file():
        abort(404)
    mimetypes = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif",
                 "webp": "image/webp", "mp4": "video/mp4", "mov": "video/quicktime"}
    mimetype = "image/jpeg" if thumb else mimetypes.get(item.file_type, "application/octet-stream")
    inline = thumb or item.file_type in mimetypes
    return send_file(path, mimetype=mimetype, as_attachment=not inline, download_name=item.original_name)


# --- referee ---------------------------------------------------------------------------------------------------


@bp.route("/rounds/<int:round_id>/referee")
def referee(round_id: int):
    """Performance categories of the round: entries and their runs."""
    rnd = _load_round(round_id)
    require("judging.referee", rnd.contest)
    perf = [rc for rc in rnd.categories if rc.is_performance]
    entries = services.round_entries(rnd)
    runs = {rc.category_id: services.runs_of(rnd, rc.category_id) for rc in perf}
    return render_template("judging/referee.html", rnd=rnd, perf=perf, entries=entries, runs=runs,
                           status_labels=RUN_STATUS_LABELS, rule_labels=PERFORMANCE_RULE_LABELS)


@bp.route("/rounds/<int:round_id>/referee/<int:entry_id>", methods=["GET", "POST"])
def referee_entry(round_id: int, entry_id: int):
    from judging.performance import format_time

    rnd = _load_round(round_id)
    require("judging.referee", rnd.contest)
    entry = get_or_404(Entry, entry_id)
    rc = _round_category_or_404(rnd, entry)
    if not rc.is_performance:
        abort(404)  # rubric categories are scored by judges, not refereed
    form = forms.RunForm()
    runs = services.runs_of(rnd, entry.category_id).get(entry.id, [])
    if request.method == "GET":
        form.run_number.data = request.args.get("run", type=int) or 1
        existing = next((r for r in runs if r.run_number == form.run_number.data), None)
        if existing is not None:  # correcting a run starts from what was recorded
            form.points.data = services.plain_number(existing.points)
            form.time.data = "" if existing.time_cs is None else format_time(existing.time_cs)
            form.penalty_seconds.data = existing.penalty_seconds
            form.status.data = existing.status
    if form.validate_on_submit():
        try:
            services.record_run(rnd, entry, run_number=form.run_number.data, points=form.points.data,
                                time_text=form.time.data or "", penalty_seconds=form.penalty_seconds.data or 0,
                                status=form.status.data, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            _form_error(form, exc)
        else:
            db.session.commit()
            flash(_("Run saved."), "success")
            return redirect(url_for("judging.referee_entry", round_id=rnd.id, entry_id=entry.id))
    return render_template("judging/referee_entry.html", rnd=rnd, rc=rc, entry=entry, form=form, runs=runs,
                           format_time=format_time, status_labels=RUN_STATUS_LABELS, accepts=rnd.accepts_scores())


@bp.route("/runs/<int:run_id>/confirm", methods=["POST"])
def confirm_run(run_id: int):
    run = get_or_404(PerformanceRun, run_id)
    rnd = _load_round(run.round_id)
    require("judging.referee", rnd.contest)
    try:
        services.confirm_run(run, current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(_("Run confirmed."), "success")
    return redirect(url_for("judging.referee_entry", round_id=rnd.id, entry_id=run.entry_id))


@bp.route("/rounds/<int:round_id>/entries/<int:entry_id>/scores")
def entry_scores(round_id: int, entry_id: int):
    """All scores of an entry for organisers (always) — raw, per criterion, with comments."""
    rnd = _load_round(round_id)
    _manage(rnd.contest)
    entry = get_or_404(Entry, entry_id)
    rc = _round_category_or_404(rnd, entry)
    rows = services.visible_scores(rnd, entry, current_user, organiser=True)
    return render_template("judging/entry_scores.html", rnd=rnd, entry=entry, rows=rows, rc=rc)
