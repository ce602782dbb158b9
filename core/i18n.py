"""Chinese first: zh_CN by default, English second; dates like 2024年11月22日 in Chinese."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from flask import Flask, current_app, has_app_context, has_request_context, request, session
from flask_babel import format_date, format_datetime, get_locale
from pytz import timezone
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from core import CATALOG_AREAS
from core.extensions import babel

ROOT = Path(__file__).resolve().parent.parent


def N_(message: str) -> str:  # noqa: N802 (the gettext convention's name)
    """Marks an English msgid for extraction without translating it; it is translated where it is shown.

    For messages built where no request (no locale) exists: pure rule modules, import-time tables."""
    return message


def translation_directories() -> list[str]:
    """One catalog per area (<area>/translations), merged by Flask-Babel, so areas never edit one shared file.

    Later catalogs win for a message two areas share: the lower layers (accounts, then core) come last, so
    shared words (roles, kinds of organisation) read the same everywhere."""
    areas = reversed(CATALOG_AREAS)
    return [str(ROOT / area / "translations") for area in areas if (ROOT / area / "translations").is_dir()]


@cache
def babel_locale(name: str) -> Locale:
    # Flask-Babel parses a selector's string on every request, and Babel's parse scans every known locale name
    # (about 0.1 ms); a Locale object is passed through as it is.
    return Locale.parse(name)


@cache
def _timezone(name: str):
    return timezone(name)


def select_locale() -> Locale:
    return babel_locale(_select_locale_name())


def _select_locale_name() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if request.path.startswith("/api/") and chosen not in languages:
        # API clients without a UI session choose by Accept-Language; pages' own JSON calls follow the UI.
        return api_locale_name(request.headers.get("Accept-Language", ""))
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


@lru_cache(maxsize=256)
def api_locale_name(accept_language: str) -> str:
    """The language of an API client without a UI session, by its Accept-Language header: English when it
    prefers English, else Chinese. Cached by header: a scanner sends the same one with every scan."""
    best = parse_accept_header(accept_language, LanguageAccept).best_match(["zh_CN", "zh", "en"])
    return "en" if best == "en" else "zh_CN"


def select_timezone():
    return _timezone(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def installation_zone() -> ZoneInfo:
    """The installation's time zone (BABEL_DEFAULT_TIMEZONE, China time by default): where its days, months
    and years begin. Outside an app (a pure module's default, a script) the default configuration's zone."""
    from core.config import DefaultConfig

    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"] if has_app_context() else DefaultConfig.BABEL_DEFAULT_TIMEZONE
    return _zoneinfo(zone)


@cache
def _zoneinfo(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_today() -> date:
    """Today's date where the installation is (installation_zone), not the server's clock zone: a pupil's age
    at a roster import, the default year of a new contest, a certificate's issue date."""
    return datetime.now(installation_zone()).date()


def print_locale():
    """Context for what the platform prints (certificates, tickets, reports): the installation's language
    (BABEL_DEFAULT_LOCALE), whatever the entry point — a page in English, a job or the CLI."""
    from flask_babel import force_locale

    return force_locale(current_app.config["BABEL_DEFAULT_LOCALE"])


def current_language() -> str:
    return str(get_locale() or "zh_CN")


def format_day(value: date | datetime | None, fmt: str = "long") -> str:
    """A date for people: 2024年11月22日 in zh_CN, November 22, 2024 in English."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_date(_local(value), fmt)
    return format_date(value, fmt)


def format_moment(value: datetime | None, fmt: str = "medium") -> str:
    """A date and time in the configured timezone (Asia/Shanghai by default)."""
    if value is None:
        return ""
    return format_datetime(value, fmt)


def _local(value: datetime):
    from flask_babel import to_user_timezone

    return to_user_timezone(value).date() if value.tzinfo else value.date()


def init_i18n(app: Flask) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_directories())
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["moment"] = format_moment
    app.jinja_env.globals["current_language"] = current_language
