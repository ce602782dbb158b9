"""Schools see their outcomes (issue 21, point 4): once results are final, each entry page of the school shows
award, final score and rank; judges' comments when the organiser releases them, as 评委1, 评委2, …; the
school's certificates per student and as one file; the dashboard keeps the finished contest."""

import io
import zipfile
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from accounts.services import grant_role
from certificates import services as cert_services
from core.extensions import db
from core.jobs import Job
from core.models import AuditLog
from core.permissions import Role
from judging.models import AssignmentStatus, JudgeAssignment
from judging.services import outcomes
from tests import factories
from tests.judging import outcomes_world
from tests.judging.outcomes_world import COMMENTS, JUDGE_NAMES


def _release(w, client, login, released=True):
    login(w["organiser"])
    response = client.post(f"/judging/rounds/{w['round'].id}/comments", data={"release": "1" if released else "0"})
    assert response.status_code == 302
    client.post("/logout")
    db.session.expire_all()


def _issue_certificates(w) -> list:
    template = cert_services.create_template(w["org"].id, "证书", kind=None)
    issued = []
    for key in ("judging.awards", "competitions.advisors"):
        certs, _plan = cert_services.issue_certificates(key, w["contest"].id, template, accept_preflight=True)
        issued += certs
    db.session.commit()
    return issued


# ---- nothing before final -------------------------------------------------------------------------------


def test_nothing_is_shown_before_the_results_are_final(client, login):
    w = outcomes_world.build(final=False)
    w["round"].comments_released = True
    db.session.commit()
    entry = w["entries"][0]
    assert outcomes.entry_outcome(entry) is None
    assert outcomes.school_outcome(w["contest"], w["school_a"]) is None
    assert outcomes.finished_contests({w["school_a"].id}) == []
    login(w["coordinator_a"])
    page = client.get(f"/contests/entries/{entry.id}").get_data(as_text=True)
    assert 'id="entry-outcome"' not in page and "一等奖" not in page and COMMENTS[0] not in page
    page = client.get(f"/judging/contests/{w['contest'].id}/school/{w['school_a'].id}/outcomes").get_data(as_text=True)
    assert 'id="outcome-pending"' in page and "一等奖" not in page
    assert 'id="outcomes-panel"' not in client.get("/dashboard").get_data(as_text=True)
    # the same contest becomes visible the moment the organiser finalises
    outcomes_world.finalise(w)
    page = client.get(f"/contests/entries/{entry.id}").get_data(as_text=True)
    assert 'id="entry-outcome"' in page


# ---- award, score, rank -----------------------------------------------------------------------------------


def test_the_entry_page_shows_award_final_score_and_rank(client, login):
    w = outcomes_world.build()
    login(w["coordinator_a"])
    page = client.get(f"/contests/entries/{w['entries'][0].id}").get_data(as_text=True)
    assert 'id="entry-outcome"' in page
    assert 'data-award="first"' in page and "一等奖" in page
    assert "18.00" in page and "第1名（共4件）" in page
    page = client.get(f"/contests/entries/{w['entries'][1].id}").get_data(as_text=True)
    assert 'data-award=""' in page and "无奖项" in page and "10.00" in page and "第4名（共4件）" in page
    # the school's entry list says the results are final and links to them
    page = client.get(f"/contests/{w['contest'].id}/school/{w['school_a'].id}").get_data(as_text=True)
    assert 'id="school-outcome-summary"' in page and "一等奖 1" in page


def test_the_school_page_lists_every_entry_with_its_outcome(client, login):
    w = outcomes_world.build()
    login(w["coordinator_a"])
    page = client.get(f"/judging/contests/{w['contest'].id}/school/{w['school_a'].id}/outcomes").get_data(as_text=True)
    assert page.count('class="list-group-item kc-outcome-entry"') == 2
    assert "校园雨水回收装置" in page and "蚯蚓与土壤肥力" in page
    assert "智能浇花器" not in page  # school B's entry
    assert page.index("校园雨水回收装置") < page.index("蚯蚓与土壤肥力")  # awarded entries first


# ---- comments --------------------------------------------------------------------------------------------


def test_comments_stay_hidden_until_the_organiser_releases_them(client, login):
    w = outcomes_world.build()
    assert w["round"].comments_released is False  # off by default
    entry = w["entries"][0]
    login(w["coordinator_a"])
    page = client.get(f"/contests/entries/{entry.id}").get_data(as_text=True)
    assert not any(c in page for c in COMMENTS) and "评委1" not in page
    client.post("/logout")

    _release(w, client, login)
    assert w["round"].comments_released is True
    assert db.session.execute(sa.select(AuditLog).where(AuditLog.action == "release_comments")).scalar_one()
    login(w["coordinator_a"])
    page = client.get(f"/contests/entries/{entry.id}").get_data(as_text=True)
    for text in COMMENTS:
        assert text in page
    assert "评委1" in page and "评委2" in page and "评委3" in page
    for name in JUDGE_NAMES:  # never the judges' names
        assert name not in page
    client.post("/logout")

    _release(w, client, login, released=False)
    login(w["coordinator_a"])
    page = client.get(f"/contests/entries/{entry.id}").get_data(as_text=True)
    assert not any(c in page for c in COMMENTS)


