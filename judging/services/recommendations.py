"""Recommendations (推荐) to a parent association's contest: the county recommends its final results' entries to
the city's open contest, with award and score; the city accepts (the entry is registered there by the
competitions service that copies entries) or declines with a reason. The one way entries move up."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from accounts.models import Organisation
from competitions.models import Category, Contest, ContestStatus, Entry, EntryStatus
from core import audit
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from core.locks import acquire_lock
from judging.awards import AWARD_LEVELS
from judging.models import Recommendation, RecommendationStatus, Result
from judging.services.notice import notice_results
from judging.services.rounds import notice_of

#: contests of a parent association that take recommendations (their registration is open or just closed)
OPEN_STATUSES = (ContestStatus.REGISTRATION.value, ContestStatus.CLOSED.value)


def parent_contests(contest: Contest) -> list[Contest]:
    """Open contests of the associations above the contest's organiser (county → city → province), nearest
    first."""
    ancestors, seen = [], set()
    org = db.session.get(Organisation, contest.organisation_id)
    while org is not None and org.parent_id is not None and org.parent_id not in seen:
        seen.add(org.parent_id)
        ancestors.append(org.parent_id)
        org = db.session.get(Organisation, org.parent_id)
    if not ancestors:
        return []
    rows = (
        db.session.execute(
            sa.select(Contest)
            .where(Contest.organisation_id.in_(ancestors), Contest.status.in_(OPEN_STATUSES))
            .order_by(Contest.year.desc(), Contest.id.desc())
        )
        .scalars()
        .all()
    )
    return sorted(rows, key=lambda c: ancestors.index(c.organisation_id))


def recommendable_results(contest: Contest) -> list[Result]:
    """The contest's final public results (every published category, by award level then rank); empty until the
    results are final."""
    notice = notice_of(contest)
    if notice is None or notice.finalised_at is None:
        return []
    return notice_results(notice)


def recommendations_from(contest: Contest) -> list[Recommendation]:
    """What the contest's organiser has recommended so far, with the parent's decisions."""
    return list(
        db.session.execute(
            sa.select(Recommendation)
            .join(Entry, Entry.id == Recommendation.entry_id)
            .where(Entry.contest_id == contest.id)
            .options(joinedload(Recommendation.entry), joinedload(Recommendation.target_contest))
            .order_by(Recommendation.target_contest_id, Recommendation.id)
        ).scalars()
    )


def recommend_entries(
    source: Contest, target: Contest, entry_ids: Iterable[int], *, note: str = "", actor=None
) -> list[Recommendation]:
    """Recommend entries of a contest with final results to an open contest of a parent association. Each
    recommendation carries the entry's award, score and rank as published; an entry already recommended to the
    target is skipped, never duplicated."""
    if target.id not in {c.id for c in parent_contests(source)}:
        raise DomainError(_l("Entries are recommended to an open contest of a parent association."), field="target_id")
    results = {r.entry_id: r for r in recommendable_results(source)}
    if not results:
        raise DomainError(
            _l("Entries are recommended once the contest's results are final."),
            field="entry_ids",
            code="not_final",
            status=409,
        )
    wanted = list(dict.fromkeys(int(i) for i in entry_ids))
    if not wanted:
        raise DomainError(_l("Select at least one entry."), field="entry_ids")
    acquire_lock(f"judging.recommendations:{target.id}")
    done = set(
        db.session.execute(
            sa.select(Recommendation.entry_id).where(
                Recommendation.target_contest_id == target.id, Recommendation.entry_id.in_(wanted)
            )
        ).scalars()
    )
    created = []
    for entry_id in wanted:
        result = results.get(entry_id)
        if result is None:
            raise DomainError(_l("Only entries in the contest's final results can be recommended."), field="entry_ids")
        if entry_id in done:
            continue
        if result.entry.status != EntryStatus.APPROVED.value:
            raise DomainError(
                _l(
                    "Entry %(code)s was not approved and cannot be advanced.",
                    code=result.entry.code or result.entry.title,
                ),
                field="entry_ids",
            )
        rec = Recommendation(
            entry_id=entry_id,
            target_contest_id=target.id,
            award=result.award,
            score=result.score,
            rank=result.rank,
            round_name=result.round.name,
            note=(note or "").strip()[:500],
            recommended_by_id=getattr(actor, "id", None),
        )
        db.session.add(rec)
        db.session.flush()
        audit.record(
            "recommend",
            rec,
            after={
                "entry": result.entry.code,
                "target_contest_id": target.id,
                "award": result.award,
                "score": _text(result.score),
            },
            actor=actor,
            organisation_id=source.organisation_id,
        )
        created.append(rec)
    return created


def incoming_recommendations(target: Contest) -> list[Recommendation]:
    """Recommendations to the target contest: awaiting a decision first, then by source contest, award level,
    rank."""
    rows = (
        db.session.execute(
            sa.select(Recommendation)
            .where(Recommendation.target_contest_id == target.id)
            .options(
                joinedload(Recommendation.entry).joinedload(Entry.school),
                joinedload(Recommendation.entry).joinedload(Entry.category),
                joinedload(Recommendation.entry).joinedload(Entry.contest),
            )
        )
        .scalars()
        .all()
    )

    def order(rec: Recommendation):
        level = AWARD_LEVELS.index(rec.award) if rec.award in AWARD_LEVELS else len(AWARD_LEVELS)
        return (
            rec.status != RecommendationStatus.PENDING.value,
            rec.entry.contest_id,
            (rec.entry.category.position, rec.entry.category_id),
            level,
            rec.rank is None,
            rec.rank or 0,
            rec.id,
        )

    return sorted(rows, key=order)


def accept_recommendation(rec: Recommendation, category_id: int | None, actor=None) -> Entry:
    """The parent's organiser accepts: the entry is registered in the target contest, in the chosen category,
    by competitions' copy of entries (students, advisors, materials; linked to the original)."""
    from competitions.services.advancement import advance_entries

    _refuse_if_decided(rec)
    target = rec.target_contest
    category = db.session.get(Category, category_id) if category_id else None
    if category is None or category.contest_id != target.id:
        raise DomainError(
            _l("Choose a category of the target contest for %(name)s.", name=rec.entry.category.name),
            field="category_id",
        )
    source = rec.entry.contest
    created = advance_entries(source, target, [rec.entry_id], {rec.entry.category_id: category.id}, actor=actor)
    copy = (
        created[0]
        if created
        else db.session.execute(
            sa.select(Entry).where(Entry.contest_id == target.id, Entry.advanced_from_id == rec.entry_id)
        ).scalar_one()
    )
    rec.status, rec.registered_entry_id = RecommendationStatus.ACCEPTED.value, copy.id
    rec.decided_by_id, rec.decided_at = getattr(actor, "id", None), utcnow()
    db.session.flush()
    audit.record(
        "accept",
        rec,
        before={"status": RecommendationStatus.PENDING.value},
        after={"status": rec.status, "code": copy.code},
        actor=actor,
    )
    return copy


def decline_recommendation(rec: Recommendation, reason: str, actor=None) -> Recommendation:
    """The parent's organiser declines, saying why (the county reads it beside the entry)."""
    _refuse_if_decided(rec)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Say why the recommendation is declined."), field="reason")
    rec.status, rec.reply = RecommendationStatus.DECLINED.value, reason[:500]
    rec.decided_by_id, rec.decided_at = getattr(actor, "id", None), utcnow()
    db.session.flush()
    audit.record(
        "decline",
        rec,
        before={"status": RecommendationStatus.PENDING.value},
        after={"status": rec.status, "reply": rec.reply},
        actor=actor,
    )
    return rec


def _refuse_if_decided(rec: Recommendation) -> None:
    if rec.status != RecommendationStatus.PENDING.value:
        raise DomainError(_l("This recommendation has already been decided."), code="decided", status=409)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"
