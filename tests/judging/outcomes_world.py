"""A contest whose results are (or are about to be) final, for the schools' outcomes tests: two schools, four
entries, three named judges who all comment, a percentage award rule."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from competitions.models import Advisor, EntryAdvisor
from core.db import utcnow
from core.extensions import db
from judging.services import assignment as assignment_service
from judging.services import notice as notice_service
from judging.services import results as results_service
from judging.services import scoring as scoring_service
from tests import factories
from tests.judging import factories as jf

JUDGE_NAMES = ["钱学森评委", "孙思邈评委", "祖冲之评委"]
# the comment each judge writes, by judge index; judge 2 leaves the weakest entry without a comment
COMMENTS = ["实验设计严谨，数据翔实。", "选题贴近生活，建议扩大样本。", "创新点突出，展示清晰。"]
# total per judge for each entry (school A: entries 0 and 1; school B: entries 2 and 3)
TOTALS = [[18, 17, 19], [10, 11, 9], [16, 16, 15], [12, 13, 12]]


def build(final: bool = True) -> dict:
    org = factories.association(name="青溪县科协")
    contest = jf.contest(org, name="第十届青少年科技创新大赛")
    cat = jf.category(contest)
    school_a = factories.school(parent=org, name="青溪县实验小学")
    school_b = factories.school(parent=org, name="青溪县第二小学")
    entries = [
        jf.entry(contest, cat, school_a, title="校园雨水回收装置", student_name="王䶮"),
        jf.entry(contest, cat, school_a, title="蚯蚓与土壤肥力", student_name="𠮷田明"),
        jf.entry(contest, cat, school_b, title="智能浇花器", student_name="刘晨"),
        jf.entry(contest, cat, school_b, title="水质检测小助手", student_name="陈一"),
    ]
    advisor = Advisor(school_id=school_a.id, name="赵老师")
    db.session.add(advisor)
    db.session.flush()
    db.session.add(EntryAdvisor(entry_id=entries[0].id, advisor_id=advisor.id, position=0))
    judges = [jf.judge(contest, name=name) for name in JUDGE_NAMES]
    rnd = jf.rubric_round(
        contest,
        [cat],
        name="终评",
        k=3,
        method="mean",
        award_mode="percentage",
        award_rule={"levels": [["first", "25"], ["second", "25"]], "cap": "50"},
    )
    assignment_service.auto_assign(rnd)
    db.session.flush()
    rc = rnd.categories[0]
    for a in assignment_service.active_assignments(rnd):
        i, j = entries.index(a.entry), [x.id for x in judges].index(a.judge_id)
        half = str(Decimal(TOTALS[i][j]) / 2)
        comment = "" if (i == 1 and j == 2) else COMMENTS[j]
        scoring_service.save_score(
            a, {str(rc.criteria[0].id): half, str(rc.criteria[1].id): half}, submit=True, comment=comment
        )
    results_service.close_round(rnd)
    organiser = factories.organiser(org, name="周组织")
    notice = notice_service.start_notice(contest, rnd, days=1, starts_at=utcnow() - timedelta(days=2), actor=organiser)
    if final:
        notice_service.finalise_notice(notice, actor=organiser)
    coordinator_a = factories.coordinator(school_a, name="吴联络", email="wu@school-a.cn")
    coordinator_b = factories.coordinator(school_b, name="郑联络", email="zheng@school-b.cn")
    db.session.commit()
    return {
        "org": org,
        "contest": contest,
        "category": cat,
        "school_a": school_a,
        "school_b": school_b,
        "entries": entries,
        "advisor": advisor,
        "judges": judges,
        "round": rnd,
        "notice": notice,
        "organiser": organiser,
        "coordinator_a": coordinator_a,
        "coordinator_b": coordinator_b,
    }


def finalise(w: dict) -> None:
    notice_service.finalise_notice(w["notice"], actor=w["organiser"])
    db.session.commit()
