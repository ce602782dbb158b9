"""Presentation rounds (答辩/路演): rooms and slots with a panel, each refusal (room or panel member booked twice
at once, a panel member who must stand aside, a submission placed twice), the panel as the assignment, scores as
in any round, the organiser's schedule page, the panel member's list and the applicant's slot."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from calls import judging as call_judging
from core.errors import DomainError
from core.extensions import db
from judging.models import AssignmentStatus, Judge, JudgeAssignment
from judging.presentations import services as presentations
from judging.presentations.models import PresentationPlacement
from judging.services import rounds as rounds_service
from judging.services import scoring as scoring_service
from tests import factories
from tests.calls.test_judging_rounds import APPS, reviewed_call
from tests.judging import factories as jf

NINE = datetime(2026, 12, 20, 1, 0, tzinfo=UTC)  # 09:00 China time


def at(minutes: int) -> datetime:
    return NINE + timedelta(minutes=minutes)


def presentation_round():
    """The call's 答辩 round after its online review: rooms A and B, the call's experts by name."""
    call, _review, apps, users = reviewed_call("top", {"n": 2}, APPS)
    rnd = call_judging.create_review_round(
        call, name="现场答辩", criteria=[("陈述", Decimal(50)), ("答辩", Decimal(50))], judges_per_entry=2
    )
    judges = {
        j.user.display_name: j for j in db.session.execute(sa.select(Judge).where(Judge.owner_id == call.id)).scalars()
    }
    room_a = presentations.add_room(rnd, "第一会议室")
    room_b = presentations.add_room(rnd, "第二会议室")
    return call, rnd, apps, users, judges, room_a, room_b


def test_a_slot_places_submissions_and_its_panel_becomes_their_assignment(app):
    call, rnd, apps, users, judges, room_a, room_b = presentation_round()
    slot = presentations.add_slot(rnd, room_a, at(0), at(30), [judges["陈志远"], judges["王建国"]])
    presentations.add_slot(rnd, room_a, at(30), at(60), [judges["陈志远"]])  # touching ends do not overlap
    presentations.add_slot(rnd, room_b, at(0), at(30), [judges["孙德明"], judges["刘晓梅"]])
    presentations.place_submission(slot, apps[0].id)  # 青溪大学: 孙德明 would stand aside, he is not on the panel
    rows = db.session.execute(
        sa.select(JudgeAssignment).where(
            JudgeAssignment.round_id == rnd.id, JudgeAssignment.status == AssignmentStatus.ACTIVE.value
        )
    ).scalars()
    assert {(a.entry_id, a.judge.user.display_name) for a in rows} == {(apps[0].id, "陈志远"), (apps[0].id, "王建国")}
    schedule = presentations.schedule(rnd)
    assert [room.name for room, _slots in schedule] == ["第一会议室", "第二会议室"]
    assert [s.slot.starts_at for s in schedule[0][1]] == [at(0), at(30)]
    assert [sub.id for sub in schedule[0][1][0].submissions] == [apps[0].id]
    assert {s.id for s in presentations.unplaced(rnd)} == {a.id for a in apps[1:]}
    assert presentations.slots_of_submissions("call", [apps[0].id, apps[1].id]) == {apps[0].id: slot}
    assert [s.starts_at for s in presentations.slots_of_user(users["陈志远"])] == [at(0), at(30)]
    # the panel scores as in any round
    rounds_service.open_round(rnd)
    a = db.session.execute(
        sa.select(JudgeAssignment).where(
            JudgeAssignment.round_id == rnd.id, JudgeAssignment.judge_id == judges["王建国"].id
        )
    ).scalar_one()
    score = scoring_service.save_score(a, {str(c.id): "40" for c in rnd.categories[0].criteria}, submit=True)
    assert score.submitted


def test_a_room_booked_twice_at_once_is_refused(app):
    _call, rnd, _apps, _users, judges, room_a, _room_b = presentation_round()
    presentations.add_slot(rnd, room_a, at(0), at(30), [judges["陈志远"]])
    with pytest.raises(DomainError, match="第一会议室"):
        presentations.add_slot(rnd, room_a, at(15), at(45), [judges["王建国"]])
    with pytest.raises(DomainError):
        presentations.add_slot(rnd, room_a, at(30), at(20), [judges["王建国"]])  # ends before it starts


def test_a_panel_member_in_two_rooms_at_once_is_refused(app):
    _call, rnd, _apps, _users, judges, room_a, room_b = presentation_round()
    presentations.add_slot(rnd, room_a, at(0), at(30), [judges["陈志远"], judges["王建国"]])
    with pytest.raises(DomainError, match="陈志远") as refused:
        presentations.add_slot(rnd, room_b, at(10), at(40), [judges["陈志远"], judges["刘晓梅"]])
    assert refused.value.field == "judges"


def test_a_panel_member_who_must_stand_aside_refuses_the_placement(app):
    _call, rnd, apps, _users, judges, room_a, _room_b = presentation_round()
    slot = presentations.add_slot(rnd, room_a, at(0), at(30), [judges["陈志远"], judges["王建国"]])
    with pytest.raises(DomainError, match="陈志远"):  # 页岩气储层研究 comes from 临江研究院, his workplace
        presentations.place_submission(slot, apps[2].id)
    assert presentations.slots_of_submissions("call", [apps[2].id]) == {}


def test_a_submission_placed_twice_is_refused_by_the_service_and_the_database(app):
    _call, rnd, apps, _users, judges, room_a, room_b = presentation_round()
    first = presentations.add_slot(rnd, room_a, at(0), at(30), [judges["王建国"]])
    second = presentations.add_slot(rnd, room_b, at(0), at(30), [judges["刘晓梅"]])
    presentations.place_submission(first, apps[1].id)
    with pytest.raises(DomainError, match=apps[1].code):
        presentations.place_submission(second, apps[1].id)
    db.session.add(PresentationPlacement(slot_id=second.id, round_id=rnd.id, entry_id=apps[1].id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_schedule_page_the_panel_members_list_and_the_applicants_slot(app, client, login):
    call, rnd, apps, users, judges, room_a, room_b = presentation_round()
    slot = presentations.add_slot(rnd, room_b, at(60), at(90), [judges["王建国"], judges["刘晓梅"]])
    presentations.place_submission(slot, apps[1].id)
    applicant = factories.user("王五", email="wangwu@example.cn")
    apps[1].submitted_by_id = applicant.id
    organiser = factories.organiser(call.organisation, email="schedule-organiser@example.cn")
    db.session.commit()

    login(organiser)
    page = client.get(f"/judging/rounds/{rnd.id}/schedule").get_data(as_text=True)
    assert "第一会议室" in page and "第二会议室" in page and apps[1].title in page and "王建国、刘晓梅" in page
    response = client.post(
        f"/judging/rounds/{rnd.id}/schedule",
        data={
            "slot-room": room_b.id,
            "slot-starts_at": "2026-12-20T10:10",  # China time: inside 10:00–10:30 of the slot above
            "slot-ends_at": "2026-12-20T10:40",
            "slot-judges": [judges["陈志远"].id],
            "slot-submit": "1",
        },
    )
    assert response.status_code == 200  # refused, shown beside the field, with the slot it clashes with
    assert "2026/12/20 10:00–2026/12/20 10:30" in response.get_data(as_text=True)
    assert len(presentations.slots_of(rnd)) == 1
    response = client.post(f"/judging/rounds/{rnd.id}/schedule/slots/{slot.id}/place", data={"submission": apps[4].id})
    assert response.status_code == 302
    assert presentations.slots_of_submissions("call", [apps[4].id])[apps[4].id].id == slot.id
    client.post("/logout")

    login(applicant)
    page = client.get(f"/calls/applications/{apps[1].id}").get_data(as_text=True)
    assert 'id="presentation-slot"' in page and "第二会议室" in page and "10:00" in page
    assert client.get(f"/judging/rounds/{rnd.id}/schedule").status_code == 403
    client.post("/logout")

    login(users["王建国"])
    page = client.get("/judging/my").get_data(as_text=True)
    assert 'id="my-slots"' in page and "第二会议室" in page


def test_a_contest_round_places_an_entry_and_its_school_sees_the_slot(app, client, login):
    org = factories.association(name="青溪县科协")
    contest = jf.contest(org, name="青少年科技创新大赛")
    cat = jf.category(contest)
    school = factories.school(parent=org, name="青溪县实验小学")
    entry = jf.entry(contest, cat, school, title="校园雨水回收装置")
    judges = [jf.judge(contest, name=name) for name in ("甲评委", "乙评委")]
    rnd = jf.rubric_round(contest, [cat], name="终评", k=2)
    room = presentations.add_room(rnd, "报告厅")
    slot = presentations.add_slot(rnd, room, at(0), at(20), judges)
    presentations.place_submission(slot, entry.id)
    coordinator = factories.coordinator(school, name="吴联络", email="wu-present@school.cn")
    db.session.commit()
    assert {
        a.judge_id
        for a in db.session.execute(sa.select(JudgeAssignment).where(JudgeAssignment.round_id == rnd.id)).scalars()
    } == {j.id for j in judges}

    login(coordinator)
    page = client.get(f"/contests/entries/{entry.id}").get_data(as_text=True)
    assert 'id="presentation-slot"' in page and "报告厅" in page and "09:00" in page
