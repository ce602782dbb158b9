"""Judging services: every state change and non-trivial query of the area. They flush, never commit.

Rules are in the docstrings; the algorithms live in the pure modules (aggregation, assignment, awards,
performance, quality, scores, importing, exports, pdf).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from accounts.models import Organisation, User
from competitions.models import Advisor, Category, Contest, ContestStatus, Entry, EntryStatus
from core import audit
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from core.locks import acquire_lock
from core.permissions import Role
from judging import aggregation, assignment, awards, performance, quality, scores
from judging.importing import ImportProblem, read_score_sheet
from judging.models import (
    AWARD_LABELS,
    SPECIAL_AWARD_LABELS,
    Advancement,
    AssignmentStatus,
    AwardMode,
    Criterion,
    Judge,
    JudgeAssignment,
    Notice,
    Objection,
    PerformanceRun,
    RecheckRequest,
    Result,
    Round,
    RoundCategory,
    RoundStatus,
    Score,
    SpecialAward,
)

#: Entries that take part in judging.
JUDGED_ENTRY_STATUSES = (EntryStatus.APPROVED.value,)
SCORE_QUANTUM = Decimal("0.0001")

# --- rounds and rubrics ----------------------------------------------------------------------------------

ROUND_FIELDS = ["name", "position", "onsite", "status", "opens_at", "closes_at", "judges_per_entry", "method",
                "n_min", "tie_breaks", "advancement", "advancement_value", "award_mode", "award_rule"]


def rounds_of(contest: Contest) -> list[Round]:
    return list(db.session.execute(
        sa.select(Round).where(Round.contest_id == contest.id).order_by(Round.position, Round.id)
        .options(selectinload(Round.categories))).scalars())


def find_round(contest: Contest, name: str) -> Round:
    """The contest's round with this name, or a DomainError listing the names there are."""
    rnd = db.session.execute(sa.select(Round).where(Round.contest_id == contest.id, Round.name == name.strip())
                             ).scalar_one_or_none()
    if rnd is None:
        names = ", ".join(r.name for r in rounds_of(contest)) or "-"
        raise DomainError(_l("No round named %(name)s in this contest (rounds: %(names)s).", name=name, names=names),
                          field="round", code="unknown_round")
    return rnd


def _validate_round_fields(fields: dict) -> None:
    if fields.get("method") and fields["method"] not in aggregation.METHODS:
        raise DomainError(_l("Unknown aggregation method."), field="method")
    for key in fields.get("tie_breaks") or []:
        if key not in ("raw_sum", "later_round") and not key.startswith("criterion:"):
            raise DomainError(_l("Unknown tie-break %(key)s.", key=key), field="tie_breaks")
    if fields.get("opens_at") and fields.get("closes_at") and fields["closes_at"] <= fields["opens_at"]:
        raise DomainError(_l("The round must close after it opens."), field="closes_at")
    adv = fields.get("advancement")
    if adv and adv != Advancement.NONE and fields.get("advancement_value") is None:
        raise DomainError(_l("Give the number, percentage or score for advancement."), field="advancement_value")
    if adv == Advancement.TOP_PERCENT and not (0 < Decimal(fields["advancement_value"]) <= 100):
        raise DomainError(_l("A percentage is between 0 and 100."), field="advancement_value")
    if fields.get("award_mode") == AwardMode.PERCENTAGE:
        rule = fields.get("award_rule") or {}
        levels = rule.get("levels") or []
        total = sum(Decimal(str(p)) for _, p in levels)
        if not levels or any(Decimal(str(p)) < 0 for _, p in levels):
            raise DomainError(_l("Give a percentage for at least one award level."), field="award_rule")
        if total > 100 or (rule.get("cap") is not None and not (0 <= Decimal(str(rule["cap"])) <= 100)):
            raise DomainError(_l("Award percentages add up to more than 100 %."), field="award_rule")


def create_round(contest: Contest, *, name: str, category_ids: Iterable[int] = (), actor=None, **fields) -> Round:
    """A new round of the contest, in set-up, judging the given categories of that contest."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Give the round a name."), field="name")
    if db.session.execute(sa.select(Round.id).where(Round.contest_id == contest.id, Round.name == name)).first():
        raise DomainError(_l("This contest already has a round named %(name)s.", name=name), field="name")
    _validate_round_fields(fields)
    if "position" not in fields:
        fields["position"] = (db.session.execute(sa.select(sa.func.max(Round.position))
                                                 .where(Round.contest_id == contest.id)).scalar() or 0) + 1
    rnd = Round(contest=contest, name=name, **fields)
    db.session.add(rnd)
    db.session.flush()
    set_round_categories(rnd, category_ids)
    audit.record("create", rnd, after=audit.snapshot(rnd, ROUND_FIELDS), actor=actor)
    return rnd


def update_round(rnd: Round, actor=None, **fields) -> Round:
    """Change a round's settings; its name stays unique in the contest."""
    merged = {k: getattr(rnd, k) for k in ROUND_FIELDS} | fields
    _validate_round_fields(merged)
    if "name" in fields and fields["name"] != rnd.name and db.session.execute(
            sa.select(Round.id).where(Round.contest_id == rnd.contest_id, Round.name == fields["name"])).first():
        raise DomainError(_l("This contest already has a round named %(name)s.", name=fields["name"]), field="name")
    before = audit.snapshot(rnd, ROUND_FIELDS)
    for key, value in fields.items():
        setattr(rnd, key, value)
    db.session.flush()
    audit.record("update", rnd, before=before, after=audit.snapshot(rnd, ROUND_FIELDS), actor=actor)
    return rnd


def set_round_categories(rnd: Round, category_ids: Iterable[int]) -> None:
    """Judge exactly these categories (of the round's contest) in the round."""
    wanted = set(int(c) for c in category_ids)
    valid = set(db.session.execute(sa.select(Category.id).where(Category.contest_id == rnd.contest_id)).scalars())
    if wanted - valid:
        raise DomainError(_l("A category does not belong to this contest."), field="categories")
    existing = {rc.category_id: rc for rc in rnd.categories}
    for category_id in wanted - set(existing):
        rnd.categories.append(RoundCategory(category_id=category_id))
    for category_id in set(existing) - wanted:
        rnd.categories.remove(existing[category_id])
    db.session.flush()


def open_round(rnd: Round, actor=None) -> Round:
    """Judges may score from now until the round closes; every rubric category needs criteria."""
    for rc in rnd.categories:
        if not rc.is_performance and not rc.criteria:
            raise DomainError(_l("Category %(name)s has no criteria yet.", name=rc.category.name), field="status")
    return update_round(rnd, actor=actor, status=RoundStatus.OPEN.value)


def close_round(rnd: Round, actor=None) -> Round:
    """Scores freeze and become visible to the panel; results are computed."""
    update_round(rnd, actor=actor, status=RoundStatus.CLOSED.value)
    compute_results(rnd, actor=actor)
    return rnd


def refuse_if_final(contest: Contest) -> None:
    """Final results (公示 over, 结果确定) feed certificates: nothing that changes them may happen afterwards."""
    notice = notice_of(contest)
    if notice is not None and notice.finalised_at is not None:
        raise DomainError(_l("The results are already final."), field="round", code="results_final", status=409)


def reopen_round(rnd: Round, actor=None) -> Round:
    """Take a closed round back to open (e.g. an upheld objection needs re-scoring); not once the contest's
    results are final."""
    refuse_if_final(rnd.contest)
    fields = {"status": RoundStatus.OPEN.value}
    if rnd.closes_at and rnd.closes_at <= utcnow():
        fields["closes_at"] = None
    return update_round(rnd, actor=actor, **fields)


CRITERION_TEMPLATE_NAMES = {
    "Scientific soundness": _l("Scientific soundness"), "Innovation": _l("Innovation"),
    "Practical value": _l("Practical value"), "Presentation standards": _l("Presentation standards"),
    "Research question": _l("Research question"), "Design and methodology": _l("Design and methodology"),
    "Execution": _l("Execution"), "Creativity": _l("Creativity"), "Presentation": _l("Presentation"),
}
CRITERION_TEMPLATE_DESCRIPTIONS = {
    "Sound method, correct science, reliable data": _l("Sound method, correct science, reliable data"),
    "Originality of the question, idea or solution": _l("Originality of the question, idea or solution"),
    "Usefulness and feasibility of the result": _l("Usefulness and feasibility of the result"),
    "Complete, well-structured and properly cited materials": _l("Complete, well-structured and properly cited materials"),
    "Clear, focused and testable question": _l("Clear, focused and testable question"),
    "Well-designed plan, variables and controls": _l("Well-designed plan, variables and controls"),
    "Data collection, analysis and reproducibility": _l("Data collection, analysis and reproducibility"),
    "Creative approach and originality": _l("Creative approach and originality"),
    "Poster, interview and understanding of the work": _l("Poster, interview and understanding of the work"),
}
TEMPLATE_LABELS = {"kexie": _l("Scientific soundness / innovation / practical value / standards"),
                   "isef": _l("ISEF weights (10/15/20/20/35)")}


