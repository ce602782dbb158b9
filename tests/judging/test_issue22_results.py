"""Issue 22, the results half: 公示 across every round (2), people in exports and lists (5), recommendations to the
city (6), z-scores that cannot normalise and untrimmed entries (9), objections flagged with a reference (11)."""
import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from competitions.models import Entry, EntryAdvisor
from core.errors import DomainError
from core.extensions import db
from judging.models import Objection, Recommendation
from judging.services import assignment as assignment_service
from judging.services import notice as notice_service
from judging.services import recommendations as rec_service
from judging.services import results as results_service
from judging.services import rounds, runs
from judging.services import scoring as scoring_service
from tests import factories
from tests.competitions import factories as cf
from tests.judging import factories as jf

PERCENT = {"levels": [["first", "34"], ["second", "33"], ["third", "33"]], "cap": None, "rounding": "half_up",
           "strict_cap": False}


def _score(rnd, totals):
    """totals: {entry id: [total per judge, in assignment order]}; halves go to the two criteria."""
    seen: dict[int, int] = {}
    for a in assignment_service.active_assignments(rnd):
        i = seen.get(a.entry_id, 0)
        seen[a.entry_id] = i + 1
        rc = rounds.round_category_for(rnd, a.entry.category_id)
        half = str(Decimal(str(totals[a.entry_id][i])) / 2)
        scoring_service.save_score(a, {str(rc.criteria[0].id): half, str(rc.criteria[1].id): half}, submit=True)


def _season():
    """The county's contest: a rubric round (科技创新) and a robot round (超级轨迹赛), both closed with awards; the
    city's open contest above it."""
    city = factories.association("临川市科学技术协会")
    county = factories.association("青溪县科学技术协会", parent=city)
    contest = jf.contest(county, name="青溪县第十届青少年科技创新大赛")
    kx = jf.category(contest, code="KX", name="科技创新")
    jqr = jf.category(contest, code="JQR", name="超级轨迹赛", scoring_mode="performance")
    schools = [factories.school(parent=county, name="青溪县实验小学"), factories.school(parent=county, name="青溪县第一中学")]
    kx_entries = [jf.entry(contest, kx, schools[i % 2], title=t, student_name=n)
                  for i, (t, n) in enumerate([("雨水回收装置", "欧阳䶮"), ("智能花盆", "刘𠮷"), ("节能台灯", "张三明")])]
    robots = [jf.entry(contest, jqr, schools[i], title=t, student_name=n)
              for i, (t, n) in enumerate([("䶮队", "王小明"), ("𠮷祥队", "李四")])]
    teacher = cf.advisor(schools[0], name="王春华")
    for e in kx_entries + robots:
        db.session.add(EntryAdvisor(entry_id=e.id, advisor_id=teacher.id, position=0))
    for i in range(3):
        jf.judge(contest, name=f"评委{i}")
    rubric = jf.rubric_round(contest, [kx], name="初评", k=3, method="mean", award_mode="percentage",
                             award_rule=PERCENT)
    assignment_service.auto_assign(rubric)
    db.session.flush()
    _score(rubric, {kx_entries[0].id: [18, 18, 18], kx_entries[1].id: [16, 16, 16], kx_entries[2].id: [10, 12, 14]})
    rounds.close_round(rubric)
    robot = jf.rubric_round(contest, [jqr], name="现场赛", position=2, award_mode="threshold",
                            award_rule={"thresholds": [["first", "150"], ["second", "100"]]})
    organiser = factories.organiser(county, name="县科协李老师")
    runs.record_run(robot, robots[0], run_number=1, points="180", time_text="01:30.00", actor=organiser)
    runs.record_run(robot, robots[1], run_number=1, points="120", time_text="01:10.00", actor=organiser)
    rounds.close_round(robot)
    return {"city": city, "county": county, "contest": contest, "kx": kx, "jqr": jqr, "kx_entries": kx_entries,
            "robots": robots, "rubric": rubric, "robot": robot, "organiser": organiser, "schools": schools}


def _final(w):
    notice = notice_service.start_notice(w["contest"], [w["rubric"], w["robot"]], days=7, actor=w["organiser"])
    notice_service.finalise_notice(notice, now=notice.ends_at + timedelta(hours=1), actor=w["organiser"])
    return notice


# ---------------------------------------------------------------- 2: 公示 covers every round, awards by level


def test_publishing_the_robot_round_keeps_the_rubric_rounds_results():
    w = _season()
    notice_service.start_notice(w["contest"], w["rubric"], days=7)
    notice = notice_service.start_notice(w["contest"], w["robot"], days=7)
    published = {(r.entry.category.code, r.entry.title, r.award) for r in notice_service.public_results(notice)}
    assert ("KX", "雨水回收装置", "first") in published and ("JQR", "䶮队", "first") in published
    assert [c.code for c in notice_service.notice_categories(notice)] == ["KX", "JQR"]
    notice_service.finalise_notice(notice, now=notice.ends_at + timedelta(hours=1))
    winners = {r.entry.title for r in notice_service.final_award_winners(w["contest"])}
    assert {"雨水回收装置", "智能花盆", "节能台灯", "䶮队", "𠮷祥队"} == winners  # every category's winners


