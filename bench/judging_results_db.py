"""Benchmark: compute_results() against the database for 5,000 entries x 5 judges x 5 criteria with
z-score normalisation and trimming (issue 4: <= 1 s), on a throw-away SQLite database.

Reads 25,000 submitted scores, aggregates, ranks per category, allocates awards and writes 5,000 results.
Prints wall and CPU time (the machine is shared, so CPU time is the steadier figure).
Run: .venv/bin/python bench/judging_results_db.py
"""

from __future__ import annotations

import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BUDGET_S = 1.0
N_ENTRIES, N_JUDGES, N_CRITERIA, N_CATEGORIES = 5000, 5, 5, 5


def _seed(db):
    import sqlalchemy as sa

    from accounts import services as accounts
    from accounts.models import User
    from bench._app import submitted_score_row
    from competitions.models import Category, Contest, Entry
    from judging.models import Criterion, Judge, JudgeAssignment, Score
    from judging.services import rounds

    rng = random.Random(7)
    org = accounts.save_organisation(None, kind="association", name="基准科协", code="BENCH2")
    school = accounts.save_organisation(
        None, kind="school", name="基准学校", code="BENCH2-S", parent_id=org.id, stage="primary"
    )
    contest = Contest(organisation_id=org.id, year=2024, name="基准赛", status="judging")
    db.session.add(contest)
    db.session.flush()
    categories = []
    for i in range(N_CATEGORIES):
        cat = Category(contest_id=contest.id, code=f"C{i}", name=f"类别{i}", scoring_mode="rubric", position=i)
        db.session.add(cat)
        categories.append(cat)
    db.session.flush()
    db.session.execute(
        sa.insert(Entry),
        [
            {
                "contest_id": contest.id,
                "category_id": categories[i % N_CATEGORIES].id,
                "school_id": school.id,
                "code": f"2024-C-{i:05d}",
                "status": "approved",
                "title": f"作品{i}",
            }
            for i in range(N_ENTRIES)
        ],
    )
    judge_ids = []
    for j in range(N_JUDGES):
        user = User(name=f"评委{j}", email=f"bench{j}@example.cn", password_hash="x")
        db.session.add(user)
        db.session.flush()
        judge = Judge(contest_id=contest.id, user_id=user.id)
        db.session.add(judge)
        db.session.flush()
        judge_ids.append(judge.id)
    rnd = rounds.create_round(
        contest,
        name="终评",
        category_ids=[c.id for c in categories],
        judges_per_entry=5,
        method="zscore_trimmed",
        n_min=5,
        tie_breaks=["raw_sum", "criterion:c0"],
        award_mode="percentage",
        award_rule={"levels": [["first", "15"], ["second", "25"], ["third", "35"]], "cap": "60"},
    )
    for rc in rnd.categories:
        for k in range(N_CRITERIA):
            rc.criteria.append(Criterion(name=f"c{k}", maximum=Decimal(20), step=Decimal("0.5"), position=k))
    rnd.status = "closed"
    db.session.flush()
    entries = db.session.execute(sa.select(Entry.id, Entry.category_id).where(Entry.contest_id == contest.id)).all()
    criteria = {rc.category_id: [str(c.id) for c in rc.criteria] for rc in rnd.categories}
    db.session.execute(
        sa.insert(JudgeAssignment),
        [{"round_id": rnd.id, "entry_id": e, "judge_id": j, "status": "active"} for e, _ in entries for j in judge_ids],
    )
    assignment_ids = dict(
        ((e, j), a)
        for a, e, j in db.session.execute(
            sa.select(JudgeAssignment.id, JudgeAssignment.entry_id, JudgeAssignment.judge_id)
        ).all()
    )
    rows = []
    for e, category_id in entries:
        for j in judge_ids:
            values = {c: str(rng.randrange(0, 41) / 2) for c in criteria[category_id]}
            rows.append(submitted_score_row(assignment_ids[(e, j)], rnd.id, e, j, values))
    db.session.execute(sa.insert(Score), rows)
    db.session.commit()
    return rnd.id


def main() -> dict:
    from bench._app import throwaway_app
    from core.extensions import db
    from judging.models import Round
    from judging.services import results as results_service

    app = throwaway_app("kc-bench-results-")
    with app.app_context():
        round_id = _seed(db)
    figures = []
    for _ in range(2):  # first run inserts the results, the second updates them
        with app.app_context():
            rnd = db.session.get(Round, round_id)
            wall, cpu = time.perf_counter(), time.process_time()
            results_service.compute_results(rnd)
            db.session.commit()
            figures.append((time.perf_counter() - wall, time.process_time() - cpu))
    (wall1, cpu1), (wall2, cpu2) = figures
    print(f"judging_compute_results_db_first: {wall1:.3f} s wall, {cpu1:.3f} s cpu ({wall1 / BUDGET_S:.2f}x of 1 s)")
    print(f"judging_compute_results_db_again: {wall2:.3f} s wall, {cpu2:.3f} s cpu ({wall2 / BUDGET_S:.2f}x of 1 s)")
    return {
        "judging_compute_results_db_first_s": wall1,
        "judging_compute_results_db_first_cpu_s": cpu1,
        "judging_compute_results_db_again_s": wall2,
        "judging_compute_results_db_again_cpu_s": cpu2,
    }


if __name__ == "__main__":
    main()