def apply_rubric_template(rc: RoundCategory, template: str, actor=None) -> list[Criterion]:
    """Replace the rubric with a template (names in the current language); refused once scores exist."""
    if template not in scores.RUBRIC_TEMPLATES:
        raise DomainError(_l("Unknown rubric template."), field="template")
    _refuse_if_scored(rc)
    rc.criteria.clear()
    db.session.flush()
    for position, (name, description, weight, maximum, step) in enumerate(scores.RUBRIC_TEMPLATES[template], 1):
        rc.criteria.append(Criterion(name=str(CRITERION_TEMPLATE_NAMES[name]),
                                     description=str(CRITERION_TEMPLATE_DESCRIPTIONS[description]),
                                     weight=Decimal(weight), maximum=Decimal(maximum), step=Decimal(step),
                                     position=position))
    db.session.flush()
    audit.record("apply_template", rc.round, object_type="judging_round_category", object_id=rc.id,
                 after={"template": template}, actor=actor, organisation_id=rc.round.contest.organisation_id)
    return rc.criteria


def _refuse_if_scored(rc: RoundCategory) -> None:
    exists = db.session.execute(
        sa.select(Score.id).join(Entry, Entry.id == Score.entry_id)
        .where(Score.round_id == rc.round_id, Entry.category_id == rc.category_id).limit(1)).first()
    if exists:
        raise DomainError(_l("Scores exist for this category; the rubric can no longer change."), field="criteria")


def save_criterion(rc: RoundCategory, criterion: Criterion | None, *, name: str, description: str = "",
                   weight: Decimal, maximum: Decimal, step: Decimal, actor=None) -> Criterion:
    """Add or change a criterion; names are unique within the rubric, numbers positive, max a multiple of step."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Give the criterion a name."), field="name")
    if any(c.name == name and c is not criterion for c in rc.criteria):
        raise DomainError(_l("The rubric already has a criterion named %(name)s.", name=name), field="name")
    if weight <= 0 or maximum <= 0 or step <= 0:
        raise DomainError(_l("Weight, maximum and step must be greater than 0."), field="maximum")
    if maximum % step != 0:
        raise DomainError(_l("The maximum must be a multiple of the step."), field="step")
    _refuse_if_scored(rc)
    before = None
    if criterion is None:
        criterion = Criterion(position=len(rc.criteria) + 1)
        rc.criteria.append(criterion)
    else:
        before = audit.snapshot(criterion, ["name", "weight", "maximum", "step"])
    criterion.name, criterion.description = name, description or ""
    criterion.weight, criterion.maximum, criterion.step = weight, maximum, step
    db.session.flush()
    audit.record("save_criterion", criterion, before=before,
                 after=audit.snapshot(criterion, ["name", "weight", "maximum", "step"]), actor=actor,
                 organisation_id=rc.round.contest.organisation_id)
    return criterion


def delete_criterion(criterion: Criterion, actor=None) -> None:
    rc = criterion.round_category
    _refuse_if_scored(rc)
    audit.record("delete", criterion, before=audit.snapshot(criterion, ["name", "maximum"]), actor=actor,
                 organisation_id=rc.round.contest.organisation_id)
    rc.criteria.remove(criterion)
    db.session.flush()


def set_performance_rule(rc: RoundCategory, rule: str, runs: int, confirm_runs: bool, actor=None) -> RoundCategory:
    """Best of N, sum or average of runs, and whether a second person confirms each run (audited)."""
    if rule not in performance.RULES:
        raise DomainError(_l("Unknown run rule."), field="performance_rule")
    if not 1 <= int(runs) <= 10:
        raise DomainError(_l("Run number must be between 1 and %(n)d.", n=10), field="runs")
    before = {"rule": rc.performance_rule, "runs": rc.runs, "confirm": rc.confirm_runs}
    rc.performance_rule, rc.runs, rc.confirm_runs = rule, int(runs), bool(confirm_runs)
    db.session.flush()
    audit.record("performance_rule", rc.round, object_type="judging_round_category", object_id=rc.id, before=before,
                 after={"rule": rule, "runs": rc.runs, "confirm": rc.confirm_runs}, actor=actor)
    return rc


def criterion_specs(rc: RoundCategory) -> list[scores.CriterionSpec]:
    return [scores.CriterionSpec(str(c.id), c.name, Decimal(c.maximum), Decimal(c.step), Decimal(c.weight))
            for c in rc.criteria]


# --- judges -----------------------------------------------------------------------------------------------


def judges_of(contest: Contest, include_withdrawn: bool = True) -> list[Judge]:
    query = (sa.select(Judge).where(Judge.contest_id == contest.id).options(joinedload(Judge.user))
             .order_by(Judge.id))
    if not include_withdrawn:
        query = query.where(Judge.withdrawn_at.is_(None))
    return list(db.session.execute(query).scalars())


def sync_judges(contest: Contest) -> list[Judge]:
    """Create the judge profile of every user holding the judge role for the contest (e.g. invited ones)."""
    from accounts.models import Membership

    user_ids = set(db.session.execute(sa.select(Membership.user_id).where(
        Membership.role == Role.JUDGE.value, Membership.scope_id == contest.id)).scalars())
    have = set(db.session.execute(sa.select(Judge.user_id).where(Judge.contest_id == contest.id)).scalars())
    for user_id in sorted(user_ids - have):
        db.session.add(Judge(contest_id=contest.id, user_id=user_id))
    db.session.flush()
    return judges_of(contest)


def judge_for_user(contest: Contest, user: User) -> Judge | None:
    """The user's judge profile in the contest (created on first use when they hold the judge role)."""
    if contest.id not in user.scope_ids(Role.JUDGE):
        return None
    judge = db.session.execute(sa.select(Judge).where(Judge.contest_id == contest.id, Judge.user_id == user.id)
                               ).scalar_one_or_none()
    if judge is None:
        judge = Judge(contest_id=contest.id, user_id=user.id)
        db.session.add(judge)
        db.session.flush()
    return judge


def add_judge(contest: Contest, user: User, *, affiliation: Organisation | None = None, actor=None) -> Judge:
    """Give an existing account the judge role for the contest and a judge profile."""
    from accounts.services import grant_role

    grant_role(user, Role.JUDGE, scope_id=contest.id, actor=actor)
    judge = db.session.execute(sa.select(Judge).where(Judge.contest_id == contest.id, Judge.user_id == user.id)
                               ).scalar_one_or_none()
    if judge is None:
        judge = Judge(contest_id=contest.id, user_id=user.id, affiliation_id=affiliation.id if affiliation else None)
        db.session.add(judge)
        db.session.flush()
        audit.record("create", judge, after={"user_id": user.id}, actor=actor)
    elif judge.withdrawn_at is not None:
        judge.withdrawn_at = None
        audit.record("rejoin", judge, actor=actor)
    db.session.flush()
    return judge


def invite_judge(contest: Contest, *, email: str, name: str = "", actor=None) -> tuple[Judge | None, str | None]:
    """Invite by login email: an existing account becomes a judge at once (returns the judge); otherwise an
    invitation link is created (returns its token) and the profile appears when the link is accepted."""
    from accounts.services import create_invitation, find_user_by_login

    email = (email or "").strip()
    if "@" not in email:
        raise DomainError(_l("Give the judge's email address."), field="email")
    user = find_user_by_login(email)
    if user is not None:
        return add_judge(contest, user, actor=actor), None
    _, token = create_invitation(role=Role.JUDGE, created_by=actor, scope_id=contest.id, email=email, name=name)
    return None, token


JUDGE_FIELDS = ["affiliation_id", "expertise", "conflict_school_ids", "conflict_entry_ids"]


def update_judge_profile(judge: Judge, *, expertise: Iterable[int] | None = None,
                         conflict_school_ids: Iterable[int] | None = None,
                         conflict_entry_ids: Iterable[int] | None = None,
                         affiliation_id: int | None | str = "keep", actor=None) -> Judge:
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
        valid = set(db.session.execute(sa.select(Entry.id).where(Entry.contest_id == judge.contest_id,
                                                                 Entry.id.in_(ids))).scalars()) if ids else set()
        if set(ids) - valid:
            raise DomainError(_l("An entry does not belong to this contest."), field="conflict_entry_ids")
        judge.conflict_entry_ids = ids
    if affiliation_id != "keep":
        judge.affiliation_id = int(affiliation_id) if affiliation_id else None
    db.session.flush()
    audit.record("update", judge, before=before, after=audit.snapshot(judge, JUDGE_FIELDS), actor=actor)
    return judge


