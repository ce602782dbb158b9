"""Pages of the expert pool (专家库): the association's organisers search and add experts, see each one's calls
and conflicts, invite experts to a call; an expert sees the calls they were invited to. Routes on calls' blueprint."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.models import Organisation, OrganisationKind
from calls import experts
from calls.forms import ConflictForm, ExpertForm
from calls.models import Call
from calls.views import bp
from core.extensions import db
from core.forms import commit_or_show
from core.permissions import Role, get_or_404, require
from core.privacy import mask_contact


def _pool_owner() -> Organisation:
    """The association whose pool the current organiser keeps: the one chosen (?org=), else their first."""
    ids = sorted(current_user.scope_ids(Role.ORGANISER))
    chosen = request.args.get("org", type=int)
    org_id = chosen if chosen in current_user.organised_org_ids() else (ids[0] if ids else None)
    organisation = db.session.get(Organisation, org_id) if org_id else None
    if organisation is None or organisation.kind != OrganisationKind.ASSOCIATION:
        abort(403)
    require("calls.manage_pool", organisation)
    return organisation


@bp.route("/experts", methods=["GET", "POST"])
def pool():
    organisation = _pool_owner()
    form = ExpertForm()
    if form.validate_on_submit():
        done = commit_or_show(lambda: experts.add_expert(organisation, form.data), form, _("Expert added to the pool."))
        if done:
            return redirect(url_for("calls.pool", org=organisation.id))
    name, field = request.args.get("name", ""), request.args.get("field", "")
    page = experts.search_experts({organisation.id}, name=name, field=field, page=request.args.get("page", 1, type=int))
    masked = {e.id: (mask_contact(e.mobile), mask_contact(e.email)) for e in page.items}  # lists show contacts masked
    return render_template(
        "calls/pool.html",
        organisation=organisation,
        form=form,
        page=page,
        name=name,
        field=field,
        fields=experts.pool_fields({organisation.id}),
        masked=masked,
    )


@bp.route("/experts/<int:expert_id>", methods=["GET", "POST"])
def expert(expert_id: int):
    expert = get_or_404(experts.Expert, expert_id)
    require("calls.manage_pool", expert.organisation)
    form = ConflictForm()
    calls = db.session.execute(
        sa.select(Call).where(Call.organisation_id == expert.organisation_id).order_by(Call.id.desc())
    ).scalars()
    form.call_id.choices = [(0, _("Every call"))] + [(c.id, f"{c.year} {c.title}") for c in calls]
    if form.validate_on_submit():
        call = db.session.get(Call, form.call_id.data) if form.call_id.data else None
        if commit_or_show(
            lambda: experts.declare_conflict(expert, form.note.data, call), form, _("Conflict recorded.")
        ):
            return redirect(url_for("calls.expert", expert_id=expert.id))
    return render_template("calls/expert.html", expert=expert, form=form)


@bp.route("/<int:call_id>/experts", methods=["GET", "POST"])
def call_experts(call_id: int):
    """Invite experts of the association's pool to the call; those invited, with how their invitation stands."""
    call = get_or_404(Call, call_id)
    require("calls.manage", call)
    if request.method == "POST":
        expert = get_or_404(experts.Expert, request.form.get("expert_id", type=int))
        done = commit_or_show(
            lambda: experts.invite_to_call(expert, call, current_user),
            None,
            _("%(name)s is invited.", name=expert.name),
        )
        if done:
            return redirect(url_for("calls.call_experts", call_id=call.id))
    experts.link_accepted_invitations(call)
    db.session.commit()
    name, field = request.args.get("name", ""), request.args.get("field", "")
    page = experts.search_experts(
        {call.organisation_id}, name=name, field=field, page=request.args.get("page", 1, type=int), per_page=20
    )
    invited = experts.invited_to(call)
    return render_template(
        "calls/call_experts.html",
        call=call,
        page=page,
        invited=invited,
        name=name,
        field=field,
        invited_ids={i.expert_id for i in invited},
        fields=experts.pool_fields({call.organisation_id}),
    )


@bp.route("/mine/expert")
def expert_calls():
    """The calls the current user reviews as an expert — only those."""
    return render_template("calls/expert_calls.html", calls=experts.calls_of_expert(current_user))
