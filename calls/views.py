"""Pages of calls: the organiser sets a call up (outcome, application form), reviews applications and types in
experts' scores, sees the results; applicants apply to open calls."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.models import Organisation
from calls import leaks, nominations, outcomes, services
from calls.eligibility import describe as describe_rule
from calls.fields import FIELD_KIND_LABELS, answer_fields
from calls.files import Upload, files_of
from calls.forms import CallForm, FieldForm, OutcomeForm, ReviewForm, ScoreForm
from calls.models import CALL_STATUS_LABELS, Applicants, Call, CallApplication, CallStatus
from competitions.materials import format_size
from core.errors import DomainError
from core.extensions import db
from core.forms import commit_or_show
from core.permissions import can, get_or_404, is_admin, require
from judging.models import METHOD_LABELS

bp = Blueprint("calls", __name__)


def _field_error(form, exc: DomainError) -> None:
    """A service's error next to the field it names, else as a message at the top."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, str(exc)]
    else:
        flash(str(exc), "danger")


class _FieldErrors:
    """The apply page's fields for core.forms.commit_or_show: a service's error on one of them (title, applicant,
    unit, nominating association, a form field's key) is kept under its name and shown next to it; any other
    error is flashed at the top."""

    class _Field:
        def __init__(self, errors: dict[str, str], name: str) -> None:
            self._store, self._name = errors, name

        @property
        def errors(self) -> list[str]:
            return [self._store[self._name]] if self._name in self._store else []

        @errors.setter
        def errors(self, messages: list[str]) -> None:
            self._store[self._name] = messages[-1]

    def __init__(self, names) -> None:
        self.errors: dict[str, str] = {}
        self._names = set(names)

    def __getattr__(self, name: str):
        if name.startswith("_") or name not in self._names:
            raise AttributeError(name)
        return self._Field(self.errors, name)


@bp.route("/")
def index():
    """The calls an organiser runs, and the calls open to the current user."""
    managed = (
        services.calls_for(current_user, is_admin=is_admin(current_user))
        if (current_user.organised_org_ids() or is_admin(current_user))
        else []
    )
    counts = services.application_counts([c.id for c in managed])
    open_to_me = [c for c in services.open_calls() if can("calls.apply", c)]
    return render_template(
        "calls/index.html",
        managed=managed,
        counts=counts,
        open_to_me=open_to_me,
        mine=services.applications_by(current_user),
    )


@bp.route("/new", methods=["GET", "POST"])
def new_call():
    org_ids = sorted(current_user.organised_org_ids())
    organisation = db.session.get(Organisation, org_ids[0]) if org_ids else None
    if organisation is None:
        abort(403)
    require("calls.create", organisation)
    form = CallForm()
    if form.validate_on_submit():
        try:
            call = services.create_call(
                organisation,
                year=form.year.data,
                title=form.title.data,
                subject=form.subject.data,
                applicants=form.applicants.data,
                outcome=form.outcome.data,
                outcome_rule=form.outcome_rule(),
                description=form.description.data or "",
                method=form.method.data,
            )
        except DomainError as exc:
            db.session.rollback()
            if exc.field == "outcome_rule":  # next to the inputs of the chosen outcome
                exc.field = {"bands": "bands", "top": "top_n"}.get(form.outcome.data, "first")
            _field_error(form, exc)
        else:
            db.session.commit()
            flash(_("Call created. Build its application form, then open it."), "success")
            return redirect(url_for("calls.call", call_id=call.id))
    return render_template("calls/new.html", form=form, organisation=organisation)


@bp.route("/<int:call_id>")
def call(call_id: int):
    call = get_or_404(Call, call_id)
    require("calls.manage", call)
    return render_template(
        "calls/call.html",
        call=call,
        field_form=FieldForm(prefix="field"),
        kind_labels=FIELD_KIND_LABELS,
        status_labels=CALL_STATUS_LABELS,
        transitions=services.TRANSITIONS[CallStatus(call.status)],
        applications=services.applications_of(call),
        rule_text=outcomes.describe(call.outcome, call.outcome_rule),
    )


@bp.route("/<int:call_id>/outcome", methods=["GET", "POST"])
def outcome(call_id: int):
    """Change how results are decided (until they are final): the results page shows the new rule at once."""
    call = get_or_404(Call, call_id)
    require("calls.manage", call)
    form = OutcomeForm()
    if form.validate_on_submit():
        try:
            services.set_outcome(call, form.outcome.data, form.outcome_rule())
        except DomainError as exc:
            db.session.rollback()
            if exc.field == "outcome_rule":  # next to the inputs of the chosen outcome
                exc.field = {"bands": "bands", "top": "top_n"}.get(form.outcome.data, "first")
            _field_error(form, exc)
        else:
            db.session.commit()
            flash(_("Outcome saved."), "success")
            return redirect(url_for("calls.results", call_id=call.id))
    elif request.method == "GET":
        form.fill_from(call.outcome, call.outcome_rule)
    return render_template("calls/outcome.html", call=call, form=form)


