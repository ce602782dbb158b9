"""Regression tests for bugs found in QA of the judging area (one test per bug)."""
from decimal import Decimal

import pytest
from pypdf import PdfReader

from core.errors import DomainError
from core.extensions import db
from judging import pdf, performance, scores
from judging.services import assignment, runs, scoring
from judging.services import notice as notice_service
from judging.services import results as results_service
from judging.services import rounds as rounds_service
from tests import factories
from tests.judging import factories as jf


def _values(rnd, entry, a, b):
    rc = rounds_service.round_category_for(rnd, entry.category_id)
    return {str(rc.criteria[0].id): a, str(rc.criteria[1].id): b}


def test_withdrawn_judges_submitted_scores_still_count_towards_k():
    """Bug: after a withdrawal, entries the leaving judge had already scored got an extra judge (4 of k=3)."""
    w = jf.world(n_schools=3, n_entries=3, n_judges=4, k=3)
    assignment.auto_assign(w["round"])
    leaving = w["judges"][0]
    mine = [a for a in assignment.active_assignments(w["round"]) if a.judge_id == leaving.id]
    scored = mine[0]
    scoring.save_score(scored, _values(w["round"], scored.entry, "5", "5"), submit=True)
    assignment.withdraw_judge(leaving)
    rows = assignment.active_assignments(w["round"])
    per_entry = {}
    for a in rows:
        per_entry.setdefault(a.entry_id, set()).add(a.judge_id)
    assert all(len(js) == 3 for js in per_entry.values()), per_entry
    assert leaving.id in per_entry[scored.entry_id]  # the submitted score stays and counts
    assert all(a.judge_id != leaving.id or a.entry_id == scored.entry_id for a in rows)


PDF_LABELS = {"title": "评分表", "contest": "赛事", "round": "轮次", "category": "类别", "judge": "评委",
              "code": "作品编号", "entry": "作品名称", "total": "总分", "comment": "评语", "signature": "评委签名",
              "date": "日期"}


def test_score_sheet_signature_on_every_page_never_alone():
    """Bug: a sheet of 14 entries pushed the signature line onto a page of its own (40 pages for 20 sheets)."""
    import io

    entries = [pdf.SheetEntry(f"2025-CX-{i:04d}", "太阳能自动追光装置", ["20.00"] * 4, "80.00",
                              "研究过程完整，数据翔实。") for i in range(1, 15)]
    sheets = [pdf.ScoreSheet("第25届青溪县青少年科技创新大赛", "终评", "个人项目", name,
                             [("科学性", "25"), ("创新性", "25"), ("实用性", "25"), ("规范性", "25")], entries)
              for name in ("孙德明", "李文博")]
    reader = PdfReader(io.BytesIO(pdf.score_sheets_pdf(sheets, PDF_LABELS)))
    texts = [page.extract_text() for page in reader.pages]
    assert len(texts) == 2  # one page per judge
    assert all("评委签名" in t and "2025-CX-0014" in t for t in texts)


def test_time_accepts_full_width_punctuation_from_chinese_input():
    """Bug: 01：23．45 typed with a Chinese input method was refused."""
    assert performance.parse_time("01：23．45") == 8345
    assert performance.parse_time("1：05。3") == 6530
    with pytest.raises(performance.TimeFormatError):
        performance.parse_time("01：65．00")


def test_error_message_shows_limits_as_written():
    """Bug: the import said 超过满分 100.0000 (the rubric total's Decimal as stored)."""
    exc = scores.ScoreError("above_maximum", value="101", maximum=Decimal("100.0000"))
    message = scoring.score_error_message(exc)  # zh_CN: "101 超过满分 100。"
    assert "100" in message and "100.0" not in message
    message = scoring.score_error_message(scores.ScoreError("off_step", value="20.3", step=Decimal("0.50")))
    assert "0.5" in message and "0.50" not in message


def _performance_world(confirm: bool = True):
    org = factories.association()
    c = jf.contest(org)
    cat = jf.category(c, code="JQR", name="机器人", scoring_mode="performance")
    rubric = jf.category(c, code="KX", name="科技创新")
    school = factories.school(parent=org)
    robot, paper = jf.entry(c, cat, school), jf.entry(c, rubric, school)
    rnd = jf.rubric_round(c, [cat, rubric], name="终评")
    rc = rounds_service.round_category_for(rnd, cat.id)
    rounds_service.set_performance_rule(rc, "best_of", 2, confirm, max_points="200")
    return {"org": org, "contest": c, "round": rnd, "robot": robot, "paper": paper,
            "organiser": factories.organiser(org)}


def test_run_cannot_be_confirmed_after_the_round_closed():
    """Bug: a confirmation (which decides whether a run counts) was accepted after the round closed."""
    w = _performance_world()
    referee, second = w["organiser"], factories.organiser(w["org"])
    run = runs.record_run(w["round"], w["robot"], run_number=1, points="120", time_text="01:02.03",
                              actor=referee)
    w["round"].status = "closed"
    db.session.flush()
    with pytest.raises(DomainError) as err:
        runs.confirm_run(run, second)
    assert err.value.code == "round_closed"
    assert run.confirmed_at is None


