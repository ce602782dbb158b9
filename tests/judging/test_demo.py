"""The judging demo seeder: finished edition with scores, results, awards and a final notice; an open round
with work for the demo judge; idempotent."""

import sqlalchemy as sa

from core.demo import SEEDERS, DemoContext
from core.extensions import db
from judging.models import Notice, Result, Round, Score
from judging.services import assignment, judges, rounds, scoring
from judging.services import notice as notice_service


def run_seeders(ctx):
    for seeder in SEEDERS:
        if seeder.name in ("accounts", "competitions", "judging"):
            seeder.run(ctx)
            db.session.commit()


def test_demo_seeder(app):
    ctx = DemoContext(scale=1, echo=lambda *_: None)
    run_seeders(ctx)
    previous, current = ctx.data["previous_contest"], ctx.data["contest"]
    final = rounds.find_round(previous, "终评")
    assert final.is_closed() and final.results_computed_at
    judges_with_scores = set(db.session.execute(sa.select(Score.judge_id).where(Score.round_id == final.id)).scalars())
    assert len(judges_with_scores) == 5
    awards = db.session.execute(
        sa.select(Result.award, sa.func.count()).where(Result.round_id == final.id).group_by(Result.award)
    ).all()
    assert {a for a, _ in awards} >= {"first", "second", "third"}
    notice = db.session.execute(sa.select(Notice).where(Notice.contest_id == previous.id)).scalar_one()
    assert notice.finalised_at is not None and notice.objections and notice.objections[0].status == "rejected"
    assert notice_service.collect_award_holders(previous.id).holders
    open_round = rounds.find_round(current, "初评")
    assert open_round.accepts_scores()
    demo_judge = judges.ensure_judge(current, ctx.data["users"]["judge"])
    assert assignment.judge_worklist(open_round, demo_judge)
    assert scoring.pending_rechecks(ctx.data["users"]["judge"])  # a flagged score to re-check
    counts = db.session.execute(sa.select(sa.func.count()).select_from(Round)).scalar()
    run_seeders(DemoContext(scale=1, echo=lambda *_: None))  # a second run adds nothing
    assert db.session.execute(sa.select(sa.func.count()).select_from(Round)).scalar() == counts
