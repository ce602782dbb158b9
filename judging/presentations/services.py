"""Presentation rounds (答辩/路演): rooms, slots with their panel, placing submissions, the schedule.

Every change runs under one named lock (``judging.presentations``), taken first: a panel member may sit in
rounds of several owners, so the double-booking check reads slots across rounds. The unique key on
(round, submission) backs the lock for placements. Services flush, never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from core import audit
from core.errors import DomainError
from core.extensions import db
from core.i18n import format_moment
from core.intervals import intervals_overlap
from core.locks import acquire_lock
from judging import assignment
from judging.models import AssignmentStatus, Judge, JudgeAssignment, Round
from judging.presentations.models import (
    PresentationPanelist,
    PresentationPlacement,
    PresentationRoom,
    PresentationSlot,
)
from judging.services import assignment as assignment_service
from judging.services.judges import judge_info, judges_of, round_submissions, submission_info
from judging.submissions import Submission

LOCK = "judging.presentations"


def rooms_of(rnd: Round) -> list[PresentationRoom]:
    return list(
        db.session.execute(
            sa.select(PresentationRoom).where(PresentationRoom.round_id == rnd.id).order_by(PresentationRoom.name)
        ).scalars()
    )


def slots_of(rnd: Round) -> list[PresentationSlot]:
    """The round's slots in time order, with their room, panel and placements (a fixed number of queries)."""
    return list(
        db.session.execute(
            sa.select(PresentationSlot)
            .where(PresentationSlot.round_id == rnd.id)
            .options(
                selectinload(PresentationSlot.room),
                selectinload(PresentationSlot.panel).selectinload(PresentationPanelist.judge).joinedload(Judge.user),
                selectinload(PresentationSlot.placements),
            )
            .order_by(PresentationSlot.starts_at, PresentationSlot.id)
        ).scalars()
    )


def _refuse_if_closed(rnd: Round) -> None:
    if rnd.is_closed():
        raise DomainError(_l("The round is closed."), field="round")


def add_room(rnd: Round, name: str, actor=None) -> PresentationRoom:
    """A room of the round; its name once per round."""
    acquire_lock(LOCK)
    _refuse_if_closed(rnd)
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Give the room a name."), field="name")
    if any(r.name == name for r in rooms_of(rnd)):
        raise DomainError(_l("The round already has a room of this name."), field="name")
    room = PresentationRoom(round_id=rnd.id, name=name[:80])
    db.session.add(room)
    db.session.flush()
    audit.record("create", room, after={"name": room.name}, actor=actor)
    return room


def _busy_slots(room_id: int, user_ids: Iterable[int]) -> list[tuple[PresentationSlot, set[int]]]:
    """Slots of the room, and slots (of any round) on whose panel one of these users sits, with those users."""
    user_ids = set(user_ids)
    rows = db.session.execute(
        sa.select(PresentationSlot, Judge.user_id)
        .join(PresentationPanelist, PresentationPanelist.slot_id == PresentationSlot.id, isouter=True)
        .join(Judge, Judge.id == PresentationPanelist.judge_id, isouter=True)
        .where(sa.or_(PresentationSlot.room_id == room_id, Judge.user_id.in_(user_ids or {0})))
    ).all()
    found: dict[int, tuple[PresentationSlot, set[int]]] = {}
    for slot, user_id in rows:
        _slot, users = found.setdefault(slot.id, (slot, set()))
        if user_id in user_ids:
            users.add(user_id)
    return list(found.values())


def add_slot(
    rnd: Round, room: PresentationRoom, starts_at: datetime, ends_at: datetime, judges: Sequence[Judge], actor=None
) -> PresentationSlot:
    """A slot [starts, ends) in a room of the round heard by a panel of the owner's active judges. Refused when
    the room, or a panel member (by account, in any round), is already in a slot that overlaps it."""
    acquire_lock(LOCK)
    _refuse_if_closed(rnd)
    if room.round_id != rnd.id:
        raise DomainError(_l("This room is not one of the round's."), field="room")
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise DomainError(_l("A slot ends after it starts."), field="ends_at")
    allowed = {j.id for j in judges_of(rnd.owner, include_withdrawn=False)}
    panel = list({j.id: j for j in judges}.values())
    if not panel:
        raise DomainError(_l("Choose the panel: at least one judge."), field="judges")
    if any(j.id not in allowed for j in panel):
        raise DomainError(_l("A panel member must be a judge of this round's owner."), field="judges")
    names = {j.user_id: j.user.display_name for j in panel}
    for other, users in _busy_slots(room.id, names):
        if not intervals_overlap((starts_at, ends_at), (other.starts_at, other.ends_at)):
            continue
        when = f"{format_moment(other.starts_at, 'short')}–{format_moment(other.ends_at, 'short')}"
        if other.room_id == room.id:
            raise DomainError(
                _l("The room %(room)s is already booked %(when)s.", room=room.name, when=when), field="starts_at"
            )
        raise DomainError(
            _l(
                "%(names)s already sits on a panel %(when)s.",
                names="、".join(sorted(names[u] for u in users)),
                when=when,
            ),
            field="judges",
        )
    slot = PresentationSlot(round_id=rnd.id, room_id=room.id, starts_at=starts_at, ends_at=ends_at)
    slot.panel = [PresentationPanelist(judge_id=j.id) for j in panel]
    db.session.add(slot)
    db.session.flush()
    audit.record(
        "create",
        slot,
        after={"room": room.name, "starts_at": starts_at.isoformat(), "judges": [j.id for j in panel]},
        actor=actor,
    )
    return slot


