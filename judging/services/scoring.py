"""Judges' scores: drafts, submissions, paper totals, blind visibility, re-check requests."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from accounts.models import User
from competitions.models import Entry
from core import audit
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from core.i18n import format_moment
from core.locks import acquire_lock
from judging import scores
from judging.models import (
    AssignmentStatus,
    Judge,
    JudgeAssignment,
    RecheckRequest,
    Round,
    RoundStatus,
    Score,
)
from judging.services.assignment import load_assignment_for_judge
from judging.services.rounds import criterion_specs, rubric_of

SCORE_FIELDS = ["values", "total", "comment", "submitted", "version"]


def save_score(
    a: JudgeAssignment,
    values: dict[str, Any],
    *,
    comment: str = "",
    submit: bool = False,
    actor=None,
    imported: bool = False,
    now: datetime | None = None,
) -> Score:
    """Save a judge's scores for an assigned entry: a draft (partial allowed) or a submission (all criteria).

    Refused, changing nothing, when the round does not accept scores (closed or not open), the assignment is
    not active, or any value is above the maximum or off the step. A submitted score may be revised until the
    round closes. Concurrent saves: the last write wins; every change is audited with before and after."""
    rnd = a.round
    if a.status != AssignmentStatus.ACTIVE:
        raise DomainError(
            _l("You are not assigned to this entry."), field="assignment", code="not_assigned", status=403
        )
    if not imported and rnd.not_started(now):
        raise DomainError(
            _l("Scoring starts at %(time)s.", time=format_moment(rnd.opens_at)),
            field="round",
            code="round_not_started",
            status=409,
        )
    if not imported and not rnd.accepts_scores(now):
        raise DomainError(
            _l("The round is closed; scores can no longer change."), field="round", code="round_closed", status=409
        )
    if imported and rnd.is_closed(now):
        raise DomainError(
            _l("The round is closed; scores can no longer change."), field="round", code="round_closed", status=409
        )
    rc = rubric_of(a)
    if rc.is_performance:
        raise DomainError(_l("This category is scored by runs on the referee page."), field="assignment")
    specs = criterion_specs(rc)
    # Two tabs (or devices) saving at once: serialise per assignment, then read the score afresh, so the
    # second save updates the first one's row (last write wins) instead of inserting a duplicate.
    acquire_lock(f"judging.score:{a.id}")
    score = db.session.execute(
        sa.select(Score).where(Score.assignment_id == a.id).execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if score is not None and score.submitted:
        submit = True  # a revision of a submitted score stays submitted, so it must stay complete
    try:
        checked = scores.validate_score_sheet(dict(values or {}), specs, partial=not submit)
    except scores.ScoreSheetError as exc:
        raise DomainError(
            _l("Some scores are not valid: %(detail)s", detail=describe_score_errors(exc, specs)),
            field="values",
            code="invalid_score",
            status=422,
        ) from None
    before = audit.snapshot(score, SCORE_FIELDS) if score is not None else None
    if score is None:
        score = Score(assignment=a, round_id=a.round_id, entry_id=a.entry_id, judge_id=a.judge_id, version=0)
        db.session.add(score)
    score.values = {k: str(v) for k, v in checked.items()}
    score.total = scores.weighted_total(checked, specs) if len(checked) == len(specs) else None
    score.comment = (comment or "")[:5000]
    score.version = (score.version or 0) + 1
    score.imported = imported
    if submit:
        score.submitted = True
        score.submitted_at = score.submitted_at or utcnow()
    db.session.flush()
    if submit:
        _resolve_rechecks(score)
    audit.record(
        "import_score" if imported else ("submit_score" if submit else "save_draft"),
        score,
        before=before,
        after=audit.snapshot(score, SCORE_FIELDS),
        actor=actor,
        organisation_id=rnd.owner.organisation_id,
    )
    return score


def save_total_score(a: JudgeAssignment, total: Any, *, actor=None) -> Score:
    """A single 总分 from a paper sheet: checked against the rubric maximum (step 0.01), stored as the total."""
    rc = rubric_of(a)
    maximum = rc.maximum_total
    try:
        value = scores.validate_criterion_score(total, maximum, "0.01")
    except scores.ScoreError as exc:
        raise DomainError(
            _l("Total: %(detail)s", detail=score_error_message(exc)), field="total", code="invalid_score", status=422
        ) from None
    if a.round.is_closed():
        raise DomainError(_l("The round is closed; scores can no longer change."), field="round", code="round_closed")
    acquire_lock(f"judging.score:{a.id}")
    score = db.session.execute(
        sa.select(Score).where(Score.assignment_id == a.id).execution_options(populate_existing=True)
    ).scalar_one_or_none()
    before = audit.snapshot(score, SCORE_FIELDS) if score is not None else None
    if score is None:
        score = Score(assignment=a, round_id=a.round_id, entry_id=a.entry_id, judge_id=a.judge_id, version=0)
        db.session.add(score)
    score.values, score.total, score.submitted, score.imported = {}, value, True, True
    score.submitted_at = score.submitted_at or utcnow()
    score.version = (score.version or 0) + 1
    db.session.flush()
    audit.record(
        "import_score",
        score,
        before=before,
        after=audit.snapshot(score, SCORE_FIELDS),
        actor=actor,
        organisation_id=a.round.owner.organisation_id,
    )
    return score


def plain_number(value: Any) -> str:
    """A Decimal limit as people write it (25, 0.5, 100), not as stored (25.00, 100.0000)."""
    if isinstance(value, Decimal) and value.is_finite():
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def score_error_message(exc: scores.ScoreError) -> str:
    params = {k: plain_number(v) for k, v in exc.params.items()}
    messages = {
        "not_a_number": _l("%(value)s is not a number.", value=exc.params.get("value")),
        "missing": _l("A score is required."),
        "below_minimum": _l("%(value)s is below the minimum %(minimum)s.", **params),
        "above_maximum": _l("%(value)s is above the maximum %(maximum)s.", **params),
        "off_step": _l("%(value)s is not a multiple of the step %(step)s.", **params),
    }
    return str(messages[exc.code])


def describe_score_errors(exc: scores.ScoreSheetError, specs: list[scores.CriterionSpec]) -> str:
    names = {s.key: s.name for s in specs}
    return " ".join(f"{names.get(k, k)}: {score_error_message(e)}" for k, e in exc.errors.items())


def score_field_errors(exc: scores.ScoreSheetError) -> dict[str, str]:
    return {str(k): score_error_message(e) for k, e in exc.errors.items()}


def _resolve_rechecks(score: Score) -> None:
    db.session.execute(
        sa.update(RecheckRequest)
        .where(RecheckRequest.score_id == score.id, RecheckRequest.resolved_at.is_(None))
        .values(resolved_at=utcnow())
    )


def visible_scores(rnd: Round, entry: Entry, user: User, *, organiser: bool) -> list[Score]:
    """Blind judging: organisers see every score; a judge sees only their own until the round closes, then
    the panel's scores of entries they were assigned."""
    query = (
        sa.select(Score)
        .where(Score.round_id == rnd.id, Score.entry_id == entry.id)
        .options(joinedload(Score.judge).joinedload(Judge.user))
        .order_by(Score.id)
    )
    if organiser:
        return list(db.session.execute(query).scalars())
    own = load_assignment_for_judge(rnd, entry, user)
    if own is None:
        return []
    if not rnd.is_closed():
        query = query.where(Score.assignment_id == own.id)
    else:  # the panel's scores: what the others submitted, never their unfinished drafts
        query = query.where(sa.or_(Score.assignment_id == own.id, Score.submitted.is_(True)))
    return list(db.session.execute(query).scalars())


