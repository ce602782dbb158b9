"""`flask users create|token`, `flask orgs list` and `flask db-empty`."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup, with_appcontext
from flask_babel import gettext as _

from accounts import services
from accounts.models import Organisation, User
from core.errors import DomainError
from core.extensions import db
from core.permissions import Role

users_cli = AppGroup("users", help="User accounts.")


@click.command("db-empty")
@with_appcontext
def db_empty() -> None:
    """Exit 0 when the database has no users (so `make run` knows to seed), 1 otherwise."""
    count = db.session.query(User.id).limit(1).count()
    raise SystemExit(0 if count == 0 else 1)


@users_cli.command("create")
@click.option("--email", default=None)
@click.option("--mobile", default=None)
@click.option("--password", required=True)
@click.option("--name", default=None)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=None)
@click.option("--org", "org_code", default=None, help="Organisation code (organisers and coordinators).")
@click.option("--scope", "scope_id", type=int, default=None, help="Contest id (judges) or event id (check-in staff).")
def create_user(email, mobile, password, name, role, org_code, scope_id):
    """Create an account, optionally with a role."""
    try:
        org = None
        if org_code:
            org = db.session.execute(sa.select(Organisation).where(Organisation.code == org_code)).scalar_one_or_none()
            if org is None:
                raise DomainError(_("No organisation has the code %(code)s.", code=org_code))
        user = services.create_user(name=name or email or mobile or "", password=password, email=email, mobile=mobile)
        if role:
            services.grant_role(user, role, organisation=org, scope_id=scope_id)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    login = user.email or user.mobile
    if role:
        click.echo(_("created user %(id)s %(login)s with role %(role)s", id=user.id, login=login, role=role))
    else:
        click.echo(_("created user %(id)s %(login)s", id=user.id, login=login))


@users_cli.command("token")
@click.option("--email", required=True, help="Email or mobile number of the account.")
@click.option("--name", default="cli", show_default=True)
def create_token(email, name):
    """Create a personal API token; the token is the last line printed."""
    user = services.find_user_by_login(email)
    if user is None:
        raise click.ClickException(_("No account has the login %(login)s.", login=email))
    _row, token = services.create_api_token(user, name)
    db.session.commit()
    click.echo(_("API token for %(name)s (shown once):", name=user.display_name))
    click.echo(token)


@users_cli.command("list")
def list_users():
    for user in db.session.execute(sa.select(User).order_by(User.id)).scalars():
        roles = ",".join(sorted(user.roles()))
        click.echo(f"{user.id}, {user.email or ''}, {user.mobile or ''}, {user.name}, {roles}")
