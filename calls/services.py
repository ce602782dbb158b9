"""Every state change of calls and its non-trivial queries. Functions flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from accounts.models import Organisation, User
from calls import eligibility, outcomes
from calls import fields as form_fields
from calls import files as call_files
from calls.models import (
    CALL_STATUS_LABELS,
    Applicants,
    ApplicationStatus,
    Call,
    CallApplication,
    CallScore,
    CallStatus,
    Subject,
)
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from core.i18n import select_timezone
from core.locks import acquire_lock
from judging.aggregation import METHODS, AggregationOptions, EntryResult, JudgeScore, aggregate, rank_results

#: Where a call may go from each status.
TRANSITIONS = {
    CallStatus.DRAFT: {CallStatus.OPEN},
    CallStatus.OPEN: {CallStatus.REVIEW, CallStatus.DRAFT},
    CallStatus.REVIEW: {CallStatus.FINISHED, CallStatus.OPEN},
    CallStatus.FINISHED: {CallStatus.REVIEW},
}


def create_call(
    organisation: Organisation,
    *,
    year: int,
    title: str,
    subject: str,
    applicants: str,
    outcome: str,
    outcome_rule: dict,
    description: str = "",
    method: str = "trimmed_mean",
    scale_max: Decimal = Decimal(100),
    form: list[dict] | None = None,
) -> Call:
    """A new call in draft, its outcome rule and form checked first (nothing is saved when one is wrong)."""
    title = (title or "").strip()
    if not title:
        raise DomainError(_("%(name)s is required.", name=_("Call title")), field="title")
    if subject not in {s.value for s in Subject}:
        raise DomainError(_("Choose what the call selects."), field="subject")
    if applicants not in {a.value for a in Applicants}:
        raise DomainError(_("Choose who may apply."), field="applicants")
    if method not in METHODS:
        raise DomainError(_("Unknown aggregation method."), field="method")
    rule = outcomes.check_rule(outcome, outcome_rule, Decimal(scale_max))
    checked = form_fields.check_fields(form or [])
    for i, definition in enumerate(checked, start=1):
        definition["key"] = f"f{i}"
    call = Call(
        organisation_id=organisation.id,
        year=year,
        title=title,
        description=description or "",
        subject=subject,
        applicants=applicants,
        outcome=outcome,
        outcome_rule=rule,
        method=method,
        scale_max=Decimal(scale_max),
        form_fields=checked,
    )
    db.session.add(call)
    db.session.flush()
    return call


def set_outcome(call: Call, outcome: str, outcome_rule: dict) -> None:
    """Change the outcome shape and rule (until the results are final)."""
    if call.status == CallStatus.FINISHED:
        raise DomainError(_("The results of this call are final."), code="finished", status=409)
    call.outcome_rule = outcomes.check_rule(outcome, outcome_rule, call.scale_max)
    call.outcome = outcome
    db.session.flush()


def add_field(call: Call, definition: dict) -> dict:
    """Add a typed field to the call's form while it is a draft (a draft has no applications, so no answer
    refers to a removed field's key)."""
    if call.status != CallStatus.DRAFT:
        raise DomainError(_("The form can be changed only while the call is a draft."), code="not_draft", status=409)
    checked = form_fields.check_fields([*call.form_fields, definition])[-1]
    used = {int(d["key"][1:]) for d in call.form_fields if d.get("key", "f")[1:].isdigit()}
    checked["key"] = f"f{max(used, default=0) + 1}"
    call.form_fields = [*call.form_fields, checked]  # a new list: the JSON column sees the change
    db.session.flush()
    return checked


def remove_field(call: Call, key: str) -> None:
    if call.status != CallStatus.DRAFT:
        raise DomainError(_("The form can be changed only while the call is a draft."), code="not_draft", status=409)
    label = next((d["label"] for d in call.form_fields if d["key"] == key), key)
    if any(rule["field"] == key for rule in call.eligibility):
        raise DomainError(
            _("An eligibility rule is over %(field)s: remove the rule first.", field=label),
            code="rule_uses_field",
            status=409,
        )
    call.form_fields = [d for d in call.form_fields if d["key"] != key]
    db.session.flush()


def add_rule(call: Call, rule: dict) -> dict:
    """Add an eligibility rule over one of the form's fields (calls.eligibility.check_rule refuses a rule over a
    missing field or a field of the wrong kind), while the call is a draft."""
    if call.status != CallStatus.DRAFT:
        raise DomainError(
            _("Eligibility rules can be changed only while the call is a draft."), code="not_draft", status=409
        )
    checked = eligibility.check_rule(rule, call.form_fields)
    call.eligibility = [*call.eligibility, checked]
    db.session.flush()
    return checked


def remove_rule(call: Call, index: int) -> None:
    if call.status != CallStatus.DRAFT:
        raise DomainError(
            _("Eligibility rules can be changed only while the call is a draft."), code="not_draft", status=409
        )
    call.eligibility = [r for i, r in enumerate(call.eligibility) if i != index]
    db.session.flush()