@bp.route("/<int:call_id>/fields", methods=["POST"])
def add_field(call_id: int):
    call = get_or_404(Call, call_id)
    require("calls.manage", call)
    form = FieldForm(prefix="field")
    if form.validate_on_submit():
        try:
            services.add_field(call, form.definition())
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(_("Field added."), "success")
    else:
        flash(_("Give the field a label."), "danger")
    return redirect(url_for("calls.call", call_id=call.id) + "#form-fields")


@bp.route("/<int:call_id>/fields/<key>/remove", methods=["POST"])
def remove_field(call_id: int, key: str):
    call = get_or_404(Call, call_id)
    require("calls.manage", call)
    try:
        services.remove_field(call, key)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
    return redirect(url_for("calls.call", call_id=call.id) + "#form-fields")


@bp.route("/<int:call_id>/status", methods=["POST"])
def set_status(call_id: int):
    call = get_or_404(Call, call_id)
    require("calls.manage", call)
    try:
        services.set_status(call, request.form.get("status", ""))
    except (DomainError, ValueError) as exc:
        db.session.rollback()
        flash(str(exc) if isinstance(exc, DomainError) else _("Unknown status."), "danger")
    else:
        db.session.commit()
        flash(_("The call is now: %(status)s.", status=call.status_label), "success")
    return redirect(url_for("calls.call", call_id=call.id))


@bp.route("/<int:call_id>/apply", methods=["GET", "POST"])
def apply(call_id: int):
    """The call's own form, field by field; refused answers are shown next to their field."""
    call = get_or_404(Call, call_id)
    require("calls.apply", call)
    errors: dict[str, str] = {}
    quotas = nominations.nominating_for(call, current_user) if call.applicants == Applicants.NOMINATIONS else []
    if request.method == "POST":
        answers = {d["key"]: request.form.get(d["key"], "") for d in answer_fields(call.form_fields)}
        uploads = {
            d["key"]: [Upload(f.filename or "", f.read()) for f in request.files.getlist(d["key"]) if f.filename]
            for d in call.form_fields
            if d["kind"] == "file"
        }
        given = {
            "title": request.form.get("title", ""),
            "applicant_name": request.form.get("applicant_name", ""),
            "unit_name": request.form.get("unit_name", ""),
            "answers": answers,
            "uploads": uploads,
        }

        def submit():
            if call.applicants == Applicants.NOMINATIONS:
                by = request.form.get("nominated_by", "")
                return nominations.nominate(call, int(by) if by.isdigit() else 0, current_user, **given)
            return services.submit_application(call, actor=current_user, **given)

        shown = _FieldErrors(
            ["title", "applicant_name", "unit_name", "nominated_by", *(d["key"] for d in call.form_fields)]
        )
        done = commit_or_show(submit, shown)
        if done:
            application = done.value
            flash(_("Application %(code)s submitted; the organiser reviews it.", code=application.code), "success")
            return redirect(url_for("calls.application", application_id=application.id))
        errors = shown.errors
    return render_template(
        "calls/apply.html",
        call=call,
        errors=errors,
        kind_labels=FIELD_KIND_LABELS,
        quotas=quotas,
        used=nominations.nominated_counts(call) if quotas else {},
        rules=[describe_rule(r, call.form_fields) for r in call.eligibility],
    )


@bp.route("/applications/<int:application_id>", methods=["GET", "POST"])
def application(application_id: int):
    """An application's answers; its organisers review it and type in experts' scores here."""
    application = get_or_404(CallApplication, application_id)
    require("calls.view_application", application)
    manage = can("calls.manage", application.call)
    review_form, score_form = ReviewForm(prefix="review"), ScoreForm(prefix="score")
    if request.method == "POST":
        if not manage:
            abort(403)
        form = review_form if request.form.get("action") == "review" else score_form
        if form.validate_on_submit():
            try:
                if form is review_form:
                    services.review_application(application, form.decision.data, form.reason.data, current_user)
                else:
                    services.record_score(application, form.expert_name.data, form.total.data, current_user)
            except DomainError as exc:
                db.session.rollback()
                _field_error(form, exc)
            else:
                db.session.commit()
                flash(_("Saved."), "success")
                return redirect(url_for("calls.application", application_id=application.id))
    files = files_of(application)
    return render_template(
        "calls/application.html",
        application=application,
        call=application.call,
        manage=manage,
        review_form=review_form,
        score_form=score_form,
        kind_labels=FIELD_KIND_LABELS,
        files=files,
        leak_lines=leaks.warnings_of([f for field in files.values() for f in field]) if manage else [],
        format_size=format_size,
    )


@bp.route("/<int:call_id>/results")
def results(call_id: int):
    call = get_or_404(Call, call_id)
    require("calls.manage", call)
    results = services.compute_results(call)
    return render_template(
        "calls/results.html",
        call=call,
        results=results,
        summary=results.summary,
        method_label=METHOD_LABELS.get(call.method, call.method),
    )
