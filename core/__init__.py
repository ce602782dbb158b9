"""The platform core: create_app() composes the extensions and the area packages."""

from __future__ import annotations

import gc
import importlib
import importlib.util

from flask import Flask

# Area packages in dependency order. Each has init_app(app) that registers its blueprint, API blueprint,
# CLI commands, permissions, UI registrations, job handlers and demo seeders.
AREAS = ("accounts", "notifications", "competitions", "judging", "calls", "events", "certificates", "reports")
# Each has its own translation catalog (<name>/translations), core's first (core.catalogs, core.i18n).
CATALOG_AREAS = ("core", *AREAS)


def create_app(overrides: dict | None = None, instance_path: str | None = None) -> Flask:
    """The app, with the cyclic garbage collector paused while it is built (decision 0010).

    Start-up makes ~300,000 objects that live as long as the process (modules, classes, mappers, routes) and
    almost no garbage, yet the collector walked them in ~3 full passes (0.2-0.3 s of every process). The
    composition root (run.py: gunicorn, `flask --app run`, job workers) then freezes the result (gc.freeze, as
    the gc docs advise before forking workers) so that later collections, such as those during a 366-page
    render, do not walk it again; an app built anywhere else (the test suite builds many in one process) stays
    collectable."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        app = _build_app(overrides, instance_path)
        from sqlalchemy.orm import configure_mappers

        configure_mappers()  # relationships resolved now, under the paused collector, not by the first query
        return app
    finally:
        if collecting:
            gc.enable()


def _build_app(overrides: dict | None, instance_path: str | None) -> Flask:
    from flask_babel import lazy_gettext as _l

    from core.config import load_config
    from core.logs import init_logging

    app = Flask(
        __name__.split(".")[0],
        root_path=str(_root()),
        instance_relative_config=True,
        instance_path=instance_path,
        template_folder="templates",
        static_folder="static",
    )
    load_config(app, overrides)
    from core.db import DatabaseIdConverter

    app.url_map.converters["int"] = DatabaseIdConverter  # before any rule: /x/<int:id> beyond INTEGER is a 404
    if app.config.get("PROXY_FIX"):  # number of trusted proxies in front (nginx = 1)
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    init_logging(app)

    from core import models  # noqa: F401  (tables of the core)
    from core.api import init_api
    from core.cache import init_cache
    from core.cli import init_cli, translate_help
    from core.design import init_design
    from core.extensions import csrf, db, limiter, login_manager, migrate
    from core.i18n import init_i18n
    from core.jobs import init_jobs
    from core.security import init_security
    from core.ui import init_ui
    from core.views import bp as core_bp

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_root() / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    login_manager.login_message = _l("Please log in to see this page.")
    init_cache(app)
    init_i18n(app)
    init_security(app)
    init_ui(app)
    init_design(app)
    init_jobs(app)
    init_cli(app)
    app.register_blueprint(core_bp)
    init_api(app)

    # KECHUANG_AREAS=accounts,events loads only those areas (a developer working on one area).
    wanted = [a.strip() for a in (app.config.get("AREAS") or ",".join(AREAS)).split(",") if a.strip()]
    for name in AREAS:
        if name not in wanted:
            continue
        try:
            area = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # an area not yet built
            raise
        init_area = getattr(area, "init_app", None)
        if init_area is not None:  # a package still without init_app has nothing to register yet
            init_area(app)
        if importlib.util.find_spec(f"{name}.audit_words") is not None:  # the area's words for the audit log
            importlib.import_module(f"{name}.audit_words").describe_audit()
    translate_help(app.cli)  # every command's help in the installation's language

    _report_database(app)
    return app


def _report_database(app: Flask) -> None:
    """Say at start-up, in the log, when the database cannot be reached (the app still starts: pages answer 503
    and /healthz reports it until the database is back)."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    from core.extensions import db

    try:
        with app.app_context(), db.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        where = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=True)
        reason = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or ["?"])[0]
        app.logger.error(
            "The database %s cannot be reached: %s. Pages answer 503 and /healthz reports it until it can.",
            where,
            reason,
        )


def _root():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent
