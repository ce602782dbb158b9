import re

import pytest

from core import create_app
from core.config import ConfigError
from tests import factories


def test_form_without_csrf_token_is_refused_with_a_localised_message(client, csrf_enabled):
    response = client.post("/login", data={"login": "a@b.cn", "password": "x"})
    assert response.status_code == 400
    assert "安全令牌" in response.get_data(as_text=True)


def test_json_call_without_csrf_header_is_refused_but_bearer_token_is_exempt(client, csrf_enabled, runner):
    user = factories.user(email="api@example.cn")
    factories.commit()
    from accounts import services

    _row, token = services.create_api_token(user, "t")
    factories.commit()
    # An anonymous POST to a protected page: sent to log in, not told about CSRF.
    anonymous = client.post("/logout")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    # A logged-in session posting without the token (form field or X-CSRFToken header): refused as CSRF (400).
    client.post(
        "/login", data={"login": "api@example.cn", "password": factories.PASSWORD, "csrf_token": _csrf_token(client)}
    )
    refused = client.post("/logout")
    assert refused.status_code == 400 and "安全令牌" in refused.get_data(as_text=True)
    token_in_header = client.post("/logout", headers={"X-CSRFToken": _csrf_token(client)})
    assert token_in_header.status_code == 302
    # With a bearer token CSRF does not apply; /me is GET-only, so a POST is 405, not 400.
    response = client.post("/api/v1/me", json={}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def _csrf_token(client) -> str:
    html = client.get("/").get_data(as_text=True)
    return html.split('<meta name="csrf-token" content="')[1].split('"')[0]


def test_security_headers_and_self_only_csp(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "http" not in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_pages_reference_only_self_hosted_assets(client):
    html = client.get("/").get_data(as_text=True)
    assert "cdn" not in html.lower()
    sheets = re.findall(
        r'<link rel="stylesheet" href="([^"]+)"', html
    )  # the home page: critical CSS inline, the rest here
    assert sheets and all(sheet.startswith("/static/") for sheet in sheets)
    assert "/static/vendor/bootstrap/bootstrap.min.js" in html
    assert "<script>" not in html and "style=" not in html


def test_oversized_body_answers_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = client.post("/login", data={"login": "x" * 5000, "password": "y"})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 60 * 1024 * 1024
    assert response.status_code == 413
    assert "上传的内容太大" in response.get_data(as_text=True)


def test_error_pages_are_localised(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "不存在" in response.get_data(as_text=True)
    client.post("/lang/en")
    response = client.get("/no-such-page")
    assert "does not exist" in response.get_data(as_text=True)


def test_api_errors_have_one_body_shape(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["code"] == "not_found" and body["error"]["message"]


def test_unknown_language_is_refused_and_changes_nothing(client):
    response = client.post("/lang/xx")
    assert response.status_code == 400
    assert "未知的语言" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "lang" not in session


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_login_ignores_offsite_next(client, target):
    factories.user(email="next@example.cn")
    factories.commit()
    response = client.post("/login", data={"login": "next@example.cn", "password": factories.PASSWORD, "next": target})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dashboard")


def test_login_follows_local_next(client):
    factories.user(email="next2@example.cn")
    factories.commit()
    response = client.post(
        "/login", data={"login": "next2@example.cn", "password": factories.PASSWORD, "next": "/profile"}
    )
    assert response.headers["Location"].endswith("/profile")


def test_production_refuses_missing_or_short_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app({"ENV_NAME": "production", "SECRET_KEY": None}, instance_path=str(tmp_path))
    with pytest.raises(ConfigError):
        create_app({"ENV_NAME": "production", "SECRET_KEY": "short"}, instance_path=str(tmp_path))
    app = create_app({"ENV_NAME": "production", "SECRET_KEY": "k" * 40}, instance_path=str(tmp_path))
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_development_generates_a_secret_key_once(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app({"SECRET_KEY": None}, instance_path=str(tmp_path)).config["SECRET_KEY"]
    second = create_app({"SECRET_KEY": None}, instance_path=str(tmp_path)).config["SECRET_KEY"]
    assert first == second and len(first) >= 64
    assert (tmp_path / "secret_key").exists()


def test_environment_overrides_instance_config(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text("BASE_URL = 'http://from-instance'\nINVITATION_DAYS = 3\n")
    monkeypatch.setenv("KECHUANG_INVITATION_DAYS", "9")
    app = create_app({"SECRET_KEY": "x" * 40}, instance_path=str(tmp_path))
    assert app.config["BASE_URL"] == "http://from-instance"
    assert app.config["INVITATION_DAYS"] == 9


def test_prefixed_environment_settings_take_their_json_type(tmp_path, monkeypatch):
    monkeypatch.setenv("KECHUANG_JOBS_IN_PROCESS", "false")
    monkeypatch.setenv("KECHUANG_MAX_CONTENT_LENGTH", "1024")
    monkeypatch.setenv("KECHUANG_SMS_SIGNATURE", "青溪县科协䶮")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    app = create_app({"SECRET_KEY": "x" * 40}, instance_path=str(tmp_path))
    assert app.config["JOBS_IN_PROCESS"] is False
    assert app.config["MAX_CONTENT_LENGTH"] == 1024
    assert app.config["SMS_SIGNATURE"] == "青溪县科协䶮"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'env.db'}"
