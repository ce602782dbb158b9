"""A call reviewed on judging's engine (decision 0007): a round owned by the call with a rubric, the call's
invited experts as its judges, 回避 by workplace and authorship in judging's assignment, online scores, results
computed by judging and the call's outcome of each shape over them; 公示 with an objection, then final."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from calls import experts, services
from calls import judging as call_judging
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from core.permissions import can
from judging.models import JudgeAssignment, Result, Round
from judging.services import notice as notice_service
from judging.services import results as results_service
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


def reviewed_call(outcome, rule, applications, *, open_it=True):
    """A call under review with accepted applications [(title, applicant, unit[, uploads])] (a stub PDF unless
    uploads are given), four pool experts invited with accounts, and a review round with a two-criterion rubric,
    assigned and open (left in set-up when not open_it)."""
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
    for title, applicant, unit, *uploads in applications:
        a = services.submit_application(
            call,
            title=title,
            applicant_name=applicant,
            unit_name=unit,
            answers=ANSWERS,
            uploads=uploads[0] if uploads else paper(),
            actor=None,
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
    if open_it:
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


@pytest.mark.parametrize(
    "outcome, rule, expected",
    [
        ("bands", BANDS, ["优秀", "优秀", "合格", "合格", "不合格"]),
        ("levels", LEVELS, ["一等奖", "二等奖", "二等奖", "三等奖", "三等奖"]),
        ("top", TOP, ["前 2 名", "前 2 名", None, None, None]),
    ],
)
def test_each_outcome_shape_is_decided_on_judging_results(app, outcome, rule, expected):
    from flask_babel import force_locale

    call, rnd, apps, _users = reviewed_call(outcome, rule, APPS)
    score_all(rnd, TOTALS)
    results_service.close_round(rnd)
    stored = db.session.execute(sa.select(Result).where(Result.round_id == rnd.id)).scalars().all()
    assert {r.entry_id: float(r.score) for r in stored} == {a.id: float(TOTALS[a.title]) for a in apps}
    assert all(r.category_id is None and r.score_count == 3 for r in stored)
    with force_locale("zh_CN"):
        results = services.compute_results(call)
    by_title = {row.application.title: row for row in results.rows}
    assert [by_title[t].rank for t in TOTALS] == [1, 2, 3, 4, 5]
    assert [by_title[a.title].result for a in apps] == expected


def test_a_call_notice_takes_an_objection_and_finalising_finishes_the_call(app):
    call, rnd, apps, _users = reviewed_call("bands", BANDS, APPS)
    score_all(rnd, TOTALS)
    results_service.close_round(rnd)
    notice = notice_service.start_notice(call, rnd, days=7, mask_names=False)
    assert (notice.owner_kind, notice.owner_id) == ("call", call.id)
    assert [r.entry_id for r in notice_service.notice_results(notice)][0] == apps[0].id
    with pytest.raises(DomainError):
        notice_service.submit_objection(notice, name="周九", contact="13800138000", reason="x" * 20, entry_code="SB0")
    objection = notice_service.submit_objection(
        notice, name="周九", contact="13800138000", reason="该论文已在其他评选中获奖，请核实。", entry_code=apps[1].code
    )
    assert objection.entry_id == apps[1].id and objection.reference == f"YY2026-P{call.id}-001"
    with pytest.raises(DomainError):  # the objection is open
        notice_service.finalise_notice(notice, now=utcnow() + timedelta(days=8))
    notice_service.answer_objection(objection, accept=False, reply="经核实，不属于重复获奖。")
    notice_service.finalise_notice(notice, now=utcnow() + timedelta(days=8))
    assert call.status == "finished"
    with pytest.raises(DomainError):  # final results do not change
        rounds_service.reopen_round(rnd)


def test_a_contest_and_a_call_may_name_their_rounds_alike(app):
    call, rnd, _apps, _users = reviewed_call("top", TOP, APPS[:2])
    assert rounds_service.rounds_of(call) == [rnd]
    with pytest.raises(DomainError):
        rounds_service.create_round(call, name="专家评审")
    assert db.session.execute(sa.select(sa.func.count()).select_from(Round)).scalar() == 1


def test_a_call_result_never_joins_an_entry_with_the_same_id_in_open_data(app):
    """A call's result holds an application id in entry_id (no foreign key): open data and reports join entries
    only on results of the entry's own contest's round, so a call's result never shows as some entry's."""
    from judging.models import Result
    from reports.services.opendata import collect_open_data
    from tests.reports.factories import build_world

    build_world()
    from competitions.models import Contest, Entry
    from reports.services.labels import PUBLISHED_CONTEST_STATUSES

    published = (
        db.session.execute(
            sa.select(Result)
            .join(Entry, Entry.id == Result.entry_id)
            .join(Contest, Contest.id == Entry.contest_id)
            .where(Contest.status.in_(PUBLISHED_CONTEST_STATUSES))
        )
        .scalars()
        .first()
    )
    call, rnd, _apps, _users = reviewed_call("top", TOP, APPS[:2])
    db.session.add(Result(round_id=rnd.id, entry_id=published.entry_id, score=Decimal(99), rank=1, score_count=3))
    db.session.commit()
    tables = {t.name: t for t in collect_open_data()}
    rows = [r for r in tables["results"].rows if r["round"] == rnd.name]
    assert rows == []


def test_an_experts_pages_speak_of_applications_not_entries(client, login):
    """The worklist and scoring page are judging's; for a call's round they say 申报 (the kind's words)."""
    _call, rnd, _apps, users = reviewed_call("bands", BANDS, APPS)
    login(users["王建国"])
    html = client.get(f"/judging/rounds/{rnd.id}/my").get_data(as_text=True)
    assert "我评审的申报" in html and "我的作品" not in html
    first = (
        db.session.execute(
            sa.select(JudgeAssignment.entry_id)
            .where(JudgeAssignment.round_id == rnd.id, JudgeAssignment.judge.has(user_id=users["王建国"].id))
            .order_by(JudgeAssignment.entry_id)
        )
        .scalars()
        .first()
    )
    html = client.get(f"/judging/rounds/{rnd.id}/entries/{first}/score").get_data(as_text=True)
    assert "无法评审这项申报？" in html and "作品" not in html.split("<main", 1)[-1].split("</main>")[0]
