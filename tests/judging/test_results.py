"""Results of a round: a later round supersedes an earlier one for its category, exports and the award list name
students and advisors, z-scores that cannot normalise and untrimmed entries say why, final results cannot change,
special awards name their advisor."""

import csv
import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from core.errors import DomainError
from core.extensions import db
from judging.services import assignment, scoring
from judging.services import assignment as assignment_service
from judging.services import notice as notice_service
from judging.services import results as results_service
from judging.services import rounds as rounds_service
from judging.services import special_awards as special_awards_service
from tests import factories
from tests.judging import factories as jf
from tests.judging import season_world


def test_publishing_the_robot_round_keeps_the_rubric_rounds_results():
    w = season_world.build()
    notice_service.start_notice(w["contest"], w["rubric"], days=7)
    notice = notice_service.start_notice(w["contest"], w["robot"], days=7)
    published = {(r.entry.category.code, r.entry.title, r.award) for r in notice_service.public_results(notice)}
    assert ("KX", "雨水回收装置", "first") in published and ("JQR", "䶮队", "first") in published
    assert [c.code for c in notice_service.notice_categories(notice)] == ["KX", "JQR"]
    notice_service.finalise_notice(notice, now=notice.ends_at + timedelta(hours=1))
    winners = {r.entry.title for r in notice_service.final_award_winners(w["contest"])}
    assert {"雨水回收装置", "智能花盆", "节能台灯", "䶮队", "𠮷祥队"} == winners  # every category's winners


def test_a_later_round_judging_the_same_category_supersedes_the_earlier_one():
    w = season_world.build()
    final_round = jf.rubric_round(
        w["contest"],
        [w["kx"]],
        name="终评",
        position=3,
        k=3,
        method="mean",
        award_mode="percentage",
        award_rule=season_world.PERCENT,
    )
    assignment_service.auto_assign(final_round)
    db.session.flush()
    e = w["kx_entries"]
    season_world.score_round(final_round, {e[0].id: [10, 10, 10], e[1].id: [19, 19, 19], e[2].id: [12, 12, 12]})
    results_service.close_round(final_round)
    notice = notice_service.start_notice(w["contest"], [w["rubric"], w["robot"], final_round], days=7)
    firsts = [r.entry.title for r in notice_service.public_results(notice, w["kx"].id) if r.award == "first"]
    assert firsts == ["智能花盆"]
    assert notice_service.category_rounds(notice)[w["kx"].id].name == "终评"


def test_exports_and_award_list_name_students_and_advisors(client, login):
    w = season_world.build()
    db.session.commit()
    login(w["organiser"])
    data = client.get(f"/judging/rounds/{w['rubric'].id}/export.csv").data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][-2:] == ["学生", "辅导教师"]
    assert ["欧阳䶮", "王春华"] in [row[-2:] for row in rows[1:]]  # organisers get full names
    pdf = client.get(f"/judging/rounds/{w['rubric'].id}/awards.pdf").data
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "辅导教师" in text and "王春华" in text and "张三明" in text
    season_world.finalise(w)
    db.session.commit()
    pdf = client.get(f"/judging/contests/{w['contest'].id}/awards.pdf").data
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    # the contest's list: every category (rare characters like 䶮 wait for the PDF font chain, another change)
    assert "雨水回收装置" in text and "王小明" in text and "超级轨迹赛" in text


def test_zscore_with_one_entry_per_judge_warns_on_the_results_page(client, login):
    w = jf.world(n_entries=4, n_judges=4, k=1, method="zscore")
    assignment_service.auto_assign(w["round"])
    db.session.flush()
    season_world.score_round(w["round"], {e.id: [10 + i] for i, e in enumerate(w["entries"])})
    results_service.close_round(w["round"])
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
    season_world.score_round(w["round"], {e.id: [10 + i, 11 + i, 12 + i] for i, e in enumerate(w["entries"])})
    results_service.close_round(w["round"])
    assert results_service.normalisation_warnings(w["round"]) == []


