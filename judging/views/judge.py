"""The judge's pages: contests, worklist, scoring (mobile), autosave, decline, materials."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from competitions.models import Contest, Entry, Material
from competitions.sorting import sort_entries
from core.errors import DomainError
from core.extensions import db
from core.forms import commit_or_show
from core.permissions import can, get_or_404, require
from judging import forms
from judging.models import (
    Judge,
    JudgeAssignment,
    Round,
    RoundCategory,
    RoundStatus,
)
from judging.presentations import services as presentations
from judging.services import assignment as assignment_service
from judging.services import judges as judges_service
from judging.services import rounds as rounds_service
from judging.services import scoring as scoring_service
from judging.views.common import _load_round, _round_category_or_404, bp


@bp.route("/my")
def my():
    """The judge's start page: contests, rounds with progress, re-check requests."""
    from core.permissions import Role

    contest_ids = current_user.scope_ids(Role.JUDGE)
    contests = (
        db.session.execute(sa.select(Contest).where(Contest.id.in_(contest_ids or [-1])).order_by(Contest.year.desc()))
        .scalars()
        .all()
    )
    contests += judges_service.other_owners_of(current_user)  # calls the user reviews as an invited expert
    progress = assignment_service.progress_of(current_user)
    items = []
    for contest in contests:
        judge = judges_service.find_judge(contest, current_user)
        rounds = []
        for rnd in assignment_service.open_rounds_for_judge(judge) if judge is not None else []:
            total, done = progress.get(rnd.id, (0, 0))
            rounds.append((rnd, total, done))
        items.append((contest, judge, rounds))
    return render_template(
        "judging/my.html",
        items=items,
        rechecks=scoring_service.pending_rechecks(current_user),
        slots=presentations.slots_of_user(current_user),
    )


def _judge_or_403(rnd: Round) -> Judge:
    require("judging.judge", rnd.owner)
    judge = judges_service.find_judge(rnd.owner, current_user)
    if judge is None or judge.withdrawn_at is not None:
        abort(403)
    return judge


JUDGE_SORTS = ("code", "title")  # a judge's list may be blind: no order by school or author


@bp.route("/rounds/<int:round_id>/my")
def worklist(round_id: int):
    """The judge's assigned entries with progress (done/total); a constant number of queries."""
    rnd = _load_round(round_id)
    judge = _judge_or_403(rnd)
    if rnd.status == RoundStatus.SETUP:
        abort(404)
    sort = request.args.get("sort") if request.args.get("sort") in JUDGE_SORTS else "code"  # never by school or name
    subs = None
    if rnd.owned_by_contest:
        items = sort_entries(assignment_service.judge_worklist(rnd, judge), sort, entry_of=lambda a: a.entry)
    else:  # another owner's round (a call): the submissions as its kind shows them to a blind reviewer
        items = assignment_service.judge_worklist(rnd, judge)
        subs = judges_service.submissions_of(rnd, [a.entry_id for a in items])
        items = [a for a in items if a.entry_id in subs]
        items.sort(key=lambda a: (getattr(subs[a.entry_id], sort), a.entry_id))
    done = sum(1 for a in items if a.score is not None and a.score.submitted)
    return render_template(
        "judging/worklist.html",
        rnd=rnd,
        items=items,
        subs=subs,
        done=done,
        total=len(items),
        sort=sort,
        sorts=JUDGE_SORTS,
        words=judges_service.judge_words(rnd),
    )


def _judged_or_404(rnd: Round, entry_id: int):
    """The entry of a contest's round, or the submission of another owner's round (a call's application)."""
    if rnd.owned_by_contest:
        return get_or_404(Entry, entry_id)
    found = judges_service.submissions_of(rnd, [entry_id]).get(entry_id)
    if found is None:
        abort(404)
    return found


def _rubric_or_404(rnd: Round, entry) -> RoundCategory:
    if not rnd.owned_by_contest:
        return rnd.categories[0]
    return _round_category_or_404(rnd, entry)


def _assignment_or_403(rnd: Round, entry: Entry) -> JudgeAssignment:
    judge = _judge_or_403(rnd)
    a = assignment_service.assignment_of(rnd, entry, judge)
    if a is None:
        abort(403)
    return a


def _score_values_from_form(rc: RoundCategory) -> dict[str, str]:
    return {str(c.id): request.form.get(f"criterion-{c.id}", "") for c in rc.criteria}