def resolve_entry_codes(contest: Contest, codes: Iterable[str]) -> list[int]:
    """Entry ids for codes typed by a person; an unknown code is a DomainError naming it."""
    wanted = [c.strip() for c in codes if c and c.strip()]
    if not wanted:
        return []
    found = dict(db.session.execute(sa.select(Entry.code, Entry.id).where(
        Entry.contest_id == contest.id, Entry.code.in_(wanted))).all())
    missing = [c for c in wanted if c not in found]
    if missing:
        raise DomainError(_l("Unknown entry code: %(codes)s.", codes=", ".join(missing)), field="conflict_entries")
    return [found[c] for c in wanted]


def withdraw_judge(judge: Judge, actor=None) -> dict[int, int]:
    """The judge leaves the contest: their unscored assignments in rounds not yet closed are removed and each
    entry gets a replacement judge. Returns {round id: entries still short of judges}."""
    judge.withdrawn_at = utcnow()
    audit.record("withdraw", judge, actor=actor)
    shortfalls = {}
    for rnd in rounds_of(judge.contest):
        if rnd.is_closed():
            continue
        rows = db.session.execute(sa.select(JudgeAssignment).options(selectinload(JudgeAssignment.score)).where(
            JudgeAssignment.round_id == rnd.id, JudgeAssignment.judge_id == judge.id,
            JudgeAssignment.status == AssignmentStatus.ACTIVE.value)).scalars().all()
        for a in rows:
            if a.score is None or not a.score.submitted:
                a.status = AssignmentStatus.REMOVED.value
                a.reason = "withdrawn"
        db.session.flush()
        plan = auto_assign(rnd, actor=actor, rebalance_existing=False)
        shortfalls[rnd.id] = len(plan.shortfalls)
    db.session.flush()
    return shortfalls


# --- assignment -------------------------------------------------------------------------------------------


def _round_entry_filter(rnd: Round, query):
    """Approved entries of the round's categories; in a later round, only those that advanced from the
    previous round when that round has an advancement rule."""
    category_ids = [rc.category_id for rc in rnd.categories]
    query = query.where(Entry.contest_id == rnd.contest_id, Entry.category_id.in_(category_ids or [-1]),
                        Entry.status.in_(JUDGED_ENTRY_STATUSES))
    previous = previous_round(rnd)
    if previous is not None and previous.advancement != Advancement.NONE and previous.results_computed_at:
        query = query.where(Entry.id.in_(sa.select(Result.entry_id).where(Result.round_id == previous.id,
                                                                          Result.advanced.is_(True))))
    return query


def round_entries(rnd: Round) -> list[Entry]:
    """Entries judged in the round (see _round_entry_filter), with their schools, by entry code."""
    if not rnd.categories:
        return []
    query = _round_entry_filter(rnd, sa.select(Entry)).options(joinedload(Entry.school)).order_by(Entry.code, Entry.id)
    return list(db.session.execute(query).scalars())


def round_entry_ids(rnd: Round) -> list[tuple[int, int]]:
    """(entry id, category id) of the entries judged in the round — cheap, for computing results."""
    if not rnd.categories:
        return []
    return [tuple(row) for row in db.session.execute(
        _round_entry_filter(rnd, sa.select(Entry.id, Entry.category_id)).order_by(Entry.id)).all()]


def previous_round(rnd: Round) -> Round | None:
    return db.session.execute(sa.select(Round).where(Round.contest_id == rnd.contest_id, Round.position < rnd.position)
                              .order_by(Round.position.desc()).limit(1)).scalar_one_or_none()


def next_round(rnd: Round) -> Round | None:
    return db.session.execute(sa.select(Round).where(Round.contest_id == rnd.contest_id, Round.position > rnd.position)
                              .order_by(Round.position).limit(1)).scalar_one_or_none()


def _judge_info(judge: Judge) -> assignment.JudgeInfo:
    """A judge never gets an entry from an organisation they belong to: their affiliation, and every school
    they coordinate or organisation they organise."""
    orgs = {m.organisation_id for m in judge.user.memberships if m.organisation_id is not None}
    if judge.affiliation_id:
        orgs.add(judge.affiliation_id)
    return assignment.JudgeInfo(judge.id, frozenset(judge.expertise) if judge.expertise else None, frozenset(orgs),
                                frozenset(judge.conflict_school_ids), frozenset(judge.conflict_entry_ids))


def _entry_info(entry: Entry) -> assignment.EntryInfo:
    return assignment.EntryInfo(entry.id, entry.category_id, frozenset({entry.school_id}))


def active_assignments(rnd: Round) -> list[JudgeAssignment]:
    return list(db.session.execute(sa.select(JudgeAssignment).where(
        JudgeAssignment.round_id == rnd.id, JudgeAssignment.status == AssignmentStatus.ACTIVE.value)).scalars())


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
    contest = rnd.contest
    sync_judges(contest)
    judges = [j for j in judges_of(contest, include_withdrawn=False) if j.user.active]
    rubric_categories = {rc.category_id for rc in rnd.categories if not rc.is_performance}
    entries = [e for e in round_entries(rnd) if e.category_id in rubric_categories]  # runs need referees, not judges
    entry_ids = {e.id for e in entries}
    rows = db.session.execute(sa.select(JudgeAssignment).options(selectinload(JudgeAssignment.score)).where(
        JudgeAssignment.round_id == rnd.id)).scalars().all()
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
    kept = {a.judge_id for a in rows if a.status == AssignmentStatus.ACTIVE and a.entry_id in entry_ids
            and a.judge_id not in judge_ids and a.score is not None and a.score.submitted}
    infos = [_judge_info(j) for j in judges] + [assignment.JudgeInfo(id=j, categories=frozenset()) for j in kept]
    locked |= {(e, j) for e, js in current.items() for j in js if j in kept}
    plan = assignment.assign_judges([_entry_info(e) for e in entries], infos,
                                    rnd.judges_per_entry, existing={e: {j for j in js if j in judge_ids or j in kept}
                                                                    for e, js in current.items()},
                                    excluded=excluded, locked=locked, seed=seed)
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
    audit.record("auto_assign", rnd, after={"added": added, "removed": removed,
                                            "short": len(plan.shortfalls)}, actor=actor)
    return AssignmentOutcome(added, removed, plan.shortfalls, {j: n for j, n in plan.loads.items() if j in judge_ids})


def add_assignment(rnd: Round, entry: Entry, judge: Judge, actor=None) -> JudgeAssignment:
    """Manual assignment; conflicts and expertise are still enforced."""
    if rnd.is_closed():
        raise DomainError(_l("The round is closed."), field="round")
    if entry.id not in {e.id for e in round_entries(rnd)}:
        raise DomainError(_l("This entry is not judged in this round."), field="entry")
    if judge.contest_id != rnd.contest_id or judge.withdrawn_at is not None:
        raise DomainError(_l("This judge does not judge this contest."), field="judge")
    if not assignment.is_eligible(_judge_info(judge), _entry_info(entry)):
        raise DomainError(_l("%(judge)s has a conflict with this entry or lacks the expertise.",
                             judge=judge.user.display_name), field="judge")
    a = db.session.execute(sa.select(JudgeAssignment).where(
        JudgeAssignment.round_id == rnd.id, JudgeAssignment.entry_id == entry.id,
        JudgeAssignment.judge_id == judge.id)).scalar_one_or_none()
    if a is None:
        a = JudgeAssignment(round_id=rnd.id, entry_id=entry.id, judge_id=judge.id)
        db.session.add(a)
    elif a.status == AssignmentStatus.ACTIVE:
        raise DomainError(_l("This judge is already assigned to this entry."), field="judge")
    a.status, a.reason = AssignmentStatus.ACTIVE.value, ""
    db.session.flush()
    audit.record("assign", a, after={"entry_id": entry.id, "judge_id": judge.id}, actor=actor,
                 organisation_id=rnd.contest.organisation_id)
    return a


def remove_assignment(a: JudgeAssignment, actor=None) -> None:
    """Manual removal; a submitted score keeps the assignment (remove the score's judge only before scoring)."""
    if a.score is not None and a.score.submitted:
        raise DomainError(_l("This judge has already submitted a score for the entry."), field="assignment")
    a.status, a.reason = AssignmentStatus.REMOVED.value, "manual"
    db.session.flush()
    audit.record("unassign", a, actor=actor, organisation_id=a.round.contest.organisation_id)