def test_referee_page_is_404_for_a_rubric_entry_and_prefills_a_correction(client, login):
    """Bug: the referee form was offered for entries judged with a rubric; correcting a run started blank."""
    w = _performance_world(confirm=False)
    runs.record_run(w["round"], w["robot"], run_number=2, points="150.5", time_text="00:58.20",
                        penalty_seconds=20, status="ok", actor=w["organiser"])
    db.session.commit()
    login(w["organiser"])
    rid = w["round"].id
    assert client.get(f"/judging/rounds/{rid}/referee/{w['paper'].id}").status_code == 404
    page = client.get(f"/judging/rounds/{rid}/referee/{w['robot'].id}?run=2").get_data(as_text=True)
    assert 'value="150.5"' in page and 'value="00:58.20"' in page and 'value="20"' in page


def test_csv_export_content_type_has_one_charset(client, login):
    """Bug: Content-Type was "text/csv; charset=utf-8; charset=utf-8"."""
    w = jf.world(n_entries=3, n_judges=3, k=3)
    assignment.auto_assign(w["round"])
    for a in assignment.active_assignments(w["round"]):
        scoring.save_score(a, _values(w["round"], a.entry, "5", "5"), submit=True)
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
        scoring.save_score(a, _values(w["round"], a.entry, total, total), submit=True)
    rounds_service.close_round(w["round"])
    notice = notice_service.start_notice(w["contest"], w["round"], days=7)
    notice_service.finalise_notice(notice, now=notice.ends_at + timedelta(hours=1))
    return w


def test_final_results_cannot_be_changed():
    """Bug: an organiser could override an award (and recompute or reopen the round) after the results were
    finalised and certificates issued from them."""
    w = _final_world()
    result = next(r for r in results_service.results_of(w["round"]) if r.award == "first")
    for change in (lambda: results_service.override_award(result, "second", "复核", actor=w["organiser"]),
                   lambda: results_service.compute_results(w["round"]),
                   lambda: rounds_service.reopen_round(w["round"])):
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
    results_service.add_special_award(w["contest"], kind="outstanding_advisor", advisor_id=advisor.id, reason="长期辅导")
    db.session.commit()
    assert "陈老师" in client.get(f"/judging/public/{w['contest'].id}").get_data(as_text=True)
    login(w["organiser"])
    page = client.get(f"/judging/contests/{w['contest'].id}/special-awards").get_data(as_text=True)
    assert "陈老师" in page and f"#{advisor.id}" not in page


def test_publishing_results_of_a_contest_not_in_judging_says_why_in_words():
    """Bug: publishing the notice while the contest was still in registration failed with
    "赛事不能从 registration 变为 notice" (raw status codes)."""
    w = jf.world(n_entries=2, n_judges=3, k=3)
    assignment.auto_assign(w["round"])
    for a in assignment.active_assignments(w["round"]):
        scoring.save_score(a, _values(w["round"], a.entry, "5", "5"), submit=True)
    rounds_service.close_round(w["round"])
    w["contest"].status = "registration"
    db.session.flush()
    with pytest.raises(DomainError) as err:
        notice_service.start_notice(w["contest"], w["round"], days=7)
    assert "registration" not in str(err.value) and str(w["contest"].status_label) in str(err.value)
    assert rounds_service.notice_of(w["contest"]) is None


def test_recheck_request_leaves_the_dashboard_when_the_round_closes():
    """Bug: after the round closed the judge's dashboard still asked for a re-check they could not make."""
    w = jf.world(n_entries=2, n_judges=3, k=3)
    assignment.auto_assign(w["round"])
    for a in assignment.active_assignments(w["round"]):
        scoring.save_score(a, _values(w["round"], a.entry, "5", "5"), submit=True)
    score = assignment.active_assignments(w["round"])[0].score
    scoring.request_recheck(score, "请复核", actor=w["organiser"])
    user = score.judge.user
    assert len(scoring.pending_rechecks(user)) == 1
    rounds_service.close_round(w["round"])
    assert scoring.pending_rechecks(user) == []


def test_after_close_a_judge_sees_the_panels_submitted_scores_not_drafts():
    """Bug: once the round closed, a judge's page listed other judges' unfinished drafts as panel scores."""
    w = jf.world(n_entries=1, n_judges=3, k=3)
    assignment.auto_assign(w["round"])
    mine, submitted, draft = assignment.active_assignments(w["round"])
    scoring.save_score(mine, _values(w["round"], mine.entry, "5", "5"), submit=True)
    scoring.save_score(submitted, _values(w["round"], mine.entry, "6", "6"), submit=True)
    scoring.save_score(draft, _values(w["round"], mine.entry, "1", ""), submit=False)
    rounds_service.close_round(w["round"])
    seen = scoring.visible_scores(w["round"], mine.entry, mine.judge.user, organiser=False)
    assert {s.assignment_id for s in seen} == {mine.id, submitted.id}
