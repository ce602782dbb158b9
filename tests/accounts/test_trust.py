"""Issue 19 (trust), authentication and authorisation: each hole a hostile user found, with the test that guards it."""

from __future__ import annotations

import logging
import uuid

import pytest
import sqlalchemy as sa

from accounts import invitations, services, throttle
from accounts.models import ApiToken, Invitation, LoginFailure, Membership, User
from core import create_app
from core.errors import DomainError
from core.extensions import db
from core.permissions import Role
from tests import factories
from tests.competitions import factories as contest_factories
from tests.events import factories as event_factories

# --- 1. invitations confined ---------------------------------------------------------------------------


def _two_associations():
    mine, theirs = factories.association("青溪县科学技术协会"), factories.association("江城市科学技术协会")
    organiser = factories.organiser(mine, name="欧阳䶮")
    return mine, theirs, organiser


def test_an_organiser_cannot_invite_judges_or_staff_to_another_associations_contest_or_event():
    mine, theirs, organiser = _two_associations()
    their_contest = contest_factories.contest(theirs, status="draft", name="江城市第一届机器人大赛")
    their_event = event_factories.event(theirs, status="draft")
    for role, scope_id in ((Role.JUDGE, their_contest.id), (Role.CHECKIN, their_event.id)):
        with pytest.raises(DomainError) as err:
            invitations.create_invitation(role=role, created_by=organiser, scope_id=scope_id)
        assert err.value.status == 403
    with pytest.raises(DomainError):
        invitations.create_invitation(
            role=Role.COORDINATOR, created_by=organiser, organisation=factories.school(parent=theirs)
        )
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0


def test_an_invitation_to_an_unknown_contest_or_event_is_refused_with_a_message(client, login):
    _mine, _theirs, organiser = _two_associations()
    factories.commit()
    login(organiser)
    for data in (
        {"role": "judge", "contest_id": "424242"},
        {"role": "checkin", "event_id": "424242"},
        {"role": "judge", "contest_id": "99999999999999999999"},
    ):
        response = client.post("/invitations", data={"organisation_id": "0", "email": "", "name": "", **data})
        html = response.get_data(as_text=True)
        assert response.status_code == 200, data
        assert "/invite/" not in html
        assert "不存在" in html, data
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0


def test_the_invitation_form_offers_the_inviters_own_contests_and_events_by_name(client, login):
    mine, theirs, organiser = _two_associations()
    own_contest = contest_factories.contest(mine, name="青溪县第三届青少年科技创新大赛")
    contest_factories.contest(theirs, name="江城市第一届机器人大赛")
    own_event = event_factories.event(mine, title="𠮷祥科普讲座")
    event_factories.event(theirs, title="别人的活动")
    factories.commit()
    login(organiser)
    html = client.get("/invitations").get_data(as_text=True)
    assert "青溪县第三届青少年科技创新大赛" in html and "𠮷祥科普讲座" in html
    assert "江城市第一届机器人大赛" not in html and "别人的活动" not in html
    assert f'<option value="{own_contest.id}">' in html
    response = client.post(
        "/invitations",
        data={"role": "checkin", "event_id": own_event.id, "organisation_id": "0", "email": "", "name": "周晓燕"},
    )
    assert "/invite/" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Invitation.scope_id)) == own_event.id


def test_a_forged_post_for_another_associations_event_is_refused(client, login):
    _mine, theirs, organiser = _two_associations()
    their_event = event_factories.event(theirs, status="draft")
    factories.commit()
    login(organiser)
    response = client.post(
        "/invitations",
        data={"role": "checkin", "event_id": their_event.id, "organisation_id": "0", "email": "", "name": ""},
    )
    assert "/invite/" not in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0


def test_an_invitation_is_checked_again_when_accepted(client):
    mine, _theirs, organiser = _two_associations()
    contest = contest_factories.contest(mine)
    _invitation, token = invitations.create_invitation(role=Role.JUDGE, created_by=organiser, scope_id=contest.id)
    membership = db.session.execute(sa.select(Membership).where(Membership.user_id == organiser.id)).scalar_one()
    services.revoke_role(membership)  # the inviter no longer organises the unit
    factories.commit()
    response = client.get(f"/invite/{token}")
    assert response.status_code == 410 and "不再有效" in response.get_data(as_text=True)
    data = {"name": "孙德明", "email": "judge@example.cn", "password": "a-good-password", "confirm": "a-good-password"}
    assert client.post(f"/invite/{token}", data=data).status_code == 410
    assert db.session.execute(sa.select(User).where(User.email == "judge@example.cn")).first() is None