def decline_assignment(a: JudgeAssignment, reason: str, actor=None) -> JudgeAssignment | None:
    """"Cannot judge" (conflict found, no-show): the pair is excluded for good and the entry gets another
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
    audit.record("decline", a, after={"reason": a.reason}, actor=actor, organisation_id=a.round.contest.organisation_id)
    judges = [j for j in judges_of(a.round.contest, include_withdrawn=False) if j.user.active]
    current = defaultdict(set)
    for other in active_assignments(a.round):
        current[other.entry_id].add(other.judge_id)
    excluded = set(db.session.execute(sa.select(JudgeAssignment.entry_id, JudgeAssignment.judge_id).where(
        JudgeAssignment.round_id == a.round_id, JudgeAssignment.status == AssignmentStatus.DECLINED.value)).all())
    entries = round_entries(a.round)
    plan = assignment.replace_judge_for_entry([_entry_info(e) for e in entries], [_judge_info(j) for j in judges],
                                              a.round.judges_per_entry, current, a.entry_id, a.judge_id,
                                              excluded=excluded)
    new_ids = plan.assignments.get(a.entry_id, set()) - current[a.entry_id]
    replacement = None
    for judge_id in new_ids:
        replacement = add_assignment(a.round, a.entry, db.session.get(Judge, judge_id), actor=actor)
    return replacement


@dataclass
class CoverageRow:
    entry: Entry
    assigned: int
    submitted: int


def coverage(rnd: Round) -> list[CoverageRow]:
    """Entries with fewer than k submitted scores (rubric categories), fewest first."""
    entries = [e for e in round_entries(rnd)
               if not next(rc for rc in rnd.categories if rc.category_id == e.category_id).is_performance]
    assigned = dict(db.session.execute(sa.select(JudgeAssignment.entry_id, sa.func.count()).where(
        JudgeAssignment.round_id == rnd.id, JudgeAssignment.status == AssignmentStatus.ACTIVE.value)
        .group_by(JudgeAssignment.entry_id)).all())
    submitted = dict(db.session.execute(sa.select(Score.entry_id, sa.func.count()).join(
        JudgeAssignment, JudgeAssignment.id == Score.assignment_id).where(
        Score.round_id == rnd.id, Score.submitted.is_(True), JudgeAssignment.status == AssignmentStatus.ACTIVE.value)
        .group_by(Score.entry_id)).all())
    rows = [CoverageRow(e, assigned.get(e.id, 0), submitted.get(e.id, 0)) for e in entries]
    rows = [r for r in rows if r.submitted < rnd.judges_per_entry]
    rows.sort(key=lambda r: (r.submitted, r.assigned, r.entry.code or ""))
    return rows


def judge_loads(rnd: Round) -> list[tuple[Judge, int, int]]:
    """(judge, active assignments, submitted scores) for every judge of the contest."""
    counts = dict(db.session.execute(sa.select(JudgeAssignment.judge_id, sa.func.count()).where(
        JudgeAssignment.round_id == rnd.id, JudgeAssignment.status == AssignmentStatus.ACTIVE.value)
        .group_by(JudgeAssignment.judge_id)).all())
    done = dict(db.session.execute(sa.select(Score.judge_id, sa.func.count()).where(
        Score.round_id == rnd.id, Score.submitted.is_(True)).group_by(Score.judge_id)).all())
    return [(j, counts.get(j.id, 0), done.get(j.id, 0)) for j in judges_of(rnd.contest)]


# --- the judge's side -----------------------------------------------------------------------------------


def open_rounds_for_judge(judge: Judge) -> list[Round]:
    return [r for r in rounds_of(judge.contest) if r.status != RoundStatus.SETUP]


def judge_worklist(rnd: Round, judge: Judge) -> list[JudgeAssignment]:
    """The judge's active assignments in the round with entry, category, materials and own score — a fixed
    number of queries whatever the list length."""
    from competitions.models import Material  # noqa: F401  (relationship target)

    return list(db.session.execute(
        sa.select(JudgeAssignment).join(Entry, Entry.id == JudgeAssignment.entry_id)
        .where(JudgeAssignment.round_id == rnd.id, JudgeAssignment.judge_id == judge.id,
               JudgeAssignment.status == AssignmentStatus.ACTIVE.value)
        .options(joinedload(JudgeAssignment.entry).joinedload(Entry.category),
                 joinedload(JudgeAssignment.entry).selectinload(Entry.materials),
                 selectinload(JudgeAssignment.score))
        .order_by(Entry.code, Entry.id)).scalars())


def load_assignment_for_judge(rnd: Round, entry: Entry, user: User) -> JudgeAssignment | None:
    """The user's active assignment to the entry in the round, or None (not a judge, not assigned)."""
    judge = db.session.execute(sa.select(Judge).where(Judge.contest_id == rnd.contest_id, Judge.user_id == user.id)
                               ).scalar_one_or_none()
    return None if judge is None else assignment_of(rnd, entry, judge)


def assignment_of(rnd: Round, entry: Entry, judge: Judge) -> JudgeAssignment | None:
    """The judge's active assignment to the entry in the round, with its score, or None."""
    return db.session.execute(sa.select(JudgeAssignment).options(selectinload(JudgeAssignment.score)).where(
        JudgeAssignment.round_id == rnd.id, JudgeAssignment.entry_id == entry.id,
        JudgeAssignment.judge_id == judge.id, JudgeAssignment.status == AssignmentStatus.ACTIVE.value)
    ).scalar_one_or_none()


def round_category_for(rnd: Round, category_id: int) -> RoundCategory:
    for rc in rnd.categories:
        if rc.category_id == category_id:
            return rc
    raise DomainError(_l("This category is not judged in this round."), field="category")


SCORE_FIELDS = ["values", "total", "comment", "submitted", "version"]


def save_score(a: JudgeAssignment, values: dict[str, Any], *, comment: str = "", submit: bool = False,
               actor=None, imported: bool = False, now: datetime | None = None) -> Score:
    """Save a judge's scores for an assigned entry: a draft (partial allowed) or a submission (all criteria).

    Refused, changing nothing, when the round does not accept scores (closed or not open), the assignment is
    not active, or any value is above the maximum or off the step. A submitted score may be revised until the
    round closes. Concurrent saves: the last write wins; every change is audited with before and after."""
    rnd = a.round
    if a.status != AssignmentStatus.ACTIVE:
        raise DomainError(_l("You are not assigned to this entry."), field="assignment", code="not_assigned", status=403)
    if not imported and not rnd.accepts_scores(now):
        raise DomainError(_l("The round is closed; scores can no longer change."), field="round", code="round_closed",
                          status=409)
    if imported and rnd.is_closed(now):
        raise DomainError(_l("The round is closed; scores can no longer change."), field="round", code="round_closed",
                          status=409)
    rc = round_category_for(rnd, a.entry.category_id)
    if rc.is_performance:
        raise DomainError(_l("This category is scored by runs on the referee page."), field="assignment")
    specs = criterion_specs(rc)
    # Two tabs (or devices) saving at once: serialise per assignment, then read the score afresh, so the
    # second save updates the first one's row (last write wins) instead of inserting a duplicate.
    acquire_lock(f"judging.score:{a.id}")
    score = db.session.execute(sa.select(Score).where(Score.assignment_id == a.id)
                               .execution_options(populate_existing=True)).scalar_one_or_none()
    if score is not None and score.submitted:
        submit = True  # a revision of a submitted score stays submitted, so it must stay complete
    try:
        checked = scores.validate_score_sheet(dict(values or {}), specs, partial=not submit)
    except scores.ScoreSheetError as exc:
        raise DomainError(_l("Some scores are not valid: %(detail)s", detail=describe_score_errors(exc, specs)),
                          field="values", code="invalid_score", status=422) from None
    before = audit.snapshot(score, SCORE_FIELDS) if score is not None else None
    if score is None:
        score = Score(assignment=a, round_id=a.round_id, entry_id=a.entry_id, judge_id=a.judge_id, version=0)
        db.session.add(score)
    score.values = {k: str(v) for k, v in checked.items()}
    score.total = scores.weighted_total(checked, specs) if len(checked) == len(specs) else None
    score.comment = (comment or "")[:5000]
    score.version = (score.version or 0) + 1
    score.imported = imported
    if submit:
        score.submitted = True
        score.submitted_at = score.submitted_at or utcnow()
    db.session.flush()
    if submit:
        _resolve_rechecks(score)
    audit.record("import_score" if imported else ("submit_score" if submit else "save_draft"), score,
                 before=before, after=audit.snapshot(score, SCORE_FIELDS), actor=actor,
                 organisation_id=rnd.contest.organisation_id)
    return score


