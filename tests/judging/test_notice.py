"""公示 (the results notice): publishing every closed round, awards by level on the public list with minors masked,
confirmation before publishing, words instead of status codes, objections with a reference."""

import pytest
import sqlalchemy as sa

from core.errors import DomainError
from core.extensions import db
from judging.models import Objection
from judging.services import assignment, results, scoring
from judging.services import notice as notice_service
from judging.services import results as results_service
from judging.services import rounds as rounds_service
from tests.judging import factories as jf
from tests.judging import season_world


def test_public_list_orders_awards_by_level_then_rank(client):
    w = season_world.build()
    by_title = {r.entry.title: r for r in results_service.results_of(w["rubric"])}
    # the jury swapped two awards after review: rank 1 holds 二等奖, rank 2 一等奖
    results_service.override_award(by_title["雨水回收装置"], "second", "复核后调整", actor=w["organiser"])
    results_service.override_award(by_title["智能花盆"], "first", "复核后调整", actor=w["organiser"])
    notice = notice_service.start_notice(w["contest"], [w["rubric"], w["robot"]], days=7)
    rows = notice_service.public_results(notice, w["kx"].id)
    assert [(r.award, r.rank) for r in rows] == [("first", 2), ("second", 1), ("third", 3)]
    db.session.commit()
    page = client.get(f"/judging/public/{w['contest'].id}").get_data(as_text=True)
    assert page.index("智能花盆") < page.index("雨水回收装置")
    assert page.index("一等奖") < page.index("二等奖")


def test_the_notice_page_publishes_every_closed_round_ticked(client, login):
    w = season_world.build()
    db.session.commit()
    login(w["organiser"])
    page = client.get(f"/judging/contests/{w['contest'].id}/notice").get_data(as_text=True)
    assert page.count('name="rounds"') == 2 and page.count("checked") >= 2
    response = client.post(
        f"/judging/contests/{w['contest'].id}/notice",
        data={"rounds": [w["rubric"].id, w["robot"].id], "days": 7, "mask_names": "y"},
    )
    assert response.status_code == 302
    public = client.get(f"/judging/public/{w['contest'].id}").get_data(as_text=True)
    assert "雨水回收装置" in public and "䶮队" in public


def test_public_list_masks_students_and_names_advisors(client):
    w = season_world.build()
    notice_service.start_notice(w["contest"], [w["rubric"], w["robot"]], days=7, mask_names=True)
    db.session.commit()
    page = client.get(f"/judging/public/{w['contest'].id}").get_data(as_text=True)
    assert "辅导教师" in page and "王春华" in page
    assert "欧阳*" in page and "欧阳䶮" not in page and "张*明" in page


def test_objector_gets_a_reference_and_the_organiser_sees_it_flagged(client, login):
    w = season_world.build()
    notice_service.start_notice(w["contest"], [w["rubric"], w["robot"]], days=7)
    db.session.commit()
    answer = client.post(
        f"/judging/public/{w['contest'].id}",
        data={"name": "陈先生", "contact": "13912345678", "reason": "该作品与往届获奖作品主题相近，请核实原创性。"},
        follow_redirects=True,
    ).get_data(as_text=True)
    objection = db.session.execute(sa.select(Objection)).scalar_one()
    assert objection.number == 1 and objection.reference in answer
    assert objection.reference == f"YY2024-{w['contest'].id}-001"
    login(w["organiser"])
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "open-objections" in dashboard and w["contest"].name in dashboard
    notice_page = client.get(f"/judging/contests/{w['contest'].id}/notice").get_data(as_text=True)
    assert objection.reference in notice_page


def test_publishing_the_notice_asks_for_confirmation(client, login):
    w = jf.world(n_entries=2, n_judges=3, k=3)
    assignment.auto_assign(w["round"])
    w["round"].status = "closed"
    results.compute_results(w["round"])
    db.session.commit()
    login(w["organiser"])
    page = client.get(f"/judging/contests/{w['contest'].id}/notice").get_data(as_text=True)
    form = page.split('id="notice-form"')[1].split(">")[0]
    assert "data-confirm=" in form and "公示" in form


def test_publishing_results_of_a_contest_not_in_judging_says_why_in_words():
    """Bug: publishing the notice while the contest was still in registration failed with
    "赛事不能从 registration 变为 notice" (raw status codes)."""
    w = jf.world(n_entries=2, n_judges=3, k=3)
    assignment.auto_assign(w["round"])
    for a in assignment.active_assignments(w["round"]):
        scoring.save_score(a, jf.criterion_values(w["round"], a.entry, "5", "5"), submit=True)
    results_service.close_round(w["round"])
    w["contest"].status = "registration"
    db.session.flush()
    with pytest.raises(DomainError) as err:
        notice_service.start_notice(w["contest"], w["round"], days=7)
    assert "registration" not in str(err.value) and str(w["contest"].status_label) in str(err.value)
    assert rounds_service.notice_of(w["contest"]) is None
