"""Organisers' pages for a round's results: compute, override, judge quality and re-checks, paper score import
(and its template), exports, score sheets, award-list PDFs, one entry's scores."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from competitions.models import Contest, Entry
from core.extensions import db
from core.forms import commit_or_show
from core.permissions import can, get_or_404, require
from judging import forms
from judging.aggregation import MIN_SCORES_TO_NORMALISE, TRIMMING_METHODS
from judging.models import (
    AWARD_LABELS,
    JudgeAssignment,
    Result,
    Score,
)
from judging.services import judges as judges_service
from judging.services import notice as notice_service
from judging.services import results as results_service
from judging.services import rounds as rounds_service
from judging.services import score_import
from judging.services import scoring as scoring_service
from judging.services import sheets as sheets_service
from judging.views.common import _contest_of, _load_round, _manage, _round_category_or_404, bp


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
    if commit_or_show(
        lambda: results_service.compute_results(rnd, actor=current_user), success=_("Results computed.")
    ) and results_service.normalisation_warnings(rnd):
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
    commit_or_show(
        lambda: results_service.override_award(result, form.award.data or None, form.reason.data, actor=current_user),
        success=_("Award changed; the change is recorded in the audit log."),
    )
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
    commit_or_show(
        lambda: scoring_service.request_recheck(score, form.message.data or "", actor=current_user),
        success=_("The judge is asked to re-check the score."),
    )
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
    rows = sheets_service.result_rows(rnd)
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
    if not can("judging.manage", _contest_of(rnd)):
        require("judging.judge", rnd.contest)
        judge = judges_service.find_judge(rnd.contest, current_user)
    data = score_sheets_pdf(sheets_service.score_sheet_data(rnd, judge), sheets_service.pdf_labels())
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

    people = sheets_service.entry_people(results)
    groups: dict[int, AwardListCategory] = {}
    for r in results:
        if r.award:
            students, advisors = people.get(r.entry_id, ("", ""))
            group = groups.setdefault(r.category_id, AwardListCategory(r.entry.category.name, []))
            group.rows.append(
                (r.entry.code or "", r.entry.title, r.entry.school.name, students, advisors, str(AWARD_LABELS[r.award]))
            )
    title = _("%(contest)s — award list", contest=contest.name)
    data = award_list_pdf(title, list(groups.values()), sheets_service.pdf_labels())
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


@bp.route("/rounds/<int:round_id>/entries/<int:entry_id>/scores")
def entry_scores(round_id: int, entry_id: int):
    """All scores of an entry for organisers (always) — raw, per criterion, with comments."""
    rnd = _load_round(round_id)
    _manage(rnd.contest)
    entry = get_or_404(Entry, entry_id)
    rc = _round_category_or_404(rnd, entry)
    rows = scoring_service.visible_scores(rnd, entry, current_user, organiser=True)
    return render_template("judging/entry_scores.html", rnd=rnd, entry=entry, rows=rows, rc=rc)