def test_a_later_round_judging_the_same_category_supersedes_the_earlier_one():
    w = _season()
    final_round = jf.rubric_round(w["contest"], [w["kx"]], name="终评", position=3, k=3, method="mean",
                                  award_mode="percentage", award_rule=PERCENT)
    assignment_service.auto_assign(final_round)
    db.session.flush()
    e = w["kx_entries"]
    _score(final_round, {e[0].id: [10, 10, 10], e[1].id: [19, 19, 19], e[2].id: [12, 12, 12]})
    rounds.close_round(final_round)
    notice = notice_service.start_notice(w["contest"], [w["rubric"], w["robot"], final_round], days=7)
    firsts = [r.entry.title for r in notice_service.public_results(notice, w["kx"].id) if r.award == "first"]
    assert firsts == ["智能花盆"]
    assert notice_service.category_rounds(notice)[w["kx"].id].name == "终评"


def test_public_list_orders_awards_by_level_then_rank(client):
    w = _season()
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
    w = _season()
    db.session.commit()
    login(w["organiser"])
    page = client.get(f"/judging/contests/{w['contest'].id}/notice").get_data(as_text=True)
    assert page.count('name="rounds"') == 2 and page.count("checked") >= 2
    response = client.post(f"/judging/contests/{w['contest'].id}/notice", data={
        "rounds": [w["rubric"].id, w["robot"].id], "days": 7, "mask_names": "y"})
    assert response.status_code == 302
    public = client.get(f"/judging/public/{w['contest'].id}").get_data(as_text=True)
    assert "雨水回收装置" in public and "䶮队" in public


# ---------------------------------------------------------------- 5: students and advisors


def test_exports_and_award_list_name_students_and_advisors(client, login):
    w = _season()
    db.session.commit()
    login(w["organiser"])
    data = client.get(f"/judging/rounds/{w['rubric'].id}/export.csv").data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][-2:] == ["学生", "辅导教师"]
    assert ["欧阳䶮", "王春华"] in [row[-2:] for row in rows[1:]]  # organisers get full names
    pdf = client.get(f"/judging/rounds/{w['rubric'].id}/awards.pdf").data
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "辅导教师" in text and "王春华" in text and "张三明" in text
    _final(w)
    db.session.commit()
    pdf = client.get(f"/judging/contests/{w['contest'].id}/awards.pdf").data
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    # the contest's list: every category (rare characters like 䶮 wait for the PDF font chain, another change)
    assert "雨水回收装置" in text and "王小明" in text and "超级轨迹赛" in text


def test_public_list_masks_students_and_names_advisors(client):
    w = _season()
    notice_service.start_notice(w["contest"], [w["rubric"], w["robot"]], days=7, mask_names=True)
    db.session.commit()
    page = client.get(f"/judging/public/{w['contest'].id}").get_data(as_text=True)
    assert "辅导教师" in page and "王春华" in page
    assert "欧阳*" in page and "欧阳䶮" not in page and "张*明" in page


# ---------------------------------------------------------------- 6: recommendations county → city


def test_county_recommends_and_city_accepts_or_declines(client, login):
    w = _season()
    _final(w)
    city_contest = cf.contest(w["city"], name="临川市青少年科技创新大赛")
    city_kx = cf.category(city_contest, code="KX")
    city_organiser = factories.organiser(w["city"], name="市科协周老师")
    db.session.commit()
    login(w["organiser"])
    page = client.get(f"/judging/contests/{w['contest'].id}/recommend").get_data(as_text=True)
    assert city_contest.name in page and "一等奖" in page and "18.00" in page  # award and score in the list
    first, third = w["kx_entries"][0], w["kx_entries"][2]
    response = client.post(f"/judging/contests/{w['contest'].id}/recommend", data={
        "target_id": city_contest.id, "entry_ids": [first.id, third.id], "note": "县赛一等奖"})
    assert response.status_code == 302
    recs = {r.entry_id: r for r in db.session.execute(sa.select(Recommendation)).scalars()}
    assert recs[first.id].award == "first" and recs[first.id].score == Decimal("18.0000")
    # the county cannot decide for the city
    assert client.post(f"/judging/recommendations/{recs[first.id].id}/accept",
                       data={"category_id": city_kx.id}).status_code == 403
    client.post("/logout")
    login(city_organiser)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "pending-recommendations" in dashboard
    incoming = client.get(f"/judging/contests/{city_contest.id}/recommendations").get_data(as_text=True)
    assert "雨水回收装置" in incoming and "一等奖" in incoming and "18.00" in incoming
    assert client.post(f"/judging/recommendations/{recs[first.id].id}/accept",
                       data={"category_id": city_kx.id}).status_code == 302
    empty_reason = client.post(f"/judging/recommendations/{recs[third.id].id}/decline", data={"reason": " "},
                               follow_redirects=True).get_data(as_text=True)
    assert "说明" in empty_reason and db.session.get(Recommendation, recs[third.id].id).status == "pending"
    client.post(f"/judging/recommendations/{recs[third.id].id}/decline", data={"reason": "名额已满"})
    db.session.expire_all()
    copies = db.session.execute(sa.select(Entry).where(Entry.contest_id == city_contest.id)).scalars().all()
    assert [(e.title, e.advanced_from_id, e.status) for e in copies] == [("雨水回收装置", first.id, "submitted")]
    assert db.session.get(Recommendation, recs[third.id].id).status == "declined"