def place_submission(slot: PresentationSlot, submission_id: int, actor=None) -> PresentationPlacement:
    """Place a submission of the round in the slot: once per round, and only before a panel none of whose
    members must stand aside from it (回避, judging.assignment.has_conflict). The slot's panel becomes its
    assignment: each member is assigned, and an unscored assignment to anyone else is removed."""
    acquire_lock(LOCK)
    rnd = slot.round
    _refuse_if_closed(rnd)
    submission = {s.id: s for s in round_submissions(rnd)}.get(submission_id)
    if submission is None:
        raise DomainError(_l("This submission is not judged in this round."), field="submission")
    placed = db.session.execute(
        sa.select(PresentationPlacement).where(
            PresentationPlacement.round_id == rnd.id, PresentationPlacement.entry_id == submission_id
        )
    ).scalar_one_or_none()
    if placed is not None:
        raise DomainError(
            _l("%(code)s is already placed in a slot of this round.", code=submission.code), field="submission"
        )
    info = submission_info(submission)
    panel = [p.judge for p in slot.panel]
    conflicted = [j.user.display_name for j in panel if assignment.has_conflict(judge_info(j), info)]
    if conflicted:
        raise DomainError(
            _l(
                "%(names)s must stand aside (回避) from %(code)s: choose another slot.",
                names="、".join(conflicted),
                code=submission.code,
            ),
            field="submission",
        )
    placement = PresentationPlacement(slot_id=slot.id, round_id=rnd.id, entry_id=submission_id)
    db.session.add(placement)
    _assign_panel(rnd, submission_id, {j.id for j in panel}, actor)
    db.session.flush()
    audit.record("place", placement, after={"slot_id": slot.id, "entry_id": submission_id}, actor=actor)
    return placement


def _assign_panel(rnd: Round, submission_id: int, judge_ids: set[int], actor) -> None:
    current = db.session.execute(
        sa.select(JudgeAssignment).where(
            JudgeAssignment.round_id == rnd.id,
            JudgeAssignment.entry_id == submission_id,
            JudgeAssignment.status == AssignmentStatus.ACTIVE.value,
        )
    ).scalars()
    active = set()
    for a in current:
        if a.judge_id in judge_ids:
            active.add(a.judge_id)
        elif a.score is None or not a.score.submitted:
            assignment_service.remove_assignment(a, actor=actor)
    for judge_id in sorted(judge_ids - active):
        assignment_service.activate_assignment(rnd, submission_id, judge_id)


@dataclass(frozen=True)
class ScheduledSlot:
    slot: PresentationSlot
    submissions: list[Submission]


def schedule(rnd: Round) -> list[tuple[PresentationRoom, list[ScheduledSlot]]]:
    """The round's schedule per room (rooms by name), each room's slots in time order with their submissions."""
    subs = {s.id: s for s in round_submissions(rnd)}
    by_room: dict[int, list[ScheduledSlot]] = {}
    for slot in slots_of(rnd):
        placed = [subs[p.entry_id] for p in slot.placements if p.entry_id in subs]
        by_room.setdefault(slot.room_id, []).append(ScheduledSlot(slot, placed))
    return [(room, by_room.get(room.id, [])) for room in rooms_of(rnd)]


def unplaced(rnd: Round) -> list[Submission]:
    """Submissions of the round not yet in a slot."""
    placed = set(
        db.session.execute(
            sa.select(PresentationPlacement.entry_id).where(PresentationPlacement.round_id == rnd.id)
        ).scalars()
    )
    return [s for s in round_submissions(rnd) if s.id not in placed]


def slots_of_user(user) -> list[PresentationSlot]:
    """The slots whose panel the user sits on (any owner), in time order: a panel member's 我的评审."""
    return list(
        db.session.execute(
            sa.select(PresentationSlot)
            .join(PresentationPanelist, PresentationPanelist.slot_id == PresentationSlot.id)
            .join(Judge, Judge.id == PresentationPanelist.judge_id)
            .where(Judge.user_id == user.id, Judge.withdrawn_at.is_(None))
            .options(selectinload(PresentationSlot.room), selectinload(PresentationSlot.round))
            .order_by(PresentationSlot.starts_at, PresentationSlot.id)
        ).scalars()
    )


def slots_of_submissions(owner_kind: str, ids: Iterable[int]) -> dict[int, PresentationSlot]:
    """The slot of each submission (of rounds whose owner is of this kind: "contest", "call") placed in one, by
    submission id; the latest round's when several place it. What an applicant or a school sees."""
    ids = list(ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(PresentationPlacement.entry_id, PresentationSlot)
        .join(PresentationSlot, PresentationSlot.id == PresentationPlacement.slot_id)
        .join(Round, Round.id == PresentationPlacement.round_id)
        .where(Round.owner_kind == owner_kind, PresentationPlacement.entry_id.in_(ids))
        .options(selectinload(PresentationSlot.room), selectinload(PresentationSlot.round))
        .order_by(Round.position, Round.id)
    ).all()
    return {entry_id: slot for entry_id, slot in rows}
