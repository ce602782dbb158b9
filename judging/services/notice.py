"""Public notice (公示), objections, final results and the certificate source of award winners."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from competitions.models import Advisor, Category, Contest, ContestStatus, Entry
from competitions.services.certificates import contest_source_batch
from core import audit
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from core.locks import acquire_lock
from judging import notifications as notices
from judging import owners
from judging.awards import AWARD_LEVELS
from judging.models import (
    AWARD_LABELS,
    CONTEST,
    SPECIAL_AWARD_LABELS,
    Notice,
    Objection,
    Result,
    Round,
)
from judging.services.rounds import notice_of, owner_fields, rounds_of
from judging.services.special_awards import special_awards_of
from judging.submissions import load_submissions


def _set_contest_status(contest: Contest, status: ContestStatus, actor=None) -> None:
    """Move the contest along its lifecycle through the competitions service (which checks and audits)."""
    from competitions.services.contests import move_contest

    if contest.status != status.value:
        move_contest(contest, status, actor=actor)


def start_notice(
    contest: Contest,
    rounds: Round | Iterable[Round],
    *,
    days: int = 7,
    mask_names: bool = True,
    starts_at=None,
    actor=None,
) -> Notice:
    """Publish the results of one or more rounds (公示) for ``days`` days; each round must be closed with results.

    A contest has one notice, and it covers every round published so far: publishing another round (the robot
    round after the rubric round) adds it and restarts the period, it never drops a round already public. For
    each category the latest published round judging it counts. The contest moves to ``notice``."""
    chosen = [rounds] if isinstance(rounds, Round) else list(rounds)
    if not chosen:
        raise DomainError(_l("Choose the rounds whose results are published."), field="rounds")
    by_contest = owners.kind_of(contest) == CONTEST
    for rnd in chosen:
        if rnd.owner_kind != owners.kind_of(contest) or (rnd.contest_id if by_contest else rnd.owner_id) != contest.id:
            raise DomainError(_l("This round does not belong to the contest."), field="rounds")
        if not rnd.is_closed() or rnd.results_computed_at is None:
            raise DomainError(_l("Close the round and compute its results before publishing them."), field="rounds")
    if not 1 <= int(days) <= 60:
        raise DomainError(_l("The notice period is between 1 and 60 days."), field="days")
    notice = notice_of(contest)
    if notice is not None and notice.finalised_at is not None:
        raise DomainError(_l("The results are already final."), field="rounds")
    if by_contest and contest.status not in (ContestStatus.JUDGING.value, ContestStatus.NOTICE.value):
        # say it in words before the lifecycle check refuses with its status codes
        raise DomainError(
            _l(
                "Results are published once the contest is in judging; it is now: %(status)s.",
                status=contest.status_label,
            ),
            field="rounds",
            code="bad_transition",
            status=409,
        )
    start = starts_at or utcnow()
    if notice is None:
        notice = Notice(**owner_fields(contest), starts_at=start, ends_at=start + timedelta(days=int(days)))
        db.session.add(notice)
    before = [r.id for r in notice.rounds]
    for rnd in chosen:
        if rnd not in notice.rounds:
            notice.rounds.append(rnd)
    notice.starts_at = start
    notice.ends_at, notice.mask_names = start + timedelta(days=int(days)), bool(mask_names)
    db.session.flush()
    if by_contest:
        _set_contest_status(contest, ContestStatus.NOTICE, actor)
    audit.record(
        "start_notice",
        notice,
        before={"round_ids": before} if before else None,
        after={"round_ids": [r.id for r in notice.rounds], "days": int(days), "mask_names": mask_names},
        actor=actor,
    )
    if by_contest:  # the coordinators of the schools with entries; a call's applicants follow its page
        notices.tell_results(notice)
    return notice


def category_rounds(notice: Notice) -> dict[int, Round]:
    """Category id -> the round whose results the notice publishes for it: the latest published round judging
    the category (by position), so a 终评 supersedes its 初评 and a robot round stands beside a rubric round."""
    chosen: dict[int, Round] = {}
    for rnd in sorted(notice.rounds, key=lambda r: (r.position, r.id)):
        for rc in rnd.categories:
            chosen[rc.category_id] = rnd
    return chosen


def notice_categories(notice: Notice) -> list:
    """The categories the notice publishes, in the contest's order."""
    chosen = category_rounds(notice)
    categories = {rc.category_id: rc.category for rnd in chosen.values() for rc in rnd.categories}
    return sorted((categories[cid] for cid in chosen), key=lambda c: (c.position, c.id))


def award_order(result: Result) -> tuple:
    """一等奖 above 二等奖 above ... above no award; within a level, by rank."""
    level = AWARD_LEVELS.index(result.award) if result.award in AWARD_LEVELS else len(AWARD_LEVELS)
    return (level, result.rank is None, result.rank or 0, result.id)


