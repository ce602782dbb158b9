"""Who judges what: balanced conflict-free assignment, declines, withdrawals, coverage, the judge's worklist."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from accounts.models import User
from competitions.models import Entry
from core import audit
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from judging import assignment
from judging.models import (
    AssignmentStatus,
    Judge,
    JudgeAssignment,
    Round,
    RoundStatus,
    Score,
)
from judging.services.judges import (
    entry_submissions,
    judge_info,
    judges_of,
    round_submissions,
    submission_info,
    sync_judges,
)
from judging.services.rounds import owned_by, round_entries, rounds_of


def withdraw_judge(judge: Judge, actor=None) -> dict[int, int]:
    """The judge leaves the contest: their unscored assignments in rounds not yet closed are removed and each
    entry gets a replacement judge. Returns {round id: entries still short of judges}."""
    judge.withdrawn_at = utcnow()
    audit.record("withdraw", judge, actor=actor)
    shortfalls = {}
    for rnd in rounds_of(judge.owner):
        if rnd.is_closed():
            continue
        rows = (
            db.session.execute(
                sa.select(JudgeAssignment)
                .options(selectinload(JudgeAssignment.score))
                .where(
                    JudgeAssignment.round_id == rnd.id,
                    JudgeAssignment.judge_id == judge.id,
                    JudgeAssignment.status == AssignmentStatus.ACTIVE.value,
                )
            )
            .scalars()
            .all()
        )
        for a in rows:
            if a.score is None or not a.score.submitted:
                a.status = AssignmentStatus.REMOVED.value
                a.reason = "withdrawn"
        db.session.flush()
        plan = auto_assign(rnd, actor=actor, rebalance_existing=False)
        shortfalls[rnd.id] = len(plan.shortfalls)
    db.session.flush()
    return shortfalls


def active_assignments(rnd: Round) -> list[JudgeAssignment]:
    return list(
        db.session.execute(
            sa.select(JudgeAssignment).where(
                JudgeAssignment.round_id == rnd.id, JudgeAssignment.status == AssignmentStatus.ACTIVE.value
            )
        ).scalars()
    )


@dataclass
class AssignmentOutcome:
    added: int
    removed: int
    shortfalls: dict[int, int]
    loads: dict[int, int]


def auto_assign(rnd: Round, *, actor=None, rebalance_existing: bool = True, seed: int = 0) -> AssignmentOutcome:
    """Give every entry of the round k judges (k = judges_per_entry), balanced, conflict-free.

    Existing assignments stay; those with a score are never moved; "cannot judge" pairs are never given
    again. With ``rebalance_existing`` unscored assignments may move to even out loads."""
    if rnd.is_closed():
        raise DomainError(_l("The round is closed."), field="round")
    contest = rnd.owner
    sync_judges(contest)
    judges = [j for j in judges_of(contest, include_withdrawn=False) if j.user.active]
    if rnd.owned_by_contest:
        rubric_categories = {rc.category_id for rc in rnd.categories if not rc.is_performance}
        entries = [e for e in round_entries(rnd) if e.category_id in rubric_categories]  # runs need referees
        submissions = entry_submissions(entries)
    else:
        submissions = round_submissions(rnd)  # a call's accepted applications
    entry_ids = {s.id for s in submissions}
    rows = (
        db.session.execute(
            sa.select(JudgeAssignment)
            .options(selectinload(JudgeAssignment.score))
            .where(JudgeAssignment.round_id == rnd.id)
        )
        .scalars()
        .all()
    )
    current: dict[int, set] = defaultdict(set)
    locked, excluded = set(), set()
    by_pair = {}
    for a in rows:
        by_pair[(a.entry_id, a.judge_id)] = a
        if a.status == AssignmentStatus.ACTIVE and a.entry_id in entry_ids:
            current[a.entry_id].add(a.judge_id)
            if a.score is not None or not rebalance_existing:
                locked.add((a.entry_id, a.judge_id))
        elif a.status == AssignmentStatus.DECLINED:
            excluded.add((a.entry_id, a.judge_id))
    judge_ids = {j.id for j in judges}
    # A withdrawn (or deactivated) judge's submitted scores still count towards k: such a judge takes part as
    # a judge eligible for nothing new, holding only their locked, scored pairs.
    kept = {
        a.judge_id
        for a in rows
        if a.status == AssignmentStatus.ACTIVE
        and a.entry_id in entry_ids
        and a.judge_id not in judge_ids
        and a.score is not None
        and a.score.submitted
    }
    infos = [judge_info(j) for j in judges] + [assignment.JudgeInfo(id=j, categories=frozenset()) for j in kept]
    locked |= {(e, j) for e, js in current.items() for j in js if j in kept}
    plan = assignment.assign_judges(
        [submission_info(s) for s in submissions],
        infos,
        rnd.judges_per_entry,
        existing={e: {j for j in js if j in judge_ids or j in kept} for e, js in current.items()},
        excluded=excluded,
        locked=locked,
        seed=seed,
    )
    wanted = plan.pairs()
    added = removed = 0
    for (entry_id, judge_id), a in by_pair.items():
        if a.status == AssignmentStatus.ACTIVE and (entry_id, judge_id) not in wanted and entry_id in entry_ids:
            if a.score is not None:
                continue  # scored work is never taken away
            a.status, a.reason = AssignmentStatus.REMOVED.value, "rebalanced"
            removed += 1
    for entry_id, judge_id in wanted:
        a = by_pair.get((entry_id, judge_id))
        if a is None:
            db.session.add(JudgeAssignment(round_id=rnd.id, entry_id=entry_id, judge_id=judge_id))
            added += 1
        elif a.status != AssignmentStatus.ACTIVE:
            a.status, a.reason = AssignmentStatus.ACTIVE.value, ""
            added += 1
    db.session.flush()
    audit.record(
        "auto_assign", rnd, after={"added": added, "removed": removed, "short": len(plan.shortfalls)}, actor=actor
    )
    return AssignmentOutcome(added, removed, plan.shortfalls, {j: n for j, n in plan.loads.items() if j in judge_ids})


def add_assignment(rnd: Round, entry: Entry, judge: Judge, actor=None) -> JudgeAssignment:
    """Manual assignment; conflicts and expertise are still enforced."""
    if rnd.is_closed():
        raise DomainError(_l("The round is closed."), field="round")
    if entry.id not in {e.id for e in round_entries(rnd)}:
        raise DomainError(_l("This entry is not judged in this round."), field="entry")
    if judge.contest_id != rnd.contest_id or judge.withdrawn_at is not None:
        raise DomainError(_l("This judge does not judge this contest."), field="judge")
    if not assignment.is_eligible(judge_info(judge), submission_info(entry_submissions([entry])[0])):
        raise DomainError(
            _l("%(judge)s has a conflict with this entry or lacks the expertise.", judge=judge.user.display_name),
            field="judge",
        )
    a = activate_assignment(rnd, entry.id, judge.id)
    audit.record(
        "assign",
        a,
        after={"entry_id": entry.id, "judge_id": judge.id},
        actor=actor,
        organisation_id=rnd.contest.organisation_id,
    )
    return a


def activate_assignment(rnd: Round, submission_id: int, judge_id: int) -> JudgeAssignment:
    """The judge's assignment to the submission, made or made active again."""
    a = db.session.execute(
        sa.select(JudgeAssignment).where(
            JudgeAssignment.round_id == rnd.id,
            JudgeAssignment.entry_id == submission_id,
            JudgeAssignment.judge_id == judge_id,
        )
    ).scalar_one_or_none()
    if a is None:
        a = JudgeAssignment(round_id=rnd.id, entry_id=submission_id, judge_id=judge_id)
        db.session.add(a)
    elif a.status == AssignmentStatus.ACTIVE:
        raise DomainError(_l("This judge is already assigned to this entry."), field="judge")
    a.status, a.reason = AssignmentStatus.ACTIVE.value, ""
    db.session.flush()
    return a