def pending_rechecks(user: User) -> list[RecheckRequest]:
    """Open re-check requests addressed to this user (any contest), for the judge's dashboard."""
    return list(
        db.session.execute(
            sa.select(RecheckRequest)
            .join(Score, Score.id == RecheckRequest.score_id)
            .join(Judge, Judge.id == Score.judge_id)
            .join(Round, Round.id == Score.round_id)
            # a closed round's scores can no longer change: its open requests are moot on the dashboard
            .where(
                Judge.user_id == user.id, RecheckRequest.resolved_at.is_(None), Round.status == RoundStatus.OPEN.value
            )
            .options(
                joinedload(RecheckRequest.score).joinedload(Score.assignment).joinedload(JudgeAssignment.entry),
                joinedload(RecheckRequest.score).joinedload(Score.assignment).joinedload(JudgeAssignment.round),
            )
            .order_by(RecheckRequest.id)
        ).scalars()
    )


def request_recheck(score: Score, message: str, actor=None) -> RecheckRequest:
    """Ask the judge to re-check a score (e.g. flagged as an outlier); shown on their dashboard."""
    if score.assignment.round.is_closed():
        raise DomainError(_l("The round is closed; reopen it before asking for a re-check."), field="round")
    request = RecheckRequest(score=score, requested_by_id=getattr(actor, "id", None), message=(message or "")[:500])
    db.session.add(request)
    db.session.flush()
    audit.record(
        "request_recheck",
        request,
        after={"score_id": score.id, "message": request.message},
        actor=actor,
        organisation_id=score.assignment.round.owner.organisation_id,
    )
    return request
