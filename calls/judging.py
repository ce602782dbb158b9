"""A call reviewed on judging's rounds (decision 0007): the call is an *owner* of rounds, judges and 公示
(judging.owners), its accepted applications are what a round judges (submissions of kind "application"), its
invited pool experts with an account are the round's judges (role expert on the call), and the results judging
computes feed the call's outcome (calls.services.compute_results).

What a call asks of judging is here; judging's services do the work (rounds, rubric, 回避 assignment, scoring,
results, notice). Services flush, never commit.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from calls.experts import CallExpert, Expert, ExpertConflict, link_accepted_invitations
from calls.models import ApplicationStatus, Call, CallApplication, CallStatus
from calls.submissions import expert_keys
from core import conflicts
from core.errors import DomainError
from core.extensions import db
from core.permissions import Role
from judging.models import Result, Round

KIND = "call"


def register() -> None:
    """Calls own rounds, judges and notices in judging (called by calls' init_app)."""
    from calls.submissions import KIND as APPLICATION
    from judging.owners import OwnerKind, register_owner

    register_owner(
        OwnerKind(
            key=KIND,
            label=_l("Call"),
            model=Call,
            submission_kind=APPLICATION,
            submissions=accepted_application_ids,
            judge_role=Role.EXPERT,
            judge_keys=judge_conflict_keys,
            finalise=finish_call,
            endpoint="calls.review",
            id_arg="call_id",
        )
    )


def accepted_application_ids(call: Call) -> list[int]:
    """What a call's round judges: the applications that passed the organiser's review."""
    return list(
        db.session.execute(
            sa.select(CallApplication.id).where(
                CallApplication.call_id == call.id, CallApplication.status == ApplicationStatus.ACCEPTED
            )
        ).scalars()
    )


def judge_conflict_keys(judge) -> frozenset[str]:
    """A call's judge is a pool expert: their name, workplace and declared conflicts (calls.submissions)."""
    call = judge.owner
    expert = db.session.execute(
        sa.select(Expert).where(Expert.user_id == judge.user_id, Expert.organisation_id == call.organisation_id)
    ).scalar_one_or_none()
    if expert is None:
        return conflicts.keys(conflicts.person_key(judge.user.display_name))
    declared = db.session.execute(sa.select(ExpertConflict.note).where(ExpertConflict.expert_id == expert.id))
    return expert_keys(expert.name, expert.workplace, declared.scalars())


def finish_call(call: Call, actor=None) -> None:
    """公示 over, every objection answered: the call's results are final."""
    call.status = CallStatus.FINISHED.value
    db.session.flush()


def review_round(call: Call) -> Round | None:
    """The call's review round (the latest, when there are several)."""
    from judging.services.rounds import rounds_of

    rounds = rounds_of(call)
    return rounds[-1] if rounds else None


def create_review_round(
    call: Call, *, name: str, criteria: list[tuple[str, Decimal]], judges_per_entry: int, actor=None
) -> Round:
    """A review round of the call on judging's engine: the call's aggregation method and minimum, a rubric of
    the criteria given (name, maximum; step 0.5, weight 1). Only while the call is under review."""
    from judging.services import rounds as rounds_service

    if call.status != CallStatus.REVIEW:
        raise DomainError(_("Put the call under review before its experts score."), code="not_review", status=409)
    if not criteria:
        raise DomainError(_("Give at least one criterion."), field="criteria")
    rnd = rounds_service.create_round(
        call, name=name, judges_per_entry=judges_per_entry, method=call.method, n_min=call.n_min, actor=actor
    )
    rubric = rnd.categories[0]
    for criterion, maximum in criteria:
        rounds_service.save_criterion(
            rubric, None, name=criterion, weight=Decimal(1), maximum=maximum, step=Decimal("0.5"), actor=actor
        )
    return rnd


def parse_criteria(text: str) -> list[tuple[str, Decimal]]:
    """Criteria typed one a line as "name maximum" ("创新性 30"); a line without a number is refused."""
    rows = []
    for number, line in enumerate((text or "").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        name, _sep, maximum = line.rpartition(" ")
        try:
            value = Decimal(maximum)
        except ArithmeticError:
            value = None
        if not name.strip() or value is None or not value.is_finite() or value <= 0:
            raise DomainError(
                _("Line %(n)d: write a criterion as its name, a space and its maximum (创新性 30).", n=number),
                field="criteria",
            )
        rows.append((name.strip(), value))
    return rows


def assign_experts(rnd: Round, actor=None):
    """Accepted invitations linked to their pool experts, then judging's balanced assignment with 回避."""
    from judging.services import assignment as assignment_service

    link_accepted_invitations(rnd.owner)
    return assignment_service.auto_assign(rnd, actor=actor)


def experts_without_account(call: Call) -> list[Expert]:
    """Invited experts who cannot score online yet (their invitation is not accepted)."""
    return list(
        db.session.execute(
            sa.select(Expert)
            .join(CallExpert, CallExpert.expert_id == Expert.id)
            .where(CallExpert.call_id == call.id, Expert.user_id.is_(None))
            .order_by(Expert.name)
        ).scalars()
    )


def round_results(rnd: Round) -> list[Result]:
    """The stored results of a call's round, best first (ranked ones by rank, unranked after)."""
    rows = db.session.execute(sa.select(Result).where(Result.round_id == rnd.id)).scalars()
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.entry_id))
