"""Public notice (公示), objections, final results and the certificate source of award winners."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from competitions.models import Advisor, Contest, ContestStatus, Entry
from core import audit
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from judging import notifications as notices
from judging.models import (
    AWARD_LABELS,
    SPECIAL_AWARD_LABELS,
    Notice,
    Objection,
    Result,
    Round,
)
from judging.services.results import results_of, special_awards_of
from judging.services.rounds import notice_of, rounds_of


def _set_contest_status(contest: Contest, status: ContestStatus, actor=None) -> None:
    """Move the contest along its lifecycle through the competitions service (which checks and audits)."""
    from competitions.services import move_contest

    if contest.status != status.value:
        move_contest(contest, status, actor=actor)


def start_notice(contest: Contest, rnd: Round, *, days: int = 7, mask_names: bool = True, starts_at=None,
                 actor=None) -> Notice:
    """Publish the round's results (公示) for ``days`` days; the round must be closed with results. The
    contest moves to ``notice``."""
    if rnd.contest_id != contest.id:
        raise DomainError(_l("This round does not belong to the contest."), field="round")
    if not rnd.is_closed() or rnd.results_computed_at is None:
        raise DomainError(_l("Close the round and compute its results before publishing them."), field="round")
    if not 1 <= int(days) <= 60:
        raise DomainError(_l("The notice period is between 1 and 60 days."), field="days")
    notice = notice_of(contest)
    if notice is not None and notice.finalised_at is not None:
        raise DomainError(_l("The results are already final."), field="round")
    if contest.status not in (ContestStatus.JUDGING.value, ContestStatus.NOTICE.value):
        # say it in words before the lifecycle check refuses with its status codes
        raise DomainError(_l("Results are published once the contest is in judging; it is now: %(status)s.",
                             status=contest.status_label), field="round", code="bad_transition", status=409)
    start = starts_at or utcnow()
    if notice is None:
        notice = Notice(contest_id=contest.id, round_id=rnd.id, starts_at=start, ends_at=start + timedelta(days=int(days)))
        db.session.add(notice)
    notice.round_id, notice.starts_at = rnd.id, start
    notice.ends_at, notice.mask_names = start + timedelta(days=int(days)), bool(mask_names)
    db.session.flush()
    _set_contest_status(contest, ContestStatus.NOTICE, actor)
    audit.record("start_notice", notice, after={"round_id": rnd.id, "days": int(days), "mask_names": mask_names},
                 actor=actor)
    notices.tell_results(notice)
    return notice


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
    if (entry_code or "").strip():
        entry = db.session.execute(sa.select(Entry).where(Entry.contest_id == notice.contest_id,
                                                          Entry.code == entry_code.strip())).scalar_one_or_none()
        if entry is None:
            raise DomainError(_l("Unknown entry code: %(codes)s.", codes=entry_code.strip()), field="entry_code")
    objection = Objection(notice=notice, entry_id=entry.id if entry else None, name=name[:100], contact=contact[:200],
                          reason=reason[:5000])
    db.session.add(objection)
    db.session.flush()
    audit.record("create", objection, after={"entry_id": objection.entry_id}, actor=None)
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
    objection.reply, objection.answered_by_id, objection.answered_at = reply[:5000], getattr(actor, "id", None), utcnow()
    db.session.flush()
    audit.record("answer", objection, before=before, after={"status": objection.status, "reply": objection.reply},
                 actor=actor)
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
    _set_contest_status(notice.contest, ContestStatus.FINAL, actor)
    audit.record("finalise", notice, actor=actor)
    notices.tell_results(notice, final=True)
    return notice


def public_results(notice: Notice, category_id: int | None = None) -> list[Result]:
    """Rows of the public page: entries of the notice's round that have an award or a rank."""
    return [r for r in results_of(notice.round, category_id) if r.rank is not None]


def final_award_winners(contest: Contest) -> list[Result]:
    """Results of a finalised notice that carry an award (what certificates are issued for)."""
    notice = notice_of(contest)
    if notice is None or notice.finalised_at is None:
        return []
    return list(db.session.execute(
        sa.select(Result).where(Result.round_id == notice.round_id, Result.award.is_not(None))
        .options(joinedload(Result.entry).joinedload(Entry.school), joinedload(Result.entry).joinedload(Entry.category),
                 joinedload(Result.entry).selectinload(Entry.members),
                 joinedload(Result.entry).selectinload(Entry.advisors))
        .order_by(Result.category_id, Result.rank)).unique().scalars())


def final_round(contest: Contest) -> Round | None:
    """The round whose results count: the notice's round, else the last round with results."""
    notice = notice_of(contest)
    if notice is not None:
        return notice.round
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
    import re

    from certificates.sources import Holder, SourceBatch, SourceNotFound, SourceNotReady

    contest = db.session.get(Contest, contest_id)
    if contest is None:
        raise SourceNotFound()
    notice = notice_of(contest)
    if notice is None or notice.finalised_at is None:
        raise SourceNotReady(_l("The results of this contest are not final yet."))
    holders = []
    for result in final_award_winners(contest):
        entry = result.entry
        advisors = "、".join(a.advisor.name for a in entry.advisors)
        if not entry.members:  # advisor track: the teachers are the entrants
            for link in entry.advisors:
                holders.append(Holder(ref=f"result:{result.id}:advisor:{link.advisor_id}", name=link.advisor.name,
                                      school_id=entry.school_id, school=entry.school.name,
                                      award=str(AWARD_LABELS[result.award]), category=entry.category.name,
                                      category_code=entry.category.code, title=entry.title, minor=False,
                                      order=result.rank or 0))
        for member in entry.members:
            holders.append(Holder(ref=f"result:{result.id}:student:{member.student_id}", name=member.student.name,
                                  school_id=entry.school_id, school=entry.school.name,
                                  award=str(AWARD_LABELS[result.award]), category=entry.category.name,
                                  category_code=entry.category.code, title=entry.title, advisors=advisors,
                                  minor=True, order=result.rank or 0))
    for special in special_awards_of(contest):
        label = str(SPECIAL_AWARD_LABELS[special.kind])
        if special.entry is not None:
            entry = special.entry
            for member in entry.members:
                holders.append(Holder(ref=f"special:{special.id}:student:{member.student_id}", name=member.student.name,
                                      school_id=entry.school_id, school=entry.school.name, award=label,
                                      category=entry.category.name, category_code=entry.category.code,
                                      title=entry.title, minor=True))
        elif special.advisor_id is not None:
            advisor = db.session.get(Advisor, special.advisor_id)
            holders.append(Holder(ref=f"special:{special.id}:advisor:{advisor.id}", name=advisor.name,
                                  school_id=advisor.school_id, school=advisor.school.name, award=label, minor=False))
        elif special.organisation is not None:
            holders.append(Holder(ref=f"special:{special.id}:org:{special.organisation_id}",
                                  name=special.organisation.name, award=label, minor=False))
    org = contest.organisation
    code = re.sub(r"[^A-Za-z0-9]", "", org.code or "") + str(contest.id)
    return SourceBatch(scope_title=contest.name, scope_code=code.upper(), organisation_id=contest.organisation_id,
                       org_name=org.name, year=contest.year, holders=holders,
                       issue_date=notice.finalised_at.date())
