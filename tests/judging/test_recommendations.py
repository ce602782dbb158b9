"""Recommendations from a county's final results to the city's contest: accepted or declined by the city, only from
final results of a contest with a parent."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from competitions.models import Entry
from core.errors import DomainError
from core.extensions import db
from judging.models import Recommendation
from judging.services import recommendations as rec_service
from tests import factories
from tests.competitions import factories as cf
from tests.judging import season_world


def test_county_recommends_and_city_accepts_or_declines(client, login):
    w = season_world.build()
    season_world.finalise(w)
    city_contest = cf.contest(w["city"], name="临川市青少年科技创新大赛")
    city_kx = cf.category(city_contest, code="KX")
    city_organiser = factories.organiser(w["city"], name="市科协周老师")
    db.session.commit()
    login(w["organiser"])
    page = client.get(f"/judging/contests/{w['contest'].id}/recommend").get_data(as_text=True)
    assert city_contest.name in page and "一等奖" in page and "18.00" in page  # award and score in the list
    first, third = w["kx_entries"][0], w["kx_entries"][2]
    response = client.post(
        f"/judging/contests/{w['contest'].id}/recommend",
        data={"target_id": city_contest.id, "entry_ids": [first.id, third.id], "note": "县赛一等奖"},
    )
    assert response.status_code == 302
    recs = {r.entry_id: r for r in db.session.execute(sa.select(Recommendation)).scalars()}
    assert recs[first.id].award == "first" and recs[first.id].score == Decimal("18.0000")
    # the county cannot decide for the city
    assert (
        client.post(
            f"/judging/recommendations/{recs[first.id].id}/accept", data={"category_id": city_kx.id}
        ).status_code
        == 403
    )
    client.post("/logout")
    login(city_organiser)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "pending-recommendations" in dashboard
    incoming = client.get(f"/judging/contests/{city_contest.id}/recommendations").get_data(as_text=True)
    assert "雨水回收装置" in incoming and "一等奖" in incoming and "18.00" in incoming
    assert (
        client.post(
            f"/judging/recommendations/{recs[first.id].id}/accept", data={"category_id": city_kx.id}
        ).status_code
        == 302
    )
    empty_reason = client.post(
        f"/judging/recommendations/{recs[third.id].id}/decline", data={"reason": " "}, follow_redirects=True
    ).get_data(as_text=True)
    assert "说明" in empty_reason and db.session.get(Recommendation, recs[third.id].id).status == "pending"
    client.post(f"/judging/recommendations/{recs[third.id].id}/decline", data={"reason": "名额已满"})
    db.session.expire_all()
    copies = db.session.execute(sa.select(Entry).where(Entry.contest_id == city_contest.id)).scalars().all()
    assert [(e.title, e.advanced_from_id, e.status) for e in copies] == [("雨水回收装置", first.id, "submitted")]
    assert db.session.get(Recommendation, recs[third.id].id).status == "declined"


def test_recommendations_need_final_results_and_a_parent_contest():
    w = season_world.build()
    city_contest = cf.contest(w["city"], name="临川市大赛")
    with pytest.raises(DomainError):  # results not final yet
        rec_service.recommend_entries(w["contest"], city_contest, [w["kx_entries"][0].id])
    season_world.finalise(w)
    sibling = cf.contest(factories.association("别的县科学技术协会", parent=w["city"]), name="别县大赛")
    with pytest.raises(DomainError):  # not a parent association's contest
        rec_service.recommend_entries(w["contest"], sibling, [w["kx_entries"][0].id])
    assert rec_service.parent_contests(w["contest"]) == [city_contest]
    made = rec_service.recommend_entries(w["contest"], city_contest, [w["kx_entries"][0].id])
    again = rec_service.recommend_entries(w["contest"], city_contest, [w["kx_entries"][0].id])
    assert len(made) == 1 and again == []


def test_the_city_no_longer_pulls_entries_through_competitions(app):
    assert "competitions.advance" not in app.view_functions
