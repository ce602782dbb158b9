"""Demo judging data: the finished edition gets a 终评 round with scores from five judges, results, awards,
special awards and a closed (finalised) notice period with an answered objection; the current contest gets
an open 初评 round in which the demo judge has entries to score."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from accounts import services as account_services
from competitions.models import Contest
from core.db import utcnow
from core.demo import DemoContext, demo_login, demo_seeder
from core.extensions import db
from core.permissions import Role
from judging.models import Notice, Objection, Round, Score
from judging.services import assignment as assignment_service
from judging.services import judges as judges_service
from judging.services import results as results_service
from judging.services import rounds, runs, scoring
from judging.services import special_awards as special_awards_service

EXTRA_JUDGES = [
    ("judge2@kechuang.demo", "李文博"),
    ("judge3@kechuang.demo", "周慧敏"),
    ("judge4@kechuang.demo", "吴国栋"),
    ("judge5@kechuang.demo", "郑雅琴"),
]
demo_login("评委 judge (2)", EXTRA_JUDGES[0][0])


def _judge_users(ctx: DemoContext) -> list:
    users = [ctx.data["users"]["judge"]]
    for login, name in EXTRA_JUDGES:
        user = account_services.find_user_by_login(login)
        if user is None:
            user = account_services.create_user(name=name, email=login, password=current_app.config["DEMO_PASSWORD"])
        users.append(user)
    return users


def _to_step(value: float, maximum: Decimal, step: Decimal) -> Decimal:
    clamped = min(max(Decimal(str(value)), Decimal(0)), maximum)
    return ((clamped / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step).quantize(Decimal("0.01"))


# 评语 as judges write them; chosen per (entry, judge) without drawing from the demo's random sequence
DEMO_COMMENTS = [
    "研究过程完整，数据翔实。",
    "选题贴近生活，建议扩大样本量并说明对照组设置。",
    "创新点突出，作品展示清晰，答辩表达流畅。",
    "实验记录规范，结论部分可再结合数据深入分析。",
    "设计思路巧妙，建议进一步测试装置的稳定性。",
]


def _fill_scores(rnd: Round, rng: random.Random, fraction: float = 1.0, submitted: bool = True, only=None) -> int:
    """Scores for active assignments: entry quality + judge bias + noise, on each criterion's step."""
    quality = {}
    bias = {}
    made = 0
    for a in assignment_service.active_assignments(rnd):
        if a.score is not None or (only is not None and a.judge_id not in only) or rng.random() > fraction:
            continue
        rc = rounds.round_category_for(rnd, a.entry.category_id)
        if rc.is_performance:
            continue
        q = quality.setdefault(a.entry_id, rng.uniform(0.55, 0.93))
        b = bias.setdefault(a.judge_id, rng.uniform(-0.06, 0.06))
        values = {
            str(c.id): _to_step((q + b + rng.uniform(-0.05, 0.05)) * float(c.maximum), c.maximum, c.step)
            for c in rc.criteria
        }
        total = sum((c.weight * values[str(c.id)] for c in rc.criteria), Decimal(0))
        db.session.add(
            Score(
                assignment=a,
                round_id=rnd.id,
                entry_id=a.entry_id,
                judge_id=a.judge_id,
                values={k: str(v) for k, v in values.items()},
                total=total if submitted else None,
                submitted=submitted,
                submitted_at=utcnow() if submitted else None,
                comment=DEMO_COMMENTS[(a.entry_id + a.judge_id) % len(DEMO_COMMENTS)] if submitted else "",
            )
        )
        made += 1
    db.session.flush()
    return made


def _seed_outlier(ctx: DemoContext, rnd: Round, entry_id: int, demo_judge) -> None:
    """One entry where the demo judge's score is far below the panel: flagged on the quality page, with a
    re-check request from the organiser on the demo judge's dashboard."""
    flagged = None
    for a in assignment_service.active_assignments(rnd):
        if a.entry_id != entry_id:
            continue
        rc = rounds.round_category_for(rnd, a.entry.category_id)
        fraction = 0.35 if a.judge_id == demo_judge.id else 0.86
        values = {str(c.id): _to_step(fraction * float(c.maximum), c.maximum, c.step) for c in rc.criteria}
        score = scoring.save_score(a, values, submit=True, comment="")
        if a.judge_id == demo_judge.id:
            flagged = score
    if flagged is not None:
        scoring.request_recheck(
            flagged, "该作品您的评分明显低于其他评委，请复核。", actor=ctx.data["users"]["organiser"]
        )


def _fill_runs(rnd: Round, rng: random.Random, referee) -> None:
    for rc in rnd.categories:
        if not rc.is_performance:
            continue
        for entry in rounds.round_entries(rnd):
            if entry.category_id != rc.category_id:
                continue
            for run_number in range(1, rc.runs + 1):
                status = "dnf" if rng.random() < 0.08 else "ok"
                seconds = rng.uniform(45, 170)
                time_text = "" if status != "ok" else f"{int(seconds // 60):02d}:{seconds % 60:05.2f}"
                runs.record_run(
                    rnd,
                    entry,
                    run_number=run_number,
                    points=str(rng.randrange(60, 201, 10)),
                    time_text=time_text,
                    penalty_seconds=rng.choice([0, 0, 0, 20]),
                    status=status,
                    actor=referee,
                )


