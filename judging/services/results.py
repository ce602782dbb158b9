"""Results: aggregation, ranks, advancement, awards and overrides, normalisation warnings, judge quality.

Special awards are in `judging.services.special_awards`; what the exports, score sheets and award lists print is
in `judging.services.sheets`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from competitions.models import Category, Entry
from core import audit
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from judging import aggregation, awards, performance, quality
from judging.models import (
    AWARD_LABELS,
    Advancement,
    AssignmentStatus,
    AwardMode,
    Judge,
    JudgeAssignment,
    RecheckRequest,
    Result,
    Round,
    RoundCategory,
    RoundStatus,
    Score,
)
from judging.services.judges import judges_of
from judging.services.rounds import next_round, refuse_if_final, round_entry_ids, update_round
from judging.services.runs import runs_of

SCORE_QUANTUM = Decimal("0.0001")


def _quantize(value: float | Decimal | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(SCORE_QUANTUM, rounding=ROUND_HALF_UP)


def submitted_judge_scores(
    rnd: Round, category_id: int | None = None, with_criteria: bool = True
) -> list[aggregation.JudgeScore]:
    """Submitted totals of active assignments as plain values for the pure algorithms."""
    return [s for _, s in _submitted_scores_by_category(rnd, category_id, with_criteria)]


def _submitted_scores_by_category(
    rnd: Round, category_id: int | None = None, with_criteria: bool = True, criterion_ids: list[str] | None = None
) -> list[tuple[int, aggregation.JudgeScore]]:
    """(category id, JudgeScore) for every submitted score of an active assignment, in one query.

    ``with_criteria`` reads every criterion value (JSON); ``criterion_ids`` instead extracts just those
    criteria in SQL (what a tie-break needs), which is much cheaper for thousands of scores. A round of another
    owner (a call) judges one group: its category is None and no entry is read."""
    by_contest = rnd.owned_by_contest
    group = Entry.category_id if by_contest else sa.null()
    columns = [group, Score.entry_id, Score.judge_id, sa.cast(Score.total, sa.Float)]
    wanted = list(criterion_ids or [])
    if with_criteria and not wanted:
        columns.append(Score.values)
    columns += [Score.values[cid].as_float() for cid in wanted]
    query = (
        sa.select(*columns)
        .join(JudgeAssignment, JudgeAssignment.id == Score.assignment_id)
        .where(
            Score.round_id == rnd.id,
            Score.submitted.is_(True),
            Score.total.is_not(None),
            JudgeAssignment.status == AssignmentStatus.ACTIVE.value,
        )
    )
    if by_contest:
        query = query.join(Entry, Entry.id == Score.entry_id)
    if category_id is not None and by_contest:
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
        return awards.allocate_by_percentage(
            ranked,
            [tuple(x) for x in rule.get("levels", [])],
            rule.get("cap"),
            rounding=rule.get("rounding", "half_up"),
            strict_cap=bool(rule.get("strict_cap")),
        )
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
    counted = {
        eid: [r for r in runs.get(eid, []) if not rc.confirm_runs or r.confirmed_at is not None] for eid in entry_ids
    }
    plain = {
        eid: [performance.Run(r.points, r.time_cs, r.penalty_seconds, r.status) for r in rs]
        for eid, rs in counted.items()
        if rs
    }
    rows = {}
    for pr in performance.rank_performance(plain, rc.performance_rule, rc.runs):
        if not pr.has_result:  # only DNF/DQ runs: no result, no rank
            continue
        rows[pr.entry_id] = {
            "score": pr.points,
            "rank": pr.rank,
            "count": len(plain[pr.entry_id]),
            "explanation": {
                "kind": "performance",
                "rule": rc.performance_rule,
                "n": rc.runs,
                "time": performance.format_time(None if pr.time_cs is None else int(pr.time_cs)),
                "counted_runs": [i + 1 for i in pr.counted_runs],
            },
        }
    return rows


def _rubric_rows(
    rnd: Round, rc: RoundCategory, plain: list[aggregation.JudgeScore], later_scores: dict[int, float]
) -> dict[int, dict]:
    # z-scores map back to this rubric's scale, 0 .. maximum total
    options = aggregation.AggregationOptions(n_min=rnd.n_min, scale_min=0.0, scale_max=float(rc.maximum_total) or 100.0)
    results = aggregation.aggregate(plain, rnd.method, options)
    # tie-break criteria are named by the organiser; the score values are keyed by criterion id
    chain = list(rnd.tie_breaks or [])
    ids = {c.name: str(c.id) for c in rc.criteria}
    prefix = aggregation.TIE_BREAK_CRITERION_PREFIX
    mapped = [prefix + ids.get(k[len(prefix) :], k[len(prefix) :]) if k.startswith(prefix) else k for k in chain]
    rows = {}
    for r in aggregation.rank_results(results.values(), mapped, later_scores):
        rows[r.entry_id] = {
            "score": r.score,
            "rank": r.rank,
            "count": r.count,
            "explanation": {
                "kind": "rubric",
                "method": r.method,
                "trimmed": r.trimmed,
                "raw_sum": r.raw_sum,
                "n_min": rnd.n_min,
                "decided_by": chain[mapped.index(r.decided_by)] if r.decided_by else None,
                "scores": [
                    {"judge_id": x.judge_id, "raw": x.raw, "normalised": x.normalised, "dropped": x.dropped}
                    for x in r.explanation
                ],
            },
        }
    return rows


def close_round(rnd: Round, actor=None) -> Round:
    """Scores freeze and become visible to the panel; results are computed (rounds know nothing of results)."""
    update_round(rnd, actor=actor, status=RoundStatus.CLOSED.value)
    compute_results(rnd, actor=actor)
    return rnd


def compute_results(rnd: Round, actor=None) -> dict[int, awards.AwardAllocation | None]:
    """See _compute_results; the cyclic garbage collector is paused meanwhile (it would otherwise rescan the
    tens of thousands of short-lived score objects again and again, for no garbage)."""
    import gc

    refuse_if_final(rnd.owner)
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
        later_scores = {
            eid: float(s)
            for eid, s in db.session.execute(
                sa.select(Result.entry_id, Result.score).where(Result.round_id == later.id, Result.score.is_not(None))
            ).all()
        }
    with db.session.no_autoflush:
        existing = {
            row.entry_id: row
            for row in db.session.execute(
                sa.select(Result.id, Result.entry_id, Result.override_reason, Result.award).where(
                    Result.round_id == rnd.id
                )
            ).all()
        }
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
            wanted = [ids.get(k[len(prefix) :], k[len(prefix) :]) for k in chain if k.startswith(prefix)]
            scores_by_category[rc.category_id] = [
                plain for _, plain in _submitted_scores_by_category(rnd, rc.category_id, criterion_ids=wanted)
            ]
    allocations = {}
    inserts, updates = [], []
    seen = set()
    for rc in rnd.categories:
        entry_ids = by_category.get(rc.category_id, [])
        rows = (
            _performance_rows(rnd, rc, entry_ids)
            if rc.is_performance
            else _rubric_rows(rnd, rc, scores_by_category.get(rc.category_id, []), later_scores)
        )
        ranked = sorted(((eid, row["rank"], float(row["score"])) for eid, row in rows.items()), key=lambda t: t[1])
        advanced = _advanced(rnd, ranked)
        allocation = _award_allocation(rnd, [awards.RankedEntry(e, r, s) for e, r, s in ranked])
        allocations[rc.category_id] = allocation
        for entry_id in entry_ids:
            row = rows.get(entry_id)
            computed = allocation.awards.get(entry_id) if allocation else None
            values = {
                "category_id": rc.category_id,
                "score": _quantize(row["score"]) if row else None,
                "rank": row["rank"] if row else None,
                "score_count": row["count"] if row else 0,
                "explanation": row["explanation"] if row else {},
                "advanced": entry_id in advanced,
                "award_computed": computed,
            }
            seen.add(entry_id)
            old = existing.get(entry_id)
            if old is None:
                inserts.append(
                    {"round_id": rnd.id, "entry_id": entry_id, "award": computed, "override_reason": "", **values}
                )
            else:
                # an organiser's override (with its reason) survives; every row carries the same keys
                values["award"] = old.award if old.override_reason else computed
                updates.append({"id": old.id, **values})
    table = Result.__table__
    if inserts:  # Core executemany: one statement for all rows
        db.session.execute(table.insert(), inserts)
    if updates:
        db.session.execute(
            table.update().where(table.c.id == sa.bindparam("_id")), [{"_id": u.pop("id"), **u} for u in updates]
        )
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
    rows = db.session.execute(
        sa.select(Result.category_id, Result.entry_id, Result.rank, Result.score)
        .where(Result.round_id == rnd.id, Result.rank.is_not(None))
        .order_by(Result.category_id, Result.rank)
    ).all()
    grouped = defaultdict(list)
    for category_id, entry_id, rank, score in rows:
        grouped[category_id].append(awards.RankedEntry(entry_id, rank, float(score or 0)))
    return {cid: alloc for cid, ranked in grouped.items() if (alloc := _award_allocation(rnd, ranked)) is not None}


def results_of(rnd: Round, category_id: int | None = None) -> list[Result]:
    """Stored results with entry, school and category loaded, by category then rank."""
    query = (
        sa.select(Result)
        .where(Result.round_id == rnd.id)
        .options(joinedload(Result.entry).joinedload(Entry.school), joinedload(Result.entry).joinedload(Entry.category))
        .join(Category, Category.id == Result.category_id)
        .order_by(Category.position, Category.id, Result.rank.is_(None), Result.rank, Result.id)
    )
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
    audit.record(
        "override_award",
        result,
        object_type="judging_result",
        before=before,
        after={"award": result.award, "override_reason": result.override_reason},
        actor=actor,
        organisation_id=result.round.contest.organisation_id,
    )
    return result


def award_table(rnd: Round) -> list[tuple[Category, dict[str, int]]]:
    """Counts of each award per category and in total."""
    rows = db.session.execute(
        sa.select(Result.category_id, Result.award, sa.func.count())
        .where(Result.round_id == rnd.id, Result.award.is_not(None))
        .group_by(Result.category_id, Result.award)
    ).all()
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {k: 0 for k in AWARD_LABELS})
    for category_id, award, n in rows:
        counts[category_id][award] = n
    table = []
    for rc in rnd.categories:
        row = dict(counts[rc.category_id])
        row["total"] = sum(row.values())
        table.append((rc.category, row))
    return table


@dataclass
class NormalisationWarning:
    """A category of a z-score round where judges scored too few entries to be normalised."""

    category: Category
    thin: list[tuple[str, int]]  # (judge's name, number of scores), fewest first
    judges: int  # judges with scores in the category

    @property
    def every_judge(self) -> bool:
        return len(self.thin) == self.judges


def normalisation_warnings(rnd: Round) -> list[NormalisationWarning]:
    """For a z-score round: per rubric category, the judges with fewer than
    ``aggregation.MIN_SCORES_TO_NORMALISE`` submitted scores. When every judge is such, the normalised scores
    are (nearly) all equal and the ranking says nothing; the results page says so."""
    if rnd.method not in aggregation.NORMALISING_METHODS:
        return []
    names = {j.id: j.user.display_name for j in judges_of(rnd.contest)}
    by_category: dict[int, list[aggregation.JudgeScore]] = defaultdict(list)
    for category_id, plain in _submitted_scores_by_category(rnd, with_criteria=False):
        by_category[category_id].append(plain)
    warnings = []
    for rc in rnd.categories:
        plain = by_category.get(rc.category_id, [])
        thin = aggregation.thin_judges(plain)
        if rc.is_performance or not thin:
            continue
        judges = len({s.judge_id for s in plain})
        warnings.append(
            NormalisationWarning(
                rc.category,
                sorted(((names.get(j, "?"), n) for j, n in thin.items()), key=lambda t: (t[1], t[0])),
                judges,
            )
        )
    return warnings


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
    score_rows = (
        {
            (s.entry_id, s.judge_id): s
            for s in db.session.execute(
                sa.select(Score)
                .where(Score.round_id == rnd.id)
                .options(
                    joinedload(Score.assignment).joinedload(JudgeAssignment.entry),
                    joinedload(Score.judge).joinedload(Judge.user),
                )
            ).scalars()
        }
        if flags
        else {}
    )
    open_requests = (
        set(
            db.session.execute(sa.select(RecheckRequest.score_id).where(RecheckRequest.resolved_at.is_(None))).scalars()
        )
        if flags
        else set()
    )
    flagged = [
        (f, score_rows[(f.entry_id, f.judge_id)], score_rows[(f.entry_id, f.judge_id)].id in open_requests)
        for f in flags
        if (f.entry_id, f.judge_id) in score_rows
    ]
    return stats, flagged
