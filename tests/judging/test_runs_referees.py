"""Robot runs as referees record them — the form opens on the next unrecorded run, DNF/DQ need no points and count as
no result, each category's maximum points and time limit, the run that counts shown with why, 回避 for referees,
a correction opening filled in, no confirming once the round closed, no referee form for a rubric entry."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from core.errors import DomainError
from core.extensions import db
from judging.models import PerformanceRun, Result
from judging.services import results as results_service
from judging.services import rounds, runs
from judging.services import rounds as rounds_service
from tests import factories
from tests.judging import factories as jf


def _robot_world(max_points: str = "200", time_limit: str = "03:00"):
    org = factories.association()
    c = jf.contest(org)
    cat = jf.category(c, code="JQR", name="超级轨迹赛", scoring_mode="performance")
    school, other = (
        factories.school(parent=org, name="青溪县实验小学"),
        factories.school(parent=org, name="青溪县第一中学"),
    )
    slip, clean = jf.entry(c, cat, school, title="䶮队"), jf.entry(c, cat, other, title="𠮷祥队")
    rnd = jf.rubric_round(c, [cat], name="现场赛", max_points=max_points, time_limit=time_limit)
    rc = rnd.categories[0]
    rc.runs = 3
    return {
        "org": org,
        "contest": c,
        "round": rnd,
        "rc": rc,
        "slip": slip,
        "clean": clean,
        "school": school,
        "referee": factories.organiser(org),
    }


def test_dnf_run_needs_no_points_and_counts_as_no_result():
    w = _robot_world()
    rnd, ref = w["round"], w["referee"]
    runs.record_run(rnd, w["slip"], run_number=1, points="120", time_text="01:10.00", actor=ref)
    runs.record_run(rnd, w["slip"], run_number=2, points="100", time_text="01:20.00", actor=ref)
    # DNF without points is accepted; points typed by mistake are not kept
    dnf = runs.record_run(rnd, w["slip"], run_number=3, points="", status="dnf", actor=ref)
    assert dnf.points == 0 and dnf.time_cs is None
    typo = runs.record_run(rnd, w["clean"], run_number=1, points="150", time_text="02:00.00", actor=ref)
    dq = runs.record_run(rnd, w["clean"], run_number=2, points="1800", status="dq", actor=ref)
    assert typo.points == Decimal("150") and dq.points == 0
    results_service.compute_results(rnd)
    res = {r.entry_id: r for r in results_service.results_of(rnd)}
    assert (res[w["clean"].id].rank, res[w["clean"].id].score) == (1, Decimal("150"))
    assert (res[w["slip"].id].rank, res[w["slip"].id].score) == (2, Decimal("120"))


def test_only_dnf_runs_is_no_result():
    w = _robot_world()
    runs.record_run(w["round"], w["slip"], run_number=1, points="", status="dnf", actor=w["referee"])
    runs.record_run(w["round"], w["clean"], run_number=1, points="10", time_text="02:00", actor=w["referee"])
    results_service.compute_results(w["round"])
    res = {r.entry_id: r for r in results_service.results_of(w["round"])}
    assert res[w["slip"].id].rank is None and res[w["slip"].id].score is None
    assert res[w["clean"].id].rank == 1


def test_points_above_the_category_maximum_and_time_over_the_limit_are_refused():
    w = _robot_world(max_points="200", time_limit="03:00")
    with pytest.raises(DomainError) as err:
        runs.record_run(w["round"], w["slip"], run_number=1, points="1800", time_text="01:00", actor=w["referee"])
    assert err.value.field == "points" and "200" in str(err.value)
    with pytest.raises(DomainError) as err:
        runs.record_run(w["round"], w["slip"], run_number=1, points="180", time_text="03:00.01", actor=w["referee"])
    assert err.value.field == "time" and "03:00.00" in str(err.value)
    assert db.session.execute(sa.select(PerformanceRun)).first() is None
    runs.record_run(w["round"], w["slip"], run_number=1, points="200", time_text="03:00.00", actor=w["referee"])


def test_a_round_with_a_robot_category_opens_only_with_its_maximum_points():
    org = factories.association()
    c = jf.contest(org)
    cat = jf.category(c, code="JQR", name="冰壶挑战赛", scoring_mode="performance")
    rnd = rounds.create_round(c, name="现场赛", category_ids=[cat.id])
    with pytest.raises(DomainError) as err:
        rounds.open_round(rnd)
    assert "冰壶挑战赛" in str(err.value)
    with pytest.raises(DomainError):
        rounds.set_performance_rule(rnd.categories[0], "best_of", 2, False, max_points="0")
    rounds.set_performance_rule(rnd.categories[0], "best_of", 2, False, max_points="300", time_limit="2:00")
    assert rounds.open_round(rnd).status == "open"


def test_counting_run_says_which_run_counts_and_which_wait_for_confirmation():
    w = _robot_world()
    w["rc"].confirm_runs = True
    ref = w["referee"]
    runs.record_run(w["round"], w["slip"], run_number=1, points="120", time_text="01:10.00", actor=ref)
    runs.record_run(w["round"], w["slip"], run_number=2, points="180", time_text="01:30.00", actor=ref)
    runs.record_run(w["round"], w["slip"], run_number=3, points="", status="dnf", actor=ref)
    recorded = runs.runs_of(w["round"], w["rc"].category_id)[w["slip"].id]
    counting = runs.counting_run(w["rc"], recorded)
    assert counting.counted == [2] and counting.result.points == 180
    assert counting.no_result == [3] and counting.unconfirmed == [1, 2, 3]
    assert runs.next_run_number(w["rc"], recorded) is None


def test_referee_form_opens_on_the_next_unrecorded_run_with_empty_fields(client, login):
    w = _robot_world()
    db.session.commit()
    login(w["referee"])
    url = f"/judging/rounds/{w['round'].id}/referee/{w['slip'].id}"
    response = client.post(
        url, data={"run_number": 1, "status": "ok", "points": "180", "time": "01:05.00", "penalty_seconds": 0}
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="run_number" type="number" value="2"' in page or 'value="2"' in page.split('name="run_number"')[1][:80]
    assert 'value="180"' not in page and 'value="01:05.00"' not in page
    assert "计入成绩：第 1 轮" in page
    # DNF without points through the page
    response = client.post(url, data={"run_number": 2, "status": "dnf", "points": "", "time": "", "penalty_seconds": 0})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "第 2 轮：未完成或取消成绩，不计成绩" in page
    # above the maximum: refused next to the field, nothing saved
    response = client.post(
        url, data={"run_number": 3, "status": "ok", "points": "1800", "time": "01:00.00", "penalty_seconds": 0}
    )
    assert response.status_code == 200 and "1800 超过满分 200" in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(PerformanceRun)).scalar() == 2


def test_referee_from_the_entrys_school_must_stand_aside(client, login):
    """回避 applies to referees as to judges: a judge from the school, or one who declared the school, may not
    record or confirm that school's runs."""
    w = _robot_world()
    own = jf.judge(w["contest"], name="王老师")
    own.affiliation_id = w["school"].id
    declared = jf.judge(w["contest"], name="李老师")
    declared.conflict_school_ids = [w["school"].id]
    coordinator = factories.coordinator(w["school"])
    from accounts.services import grant_role
    from core.permissions import Role

    grant_role(coordinator, Role.JUDGE, scope_id=w["contest"].id)
    for person in (own.user, declared.user, coordinator):
        with pytest.raises(DomainError) as err:
            runs.record_run(w["round"], w["slip"], run_number=1, points="100", time_text="01:00", actor=person)
        assert err.value.code == "conflict"
    run = runs.record_run(w["round"], w["slip"], run_number=1, points="100", time_text="01:00", actor=w["referee"])
    w["rc"].confirm_runs = True
    with pytest.raises(DomainError):
        runs.confirm_run(run, own.user)
    # the same referees may record the other school's runs
    runs.record_run(w["round"], w["clean"], run_number=1, points="100", time_text="01:00", actor=own.user)
    db.session.commit()
    login(own.user)
    response = client.post(
        f"/judging/rounds/{w['round'].id}/referee/{w['slip'].id}",
        data={"run_number": 2, "status": "ok", "points": "100", "time": "01:00", "penalty_seconds": 0},
    )
    assert response.status_code == 200 and "回避" in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(Result)).scalar() == 0


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
    return {
        "org": org,
        "contest": c,
        "round": rnd,
        "robot": robot,
        "paper": paper,
        "organiser": factories.organiser(org),
    }


