"""Accounts: users, organisations, scoped memberships, invitations, API tokens, login."""
from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from accounts import (
        demo,  # noqa: F401  (registers the demo seeder)
        models,  # noqa: F401
        services,
    )
    from accounts.api import blp as api_blp
    from accounts.branding import brand_of
    from accounts.cli import users_cli
    from accounts.views import bp
    from core.api import register_api
    from core.extensions import login_manager
    from core.permissions import can, is_organiser
    from core.ui import add_nav

    @login_manager.user_loader
    def load_user(session_id: str):
        """The cookie holds User.get_id(), "id:session_version"; an old version is a session that has ended."""
        return services.user_for_session(session_id)

    app.register_blueprint(bp)
    app.jinja_env.globals["brand_of"] = brand_of
    register_api(app, api_blp)
    app.cli.add_command(users_cli)
    add_nav(900, _l("Organisations"), "accounts.organisations", lambda u: can("organisation.create", user=u))
    add_nav(910, _l("Invitations"), "accounts.invitations", lambda u: can("invitation.create", user=u))
    add_nav(920, _l("Users"), "accounts.users", lambda u: can("user.manage", user=u))
    add_nav(930, _l("Audit log"), "core.audit_log", lambda u: is_organiser(u) or can("audit.browse", user=u))
