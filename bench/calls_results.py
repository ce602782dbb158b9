"""Benchmark: calls.services.compute_results() for a call with 2,000 accepted applications scored by 5 experts each
(issue 25: <= 1 s), bands and top-N, on a throw-away SQLite database.

Reads 10,000 experts' totals typed from paper sheets, aggregates them with the trimmed mean, ranks and allocates
the outcome. Then the same call reviewed online on judging's engine (decision 0007): a round owned by the call,
5 experts x 2,000 applications x a 6-criterion rubric, timed as judging.services.results.compute_results (reads
10,000 submitted scores, aggregates, ranks, writes 2,000 results) and the call's outcome over those results.
Then the experts' side as judging now does it: the 2,000 applications loaded as submissions through judging's
registry (kind "application": anonymised materials, conflict keys of authors and units) and 5 of 40 experts
assigned to each by judging's one balanced, conflict-free assignment rule; the reference in the same run is the
same rule over the ids alone (no keys, no database), so the ratio is what loading and 回避 cost.
Prints wall and CPU time (the machine is shared, so CPU time is the steadier figure).
Run: .venv/bin/python bench/calls_results.py
"""

from __future__ import annotations

import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BUDGET_S = 1.0
N_APPLICATIONS, N_EXPERTS = 2000, 5


def _seed(db) -> int:
    import sqlalchemy as sa

    from accounts import services as accounts
    from calls import services
    from calls.models import CallApplication, CallScore

    rng = random.Random(25)
    org = accounts.save_organisation(None, kind="association", name="基准市科协", code="BENCH-CALLS")
    call = services.create_call(
        org,
        year=2026,
        title="基准论文评选",
        subject="paper",
        applicants="units",
        outcome="bands",
        outcome_rule={
            "bands": [
                {"label": "优秀", "min": "90", "max": "100"},
                {"label": "合格", "min": "60", "max": "90"},
                {"label": "不合格", "min": "0", "max": "60"},
            ]
        },
        form=[{"label": "论文题目", "kind": "text", "required": True}],
    )
    call.status = "review"
    db.session.execute(
        sa.insert(CallApplication),
        [
            {
                "call_id": call.id,
                "number": i + 1,
                "title": f"论文{i}",
                "applicant_name": f"作者{i}、合著者{i % 300}",
                "unit_name": f"基准单位{i % 40}",
                "answers": {"f1": f"论文{i}"},
                "status": "accepted",
                "review_reason": "",
            }
            for i in range(N_APPLICATIONS)
        ],
    )
    ids = db.session.execute(sa.select(CallApplication.id).where(CallApplication.call_id == call.id)).scalars().all()
    db.session.execute(
        sa.insert(CallScore),
        [
            {"application_id": a, "expert_name": f"专家{j}", "total": Decimal(rng.randrange(400, 1001)) / 10}
            for a in ids
            for j in range(N_EXPERTS)
        ],
    )
    db.session.commit()
    return call.id


def main() -> dict:
    from bench._app import throwaway_app
    from calls import services
    from calls.models import Call
    from core.extensions import db

    app = throwaway_app("kc-bench-calls-")
    with app.app_context():
        call_id = _seed(db)
    figures = {}
    for outcome, rule in (("bands", None), ("top", {"n": 10})):
        with app.app_context():
            call = db.session.get(Call, call_id)
            if rule is not None:
                call.outcome, call.outcome_rule = outcome, rule
            wall, cpu = time.perf_counter(), time.process_time()
            results = services.compute_results(call)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            assert len(results.rows) == N_APPLICATIONS
            print(
                f"calls_compute_results_{outcome}: {wall:.3f} s wall, {cpu:.3f} s cpu ({wall / BUDGET_S:.2f}x of 1 s)"
            )
            figures[f"calls_compute_results_{outcome}_s"] = wall
            figures[f"calls_compute_results_{outcome}_cpu_s"] = cpu
            db.session.rollback()
    figures.update(_judging_round(app, call_id))
    figures.update(_assign_experts(app, call_id))
    return figures


N_CRITERIA = 6


