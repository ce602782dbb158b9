"""What a school sees of its outcomes once a contest's results are final: each entry's award, final score and
rank, the judges' comments of the rounds whose comments the organiser released (anonymised), the special
awards, and the certificates of the school's students and advisors.

Nothing here shows anything before the results are final (the 公示 finalised); permissions are the views'."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from accounts.models import Organisation
from competitions.models import Advisor, Contest, Entry, EntryStatus
from core import audit
from core.extensions import db
from judging.models import (
    AWARD_LABELS,
    AssignmentStatus,
    JudgeAssignment,
    Notice,
    Result,
    Round,
    Score,
    SpecialAward,
)
from judging.services.notice import category_rounds
from judging.services.rounds import notice_of, rounds_of


@dataclass(frozen=True)
class JudgeComment:
    """One judge's comment, named only by its number: 评委1, 评委2, … in assignment order within the entry's
    round (fixed once results are final, since scores no longer change)."""

    number: int
    text: str


@dataclass(frozen=True)
class RoundComments:
    round_name: str
    comments: list[JudgeComment]


@dataclass
class EntryOutcome:
    entry: Entry
    round: Round  # the round whose final results count for the entry's category (services.notice.category_rounds)
    result: Result | None  # None: the entry was not judged in that round (e.g. did not advance)
    ranked: int  # entries with a rank in the entry's category in that round
    specials: list[SpecialAward] = field(default_factory=list)
    comments: list[RoundComments] = field(default_factory=list)
    certificates: list[Any] = field(default_factory=list)  # certificates.models.Certificate, valid

    @property
    def award_label(self):
        return self.result.award_label if self.result is not None else ""


@dataclass
class HolderCertificates:
    """A student's or advisor's certificates of the contest (one download each)."""

    name: str
    role: str  # "student" | "advisor" | "organisation"
    certificates: list[Any]


@dataclass
class SchoolOutcome:
    contest: Contest
    school: Organisation
    round: Round
    entries: list[EntryOutcome]
    specials: list[SpecialAward]  # advisors' and the school's own special awards
    holders: list[HolderCertificates]
    award_counts: dict[str, int]


def final_notice(contest: Contest) -> Notice | None:
    """The contest's notice when its results are final, else None."""
    notice = notice_of(contest)
    return notice if notice is not None and notice.finalised_at is not None else None


def set_comments_released(rnd: Round, released: bool, actor=None) -> Round:
    """The organiser shows (or hides again) the judges' comments of this round to the schools. They appear,
    anonymised, only once the contest's results are final; releasing changes no result, so it is allowed
    at any time. Audited."""
    before = {"comments_released": rnd.comments_released}
    rnd.comments_released = bool(released)
    db.session.flush()
    audit.record(
        "release_comments" if released else "withhold_comments",
        rnd,
        before=before,
        after={"comments_released": rnd.comments_released},
        actor=actor,
    )
    return rnd


def released_comments(entry: Entry, rounds: list[Round] | None = None) -> list[RoundComments]:
    """The entry's judges' comments in each round whose comments are released, in round order. Only counted
    scores (submitted, of an active assignment) with a comment; judges are numbered 1, 2, … by assignment
    order within the round and never named."""
    rounds = [r for r in (rounds if rounds is not None else rounds_of(entry.contest)) if r.comments_released]
    if not rounds:
        return []
    rows = db.session.execute(
        sa.select(Score.round_id, Score.comment)
        .join(JudgeAssignment, JudgeAssignment.id == Score.assignment_id)
        .where(
            Score.entry_id == entry.id,
            Score.round_id.in_([r.id for r in rounds]),
            Score.submitted.is_(True),
            JudgeAssignment.status == AssignmentStatus.ACTIVE.value,
        )
        .order_by(Score.round_id, JudgeAssignment.id)
    ).all()
    by_round: dict[int, list[str]] = defaultdict(list)
    for round_id, comment in rows:
        if (comment or "").strip():
            by_round[round_id].append(comment.strip())
    return [
        RoundComments(r.name, [JudgeComment(n, text) for n, text in enumerate(by_round[r.id], 1)])
        for r in rounds
        if by_round.get(r.id)
    ]


