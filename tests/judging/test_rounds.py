"""Rounds: one opened before its start warns the organiser, and judges are told when scoring starts instead of
"该轮次已结束"; the round form says in Chinese what N_min means."""

from datetime import timedelta

import pytest

from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from judging.services import assignment, rounds, scoring
from tests import factories
from tests.judging import factories as jf


def _future_world():
    w = jf.world(n_entries=1, n_judges=3, k=3)
    rnd = w["round"]
    rnd.status = "setup"
    rnd.opens_at = utcnow() + timedelta(days=2)
    db.session.flush()
    return w


def test_scoring_before_the_start_says_when_it_starts():
    w = _future_world()
    rnd = w["round"]
    rounds.open_round(rnd)
    assignment.auto_assign(rnd)
    a = assignment.judge_worklist(rnd, w["judges"][0])[0]
    with pytest.raises(DomainError) as err:
        scoring.save_score(a, {})
    assert err.value.code == "round_not_started"
    assert "评分将于" in str(err.value) and "开始" in str(err.value) and "已结束" not in str(err.value)


def test_opening_early_warns_the_organiser_and_judges_see_the_start(app, client, login):
    w = _future_world()
    rnd = w["round"]
    db.session.commit()
    login(w["organiser"])
    page = client.post(f"/judging/rounds/{rnd.id}/status/open", follow_redirects=True).get_data(as_text=True)
    assert "评委在此之前只能看到评分开始时间" in page
    assignment.auto_assign(rnd)
    judge = w["judges"][0]
    entry_id = assignment.judge_worklist(rnd, judge)[0].entry_id
    db.session.commit()
    client = app.test_client()
    client.post("/login", data={"login": judge.user.email, "password": factories.PASSWORD})
    page = client.get(f"/judging/rounds/{rnd.id}/entries/{entry_id}/score").get_data(as_text=True)
    assert "评分将于" in page and "该轮次已结束" not in page
    assert "评分将于" in client.get(f"/judging/rounds/{rnd.id}/my").get_data(as_text=True)


def test_the_round_form_says_what_n_min_means_in_chinese(client, login):
    w = jf.world(n_entries=1, n_judges=1, k=1)
    db.session.commit()
    login(w["organiser"])
    page = client.get(f"/judging/rounds/{w['round'].id}").get_data(as_text=True)
    assert "去掉最高最低分所需的最少评分数" in page and "评分数少于此值时，不去掉最高分和最低分。" in page
    assert "N_min" not in page
