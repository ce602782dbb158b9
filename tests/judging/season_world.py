"""A season's judging as tests use it: the county's contest with a rubric round (科技创新) and a robot round
(超级轨迹赛), both closed with awards, and the city's contest above it."""

from datetime import timedelta
from decimal import Decimal

from competitions.models import EntryAdvisor
from core.extensions import db
from judging.services import assignment as assignment_service
from judging.services import notice as notice_service
from judging.services import results as results_service
from judging.services import rounds, runs
from judging.services import scoring as scoring_service
from tests import factories
from tests.competitions import factories as cf
from tests.judging import factories as jf

PERCENT = {
    "levels": [["first", "34"], ["second", "33"], ["third", "33"]],
    "cap": None,
    "rounding": "half_up",
    "strict_cap": False,
}


def score_round(rnd, totals):
    """totals: {entry id: [total per judge, in assignment order]}; halves go to the two criteria."""
    seen: dict[int, int] = {}
    for a in assignment_service.active_assignments(rnd):
        i = seen.get(a.entry_id, 0)
        seen[a.entry_id] = i + 1
        rc = rounds.round_category_for(rnd, a.entry.category_id)
        half = str(Decimal(str(totals[a.entry_id][i])) / 2)
        scoring_service.save_score(a, {str(rc.criteria[0].id): half, str(rc.criteria[1].id): half}, submit=True)


def build():
    """The county's contest: a rubric round (科技创新) and a robot round (超级轨迹赛), both closed with awards; the
    city's open contest above it."""
    city = factories.association("临川市科学技术协会")
    county = factories.association("青溪县科学技术协会", parent=city)
    contest = jf.contest(county, name="青溪县第十届青少年科技创新大赛")
    kx = jf.category(contest, code="KX", name="科技创新")
    jqr = jf.category(contest, code="JQR", name="超级轨迹赛", scoring_mode="performance")
    schools = [
        factories.school(parent=county, name="青溪县实验小学"),
        factories.school(parent=county, name="青溪县第一中学"),
    ]
    kx_entries = [
        jf.entry(contest, kx, schools[i % 2], title=t, student_name=n)
        for i, (t, n) in enumerate([("雨水回收装置", "欧阳䶮"), ("智能花盆", "刘𠮷"), ("节能台灯", "张三明")])
    ]
    robots = [
        jf.entry(contest, jqr, schools[i], title=t, student_name=n)
        for i, (t, n) in enumerate([("䶮队", "王小明"), ("𠮷祥队", "李四")])
    ]
    teacher = cf.advisor(schools[0], name="王春华")
    for e in kx_entries + robots:
        db.session.add(EntryAdvisor(entry_id=e.id, advisor_id=teacher.id, position=0))
    for i in range(3):
        jf.judge(contest, name=f"评委{i}")
    rubric = jf.rubric_round(
        contest, [kx], name="初评", k=3, method="mean", award_mode="percentage", award_rule=PERCENT
    )
    assignment_service.auto_assign(rubric)
    db.session.flush()
    score_round(
        rubric, {kx_entries[0].id: [18, 18, 18], kx_entries[1].id: [16, 16, 16], kx_entries[2].id: [10, 12, 14]}
    )
    results_service.close_round(rubric)
    robot = jf.rubric_round(
        contest,
        [jqr],
        name="现场赛",
        position=2,
        award_mode="threshold",
        award_rule={"thresholds": [["first", "150"], ["second", "100"]]},
    )
    organiser = factories.organiser(county, name="县科协李老师")
    runs.record_run(robot, robots[0], run_number=1, points="180", time_text="01:30.00", actor=organiser)
    runs.record_run(robot, robots[1], run_number=1, points="120", time_text="01:10.00", actor=organiser)
    results_service.close_round(robot)
    return {
        "city": city,
        "county": county,
        "contest": contest,
        "kx": kx,
        "jqr": jqr,
        "kx_entries": kx_entries,
        "robots": robots,
        "rubric": rubric,
        "robot": robot,
        "organiser": organiser,
        "schools": schools,
    }


def finalise(w):
    notice = notice_service.start_notice(w["contest"], [w["rubric"], w["robot"]], days=7, actor=w["organiser"])
    notice_service.finalise_notice(notice, now=notice.ends_at + timedelta(hours=1), actor=w["organiser"])
    return notice
