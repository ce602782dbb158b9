"""Permission rules of the judging area: running rounds, judging, refereeing runs.

Imported by the area's init_app, which registers every @policy below (core.permissions holds the mechanism)."""

from __future__ import annotations

from core.permissions import judges, organises, policy
from judging import owners
from judging.models import CONTEST


@policy("judging.manage")
def _manage_judging(user, contest) -> bool:
    """Organisers of the contest's organising unit run rounds, rubrics, judges, assignment, results, notice."""
    return contest is not None and organises(user, contest.organisation_id)


@policy("judging.judge")
def _judge_contest(user, contest) -> bool:
    """Judges of the contest score their own assignments (the assignment itself is checked by the service); for
    another owner (a call), the holders of the role its kind names (the call's invited experts)."""
    if contest is None:
        return False
    kind = owners.kind_of(contest)
    if kind == CONTEST:
        return judges(user, contest.id)
    return contest.id in user.scope_ids(owners.owner_kind(kind).judge_role)


@policy("judging.referee")
def _referee_contest(user, contest) -> bool:
    """Performance runs are recorded and confirmed by the contest's judges or its organisers."""
    return contest is not None and (judges(user, contest.id) or organises(user, contest.organisation_id))