def test_untrimmed_entries_say_why(client, login):
    w = jf.world(n_entries=2, n_judges=3, k=3, method="trimmed_mean")
    assignment_service.auto_assign(w["round"])
    db.session.flush()
    season_world.score_round(w["round"], {e.id: [10, 12, 14] for e in w["entries"]})
    results_service.close_round(w["round"])
    db.session.commit()
    login(w["organiser"])
    page = client.get(f"/judging/rounds/{w['round'].id}/results").get_data(as_text=True)
    assert page.count("untrimmed-note") == 2 and "5" in page


def test_csv_export_content_type_has_one_charset(client, login):
    """Bug: Content-Type was "text/csv; charset=utf-8; charset=utf-8"."""
    w = jf.world(n_entries=3, n_judges=3, k=3)
    assignment.auto_assign(w["round"])
    for a in assignment.active_assignments(w["round"]):
        scoring.save_score(a, jf.criterion_values(w["round"], a.entry, "5", "5"), submit=True)
    w["round"].status = "closed"
    results_service.compute_results(w["round"])
    db.session.commit()
    login(w["organiser"])
    response = client.get(f"/judging/rounds/{w['round'].id}/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith("\ufeff作品编号".encode())


def _final_world():
    from datetime import timedelta

    w = jf.world(n_entries=3, n_judges=3, k=3)
    w["round"].award_mode = "percentage"
    w["round"].award_rule = {"levels": [["first", "34"]], "cap": "50"}
    assignment.auto_assign(w["round"])
    for a in assignment.active_assignments(w["round"]):
        total = {0: "9", 1: "8", 2: "5"}[w["entries"].index(a.entry)]
        scoring.save_score(a, jf.criterion_values(w["round"], a.entry, total, total), submit=True)
    results_service.close_round(w["round"])
    notice = notice_service.start_notice(w["contest"], w["round"], days=7)
    notice_service.finalise_notice(notice, now=notice.ends_at + timedelta(hours=1))
    return w


def test_final_results_cannot_be_changed():
    """Bug: an organiser could override an award (and recompute or reopen the round) after the results were
    finalised and certificates issued from them."""
    w = _final_world()
    result = next(r for r in results_service.results_of(w["round"]) if r.award == "first")
    for change in (
        lambda: results_service.override_award(result, "second", "复核", actor=w["organiser"]),
        lambda: results_service.compute_results(w["round"]),
        lambda: rounds_service.reopen_round(w["round"]),
    ):
        with pytest.raises(DomainError) as err:
            change()
        assert err.value.code == "results_final"
    db.session.refresh(result)
    assert result.award == "first" and w["round"].status == "closed"


def test_special_award_for_an_advisor_names_the_advisor(client, login):
    """Bug: the special-awards page showed "辅导教师 #24" and the public notice just "辅导教师"."""
    from competitions.models import Advisor

    w = _final_world()
    advisor = Advisor(school_id=w["schools"][0].id, name="陈老师")
    db.session.add(advisor)
    db.session.flush()
    special_awards_service.add_special_award(
        w["contest"], kind="outstanding_advisor", advisor_id=advisor.id, reason="长期辅导"
    )
    db.session.commit()
    assert "陈老师" in client.get(f"/judging/public/{w['contest'].id}").get_data(as_text=True)
    login(w["organiser"])
    page = client.get(f"/judging/contests/{w['contest'].id}/special-awards").get_data(as_text=True)
    assert "陈老师" in page and f"#{advisor.id}" not in page


def test_a_schools_results_name_every_round_that_counted(client, login):
    """Seen in the season walk: the school's results page said "现场赛最终结果。" above award counts that also held
    the 初评 round's awards; it names every round whose results counted for the school's entries."""
    w = season_world.build()
    season_world.finalise(w)
    db.session.commit()
    login(factories.coordinator(w["schools"][0], name="实验小学联络员"))
    db.session.commit()
    page = client.get(f"/judging/contests/{w['contest'].id}/school/{w['schools'][0].id}/outcomes").get_data(
        as_text=True
    )
    counts = page.split('id="outcome-counts"')[1].split("</p>")[0]
    assert "初评" in counts and "现场赛" in counts
