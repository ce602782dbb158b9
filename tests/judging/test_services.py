"""Judging services against the database: assignment, scoring rules, import, results, awards, notice."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from core.models import AuditLog
from judging.models import AssignmentStatus, PerformanceRun, Score
from judging.services import assignment as assignment_service
from judging.services import judges as judges_service
from judging.services import notice as notice_service
from judging.services import results as results_service
from judging.services import rounds, score_import
from judging.services import runs as runs_service
from judging.services import scoring as scoring_service
from tests import factories
from tests.judging import factories as jf

values_for = jf.criterion_values


def assign_all(w):
    outcome = assignment_service.auto_assign(w["round"])
    db.session.flush()
    return outcome


def test_auto_assign_balanced_and_conflict_free():
    w = jf.world(n_entries=8, n_judges=4, k=3)
    # judge 0 belongs to school 0 (coordinator there) -> never gets that school's entries
    from accounts.services import grant_role
    from core.permissions import Role

    grant_role(w["judges"][0].user, Role.COORDINATOR, organisation=w["schools"][0])
    judges_service.update_judge_profile(w["judges"][1], conflict_school_ids=[w["schools"][1].id])
    outcome = assign_all(w)
    rows = assignment_service.active_assignments(w["round"])
    assert len(rows) == 8 * 3
    by_entry = {}
    for a in rows:
        by_entry.setdefault(a.entry_id, set()).add(a.judge_id)
        if a.judge_id == w["judges"][0].id:
            assert a.entry.school_id != w["schools"][0].id
        if a.judge_id == w["judges"][1].id:
            assert a.entry.school_id != w["schools"][1].id
    assert all(len(js) == 3 for js in by_entry.values())
    # judges 2 and 3 must take all 6 entries of schools 0 and 1; the best possible is 5/5/7/7
    assert sorted(outcome.loads.values()) == [5, 5, 7, 7]
    # running again changes nothing
    again = assignment_service.auto_assign(w["round"])
    assert again.added == 0 and again.removed == 0


def test_score_validation_and_all_or_nothing():
    w = jf.world(n_entries=1, n_judges=3)
    assign_all(w)
    a = assignment_service.active_assignments(w["round"])[0]
    entry = a.entry
    with pytest.raises(DomainError) as info:
        scoring_service.save_score(a, values_for(w["round"], entry, "10.5", "7.3"), submit=True)
    assert info.value.code == "invalid_score"
    assert "10.5" in str(info.value) and "7.3" in str(info.value)
    assert db.session.execute(sa.select(Score)).first() is None
    draft = scoring_service.save_score(a, values_for(w["round"], entry, "8.5", ""), submit=False)
    assert not draft.submitted and draft.total is None
    with pytest.raises(DomainError):
        scoring_service.save_score(a, values_for(w["round"], entry, "8.5", ""), submit=True)
    final = scoring_service.save_score(a, values_for(w["round"], entry, "8.5", "9"), submit=True, comment="好")
    assert final.submitted and final.total == Decimal("17.5")
    # a revision keeps it submitted and is audited with before/after
    scoring_service.save_score(a, values_for(w["round"], entry, "9", "9"), submit=False)
    db.session.flush()
    assert final.total == Decimal("18") and final.submitted and final.version == 3
    rows = db.session.execute(sa.select(AuditLog).where(AuditLog.object_type == "judging_scores")).scalars().all()
    assert [r.action for r in rows] == ["save_draft", "submit_score", "submit_score"]
    assert Decimal(rows[-1].before["total"]) == Decimal("17.5") and Decimal(rows[-1].after["total"]) == 18


def test_scoring_after_close_and_unassigned_refused():
    w = jf.world(n_entries=1, n_judges=3)
    assign_all(w)
    a = assignment_service.active_assignments(w["round"])[0]
    w["round"].closes_at = utcnow() - timedelta(minutes=1)
    with pytest.raises(DomainError) as info:
        scoring_service.save_score(a, values_for(w["round"], a.entry, "5", "5"), submit=True)
    assert info.value.code == "round_closed"
    w["round"].closes_at = None
    assignment_service.remove_assignment(a)
    with pytest.raises(DomainError) as info:
        scoring_service.save_score(a, values_for(w["round"], a.entry, "5", "5"), submit=True)
    assert info.value.code == "not_assigned"


def test_cannot_judge_reassigns_and_excludes():
    w = jf.world(n_entries=1, n_judges=4, k=3)
    assign_all(w)
    a = assignment_service.active_assignments(w["round"])[0]
    replacement = assignment_service.decline_assignment(a, "我是该学生的亲属")
    assert a.status == AssignmentStatus.DECLINED
    assert replacement is not None and replacement.judge_id != a.judge_id
    assert len(assignment_service.active_assignments(w["round"])) == 3
    # auto-assign never gives the declined pair back
    assignment_service.auto_assign(w["round"])
    pairs = {(x.entry_id, x.judge_id) for x in assignment_service.active_assignments(w["round"])}
    assert (a.entry_id, a.judge_id) not in pairs


def test_withdrawal_reassigns_unscored_entries():
    w = jf.world(n_entries=4, n_judges=4, k=2)
    assign_all(w)
    leaving = w["judges"][0]
    assignment_service.withdraw_judge(leaving)
    rows = assignment_service.active_assignments(w["round"])
    assert all(x.judge_id != leaving.id for x in rows)
    assert len(rows) == 8


def test_coverage_lists_entries_short_of_scores():
    w = jf.world(n_entries=2, n_judges=3, k=3)
    assign_all(w)
    rows = assignment_service.active_assignments(w["round"])
    for a in rows[:3]:
        scoring_service.save_score(a, values_for(w["round"], a.entry, "5", "5"), submit=True)
    short = assignment_service.coverage(w["round"])
    assert all(r.submitted < 3 for r in short)
    assert len(short) >= 1


def submit_all(w, table):
    """table: {entry index: [total per judge]}, scores split evenly between the two criteria."""
    rnd = w["round"]
    for a in assignment_service.active_assignments(rnd):
        idx = w["entries"].index(a.entry)
        j = [x.id for x in w["judges"]].index(a.judge_id)
        total = Decimal(str(table[idx][j]))
        scoring_service.save_score(a, values_for(rnd, a.entry, str(total / 2), str(total / 2)), submit=True)


def test_results_awards_and_override():
    w = jf.world(n_entries=4, n_judges=3, k=3, method="mean")
    w["round"].award_mode = "percentage"
    w["round"].award_rule = {"levels": [["first", "25"], ["second", "25"]], "cap": "50"}
    assign_all(w)
    submit_all(w, {0: [18, 18, 18], 1: [16, 16, 16], 2: [16, 16, 16], 3: [10, 10, 10]})
    results_service.close_round(w["round"])
    results = {r.entry_id: r for r in results_service.results_of(w["round"])}
    e = w["entries"]
    assert results[e[0].id].rank == 1 and results[e[0].id].award == "first"
    # entries 1 and 2 tie at the second-prize boundary (quota 1): both get it, reported
    assert results[e[1].id].rank == results[e[2].id].rank == 2
    assert results[e[1].id].award == results[e[2].id].award == "second"
    assert results[e[3].id].award is None
    notes = results_service.award_notes(w["round"])[w["category"].id].notes
    assert notes and notes[0].level == "second"
    with pytest.raises(DomainError):
        results_service.override_award(results[e[3].id], "merit", "")
    results_service.override_award(results[e[3].id], "merit", "组委会复议")
    results_service.compute_results(w["round"])  # recomputation keeps the override
    assert results[e[3].id].award == "merit"
    explanation = results[e[0].id].explanation
    assert explanation["kind"] == "rubric" and len(explanation["scores"]) == 3


def test_blind_scores_until_close():
    w = jf.world(n_entries=1, n_judges=3, k=3)
    assign_all(w)
    rows = assignment_service.active_assignments(w["round"])
    for a in rows:
        scoring_service.save_score(a, values_for(w["round"], a.entry, "5", "5"), submit=True)
    user = w["judges"][0].user
    entry = w["entries"][0]
    assert len(scoring_service.visible_scores(w["round"], entry, user, organiser=False)) == 1
    w["round"].status = "closed"
    assert len(scoring_service.visible_scores(w["round"], entry, user, organiser=False)) == 3
    outsider = jf.judge(w["contest"], name="外人")
    assert scoring_service.visible_scores(w["round"], entry, outsider.user, organiser=False) == []


def sheet(rows):
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_import_scores_all_or_nothing():
    w = jf.world(n_entries=2, n_judges=3, k=3)
    assign_all(w)
    e0, e1 = w["entries"]
    j0 = w["judges"][0].user.email
    bad = sheet(
        [
            ["作品编号", "评委", "科学性", "创新性"],
            [e0.code, j0, 8, 9],
            ["NOPE", j0, 1, 1],
            [e1.code, "nobody@x.cn", 1, 1],
            [e1.code, j0, 11, 1],
        ]
    )
    outcome = score_import.import_scores(w["round"], bad)
    assert not outcome.ok
    assert [(r, c) for r, c, _ in outcome.errors] == [(3, "作品编号"), (4, "评委"), (5, "科学性")]
    assert db.session.execute(sa.select(Score)).first() is None
    good = sheet([["作品编号", "评委", "科学性", "创新性"], [e0.code, j0, 8, 9.5]])
    outcome = score_import.import_scores(w["round"], good)
    assert outcome.ok and outcome.imported == 1
    score = db.session.execute(sa.select(Score)).scalar_one()
    assert score.total == Decimal("17.5") and score.imported and score.submitted
    total = score_import.import_scores(w["round"], sheet([["作品编号", "评委", "总分"], [e1.code, j0, 15.25]]))
    assert total.ok


def test_performance_runs_and_ranking():
    org = factories.association()
    c = jf.contest(org)
    cat = jf.category(c, code="JQR", name="机器人", scoring_mode="performance")
    school = factories.school(parent=org)
    a, b = jf.entry(c, cat, school), jf.entry(c, cat, school)
    rnd = jf.rubric_round(c, [cat], name="现场赛")
    rc = rnd.categories[0]
    rc.confirm_runs = True
    referee, second = factories.user(name="裁判甲"), factories.user(name="裁判乙")
    runs_service.record_run(rnd, a, run_number=1, points="120", time_text="01:30.00", actor=referee)
    runs_service.record_run(rnd, a, run_number=2, points="100", time_text="00:50.00", actor=referee)
    run = runs_service.record_run(
        rnd, b, run_number=1, points="120", time_text="01:10.00", penalty_seconds="20", actor=referee
    )
    runs_service.record_run(rnd, b, run_number=2, points="90", time_text="", status="dnf", actor=referee)
    with pytest.raises(DomainError):
        runs_service.record_run(rnd, b, run_number=3, points="1", time_text="00:01.00")
    with pytest.raises(DomainError):
        runs_service.record_run(rnd, b, run_number=1, points="1", time_text="1:75")
    with pytest.raises(DomainError) as info:
        runs_service.confirm_run(run, referee)
    assert info.value.code == "same_person"
    runs_service.confirm_run(run, second)
    results_service.compute_results(rnd)
    # with confirmation on, unconfirmed runs do not count yet: only b has a confirmed run
    early = {r.entry_id: r for r in results_service.results_of(rnd)}
    assert early[b.id].rank == 1 and early[a.id].rank is None
    for other in db.session.execute(sa.select(PerformanceRun).where(PerformanceRun.confirmed_at.is_(None))).scalars():
        runs_service.confirm_run(other, second)
    results_service.close_round(rnd)
    results = {r.entry_id: r for r in results_service.results_of(rnd)}
    # equal best run (120 points, 90 s): a's other run (100) beats b's DNF (90)
    assert results[a.id].rank == 1 and results[b.id].rank == 2


def test_notice_objection_and_finalise():
    w = jf.world(n_entries=2, n_judges=3, k=3)
    assign_all(w)
    submit_all(w, {0: [18, 18, 18], 1: [10, 12, 14]})
    results_service.close_round(w["round"])
    notice = notice_service.start_notice(w["contest"], w["round"], days=7, actor=w["organiser"])
    assert w["contest"].status == "notice"
    with pytest.raises(DomainError):
        notice_service.submit_objection(notice, name="", contact="x", reason="太短")
    objection = notice_service.submit_objection(
        notice,
        name="李四",
        contact="13800000000",
        reason="该作品与往届作品雷同，请复核。",
        entry_code=w["entries"][0].code,
    )
    with pytest.raises(DomainError):
        notice_service.finalise_notice(notice, now=notice.ends_at + timedelta(hours=1))  # objection open
    notice_service.answer_objection(objection, accept=False, reply="经复核，作品为原创。", actor=w["organiser"])
    with pytest.raises(DomainError):
        notice_service.finalise_notice(notice)  # period not over
    notice_service.finalise_notice(notice, now=notice.ends_at + timedelta(hours=1), actor=w["organiser"])
    assert w["contest"].status == "final"
    assert notice_service.final_award_winners(w["contest"]) == []  # no award rule in this round


def test_quality_flags_outlier_and_recheck_request():
    w = jf.world(n_entries=3, n_judges=5, k=5)
    assign_all(w)
    submit_all(w, {0: [16, 17, 15, 16, 4], 1: [12, 12, 13, 11, 12], 2: [8, 9, 7, 8, 8]})
    stats, flagged = results_service.judge_quality_report(w["round"])
    assert len(flagged) == 1
    flag, score, pending = flagged[0]
    assert flag.judge_id == w["judges"][4].id and score.total == Decimal("4")
    scoring_service.request_recheck(score, "请复核该分数")
    assert len(scoring_service.pending_rechecks(w["judges"][4].user)) == 1
    a = score.assignment
    scoring_service.save_score(a, values_for(w["round"], a.entry, "7", "7"), submit=True)
    assert scoring_service.pending_rechecks(w["judges"][4].user) == []


def test_advancement_limits_next_round_entries():
    w = jf.world(n_entries=4, n_judges=3, k=3)
    rnd = w["round"]
    rnd.advancement, rnd.advancement_value = "top_n", Decimal(2)
    assign_all(w)
    submit_all(w, {0: [18, 18, 18], 1: [16, 16, 16], 2: [12, 12, 12], 3: [10, 10, 10]})
    results_service.close_round(rnd)
    final = jf.rubric_round(w["contest"], [w["category"]], name="终评")
    assert {e.id for e in rounds.round_entries(final)} == {w["entries"][0].id, w["entries"][1].id}


def test_later_round_breaks_ties():
    w = jf.world(n_entries=2, n_judges=3, k=3)
    first = w["round"]
    first.tie_breaks = ["raw_sum", "later_round"]
    assign_all(w)
    submit_all(w, {0: [14, 14, 14], 1: [14, 14, 14]})
    final = jf.rubric_round(w["contest"], [w["category"]], name="终评", k=3)
    assignment_service.auto_assign(final)
    for a in assignment_service.active_assignments(final):
        value = "9" if a.entry_id == w["entries"][1].id else "5"
        scoring_service.save_score(a, values_for(final, a.entry, value, value), submit=True)
    results_service.close_round(final)
    results_service.close_round(first)
    ranked = {r.entry_id: r for r in results_service.results_of(first)}
    assert ranked[w["entries"][1].id].rank == 1 and ranked[w["entries"][0].id].rank == 2
    assert ranked[w["entries"][1].id].explanation["decided_by"] == "later_round"


def test_award_holders_for_certificates():
    from certificates.sources import SourceNotReady

    w = jf.world(n_entries=3, n_judges=3, k=3)
    w["round"].award_mode = "percentage"
    w["round"].award_rule = {"levels": [["first", "34"]], "cap": "50"}
    assign_all(w)
    submit_all(w, {0: [18, 18, 18], 1: [16, 16, 16], 2: [10, 10, 10]})
    results_service.close_round(w["round"])
    notice = notice_service.start_notice(w["contest"], w["round"], days=7)
    with pytest.raises(SourceNotReady):
        notice_service.collect_award_holders(w["contest"].id)
    notice_service.finalise_notice(notice, now=notice.ends_at + timedelta(hours=1))
    batch = notice_service.collect_award_holders(w["contest"].id)
    assert [h.name for h in batch.holders] == ["张三明"]
    assert batch.holders[0].award == "一等奖"  # the default language, whatever the UI language
    assert batch.holders[0].ref.startswith("result:") and batch.holders[0].minor
    assert batch.scope_code.isalnum()


def test_zscore_results_stay_on_the_rubric_scale():
    w = jf.world(n_entries=3, n_judges=3, k=3, method="zscore")
    assign_all(w)
    submit_all(w, {0: [20, 20, 20], 1: [10, 12, 14], 2: [2, 4, 0]})
    results_service.close_round(w["round"])
    results = results_service.results_of(w["round"])
    assert all(0 <= r.score <= 20 for r in results)
    assert [r.entry_id for r in results] == [e.id for e in w["entries"]]
    assert all(s["normalised"] is not None for s in results[0].explanation["scores"])


def test_import_with_two_rubrics_in_one_file():
    w = jf.world(n_entries=1, n_judges=3, k=3)
    other = jf.category(w["contest"], code="BC", name="创意编程")
    e2 = jf.entry(w["contest"], other, w["schools"][0])
    rnd = w["round"]
    rounds.set_round_categories(rnd, [w["category"].id, other.id])
    rc2 = rounds.round_category_for(rnd, other.id)
    rounds.apply_rubric_template(rc2, "isef")
    assignment_service.auto_assign(rnd)
    e1 = w["entries"][0]
    j0 = w["judges"][0].user.email
    isef = [c.name for c in rc2.criteria]
    header = ["作品编号", "评委", "科学性", "创新性"] + isef
    ok = sheet([header, [e1.code, j0, 8, 9] + [None] * 5, [e2.code, j0, None, None, 8, 10, 15, 12, 30]])
    outcome = score_import.import_scores(rnd, ok)
    assert outcome.ok, outcome.errors
    missing = sheet([header, [e2.code, w["judges"][1].user.email, None, None, 8, 10, 15, 12, None]])
    outcome = score_import.import_scores(rnd, missing)
    assert [(r, c) for r, c, _ in outcome.errors] == [(2, isef[-1])]
