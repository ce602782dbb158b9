"""The inbox (unread count in the navigation), preferences, the outbox's permissions and resending, the CLI."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from core.extensions import db
from notifications import notify
from notifications.jobs import run_backlog
from notifications.models import Message, MessageStatus
from notifications.services.addresses import Contact
from tests import factories
from tests.notifications.conftest import free_port

CONTEXT = {"subject": "科技节通知", "body": "下周五举行科技节。"}


def test_the_inbox_shows_unread_messages_and_marks_them_read(client, login):
    user = factories.user(name="李䶮")
    notify(user, "notifications.announcement", {**CONTEXT, "link": "http://localhost/events/"}, channels=["inbox"])
    factories.commit()
    login(user)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert 'id="unread-count">1<' in dashboard
    assert "科技节通知" in client.get("/notifications/").get_data(as_text=True)
    [message] = db.session.execute(sa.select(Message)).scalars().all()
    response = client.post(f"/notifications/{message.id}/open")
    assert response.status_code == 302 and response.location == "http://localhost/events/"
    assert 'id="unread-count"' not in client.get("/dashboard").get_data(as_text=True)


def test_nobody_opens_anothers_inbox_message(client, login):
    owner, other = factories.user(), factories.user()
    [message] = notify(owner, "notifications.announcement", CONTEXT, channels=["inbox"])
    factories.commit()
    login(other)
    assert client.post(f"/notifications/{message.id}/open").status_code == 403
    client.post("/notifications/read", data={"message_id": message.id})
    db.session.expire_all()
    assert db.session.get(Message, message.id).read_at is None


def test_preferences_page_turns_a_channel_off(client, login):
    user = factories.user(email="p@example.cn")
    factories.commit()
    login(user)
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert "主办方通知" in page and "accounts.password_changed" not in page
    client.post("/notifications/preferences", data={"notifications.announcement:inbox": "on"})
    notify(user, "notifications.announcement", CONTEXT)
    assert [m.channel for m in db.session.execute(sa.select(Message)).scalars()] == ["inbox"]


def test_organisers_see_only_their_units_messages_and_resend_failures(app, client, login):
    county, other = factories.association(), factories.association()
    organiser = factories.organiser(county)
    coordinator = factories.coordinator()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # a server that is down
    try:
        [mine] = notify(Contact(email="a@example.cn"), "notifications.announcement", CONTEXT, organisation_id=county.id)
        [theirs] = notify(
            Contact(email="b@example.cn"),
            "notifications.announcement",
            {"subject": "别人的通知", "body": "x"},
            organisation_id=other.id,
        )
        factories.commit()
        run_backlog(app)
    finally:
        app.config.update(MAIL_SERVER=None, MAIL_PORT=25)
    login(organiser)
    page = client.get("/notifications/outbox?status=failed").get_data(as_text=True)
    assert "科技节通知" in page and "别人的通知" not in page and "ConnectionRefusedError" in page
    assert client.get(f"/notifications/outbox/{theirs.id}").status_code == 403
    assert client.post(f"/notifications/outbox/{theirs.id}/resend").status_code == 403
    client.post(f"/notifications/outbox/{mine.id}/resend")  # no mail server now: it lands in the outbox
    db.session.expire_all()
    assert db.session.get(Message, mine.id).status == MessageStatus.OUTBOX
    client.post("/logout")
    login(coordinator)
    assert client.get("/notifications/outbox").status_code == 403


# What the CLI prints, in the installation's language: Chinese by default, English when set so.
CLI_WORDS = {
    "zh_CN": {
        "subject": "科创平台测试消息",
        "sent": "已通过 SMTP 127.0.0.1:{port} 向 admin@example.cn 发送 email",
        "outbox": "sms 未配置：消息留在发件箱",
        "listed": "邮件：发件箱（未设置 MAIL_SERVER）；短信：发件箱（未设置 SMS_PROVIDER）",
        "none": "没有消息",
        "failed": "向 x@example.cn 发送 email 失败",
        "retry": "到期 0 条：已发送 0，留在发件箱 0，失败 0",
    },
    "en": {
        "subject": "Test message from Kechuang",
        "sent": "sent email to admin@example.cn through SMTP 127.0.0.1:{port}",
        "outbox": "sms is not configured: kept in the outbox",
        "listed": "email: outbox (MAIL_SERVER unset); sms: outbox (SMS_PROVIDER unset)",
        "none": "no messages",
        "failed": "email to x@example.cn failed",
        "retry": "due 0: sent 0, outbox 0, failed 0",
    },
}


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_cli_test_message_goes_through_the_real_smtp_server(runner, smtp_server, installation_language, language):
    installation_language(language)
    result = runner.invoke(args=["notifications", "test", "--to", "admin@example.cn"])
    assert result.exit_code == 0, result.output
    assert CLI_WORDS[language]["sent"].format(port=smtp_server.port) in result.output
    # without --language the message itself is in the installation's language too
    assert smtp_server.to("admin@example.cn")[0]["Subject"] == CLI_WORDS[language]["subject"]


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_cli_test_message_without_settings_lands_in_the_outbox_and_is_listed_masked(
    runner, installation_language, language
):
    installation_language(language)
    assert CLI_WORDS[language]["none"] in runner.invoke(args=["notifications", "outbox"]).output
    result = runner.invoke(args=["notifications", "test", "--to", "13800138000"])
    assert result.exit_code == 0 and CLI_WORDS[language]["outbox"] in result.output
    listing = runner.invoke(args=["notifications", "outbox"]).output
    assert "138****8000" in listing and "13800138000" not in listing and "notifications.test" in listing
    assert CLI_WORDS[language]["listed"] in listing and CLI_WORDS[language]["none"] not in listing
    assert CLI_WORDS[language]["retry"] in runner.invoke(args=["notifications", "retry"]).output


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_cli_refuses_a_bad_address_and_reports_a_failure(app, runner, installation_language, language):
    installation_language(language)
    assert runner.invoke(args=["notifications", "test", "--to", "12345"]).exit_code == 1
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    try:
        result = runner.invoke(args=["notifications", "test", "--to", "x@example.cn"])
    finally:
        app.config.update(MAIL_SERVER=None, MAIL_PORT=25)
    assert result.exit_code == 1 and CLI_WORDS[language]["failed"] in result.output
