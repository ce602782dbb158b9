"""Robot runs (轮次成绩) recorded by referees and confirmed by a second person."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from competitions.models import Entry
from core import audit
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from core.i18n import format_moment
from judging import performance, scores
from judging.models import (
    PerformanceRun,
    Round,
    RoundCategory,
)
from judging.services.judges import refuse_if_conflicted
from judging.services.rounds import round_category_for, round_entries
from judging.services.scoring import score_error_message

RUN_FIELDS = ["points", "time_cs", "penalty_seconds", "status", "confirmed_by_id"]


def record_run(  # noqa: C901 — a referee's run checked as the form reads (status, points, time, limits)
    rnd: Round,
    entry: Entry,
    *,
    run_number: int,
    points: Any,
    time_text: str = "",
    penalty_seconds: Any = 0,
    status: str = "ok",
    actor=None,
) -> PerformanceRun:
    """Record (or correct) one run. A finished run needs points (at most the category's maximum per run) and a
    time in mm:ss.cc (at most its time limit); penalties are whole seconds added to the time. A DNF or DQ run is
    no result: it needs neither, and whatever points or time were typed are not kept. A correction clears an
    earlier confirmation."""
    if rnd.not_started():
        raise DomainError(
            _l("Scoring starts at %(time)s.", time=format_moment(rnd.opens_at)), field="round", code="round_not_started"
        )
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
    refuse_if_conflicted(rnd, entry, actor)
    finished = status == "ok"
    points_value, time_cs, penalty = Decimal(0), None, 0
    if finished:
        if rc.max_points is None:
            raise DomainError(
                _l("Category %(name)s has no maximum points per run yet.", name=rc.category.name), field="points"
            )
        try:
            points_value = scores.validate_criterion_score(points, rc.max_points, "0.01")
        except scores.ScoreError as exc:
            raise DomainError(_l("Points: %(detail)s", detail=score_error_message(exc)), field="points") from None
        try:
            penalty = int(str(penalty_seconds or 0).strip())
            if penalty < 0:
                raise ValueError
        except ValueError:
            raise DomainError(
                _l("Penalty seconds must be a whole number of 0 or more."), field="penalty_seconds"
            ) from None
        if not (time_text or "").strip():
            raise DomainError(_l("A finished run needs a time (mm:ss.cc)."), field="time")
        try:
            time_cs = performance.parse_time(time_text)
        except performance.TimeFormatError:
            raise DomainError(
                _l("%(value)s is not a time in mm:ss.cc format.", value=time_text), field="time"
            ) from None
        if rc.time_limit_cs is not None and time_cs > rc.time_limit_cs:
            raise DomainError(
                _l(
                    "%(value)s is longer than the time limit %(limit)s; a run over time is recorded as DNF.",
                    value=performance.format_time(time_cs),
                    limit=performance.format_time(rc.time_limit_cs),
                ),
                field="time",
            )
    run = db.session.execute(
        sa.select(PerformanceRun).where(
            PerformanceRun.round_id == rnd.id,
            PerformanceRun.entry_id == entry.id,
            PerformanceRun.run_number == int(run_number),
        )
    ).scalar_one_or_none()
    before = audit.snapshot(run, RUN_FIELDS) if run else None
    if run is None:
        run = PerformanceRun(round_id=rnd.id, entry_id=entry.id, run_number=int(run_number))
        db.session.add(run)
    run.points, run.time_cs, run.penalty_seconds, run.status = points_value, time_cs, penalty, status
    run.recorded_by_id = getattr(actor, "id", None)
    run.confirmed_by_id = run.confirmed_at = None
    db.session.flush()
    audit.record(
        "record_run",
        run,
        object_type="judging_run",
        before=before,
        after=audit.snapshot(run, RUN_FIELDS),
        actor=actor,
        organisation_id=rnd.contest.organisation_id,
    )
    return run


def next_run_number(rc: RoundCategory, runs: list[PerformanceRun]) -> int | None:
    """The first run of the category's N not recorded yet for the entry; None when all are recorded."""
    recorded = {r.run_number for r in runs}
    return next((n for n in range(1, rc.runs + 1) if n not in recorded), None)


@dataclass
class CountingRun:
    """What the entry's runs add up to under the category rule: the run numbers that count, the result, and
    the recorded runs that do not count yet (waiting for a second person's confirmation)."""

    result: performance.PerformanceResult
    counted: list[int]
    unconfirmed: list[int]
    no_result: list[int]


def counting_run(rc: RoundCategory, runs: list[PerformanceRun]) -> CountingRun | None:
    """The run(s) that will count once every recorded run is confirmed, and why (the rule), for the referee's
    confirmation view; None before any run is recorded."""
    if not runs:
        return None
    ordered = sorted(runs, key=lambda r: r.run_number)
    plain = [performance.Run(r.points, r.time_cs, r.penalty_seconds, r.status) for r in ordered]
    result = performance.compute_result(ordered[0].entry_id, plain, rc.performance_rule, rc.runs)
    return CountingRun(
        result,
        [ordered[i].run_number for i in result.counted_runs] if result.has_result else [],
        [r.run_number for r in ordered if rc.confirm_runs and r.confirmed_at is None],
        [r.run_number for r in ordered if r.status != "ok"],
    )


def confirm_run(run: PerformanceRun, actor) -> PerformanceRun:
    """A second person confirms a run; the referee who recorded it cannot confirm it, nor can anyone who must
    stand aside from the entry (回避)."""
    rnd = db.session.get(Round, run.round_id)
    if not rnd.accepts_scores():  # a confirmation decides whether the run counts: not after the round closes
        raise DomainError(_l("The round is closed; scores can no longer change."), field="round", code="round_closed")
    refuse_if_conflicted(rnd, run.entry, actor)
    if run.recorded_by_id is not None and run.recorded_by_id == getattr(actor, "id", None):
        raise DomainError(_l("A second person must confirm this run."), field="run", code="same_person")
    run.confirmed_by_id, run.confirmed_at = actor.id, utcnow()
    db.session.flush()
    audit.record(
        "confirm_run", run, object_type="judging_run", actor=actor, organisation_id=rnd.contest.organisation_id
    )
    return run


def runs_of(rnd: Round, category_id: int) -> dict[int, list[PerformanceRun]]:
    rows = db.session.execute(
        sa.select(PerformanceRun)
        .join(Entry, Entry.id == PerformanceRun.entry_id)
        .where(PerformanceRun.round_id == rnd.id, Entry.category_id == category_id)
        .order_by(PerformanceRun.entry_id, PerformanceRun.run_number)
    ).scalars()
    result: dict[int, list[PerformanceRun]] = defaultdict(list)
    for run in rows:
        result[run.entry_id].append(run)
    return result