def set_status(call: Call, status: str) -> None:
    """Move a call along draft → open → review → finished (or one step back)."""
    target = CallStatus(status)
    if target not in TRANSITIONS[CallStatus(call.status)]:
        raise DomainError(
            _("A call that is %(now)s cannot become %(then)s.", now=call.status_label, then=CALL_STATUS_LABELS[target]),
            code="transition",
            status=409,
        )
    if target == CallStatus.DRAFT and call.applications:
        raise DomainError(
            _("The call has applications: its form can no longer change."), code="has_applications", status=409
        )
    if target == CallStatus.OPEN and not call.form_fields:
        raise DomainError(
            _("Add at least one field to the application form before opening the call."), code="empty_form", status=409
        )
    call.status = target.value
    db.session.flush()


def submit_application(
    call: Call,
    *,
    title: str,
    applicant_name: str,
    unit_name: str,
    answers: dict[str, str],
    actor: User | None,
    uploads: dict | None = None,
    today: date | None = None,
) -> CallApplication:
    """申报 to an open call: the answers checked against its form and its eligibility rules, the files against
    their fields' limits (all before anything is written); numbered per call under a named lock (core.locks)."""
    if call.status != CallStatus.OPEN:
        raise DomainError(_("This call does not take applications now."), code="closed", status=409)
    title, applicant_name = (title or "").strip(), (applicant_name or "").strip()
    if not title:
        raise DomainError(_("%(name)s is required.", name=_("Application title")), field="title")
    if not applicant_name:
        raise DomainError(_("%(name)s is required.", name=_("Applicant")), field="applicant_name")
    if len(title) > 200 or len(applicant_name) > 100 or len(unit_name or "") > 200:
        raise DomainError(_("The title, applicant or unit is too long."), field="title")
    checked = form_fields.check_answers(call.form_fields, answers)
    eligibility.check_eligibility(
        call.eligibility, call.form_fields, checked, today or utcnow().astimezone(select_timezone()).date()
    )
    files_checked = call_files.check_uploads(call.form_fields, uploads or {})
    acquire_lock(f"calls.applications:{call.id}")  # numbering: SQLite ignores FOR UPDATE, this holds on both
    number = (
        db.session.execute(
            sa.select(sa.func.max(CallApplication.number)).where(CallApplication.call_id == call.id)
        ).scalar()
        or 0
    ) + 1
    application = CallApplication(
        call=call,
        number=number,
        title=title,
        applicant_name=applicant_name,
        unit_name=(unit_name or "").strip(),
        answers=checked,
        submitted_by_id=actor.id if actor else None,
    )
    db.session.add(application)
    db.session.flush()
    call_files.store_uploads(application, files_checked)
    return application


def review_application(application: CallApplication, decision: str, reason: str, actor: User) -> None:
    """资格审核: accept, return for completion or reject; returning and rejecting need a reason."""
    target = ApplicationStatus(decision)
    reason = (reason or "").strip()
    if target == ApplicationStatus.SUBMITTED:
        raise DomainError(_("Accept, return or reject the application."), field="decision")
    if target != ApplicationStatus.ACCEPTED and not reason:
        raise DomainError(_("Say why the application is returned or rejected."), field="reason")
    if len(reason) > 500:
        raise DomainError(_("The reason has at most 500 characters."), field="reason")
    if application.call.status == CallStatus.FINISHED:
        raise DomainError(_("The results of this call are final."), code="finished", status=409)
    application.status = target.value
    application.review_reason = reason
    application.reviewed_by_id = actor.id
    application.reviewed_at = utcnow()
    db.session.flush()


def record_score(application: CallApplication, expert_name: str, total, actor: User | None) -> CallScore:
    """An expert's total from the review sheet, for an accepted application, within the call's scale; typing the
    same expert again replaces their total."""
    expert_name = (expert_name or "").strip()
    if not expert_name or len(expert_name) > 100:
        raise DomainError(_("%(name)s is required.", name=_("Expert")), field="expert_name")
    if application.status != ApplicationStatus.ACCEPTED:
        raise DomainError(_("Only accepted applications are scored."), code="not_accepted", status=409)
    if application.call.status == CallStatus.FINISHED:
        raise DomainError(_("The results of this call are final."), code="finished", status=409)
    try:
        value = Decimal(str(total).strip())
    except (InvalidOperation, ValueError):
        value = None
    scale = application.call.scale_max
    if value is None or not value.is_finite() or value < 0 or value > scale:
        raise DomainError(_("A score is a number from 0 to %(max)s.", max=scale), field="total")
    score = next((s for s in application.scores if s.expert_name == expert_name), None)
    if score is None:
        score = CallScore(
            application=application, expert_name=expert_name, total=value, recorded_by_id=actor.id if actor else None
        )
        db.session.add(score)
    else:
        score.total = value
    db.session.flush()
    return score


@dataclass
class ResultRow:
    application: CallApplication
    score: float | None
    rank: int | None
    result: str | None
    score_count: int


@dataclass
class CallResults:
    rows: list[ResultRow]
    rule: str
    notes: list[str]

    @property
    def summary(self) -> list[tuple[str, int]]:
        """(result, how many) best first, e.g. [("优秀", 4), ("合格", 17), ("不合格", 1)]."""
        counts: dict[str, int] = {}
        for row in self.rows:
            if row.result:
                counts[row.result] = counts.get(row.result, 0) + 1
        return list(counts.items())