def save_total_score(a: JudgeAssignment, total: Any, *, actor=None) -> Score:
    """A single 总分 from a paper sheet: checked against the rubric maximum (step 0.01), stored as the total."""
    rc = round_category_for(a.round, a.entry.category_id)
    maximum = rc.maximum_total
    try:
        value = scores.validate_criterion_score(total, maximum, "0.01")
    except scores.ScoreError as exc:
        raise DomainError(_l("Total: %(detail)s", detail=score_error_message(exc)), field="total",
                          code="invalid_score", status=422) from None
    if a.round.is_closed():
        raise DomainError(_l("The round is closed; scores can no longer change."), field="round", code="round_closed")
    acquire_lock(f"judging.score:{a.id}")
    score = db.session.execute(sa.select(Score).where(Score.assignment_id == a.id)
                               .execution_options(populate_existing=True)).scalar_one_or_none()
    before = audit.snapshot(score, SCORE_FIELDS) if score is not None else None
    if score is None:
        score = Score(assignment=a, round_id=a.round_id, entry_id=a.entry_id, judge_id=a.judge_id, version=0)
        db.session.add(score)
    score.values, score.total, score.submitted, score.imported = {}, value, True, True
    score.submitted_at = score.submitted_at or utcnow()
    score.version = (score.version or 0) + 1
    db.session.flush()
    audit.record("import_score", score, before=before, after=audit.snapshot(score, SCORE_FIELDS), actor=actor,
                 organisation_id=a.round.contest.organisation_id)
    return score


def plain_number(value: Any) -> str:
    """A Decimal limit as people write it (25, 0.5, 100), not as stored (25.00, 100.0000)."""
    if isinstance(value, Decimal) and value.is_finite():
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def score_error_message(exc: scores.ScoreError) -> str:
    params = {k: plain_number(v) for k, v in exc.params.items()}
    messages = {
        "not_a_number": _l("%(value)s is not a number.", value=exc.params.get("value")),
        "missing": _l("A score is required."),
        "below_minimum": _l("%(value)s is below the minimum %(minimum)s.", **params),
        "above_maximum": _l("%(value)s is above the maximum %(maximum)s.", **params),
        "off_step": _l("%(value)s is not a multiple of the step %(step)s.", **params),
    }
    return str(messages[exc.code])


def describe_score_errors(exc: scores.ScoreSheetError, specs: list[scores.CriterionSpec]) -> str:
    names = {s.key: s.name for s in specs}
    return " ".join(f"{names.get(k, k)}: {score_error_message(e)}" for k, e in exc.errors.items())


def score_field_errors(exc: scores.ScoreSheetError) -> dict[str, str]:
    return {str(k): score_error_message(e) for k, e in exc.errors.items()}


def _resolve_rechecks(score: Score) -> None:
    db.session.execute(sa.update(RecheckRequest).where(RecheckRequest.score_id == score.id,
                                                       RecheckRequest.resolved_at.is_(None))
                       .values(resolved_at=utcnow()))


def visible_scores(rnd: Round, entry: Entry, user: User, *, organiser: bool) -> list[Score]:
    """Blind judging: organisers see every score; a judge sees only their own until the round closes, then
    the panel's scores of entries they were assigned."""
    query = (sa.select(Score).where(Score.round_id == rnd.id, Score.entry_id == entry.id)
             .options(joinedload(Score.judge).joinedload(Judge.user)).order_by(Score.id))
    if organiser:
        return list(db.session.execute(query).scalars())
    own = load_assignment_for_judge(rnd, entry, user)
    if own is None:
        return []
    if not rnd.is_closed():
        query = query.where(Score.assignment_id == own.id)
    else:  # the panel's scores: what the others submitted, never their unfinished drafts
        query = query.where(sa.or_(Score.assignment_id == own.id, Score.submitted.is_(True)))
    return list(db.session.execute(query).scalars())


def pending_rechecks(user: User) -> list[RecheckRequest]:
    """Open re-check requests addressed to this user (any contest), for the judge's dashboard."""
    return list(db.session.execute(
        sa.select(RecheckRequest).join(Score, Score.id == RecheckRequest.score_id)
        .join(Judge, Judge.id == Score.judge_id)
        .join(Round, Round.id == Score.round_id)
        # a closed round's scores can no longer change: its open requests are moot on the dashboard
        .where(Judge.user_id == user.id, RecheckRequest.resolved_at.is_(None), Round.status == RoundStatus.OPEN.value)
        .options(joinedload(RecheckRequest.score).joinedload(Score.assignment).joinedload(JudgeAssignment.entry),
                 joinedload(RecheckRequest.score).joinedload(Score.assignment).joinedload(JudgeAssignment.round))
        .order_by(RecheckRequest.id)).scalars())


def request_recheck(score: Score, message: str, actor=None) -> RecheckRequest:
    """Ask the judge to re-check a score (e.g. flagged as an outlier); shown on their dashboard."""
    if score.assignment.round.is_closed():
        raise DomainError(_l("The round is closed; reopen it before asking for a re-check."), field="round")
    request = RecheckRequest(score=score, requested_by_id=getattr(actor, "id", None), message=(message or "")[:500])
    db.session.add(request)
    db.session.flush()
    audit.record("request_recheck", request, after={"score_id": score.id, "message": request.message}, actor=actor,
                 organisation_id=score.assignment.round.contest.organisation_id)
    return request


# --- performance runs ----------------------------------------------------------------------------------

RUN_FIELDS = ["points", "time_cs", "penalty_seconds", "status", "confirmed_by_id"]


def record_run(rnd: Round, entry: Entry, *, run_number: int, points: Any, time_text: str = "",
               penalty_seconds: Any = 0, status: str = "ok", actor=None) -> PerformanceRun:
    """Record (or correct) one run. Time is mm:ss.cc; penalties are whole seconds added to the time; a DNF or
    DQ run needs no time. A correction clears an earlier confirmation."""
    if not rnd.accepts_scores():
        raise DomainError(_l("The round is closed; scores can no longer change."), field="round", code="round_closed")
    rc = round_category_for(rnd, entry.category_id)
    if not rc.is_performance:
        raise DomainError(_l("This category is scored with a rubric, not by runs."), field="entry")
    if entry.id not in {e.id for e in round_entries(rnd)}:
        raise DomainError(_l("This entry is not judged in this round."), field="entry")
    if not 1 <= int(run_number) <= rc.runs:
        raise DomainError(_l("Run number must be between 1 and %(n)d.", n=rc.runs), field="run_number")
    if status not in performance.RUN_STATUSES:
        raise DomainError(_l("Unknown run status."), field="status")
    try:
        points_value = scores.validate_criterion_score(points, Decimal("100000"), "0.01")
    except scores.ScoreError as exc:
        raise DomainError(_l("Points: %(detail)s", detail=score_error_message(exc)), field="points") from None
    try:
        penalty = int(str(penalty_seconds or 0).strip())
        if penalty < 0:
            raise ValueError
    except ValueError:
        raise DomainError(_l("Penalty seconds must be a whole number of 0 or more."), field="penalty_seconds") from None
    time_cs = None
    if (time_text or "").strip():
        try:
            time_cs = performance.parse_time(time_text)
        except performance.TimeFormatError:
            raise DomainError(_l("%(value)s is not a time in mm:ss.cc format.", value=time_text), field="time") from None
    elif status == "ok":
        raise DomainError(_l("A finished run needs a time (mm:ss.cc)."), field="time")
    run = db.session.execute(sa.select(PerformanceRun).where(
        PerformanceRun.round_id == rnd.id, PerformanceRun.entry_id == entry.id,
        PerformanceRun.run_number == int(run_number))).scalar_one_or_none()
    before = audit.snapshot(run, RUN_FIELDS) if run else None
    if run is None:
        run = PerformanceRun(round_id=rnd.id, entry_id=entry.id, run_number=int(run_number))
        db.session.add(run)
    run.points, run.time_cs, run.penalty_seconds, run.status = points_value, time_cs, penalty, status
    run.recorded_by_id = getattr(actor, "id", None)
    run.confirmed_by_id = run.confirmed_at = None
    db.session.flush()
    audit.record("record_run", run, object_type="judging_run", before=before, after=audit.snapshot(run, RUN_FIELDS),
                 actor=actor, organisation_id=rnd.contest.organisation_id)
    return run


def confirm_run(run: PerformanceRun, actor) -> PerformanceRun:
    """A second person confirms a run; the referee who recorded it cannot confirm it."""
    rnd = db.session.get(Round, run.round_id)
    if not rnd.accepts_scores():  # a confirmation decides whether the run counts: not after the round closes
        raise DomainError(_l("The round is closed; scores can no longer change."), field="round", code="round_closed")
    if run.recorded_by_id is not None and run.recorded_by_id == getattr(actor, "id", None):
        raise DomainError(_l("A second person must confirm this run."), field="run", code="same_person")
    run.confirmed_by_id, run.confirmed_at = actor.id, utcnow()
    db.session.flush()
    audit.record("confirm_run", run, object_type="judging_run", actor=actor,
                 organisation_id=rnd.contest.organisation_id)
    return run


