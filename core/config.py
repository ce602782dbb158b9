"""Configuration: environment variables over instance/config.py over these defaults."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

# Environment variables read without the prefix (every other setting is KECHUANG_<NAME>).
ENV_KEYS = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL")


class DefaultConfig:
    ENV_NAME = "development"  # KECHUANG_ENV_NAME=production for production mode
    SECRET_KEY: str | None = None
    DATABASE_URL: str | None = None  # default: sqlite:///<instance>/kechuang.db
    REDIS_URL: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    MAX_CONTENT_LENGTH = 60 * 1024 * 1024  # uploads (videos) up to 60 MB; more answers 413
    UPLOAD_DIR: str | None = None  # default: <instance>/uploads
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    BASE_URL = "http://127.0.0.1:5000"  # used in QR codes and links outside a request
    RATELIMIT_LOGIN = "10 per minute"  # accepting an invitation, per address
    # Failed logins (accounts.throttle), in the store all workers share: stricter per account than per address,
    # as a venue's judges share one address behind NAT.
    LOGIN_FAILURES_PER_ACCOUNT = "5 per 15 minutes"
    LOGIN_FAILURES_PER_IP = "50 per 15 minutes"
    RATELIMIT_VERIFY = "60 per minute"
    JOBS_IMMEDIATE = False  # tests run jobs synchronously
    JOBS_IN_PROCESS = True  # `python run.py` starts a consumer thread
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12
    LOG_FORMAT = "text"  # KECHUANG_LOG_FORMAT=json: one JSON object per log line (core.logs)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_CHECK_DEFAULT = False  # core.security runs csrf.protect() itself (bearer-token API exempt)
    WTF_CSRF_TIME_LIMIT = None
    API_TITLE = "Kechuang API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    INVITATION_DAYS = 14
    DEMO_PASSWORD = "kechuang-demo"  # noqa: S105 — the demo accounts' published password (README, `flask demo-logins`)


def load_config(app, overrides: dict | None = None) -> None:
    """Apply defaults, then instance/config.py, then the environment, then explicit overrides (tests)."""
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    for key in ENV_KEYS:
        if os.environ.get(key):
            app.config[key] = os.environ[key]
    # KECHUANG_<NAME>: values that parse as JSON (true, false, 14) take that type, others stay strings.
    app.config.from_prefixed_env("KECHUANG")
    if overrides:
        app.config.update(overrides)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'kechuang.db'}"
    url = app.config["DATABASE_URL"]
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    if url.startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}
    elif url.startswith("postgresql"):  # an unreachable server fails in seconds, not after TCP's minutes
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options["connect_args"] = {"connect_timeout": 10, **options.get("connect_args", {})}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    app.config.setdefault("UPLOAD_DIR", None)
    if not app.config["UPLOAD_DIR"]:
        app.config["UPLOAD_DIR"] = str(instance / "uploads")
    Path(app.config["UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)
    _settle_secret_key(app, instance)
    if is_production(app):
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True, PREFERRED_URL_SCHEME="https")


def is_production(app) -> bool:
    return app.config.get("ENV_NAME") == "production"


class ConfigError(RuntimeError):
    pass


def _settle_secret_key(app, instance: Path) -> None:
    """Production refuses a missing or short key; development generates one once into instance/."""
    key = app.config.get("SECRET_KEY")
    if is_production(app):
        if not key or len(key) < 32:
            raise ConfigError("SECRET_KEY must be set to at least 32 characters in production mode.")
        return
    if key:
        return
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    app.config["SECRET_KEY"] = path.read_text().strip()
