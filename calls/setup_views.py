"""Pages of a call's eligibility rules, its nominations with per-association quotas, and the download of an
application's files. Routes on calls' blueprint."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from calls import nominations, services
from calls.eligibility import describe as describe_rule
from calls.files import ApplicationFile, path_of
from calls.forms import RuleForm
from calls.models import Applicants, Call
from calls.views import bp
from core.forms import commit_or_show
from core.permissions import get_or_404, require


@bp.route("/<int:call_id>/rules", methods=["GET", "POST"])
def rules(call_id: int):
    """申报条件: rules over the form's date and choice fields, checked when an application is submitted."""
    call = get_or_404(Call, call_id)
    require("calls.manage", call)
    form = RuleForm()
    form.field.choices = [(d["key"], d["label"]) for d in call.form_fields if d["kind"] != "file"]
    if request.method == "POST" and request.form.get("remove", "").isdigit():
        index = int(request.form["remove"])
        if commit_or_show(lambda: services.remove_rule(call, index), None, _("Rule removed.")):
            return redirect(url_for("calls.rules", call_id=call.id))
    elif form.validate_on_submit():
        if commit_or_show(lambda: services.add_rule(call, form.rule()), form, _("Rule added.")):
            return redirect(url_for("calls.rules", call_id=call.id))
    return render_template(
        "calls/rules.html",
        call=call,
        form=form,
        described=[describe_rule(r, call.form_fields) for r in call.eligibility],
    )


@bp.route("/<int:call_id>/nominations", methods=["GET", "POST"])
def call_nominations(call_id: int):
    """The call's association sets each lower association's quota and sees the nominations by association."""
    call = get_or_404(Call, call_id)
    require("calls.manage", call)
    if call.applicants != Applicants.NOMINATIONS:
        abort(404)
    lower = nominations.lower_associations(call)
    if request.method == "POST":
        quotas = {o.id: request.form.get(f"quota-{o.id}", "") for o in lower}
        if commit_or_show(lambda: nominations.set_quotas(call, quotas) or True, None, _("Quotas saved.")):
            return redirect(url_for("calls.call_nominations", call_id=call.id))
    by_association = nominations.nominations_by_association(call)
    quota_of = {q.organisation_id: q.quota for q, _apps in by_association}
    return render_template(
        "calls/nominations.html", call=call, lower=lower, quota_of=quota_of, by_association=by_association
    )


@bp.route("/files/<int:file_id>")
def download_file(file_id: int):
    """An application's file, for its applicant and the call's organisers; never for an expert (calls.policies:
    rounds are double-blind and a file may name the authors)."""
    file = get_or_404(ApplicationFile, file_id)
    require("calls.view_application", file.application)
    path = path_of(file)
    if not path.is_file():
        abort(404)
    return send_file(path, download_name=file.original_name, as_attachment=True)
