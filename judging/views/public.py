"""The public notice (公示) page with its objection form (no login)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from competitions.models import Contest
from core.errors import DomainError
from core.extensions import db, limiter
from core.permissions import get_or_404, public
from judging import forms
from judging.models import (
    AWARD_LABELS,
    SPECIAL_AWARD_LABELS,
)
from judging.services import notice as notice_service
from judging.services import results as results_service
from judging.services import rounds as rounds_service
from judging.views.common import _form_error, bp


@bp.route("/public/<int:contest_id>", methods=["GET", "POST"])
@public
@limiter.limit("10 per hour", methods=["POST"])
def public_notice(contest_id: int):
    """The public notice page (no login): entry code, title, school, award; names masked by default; objection
    form while the notice runs."""
    from judging.exports import mask_name

    contest = get_or_404(Contest, contest_id)
    current = rounds_service.notice_of(contest)
    if current is None:
        abort(404)
    form = forms.ObjectionForm()
    if request.method == "POST" and current.is_running() and form.validate_on_submit():
        try:
            notice_service.submit_objection(current, name=form.name.data, contact=form.contact.data, reason=form.reason.data,
                                      entry_code=form.entry_code.data or "")
        except DomainError as exc:
            db.session.rollback()
            _form_error(form, exc)
        else:
            db.session.commit()
            flash(_("Your objection was received. The organiser will answer it."), "success")
            return redirect(url_for("judging.public_notice", contest_id=contest.id))
    category_id = request.args.get("category", type=int)
    rows = notice_service.public_results(current, category_id)
    members = _member_names(rows, current.mask_names, mask_name)
    return render_template("judging/public_notice.html", contest=contest, notice=current, rows=rows, form=form,
                           members=members, category_id=category_id, award_labels=AWARD_LABELS,
                           specials=results_service.special_awards_of(contest), special_labels=SPECIAL_AWARD_LABELS)


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