def _ranked_counts(round_ids: list[int]) -> dict[tuple[int, int], int]:
    """(round id, category id) -> number of entries with a rank in that round's category."""
    return {
        (rid, cid): n
        for rid, cid, n in db.session.execute(
            sa.select(Result.round_id, Result.category_id, sa.func.count())
            .where(Result.round_id.in_(round_ids or [-1]), Result.rank.is_not(None))
            .group_by(Result.round_id, Result.category_id)
        ).all()
    }


def _counting_round(notice: Notice, category_id: int) -> Round:
    """The round whose results count for a category: the latest published round judging it (else the notice's
    latest round, for an entry whose category no published round judged)."""
    return category_rounds(notice).get(category_id) or max(notice.rounds, key=lambda r: (r.position, r.id))


def _certificates(contest: Contest, school_id: int) -> list:
    """Valid certificates of the contest held by the school's students and advisors (print order)."""
    try:
        from certificates.services import certificates_stmt
    except ImportError:  # certificates area not installed
        return []
    return list(
        db.session.execute(certificates_stmt(scope="contest", scope_id=contest.id, school_id=school_id)).scalars()
    )


def _entry_refs(entry_id: int, result_ids: list[int], special_ids: list[int]) -> tuple[str, ...]:
    """Holder-ref prefixes of the certificate sources that belong to one entry (see each source's refs)."""
    return (f"entry:{entry_id}:", *(f"result:{r}:" for r in result_ids), *(f"special:{s}:" for s in special_ids))


def _specials(contest: Contest) -> list[SpecialAward]:
    return list(
        db.session.execute(
            sa.select(SpecialAward)
            .where(SpecialAward.contest_id == contest.id)
            .options(joinedload(SpecialAward.advisor), joinedload(SpecialAward.organisation))
            .order_by(SpecialAward.kind, SpecialAward.id)
        ).scalars()
    )


def _outcome(
    entry: Entry,
    rnd: Round,
    rounds: list[Round],
    results: dict[int, Result],
    ranked: dict[int, int],
    specials: list[SpecialAward],
    certificates: list,
) -> EntryOutcome:
    result = results.get(entry.id)
    mine = [s for s in specials if s.entry_id == entry.id]
    refs = _entry_refs(entry.id, [result.id] if result is not None else [], [s.id for s in mine])
    return EntryOutcome(
        entry=entry,
        round=rnd,
        result=result,
        ranked=ranked.get((rnd.id, entry.category_id), 0),
        specials=mine,
        comments=released_comments(entry, rounds),
        certificates=[c for c in certificates if c.holder_ref.startswith(refs)],
    )


def entry_outcome(entry: Entry) -> EntryOutcome | None:
    """An entry's outcome, or None while the contest's results are not final (or the entry was never judged)."""
    notice = final_notice(entry.contest)
    if notice is None or entry.status != EntryStatus.APPROVED.value:
        return None
    rnd = _counting_round(notice, entry.category_id)
    results = {
        r.entry_id: r
        for r in db.session.execute(
            sa.select(Result).where(Result.round_id == rnd.id, Result.entry_id == entry.id)
        ).scalars()
    }
    return _outcome(
        entry,
        rnd,
        rounds_of(entry.contest),
        results,
        _ranked_counts([rnd.id]),
        _specials(entry.contest),
        _certificates(entry.contest, entry.school_id),
    )


def _holder_key(ref: str) -> tuple[str, str]:
    """("student", "12") from "result:3:student:12": the person a certificate belongs to."""
    parts = ref.split(":")
    return (parts[-2], parts[-1]) if len(parts) >= 2 else ("", ref)


def _group_by_holder(certificates: list) -> list[HolderCertificates]:
    groups: dict[tuple[str, str], HolderCertificates] = {}
    for cert in certificates:
        role, ident = _holder_key(cert.holder_ref)
        role = role if role in ("student", "advisor") else "organisation"
        group = groups.setdefault((role, ident), HolderCertificates(cert.holder_name, role, []))
        group.certificates.append(cert)
    order = {"student": 0, "advisor": 1, "organisation": 2}
    return sorted(groups.values(), key=lambda g: (order[g.role], g.name))


