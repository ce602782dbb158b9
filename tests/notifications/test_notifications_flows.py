"""The triggers, as the people they tell would meet them: a visitor waitlisted then promoted, a lost ticket found
by phone, an organiser's weather message, a coordinator's returned entry, an invitation, a changed password."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from core.db import utcnow
from core.extensions import db
from events.models import Registration
from notifications.jobs import run_backlog
from notifications.models import Message, MessageStatus
from tests import factories
from tests.events import factories as ef
from tests.notifications.conftest import text_of


def _messages(**filters):
    query = sa.select(Message).order_by(Message.id)
    for name, value in filters.items():
        query = query.where(getattr(Message, name) == value)
    return db.session.execute(query).scalars().all()


def _register(client, event, name, phone):
    return client.post(
        f"/events/{event.id}",
        data={"session_id": event.sessions[0].id, "kind": "individual", "name": name, "phone": phone},
    )


def test_waitlisted_visitor_is_told_and_then_told_of_the_promotion(app, client, sms_gateway):
    org = factories.association(name="青溪县科学技术协会")
    event = ef.event(org, capacity=1, title="机器人工作坊", starts_at=utcnow() + timedelta(days=2))
    factories.commit()
    assert _register(client, event, "王一", "13800000001").status_code == 302
    assert _register(client, event, "李䶮", "13800000002").status_code == 302
    texts = [m["text"] for m in sms_gateway.received]
    assert "王一" in texts[0] and "机器人工作坊" in texts[0] and "/events/t/" in texts[0]
    assert "候补" in texts[1] and texts[1].startswith("【青溪县科学技术协会】")

    first = db.session.execute(sa.select(Registration).where(Registration.phone == "13800000001")).scalar_one()
    assert client.post(f"/events/t/{first.link_token}/cancel").status_code == 302
    promoted = sms_gateway.received[-1]
    assert promoted["mobile"] == "13800000002" and "转正" in promoted["text"]
    assert {m.status for m in _messages()} == {MessageStatus.SENT}
    # the same cancellation again (a double click) tells no one twice
    client.post(f"/events/t/{first.link_token}/cancel")
    assert len(sms_gateway.received) == 3


def test_without_an_sms_gateway_the_messages_wait_in_the_outbox_admins_read(app, client, login):
    event = ef.event(capacity=1, title="天文观测夜")
    admin = factories.admin()
    factories.commit()
    _register(client, event, "张小明", "13800000003")
    [sms] = _messages(channel="sms")
    assert sms.status == MessageStatus.OUTBOX
    login(admin)
    page = client.get("/notifications/outbox").get_data(as_text=True)
    assert "报名成功：天文观测夜" in page and "138****0003" in page and "13800000003" not in page
    detail = client.get(f"/notifications/outbox/{sms.id}").get_data(as_text=True)
    assert "张小明" in detail and "/events/t/" in detail


def test_a_lost_ticket_is_found_by_phone_with_a_one_time_code(app, client, sms_gateway):
    event = ef.event(title="科学实验秀")
    registration = ef.registration(event, name="陈𠮷", phone="13800000004")
    factories.commit()
    sms_gateway.received.clear()

    page = client.post("/events/my", data={"contact": "138 0000 0004"}, follow_redirects=True).get_data(as_text=True)
    assert "138****0004" in page
    code = re.search(r"(\d{6})", sms_gateway.received[-1]["text"]).group(1)
    wrong = "000000" if code != "000000" else "111111"
    assert "验证码不正确" in client.post("/events/my/code", data={"code": wrong}).get_data(as_text=True)
    response = client.post("/events/my/code", data={"code": code})
    assert response.status_code == 302 and response.location.endswith("/events/my/list")
    listing = client.get("/events/my/list").get_data(as_text=True)
    assert "科学实验秀" in listing and registration.link_token in listing

    # single use: the same code again opens nothing
    with client.session_transaction() as session:
        session.clear()
        session["events_recovery"] = "13800000004"
    assert "验证码不正确" in client.post("/events/my/code", data={"code": code}).get_data(as_text=True)


def test_ticket_recovery_answers_the_same_for_an_unknown_number_and_sends_nothing(app, client, sms_gateway):
    page = client.post("/events/my", data={"contact": "13999999999"}, follow_redirects=True).get_data(as_text=True)
    assert "139****9999" in page and sms_gateway.received == []
    assert _messages() == []


def test_ticket_recovery_refuses_a_malformed_number_at_the_form(client):
    page = client.post("/events/my", data={"contact": "12345"}).get_data(as_text=True)
    assert "请输入中国大陆手机号" in page
    page = client.post("/events/my", data={"contact": "a@b"}).get_data(as_text=True)
    assert "请输入有效的电子邮箱地址" in page


def test_codes_expire_and_die_after_too_many_guesses(app):
    from notifications.services.codes import CODE_TRIES, issue_code, redeem_code

    code = issue_code("test", "13800000005")
    for _ in range(CODE_TRIES):
        assert not redeem_code("test", "13800000005", "999999" if code != "999999" else "888888")
    assert not redeem_code("test", "13800000005", code)
    old = issue_code("test", "13800000006", now=utcnow() - timedelta(minutes=11))
    assert not redeem_code("test", "13800000006", old)


def test_an_organiser_messages_the_registrants_after_a_preview(app, client, login, sms_gateway):
    org = factories.association()
    event = ef.event(org, capacity=2, title="户外观鸟")
    for n in range(3):
        ef.registration(event, name=f"观众{n}", phone=f"1380000010{n}")
    organiser = factories.organiser(org)
    factories.commit()
    sms_gateway.received.clear()
    login(organiser)
    form = {"subject": "暴雨停课", "body": "因暴雨，明天的观鸟活动取消。", "channels": ["sms"]}
    preview = client.post(f"/events/{event.id}/message", data={**form, "session_id": 0, "preview": "1"})
    assert "此消息将发送给 3 人" in preview.get_data(as_text=True) and sms_gateway.received == []
    sent = client.post(f"/events/{event.id}/message", data={**form, "session_id": 0, "send": "1"})
    assert sent.status_code == 302
    assert sorted(m["mobile"] for m in sms_gateway.received) == ["13800000100", "13800000101", "13800000102"]
    assert all("暴雨停课" in m["text"] for m in sms_gateway.received)
    outbox = client.get("/notifications/outbox").get_data(as_text=True)
    assert "暴雨停课" in outbox


def test_cancelling_an_event_tells_every_registrant_once(app, sms_gateway):
    from events.services import planning as planning_service

    event = ef.event(capacity=1, title="航模表演")
    ef.registration(event, phone="13800000201")
    ef.registration(event, phone="13800000202")  # waitlisted: told too
    factories.commit()
    run_backlog(app)
    sms_gateway.received.clear()
    planning_service.set_event_status(event, "cancelled")
    factories.commit()
    run_backlog(app)
    assert sorted(m["mobile"] for m in sms_gateway.received) == ["13800000201", "13800000202"]
    assert all("取消" in m["text"] for m in sms_gateway.received)


def test_reminders_go_once_the_day_before(app, runner, sms_gateway):
    event = ef.event(title="青少年编程营", starts_at=utcnow() + timedelta(hours=20))
    ef.registration(event, phone="13800000301")
    factories.commit()
    run_backlog(app)
    sms_gateway.received.clear()
    assert "已排队 1 条" in runner.invoke(args=["events", "remind"]).output
    assert "已排队 0 条" in runner.invoke(args=["events", "remind"]).output
    run_backlog(app)
    [reminder] = sms_gateway.received
    assert "青少年编程营" in reminder["text"] and "提醒" in reminder["text"]


def test_a_coordinator_is_emailed_when_an_entry_is_returned(app, client, login, smtp_server):
    from tests.competitions import factories as cf

    county = factories.association("青溪县科协")
    school = factories.school(county, stage="junior", name="青溪县第一中学")
    contest = cf.contest(county, name="第25届青少年科技创新大赛")
    category = cf.category(contest, code="JQR", quotas=(("school", "junior", "individual", 50),))
    entry = cf.entry(
        contest, category, school, students=[cf.student(school, grade=8)], status="submitted", title="智能垃圾分类桶"
    )
    coordinator = factories.coordinator(school, name="刘芳", email="liufang@example.cn")
    organiser = factories.organiser(county)
    factories.commit()
    login(organiser)
    client.post(f"/contests/entries/{entry.id}/review", data={"action": "return", "reason": "请补充实验照片"})
    [mail] = smtp_server.to("liufang@example.cn")
    assert "智能垃圾分类桶" in mail["Subject"] and "请补充实验照片" in text_of(mail)
    assert f"/contests/entries/{entry.id}" in text_of(mail)
    [inbox] = _messages(channel="inbox", user_id=coordinator.id)
    assert inbox.kind == "competitions.entry_returned"


def test_an_organiser_messages_the_coordinators_of_a_contest(app, client, login, smtp_server):
    from tests.competitions import factories as cf

    county = factories.association()
    contest = cf.contest(county)
    category = cf.category(contest, code="KX", quotas=(("school", "junior", "individual", 50),))
    schools = [factories.school(county, stage="junior") for _ in range(3)]
    for n, school in enumerate(schools[:2]):
        cf.entry(contest, category, school, students=[cf.student(school, grade=8)])
        factories.coordinator(school, email=f"coord{n}@example.cn")
    factories.coordinator(schools[2], email="no-entry@example.cn")
    organiser = factories.organiser(county)
    factories.commit()
    login(organiser)
    form = {"subject": "终评时间调整", "body": "终评改在周六上午。", "channels": ["email"]}
    preview = client.post(f"/contests/{contest.id}/message", data={**form, "preview": "1"}).get_data(as_text=True)
    assert "此消息将发送给 2 人" in preview
    client.post(f"/contests/{contest.id}/message", data={**form, "send": "1"})
    assert sorted(m["To"] for m in smtp_server.messages) == ["coord0@example.cn", "coord1@example.cn"]


def test_an_invitation_link_is_emailed(app, client, login, smtp_server):
    county = factories.association()
    school = factories.school(county, name="青溪县实验小学")
    organiser = factories.organiser(county)
    factories.commit()
    login(organiser)
    response = client.post(
        "/invitations",
        data={"role": "coordinator", "organisation_id": school.id, "email": "new.teacher@example.cn", "name": "赵老师"},
    )
    assert response.status_code == 200
    [mail] = smtp_server.to("new.teacher@example.cn")
    link = re.search(r"http://localhost/invite/\S+", text_of(mail)).group(0)
    assert client.get(link.removeprefix("http://localhost")).status_code == 200


def test_an_invalid_email_is_refused_at_the_invitation_form(client, login, smtp_server):
    county = factories.association()
    organiser = factories.organiser(county)
    factories.commit()
    login(organiser)
    page = client.post(
        "/invitations", data={"role": "coordinator", "organisation_id": county.id, "email": "not-an-email"}
    ).get_data(as_text=True)
    assert "请输入有效的电子邮箱地址" in page and smtp_server.messages == []


def test_an_invitation_link_is_sent_by_sms_to_the_mobile_given(app, client, login, sms_gateway):
    from accounts.models import Invitation, User
    from core.permissions import Role
    from tests.competitions import factories as cf

    county = factories.association(name="青溪县科学技术协会")
    organiser = factories.organiser(county)
    contest = cf.contest(county, year=2026, name="青溪县青少年科技创新大赛")
    factories.commit()
    login(organiser)
    response = client.post(
        "/invitations", data={"role": "judge", "contest_id": contest.id, "mobile": "138 0013 8000", "name": "王䶮"}
    )
    assert response.status_code == 200 and "/invite/" in response.get_data(as_text=True)
    [sms] = sms_gateway.received
    assert sms["mobile"] == "13800138000" and sms_gateway.rejected == 0
    assert "邀请您以评委身份" in sms["text"]
    assert "2026 青溪县青少年科技创新大赛" in sms["text"]
    link = re.search(r"http://localhost/invite/\S+", sms["text"]).group(0)
    client.post("/logout")
    page = client.get(link.removeprefix("http://localhost")).get_data(as_text=True)
    assert "2026 青溪县青少年科技创新大赛" in page and 'value="13800138000"' in page
    response = client.post(
        link.removeprefix("http://localhost"),
        data={"name": "王䶮", "password": "a-good-password-𠮷", "confirm": "a-good-password-𠮷"},
    )
    assert response.status_code == 302
    user = db.session.execute(sa.select(User).where(User.mobile == "13800138000")).scalar_one()
    assert user.scope_ids(Role.JUDGE) == {contest.id}
    assert db.session.scalar(sa.select(Invitation.used_at)) is not None


def test_an_invalid_mobile_is_refused_at_the_invitation_form(client, login, sms_gateway):
    from accounts.models import Invitation

    county = factories.association()
    school = factories.school(county)
    organiser = factories.organiser(county)
    factories.commit()
    login(organiser)
    page = client.post(
        "/invitations", data={"role": "coordinator", "organisation_id": school.id, "mobile": "1234567"}
    ).get_data(as_text=True)
    assert "请输入中国大陆手机号" in page and "/invite/" not in page
    assert sms_gateway.received == [] and db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0


def test_a_changed_password_is_told_even_when_the_person_turned_messages_off(app, client, login, smtp_server):
    from notifications.services.preferences import set_preference

    user = factories.user(email="safe@example.cn")
    set_preference(f"user:{user.id}", "notifications.announcement", "email", False)
    factories.commit()
    login(user)
    client.post(
        "/profile",
        data={
            "pw-current_password": factories.PASSWORD,
            "pw-password": "新的密码-䶮-12345",
            "pw-confirm": "新的密码-䶮-12345",
            "pw-submit": "1",
        },
    )
    [mail] = smtp_server.to("safe@example.cn")
    assert mail["Subject"] == "您的密码已修改"


def test_a_caravan_requester_hears_of_the_request_and_the_decision(app, sms_gateway):
    from events.caravan import visits as visits_service

    org = factories.association(name="青溪县科学技术协会")
    ef.caravan(org)
    visit = ef.visit_request(org, ef.future_day(20), contact_phone="13800000401", host_name="桃源镇中心小学")
    visits_service.decline_visit(visit, reason="当天车辆检修")
    factories.commit()
    run_backlog(app)
    received, declined = [m["text"] for m in sms_gateway.received]
    assert "桃源镇中心小学" in received and "已收到" in received
    assert "未获批准" in declined and "当天车辆检修" in declined


def test_moving_an_event_tells_its_registrants_but_a_new_description_does_not(app, sms_gateway):
    from events.services import planning as planning_service

    event = ef.event(title="机器人嘉年华", starts_at=utcnow() + timedelta(days=5))
    ef.registration(event, phone="13800000501")
    factories.commit()
    run_backlog(app)
    sms_gateway.received.clear()
    planning_service.update_event(event, description="新增无人机表演")
    factories.commit()
    run_backlog(app)
    assert sms_gateway.received == []
    later = event.starts_at + timedelta(days=1)
    planning_service.update_event(event, starts_at=later, ends_at=later + timedelta(hours=3))
    factories.commit()
    run_backlog(app)
    [moved] = sms_gateway.received
    assert moved["mobile"] == "13800000501" and "有变更" in moved["text"]
