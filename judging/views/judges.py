"""Organisers' pages for a contest's judges: invite, the list with workplaces (回避), a judge's profile (also
the judge's own declaration), withdrawal."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.models import Organisation
from competitions.models import Contest, Entry
from core.extensions import db
from core.forms import commit_or_show
from core.permissions import can, get_or_404
from judging import forms
from judging.models import Judge
from judging.services import assignment as assignment_service
from judging.services import judges as judges_service
from judging.views.common import _manage, _org_choices, bp


@bp.route("/contests/<int:contest_id>/judges", methods=["GET", "POST"])
def judges(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    _manage(contest)
    form = forms.InviteJudgeForm()
    link = None
    if form.validate_on_submit():
        done = commit_or_show(
            lambda: judges_service.invite_judge(
                contest, email=form.email.data, name=form.name.data or "", actor=current_user
            ),
            form,
        )
        if done:
            judge, token = done.value
            if token:
                link = url_for("accounts.accept_invitation", token=token, _external=True)
                flash(_("No account uses this email yet: send the invitation link below."), "info")
            else:
                flash(_("%(name)s is now a judge of this contest.", name=judge.user.display_name), "success")
                return redirect(url_for("judging.judges", contest_id=contest.id))
    rows = judges_service.judges_of(contest)
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
    done = commit_or_show(lambda: assignment_service.withdraw_judge(judge, actor=current_user))
    if done:
        short = sum(done.value.values())
        flash(
            _("%(name)s withdrew; their entries were reassigned.", name=judge.user.display_name)
            + (" " + _("%(n)d entries still lack judges.", n=short) if short else ""),
            "warning" if short else "success",
        )
    return redirect(url_for("judging.judges", contest_id=judge.contest_id))
