"""Judging's messages: judges told when a round opens and reminded of unscored entries (once a day), coordinators
told of 公示 and final results, organisers of an objection, the objector of the answer (by the contact left)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from core.db import utcnow
from core.extensions import db
from judging.services import notice as notice_service
from judging.services import results as results_service
from judging.services import rounds
from notifications.jobs import run_backlog
from notifications.models import Message
from tests import factories
from tests.judging import factories as jf
from tests.judging.test_services import assign_all, submit_all
from tests.notifications.conftest import text_of


def _kinds(user):
    return [
        m.kind
        for m in db.session.execute(
            sa.select(Message).where(Message.user_id == user.id, Message.channel == "inbox").order_by(Message.id)
        ).scalars()
    ]


def test_judges_are_told_when_a_round_opens_and_reminded_once_a_day(app):
    w = jf.world(n_entries=4, n_judges=3, k=3)
    w["round"].status = "setup"
    assign_all(w)
    rounds.open_round(w["round"])
    assert _kinds(w["judges"][0].user) == ["judging.round_open"]
    rounds.open_round(w["round"])  # opened again: no second message
    assert _kinds(w["judges"][0].user) == ["judging.round_open"]

    from judging.notifications import send_judge_reminders

    w["round"].closes_at = utcnow() + timedelta(hours=20)
    db.session.flush()
    assert send_judge_reminders(utcnow()) == 3 * 2  # three judges, in the inbox and by email
    assert send_judge_reminders(utcnow()) == 0
    [reminder] = db.session.execute(
        sa.select(Message).where(
            Message.kind == "judging.unscored_reminder",
            Message.user_id == w["judges"][0].user.id,
            Message.channel == "inbox",
        )
    ).scalars()
    assert reminder.subject.startswith("还有 4 件作品待评")


def test_coordinators_hear_of_the_notice_and_the_final_results_and_the_objector_of_the_answer(
    app, smtp_server, sms_gateway
):
    w = jf.world(n_entries=2, n_judges=3, k=3)
    coordinator = factories.coordinator(w["schools"][0], name="刘芳", email="liufang@school.example.cn")
    assign_all(w)
    submit_all(w, {0: [18, 18, 18], 1: [10, 12, 14]})
    results_service.close_round(w["round"])
    notice = notice_service.start_notice(w["contest"], w["round"], days=7, actor=w["organiser"])
    objection = notice_service.submit_objection(
        notice, name="李四", contact="138 0000 0000", reason="该作品与往届作品雷同，请复核。"
    )
    assert "judging.objection_received" in _kinds(w["organiser"])
    notice_service.answer_objection(objection, accept=False, reply="经复核，作品为原创。", actor=w["organiser"])
    notice_service.finalise_notice(notice, now=notice.ends_at + timedelta(hours=1), actor=w["organiser"])
    factories.commit()
    run_backlog(app)

    assert _kinds(coordinator) == ["judging.results_published", "judging.results_final"]
    subjects = sorted(str(m["Subject"]).strip() for m in smtp_server.to("liufang@school.example.cn"))
    assert subjects[0].startswith("结果公示") and subjects[1].startswith("结果已确定")
    final = [
        m for m in smtp_server.to("liufang@school.example.cn") if str(m["Subject"]).strip().startswith("结果已确定")
    ][0]
    assert f"/judging/public/{w['contest'].id}" in text_of(final)
    [answer] = [m for m in sms_gateway.received if m["mobile"] == "13800000000"]
    assert "未被采纳" in answer["text"] and "经复核" in answer["text"]


def test_issued_certificates_are_announced_to_the_schools_coordinators(app, smtp_server):
    from certificates import services as certificate_services
    from tests.certificates import factories as certf

    certf.install_source()
    county = factories.association()
    school = factories.school(county, name="青溪县实验小学")
    coordinator = factories.coordinator(school, email="coord@school.example.cn")
    certf.contest(9901, county, certf.holders_for(school, ["王小明", "李䶮", "陈𠮷"]))
    issued, _plan = certificate_services.issue_certificates(
        certf.SOURCE_KEY, 9901, certf.template(county), accept_preflight=True
    )
    factories.commit()
    certf.BATCHES.clear()
    run_backlog(app)
    assert len(issued) == 3
    assert _kinds(coordinator) == ["certificates.school_issued"]
    [mail] = smtp_server.to("coord@school.example.cn")
    assert str(mail["Subject"]).strip().startswith(
        "已颁发 3 份证书"
    ) and f"/certificates/school/{school.id}" in text_of(mail)