def notice_results(notice: Notice, category_id: int | None = None, *, awarded_only: bool = False) -> list[Result]:
    """Results the notice publishes, category by category (contest order), each by award level then rank."""
    if not notice.owned_by_contest:  # one group: the latest published round's results
        return _owner_notice_results(notice, awarded_only=awarded_only)
    pairs = [(cid, rnd.id) for cid, rnd in category_rounds(notice).items() if category_id is None or cid == category_id]
    if not pairs:
        return []
    query = (
        sa.select(Result)
        .join(Category, Category.id == Result.category_id)
        .where(sa.or_(*[sa.and_(Result.category_id == cid, Result.round_id == rid) for cid, rid in pairs]))
        .options(
            joinedload(Result.entry).joinedload(Entry.school),
            joinedload(Result.entry).joinedload(Entry.category),
            joinedload(Result.entry).selectinload(Entry.members),
            joinedload(Result.entry).selectinload(Entry.advisors),
        )
    )
    query = query.where(Result.award.is_not(None)) if awarded_only else query.where(Result.rank.is_not(None))
    rows = list(db.session.execute(query).unique().scalars())
    return sorted(rows, key=lambda r: ((r.entry.category.position, r.category_id), award_order(r)))


def _owner_notice_results(notice: Notice, *, awarded_only: bool) -> list[Result]:
    """The results a notice of another owner (a call) publishes: its latest round's, by award level then rank;
    the page reads names through the owner kind (judging.owners), never an entry."""
    if not notice.rounds:
        return []
    rnd = max(notice.rounds, key=lambda r: (r.position, r.id))
    query = sa.select(Result).where(Result.round_id == rnd.id)
    query = query.where(Result.award.is_not(None)) if awarded_only else query.where(Result.rank.is_not(None))
    return sorted(db.session.execute(query).scalars(), key=award_order)


def _objected_submission(notice: Notice, code: str) -> int:
    """The id of the published submission with this code, for an objection to a notice of another owner."""
    results = _owner_notice_results(notice, awarded_only=False)
    kind = owners.owner_kind(notice.owner_kind)
    found = load_submissions(kind.submission_kind, [r.entry_id for r in results])
    for submission in found.values():
        if submission.code == code:
            return submission.id
    raise DomainError(_l("Unknown entry code: %(codes)s.", codes=code), field="entry_code")


def submit_objection(notice: Notice, *, name: str, contact: str, reason: str, entry_code: str = "") -> Objection:
    """Anyone may object in writing while the notice runs: name, contact and reason are required."""
    if not notice.is_running():
        raise DomainError(_l("The notice period is over; objections are no longer accepted."), field="reason")
    name, contact, reason = (name or "").strip(), (contact or "").strip(), (reason or "").strip()
    if not name:
        raise DomainError(_l("Give your name."), field="name")
    if not contact:
        raise DomainError(_l("Give a phone number or email address so that we can answer you."), field="contact")
    if len(reason) < 10:
        raise DomainError(_l("Describe your objection (at least 10 characters)."), field="reason")
    entry = None
    submission_id = None
    if (entry_code or "").strip() and not notice.owned_by_contest:
        submission_id = _objected_submission(notice, entry_code.strip())
    elif (entry_code or "").strip():
        entry = db.session.execute(
            sa.select(Entry).where(Entry.contest_id == notice.contest_id, Entry.code == entry_code.strip())
        ).scalar_one_or_none()
        if entry is None:
            raise DomainError(_l("Unknown entry code: %(codes)s.", codes=entry_code.strip()), field="entry_code")
    # numbered per notice: the objector's reference (异议编号), told at once and quoted when they ask
    acquire_lock(f"judging.objections:{notice.id}")
    number = (
        db.session.execute(sa.select(sa.func.max(Objection.number)).where(Objection.notice_id == notice.id)).scalar()
        or 0
    ) + 1
    objection = Objection(
        notice=notice,
        number=number,
        entry_id=entry.id if entry else submission_id,
        name=name[:100],
        contact=contact[:200],
        reason=reason[:5000],
    )
    db.session.add(objection)
    db.session.flush()
    audit.record(
        "create", objection, after={"entry_id": objection.entry_id, "reference": objection.reference}, actor=None
    )
    notices.tell_objection_received(objection)
    return objection


def answer_objection(objection: Objection, *, accept: bool, reply: str, actor=None) -> Objection:
    """The organiser accepts or rejects an objection with a reply (audited)."""
    reply = (reply or "").strip()
    if not reply:
        raise DomainError(_l("Write a reply to the objection."), field="reply")
    if objection.notice.finalised_at is not None:
        raise DomainError(_l("The results are already final."), field="reply")
    before = {"status": objection.status, "reply": objection.reply}
    objection.status = "accepted" if accept else "rejected"
    objection.reply, objection.answered_by_id, objection.answered_at = (
        reply[:5000],
        getattr(actor, "id", None),
        utcnow(),
    )
    db.session.flush()
    audit.record(
        "answer", objection, before=before, after={"status": objection.status, "reply": objection.reply}, actor=actor
    )
    notices.tell_objection_answered(objection)
    return objection


