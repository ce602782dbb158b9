"""Shared fixtures: one app per test session, a clean database for every test, clients logged in by role.

The database is a temporary SQLite file by default, or TEST_DATABASE_URL (PostgreSQL in CI). Tables are made
with create_all() once (tests/core/test_migrations.py checks that the Alembic revisions produce the same
schema), and every table is emptied after each test, so tests may commit, use threads and run a live server.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from werkzeug.serving import make_server

from core import create_app
from core.extensions import db
from scripts.system_packages import missing_for
from tests import factories

_TMP = Path(tempfile.mkdtemp(prefix="kechuang-tests-"))


def test_database_url() -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_TMP / 'test.db'}"


@pytest.fixture(scope="session")
def app():
    instance = _TMP / "instance"
    instance.mkdir(exist_ok=True)
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": test_database_url(),
            "SQLALCHEMY_DATABASE_URI": None,  # recomputed by load_config from DATABASE_URL
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_LOGIN": "10000 per minute",  # test_login_is_rate_limited lowers it
            "RATELIMIT_VERIFY": "10000 per minute",
            "JOBS_IMMEDIATE": True,
            "UPLOAD_DIR": str(instance / "uploads"),
            "SERVER_NAME": None,
            "BASE_URL": "http://localhost",
        },
        instance_path=str(instance),
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    shutil.rmtree(_TMP, ignore_errors=True)


def _empty_all_tables() -> None:
    db.session.remove()
    tables = [t.name for t in db.metadata.sorted_tables]
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(sa.text("TRUNCATE TABLE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        return
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # self-referencing rows (organisation tree)
        for name in reversed(tables):
            conn.exec_driver_sql(f'DELETE FROM "{name}"')  # noqa: S608 — names from the models' metadata
        conn.commit()
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")


@pytest.fixture(autouse=True)
def _app_context(request, app):
    """Every test runs in an app context and leaves the database empty behind it."""
    if "no_app" in request.keywords:
        yield None
        return
    with app.app_context():
        yield
        _empty_all_tables()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def installation_language(app):
    """installation_language("en") switches the installation's language (BABEL_DEFAULT_LOCALE, which
    KECHUANG_BABEL_DEFAULT_LOCALE sets): what the CLI prints outside a request. Put back after the test."""
    from flask_babel import refresh

    before = app.config["BABEL_DEFAULT_LOCALE"]

    def switch(name: str) -> None:
        app.config["BABEL_DEFAULT_LOCALE"] = name
        refresh()  # the locale is cached in the app context the CLI runner shares with the test

    yield switch
    switch(before)


@pytest.fixture
def login(client):
    """login(user) logs the test client in as user (through the real login form)."""

    def _login(user, password: str = factories.PASSWORD):
        response = client.post("/login", data={"login": user.email or user.mobile, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return _login


@pytest.fixture
def csrf_enabled(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@contextmanager
def _count_queries():
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


@pytest.fixture
def count_queries():
    """with count_queries() as statements: ...; len(statements) is the number of SQL statements run."""
    return _count_queries


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server(app):
    """The app served over real HTTP in a thread, for browser tests. Yields its base URL."""
    port = _free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def chromium_options(*extra: str):
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        "--window-size=1280,900",
        "--lang=zh-CN",
        *extra,
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return options


def require_packages(*packages: str) -> None:
    """Skip the calling test (fail it in CI) when a Debian package it needs is missing, naming the command that
    installs it. `make test` installs them first where it can (scripts/system_packages.py)."""
    reason = missing_for(*packages)
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def make_browser(*extra: str):
    """A headless Chromium driven by Selenium; skipped (failed in CI) when Chromium is not installed."""
    require_packages("chromium", "chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=chromium_options(*extra))


@pytest.fixture
def browser(app):
    driver = make_browser()
    driver.implicitly_wait(3)
    yield driver
    driver.quit()


def pytest_configure(config):
    config.addinivalue_line("markers", "no_app: the test needs no app context or database")
    config.addinivalue_line("markers", "browser: a real-browser test (Chromium)")