def runs_of(rnd: Round, category_id: int) -> dict[int, list[PerformanceRun]]:
    rows = db.session.execute(sa.select(PerformanceRun).join(Entry, Entry.id == PerformanceRun.entry_id).where(
        PerformanceRun.round_id == rnd.id, Entry.category_id == category_id).order_by(
        PerformanceRun.entry_id, PerformanceRun.run_number)).scalars()
    result: dict[int, list[PerformanceRun]] = defaultdict(list)
    for run in rows:
        result[run.entry_id].append(run)
    return result


# --- score import ------------------------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    imported: int = 0
    errors: list[tuple[int | None, str | None, str]] = field(default_factory=list)  # (row, column, message)

    @property
    def ok(self) -> bool:
        return not self.errors


def _problem_text(problem: ImportProblem) -> str:
    if problem.code == "refused":  # a spreadsheet refused before reading (core.spreadsheets)
        return problem.value.render(gettext)
    messages = {
        "not_xlsx": _l("The file is not an .xlsx spreadsheet."),
        "too_large": _l("The file is larger than 10 MB."),
        "empty": _l("The spreadsheet has no data rows."),
        "too_many_rows": _l("The spreadsheet has more than 20,000 rows."),
        "missing_column": _l("Column %(column)s is missing.", column=problem.column),
        "no_score_columns": _l("Add one column per criterion or a single 总分 column."),
        "mixed_total": _l("Use either criterion columns or a 总分 column, not both."),
        "unknown_column": _l("Column %(column)s is not a criterion of this rubric.", column=problem.column),
        "duplicate_column": _l("Column %(column)s appears twice.", column=problem.column),
        "blank": _l("The cell is empty."),
        "formula": _l("The cell contains a formula; type the value instead."),
        "not_a_number": _l("%(value)s is not a number.", value=problem.value),
        "duplicate_row": _l("This entry and judge already appear in row %(row)s.", row=problem.value),
        "unknown_entry": _l("No entry with code %(code)s in this round.", code=problem.value),
        "unknown_judge": _l("No judge with login %(login)s in this contest.", login=problem.value),
        "not_assigned": _l("Judge %(login)s is not assigned to this entry.", login=problem.value),
        "invalid_score": problem.value,
        "merged_cells": _l("The sheet contains merged cells; unmerge them first."),
    }
    return str(messages[problem.code])


def import_scores(rnd: Round, data: bytes, *, actor=None) -> ImportOutcome:
    """Import paper score sheets (.xlsx): all rows are checked (entry code in the round, judge's login email
    of a judge of the contest assigned to that entry, every value within maximum and step); any problem means
    nothing is saved. Rows are saved as submitted scores. All criteria of one rubric are needed per file, so a
    file holds one category or categories with identically named criteria."""
    outcome = ImportOutcome()
    if rnd.is_closed():
        outcome.errors.append((None, None, str(_l("The round is closed; scores can no longer change."))))
        return outcome
    rubric_cats = [rc for rc in rnd.categories if not rc.is_performance]
    names = sorted({c.name for rc in rubric_cats for c in rc.criteria})
    partial = len({frozenset(c.name for c in rc.criteria) for rc in rubric_cats}) > 1
    sheet = read_score_sheet(data, names, partial=partial)
    if not sheet.ok:
        outcome.errors = [(p.row, p.column, _problem_text(p)) for p in sheet.errors]
        return outcome
    entries = {e.code: e for e in round_entries(rnd) if e.code}
    judges = {(j.user.email or "").lower(): j for j in judges_of(rnd.contest, include_withdrawn=False)}
    actives = {(a.entry_id, a.judge_id): a for a in db.session.execute(
        sa.select(JudgeAssignment).options(selectinload(JudgeAssignment.score)).where(
            JudgeAssignment.round_id == rnd.id, JudgeAssignment.status == AssignmentStatus.ACTIVE.value)).scalars()}
    planned = []
    for row in sheet.rows:
        entry = entries.get(row.entry_code)
        judge = judges.get(row.judge_login)
        if entry is None:
            outcome.errors.append((row.row, "作品编号", _problem_text(ImportProblem(row.row, "作品编号", "unknown_entry",
                                                                                  row.entry_code))))
        if judge is None:
            outcome.errors.append((row.row, "评委", _problem_text(ImportProblem(row.row, "评委", "unknown_judge",
                                                                              row.judge_login))))
        if entry is None or judge is None:
            continue
        a = actives.get((entry.id, judge.id))
        if a is None:
            outcome.errors.append((row.row, "评委", _problem_text(ImportProblem(row.row, "评委", "not_assigned",
                                                                              row.judge_login))))
            continue
        rc = round_category_for(rnd, entry.category_id)
        if rc.is_performance:
            outcome.errors.append((row.row, "作品编号", str(_l("This category is scored by runs on the referee page."))))
            continue
        if sheet.uses_total:
            try:
                scores.validate_criterion_score(row.values["总分"], rc.maximum_total, "0.01")
            except scores.ScoreError as exc:
                outcome.errors.append((row.row, "总分", score_error_message(exc)))
                continue
            planned.append((a, None, row.values["总分"]))
        else:
            by_name = {c.name: c for c in rc.criteria}
            values = {}
            for name, raw in row.values.items():
                criterion = by_name.get(name)
                if criterion is None:
                    outcome.errors.append((row.row, name, str(_l("Column %(column)s is not a criterion of this rubric.",
                                                                 column=name))))
                    continue
                try:
                    values[str(criterion.id)] = scores.validate_criterion_score(raw, criterion.maximum, criterion.step)
                except scores.ScoreError as exc:
                    outcome.errors.append((row.row, name, score_error_message(exc)))
            for criterion in rc.criteria:
                if criterion.name not in row.values:
                    outcome.errors.append((row.row, criterion.name, str(_l("The cell is empty."))))
            if len(values) == len(rc.criteria):
                planned.append((a, values, None))
    if outcome.errors:
        return outcome
    for a, values, total in planned:
        if values is None:
            save_total_score(a, total, actor=actor)
        else:
            save_score(a, values, submit=True, actor=actor, imported=True)
    outcome.imported = len(planned)
    audit.record("import_scores", rnd, after={"rows": outcome.imported}, actor=actor)
    return outcome


# --- results -------------------------------------------------------------------------------------------------


