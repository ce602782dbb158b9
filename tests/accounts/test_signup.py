"""Registering oneself (issue 25 §1, calls open to individuals): a code by email through a real SMTP server or by
SMS through the signed test gateway, then the account — made only with the right code, for adults, on an address
nobody uses; the new account applies to an individuals' call."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa

from accounts import signup as signup_service
from accounts.models import User
from calls import services as call_services
from core.errors import DomainError
from core.extensions import db
from core.i18n import local_today
from core.models import AuditLog
from notifications.services.codes import CODES_PER_HOUR
from tests import factories
from tests.calls.test_services import ANSWERS, BANDS, FORM, paper
from tests.notifications.conftest import sms_gateway, smtp_server, text_of  # noqa: F401 — fixtures

PASSWORD = "青溪-夜航船-2718"
ADULT = date(1990, 5, 17)


def _code_in(text: str) -> str:
    return re.search(r"\b(\d{6})\b", text).group(1)


def _details(code: str, **overrides) -> dict:
    data = {
        "code": code,
        "name": "欧阳䶮",
        "birth_date": ADULT.isoformat(),
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    return {**data, **overrides}


def _users() -> int:
    return db.session.execute(sa.select(sa.func.count(User.id))).scalar_one()


def test_code_by_email_then_the_account_is_made_verified_and_logged_in(client, smtp_server):  # noqa: F811
    page = client.get("/login").get_data(as_text=True)
    assert "/signup" in page and "注册账号" in page
    response = client.post("/signup", data={"contact": " Ouyang.Yan@Qingxi.example.cn ", "next": "/calls/"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/signup/details")
    [message] = smtp_server.to("ouyang.yan@qingxi.example.cn")
    code = _code_in(text_of(message))
    assert "注册科创账号的验证码" in text_of(message)
    page = client.get("/signup/details").get_data(as_text=True)
    assert "ou***@qingxi.example.cn" in page and "ouyang.yan@" not in page
    response = client.post("/signup/details", data=_details(code))
    assert response.status_code == 302 and response.headers["Location"].endswith("/calls/")
    user = db.session.execute(sa.select(User).where(User.email == "ouyang.yan@qingxi.example.cn")).scalar_one()
    assert user.name == "欧阳䶮" and user.check_password(PASSWORD) and user.mobile is None
    audit = db.session.execute(sa.select(AuditLog).where(AuditLog.action == "sign_up")).scalar_one()
    assert audit.after == {"verified": "email"} and audit.object_id in (user.id, str(user.id))
    assert client.get("/profile").status_code == 200  # logged in
    # the code worked once
    client.post("/logout")
    assert client.post("/signup/details", data=_details(code)).status_code == 302  # no pending signup any more
    assert _users() == 1


def test_code_by_sms_and_an_unsafe_next_is_not_followed(client, sms_gateway):  # noqa: F811
    client.post("/signup", data={"contact": "138 0013 8000", "next": "//evil.example.com/"})
    [sent] = sms_gateway.received
    assert sent["mobile"] == "13800138000"
    response = client.post("/signup/details", data=_details(_code_in(sent["text"])))
    assert response.status_code == 302 and "evil" not in response.headers["Location"]
    assert response.headers["Location"].endswith("/dashboard")
    user = db.session.execute(sa.select(User).where(User.mobile == "13800138000")).scalar_one()
    assert user.email is None


def test_wrong_code_creates_nothing_and_counts_the_guess(client, smtp_server):  # noqa: F811
    client.post("/signup", data={"contact": "li.yan@qingxi.example.cn"})
    code = _code_in(text_of(smtp_server.messages[-1]))
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    page = client.post("/signup/details", data=_details(wrong)).get_data(as_text=True)
    assert "验证码不正确或已过期" in page
    assert _users() == 0
    # the right code still works afterwards (one wrong guess of five)
    assert client.post("/signup/details", data=_details(code)).status_code == 302
    assert _users() == 1


def test_under_18_is_refused_and_the_code_is_not_spent(client, smtp_server):  # noqa: F811
    client.post("/signup", data={"contact": "xiao.ming@qingxi.example.cn"})
    code = _code_in(text_of(smtp_server.messages[-1]))
    seventeen = date(local_today().year - 17, 1, 1)  # 16 or 17 today
    page = client.post("/signup/details", data=_details(code, birth_date=seventeen.isoformat())).get_data(as_text=True)
    assert "只有成年人（18 周岁及以上）可以自行注册" in page
    assert _users() == 0


def test_the_adult_rule_on_the_day():
    today = date(2026, 12, 7)
    signup_service.check_adult(date(2008, 12, 7), today)  # 18 today
    with pytest.raises(DomainError):
        signup_service.check_adult(date(2008, 12, 8), today)  # 18 tomorrow
    with pytest.raises(DomainError):
        signup_service.check_adult(date(2027, 1, 1), today)


def test_an_address_in_use_is_refused_only_to_its_owner(client, smtp_server):  # noqa: F811
    factories.user("王芳", email="wang.fang@qingxi.example.cn")
    factories.commit()
    # step 1 answers as for any address (no account enumeration): a code goes to it
    response = client.post("/signup", data={"contact": "WANG.FANG@qingxi.example.cn"})
    assert response.status_code == 302
    code = _code_in(text_of(smtp_server.to("wang.fang@qingxi.example.cn")[-1]))
    page = client.post("/signup/details", data=_details(code, name="冒名")).get_data(as_text=True)
    assert "该邮箱的账号已存在" in page
    assert _users() == 1
    assert not db.session.execute(sa.select(User).where(User.name == "冒名")).first()


def test_too_many_codes_gives_the_limit_message(client, smtp_server):  # noqa: F811
    for _ in range(CODES_PER_HOUR):
        assert client.post("/signup", data={"contact": "zhao.lei@qingxi.example.cn"}).status_code == 302
    response = client.post("/signup", data={"contact": "zhao.lei@qingxi.example.cn"})
    assert response.status_code == 429
    assert "发往此地址的验证码过多" in response.get_data(as_text=True)
    assert len(smtp_server.to("zhao.lei@qingxi.example.cn")) == CODES_PER_HOUR


def test_a_bad_address_is_refused_with_the_platform_rules(client):
    page = client.post("/signup", data={"contact": "12345"}).get_data(as_text=True)
    assert "请输入中国大陆手机号" in page
    assert client.get("/signup/details").status_code == 302


def test_a_visitor_registers_and_applies_to_an_individuals_call(client, smtp_server):  # noqa: F811
    org = factories.association("青溪市科学技术协会")
    call = call_services.create_call(
        org,
        year=2026,
        title="最美科技工作者",
        subject="person",
        applicants="individuals",
        outcome="bands",
        outcome_rule=BANDS,
        form=FORM,
    )
    call_services.set_status(call, "open")
    factories.commit()
    apply_url = f"/calls/{call.id}/apply"
    response = client.get(apply_url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    link = re.search(r'href="(/signup[^"]*)"', login_page).group(1).replace("&amp;", "&")
    assert "next=" in link
    start = client.get(link).get_data(as_text=True)
    start = start[start.index('id="signup-start-form"') :]  # the language switch above has a `next` of its own
    next_value = re.search(r'name="next"[^>]*value="([^"]*)"', start) or re.search(
        r'value="([^"]*)"[^>]*name="next"', start
    )
    assert next_value.group(1) == apply_url
    client.post("/signup", data={"contact": "chen.jing@qingxi.example.cn", "next": next_value.group(1)})
    code = _code_in(text_of(smtp_server.to("chen.jing@qingxi.example.cn")[-1]))
    response = client.post("/signup/details", data=_details(code, name="陈静"))
    assert response.headers["Location"].endswith(apply_url)
    assert client.get(apply_url).status_code == 200
    upload = paper()["f6"][0]
    response = client.post(
        apply_url,
        data={
            "title": "𠮷祥河水质",
            "applicant_name": "陈静",
            "unit_name": "",
            **ANSWERS,
            "f6": (io.BytesIO(upload.data), upload.filename),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    [application] = call.applications
    assert application.submitted_by.email == "chen.jing@qingxi.example.cn"


def test_the_pages_in_english(client, smtp_server):  # noqa: F811
    client.post("/lang/en", data={"next": "/signup"})
    page = client.get("/signup").get_data(as_text=True)
    assert "Register an account" in page and "For adults (18 or older)" in page
    client.post("/signup", data={"contact": "sun.li@qingxi.example.cn"})
    page = client.post("/signup/details", data=_details("000000", birth_date="2020-01-01")).get_data(as_text=True)
    assert "Only adults (18 or older) can register themselves" in page


def test_the_signup_pages_are_rate_limited_per_address(app, client):
    from core.extensions import limiter

    saved = app.config["RATELIMIT_LOGIN"]
    app.config["RATELIMIT_LOGIN"] = "3 per minute"
    limiter.reset()
    try:
        codes = [client.post("/signup", data={"contact": "1380013800"}).status_code for _ in range(4)]
        assert codes[:3] == [200, 200, 200] and codes[3] == 429
    finally:
        app.config["RATELIMIT_LOGIN"] = saved
        limiter.reset()
