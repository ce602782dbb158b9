"""Protected by default, CSRF, security headers and localised error pages."""

from __future__ import annotations

import base64
import contextlib
import hashlib
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from core.extensions import csrf, login_manager
from core.permissions import is_public_view

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; worker-src 'self' blob:; connect-src 'self'; font-src 'self' data:; "
    "object-src 'none'; frame-src 'self'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'"
)


def style_hash(css: str) -> str:
    """The CSP source that allows exactly one inline <style> whose text is `css` (CSP3 hash-source)."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy(inline_css: str | None) -> str:
    """CSP, with the public layout's critical CSS allowed by its hash when there is one. Style attributes and any
    other inline style stay forbidden; scripts stay 'self' only."""
    if not inline_css:
        return CSP
    return CSP.replace("style-src 'self';", f"style-src 'self' {style_hash(inline_css)};")


ERROR_MESSAGES = {
    400: ("bad_request", lambda: _("The request could not be understood.")),
    401: ("unauthorized", lambda: _("Log in, or send a valid API token.")),
    403: ("forbidden", lambda: _("You do not have permission to do this.")),
    404: ("not_found", lambda: _("This page or object does not exist.")),
    405: ("method_not_allowed", lambda: _("This method is not allowed here.")),
    409: ("conflict", lambda: _("This conflicts with the current state; reload and try again.")),
    410: ("gone", lambda: _("This is no longer valid.")),
    413: ("too_large", lambda: _("The upload is too large.")),
    422: ("invalid", lambda: _("Some fields are not valid.")),
    429: ("too_many_requests", lambda: _("Too many attempts. Wait a minute and try again.")),
    500: ("server_error", lambda: _("Something went wrong on our side. The error was logged.")),
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_body(status: int, message: str | None = None, code: str | None = None, details=None) -> dict:
    default_code, default_message = ERROR_MESSAGES.get(status, ("error", lambda: _("Error")))
    body = {"code": code or default_code, "message": message or default_message()}
    if details:
        body["details"] = details
    return {"error": body}


def api_error(status: int, message: str | None = None, code: str | None = None, details=None):
    return jsonify(error_body(status, message, code, details)), status


def is_safe_next(target: str | None) -> bool:
    """Only same-site relative paths are followed after login (no open redirects)."""
    if not target:
        return False
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):  # CR/LF would split the Location header
        return False
    parts = urlsplit(target)
    return (
        not parts.scheme
        and not parts.netloc
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
    )


def enforce_login():
    """Every endpoint needs a login unless its view is marked @public."""
    if request.endpoint is None or request.endpoint == "static":
        return None
    view = current_app.view_functions.get(request.endpoint)
    if view is None or is_public_view(request.endpoint, view):
        return None
    if current_user.is_authenticated:
        return None
    if wants_json():
        if g.get("invalid_api_token"):
            return api_error(401, _("The API token is malformed, revoked or unknown."), code="invalid_token")
        return api_error(401)
    return login_manager.unauthorized()


def authenticated_by_token() -> bool:
    """Whether a valid API token, not a session cookie, authenticated this request (core.api's request loader
    marks it). A cookie session wins over a token in Flask-Login, so a session with any token header is a
    session request."""
    if not (wants_json() and request.headers.get("Authorization", "").startswith("Bearer ")):
        return False
    return current_user.is_authenticated and g.get("api_token_user") is current_user._get_current_object()


def protect_csrf():
    """CSRF on every state-changing request except API calls a valid bearer token authenticated."""
    if request.method in ("GET", "HEAD", "OPTIONS", "TRACE") or not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    if request.endpoint is None:  # no such route or method: let routing answer 404/405
        return
    if authenticated_by_token():
        return
    if wants_json() and g.get("invalid_api_token") and not current_user.is_authenticated:
        # a bad token and no session: the caller is told about the token (401), not about CSRF
        return api_error(401, _("The API token is malformed, revoked or unknown."), code="invalid_token")
    if getattr(current_app.view_functions.get(request.endpoint), "csrf_exempt", False):
        return
    csrf.protect()


def security_headers(app: Flask) -> list[tuple[str, str]]:
    """The headers every answer carries."""
    headers = [
        ("Content-Security-Policy", app.extensions.get("kc.csp", CSP)),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "SAMEORIGIN"),
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(self), microphone=(), geolocation=()"),
    ]
    if app.config.get("SESSION_COOKIE_SECURE"):
        headers.append(("Strict-Transport-Security", "max-age=31536000"))
    return headers


def add_security_headers(response):
    for name, value in security_headers(current_app):
        response.headers.setdefault(name, value)
    return response


def handle_http_error(exc: HTTPException):
    status = exc.code or 500
    if wants_json():
        data = getattr(exc, "data", None) or {}
        details = data.get("messages") if isinstance(data, dict) else None
        message = data.get("message") if isinstance(data, dict) else None
        if status in ERROR_MESSAGES and not message:
            message = None
        return api_error(status, message=message if message and status not in (404,) else None, details=details)
    code, message = ERROR_MESSAGES.get(status, ("error", lambda: exc.description))
    description = getattr(exc, "kechuang_message", None) or message()
    return render_template("errors/error.html", status=status, message=description), status


def handle_csrf_error(exc: CSRFError):
    message = _(
        "The form was sent without a valid security token (it may have expired). Reload the page and try again."
    )
    if wants_json():
        return api_error(400, message=message, code="csrf")
    return render_template("errors/error.html", status=400, message=message), 400


def handle_out_of_range(exc: Exception):
    """A number too large for the database (an id beyond INTEGER, an API body's field) names nothing: 404 for
    a page, 422 for the API, never a 500. Anything else of the kind is a real error."""
    from sqlalchemy.exc import DataError

    if isinstance(exc, DataError) and getattr(getattr(exc, "orig", None), "sqlstate", None) != "22003":
        return handle_server_error(exc)
    if isinstance(exc, OverflowError) and "too large" not in str(exc) and "out of range" not in str(exc):
        return handle_server_error(exc)
    from core.extensions import db

    db.session.rollback()
    if wants_json():
        message = _("A number is out of range.")
        return api_error(422, message, details={"json": {"_schema": [message]}})
    return render_template("errors/error.html", status=404, message=ERROR_MESSAGES[404][1]()), 404


def handle_database_unavailable(exc: Exception):
    """The database cannot be reached (or is busy): 503, said plainly, logged once per request."""
    from core.extensions import db

    current_app.logger.error("database unavailable: %s", str(exc).splitlines()[0] if str(exc) else exc)
    with contextlib.suppress(Exception):  # the connection is gone; nothing to undo
        db.session.rollback()
    message = _("The database cannot be reached at the moment. Try again in a few minutes.")
    if wants_json():
        return api_error(503, message, code="unavailable")
    return render_template("errors/error.html", status=503, message=message), 503


def handle_server_error(exc: Exception):
    current_app.logger.exception("unhandled error")
    if wants_json():
        return api_error(500)
    return render_template("errors/error.html", status=500, message=ERROR_MESSAGES[500][1]()), 500


class CookieFirstSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, but a request without the cookie (API clients, scanners) gets an empty
    session without building the signing serializer first (a key derivation per request)."""

    def open_session(self, app: Flask, request):
        if not request.cookies.get(self.get_cookie_name(app)):
            if not app.secret_key:
                return None
            return self.session_class()
        return super().open_session(app, request)


def init_critical_css(app: Flask) -> None:
    """Read the critical CSS once at start-up (core/assets.py builds it) and allow it, by its hash, in the CSP.
    Templates call critical_css(); None without a build, and pages then load their stylesheets in <head>."""
    from core.assets import read_critical_css

    css = read_critical_css()
    app.extensions["kc.csp"] = content_security_policy(css)
    inline = Markup(css) if css else None  # noqa: S704 — our own built file (core.assets); escaping would break `>`
    app.jinja_env.globals["critical_css"] = lambda: inline


def init_security(app: Flask) -> None:
    app.session_interface = CookieFirstSessionInterface()
    init_critical_css(app)
    app.before_request(enforce_login)  # first: an anonymous API call is told to authenticate (401), not "csrf"
    app.before_request(protect_csrf)
    app.after_request(add_security_headers)
    from sqlalchemy.exc import DataError, OperationalError

    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(OverflowError, handle_out_of_range)
    app.register_error_handler(DataError, handle_out_of_range)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(HTTPException, handle_http_error)
    if not app.testing:
        app.register_error_handler(Exception, handle_server_error)
    else:
        app.register_error_handler(500, handle_server_error)


def flash_error(message) -> None:
    flash(str(message), "danger")


def redirect_back(default_endpoint: str = "core.dashboard"):
    target = request.args.get("next") or request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for(default_endpoint))
