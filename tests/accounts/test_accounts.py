from datetime import timedelta

import pytest
import sqlalchemy as sa

from accounts import invitations as account_invitations
from accounts import scopes as account_scopes
from accounts import services
from accounts.models import ApiToken, Invitation, Membership, User
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from core.models import AuditLog
from core.permissions import Role, can
from tests import factories
from tests.competitions import factories as contest_factories


def test_login_by_email_or_mobile(client):
    factories.user(name="张䶮", email="Zhang@Example.cn", mobile="13800138000")
    factories.commit()
    for login in (
        "zhang@example.cn",
        " ZHANG@example.cn ",
        "138 0013 8000",
        "+8613800138000",
        "１３８００１３８０００",
    ):
        client.post("/logout")
        response = client.post("/login", data={"login": login, "password": factories.PASSWORD})
        assert response.status_code == 302, login


def test_wrong_password_gets_a_clear_message_and_no_session(client):
    factories.user(email="w@example.cn")
    factories.commit()
    response = client.post("/login", data={"login": "w@example.cn", "password": "nope"})
    assert response.status_code == 200
    assert "邮箱/手机号或密码不正确" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_inactive_user_cannot_log_in(client):
    user = factories.user(email="off@example.cn")
    user.active = False
    factories.commit()
    assert client.post("/login", data={"login": "off@example.cn", "password": factories.PASSWORD}).status_code == 200


def test_passwords_are_hashed_with_scrypt():
    user = factories.user(email="h@example.cn")
    assert user.password_hash.startswith("scrypt:")
    assert factories.PASSWORD not in user.password_hash


def test_logout_and_password_change(client, login):
    user = factories.user(email="pw@example.cn")
    factories.commit()
    login(user)
    response = client.post(
        "/profile",
        data={
            "pw-current_password": "wrong",
            "pw-password": "new-password-1",
            "pw-confirm": "new-password-1",
            "pw-submit": "1",
        },
    )
    assert "当前密码不正确" in response.get_data(as_text=True)
    response = client.post(
        "/profile",
        data={
            "pw-current_password": factories.PASSWORD,
            "pw-password": "new-password-1",
            "pw-confirm": "new-password-1",
            "pw-submit": "1",
        },
    )
    assert response.status_code == 302
    client.post("/logout")
    assert client.get("/profile").status_code == 302
    assert client.post("/login", data={"login": "pw@example.cn", "password": "new-password-1"}).status_code == 302


def test_duplicate_email_is_refused():
    factories.user(email="dup@example.cn")
    with pytest.raises(DomainError) as err:
        factories.user(email="DUP@example.cn")
    assert err.value.field == "email"


def test_invitation_creates_account_with_role_once(client):
    county = factories.association()
    school = factories.school(parent=county)
    organiser = factories.organiser(county)
    invitation, token = account_invitations.create_invitation(
        role=Role.COORDINATOR, created_by=organiser, organisation=school, email="teacher@example.cn"
    )
    factories.commit()
    data = {"name": "刘𠮷", "email": "teacher@example.cn", "password": "a-good-password", "confirm": "a-good-password"}
    response = client.post(f"/invite/{token}", data=data)
    assert response.status_code == 302
    user = db.session.execute(sa.select(User).where(User.email == "teacher@example.cn")).scalar_one()
    assert user.name == "刘𠮷"
    assert user.scope_ids(Role.COORDINATOR) == {school.id}
    client.post("/logout")
    again = client.post(f"/invite/{token}", data={**data, "email": "other@example.cn"})
    assert again.status_code == 410
    assert "已经使用过" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 2


def test_expired_or_unknown_invitation_is_refused(client):
    county = factories.association()
    organiser = factories.organiser(county)
    contest = contest_factories.contest(county)
    invitation, token = account_invitations.create_invitation(
        role=Role.JUDGE, created_by=organiser, scope_id=contest.id
    )
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    factories.commit()
    response = client.get(f"/invite/{token}")
    assert response.status_code == 410 and "已过期" in response.get_data(as_text=True)
    response = client.get("/invite/not-a-real-token")
    assert response.status_code == 410 and "无效" in response.get_data(as_text=True)


def test_invitation_with_duplicate_email_changes_nothing(client):
    factories.user(email="taken@example.cn")
    county = factories.association()
    organiser = factories.organiser(county)
    contest = contest_factories.contest(county)
    _inv, token = account_invitations.create_invitation(role=Role.JUDGE, created_by=organiser, scope_id=contest.id)
    factories.commit()
    response = client.post(
        f"/invite/{token}",
        data={"name": "x", "email": "taken@example.cn", "password": "a-good-password", "confirm": "a-good-password"},
    )
    assert response.status_code == 200
    assert "已存在" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Invitation.used_at)) is None