def compute_results(call: Call) -> CallResults:
    """Accepted applications scored by the call's aggregation method, ranked (judging's aggregation and tie-break
    by raw sum) and given their outcome; accepted applications without scores come last without a result.

    When experts scored online, the scores and ranks are the results judging computed for the call's review
    round (calls.judging); otherwise the totals typed from paper sheets (CallScore) are aggregated here."""
    from calls.judging import review_round

    rnd = review_round(call)
    if rnd is not None and rnd.results_computed_at is not None:
        return _round_results(call, rnd)
    applications = (
        db.session.execute(
            sa.select(CallApplication)
            .where(CallApplication.call_id == call.id, CallApplication.status == ApplicationStatus.ACCEPTED)
            .options(selectinload(CallApplication.scores))
            .order_by(CallApplication.number)
        )
        .scalars()
        .all()
    )
    scores = [JudgeScore(a.id, s.expert_name, float(s.total)) for a in applications for s in a.scores]
    aggregated = aggregate(scores, call.method, AggregationOptions(n_min=call.n_min, scale_max=float(call.scale_max)))
    ranked = rank_results(aggregated.values())
    allocation = outcomes.allocate(call.outcome, call.outcome_rule, ranked)
    by_id = {a.id: a for a in applications}
    rows = [ResultRow(by_id[r.entry_id], r.score, r.rank, allocation.results.get(r.entry_id), r.count) for r in ranked]
    rows += [ResultRow(a, None, None, None, 0) for a in applications if a.id not in aggregated]
    return CallResults(rows, outcomes.describe(call.outcome, call.outcome_rule), allocation.notes)


def _round_results(call: Call, rnd) -> CallResults:
    """The call's outcome over judging's results of its round (score, rank, number of scores per application)."""
    from calls.judging import round_results

    results = round_results(rnd)
    by_id = {
        a.id: a
        for a in db.session.execute(
            sa.select(CallApplication).where(CallApplication.id.in_([r.entry_id for r in results] or [-1]))
        ).scalars()
    }
    ranked = [
        EntryResult(r.entry_id, rnd.method, float(r.score), float(r.score), [], rank=r.rank)
        for r in results
        if r.rank is not None and r.score is not None and r.entry_id in by_id
    ]
    allocation = outcomes.allocate(call.outcome, call.outcome_rule, ranked)
    rows = [
        ResultRow(by_id[r.entry_id], float(r.score), r.rank, allocation.results.get(r.entry_id), r.score_count)
        for r in results
        if r.rank is not None and r.score is not None and r.entry_id in by_id
    ]
    rows += [
        ResultRow(by_id[r.entry_id], None, None, None, r.score_count)
        for r in results
        if (r.rank is None or r.score is None) and r.entry_id in by_id
    ]
    return CallResults(rows, outcomes.describe(call.outcome, call.outcome_rule), allocation.notes)


def calls_for(user: User, *, is_admin: bool) -> list[Call]:
    """The calls of the organisations user organises (every call for an administrator), newest first."""
    query = sa.select(Call).options(selectinload(Call.organisation)).order_by(Call.year.desc(), Call.id.desc())
    if not is_admin:
        query = query.where(Call.organisation_id.in_(sorted(user.organised_org_ids()) or [-1]))
    return list(db.session.execute(query).scalars())


def open_calls() -> list[Call]:
    """Calls taking applications, for applicants."""
    return list(
        db.session.execute(
            sa.select(Call)
            .where(Call.status == CallStatus.OPEN)
            .options(selectinload(Call.organisation))
            .order_by(Call.year.desc(), Call.id.desc())
        ).scalars()
    )


def application_counts(call_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per call: applications per status, in one query."""
    counts: dict[int, dict[str, int]] = {cid: {} for cid in call_ids}
    for cid, status, n in db.session.execute(
        sa.select(CallApplication.call_id, CallApplication.status, sa.func.count())
        .where(CallApplication.call_id.in_(call_ids or [-1]))
        .group_by(CallApplication.call_id, CallApplication.status)
    ):
        counts[cid][status] = n
    return counts


def applications_of(call: Call) -> list[CallApplication]:
    """A call's applications in order, with their scores (one query each, however many there are)."""
    return list(
        db.session.execute(
            sa.select(CallApplication)
            .where(CallApplication.call_id == call.id)
            .options(selectinload(CallApplication.scores))
            .order_by(CallApplication.number)
        ).scalars()
    )


def applications_by(user: User) -> list[CallApplication]:
    """The applications user submitted, newest first, with their calls."""
    return list(
        db.session.execute(
            sa.select(CallApplication)
            .where(CallApplication.submitted_by_id == user.id)
            .options(selectinload(CallApplication.call))
            .order_by(CallApplication.id.desc())
        ).scalars()
    )


def all_calls() -> list[Call]:
    return list(db.session.execute(sa.select(Call).order_by(Call.year.desc(), Call.id)).scalars())