def finalise_notice(notice: Notice, actor=None, now: datetime | None = None) -> Notice:
    """After the period ends with every objection answered, the results become final (contest ``final``)."""
    now = now or utcnow()
    if notice.finalised_at is not None:
        raise DomainError(_l("The results are already final."), field="notice")
    if now < notice.ends_at:
        raise DomainError(_l("The notice period has not ended yet."), field="notice")
    if any(o.status == "open" for o in notice.objections):
        raise DomainError(_l("Answer every objection before finalising."), field="notice")
    notice.finalised_at = now
    db.session.flush()
    if not notice.owned_by_contest:  # what final results mean for a call (its status): its kind says
        owners.owner_kind(notice.owner_kind).finalise(notice.owner, actor)
        audit.record("finalise", notice, actor=actor)
        return notice
    _set_contest_status(notice.contest, ContestStatus.FINAL, actor)
    audit.record("finalise", notice, actor=actor)
    notices.tell_results(notice, final=True)
    return notice


def public_results(notice: Notice, category_id: int | None = None) -> list[Result]:
    """Rows of the public page: every published category's ranked entries, by award level then rank."""
    return notice_results(notice, category_id)


def final_award_winners(contest: Contest) -> list[Result]:
    """Results of a finalised notice that carry an award, in every published category (what certificates are
    issued for)."""
    notice = notice_of(contest)
    if notice is None or notice.finalised_at is None:
        return []
    return notice_results(notice, awarded_only=True)


def final_round(contest: Contest) -> Round | None:
    """The round whose results count for a one-round export: the notice's latest round, else the last round
    with results."""
    notice = notice_of(contest)
    if notice is not None and notice.rounds:
        return notice.rounds[-1]
    with_results = [r for r in rounds_of(contest) if r.results_computed_at is not None]
    return with_results[-1] if with_results else None


def collect_award_holders(contest_id: int):
    """Certificate source "award winners (final results)": every student of an entry with an award in the
    finalised notice's round, plus special awards (entry students, advisors, organisations). Award names are
    in the platform's default language (a certificate is a formal Chinese document whatever the UI language).

    Refs are stable: ``result:<result id>:student:<student id>``, ``result:<id>:advisor:<id>`` (advisor track),
    ``special:<id>:student:<id>``, ``special:<id>:advisor:<id>``, ``special:<id>:org:<id>``."""
    from flask import current_app
    from flask_babel import force_locale

    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")):
        return _collect_award_holders(contest_id)


def _collect_award_holders(contest_id: int):
    from certificates.sources import Holder, SourceNotFound, SourceNotReady

    contest = db.session.get(Contest, contest_id)
    if contest is None:
        raise SourceNotFound()
    notice = notice_of(contest)
    if notice is None or notice.finalised_at is None:
        raise SourceNotReady(_l("The results of this contest are not final yet."))

    def entry_holder(ref: str, name: str, entry: Entry, award: str, **more) -> Holder:
        """A holder named for an entry: its school, category and title are printed with the award."""
        return Holder(
            ref=ref,
            name=name,
            school_id=entry.school_id,
            school=entry.school.name,
            award=award,
            category=entry.category.name,
            category_code=entry.category.code,
            title=entry.title,
            **more,
        )

    holders = []
    for result in final_award_winners(contest):
        entry = result.entry
        advisors = "、".join(a.advisor.name for a in entry.advisors)
        if not entry.members:  # advisor track: the teachers are the entrants
            for link in entry.advisors:
                holders.append(
                    entry_holder(
                        f"result:{result.id}:advisor:{link.advisor_id}",
                        link.advisor.name,
                        entry,
                        str(AWARD_LABELS[result.award]),
                        minor=False,
                        order=result.rank or 0,
                    )
                )
        for member in entry.members:
            holders.append(
                entry_holder(
                    f"result:{result.id}:student:{member.student_id}",
                    member.student.name,
                    entry,
                    str(AWARD_LABELS[result.award]),
                    advisors=advisors,
                    minor=True,
                    order=result.rank or 0,
                )
            )
    for special in special_awards_of(contest):
        label = str(SPECIAL_AWARD_LABELS[special.kind])
        if special.entry is not None:
            entry = special.entry
            for member in entry.members:
                holders.append(
                    entry_holder(f"special:{special.id}:student:{member.student_id}", member.student.name, entry, label)
                )
        elif special.advisor_id is not None:
            advisor = db.session.get(Advisor, special.advisor_id)
            holders.append(
                Holder(
                    ref=f"special:{special.id}:advisor:{advisor.id}",
                    name=advisor.name,
                    school_id=advisor.school_id,
                    school=advisor.school.name,
                    award=label,
                    minor=False,
                )
            )
        elif special.organisation is not None:
            holders.append(
                Holder(
                    ref=f"special:{special.id}:org:{special.organisation_id}",
                    name=special.organisation.name,
                    award=label,
                    minor=False,
                )
            )
    return contest_source_batch(contest, holders, issue_date=notice.finalised_at.date())
