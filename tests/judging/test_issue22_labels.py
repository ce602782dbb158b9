"""Issue 22, point 11 (judging labels): the judges list names the workplace a judge stands aside from instead
of "0 所学校"; publishing 公示 asks for confirmation."""
from core.extensions import db
from judging.services import assignment, results
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


def test_the_round_form_says_what_n_min_means_in_chinese(client, login):
    w = jf.world(n_entries=1, n_judges=1, k=1)
    db.session.commit()
    login(w["organiser"])
    page = client.get(f"/judging/rounds/{w['round'].id}").get_data(as_text=True)
    assert "去掉最高最低分所需的最少评分数" in page and "评分数少于此值时，不去掉最高分和最低分。" in page
    assert "N_min" not in page