def test_recommendations_need_final_results_and_a_parent_contest():
    w = _season()
    city_contest = cf.contest(w["city"], name="临川市大赛")
    with pytest.raises(DomainError):  # results not final yet
        rec_service.recommend_entries(w["contest"], city_contest, [w["kx_entries"][0].id])
    _final(w)
    sibling = cf.contest(factories.association("别的县科学技术协会", parent=w["city"]), name="别县大赛")
    with pytest.raises(DomainError):  # not a parent association's contest
        rec_service.recommend_entries(w["contest"], sibling, [w["kx_entries"][0].id])
    assert rec_service.parent_contests(w["contest"]) == [city_contest]
    made = rec_service.recommend_entries(w["contest"], city_contest, [w["kx_entries"][0].id])
    again = rec_service.recommend_entries(w["contest"], city_contest, [w["kx_entries"][0].id])
    assert len(made) == 1 and again == []


def test_the_city_no_longer_pulls_entries_through_competitions(app):
    assert "competitions.advance" not in app.view_functions


# ---------------------------------------------------------------- 9: z-scores that cannot normalise


def test_zscore_with_one_entry_per_judge_warns_on_the_results_page(client, login):
    w = jf.world(n_entries=4, n_judges=4, k=1, method="zscore")
    assignment_service.auto_assign(w["round"])
    db.session.flush()
    _score(w["round"], {e.id: [10 + i] for i, e in enumerate(w["entries"])})
    rounds.close_round(w["round"])
    warnings = results_service.normalisation_warnings(w["round"])
    assert len(warnings) == 1 and warnings[0].every_judge
    db.session.commit()
    login(w["organiser"])
    page = client.get(f"/judging/rounds/{w['round'].id}/results").get_data(as_text=True)
    assert "normalisation-warning" in page and "标准化" in page


def test_zscore_with_enough_overlap_does_not_warn():
    w = jf.world(n_entries=4, n_judges=3, k=3, method="zscore")
    assignment_service.auto_assign(w["round"])
    db.session.flush()
    _score(w["round"], {e.id: [10 + i, 11 + i, 12 + i] for i, e in enumerate(w["entries"])})
    rounds.close_round(w["round"])
    assert results_service.normalisation_warnings(w["round"]) == []


def test_untrimmed_entries_say_why(client, login):
    w = jf.world(n_entries=2, n_judges=3, k=3, method="trimmed_mean")
    assignment_service.auto_assign(w["round"])
    db.session.flush()
    _score(w["round"], {e.id: [10, 12, 14] for e in w["entries"]})
    rounds.close_round(w["round"])
    db.session.commit()
    login(w["organiser"])
    page = client.get(f"/judging/rounds/{w['round'].id}/results").get_data(as_text=True)
    assert page.count("untrimmed-note") == 2 and "5" in page


# ---------------------------------------------------------------- 11: objections flagged, with a reference


def test_objector_gets_a_reference_and_the_organiser_sees_it_flagged(client, login):
    w = _season()
    notice_service.start_notice(w["contest"], [w["rubric"], w["robot"]], days=7)
    db.session.commit()
    answer = client.post(f"/judging/public/{w['contest'].id}", data={
        "name": "陈先生", "contact": "13912345678", "reason": "该作品与往届获奖作品主题相近，请核实原创性。"},
        follow_redirects=True).get_data(as_text=True)
    objection = db.session.execute(sa.select(Objection)).scalar_one()
    assert objection.number == 1 and objection.reference in answer
    assert objection.reference == f"YY2024-{w['contest'].id}-001"
    login(w["organiser"])
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "open-objections" in dashboard and w["contest"].name in dashboard
    notice_page = client.get(f"/judging/contests/{w['contest'].id}/notice").get_data(as_text=True)
    assert objection.reference in notice_page


def test_a_schools_results_name_every_round_that_counted(client, login):
    """Seen in the season walk: the school's results page said "现场赛最终结果。" above award counts that also held
    the 初评 round's awards; it names every round whose results counted for the school's entries."""
    w = _season()
    _final(w)
    db.session.commit()
    login(factories.coordinator(w["schools"][0], name="实验小学联络员"))
    db.session.commit()
    page = client.get(f"/judging/contests/{w['contest'].id}/school/{w['schools'][0].id}/outcomes").get_data(as_text=True)
    counts = page.split('id="outcome-counts"')[1].split("</p>")[0]
    assert "初评" in counts and "现场赛" in counts