def school_outcome(contest: Contest, school: Organisation) -> SchoolOutcome | None:
    """The school's approved entries with their outcomes, its advisors' and its own special awards, and its
    certificates grouped per student/advisor; None while the results are not final."""
    notice = final_notice(contest)
    if notice is None:
        return None
    latest = max(notice.rounds, key=lambda r: (r.position, r.id))
    entries = list(
        db.session.execute(
            sa.select(Entry)
            .where(
                Entry.contest_id == contest.id, Entry.school_id == school.id, Entry.status == EntryStatus.APPROVED.value
            )
            .options(joinedload(Entry.category))
            .order_by(Entry.code, Entry.id)
        )
        .unique()
        .scalars()
    )
    counting = {e.id: _counting_round(notice, e.category_id) for e in entries}
    results = {
        r.entry_id: r
        for r in db.session.execute(
            sa.select(Result).where(
                Result.round_id.in_([r.id for r in notice.rounds] or [-1]),
                Result.entry_id.in_([e.id for e in entries] or [-1]),
            )
        ).scalars()
        if r.round_id == counting[r.entry_id].id
    }
    rounds, specials = rounds_of(contest), _specials(contest)
    ranked = _ranked_counts([r.id for r in notice.rounds])
    certificates = _certificates(contest, school.id)
    outcomes = [_outcome(e, counting[e.id], rounds, results, ranked, specials, certificates) for e in entries]
    outcomes.sort(
        key=lambda o: (
            o.result is None or o.result.award is None,
            list(AWARD_LABELS).index(o.result.award) if o.result and o.result.award else 0,
            o.entry.code or "",
        )
    )
    advisor_ids = set(db.session.execute(sa.select(Advisor.id).where(Advisor.school_id == school.id)).scalars())
    own = [
        s for s in specials if s.entry_id is None and (s.organisation_id == school.id or s.advisor_id in advisor_ids)
    ]
    counts = {k: 0 for k in AWARD_LABELS}
    for o in outcomes:
        if o.result is not None and o.result.award:
            counts[o.result.award] += 1
    return SchoolOutcome(
        contest=contest,
        school=school,
        round=latest,
        entries=outcomes,
        specials=own,
        holders=_group_by_holder(certificates),
        award_counts=counts,
    )


@dataclass
class FinishedContest:
    """A contest with final results in which a school took part: the dashboard keeps it."""

    contest: Contest
    school: Organisation
    entries: int
    award_counts: dict[str, int]

    @property
    def awarded(self) -> int:
        return sum(self.award_counts.values())


def finished_contests(school_ids: set[int] | list[int], limit: int = 12) -> list[FinishedContest]:
    """Contests with final results in which these schools had approved entries, newest first, with each
    school's award counts (two grouped queries)."""
    if not school_ids:
        return []
    rows = db.session.execute(
        sa.select(Contest, Organisation, sa.func.count(Entry.id))
        .join(Notice, Notice.contest_id == Contest.id)
        .join(Entry, Entry.contest_id == Contest.id)
        .join(Organisation, Organisation.id == Entry.school_id)
        .where(
            Notice.finalised_at.is_not(None),
            Entry.school_id.in_(list(school_ids)),
            Entry.status == EntryStatus.APPROVED.value,
        )
        .group_by(Contest.id, Organisation.id)
        .order_by(Contest.year.desc(), Contest.id.desc(), Organisation.name)
        .limit(limit)
    ).all()
    if not rows:
        return []
    notices = db.session.execute(
        sa.select(Notice)
        .where(Notice.contest_id.in_([c.id for c, _, _ in rows]), Notice.finalised_at.is_not(None))
        .options(selectinload(Notice.rounds).selectinload(Round.categories))
    ).scalars()
    pairs = [(rnd.id, cid) for notice in notices for cid, rnd in category_rounds(notice).items()]
    awards = (
        db.session.execute(
            sa.select(Entry.contest_id, Entry.school_id, Result.award, sa.func.count())
            .join(Result, Result.entry_id == Entry.id)
            .where(
                Entry.school_id.in_(list(school_ids)),
                Result.award.is_not(None),
                sa.or_(*[sa.and_(Result.round_id == rid, Result.category_id == cid) for rid, cid in pairs]),
            )
            .group_by(Entry.contest_id, Entry.school_id, Result.award)
        ).all()
        if pairs
        else []
    )
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: {k: 0 for k in AWARD_LABELS})
    for contest_id, school_id, award, n in awards:
        if award in AWARD_LABELS:
            counts[(contest_id, school_id)][award] = n
    return [FinishedContest(c, s, n, dict(counts[(c.id, s.id)])) for c, s, n in rows]