def test_the_invitation_page_names_the_contest_or_the_event(client):
    from tests.events import factories as event_factories

    county = factories.association()
    organiser = factories.organiser(county)
    contest = contest_factories.contest(county, year=2026, name="青溪县第一届青少年科技创新大赛·𠮷")
    event = event_factories.event(county, title="天文观测夜：䶮星")
    _judge, judge_token = account_invitations.create_invitation(
        role=Role.JUDGE, created_by=organiser, scope_id=contest.id
    )
    staff, staff_token = account_invitations.create_invitation(
        role=Role.CHECKIN, created_by=organiser, scope_id=event.id
    )
    factories.commit()
    judge_page = client.get(f"/invite/{judge_token}").get_data(as_text=True)
    assert "您受邀担任：" in judge_page and "2026 青溪县第一届青少年科技创新大赛·𠮷" in judge_page
    staff_page = client.get(f"/invite/{staff_token}").get_data(as_text=True)
    assert "天文观测夜：䶮星" in staff_page and "青溪县第一届" not in staff_page
    assert account_scopes.invitation_scope_name(staff).endswith("天文观测夜：䶮星")


def test_organiser_invites_through_the_page(client, login):
    county = factories.association()
    school = factories.school(parent=county)
    organiser = factories.organiser(county)
    factories.commit()
    login(organiser)
    response = client.post(
        "/invitations",
        data={"role": "coordinator", "organisation_id": school.id, "email": "", "name": "", "scope_id": ""},
    )
    assert response.status_code == 200
    assert "/invite/" in response.get_data(as_text=True)


def test_organiser_of_a_city_manages_its_counties_schools_but_not_others():
    city = factories.association("江城市科学技术协会")
    county = factories.association("青溪县科学技术协会", parent=city)
    school = factories.school(parent=county)
    elsewhere = factories.school(parent=factories.association())
    city_organiser = factories.organiser(city)
    county_organiser = factories.organiser(county)
    assert can("organisation.manage", school, user=city_organiser)
    assert can("organisation.manage", school, user=county_organiser)
    assert not can("organisation.manage", city, user=county_organiser)
    assert not can("organisation.manage", elsewhere, user=city_organiser)


def test_coordinator_cannot_open_organiser_pages(client, login):
    coordinator = factories.coordinator()
    factories.commit()
    login(coordinator)
    for path in ("/organisations", "/invitations", "/users", "/audit"):
        assert client.get(path).status_code == 403, path


def test_organiser_creates_a_school_and_the_change_is_audited(client, login):
    county = factories.association()
    organiser = factories.organiser(county)
    factories.commit()
    login(organiser)
    response = client.post(
        "/organisations/new",
        data={
            "kind": "school",
            "name": "青溪县实验小学",
            "code": "QX-1",
            "parent_id": county.id,
            "stage": "primary",
            "district": "城关镇",
        },
    )
    assert response.status_code == 302
    row = (
        db.session.execute(
            sa.select(AuditLog).where(AuditLog.object_type == "organisations", AuditLog.action == "create")
        )
        .scalars()
        .all()
    )
    assert any(r.after["name"] == "青溪县实验小学" for r in row)
    # a school without a stage is refused next to the field
    response = client.post("/organisations/new", data={"kind": "school", "name": "无学段学校", "parent_id": county.id})
    assert "学段" in response.get_data(as_text=True) and response.status_code == 200


def test_api_token_lifecycle(client, login):
    user = factories.user(email="tok@example.cn")
    factories.commit()
    login(user)
    response = client.post("/profile", data={"tok-name": "脚本", "tok-submit": "1"})
    html = response.get_data(as_text=True)
    token = html.split('<code class="user-select-all">')[1].split("</code>")[0]
    client.post("/logout")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["email"] == "tok@example.cn"
    from accounts.models import ApiToken

    row = db.session.execute(sa.select(ApiToken)).scalar_one()
    assert row.token_hash != token and token not in (row.prefix + "x")
    services.revoke_api_token(row)
    factories.commit()
    revoked = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 401
    assert revoked.get_json()["error"]["code"] == "invalid_token"


@pytest.mark.parametrize("header", ["Bearer", "Bearer abc", "Bearer kc_short", "Bearer " + "kc_" + "!" * 43])
def test_malformed_api_token_gets_401(client, header):
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] in ("invalid_token", "unauthorized")