# --- 4. sessions tied to credentials ------------------------------------------------------------------


def _change_password(client, new: str, **extra):
    return client.post(
        "/profile",
        data={
            "pw-current_password": factories.PASSWORD,
            "pw-password": new,
            "pw-confirm": new,
            "pw-submit": "1",
            **extra,
        },
    )


def test_a_password_change_ends_every_other_session_and_keeps_this_one(app):
    user = factories.user(email="two@example.cn")
    factories.commit()
    laptop, phone = app.test_client(), app.test_client()
    for device in (laptop, phone):
        assert (
            device.post("/login", data={"login": "two@example.cn", "password": factories.PASSWORD}).status_code == 302
        )
        assert device.get("/profile").status_code == 200
    assert _change_password(laptop, "新的密码-䶮-2026").status_code == 302
    assert laptop.get("/profile").status_code == 200
    gone = phone.get("/profile")
    assert gone.status_code == 302 and "/login" in gone.headers["Location"]
    db.session.refresh(user)
    assert user.session_version == 1


def test_a_remember_me_cookie_ends_with_the_password_too(app):
    from flask_login import encode_cookie

    user = factories.user(email="remember@example.cn")
    factories.commit()
    stale = encode_cookie(user.get_id())
    user.session_version += 1
    factories.commit()
    client = app.test_client()
    client.set_cookie(app.config.get("REMEMBER_COOKIE_NAME", "remember_token"), stale)
    assert client.get("/profile").status_code == 302


def test_a_cookie_with_the_bare_user_id_is_refused(app, client):
    user = factories.user(email="old@example.cn")
    factories.commit()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)  # what the cookie held before session versions
        session["_fresh"] = True
    assert client.get("/profile").status_code == 302


def test_log_out_everywhere(app):
    factories.user(email="every@example.cn")
    factories.commit()
    laptop, phone = app.test_client(), app.test_client()
    for device in (laptop, phone):
        device.post("/login", data={"login": "every@example.cn", "password": factories.PASSWORD})
    assert "在所有设备上退出" in laptop.get("/profile").get_data(as_text=True)
    assert laptop.post("/profile/logout-everywhere").status_code == 302
    assert laptop.get("/profile").status_code == 302
    assert phone.get("/profile").status_code == 302


def test_a_password_change_revokes_api_tokens_when_asked(app, client, login):
    user = factories.user(email="tokens@example.cn")
    _row, kept = services.create_api_token(user, "扫码枪")
    factories.commit()
    login(user)
    _change_password(client, "another-good-pass-1")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {kept}"}).status_code == 200
    _row, token = services.create_api_token(user, "脚本")
    factories.commit()
    client.post("/login", data={"login": "tokens@example.cn", "password": "another-good-pass-1"})
    html = client.get("/profile").get_data(as_text=True)
    assert "同时撤销我的 API 令牌" in html
    response = client.post(
        "/profile",
        data={
            "pw-current_password": "another-good-pass-1",
            "pw-password": "third-good-pass-2",
            "pw-confirm": "third-good-pass-2",
            "pw-revoke_tokens": "y",
            "pw-submit": "1",
        },
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id)).where(ApiToken.revoked_at.is_(None))) == 0
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


# --- 5. authentication hygiene ------------------------------------------------------------------------


def test_an_unknown_login_checks_a_password_hash_like_a_wrong_password(client, monkeypatch):
    """No timing assertion: the unknown login must take the same path, one scrypt check of a real-cost hash."""
    import accounts.models

    checked: list[str] = []
    real = accounts.models.check_password_hash

    def spy(password_hash, password):
        checked.append(password_hash.split("$")[0])
        return real(password_hash, password)

    monkeypatch.setattr(accounts.models, "check_password_hash", spy)
    factories.user(email="known@example.cn")
    factories.commit()
    client.post("/login", data={"login": "known@example.cn", "password": "wrong-password"})
    client.post("/login", data={"login": "nobody@example.cn", "password": "wrong-password"})
    assert len(checked) == 2
    assert checked[0] == checked[1] and checked[0].startswith("scrypt:")