@bp.route("/rounds/<int:round_id>/entries/<int:entry_id>/score", methods=["GET", "POST"])
def score(round_id: int, entry_id: int):
    """Score one entry: per-criterion inputs (maximum, step), comment, save draft or submit."""
    rnd = _load_round(round_id)
    entry = _judged_or_404(rnd, entry_id)
    a = _assignment_or_403(rnd, entry)
    rc = _rubric_or_404(rnd, entry)
    errors: dict[str, str] = {}
    values = {k: v for k, v in ((a.score.values if a.score else {}) or {}).items()}
    comment = a.score.comment if a.score else ""
    if request.method == "POST":
        values = _score_values_from_form(rc)
        comment = request.form.get("comment", "")
        submit = request.form.get("action") == "submit"
        if commit_or_show(
            lambda: scoring_service.save_score(a, values, comment=comment, submit=submit, actor=current_user),
            success=_("Score submitted.") if submit else _("Draft saved."),
        ):
            return redirect(
                url_for("judging.worklist", round_id=rnd.id)
                if submit
                else url_for("judging.score", round_id=rnd.id, entry_id=entry.id)
            )
        errors = _field_errors(rc, values, submit)
    items = assignment_service.judge_worklist(rnd, a.judge)
    ids = [x.entry_id for x in items]
    position = ids.index(entry.id) if entry.id in ids else 0
    next_id = ids[position + 1] if position + 1 < len(ids) else None
    others = scoring_service.visible_scores(rnd, entry, current_user, organiser=False) if rnd.is_closed() else []
    words = judges_service.judge_words(rnd)
    decline_form = forms.DeclineForm()
    decline_form.reason.label.text = words["why"]
    return render_template(
        "judging/score.html",
        rnd=rnd,
        entry=entry,
        a=a,
        rc=rc,
        values=values,
        comment=comment,
        errors=errors,
        decline_form=decline_form,
        next_id=next_id,
        others=others,
        words=words,
        materials=entry.materials if rnd.owned_by_contest else [],
        texts=[] if rnd.owned_by_contest else entry.materials,
        accepts=rnd.accepts_scores(),
        done=sum(1 for x in items if x.score is not None and x.score.submitted),
        total=len(items),
    )


def _field_errors(rc: RoundCategory, values: dict, submit: bool) -> dict[str, str]:
    from judging import scores

    try:
        scores.validate_score_sheet(values, rounds_service.criterion_specs(rc), partial=not submit)
    except scores.ScoreSheetError as exc:
        return scoring_service.score_field_errors(exc)
    return {}


@bp.route("/rounds/<int:round_id>/entries/<int:entry_id>/autosave", methods=["POST"])
def autosave(round_id: int, entry_id: int):
    """Draft autosave from the scoring page (JSON); the same rules as saving a draft."""
    rnd = _load_round(round_id)
    entry = _judged_or_404(rnd, entry_id)
    a = _assignment_or_403(rnd, entry)
    payload = request.get_json(silent=True) or {}
    values = {str(k): ("" if v is None else str(v)) for k, v in (payload.get("values") or {}).items()}
    try:
        saved = scoring_service.save_score(
            a, values, comment=str(payload.get("comment") or ""), submit=False, actor=current_user
        )
    except DomainError as exc:
        db.session.rollback()
        rc = _rubric_or_404(rnd, entry)
        return jsonify(
            {"error": {"code": exc.code, "message": str(exc), "fields": _field_errors(rc, values, False)}}
        ), exc.status
    body = {
        "saved": True,
        "version": saved.version,
        "submitted": saved.submitted,
        "total": None if saved.total is None else str(saved.total),
    }
    db.session.commit()
    return jsonify(body)


@bp.route("/rounds/<int:round_id>/entries/<int:entry_id>/decline", methods=["POST"])
def decline(round_id: int, entry_id: int):
    rnd = _load_round(round_id)
    entry = _judged_or_404(rnd, entry_id)
    a = _assignment_or_403(rnd, entry)
    form = forms.DeclineForm()
    if not form.validate_on_submit():
        flash(_("Say why you cannot judge this entry."), "danger")
        return redirect(url_for("judging.score", round_id=rnd.id, entry_id=entry.id))
    if not commit_or_show(
        lambda: assignment_service.decline_assignment(a, form.reason.data, actor=current_user),
        success=_("The entry goes back to the organisers for another judge."),
        category="info",
    ):
        return redirect(url_for("judging.score", round_id=rnd.id, entry_id=entry.id))
    return redirect(url_for("judging.worklist", round_id=rnd.id))


@bp.route("/rounds/<int:round_id>/entries/<int:entry_id>/materials/<int:material_id>")
def material(round_id: int, entry_id: int, material_id: int):
    """A material of an assigned entry, inline (PDF, images) for its judges and the organisers."""
    from competitions.services.materials import material_path

    rnd = _load_round(round_id)
    if not rnd.owned_by_contest:  # an entry's materials only: a call's files are served by calls
        abort(404)
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
    mimetypes = {
        "pdf": "application/pdf",
        "png": "image/png",
        "jpeg": "image/jpeg",
        "gif": "image/gif",
        "webp": "image/webp",
        "mp4": "video/mp4",
        "mov": "video/quicktime",
    }
    mimetype = "image/jpeg" if thumb else mimetypes.get(item.file_type, "application/octet-stream")
    inline = thumb or item.file_type in mimetypes
    return send_file(path, mimetype=mimetype, as_attachment=not inline, download_name=item.original_name)
