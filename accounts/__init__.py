"""Accounts: users, organisations, scoped memberships, invitations, API tokens, login."""

from flask import Flask, g
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from accounts import (
        demo,  # noqa: F401  (registers the demo seeder)
        models,  # noqa: F401
        policies,  # noqa: F401  (the area's permission rules)
        services,
    )
    from accounts.api import blp as api_blp
    from accounts.branding import brand_of
    from accounts.cli import db_empty, users_cli
    from accounts.views import bp
    from core.api import register_api
    from core.db import utcnow
    from core.extensions import login_manager
    from core.permissions import can, is_organiser
    from core.ui import add_nav

    @login_manager.user_loader
    def load_user(session_id: str):
        """The cookie holds User.get_id(), "id:session_version"; an old version is a session that has ended."""
        return services.user_for_session(session_id)

    @login_manager.request_loader
    def load_user_from_bearer(req):
        """API requests authenticate with `Authorization: Bearer kc_...` (personal API token)."""
        token = services.bearer_token(req.headers.get("Authorization")) if req.path.startswith("/api/") else None
        if token is None:
            return None
        row = services.api_token_for(token)
        if row is None:
            g.invalid_api_token = True
            return None
        if services.token_use_is_stale(row.last_used_at, utcnow()):
            services.record_token_use(row)  # its own transaction, before the request's work
        g.api_token_user = row.user  # core.security: only what a valid token authenticated skips CSRF
        return row.user

    app.register_blueprint(bp)
    app.jinja_env.globals["brand_of"] = brand_of
    register_api(app, api_blp)
    app.cli.add_command(users_cli)
    app.cli.add_command(db_empty)
    add_nav(900, _l("Organisations"), "accounts.organisations", lambda u: can("organisation.create", user=u))
    add_nav(910, _l("Invitations"), "accounts.invitations", lambda u: can("invitation.create", user=u))
    add_nav(920, _l("Users"), "accounts.users", lambda u: can("user.manage", user=u))
    add_nav(930, _l("Audit log"), "core.audit_log", lambda u: is_organiser(u) or can("audit.browse", user=u))