def test_judges_are_numbered_stably_by_assignment_and_without_gaps():
    w = outcomes_world.build()
    w["round"].comments_released = True
    db.session.flush()
    entry = w["entries"][0]
    order = (
        db.session.execute(
            sa.select(JudgeAssignment.judge_id)
            .where(JudgeAssignment.entry_id == entry.id, JudgeAssignment.round_id == w["round"].id)
            .order_by(JudgeAssignment.id)
        )
        .scalars()
        .all()
    )
    expected = [COMMENTS[[j.id for j in w["judges"]].index(judge_id)] for judge_id in order]
    first = outcomes.released_comments(entry)
    assert [(c.number, c.text) for c in first[0].comments] == list(enumerate(expected, 1))
    assert outcomes.released_comments(entry) == first  # the same on every read
    # an entry where one judge wrote nothing: two comments, numbered 1 and 2
    weak = outcomes.released_comments(w["entries"][1])
    assert [c.number for c in weak[0].comments] == [1, 2]
    # a removed assignment's comment is not shown
    a = (
        db.session.execute(
            sa.select(JudgeAssignment).where(JudgeAssignment.entry_id == entry.id).order_by(JudgeAssignment.id)
        )
        .scalars()
        .first()
    )
    a.status = AssignmentStatus.REMOVED.value
    db.session.flush()
    assert [c.text for c in outcomes.released_comments(entry)[0].comments] == expected[1:]


def test_only_organisers_release_comments(client, login):
    w = outcomes_world.build()
    login(w["coordinator_a"])
    assert client.post(f"/judging/rounds/{w['round'].id}/comments", data={"release": "1"}).status_code == 403
    db.session.expire_all()
    assert w["round"].comments_released is False
    client.post("/logout")
    login(w["organiser"])
    page = client.get(f"/judging/rounds/{w['round'].id}").get_data(as_text=True)
    assert 'id="comments-release"' in page and 'data-released="0"' in page


# ---- only one's own school ---------------------------------------------------------------------------------


def test_a_coordinator_sees_only_their_own_school(client, login):
    w = outcomes_world.build()
    w["round"].comments_released = True
    db.session.commit()
    login(w["coordinator_b"])
    assert client.get(f"/contests/entries/{w['entries'][0].id}").status_code == 403
    assert client.get(f"/judging/contests/{w['contest'].id}/school/{w['school_a'].id}/outcomes").status_code == 403
    page = client.get(f"/judging/contests/{w['contest'].id}/school/{w['school_b'].id}/outcomes").get_data(as_text=True)
    assert "智能浇花器" in page and "校园雨水回收装置" not in page
    client.post("/logout")
    # an organiser of another county sees nothing of this contest
    other = factories.organiser(factories.association(name="云岭县科协"))
    db.session.commit()
    login(other)
    assert client.get(f"/judging/contests/{w['contest'].id}/school/{w['school_a'].id}/outcomes").status_code == 403


def test_a_school_outside_the_contest_is_not_found(client, login):
    w = outcomes_world.build()
    elsewhere = factories.school(parent=factories.association(name="云岭县科协"), name="云岭县中心小学")
    coordinator = factories.coordinator(elsewhere, name="冯联络", email="feng@yl.cn")
    grant_role(coordinator, Role.COORDINATOR, organisation=w["school_a"])  # also coordinates school A
    db.session.commit()
    login(coordinator)
    url = f"/judging/contests/{w['contest'].id}/school/{elsewhere.id}/outcomes"
    assert client.get(url).status_code == 404


# ---- certificates ------------------------------------------------------------------------------------------


def test_certificates_per_student_and_as_one_file(client, login):
    w = outcomes_world.build()
    issued = _issue_certificates(w)
    mine = [c for c in issued if c.school_id == w["school_a"].id]
    assert {c.holder_name for c in mine} == {"王䶮", "赵老师"}  # the award winner and the advisor
    login(w["coordinator_a"])
    page = client.get(f"/contests/entries/{w['entries'][0].id}").get_data(as_text=True)
    assert 'id="outcome-certificates"' in page
    for cert in mine:
        assert f"/certificates/c/{cert.id}.pdf" in page
    page = client.get(f"/judging/contests/{w['contest'].id}/school/{w['school_a'].id}/outcomes").get_data(as_text=True)
    assert page.count('class="list-group-item kc-holder"') == 2 and 'data-role="advisor"' in page
    assert not any(c.holder_name in page for c in issued if c.school_id != w["school_a"].id)
    response = client.get(f"/certificates/c/{mine[0].id}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")

    response = client.post(
        f"/certificates/school/{w['school_a'].id}/contest/{w['contest'].id}/render", data={"fmt": "zip"}
    )
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    db.session.expire_all()
    job = db.session.execute(sa.select(Job).order_by(Job.id.desc())).scalars().first()
    assert job.status == "done", job.error
    data = (Path(current_app.instance_path) / job.result["file"]).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert len(archive.namelist()) == 2 and any("王䶮" in n for n in archive.namelist())


# ---- dashboard -----------------------------------------------------------------------------------------------


def test_the_dashboard_keeps_the_finished_contest_with_its_results(client, login):
    w = outcomes_world.build()
    login(w["coordinator_a"])
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'id="outcomes-panel"' in page and f'data-contest="{w["contest"].id}"' in page
    assert "第十届青少年科技创新大赛" in page and "一等奖 1" in page
    # archived a year later: still there
    from competitions.services.contests import move_contest

    move_contest(w["contest"], "archived")
    db.session.commit()
    page = client.get("/dashboard").get_data(as_text=True)
    assert f'data-contest="{w["contest"].id}"' in page
    finished = outcomes.finished_contests({w["school_a"].id, w["school_b"].id})
    assert {(f.school.name, f.award_counts["first"], f.award_counts["second"]) for f in finished} == {
        ("青溪县实验小学", 1, 0),
        ("青溪县第二小学", 0, 1),
    }