def _fail(client, login: str):
    return client.post("/login", data={"login": login, "password": "wrong-password"})


def test_failed_logins_lock_the_account_not_the_venue(app):
    """Five failures lock an account (known or not, the same answer); another judge behind the same NAT logs in."""
    factories.user(email="judge1@example.cn")
    factories.user(email="judge2@example.cn")
    factories.commit()
    venue = app.test_client()
    codes = [_fail(venue, "judge1@example.cn").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    page = venue.post("/login", data={"login": "judge1@example.cn", "password": factories.PASSWORD})
    assert page.status_code == 429 and "此账号登录失败次数过多" in page.get_data(as_text=True)
    assert [_fail(venue, "ghost@example.cn").status_code for _ in range(6)][-1] == 429
    colleague = venue.post("/login", data={"login": "judge2@example.cn", "password": factories.PASSWORD})
    assert colleague.status_code == 302


def test_failed_logins_from_one_address_are_limited_across_accounts(app):
    app.config["LOGIN_FAILURES_PER_IP"] = "8 per 15 minutes"
    try:
        client = app.test_client()
        codes = [_fail(client, f"guess{n}@example.cn").status_code for n in range(9)]
        page = _fail(client, "another@example.cn").get_data(as_text=True)
    finally:
        app.config["LOGIN_FAILURES_PER_IP"] = "50 per 15 minutes"
    assert codes == [200] * 8 + [429]
    assert "来自您所在网络的登录失败次数过多" in page


def test_failed_logins_are_counted_in_the_database_every_worker_sees(app, tmp_path):
    """Two app instances (two workers) on one database share the counts: no per-process memory."""
    other_worker = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": app.config["DATABASE_URL"],
            "SECRET_KEY": "y" * 40,
            "WTF_CSRF_ENABLED": False,
        },
        instance_path=str(tmp_path),
    )
    factories.user(email="shared@example.cn")
    factories.commit()
    for _ in range(3):
        _fail(app.test_client(), "shared@example.cn")
    db.session.remove()
    with other_worker.app_context():
        codes = [_fail(other_worker.test_client(), "shared@example.cn").status_code for _ in range(3)]
        db.session.remove()
        db.get_engine().dispose()
    assert codes == [200, 200, 429]
    assert db.session.scalar(sa.select(sa.func.count(LoginFailure.id))) == 5


def test_a_successful_login_forgets_the_accounts_failures(client):
    factories.user(email="typo@example.cn")
    factories.commit()
    for _ in range(4):
        _fail(client, "typo@example.cn")
    assert client.post("/login", data={"login": "typo@example.cn", "password": factories.PASSWORD}).status_code == 302
    client.post("/logout")
    assert [_fail(client, "typo@example.cn").status_code for _ in range(5)] == [200] * 5


def test_the_redis_store_counts_the_same_way(app):
    import redis

    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    store = throttle.RedisStore(url, prefix=f"kc-test-{uuid.uuid4().hex}")
    app.extensions["login_throttle"] = store
    try:
        account = "email:redis@example.cn"
        for _ in range(5):
            assert throttle.login_blocked(account, "10.0.0.1") is None
            throttle.record_login_failure(account, "10.0.0.1")
        assert throttle.login_blocked(account, "10.0.0.1")[0] == throttle.ACCOUNT
        assert throttle.login_blocked("email:colleague@example.cn", "10.0.0.1") is None
        throttle.clear_login_failures(account)
        assert throttle.login_blocked(account, "10.0.0.1") is None
        assert db.session.scalar(sa.select(sa.func.count(LoginFailure.id))) == 0
    finally:
        del app.extensions["login_throttle"]


def test_redis_url_selects_the_redis_store(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "z" * 40,
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        },
        instance_path=str(tmp_path),
    )
    with app.app_context():
        assert isinstance(throttle._store(), throttle.RedisStore)  # noqa: SLF001


@pytest.mark.parametrize("password", ["12345678", "password", "Password1", "qwertyuiop", "ｐａｓｓｗｏｒｄ"])
def test_common_passwords_are_refused(password):
    with pytest.raises(DomainError) as err:
        factories.user(email="common@example.cn", password=password)
    assert err.value.field == "password"


