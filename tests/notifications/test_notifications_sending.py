"""notify() and the sending job against a real SMTP server and a signed SMS gateway on loopback ports."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.db import utcnow
from core.extensions import db
from notifications import notify, notify_many
from notifications.jobs import deliver, run_backlog
from notifications.models import Message, MessageStatus
from notifications.services.addresses import Contact
from notifications.services.preferences import set_preference
from notifications.services.sending import due_message_ids, resend_message
from tests import factories
from tests.notifications.conftest import free_port, html_of, text_of


def _messages(**filters):
    query = sa.select(Message).order_by(Message.id)
    for name, value in filters.items():
        query = query.where(getattr(Message, name) == value)
    return db.session.execute(query).scalars().all()


def _send(app):
    db.session.commit()
    return run_backlog(app)


TEST_CONTEXT = {"sender": "王丽华", "channel": "email"}


def test_a_user_gets_an_inbox_message_and_a_real_email(app, smtp_server):
    user = factories.user(name="李䶮", email="liyan@example.cn")
    messages = notify(user, "notifications.test", TEST_CONTEXT, key="t-1")
    assert sorted(m.channel for m in messages) == ["email", "inbox"]
    assert _send(app)["sent"] == 1
    [received] = smtp_server.to("liyan@example.cn")
    assert received["Subject"] == "科创平台测试消息"
    assert "王丽华" in text_of(received) and "<p>" in html_of(received)
    assert received["X-Kechuang-Message"].startswith("t-1|email|user:")
    [inbox] = _messages(channel="inbox")
    assert inbox.status == MessageStatus.SENT and inbox.read_at is None
    [sent] = _messages(channel="email")
    assert sent.status == MessageStatus.SENT and sent.sent_at is not None


def test_the_recipients_language_is_used(app, smtp_server):
    user = factories.user(email="en@example.cn")
    user.locale = "en"
    notify(user, "notifications.test", TEST_CONTEXT)
    _send(app)
    assert smtp_server.to("en@example.cn")[0]["Subject"] == "Test message from Kechuang"


def test_the_same_key_never_sends_twice(app, smtp_server):
    contact = Contact(email="𠮷田@example.cn")
    first = notify(contact, "notifications.test", TEST_CONTEXT, key="once")
    assert notify(contact, "notifications.test", TEST_CONTEXT, key="once") == []
    db.session.commit()
    assert deliver([first[0].id])["sent"] == 1
    assert deliver([first[0].id])["sent"] == 0  # a redelivered job finds it claimed already
    run_backlog(app)
    assert len(smtp_server.messages) == 1
    assert len(_messages()) == 1


def test_a_server_that_is_down_leaves_the_message_failed_then_it_is_retried_once(app, smtp_server):
    app.config["MAIL_PORT"] = free_port()  # nothing listens there: the server is down
    contact = Contact(email="down@example.cn")
    [message] = notify(contact, "notifications.test", TEST_CONTEXT, key="down")
    db.session.commit()
    outcome = deliver([message.id])
    assert outcome["failed"] == 1 and message.id in outcome["retry"]
    db.session.expire_all()
    failed = db.session.get(Message, message.id)
    assert failed.status == MessageStatus.FAILED and "ConnectionRefusedError" in failed.error
    assert failed.next_attempt_at > utcnow()
    assert due_message_ids() == []  # not due before its back-off

    app.config["MAIL_PORT"] = smtp_server.port  # the server is back; time passes
    failed.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert due_message_ids() == [message.id]
    assert deliver(due_message_ids())["sent"] == 1
    assert deliver([message.id])["sent"] == 0
    assert len(smtp_server.to("down@example.cn")) == 1
    db.session.expire_all()
    assert db.session.get(Message, message.id).attempts == 2


def test_a_refused_address_keeps_the_servers_reason_and_can_be_resent(app, smtp_server):
    smtp_server.refuse.add("nobody@example.cn")
    [message] = notify(Contact(email="nobody@example.cn"), "notifications.test", TEST_CONTEXT)
    assert _send(app)["failed"] == 1
    db.session.expire_all()
    message = db.session.get(Message, message.id)
    assert message.status == MessageStatus.FAILED and message.error.startswith("550")
    smtp_server.refuse.clear()
    resend_message(message)
    assert _send(app)["sent"] == 1
    assert len(smtp_server.to("nobody@example.cn")) == 1


def test_a_sent_message_cannot_be_resent(app, smtp_server):
    [message] = notify(Contact(email="a@example.cn"), "notifications.test", TEST_CONTEXT)
    _send(app)
    db.session.expire_all()
    from core.errors import DomainError

    with pytest.raises(DomainError):
        resend_message(db.session.get(Message, message.id))


def test_without_mail_settings_messages_wait_in_the_outbox(app):
    assert not app.config.get("MAIL_SERVER")
    notify(Contact(email="a@example.cn"), "notifications.test", TEST_CONTEXT)
    assert _send(app) == {"sent": 0, "outbox": 1, "failed": 0}
    [message] = _messages()
    assert message.status == MessageStatus.OUTBOX and "王丽华" in message.body


def test_sms_goes_to_the_gateway_signed_and_signed_with_the_organisation(app, sms_gateway):
    org = factories.association(name="青溪县科学技术协会")
    notify(
        Contact(mobile="13800138000"), "notifications.test", {**TEST_CONTEXT, "channel": "sms"}, organisation_id=org.id
    )
    assert _send(app)["sent"] == 1
    [sms] = sms_gateway.received
    assert sms["mobile"] == "13800138000"
    assert sms["text"].startswith("【青溪县科学技术协会】")


def test_a_wrong_gateway_secret_fails_with_the_gateways_answer(app, sms_gateway):
    app.config["SMS_GATEWAY_SECRET"] = "not-the-secret"
    notify(Contact(mobile="13800138000"), "notifications.test", TEST_CONTEXT)
    assert _send(app)["failed"] == 1
    [message] = _messages()
    assert message.status == MessageStatus.FAILED and message.error.startswith("401")
    assert sms_gateway.rejected == 1 and sms_gateway.received == []


def test_a_gateway_url_that_is_not_http_is_refused():
    from notifications.channels import DeliveryError, HttpGatewayProvider

    for url in ("file:///etc/passwd", "ftp://gateway.example/sms", "gateway.example/sms"):
        with pytest.raises(DeliveryError, match="http"):
            HttpGatewayProvider(url, "secret")
    assert HttpGatewayProvider("https://gateway.example/sms", "secret").url == "https://gateway.example/sms"


def test_a_turned_off_channel_is_not_used_but_security_messages_always_are(app, smtp_server):
    user = factories.user(email="pref@example.cn", mobile="13900139000")
    set_preference(f"user:{user.id}", "notifications.announcement", "email", False)
    notify(user, "notifications.announcement", {"subject": "暴雨停课", "body": "活动改期"})
    assert {m.channel for m in _messages()} == {"inbox", "sms"}
    from core.errors import DomainError

    with pytest.raises(DomainError):
        set_preference(f"user:{user.id}", "accounts.password_changed", "email", False)


def test_bulk_email_has_a_one_click_unsubscribe_that_works(app, client, smtp_server):
    notify(Contact(email="parent@example.cn"), "notifications.announcement", {"subject": "通知", "body": "明天见"})
    _send(app)
    [received] = smtp_server.messages
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = received["List-Unsubscribe"].strip().strip("<>")
    assert url in text_of(received)
    path = url.removeprefix("http://localhost")
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 200  # what a mail client's one click does (no CSRF token)
    notify(Contact(email="parent@example.cn"), "notifications.announcement", {"subject": "通知二", "body": "再见"})
    assert _send(app)["sent"] == 0
    assert len(smtp_server.messages) == 1


def test_a_forged_unsubscribe_link_is_refused(client):
    assert client.post("/notifications/unsubscribe/forged.token").status_code == 404


def test_the_rate_limit_holds_back_extra_reminders(app):
    from events.notifications import REMINDER

    user = factories.user()
    for n in range(REMINDER.limit + 2):
        notify(
            user,
            REMINDER.key,
            {"name": "李䶮", "event": f"讲座{n}", "starts": utcnow(), "venue": "科技馆", "link": "http://localhost/t"},
            key=f"r{n}",
        )
    assert len(_messages(channel="inbox")) == REMINDER.limit


def test_notify_many_inserts_each_recipient_once(app):
    users = [factories.user(name=f"学生{n}") for n in range(5)]
    items = [(u, {"subject": "通知", "body": "内容"}) for u in users]
    first = notify_many(items, "notifications.announcement", key="bulk-1", channels=["inbox"])
    again = notify_many(items, "notifications.announcement", key="bulk-1", channels=["inbox"])
    assert len(first) == 5 and again == []


def test_a_finished_job_tells_its_owner(app):
    from core.jobs import enqueue, execute_job, job_handler

    @job_handler("tests.notify_job")
    def _job(progress):
        return {"value": 1}

    owner = factories.user()
    job = enqueue("tests.notify_job", owner=owner, title="导出名单")
    db.session.commit()
    execute_job(app, job.id)
    [message] = _messages(channel="inbox", user_id=owner.id)
    assert message.kind == "notifications.job_finished" and "导出名单" in message.subject
