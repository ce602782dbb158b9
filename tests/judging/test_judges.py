"""Judges: the list names the workplace a judge stands aside from (回避); a withdrawn judge's submitted scores still
count; what a judge sees once the round closes (no re-check requests, the panel's submitted scores, never drafts)."""

from core.extensions import db
from judging.services import assignment, scoring
from judging.services import results as results_service
from tests.judging import factories as jf


def test_judges_list_names_the_workplace_a_judge_stands_aside_from(client, login):
    w = jf.world(n_entries=1, n_judges=2, k=1)
    excluded = w["judges"][0]
    excluded.affiliation_id = w["schools"][0].id
    db.session.commit()
    login(w["organiser"])
    page = client.get(f"/judging/contests/{w['contest'].id}/judges").get_data(as_text=True)
    assert f"回避本单位：{w['schools'][0].name}" in page
    assert "0 所学校" not in page and "未申报回避" in page


def test_withdrawn_judges_submitted_scores_still_count_towards_k():
    """Bug: after a withdrawal, entries the leaving judge had already scored got an extra judge (4 of k=3)."""
    w = jf.world(n_schools=3, n_entries=3, n_judges=4, k=3)
    assignment.auto_assign(w["round"])
    leaving = w["judges"][0]
    mine = [a for a in assignment.active_assignments(w["round"]) if a.judge_id == leaving.id]
    scored = mine[0]
    scoring.save_score(scored, jf.criterion_values(w["round"], scored.entry, "5", "5"), submit=True)
    assignment.withdraw_judge(leaving)
    rows = assignment.active_assignments(w["round"])
    per_entry = {}
    for a in rows:
        per_entry.setdefault(a.entry_id, set()).add(a.judge_id)
    assert all(len(js) == 3 for js in per_entry.values()), per_entry
    assert leaving.id in per_entry[scored.entry_id]  # the submitted score stays and counts
    assert all(a.judge_id != leaving.id or a.entry_id == scored.entry_id for a in rows)


def test_recheck_request_leaves_the_dashboard_when_the_round_closes():
    """Bug: after the round closed the judge's dashboard still asked for a re-check they could not make."""
    w = jf.world(n_entries=2, n_judges=3, k=3)
    assignment.auto_assign(w["round"])
    for a in assignment.active_assignments(w["round"]):
        scoring.save_score(a, jf.criterion_values(w["round"], a.entry, "5", "5"), submit=True)
    score = assignment.active_assignments(w["round"])[0].score
    scoring.request_recheck(score, "请复核", actor=w["organiser"])
    user = score.judge.user
    assert len(scoring.pending_rechecks(user)) == 1
    results_service.close_round(w["round"])
    assert scoring.pending_rechecks(user) == []


def test_after_close_a_judge_sees_the_panels_submitted_scores_not_drafts():
    """Bug: once the round closed, a judge's page listed other judges' unfinished drafts as panel scores."""
    w = jf.world(n_entries=1, n_judges=3, k=3)
    assignment.auto_assign(w["round"])
    mine, submitted, draft = assignment.active_assignments(w["round"])
    scoring.save_score(mine, jf.criterion_values(w["round"], mine.entry, "5", "5"), submit=True)
    scoring.save_score(submitted, jf.criterion_values(w["round"], mine.entry, "6", "6"), submit=True)
    scoring.save_score(draft, jf.criterion_values(w["round"], mine.entry, "1", ""), submit=False)
    results_service.close_round(w["round"])
    seen = scoring.visible_scores(w["round"], mine.entry, mine.judge.user, organiser=False)
    assert {s.assignment_id for s in seen} == {mine.id, submitted.id}