def _seed_finished(ctx: DemoContext, contest: Contest, judges: list, rng: random.Random) -> None:
    if db.session.execute(sa.select(Round.id).where(Round.contest_id == contest.id, Round.name == "终评")).first():
        return
    for user in judges:
        account_services.grant_role(user, Role.JUDGE, scope_id=contest.id)
        judges_service.ensure_judge(contest, user)
    category_ids = [c.id for c in contest.categories]
    innovation = "创新性"
    rnd = rounds.create_round(
        contest,
        name="终评",
        category_ids=category_ids,
        onsite=True,
        judges_per_entry=5,
        method="trimmed_mean",
        n_min=5,
        tie_breaks=["raw_sum", f"criterion:{innovation}"],
        award_mode="percentage",
        award_rule={
            "levels": [["first", "15"], ["second", "25"], ["third", "35"]],
            "cap": "60",
            "rounding": "half_up",
            "strict_cap": False,
        },
    )
    for rc in rnd.categories:
        if not rc.is_performance:
            rounds.apply_rubric_template(rc, "kexie")
        else:
            rounds.set_performance_rule(rc, "best_of", 2, False, max_points="200", time_limit="03:00")
    rnd.status = "open"
    db.session.flush()
    assignment_service.auto_assign(rnd)
    _fill_scores(rnd, rng)
    _fill_runs(rnd, rng, judges[0])
    results_service.close_round(rnd)
    rnd.comments_released = True  # schools see the 终评 comments, anonymised, on their entries
    results = [r for r in results_service.results_of(rnd) if r.rank == 1 and r.explanation.get("kind") != "performance"]
    if results:
        top = results[0].entry
        special_awards_service.add_special_award(
            contest, kind="best_creativity", entry=top, reason="创意新颖，贴近生活。"
        )
        if top.advisors:
            special_awards_service.add_special_award(
                contest,
                kind="outstanding_advisor",
                advisor_id=top.advisors[0].advisor_id,
                reason="长期坚持科技辅导工作。",
            )
    special_awards_service.add_special_award(
        contest,
        kind="outstanding_organiser",
        organisation=ctx.data["schools"][5],
        reason="组织参赛作品数量多、质量高。",
    )
    start = utcnow() - timedelta(days=40)
    notice = Notice(
        contest_id=contest.id,
        rounds=[rnd],
        starts_at=start,
        ends_at=start + timedelta(days=7),
        mask_names=True,
        finalised_at=start + timedelta(days=8),
    )
    db.session.add(notice)
    db.session.flush()
    some_entry = results_service.results_of(rnd)[0].entry if results_service.results_of(rnd) else None
    db.session.add(
        Objection(
            notice=notice,
            number=1,
            entry_id=some_entry.id if some_entry else None,
            name="陈先生",
            contact="13912345678",
            reason="该作品与往届获奖作品主题相近，请核实原创性。",
            status="rejected",
            reply="经评审委员会复核，该作品为原创，维持原评审结果。",
            answered_by_id=ctx.data["users"]["organiser"].id,
            answered_at=start + timedelta(days=3),
            created_at=start + timedelta(days=2),
        )
    )
    db.session.flush()
    ctx.echo(
        "  "
        + _("judging: finished contest %(id)d: round 终评 closed, results, awards, notice finalised", id=contest.id)
    )


def _seed_current(ctx: DemoContext, contest: Contest, judges: list, rng: random.Random) -> None:
    if db.session.execute(sa.select(Round.id).where(Round.contest_id == contest.id, Round.name == "初评")).first():
        return
    for user in judges[:3]:
        account_services.grant_role(user, Role.JUDGE, scope_id=contest.id)
        judges_service.ensure_judge(contest, user)
    rubric_ids = [c.id for c in contest.categories if c.scoring_mode == "rubric"]
    now = utcnow()
    rnd = rounds.create_round(
        contest,
        name="初评",
        category_ids=rubric_ids,
        judges_per_entry=3,
        method="zscore_trimmed",
        n_min=5,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=21),
        advancement="top_percent",
        advancement_value=Decimal("50"),
    )
    for index, rc in enumerate(rnd.categories):
        rounds.apply_rubric_template(rc, "isef" if index == 0 else "kexie")
    rnd.status = "open"
    db.session.flush()
    assignment_service.auto_assign(rnd)
    demo_judge = judges_service.ensure_judge(contest, judges[0])
    mine = assignment_service.judge_worklist(rnd, demo_judge)
    if mine:
        _seed_outlier(ctx, rnd, mine[0].entry_id, demo_judge)
    others = {judges_service.ensure_judge(contest, u).id for u in judges[1:3]}
    _fill_scores(rnd, rng, fraction=0.6, only=others)
    if mine:
        _fill_scores(rnd, rng, only={demo_judge.id}, fraction=2 / max(len(mine), 2))
    ctx.echo(
        "  "
        + _(
            "judging: current contest %(id)d: round 初评 open, %(n)d entries for the demo judge",
            id=contest.id,
            n=len(mine),
        )
    )


@demo_seeder(30, "judging", _l("judging"))
def seed_judging(ctx: DemoContext) -> None:
    rng = random.Random(20241122)
    previous, current = ctx.data.get("previous_contest"), ctx.data.get("contest")
    if previous is None or current is None or "users" not in ctx.data:
        ctx.echo("  " + _("judging: no demo contests, skipped"))
        return
    with force_locale("zh_CN"):
        judges = _judge_users(ctx)
        _seed_finished(ctx, previous, judges, rng)
        _seed_current(ctx, current, judges, rng)
    ctx.data["finished_contest"] = previous  # its results are final: the certificates seeder issues awards