def _quantize(value: float | Decimal | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(SCORE_QUANTUM, rounding=ROUND_HALF_UP)


def submitted_judge_scores(rnd: Round, category_id: int | None = None,
                           with_criteria: bool = True) -> list[aggregation.JudgeScore]:
    """Submitted totals of active assignments as plain values for the pure algorithms."""
    return [s for _, s in _submitted_scores_by_category(rnd, category_id, with_criteria)]


def _submitted_scores_by_category(rnd: Round, category_id: int | None = None, with_criteria: bool = True,
                                  criterion_ids: list[str] | None = None) -> list[tuple[int, aggregation.JudgeScore]]:
    """(category id, JudgeScore) for every submitted score of an active assignment, in one query.

    ``with_criteria`` reads every criterion value (JSON); ``criterion_ids`` instead extracts just those
    criteria in SQL (what a tie-break needs), which is much cheaper for thousands of scores."""
    columns = [Entry.category_id, Score.entry_id, Score.judge_id, sa.cast(Score.total, sa.Float)]
    wanted = list(criterion_ids or [])
    if with_criteria and not wanted:
        columns.append(Score.values)
    columns += [Score.values[cid].as_float() for cid in wanted]
    query = (sa.select(*columns).join(JudgeAssignment, JudgeAssignment.id == Score.assignment_id)
             .join(Entry, Entry.id == Score.entry_id)
             .where(Score.round_id == rnd.id, Score.submitted.is_(True), Score.total.is_not(None),
                    JudgeAssignment.status == AssignmentStatus.ACTIVE.value))
    if category_id is not None:
        query = query.where(Entry.category_id == category_id)
    out = []
    judge_score = aggregation.JudgeScore
    if wanted:
        for row in db.session.execute(query).all():
            criteria = {cid: float(v) for cid, v in zip(wanted, row[4:], strict=True) if v is not None}
            out.append((row[0], judge_score(row[1], row[2], row[3], criteria)))
    elif with_criteria:
        for row in db.session.execute(query).all():
            out.append((row[0], judge_score(row[1], row[2], row[3], {k: float(v) for k, v in (row[4] or {}).items()})))
    else:
        for row in db.session.execute(query).all():
            out.append((row[0], judge_score(row[1], row[2], row[3], {})))
    return out


def _award_allocation(rnd: Round, ranked: list[awards.RankedEntry]) -> awards.AwardAllocation | None:
    rule = rnd.award_rule or {}
    if rnd.award_mode == AwardMode.PERCENTAGE:
        return awards.allocate_by_percentage(ranked, [tuple(x) for x in rule.get("levels", [])], rule.get("cap"),
                                             rounding=rule.get("rounding", "half_up"),
                                             strict_cap=bool(rule.get("strict_cap")))
    if rnd.award_mode == AwardMode.THRESHOLD:
        return awards.allocate_by_threshold(ranked, [tuple(x) for x in rule.get("thresholds", [])])
    return None


def _advanced(rnd: Round, ranked: list[tuple[int, int | None, float | None]]) -> set[int]:
    """Entry ids that advance by the round's rule; ties at the boundary advance together."""
    value = rnd.advancement_value
    scored = [(e, r, s) for e, r, s in ranked if r is not None]
    if rnd.advancement == Advancement.THRESHOLD:
        return {e for e, r, s in scored if s is not None and Decimal(str(round(s, 6))) >= value}
    if rnd.advancement == Advancement.TOP_N:
        n = int(value)
    elif rnd.advancement == Advancement.TOP_PERCENT:
        n = awards.round_count(Decimal(len(scored)) * Decimal(value) / 100)
    else:
        return set()
    if n <= 0 or not scored:
        return set()
    cutoff_rank = scored[min(n, len(scored)) - 1][1]
    return {e for e, r, s in scored if r <= cutoff_rank}


def _performance_rows(rnd: Round, rc: RoundCategory, entry_ids: list[int]) -> dict[int, dict]:
    runs = runs_of(rnd, rc.category_id)
    # with confirmation switched on, only runs a second person confirmed count
    counted = {eid: [r for r in runs.get(eid, []) if not rc.confirm_runs or r.confirmed_at is not None]
               for eid in entry_ids}
    plain = {eid: [performance.Run(r.points, r.time_cs, r.penalty_seconds, r.status) for r in rs]
             for eid, rs in counted.items() if rs}
    rows = {}
    for pr in performance.rank_performance(plain, rc.performance_rule, rc.runs):
        rows[pr.entry_id] = {"score": pr.points, "rank": pr.rank, "count": len(plain[pr.entry_id]),
                             "explanation": {"kind": "performance", "rule": rc.performance_rule, "n": rc.runs,
                                             "time": performance.format_time(
                                                 None if pr.time_cs is None else int(pr.time_cs)),
                                             "counted_runs": [i + 1 for i in pr.counted_runs]}}
    return rows


def _rubric_rows(rnd: Round, rc: RoundCategory, plain: list[aggregation.JudgeScore],
                 later_scores: dict[int, float]) -> dict[int, dict]:
    # z-scores map back to this rubric's scale, 0 .. maximum total
    options = aggregation.AggregationOptions(n_min=rnd.n_min, scale_min=0.0,
                                             scale_max=float(rc.maximum_total) or 100.0)
    results = aggregation.aggregate(plain, rnd.method, options)
    # tie-break criteria are named by the organiser; the score values are keyed by criterion id
    chain = list(rnd.tie_breaks or [])
    ids = {c.name: str(c.id) for c in rc.criteria}
    prefix = aggregation.TIE_BREAK_CRITERION_PREFIX
    mapped = [prefix + ids.get(k[len(prefix):], k[len(prefix):]) if k.startswith(prefix) else k for k in chain]
    rows = {}
    for r in aggregation.rank_results(results.values(), mapped, later_scores):
        rows[r.entry_id] = {"score": r.score, "rank": r.rank, "count": r.count, "explanation": {
            "kind": "rubric", "method": r.method, "trimmed": r.trimmed, "raw_sum": r.raw_sum,
            "decided_by": chain[mapped.index(r.decided_by)] if r.decided_by else None,
            "scores": [{"judge_id": x.judge_id, "raw": x.raw, "normalised": x.normalised,
                        "dropped": x.dropped} for x in r.explanation]}}
    return rows


def compute_results(rnd: Round, actor=None) -> dict[int, awards.AwardAllocation | None]:
    """See _compute_results; the cyclic garbage collector is paused meanwhile (it would otherwise rescan the
    tens of thousands of short-lived score objects again and again, for no garbage)."""
    import gc

    refuse_if_final(rnd.contest)
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _compute_results(rnd, actor)
    finally:
        if enabled:
            gc.enable()


def _compute_results(rnd: Round, actor=None) -> dict[int, awards.AwardAllocation | None]:
    """Compute and store every entry's score, rank (per category), explanation, advancement and award.

    Rubric categories use the round's aggregation method and tie-break chain; performance categories their
    run rule. Award overrides made by organisers (with a reason) survive a recomputation. Reads and writes
    in bulk (plain rows, executemany), so 5,000 entries x 5 judges take well under a second."""
    chain = rnd.tie_breaks or []
    prefix = aggregation.TIE_BREAK_CRITERION_PREFIX
    with_criteria = any(k.startswith(prefix) for k in chain)
    later = next_round(rnd)
    later_scores = {}
    if later is not None and "later_round" in chain:
        later_scores = {eid: float(s) for eid, s in db.session.execute(
            sa.select(Result.entry_id, Result.score).where(Result.round_id == later.id,
                                                           Result.score.is_not(None))).all()}
    with db.session.no_autoflush:
        existing = {row.entry_id: row for row in db.session.execute(
            sa.select(Result.id, Result.entry_id, Result.override_reason, Result.award)
            .where(Result.round_id == rnd.id)).all()}
        by_category: dict[int, list[int]] = defaultdict(list)
        for entry_id, category_id in round_entry_ids(rnd):
            by_category[category_id].append(entry_id)
        scores_by_category: dict[int, list[aggregation.JudgeScore]] = defaultdict(list)
        rubric_categories = [rc for rc in rnd.categories if not rc.is_performance]
        if rubric_categories and not with_criteria:
            for category_id, plain in _submitted_scores_by_category(rnd, with_criteria=False):
                scores_by_category[category_id].append(plain)
        for rc in rubric_categories if with_criteria else []:
            # only the tie-break criteria of this rubric are read
            ids = {c.name: str(c.id) for c in rc.criteria}
            wanted = [ids.get(k[len(prefix):], k[len(prefix):]) for k in chain if k.startswith(prefix)]
            scores_by_category[rc.category_id] = [plain for _, plain in _submitted_scores_by_category(
                rnd, rc.category_id, criterion_ids=wanted)]
    allocations = {}
    inserts, updates = [], []
    seen = set()
    for rc in rnd.categories:
        entry_ids = by_category.get(rc.category_id, [])
        rows = (_performance_rows(rnd, rc, entry_ids) if rc.is_performance
                else _rubric_rows(rnd, rc, scores_by_category.get(rc.category_id, []), later_scores))
        ranked = sorted(((eid, row["rank"], float(row["score"])) for eid, row in rows.items()), key=lambda t: t[1])
        advanced = _advanced(rnd, ranked)
        allocation = _award_allocation(rnd, [awards.RankedEntry(e, r, s) for e, r, s in ranked])
        allocations[rc.category_id] = allocation
        for entry_id in entry_ids:
            row = rows.get(entry_id)
            computed = allocation.awards.get(entry_id) if allocation else None
            values = {"category_id": rc.category_id, "score": _quantize(row["score"]) if row else None,
                      "rank": row["rank"] if row else None, "score_count": row["count"] if row else 0,
                      "explanation": row["explanation"] if row else {}, "advanced": entry_id in advanced,
                      "award_computed": computed}
            seen.add(entry_id)
            old = existing.get(entry_id)
            if old is None:
                inserts.append({"round_id": rnd.id, "entry_id": entry_id, "award": computed, "override_reason": "",
                                **values})
            else:
                # an organiser's override (with its reason) survives; every row carries the same keys
                values["award"] = old.award if old.override_reason else computed
                updates.append({"id": old.id, **values})
    table = Result.__table__
    if inserts:  # Core executemany: one statement for all rows
        db.session.execute(table.insert(), inserts)
    if updates:
        db.session.execute(table.update().where(table.c.id == sa.bindparam("_id")),
                           [{"_id": u.pop("id"), **u} for u in updates])
    stale = [row.id for entry_id, row in existing.items() if entry_id not in seen]
    if stale:
        db.session.execute(sa.delete(Result).where(Result.id.in_(stale)))
    rnd.results_computed_at = utcnow()
    db.session.flush()
    # results loaded earlier in this session must show the new values
    for obj in [o for o in db.session.identity_map.values() if isinstance(o, Result) and o.round_id == rnd.id]:
        db.session.expire(obj)
    audit.record("compute_results", rnd, after={"entries": len(seen), "method": rnd.method}, actor=actor)
    return allocations


def award_notes(rnd: Round) -> dict[int, awards.AwardAllocation]:
    """The award allocation per category recomputed from stored ranks (for the boundary-tie notes and quotas)."""
    rows = db.session.execute(sa.select(Result.category_id, Result.entry_id, Result.rank, Result.score).where(
        Result.round_id == rnd.id, Result.rank.is_not(None)).order_by(Result.category_id, Result.rank)).all()
    grouped = defaultdict(list)
    for category_id, entry_id, rank, score in rows:
        grouped[category_id].append(awards.RankedEntry(entry_id, rank, float(score or 0)))
    return {cid: alloc for cid, ranked in grouped.items() if (alloc := _award_allocation(rnd, ranked)) is not None}


def results_of(rnd: Round, category_id: int | None = None) -> list[Result]:
    """Stored results with entry, school and category loaded, by category then rank."""
    query = (sa.select(Result).where(Result.round_id == rnd.id)
             .options(joinedload(Result.entry).joinedload(Entry.school),
                      joinedload(Result.entry).joinedload(Entry.category))
             .join(Category, Category.id == Result.category_id)
             .order_by(Category.position, Category.id, Result.rank.is_(None), Result.rank, Result.id))
    if category_id is not None:
        query = query.where(Result.category_id == category_id)
    return list(db.session.execute(query).unique().scalars())


def override_award(result: Result, award: str | None, reason: str, actor=None) -> Result:
    """An organiser sets an award by hand; a reason is required and the change is audited. Refused once the
    results are final."""
    refuse_if_final(result.round.contest)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give a reason for changing the award."), field="reason")
    if award and award not in AWARD_LABELS:
        raise DomainError(_l("Unknown award."), field="award")
    before = {"award": result.award, "override_reason": result.override_reason}
    result.award = award or None
    result.override_reason = reason[:500]
    db.session.flush()
    audit.record("override_award", result, object_type="judging_result", before=before,
                 after={"award": result.award, "override_reason": result.override_reason}, actor=actor,
                 organisation_id=result.round.contest.organisation_id)
    return result


def award_table(rnd: Round) -> list[tuple[Category, dict[str, int]]]:
    """Counts of each award per category and in total."""
    rows = db.session.execute(sa.select(Result.category_id, Result.award, sa.func.count()).where(
        Result.round_id == rnd.id, Result.award.is_not(None)).group_by(Result.category_id, Result.award)).all()
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {k: 0 for k in AWARD_LABELS})
    for category_id, award, n in rows:
        counts[category_id][award] = n
    table = []
    for rc in rnd.categories:
        row = dict(counts[rc.category_id])
        row["total"] = sum(row.values())
        table.append((rc.category, row))
    return table