def test_run_cannot_be_confirmed_after_the_round_closed():
    """Bug: a confirmation (which decides whether a run counts) was accepted after the round closed."""
    w = _performance_world()
    referee, second = w["organiser"], factories.organiser(w["org"])
    run = runs.record_run(w["round"], w["robot"], run_number=1, points="120", time_text="01:02.03", actor=referee)
    w["round"].status = "closed"
    db.session.flush()
    with pytest.raises(DomainError) as err:
        runs.confirm_run(run, second)
    assert err.value.code == "round_closed"
    assert run.confirmed_at is None


def test_referee_page_is_404_for_a_rubric_entry_and_prefills_a_correction(client, login):
    """Bug: the referee form was offered for entries judged with a rubric; correcting a run started blank."""
    w = _performance_world(confirm=False)
    runs.record_run(
        w["round"],
        w["robot"],
        run_number=2,
        points="150.5",
        time_text="00:58.20",
        penalty_seconds=20,
        status="ok",
        actor=w["organiser"],
    )
    db.session.commit()
    login(w["organiser"])
    rid = w["round"].id
    assert client.get(f"/judging/rounds/{rid}/referee/{w['paper'].id}").status_code == 404
    page = client.get(f"/judging/rounds/{rid}/referee/{w['robot'].id}?run=2").get_data(as_text=True)
    assert 'value="150.5"' in page and 'value="00:58.20"' in page and 'value="20"' in page


def test_a_referee_who_must_stand_aside_is_told_before_typing_the_runs(client, login):
    """Seen in the season walk: the referee list linked the entry and its page offered the run form; the 回避
    refusal came only after the points and time were typed. The list marks the entry and the page says why,
    with no form and no confirm button."""
    w = _robot_world()
    declared = jf.judge(w["contest"], name="李老师")
    declared.conflict_school_ids = [w["school"].id]
    run = runs.record_run(w["round"], w["slip"], run_number=1, points="100", time_text="01:00", actor=w["referee"])
    w["rc"].confirm_runs = True
    db.session.commit()
    login(declared.user)
    listing = client.get(f"/judging/rounds/{w['round'].id}/referee").get_data(as_text=True)
    assert f'/referee/{w["slip"].id}"' not in listing and f'/referee/{w["clean"].id}"' in listing
    assert "须回避" in listing.split("䶮队")[1].split("𠮷祥队")[0] or "须回避" in listing.split("䶮队")[1][:300]
    page = client.get(f"/judging/rounds/{w['round'].id}/referee/{w['slip'].id}").get_data(as_text=True)
    assert 'id="stand-aside"' in page and 'name="points"' not in page
    assert f"/runs/{run.id}/confirm" not in page
    other = client.get(f"/judging/rounds/{w['round'].id}/referee/{w['clean'].id}").get_data(as_text=True)
    assert 'id="stand-aside"' not in other and 'name="points"' in other
