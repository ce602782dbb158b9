"""Benchmark: calls.services.compute_results() for a call with 2,000 accepted applications scored by 5 experts each
(issue 25: <= 1 s), bands and top-N, on a throw-away SQLite database.

Reads 10,000 experts' totals, aggregates them with the trimmed mean, ranks and allocates the outcome. Experts'
totals are single numbers in this slice (no 6-criterion rubric in calls yet: see docs/decisions/0007).
Prints wall and CPU time (the machine is shared, so CPU time is the steadier figure).
Run: .venv/bin/python bench/calls_results.py
"""
from __future__ import annotations

import random
import sys
import tempfile
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
    call = services.create_call(org, year=2026, title="基准论文评选", subject="paper", applicants="units", outcome="bands",
                                outcome_rule={"bands": [{"label": "优秀", "min": "90", "max": "100"},
                                                        {"label": "合格", "min": "60", "max": "90"},
                                                        {"label": "不合格", "min": "0", "max": "60"}]},
                                form=[{"label": "论文题目", "kind": "text", "required": True}])
    call.status = "review"
    db.session.execute(sa.insert(CallApplication), [
        {"call_id": call.id, "number": i + 1, "title": f"论文{i}", "applicant_name": f"作者{i}", "unit_name": "基准学会",
         "answers": {"f1": f"论文{i}"}, "status": "accepted", "review_reason": ""} for i in range(N_APPLICATIONS)])
    ids = db.session.execute(sa.select(CallApplication.id).where(CallApplication.call_id == call.id)).scalars().all()
    db.session.execute(sa.insert(CallScore), [
        {"application_id": a, "expert_name": f"专家{j}", "total": Decimal(rng.randrange(400, 1001)) / 10}
        for a in ids for j in range(N_EXPERTS)])
    db.session.commit()
    return call.id


def main() -> dict:
    from calls import services
    from calls.models import Call
    from core import create_app
    from core.extensions import db

    tmp = Path(tempfile.mkdtemp(prefix="kc-bench-calls-"))
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}", "SQLALCHEMY_DATABASE_URI": None,
                      "SECRET_KEY": "bench-secret-key-0123456789-0123456789", "JOBS_IMMEDIATE": True},
                     instance_path=str(tmp))
    with app.app_context():
        db.create_all()
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
            print(f"calls_compute_results_{outcome}: {wall:.3f} s wall, {cpu:.3f} s cpu ({wall / BUDGET_S:.2f}x of 1 s)")
            figures[f"calls_compute_results_{outcome}_s"] = wall
            figures[f"calls_compute_results_{outcome}_cpu_s"] = cpu
            db.session.rollback()
    return figures


if __name__ == "__main__":
    main()
