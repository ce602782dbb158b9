"""Rounds and their rubrics: settings, status, categories, criteria, run rules, and which entries a round judges."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from competitions.models import Category, Contest, Entry, EntryStatus
from core import audit
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from judging import aggregation, owners, performance, scores
from judging import notifications as notices
from judging.models import (
    CONTEST,
    Advancement,
    AwardMode,
    Criterion,
    Notice,
    Result,
    Round,
    RoundCategory,
    RoundStatus,
    Score,
)

#: Entries that take part in judging.
JUDGED_ENTRY_STATUSES = (EntryStatus.APPROVED.value,)


ROUND_FIELDS = [
    "name",
    "position",
    "onsite",
    "status",
    "opens_at",
    "closes_at",
    "judges_per_entry",
    "method",
    "n_min",
    "tie_breaks",
    "advancement",
    "advancement_value",
    "award_mode",
    "award_rule",
]


def owned_by(model, owner) -> sa.ColumnElement[bool]:
    """The rows of ``model`` (Round, Judge, Notice) that belong to ``owner``: a contest through its foreign key,
    another kind (a call) through owner_kind and owner_id (judging.owners)."""
    kind = owners.kind_of(owner)
    if kind == CONTEST:
        return model.contest_id == owner.id
    return sa.and_(model.owner_kind == kind, model.owner_id == owner.id)


def owner_fields(owner) -> dict:
    """The columns that make a new round, judge or notice belong to ``owner``."""
    kind = owners.kind_of(owner)
    return {"contest_id": owner.id} if kind == CONTEST else {"owner_kind": kind, "owner_id": owner.id}


def rounds_of(contest) -> list[Round]:
    """The rounds of a contest, or of another owner (a call), in order."""
    return list(
        db.session.execute(
            sa.select(Round)
            .where(owned_by(Round, contest))
            .order_by(Round.position, Round.id)
            .options(selectinload(Round.categories))
        ).scalars()
    )


def find_round(contest: Contest, name: str) -> Round:
    """The contest's round with this name, or a DomainError listing the names there are."""
    rnd = db.session.execute(
        sa.select(Round).where(owned_by(Round, contest), Round.name == name.strip())
    ).scalar_one_or_none()
    if rnd is None:
        names = ", ".join(r.name for r in rounds_of(contest)) or "-"
        raise DomainError(
            _l("No round named %(name)s in this contest (rounds: %(names)s).", name=name, names=names),
            field="round",
            code="unknown_round",
        )
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


def create_round(contest, *, name: str, category_ids: Iterable[int] = (), actor=None, **fields) -> Round:
    """A new round of the contest, in set-up, judging the given categories of that contest. The round of another
    owner (a call) judges its one group: one rubric, no category."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Give the round a name."), field="name")
    if db.session.execute(sa.select(Round.id).where(owned_by(Round, contest), Round.name == name)).first():
        raise DomainError(_l("This contest already has a round named %(name)s.", name=name), field="name")
    _validate_round_fields(fields)
    if "position" not in fields:
        fields["position"] = (
            db.session.execute(sa.select(sa.func.max(Round.position)).where(owned_by(Round, contest))).scalar() or 0
        ) + 1
    if owners.kind_of(contest) == CONTEST:
        rnd = Round(contest=contest, name=name, **fields)
    else:
        rnd = Round(name=name, **owner_fields(contest), **fields)
        rnd.categories.append(RoundCategory(category_id=None))
    db.session.add(rnd)
    db.session.flush()
    if rnd.owned_by_contest:
        set_round_categories(rnd, category_ids)
    audit.record("create", rnd, after=audit.snapshot(rnd, ROUND_FIELDS), actor=actor)
    return rnd


def update_round(rnd: Round, actor=None, **fields) -> Round:
    """Change a round's settings; its name stays unique in the contest."""
    merged = {k: getattr(rnd, k) for k in ROUND_FIELDS} | fields
    _validate_round_fields(merged)
    if (
        "name" in fields
        and fields["name"] != rnd.name
        and db.session.execute(
            sa.select(Round.id).where(owned_by(Round, rnd.owner), Round.name == fields["name"])
        ).first()
    ):
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
            name = rc.category.name if rc.category is not None else rnd.name
            raise DomainError(_l("Category %(name)s has no criteria yet.", name=name), field="status")
        if rc.is_performance and rc.max_points is None:
            raise DomainError(
                _l("Category %(name)s has no maximum points per run yet.", name=rc.category.name), field="status"
            )
    update_round(rnd, actor=actor, status=RoundStatus.OPEN.value)
    notices.tell_round_opened(rnd)
    return rnd


def refuse_if_final(contest) -> None:
    """Final results (公示 over, 结果确定) feed certificates: nothing that changes them may happen afterwards."""
    notice = notice_of(contest)
    if notice is not None and notice.finalised_at is not None:
        raise DomainError(_l("The results are already final."), field="round", code="results_final", status=409)


