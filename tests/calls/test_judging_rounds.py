"""A call reviewed on judging's engine (decision 0007): a round owned by the call with a rubric, the call's
invited experts as its judges, 回避 by workplace and authorship in judging's assignment, online scores, results
computed by judging and the call's outcome of each shape over them; 公示 with an objection, then final."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from calls import experts, services
from calls import judging as call_judging
from core.errors import DomainError
from core.extensions import db
from core.permissions import can
from judging.models import JudgeAssignment, Round
from judging.services import rounds as rounds_service
from judging.services import scoring as scoring_service
from tests import factories
from tests.calls.test_services import ANSWERS, paper

LEVELS = {"levels": [["first", "20"], ["second", "30"], ["third", "50"]], "cap": "100"}
BANDS = {
    "bands": [
        {"label": "优秀", "min": "80", "max": "100"},
        {"label": "合格", "min": "60", "max": "80"},
        {"label": "不合格", "min": "0", "max": "60"},
    ]
}
TOP = {"n": 2}
EXPERTS = [("孙德明", "青溪大学"), ("陈志远", "临江研究院"), ("刘晓梅", "青溪农科院"), ("王建国", "临江大学")]


def reviewed_call(outcome, rule, applications):
    """A call under review with accepted applications [(title, applicant, unit)], four pool experts invited
    with accounts, and a review round with a two-criterion rubric, assigned and open."""
    city = factories.association("青溪市科学技术协会")
    organiser = factories.organiser(city)
    call = services.create_call(
        city,
        year=2026,
        title="自然科学优秀学术论文评选",
        subject="paper",
        applicants="units",
        outcome=outcome,
        outcome_rule=rule,
        method="mean",
        form=[
            {"label": "论文题目", "kind": "text", "required": True},
            {"label": "摘要", "kind": "long_text", "required": False},
            {"label": "发表日期", "kind": "date", "required": True},
            {"label": "作者人数", "kind": "number", "required": True, "minimum": "1", "maximum": "10"},
            {"label": "学科", "kind": "choice", "required": True, "choices": ["理科", "工科", "农科"]},
            {"label": "论文全文", "kind": "file", "required": True, "accept": ["pdf"], "max_mb": 20, "max_count": 1},
        ],
    )
    services.set_status(call, "open")
    apps = []
    for title, applicant, unit in applications:
        a = services.submit_application(
            call, title=title, applicant_name=applicant, unit_name=unit, answers=ANSWERS, uploads=paper(), actor=None
        )
        services.review_application(a, "accepted", "", organiser)
        apps.append(a)
    services.set_status(call, "review")
    users = {}
    for i, (name, workplace) in enumerate(EXPERTS):
        expert = experts.add_expert(city, {"name": name, "workplace": workplace, "email": f"e{i}@example.cn"})
        user = factories.user(name, email=f"e{i}@example.cn")
        expert.user_id = user.id
        experts.invite_to_call(expert, call, organiser)
        users[name] = user
    rnd = call_judging.create_review_round(
        call, name="专家评审", criteria=[("创新性", Decimal(50)), ("科学性", Decimal(50))], judges_per_entry=3
    )
    call_judging.assign_experts(rnd)
    rounds_service.open_round(rnd)
    db.session.commit()
    return call, rnd, apps, users


def score_all(rnd, totals):
    """Every expert gives each application its total in `totals` (by title), half per criterion."""
    rubric = rnd.categories[0]
    titles = {a.id: a.title for a in rnd.owner.applications}
    for a in db.session.execute(sa.select(JudgeAssignment).where(JudgeAssignment.round_id == rnd.id)).scalars():
        half = Decimal(totals[titles[a.entry_id]]) / 2
        values = {str(c.id): str(half) for c in rubric.criteria}
        scoring_service.save_score(a, values, submit=True, actor=a.judge.user)
    db.session.flush()


APPS = [
    ("青溪河水质研究", "张三、李四", "青溪大学"),
    ("稻田固碳研究", "王五", "临江农科所"),
    ("页岩气储层研究", "赵六", "临江研究院"),
    ("茶树品种研究", "钱七", "青溪农科院"),
    ("湿地鸟类调查", "孙八", "临江师范学院"),
]
TOTALS = {"青溪河水质研究": 92, "稻田固碳研究": 85, "页岩气储层研究": 74, "茶树品种研究": 61, "湿地鸟类调查": 40}


def test_the_call_owns_its_round_and_experts_of_the_same_workplace_stand_aside(app):
    call, rnd, apps, users = reviewed_call("bands", BANDS, APPS)
    assert (rnd.owner_kind, rnd.owner_id, rnd.contest_id) == ("call", call.id, None)
    assert rnd.owner is call and rnd.categories[0].category_id is None
    rows = db.session.execute(sa.select(JudgeAssignment).where(JudgeAssignment.round_id == rnd.id)).scalars().all()
    assert {r.entry_id for r in rows} == {a.id for a in apps}
    by_app = {a.id: {r.judge.user.display_name for r in rows if r.entry_id == a.id} for a in apps}
    assert "孙德明" not in by_app[apps[0].id]  # 青溪大学: the expert's own workplace
    assert "陈志远" not in by_app[apps[2].id]  # 临江研究院
    assert "刘晓梅" not in by_app[apps[3].id]  # 青溪农科院
    assert all(len(judges) == 3 for judges in by_app.values())
    # the invited experts judge the call; an organiser of it or another user does not
    assert can("judging.judge", call, user=users["孙德明"])
    assert not can("judging.judge", call, user=factories.user("路人"))


def test_a_contest_and_a_call_may_name_their_rounds_alike(app):
    call, rnd, _apps, _users = reviewed_call("top", TOP, APPS[:2])
    assert rounds_service.rounds_of(call) == [rnd]
    with pytest.raises(DomainError):
        rounds_service.create_round(call, name="专家评审")
    assert db.session.execute(sa.select(sa.func.count()).select_from(Round)).scalar() == 1
