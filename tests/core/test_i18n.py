import os
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale

from core import catalogs
from core.i18n import format_day, format_moment

_ONLY = [a for a in os.environ.get("KECHUANG_AREAS", "").split(",") if a]


@pytest.mark.parametrize(
    "area", [a for a in catalogs.AREAS if (catalogs.ROOT / a).is_dir() and (not _ONLY or a in _ONLY or a == "core")]
)
def test_every_message_has_a_chinese_translation(area):
    missing = catalogs.untranslated(area)
    assert not missing, f"{area}: run `python -m core.catalogs update {area}` and translate: {missing[:20]}"


def test_dates_read_as_chinese_dates(app):
    with app.test_request_context("/"):
        assert format_day(date(2024, 11, 22)) == "2024年11月22日"
        # 16:30 UTC is 00:30 the next day in Asia/Shanghai
        assert format_day(datetime(2024, 11, 21, 16, 30, tzinfo=UTC)) == "2024年11月22日"
        with force_locale("en"):
            assert format_day(date(2024, 11, 22)) == "November 22, 2024"
        assert "00:30" in format_moment(datetime(2024, 11, 21, 16, 30, tzinfo=UTC))


def test_language_switcher_changes_the_ui_and_is_remembered(client):
    assert "登录" in client.get("/login").get_data(as_text=True)
    response = client.post("/lang/en", data={"next": "/login"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    html = client.get("/login").get_data(as_text=True)
    assert "Log in" in html and '<html lang="en">' in html
    client.post("/lang/zh_CN")
    assert '<html lang="zh-CN">' in client.get("/login").get_data(as_text=True)


def test_login_required_message_is_chinese(client):
    response = client.get("/dashboard", follow_redirects=True)
    assert "请先登录后再访问此页面" in response.get_data(as_text=True)


def test_pages_json_calls_follow_the_ui_language_not_the_browser(client):
    client.post("/lang/zh_CN")
    body = client.get("/api/v1/me", headers={"Accept-Language": "en-US"}).get_json()
    assert "登录" in body["error"]["message"]