def reopen_round(rnd: Round, actor=None) -> Round:
    """Take a closed round back to open (e.g. an upheld objection needs re-scoring); not once the contest's
    results are final."""
    refuse_if_final(rnd.owner)
    fields = {"status": RoundStatus.OPEN.value}
    if rnd.closes_at and rnd.closes_at <= utcnow():
        fields["closes_at"] = None
    return update_round(rnd, actor=actor, **fields)


CRITERION_TEMPLATE_NAMES = {
    "Scientific soundness": _l("Scientific soundness"),
    "Innovation": _l("Innovation"),
    "Practical value": _l("Practical value"),
    "Presentation standards": _l("Presentation standards"),
    "Research question": _l("Research question"),
    "Design and methodology": _l("Design and methodology"),
    "Execution": _l("Execution"),
    "Creativity": _l("Creativity"),
    "Presentation": _l("Presentation"),
}


CRITERION_TEMPLATE_DESCRIPTIONS = {
    "Sound method, correct science, reliable data": _l("Sound method, correct science, reliable data"),
    "Originality of the question, idea or solution": _l("Originality of the question, idea or solution"),
    "Usefulness and feasibility of the result": _l("Usefulness and feasibility of the result"),
    "Complete, well-structured and properly cited materials": _l(
        "Complete, well-structured and properly cited materials"
    ),
    "Clear, focused and testable question": _l("Clear, focused and testable question"),
    "Well-designed plan, variables and controls": _l("Well-designed plan, variables and controls"),
    "Data collection, analysis and reproducibility": _l("Data collection, analysis and reproducibility"),
    "Creative approach and originality": _l("Creative approach and originality"),
    "Poster, interview and understanding of the work": _l("Poster, interview and understanding of the work"),
}


TEMPLATE_LABELS = {
    "kexie": _l("Scientific soundness / innovation / practical value / standards"),
    "isef": _l("ISEF weights (10/15/20/20/35)"),
}


def apply_rubric_template(rc: RoundCategory, template: str, actor=None) -> list[Criterion]:
    """Replace the rubric with a template (names in the current language); refused once scores exist."""
    if template not in scores.RUBRIC_TEMPLATES:
        raise DomainError(_l("Unknown rubric template."), field="template")
    _refuse_if_scored(rc)
    rc.criteria.clear()
    db.session.flush()
    for position, (name, description, weight, maximum, step) in enumerate(scores.RUBRIC_TEMPLATES[template], 1):
        rc.criteria.append(
            Criterion(
                name=str(CRITERION_TEMPLATE_NAMES[name]),
                description=str(CRITERION_TEMPLATE_DESCRIPTIONS[description]),
                weight=Decimal(weight),
                maximum=Decimal(maximum),
                step=Decimal(step),
                position=position,
            )
        )
    db.session.flush()
    audit.record(
        "apply_template",
        rc.round,
        object_type="judging_round_category",
        object_id=rc.id,
        after={"template": template},
        actor=actor,
        organisation_id=rc.round.owner.organisation_id,
    )
    return rc.criteria


def _refuse_if_scored(rc: RoundCategory) -> None:
    query = sa.select(Score.id).where(Score.round_id == rc.round_id)
    if rc.category_id is not None:
        query = query.join(Entry, Entry.id == Score.entry_id).where(Entry.category_id == rc.category_id)
    exists = db.session.execute(query.limit(1)).first()
    if exists:
        raise DomainError(_l("Scores exist for this category; the rubric can no longer change."), field="criteria")


def save_criterion(
    rc: RoundCategory,
    criterion: Criterion | None,
    *,
    name: str,
    description: str = "",
    weight: Decimal,
    maximum: Decimal,
    step: Decimal,
    actor=None,
) -> Criterion:
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
    audit.record(
        "save_criterion",
        criterion,
        before=before,
        after=audit.snapshot(criterion, ["name", "weight", "maximum", "step"]),
        actor=actor,
        organisation_id=rc.round.owner.organisation_id,
    )
    return criterion


def delete_criterion(criterion: Criterion, actor=None) -> None:
    rc = criterion.round_category
    _refuse_if_scored(rc)
    audit.record(
        "delete",
        criterion,
        before=audit.snapshot(criterion, ["name", "maximum"]),
        actor=actor,
        organisation_id=rc.round.owner.organisation_id,
    )
    rc.criteria.remove(criterion)
    db.session.flush()


