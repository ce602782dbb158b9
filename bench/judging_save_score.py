"""Benchmark: server time to save one score (issue 4: <= 20 ms), and queries of a judge's 50-entry list.

Builds a throw-away SQLite app with a contest, 50 entries assigned to a judge, logs the judge in through the
test client and times the autosave endpoint (validation, audit row, commit) and the full submit.
Run: .venv/bin/python bench/judging_save_score.py
"""

from __future__ import annotations

import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BUDGET_MS = 20.0


def _world(db):
    from accounts import services as accounts
    from competitions.models import Category, Contest, Entry
    from core.permissions import Role
    from judging.models import Criterion
    from judging.services import assignment
    from judging.services import rounds as rounds_service

    org = accounts.save_organisation(None, kind="association", name="基准科协", code="BENCH")
    school = accounts.save_organisation(
        None, kind="school", name="基准学校", code="BENCH-S", parent_id=org.id, stage="primary"
    )
    contest = Contest(organisation_id=org.id, year=2024, name="基准赛", status="judging")
    db.session.add(contest)
    db.session.flush()
    category = Category(contest_id=contest.id, code="KX", name="科技创新", scoring_mode="rubric")
    db.session.add(category)
    db.session.flush()
    for i in range(50):
        db.session.add(
            Entry(
                contest_id=contest.id,
                category_id=category.id,
                school_id=school.id,
                code=f"2024-KX-{i + 1:04d}",
                status="approved",
                title=f"作品{i}",
            )
        )
    user = accounts.create_user(name="评委", email="bench-judge@example.cn", password="bench-password-123")
    accounts.grant_role(user, Role.JUDGE, scope_id=contest.id)
    rnd = rounds_service.create_round(contest, name="初评", category_ids=[category.id], judges_per_entry=1)
    for pos, name in enumerate(["科学性", "创新性", "实用性", "规范性", "展示"], 1):
        rnd.categories[0].criteria.append(Criterion(name=name, maximum=Decimal(20), step=Decimal("0.5"), position=pos))
    rnd.status = "open"
    db.session.flush()
    assignment.auto_assign(rnd)
    db.session.commit()
    return rnd, [c.id for c in rnd.categories[0].criteria]


def main() -> dict:
    from sqlalchemy import event

    from bench._app import throwaway_app
    from core.extensions import db
    from judging.services import assignment

    app = throwaway_app("kc-bench-judging-", WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        rnd, criteria = _world(db)
        round_id = rnd.id
        entry_ids = [a.entry_id for a in assignment.active_assignments(rnd)]
    client = app.test_client()
    client.post("/login", data={"login": "bench-judge@example.cn", "password": "bench-password-123"})
    client.get(f"/judging/rounds/{round_id}/my")  # warm-up (judge profile, caches)
    timings, cpu = [], []
    for i, entry_id in enumerate(entry_ids * 4):
        values = {str(c): str((i % 40) / 2) for c in criteria}
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.post(f"/judging/rounds/{round_id}/entries/{entry_id}/autosave", json={"values": values})
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, response.get_data(as_text=True)
    submits = []
    for entry_id in entry_ids:
        form = {f"criterion-{c}": "12.5" for c in criteria} | {"action": "submit", "comment": "好"}
        started = time.perf_counter()
        response = client.post(f"/judging/rounds/{round_id}/entries/{entry_id}/score", data=form)
        submits.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 302
    with app.app_context():
        statements = []
        listener = lambda *args: statements.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        client.get(f"/judging/rounds/{round_id}/my")
        event.remove(db.engine, "before_cursor_execute", listener)
    median, p95 = statistics.median(timings), sorted(timings)[int(len(timings) * 0.95)]
    submit_median = statistics.median(submits)
    cpu_median = statistics.median(cpu)
    print(f"judging_save_draft_median: {median:.1f} ms ({median / BUDGET_MS:.2f}x of the 20 ms budget)")
    print(
        f"judging_save_draft_cpu_median: {cpu_median:.1f} ms ({cpu_median / BUDGET_MS:.2f}x of the 20 ms budget; "
        f"CPU time, steady on a shared machine)"
    )
    print(f"judging_save_draft_p95: {p95:.1f} ms ({p95 / BUDGET_MS:.2f}x of the 20 ms budget)")
    print(f"judging_submit_score_median: {submit_median:.1f} ms ({submit_median / BUDGET_MS:.2f}x of the 20 ms budget)")
    print(f"judging_worklist_50_queries: {len(statements)} queries (constant; test_worklist_constant_queries)")
    return {
        "judging_save_draft_median_ms": median,
        "judging_save_draft_cpu_median_ms": cpu_median,
        "judging_save_draft_p95_ms": p95,
        "judging_submit_score_median_ms": submit_median,
        "judging_worklist_50_queries": len(statements),
    }


if __name__ == "__main__":
    main()