def test_cli_users_create_and_token(runner, client):
    school = factories.school()
    school.code = "QX-S99"
    factories.commit()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "t@example.cn",
            "--password",
            "a-long-password",
            "--role",
            "coordinator",
            "--org",
            "QX-S99",
        ]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["users", "token", "--email", "t@example.cn"])
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    dup = runner.invoke(args=["users", "create", "--email", "t@example.cn", "--password", "a-long-password"])
    assert dup.exit_code != 0 and "Traceback" not in dup.output


CLI_WORDS = {  # the installation's language: Chinese by default, English when set so
    "zh_CN": {
        "created": "已创建用户 {id} w@example.cn，角色 coordinator",
        "token": "王老师 的 API 令牌（只显示这一次）：",
        "no_org": "没有代码为 NOPE 的单位。",
        "no_user": "没有登录名为 nobody@example.cn 的账号。",
    },
    "en": {
        "created": "created user {id} w@example.cn with role coordinator",
        "token": "API token for 王老师 (shown once):",
        "no_org": "No organisation has the code NOPE.",
        "no_user": "No account has the login nobody@example.cn.",
    },
}


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_cli_users_speak_the_installation_language(runner, installation_language, language):
    installation_language(language)
    words = CLI_WORDS[language]
    school = factories.school()
    school.code = "QX-S98"
    factories.commit()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "w@example.cn",
            "--password",
            "a-long-password",
            "--name",
            "王老师",
            "--role",
            "coordinator",
            "--org",
            "QX-S98",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.execute(sa.select(User).where(User.email == "w@example.cn")).scalar_one()
    assert words["created"].format(id=user.id) in result.output
    assert words["token"] in runner.invoke(args=["users", "token", "--email", "w@example.cn"]).output
    bad = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "v@example.cn",
            "--password",
            "a-long-password",
            "--role",
            "coordinator",
            "--org",
            "NOPE",
        ]
    )
    assert bad.exit_code == 1 and words["no_org"] in bad.output
    bad = runner.invoke(args=["users", "token", "--email", "nobody@example.cn"])
    assert bad.exit_code == 1 and words["no_user"] in bad.output


def test_grant_role_is_idempotent_and_scoped():
    user = factories.user()
    school = factories.school()
    services.grant_role(user, Role.COORDINATOR, organisation=school)
    services.grant_role(user, Role.COORDINATOR, organisation=school)
    assert db.session.scalar(sa.select(sa.func.count(Membership.id))) == 1
    with pytest.raises(DomainError):
        services.grant_role(user, Role.ORGANISER, organisation=school)


def test_admin_creates_an_account_with_a_role(client, login):
    admin = factories.admin()
    county = factories.association()
    factories.commit()
    login(admin)
    response = client.post(
        "/users",
        data={
            "name": "欧阳䶮",
            "email": "oy@example.cn",
            "mobile": "",
            "password": "long-enough-1",
            "role": "organiser",
            "organisation_id": county.id,
        },
    )
    assert response.status_code == 302
    user = services.find_user_by_login("oy@example.cn")
    assert user.scope_ids(Role.ORGANISER) == {county.id}
    dup = client.post("/users", data={"name": "x", "email": "oy@example.cn", "password": "long-enough-1", "role": ""})
    assert "该邮箱的账号已存在" in dup.get_data(as_text=True)


def test_token_authentication_costs_one_query_and_rarely_writes(client, count_queries):
    user = factories.coordinator(email="q@example.cn")
    _row, token = services.create_api_token(user, "gate")
    factories.commit()
    headers = {"Authorization": f"Bearer {token}"}
    client.get("/api/v1/me", headers=headers)  # first use records last_used_at
    with count_queries() as statements:
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    token_reads = [s for s in statements if "api_tokens" in s]
    assert len(token_reads) == 1, statements
    assert not any(s.lstrip().upper().startswith("UPDATE") for s in statements), statements


def test_token_use_is_recorded_in_its_own_transaction(client):
    user = factories.coordinator(email="use@example.cn", name="䶮𠮷")
    row, token = services.create_api_token(user, "gate")
    factories.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/jobs/nope", headers=headers).status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).last_used_at is not None  # used, even by a request that failed
    pending = User(name="半途", email="half-done@example.cn")  # a request's own work, not yet committed
    db.session.add(pending)
    services.record_token_use(db.session.get(ApiToken, row.id))
    db.session.rollback()  # that request fails: its work goes, the token's use was committed on its own
    assert not db.session.execute(sa.select(User).where(User.email == "half-done@example.cn")).first()
    assert pending not in db.session


def test_nobody_revokes_another_users_token(client, login):
    owner, other = factories.user(), factories.user()
    row, _token = services.create_api_token(owner, "gate")
    factories.commit()
    login(other)
    assert client.post(f"/profile/tokens/{row.id}/revoke").status_code == 403
    db.session.refresh(row)
    assert row.revoked_at is None