def set_performance_rule(
    rc: RoundCategory, rule: str, runs: int, confirm_runs: bool, *, max_points: Any, time_limit: str = "", actor=None
) -> RoundCategory:
    """Best of N, sum or average of runs, whether a second person confirms each run, and the category's limits
    for one run: the most points it can earn (required) and, optionally, the longest time (mm:ss.cc). Audited."""
    if rule not in performance.RULES:
        raise DomainError(_l("Unknown run rule."), field="performance_rule")
    if not 1 <= int(runs) <= 10:
        raise DomainError(_l("Run number must be between 1 and %(n)d.", n=10), field="runs")
    try:
        maximum = Decimal(str(max_points).strip()) if max_points not in (None, "") else None
    except ArithmeticError:
        maximum = None
    if maximum is None or not maximum.is_finite() or maximum <= 0 or maximum >= Decimal("1000000"):
        raise DomainError(_l("Give the most points one run can earn (a number greater than 0)."), field="max_points")
    limit_cs = None
    if (time_limit or "").strip():
        try:
            limit_cs = performance.parse_time(time_limit)
        except performance.TimeFormatError:
            raise DomainError(
                _l("%(value)s is not a time in mm:ss.cc format.", value=time_limit), field="time_limit"
            ) from None
        if limit_cs <= 0:
            raise DomainError(_l("The time limit must be longer than 0."), field="time_limit")
    fields = ["performance_rule", "runs", "confirm_runs", "max_points", "time_limit_cs"]
    before = audit.snapshot(rc, fields)
    rc.performance_rule, rc.runs, rc.confirm_runs = rule, int(runs), bool(confirm_runs)
    rc.max_points, rc.time_limit_cs = maximum.quantize(Decimal("0.01")), limit_cs
    db.session.flush()
    audit.record(
        "performance_rule",
        rc.round,
        object_type="judging_round_category",
        object_id=rc.id,
        before=before,
        after=audit.snapshot(rc, fields),
        actor=actor,
    )
    return rc


def criterion_specs(rc: RoundCategory) -> list[scores.CriterionSpec]:
    return [
        scores.CriterionSpec(str(c.id), c.name, Decimal(c.maximum), Decimal(c.step), Decimal(c.weight))
        for c in rc.criteria
    ]


def _round_entry_filter(rnd: Round, query):
    """Approved entries of the round's categories; in a later round, only those that advanced from the
    previous round when that round has an advancement rule."""
    category_ids = [rc.category_id for rc in rnd.categories]
    query = query.where(
        Entry.contest_id == rnd.contest_id,
        Entry.category_id.in_(category_ids or [-1]),
        Entry.status.in_(JUDGED_ENTRY_STATUSES),
    )
    previous = previous_round(rnd)
    if previous is not None and previous.advancement != Advancement.NONE and previous.results_computed_at:
        query = query.where(
            Entry.id.in_(sa.select(Result.entry_id).where(Result.round_id == previous.id, Result.advanced.is_(True)))
        )
    return query


def round_entries(rnd: Round) -> list[Entry]:
    """Entries judged in the round (see _round_entry_filter), with their schools, by entry code."""
    if not rnd.categories:
        return []
    query = _round_entry_filter(rnd, sa.select(Entry)).options(joinedload(Entry.school)).order_by(Entry.code, Entry.id)
    return list(db.session.execute(query).scalars())


def round_entry_ids(rnd: Round) -> list[tuple[int, int | None]]:
    """(entry id, category id) of the entries judged in the round — cheap, for computing results; for another
    owner (a call), (submission id, None) of what its kind says a round judges."""
    if not rnd.owned_by_contest:
        return [(sid, None) for sid in sorted(owners.owner_kind(rnd.owner_kind).submissions(rnd.owner))]
    if not rnd.categories:
        return []
    return [
        tuple(row)
        for row in db.session.execute(
            _round_entry_filter(rnd, sa.select(Entry.id, Entry.category_id)).order_by(Entry.id)
        ).all()
    ]


def previous_round(rnd: Round) -> Round | None:
    return db.session.execute(
        sa.select(Round)
        .where(owned_by(Round, rnd.owner), Round.position < rnd.position)
        .order_by(Round.position.desc())
        .limit(1)
    ).scalar_one_or_none()


def next_round(rnd: Round) -> Round | None:
    return db.session.execute(
        sa.select(Round)
        .where(owned_by(Round, rnd.owner), Round.position > rnd.position)
        .order_by(Round.position)
        .limit(1)
    ).scalar_one_or_none()


def round_category_for(rnd: Round, category_id: int) -> RoundCategory:
    for rc in rnd.categories:
        if rc.category_id == category_id:
            return rc
    raise DomainError(_l("This category is not judged in this round."), field="category")


def rubric_of(a) -> RoundCategory:
    """The rubric an assignment is scored on: its entry's category's in a contest's round, the round's one rubric
    in another owner's (a call's)."""
    if not a.round.owned_by_contest:
        return a.round.categories[0]
    return round_category_for(a.round, a.entry.category_id)


def notice_of(contest) -> Notice | None:
    """The 公示 of a contest or of another owner (a call), if there is one."""
    return db.session.execute(sa.select(Notice).where(owned_by(Notice, contest))).scalar_one_or_none()