def judge_quality_report(rnd: Round) -> tuple[list[tuple], list[tuple]]:
    """Per judge and category: mean, spread, count, panel correlation; and the scores more than 2 panel SD
    from the panel mean (SD floor: 5 % of the rubric maximum), with whether a re-check is pending."""
    judges = {j.id: j for j in judges_of(rnd.contest)}
    stats, flags = [], []
    for rc in rnd.categories:
        if rc.is_performance:
            continue
        plain = submitted_judge_scores(rnd, rc.category_id)
        for judge_id, q in quality.judge_quality(plain).items():
            stats.append((judges[judge_id], q, rc.category))
        min_sd = float(rc.maximum_total) * 0.05
        for flag in quality.flag_outliers(plain, 2.0, min_sd):
            flags.append(flag)
    score_rows = {(s.entry_id, s.judge_id): s for s in db.session.execute(
        sa.select(Score).where(Score.round_id == rnd.id).options(
            joinedload(Score.assignment).joinedload(JudgeAssignment.entry),
            joinedload(Score.judge).joinedload(Judge.user))).scalars()} if flags else {}
    open_requests = set(db.session.execute(sa.select(RecheckRequest.score_id).where(
        RecheckRequest.resolved_at.is_(None))).scalars()) if flags else set()
    flagged = [(f, score_rows[(f.entry_id, f.judge_id)], score_rows[(f.entry_id, f.judge_id)].id in open_requests)
               for f in flags if (f.entry_id, f.judge_id) in score_rows]
    return stats, flagged


# --- special awards --------------------------------------------------------------------------------------------


def add_special_award(contest: Contest, *, kind: str, entry: Entry | None = None, advisor_id: int | None = None,
                      organisation: Organisation | None = None, reason: str = "", actor=None) -> SpecialAward:
    """A special award chosen by hand; it goes to an entry, an advisor or an organisation of the contest."""
    if kind not in awards.SPECIAL_AWARD_KINDS:
        raise DomainError(_l("Unknown special award."), field="kind")
    if entry is None and advisor_id is None and organisation is None:
        raise DomainError(_l("Choose who receives the special award."), field="entry")
    if entry is not None and entry.contest_id != contest.id:
        raise DomainError(_l("An entry does not belong to this contest."), field="entry")
    award = SpecialAward(contest_id=contest.id, kind=kind, entry_id=entry.id if entry else None,
                         advisor_id=advisor_id, organisation_id=organisation.id if organisation else None,
                         reason=(reason or "")[:500])
    db.session.add(award)
    db.session.flush()
    audit.record("create", award, after={"kind": kind, "entry_id": award.entry_id, "advisor_id": advisor_id,
                                         "organisation_id": award.organisation_id}, actor=actor,
                 organisation_id=contest.organisation_id)
    return award


def remove_special_award(award: SpecialAward, actor=None) -> None:
    audit.record("delete", award, before={"kind": award.kind, "entry_id": award.entry_id}, actor=actor,
                 organisation_id=db.session.get(Contest, award.contest_id).organisation_id)
    db.session.delete(award)
    db.session.flush()


def special_awards_of(contest: Contest) -> list[SpecialAward]:
    return list(db.session.execute(sa.select(SpecialAward).where(SpecialAward.contest_id == contest.id).options(
        joinedload(SpecialAward.entry).joinedload(Entry.school), joinedload(SpecialAward.organisation),
        joinedload(SpecialAward.advisor).joinedload(Advisor.school))
        .order_by(SpecialAward.kind, SpecialAward.id)).scalars())


# --- public notice and objections ----------------------------------------------------------------------------


def notice_of(contest: Contest) -> Notice | None:
    return db.session.execute(sa.select(Notice).where(Notice.contest_id == contest.id)).scalar_one_or_none()


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


# --- exports -------------------------------------------------------------------------------------------------


def result_rows(rnd: Round) -> list:
    """Rows of the results export; award names in the default language, like the Chinese column headers."""
    from flask import current_app
    from flask_babel import force_locale

    from judging.exports import ResultRow

    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")):
        return [ResultRow(r.entry.code or "", r.entry.category.name, r.entry.title, r.entry.school.name,
                          "" if r.score is None else f"{r.score:.2f}", r.rank,
                          str(AWARD_LABELS[r.award]) if r.award else "") for r in results_of(rnd)]


def final_round(contest: Contest) -> Round | None:
    """The round whose results count: the notice's round, else the last round with results."""
    notice = notice_of(contest)
    if notice is not None:
        return notice.round
    with_results = [r for r in rounds_of(contest) if r.results_computed_at is not None]
    return with_results[-1] if with_results else None


def score_sheet_data(rnd: Round, judge: Judge | None = None) -> list:
    """Per-judge score sheets (one per judge and category) with the judge's current scores, for the PDF."""
    from judging.pdf import ScoreSheet, SheetEntry

    sheets = []
    judges = [judge] if judge else judges_of(rnd.contest)
    for j in judges:
        worklist = judge_worklist(rnd, j)
        by_category = defaultdict(list)
        for a in worklist:
            by_category[a.entry.category_id].append(a)
        for rc in rnd.categories:
            items = by_category.get(rc.category_id)
            if not items or rc.is_performance:
                continue
            entries = []
            for a in items:
                values = a.score.values if a.score else {}
                entries.append(SheetEntry(a.entry.code or "", a.entry.title,
                                          [values.get(str(c.id), "") for c in rc.criteria],
                                          "" if not a.score or a.score.total is None else f"{a.score.total:.2f}",
                                          a.score.comment if a.score else ""))
            sheets.append(ScoreSheet(rnd.contest.name, rnd.name, rc.category.name, j.user.display_name,
                                     [(c.name, f"{c.maximum:g}" if c.weight == 1 else f"{c.maximum:g}×{c.weight:g}")
                                      for c in rc.criteria], entries))
    return sheets


def pdf_labels() -> dict[str, str]:
    return {"title": gettext("Score sheet"), "contest": gettext("Contest"), "round": gettext("Round"), "category": gettext("Category"),
            "judge": gettext("Judge"), "code": gettext("Entry code"), "entry": gettext("Entry title"), "total": gettext("Total"),
            "comment": gettext("Comment"), "signature": gettext("Judge's signature"), "date": gettext("Date"),
            "school": gettext("School"), "award": gettext("Award")}


# --- certificate source ------------------------------------------------------------------------------------


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
    from competitions.models import Advisor

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
