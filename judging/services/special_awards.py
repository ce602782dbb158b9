"""Special awards (特别奖) chosen by hand: to an entry, an advisor or an organisation of a contest; the notice lists
them and certificates are issued for them. The kinds themselves are the pure `judging.awards.SPECIAL_AWARD_KINDS`."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from accounts.models import Organisation
from competitions.models import Advisor, Contest, Entry
from core import audit
from core.errors import DomainError
from core.extensions import db
from judging import awards
from judging.models import SpecialAward
from judging.services.judges import resolve_entry_codes


def add_special_award_by_code(
    contest: Contest,
    *,
    kind: str,
    entry_code: str = "",
    organisation: Organisation | None = None,
    reason: str = "",
    actor=None,
) -> SpecialAward:
    """A special award from the organiser's form: the entry is given by its code; an outstanding-advisor award
    goes to the first advisor of that entry (the entry itself then receives nothing)."""
    entry = None
    if entry_code and entry_code.strip():
        [entry_id] = resolve_entry_codes(contest, [entry_code], field="entry_code")
        entry = db.session.get(Entry, entry_id)
    advisor_id = None
    if kind == "outstanding_advisor":
        if entry is None or not entry.advisors:
            raise DomainError(_l("Give the code of an entry that has an advisor."), field="entry_code")
        advisor_id, entry = entry.advisors[0].advisor_id, None
    return add_special_award(
        contest, kind=kind, entry=entry, advisor_id=advisor_id, organisation=organisation, reason=reason, actor=actor
    )


def add_special_award(
    contest: Contest,
    *,
    kind: str,
    entry: Entry | None = None,
    advisor_id: int | None = None,
    organisation: Organisation | None = None,
    reason: str = "",
    actor=None,
) -> SpecialAward:
    """A special award chosen by hand; it goes to an entry, an advisor or an organisation of the contest."""
    if kind not in awards.SPECIAL_AWARD_KINDS:
        raise DomainError(_l("Unknown special award."), field="kind")
    if entry is None and advisor_id is None and organisation is None:
        raise DomainError(_l("Choose who receives the special award."), field="entry")
    if entry is not None and entry.contest_id != contest.id:
        raise DomainError(_l("An entry does not belong to this contest."), field="entry")
    award = SpecialAward(
        contest_id=contest.id,
        kind=kind,
        entry_id=entry.id if entry else None,
        advisor_id=advisor_id,
        organisation_id=organisation.id if organisation else None,
        reason=(reason or "")[:500],
    )
    db.session.add(award)
    db.session.flush()
    audit.record(
        "create",
        award,
        after={
            "kind": kind,
            "entry_id": award.entry_id,
            "advisor_id": advisor_id,
            "organisation_id": award.organisation_id,
        },
        actor=actor,
        organisation_id=contest.organisation_id,
    )
    return award


def remove_special_award(award: SpecialAward, actor=None) -> None:
    audit.record(
        "delete",
        award,
        before={"kind": award.kind, "entry_id": award.entry_id},
        actor=actor,
        organisation_id=db.session.get(Contest, award.contest_id).organisation_id,
    )
    db.session.delete(award)
    db.session.flush()


def special_awards_of(contest: Contest) -> list[SpecialAward]:
    return list(
        db.session.execute(
            sa.select(SpecialAward)
            .where(SpecialAward.contest_id == contest.id)
            .options(
                joinedload(SpecialAward.entry).joinedload(Entry.school),
                joinedload(SpecialAward.organisation),
                joinedload(SpecialAward.advisor).joinedload(Advisor.school),
            )
            .order_by(SpecialAward.kind, SpecialAward.id)
        ).scalars()
    )