def remove_assignment(a: JudgeAssignment, actor=None) -> None:
    """Manual removal; a submitted score keeps the assignment (remove the score's judge only before scoring)."""
    if a.score is not None and a.score.submitted:
        raise DomainError(_l("This judge has already submitted a score for the entry."), field="assignment")
    a.status, a.reason = AssignmentStatus.REMOVED.value, "manual"
    db.session.flush()
    audit.record("unassign", a, actor=actor, organisation_id=a.round.owner.organisation_id)


def decline_assignment(a: JudgeAssignment, reason: str, actor=None) -> JudgeAssignment | None:
    """ "Cannot judge" (conflict found, no-show): the pair is excluded for good and the entry gets another
    eligible judge when there is one (returned)."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Say why you cannot judge this entry."), field="reason")
    if a.status != AssignmentStatus.ACTIVE:
        raise DomainError(_l("This assignment is no longer active."), field="assignment")
    if not a.round.accepts_scores() and a.round.status != RoundStatus.SETUP:
        raise DomainError(_l("The round is closed."), field="round")
    if a.score is not None and a.score.submitted:
        raise DomainError(_l("You have already submitted a score for this entry."), field="assignment")
    a.status, a.reason = AssignmentStatus.DECLINED.value, reason[:500]
    db.session.flush()
    audit.record("decline", a, after={"reason": a.reason}, actor=actor, organisation_id=a.round.owner.organisation_id)
    judges = [j for j in judges_of(a.round.owner, include_withdrawn=False) if j.user.active]
    current = defaultdict(set)
    for other in active_assignments(a.round):
        current[other.entry_id].add(other.judge_id)
    excluded = set(
        db.session.execute(
            sa.select(JudgeAssignment.entry_id, JudgeAssignment.judge_id).where(
                JudgeAssignment.round_id == a.round_id, JudgeAssignment.status == AssignmentStatus.DECLINED.value
            )
        ).all()
    )
    plan = assignment.replace_judge_for_entry(
        [submission_info(s) for s in round_submissions(a.round)],
        [judge_info(j) for j in judges],
        a.round.judges_per_entry,
        current,
        a.entry_id,
        a.judge_id,
        excluded=excluded,
    )
    new_ids = plan.assignments.get(a.entry_id, set()) - current[a.entry_id]
    replacement = None
    for judge_id in new_ids:
        if a.round.owned_by_contest:
            replacement = add_assignment(a.round, a.entry, db.session.get(Judge, judge_id), actor=actor)
        else:  # the replacement the rule chose is conflict-free already
            replacement = activate_assignment(a.round, a.entry_id, judge_id)
            audit.record("assign", replacement, after={"entry_id": a.entry_id, "judge_id": judge_id}, actor=actor)
    return replacement


@dataclass
class CoverageRow:
    entry: Entry
    assigned: int
    submitted: int


def coverage(rnd: Round) -> list[CoverageRow]:
    """Entries with fewer than k submitted scores (rubric categories), fewest first."""
    entries = [
        e
        for e in round_entries(rnd)
        if not next(rc for rc in rnd.categories if rc.category_id == e.category_id).is_performance
    ]
    assigned = dict(
        db.session.execute(
            sa.select(JudgeAssignment.entry_id, sa.func.count())
            .where(JudgeAssignment.round_id == rnd.id, JudgeAssignment.status == AssignmentStatus.ACTIVE.value)
            .group_by(JudgeAssignment.entry_id)
        ).all()
    )
    submitted = dict(
        db.session.execute(
            sa.select(Score.entry_id, sa.func.count())
            .join(JudgeAssignment, JudgeAssignment.id == Score.assignment_id)
            .where(
                Score.round_id == rnd.id,
                Score.submitted.is_(True),
                JudgeAssignment.status == AssignmentStatus.ACTIVE.value,
            )
            .group_by(Score.entry_id)
        ).all()
    )
    rows = [CoverageRow(e, assigned.get(e.id, 0), submitted.get(e.id, 0)) for e in entries]
    rows = [r for r in rows if r.submitted < rnd.judges_per_entry]
    rows.sort(key=lambda r: (r.submitted, r.assigned, r.entry.code or ""))
    return rows


def judge_loads(rnd: Round) -> list[tuple[Judge, int, int]]:
    """(judge, active assignments, submitted scores) for every judge of the contest."""
    counts = dict(
        db.session.execute(
            sa.select(JudgeAssignment.judge_id, sa.func.count())
            .where(JudgeAssignment.round_id == rnd.id, JudgeAssignment.status == AssignmentStatus.ACTIVE.value)
            .group_by(JudgeAssignment.judge_id)
        ).all()
    )
    done = dict(
        db.session.execute(
            sa.select(Score.judge_id, sa.func.count())
            .where(Score.round_id == rnd.id, Score.submitted.is_(True))
            .group_by(Score.judge_id)
        ).all()
    )
    return [(j, counts.get(j.id, 0), done.get(j.id, 0)) for j in judges_of(rnd.owner)]


def progress_of(user: User) -> dict[int, tuple[int, int]]:
    """round id -> (active assignments, scores submitted for them) of the user as a judge, in every round they
    judge: two grouped queries whatever the number of rounds (the judge's start page)."""
    active = sa.and_(
        JudgeAssignment.judge_id == Judge.id,
        Judge.user_id == user.id,
        JudgeAssignment.status == AssignmentStatus.ACTIVE.value,
    )
    totals = db.session.execute(
        sa.select(JudgeAssignment.round_id, sa.func.count()).where(active).group_by(JudgeAssignment.round_id)
    ).all()
    done = dict(
        db.session.execute(
            sa.select(Score.round_id, sa.func.count())
            .join(JudgeAssignment, JudgeAssignment.id == Score.assignment_id)
            .where(active, Score.submitted.is_(True))
            .group_by(Score.round_id)
        ).all()
    )
    return {round_id: (total, done.get(round_id, 0)) for round_id, total in totals}


def open_rounds_for_judge(judge: Judge) -> list[Round]:
    return [r for r in rounds_of(judge.owner) if r.status != RoundStatus.SETUP]


def judge_worklist(rnd: Round, judge: Judge) -> list[JudgeAssignment]:
    """The judge's active assignments in the round with entry, category, materials and own score — a fixed
    number of queries whatever the list length. In another owner's round (a call) the assignments alone, by
    submission id: the page reads the submissions through judging.submissions."""
    from competitions.models import Material  # noqa: F401  (relationship target)

    if not rnd.owned_by_contest:
        return list(
            db.session.execute(
                sa.select(JudgeAssignment)
                .where(
                    JudgeAssignment.round_id == rnd.id,
                    JudgeAssignment.judge_id == judge.id,
                    JudgeAssignment.status == AssignmentStatus.ACTIVE.value,
                )
                .options(selectinload(JudgeAssignment.score))
                .order_by(JudgeAssignment.entry_id)
            ).scalars()
        )
    return list(
        db.session.execute(
            sa.select(JudgeAssignment)
            .join(Entry, Entry.id == JudgeAssignment.entry_id)
            .where(
                JudgeAssignment.round_id == rnd.id,
                JudgeAssignment.judge_id == judge.id,
                JudgeAssignment.status == AssignmentStatus.ACTIVE.value,
            )
            .options(
                joinedload(JudgeAssignment.entry).joinedload(Entry.category),
                joinedload(JudgeAssignment.entry).selectinload(Entry.materials),
                selectinload(JudgeAssignment.score),
            )
            .order_by(Entry.code, Entry.id)
        ).scalars()
    )


def load_assignment_for_judge(rnd: Round, entry: Entry, user: User) -> JudgeAssignment | None:
    """The user's active assignment to the entry in the round, or None (not a judge, not assigned)."""
    judge = db.session.execute(
        sa.select(Judge).where(owned_by(Judge, rnd.owner), Judge.user_id == user.id)
    ).scalar_one_or_none()
    return None if judge is None else assignment_of(rnd, entry, judge)


def assignment_of(rnd: Round, entry: Entry, judge: Judge) -> JudgeAssignment | None:
    """The judge's active assignment to the entry in the round, with its score, or None."""
    return db.session.execute(
        sa.select(JudgeAssignment)
        .options(selectinload(JudgeAssignment.score))
        .where(
            JudgeAssignment.round_id == rnd.id,
            JudgeAssignment.entry_id == entry.id,
            JudgeAssignment.judge_id == judge.id,
            JudgeAssignment.status == AssignmentStatus.ACTIVE.value,
        )
    ).scalar_one_or_none()
