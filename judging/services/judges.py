"""The judges of a contest: profiles, invitations, expertise and declared conflicts (回避)."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from accounts.models import Organisation, User
from competitions.models import Category, Contest, Entry
from core import audit, conflicts
from core.errors import DomainError
from core.extensions import db
from core.permissions import Role
from judging import assignment, owners
from judging.models import CONTEST, Judge, Round
from judging.services.rounds import owned_by, owner_fields, round_entries, round_entry_ids
from judging.submissions import ENTRY_KIND, Submission, load_submissions, submission_kind


def _judge_role(owner) -> Role:
    """Who judges for an owner: the judge role for a contest, the role its kind names for another (a call)."""
    kind = owners.kind_of(owner)
    return Role.JUDGE if kind == CONTEST else owners.owner_kind(kind).judge_role


def judges_of(contest, include_withdrawn: bool = True) -> list[Judge]:
    """The judges of a contest, or of another owner (a call's experts)."""
    query = sa.select(Judge).where(owned_by(Judge, contest)).options(joinedload(Judge.user)).order_by(Judge.id)
    if not include_withdrawn:
        query = query.where(Judge.withdrawn_at.is_(None))
    return list(db.session.execute(query).scalars())


def sync_judges(contest) -> list[Judge]:
    """Create the judge profile of every user holding the judge role for the contest (e.g. invited ones); for
    another owner, of every holder of its kind's judge role (a call's invited experts)."""
    from accounts.models import Membership

    role = _judge_role(contest)
    user_ids = set(
        db.session.execute(
            sa.select(Membership.user_id).where(Membership.role == role.value, Membership.scope_id == contest.id)
        ).scalars()
    )
    have = set(db.session.execute(sa.select(Judge.user_id).where(owned_by(Judge, contest))).scalars())
    for user_id in sorted(user_ids - have):
        db.session.add(Judge(user_id=user_id, **owner_fields(contest)))
    db.session.flush()
    return judges_of(contest)


def find_judge(contest, user: User) -> Judge | None:
    """The user's judge profile in the contest (or another owner: a call), if they hold its judge role. Reads
    only: the profile is made when the role is granted (ensure_judge, through accounts' grant hook)."""
    if contest.id not in user.scope_ids(_judge_role(contest)):
        return None
    return db.session.execute(
        sa.select(Judge).where(owned_by(Judge, contest), Judge.user_id == user.id)
    ).scalar_one_or_none()


def ensure_judge(contest, user: User, actor=None) -> Judge | None:
    """The user's judge profile, made if they hold the judge role (or the owner kind's) and have none yet:
    called when the role is granted (judging and calls register it as the invitation scope's `granted`)."""
    if contest.id not in user.scope_ids(_judge_role(contest)):
        return None
    judge = find_judge(contest, user)
    if judge is None:
        judge = Judge(user_id=user.id, **owner_fields(contest))
        db.session.add(judge)
        db.session.flush()
        audit.record("create", judge, after={"user_id": user.id}, actor=actor)
    return judge


def add_judge(contest: Contest, user: User, *, affiliation: Organisation | None = None, actor=None) -> Judge:
    """Give an existing account the judge role for the contest and a judge profile."""
    from accounts.services import grant_role

    grant_role(user, Role.JUDGE, scope_id=contest.id, actor=actor)
    judge = ensure_judge(contest, user, actor=actor)  # made by the grant, or here for a role granted before
    if affiliation is not None and judge.affiliation_id is None:
        judge.affiliation_id = affiliation.id
    if judge.withdrawn_at is not None:
        judge.withdrawn_at = None
        audit.record("rejoin", judge, actor=actor)
    db.session.flush()
    return judge


def invite_judge(contest: Contest, *, email: str, name: str = "", actor=None) -> tuple[Judge | None, str | None]:
    """Invite by login email: an existing account becomes a judge at once (returns the judge); otherwise an
    invitation link is created (returns its token) and the profile appears when the link is accepted."""
    from accounts.invitations import create_invitation
    from accounts.services import find_user_by_login

    email = (email or "").strip()
    if "@" not in email:
        raise DomainError(_l("Give the judge's email address."), field="email")
    user = find_user_by_login(email)
    if user is not None:
        return add_judge(contest, user, actor=actor), None
    _, token = create_invitation(role=Role.JUDGE, created_by=actor, scope_id=contest.id, email=email, name=name)
    return None, token


JUDGE_FIELDS = ["affiliation_id", "expertise", "conflict_school_ids", "conflict_entry_ids"]


def update_judge_profile(
    judge: Judge,
    *,
    expertise: Iterable[int] | None = None,
    conflict_school_ids: Iterable[int] | None = None,
    conflict_entry_ids: Iterable[int] | None = None,
    affiliation_id: int | None | str = "keep",
    actor=None,
) -> Judge:
    """Expertise (categories of the contest) and declared conflicts (schools, entries), audited."""
    before = audit.snapshot(judge, JUDGE_FIELDS)
    if expertise is not None:
        ids = sorted({int(i) for i in expertise})
        valid = set(db.session.execute(sa.select(Category.id).where(Category.contest_id == judge.contest_id)).scalars())
        if set(ids) - valid:
            raise DomainError(_l("A category does not belong to this contest."), field="expertise")
        judge.expertise = ids
    if conflict_school_ids is not None:
        judge.conflict_school_ids = sorted({int(i) for i in conflict_school_ids})
    if conflict_entry_ids is not None:
        ids = sorted({int(i) for i in conflict_entry_ids})
        valid = (
            set(
                db.session.execute(
                    sa.select(Entry.id).where(Entry.contest_id == judge.contest_id, Entry.id.in_(ids))
                ).scalars()
            )
            if ids
            else set()
        )
        if set(ids) - valid:
            raise DomainError(_l("An entry does not belong to this contest."), field="conflict_entry_ids")
        judge.conflict_entry_ids = ids
    if affiliation_id != "keep":
        judge.affiliation_id = int(affiliation_id) if affiliation_id else None
    db.session.flush()
    audit.record("update", judge, before=before, after=audit.snapshot(judge, JUDGE_FIELDS), actor=actor)
    return judge


def resolve_entry_codes(contest: Contest, codes: Iterable[str], *, field: str = "conflict_entries") -> list[int]:
    """Entry ids for codes typed by a person; an unknown code is a DomainError naming it, shown at `field`."""
    wanted = [c.strip() for c in codes if c and c.strip()]
    if not wanted:
        return []
    found = dict(
        db.session.execute(
            sa.select(Entry.code, Entry.id).where(Entry.contest_id == contest.id, Entry.code.in_(wanted))
        ).all()
    )
    missing = [c for c in wanted if c not in found]
    if missing:
        raise DomainError(_l("Unknown entry code: %(codes)s.", codes=", ".join(missing)), field=field)
    return [found[c] for c in wanted]


def judge_organisation_ids(judge: Judge) -> set[int]:
    """The organisations a judge belongs to: their affiliation, and every school they coordinate or organisation
    they organise."""
    orgs = {m.organisation_id for m in judge.user.memberships if m.organisation_id is not None}
    if judge.affiliation_id:
        orgs.add(judge.affiliation_id)
    return orgs


def judge_info(judge: Judge) -> assignment.JudgeInfo:
    """A judge never gets a submission from an organisation they belong to or declared a conflict with; a judge
    of another owner (a call's expert) carries the keys its kind gives (name, workplace, declared conflicts)."""
    if not judge.owned_by_contest:
        return assignment.JudgeInfo(judge.id, None, owners.owner_kind(judge.owner_kind).judge_keys(judge))
    return assignment.JudgeInfo(
        judge.id,
        frozenset(judge.expertise) if judge.expertise else None,
        frozenset(conflicts.organisation_key(o) for o in judge_organisation_ids(judge)),
        frozenset(conflicts.organisation_key(o) for o in judge.conflict_school_ids),
        frozenset(judge.conflict_entry_ids),
    )


def submission_info(submission: Submission) -> assignment.EntryInfo:
    """What the assignment rule needs of a submission: its id, the group judges' expertise is matched with, and
    its conflict keys."""
    return assignment.EntryInfo(submission.id, submission.group, submission.conflict_keys)


def entry_submissions(entries: Iterable[Entry]) -> list[Submission]:
    """Entries (already loaded) as submissions, through the registered "entry" kind, in the order given."""
    entries = list(entries)
    found = load_submissions(ENTRY_KIND, [e.id for e in entries])
    return [found[e.id] for e in entries if e.id in found]


def round_submissions(rnd: Round) -> list[Submission]:
    """What a round judges, as submissions: a contest's entries (rounds.round_entries); for another owner (a call)
    what its kind says, through its submission kind, by code."""
    if rnd.owned_by_contest:
        return entry_submissions(round_entries(rnd))
    kind = owners.owner_kind(rnd.owner_kind)
    found = load_submissions(kind.submission_kind, [i for i, _ in round_entry_ids(rnd)])
    return sorted(found.values(), key=lambda s: (s.code, s.id))


def judge_words(rnd: Round) -> dict:
    """What the judge's pages of this round call its submissions (作品 for a contest, 申报 for a call)."""
    kind = ENTRY_KIND if rnd.owned_by_contest else owners.owner_kind(rnd.owner_kind).submission_kind
    return dict(submission_kind(kind).words)


def submissions_of(rnd: Round, ids) -> dict[int, Submission]:
    """Submissions of another owner's round (a call's) by id, through its submission kind (one load)."""
    return load_submissions(owners.owner_kind(rnd.owner_kind).submission_kind, ids)


def other_owners_of(user: User) -> list:
    """The owners other than contests (calls) whose rounds user judges, by the role each kind names."""
    found = []
    for kind in owners.OWNERS.values():
        ids = sorted(user.scope_ids(kind.judge_role))
        if ids:
            rows = db.session.execute(sa.select(kind.model).where(kind.model.id.in_(ids))).scalars()
            found += sorted(rows, key=lambda o: (-o.year, o.id))
    return found


def _referee_info(rnd: Round, user: User) -> assignment.JudgeInfo:
    """Whom a referee belongs to: as a judge of the contest (declared conflicts too), else their memberships."""
    judge = db.session.execute(
        sa.select(Judge).where(Judge.contest_id == rnd.contest_id, Judge.user_id == user.id)
    ).scalar_one_or_none()
    if judge is not None:
        return judge_info(judge)
    return assignment.JudgeInfo(
        None,
        None,
        frozenset(
            conflicts.organisation_key(m.organisation_id) for m in user.memberships if m.organisation_id is not None
        ),
    )


def entries_to_stand_aside(rnd: Round, user: User | None, entries) -> set[int]:
    """Ids of the entries among ``entries`` whose runs ``user`` may not record or confirm (回避)."""
    if user is None:
        return set()
    info = _referee_info(rnd, user)
    return {s.id for s in entry_submissions(entries) if assignment.has_conflict(info, submission_info(s))}


def refuse_if_conflicted(rnd: Round, entry: Entry, user: User | None) -> None:
    """回避 holds for referees as for judges: whoever records or confirms a run must not belong to the entry's
    school (as coordinator, organiser or declared affiliation) nor have declared a conflict with it."""
    if entries_to_stand_aside(rnd, user, [entry]):
        raise DomainError(STAND_ASIDE, field="entry", code="conflict", status=403)


STAND_ASIDE = _l(
    "You must stand aside (回避) from this entry: it comes from your school or you declared a conflict with it."
)