@pytest.mark.parametrize(
    ("email", "mobile", "password"),
    [
        ("zhangwei@example.cn", None, "zhangwei2024"),
        ("zhangwei@example.cn", None, "ZHANGWEI@example.cn"),
        (None, "13800138000", "13800138000"),
        (None, "13800138000", "pw13800138000"),
    ],
)
def test_a_password_built_on_the_users_own_login_is_refused(email, mobile, password):
    with pytest.raises(DomainError) as err:
        factories.user(email=email, mobile=mobile, password=password)
    assert err.value.field == "password"


def test_the_password_policy_applies_to_a_change_too(client, login):
    user = factories.user(email="change@example.cn")
    factories.commit()
    login(user)
    html = _change_password(client, "password").get_data(as_text=True)
    assert "最常见" in html
    html = _change_password(client, "change-me-change").get_data(as_text=True)
    assert "不能包含您的邮箱" in html


# --- 6. never a 500 on bad input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/events/99999999999999999999", "/events/2147483648", "/contests/99999999999999999999"]
)
def test_ids_beyond_the_database_range_answer_404(client, path):
    assert client.get(path).status_code == 404


def test_ids_beyond_the_database_range_in_a_query_answer_404_for_pages_and_422_for_the_api(client, login):
    organiser = factories.organiser()
    _row, token = services.create_api_token(organiser, "脚本")
    factories.commit()
    response = client.get(
        "/api/v1/reports/annual?org=99999999999999999999&year=2025", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "invalid"
    login(organiser)
    assert client.get("/reports/annual?org=99999999999999999999&year=2025").status_code == 404


@pytest.mark.parametrize("target", ["/profile\r\nSet-Cookie: x=1", "/dashboard\nX: y", "/a\x00b"])
def test_a_next_with_control_characters_is_refused(client, target):
    factories.user(email="crlf@example.cn")
    factories.commit()
    response = client.post("/login", data={"login": "crlf@example.cn", "password": factories.PASSWORD, "next": target})
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    response = client.post("/lang/en", data={"next": target})
    assert response.status_code == 302 and "\n" not in response.headers["Location"]


def test_an_unreachable_database_is_reported_at_start_up_and_healthz_answers_503(tmp_path, caplog):
    with caplog.at_level(logging.ERROR):
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "u" * 40,
                "DATABASE_URL": "postgresql+psycopg://kechuang:secret@127.0.0.1:1/nowhere",
            },
            instance_path=str(tmp_path),
        )
    assert any("cannot be reached" in r.getMessage() and "secret" not in r.getMessage() for r in caplog.records)
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json() == {"status": "unavailable"}
    page = client.get("/")
    assert page.status_code == 503 and "数据库" in page.get_data(as_text=True)


# --- 7. CSRF exemption only for a valid token ---------------------------------------------------------


def _csrf_token(client) -> str:
    html = client.get("/").get_data(as_text=True)
    return html.split('<meta name="csrf-token" content="')[1].split('"')[0]


def test_a_session_with_a_junk_bearer_header_still_needs_the_csrf_token(client, login, csrf_enabled):
    user = factories.organiser(email="csrf@example.cn")
    _row, token = services.create_api_token(user, "脚本")
    factories.commit()
    client.post(
        "/login", data={"login": "csrf@example.cn", "password": factories.PASSWORD, "csrf_token": _csrf_token(client)}
    )
    url = "/api/v1/competitions/contests/424242/status"  # a state-changing API route (the contest does not exist)
    for header in ("Bearer junk", f"Bearer {token}"):  # a cookie session is a session request, whatever it carries
        response = client.post(url, json={"status": "registration"}, headers={"Authorization": header})
        assert response.status_code == 400 and response.get_json()["error"]["code"] == "csrf", header
    client.post("/logout", headers={"X-CSRFToken": _csrf_token(client)})
    response = client.post(url, json={"status": "registration"}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (404, 422) and response.get_json()["error"]["code"] != "csrf"
    response = client.post(url, json={"status": "registration"}, headers={"Authorization": "Bearer junk"})
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "invalid_token"


def test_a_bad_token_on_a_public_api_route_is_told_about_the_token_not_csrf(client, csrf_enabled):
    response = client.post(
        "/api/v1/checkins",
        json={"code": "x", "event_id": 1, "nonce": "n1"},
        headers={"Authorization": "Bearer kc_" + "x" * 43},
    )
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "invalid_token"