def _judging_round(app, call_id: int) -> dict:
    """The call's applications scored online: a round owned by the call, judging computes its results."""
    import sqlalchemy as sa

    from accounts.models import User
    from bench._app import submitted_score_row
    from calls import judging as call_judging
    from calls import services
    from calls.models import Call, CallApplication
    from core.extensions import db
    from judging.models import Judge, JudgeAssignment, Score
    from judging.services import results as results_service

    rng = random.Random(26)
    with app.app_context():
        call = db.session.get(Call, call_id)
        rnd = call_judging.create_review_round(
            call,
            name="专家评审",
            criteria=[(f"指标{k}", Decimal(20)) for k in range(N_CRITERIA)],
            judges_per_entry=N_EXPERTS,
        )
        judge_ids = []
        for j in range(N_EXPERTS):
            user = User(name=f"专家{j}", email=f"bench-expert{j}@example.cn", password_hash="x")
            db.session.add(user)
            db.session.flush()
            judge = Judge(owner_kind="call", owner_id=call.id, user_id=user.id)
            db.session.add(judge)
            db.session.flush()
            judge_ids.append(judge.id)
        ids = db.session.execute(sa.select(CallApplication.id).where(CallApplication.call_id == call_id)).scalars()
        ids = list(ids)
        db.session.execute(
            sa.insert(JudgeAssignment),
            [{"round_id": rnd.id, "entry_id": a, "judge_id": j, "status": "active"} for a in ids for j in judge_ids],
        )
        assignment_ids = {
            (e, j): a
            for a, e, j in db.session.execute(
                sa.select(JudgeAssignment.id, JudgeAssignment.entry_id, JudgeAssignment.judge_id).where(
                    JudgeAssignment.round_id == rnd.id
                )
            ).all()
        }
        criteria = [str(c.id) for c in rnd.categories[0].criteria]
        rows = []
        for a in ids:
            for j in judge_ids:
                values = {c: str(rng.randrange(12, 41) / 2) for c in criteria}
                rows.append(submitted_score_row(assignment_ids[(a, j)], rnd.id, a, j, values))
        db.session.execute(sa.insert(Score), rows)
        rnd.status = "closed"
        db.session.commit()
        round_id = rnd.id
    figures = {}
    for run in ("insert", "update"):  # the first run writes the results, the second updates them
        with app.app_context():
            from judging.models import Round

            rnd = db.session.get(Round, round_id)
            wall, cpu = time.perf_counter(), time.process_time()
            results_service.compute_results(rnd)
            db.session.commit()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            print(
                f"judging_compute_results_call_{run}: {wall:.3f} s wall, {cpu:.3f} s cpu "
                f"({wall / BUDGET_S:.2f}x of 1 s; {len(ids)} applications x {N_EXPERTS} experts x {N_CRITERIA} criteria)"
            )
            figures[f"judging_compute_results_call_{run}_s"] = wall
            figures[f"judging_compute_results_call_{run}_cpu_s"] = cpu
    with app.app_context():
        call = db.session.get(Call, call_id)
        wall, cpu = time.perf_counter(), time.process_time()
        results = services.compute_results(call)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        assert len(results.rows) == N_APPLICATIONS and results.rows[0].score_count == N_EXPERTS
        print(f"calls_compute_results_from_judging: {wall:.3f} s wall, {cpu:.3f} s cpu ({wall / BUDGET_S:.2f}x of 1 s)")
        figures["calls_compute_results_from_judging_s"] = wall
        db.session.rollback()
    return figures


def _assign_experts(app, call_id: int) -> dict:
    import sqlalchemy as sa

    from calls.models import CallApplication
    from calls.submissions import expert_keys
    from core.extensions import db
    from judging import assignment, submissions
    from judging.services.judges import submission_info

    n_experts = 40
    experts = [assignment.JudgeInfo(f"e{j}", None, expert_keys(f"专家{j}", f"基准单位{j}")) for j in range(n_experts)]
    with app.app_context():
        ids = (
            db.session.execute(sa.select(CallApplication.id).where(CallApplication.call_id == call_id)).scalars().all()
        )
        bare = [assignment.EntryInfo(i, call_id) for i in ids]
        wall, cpu = time.perf_counter(), time.process_time()
        reference = assignment.assign_judges(bare, [assignment.JudgeInfo(e.id) for e in experts], N_EXPERTS)
        reference_s, reference_cpu = time.perf_counter() - wall, time.process_time() - cpu
        db.session.expire_all()
        wall, cpu = time.perf_counter(), time.process_time()
        subs = [submission_info(s) for s in submissions.load_submissions("application", ids).values()]
        plan = assignment.assign_judges(subs, experts, N_EXPERTS)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    by_id = {e.id: e for e in experts}
    assert not plan.shortfalls and not reference.shortfalls
    assert all(not (s.conflict_keys & by_id[j].conflict_keys) for s in subs for j in plan.assignments[s.id])
    loads = plan.loads.values()
    print(
        f"calls_assign_experts: {wall:.3f} s wall, {cpu:.3f} s cpu ({wall / BUDGET_S:.2f}x of 1 s; "
        f"{cpu / reference_cpu:.2f}x the cpu of the rule over bare ids, {reference_cpu:.3f} s cpu); "
        f"loads {min(loads)}–{max(loads)}"
    )
    return {"calls_assign_experts_s": wall, "calls_assign_experts_cpu_s": cpu, "calls_assign_reference_s": reference_s}


if __name__ == "__main__":
    main()
