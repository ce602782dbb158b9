"""Login, self-registration (accounts.signup), profile (password, API tokens), invitations, organisations, users."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from accounts import branding, scopes, services, throttle
from accounts import invitations as invitation_service
from accounts import signup as signup_service
from accounts.forms import (
    AcceptInvitationForm,
    ApiTokenForm,
    BrandForm,
    InvitationForm,
    LoginForm,
    OrganisationForm,
    PasswordChangeForm,
    SignupForm,
    SignupStartForm,
    UserCreateForm,
)
from accounts.models import ApiToken, Invitation, Organisation, OrganisationKind, User
from core.errors import DomainError
from core.extensions import db, limiter
from core.forms import commit_or_show
from core.permissions import Role, get_or_404, is_admin, public, require
from core.security import is_safe_next

bp = Blueprint("accounts", __name__)


def login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        account = ":".join(services.normalise_login(form.login.data))
        address = request.remote_addr or "-"
        blocked = throttle.login_blocked(account, address)
        if blocked is not None:
            kind, minutes = blocked
            if kind == throttle.ACCOUNT:
                message = _(
                    "Too many failed attempts for this account. Wait %(minutes)d minutes and try again.",
                    minutes=minutes,
                )
            else:
                message = _(
                    "Too many failed attempts from your network. Wait %(minutes)d minutes and try again.",
                    minutes=minutes,
                )
            form.password.errors = [message]
            return render_template("accounts/login.html", form=form), 429
        user = services.authenticate(form.login.data, form.password.data)
        if user is None:
            throttle.record_login_failure(account, address)
            db.session.commit()
            form.password.errors = [_("Wrong email/mobile number or password.")]
        else:
            throttle.clear_login_failures(account)
            login_user(user)
            if user.locale:
                session["lang"] = user.locale
            db.session.commit()
            target = form.next.data
            return redirect(target if is_safe_next(target) else url_for("core.dashboard"))
    return render_template("accounts/login.html", form=form)


# --- registering oneself (adults; calls open to individuals) -------------------------------------------

SIGNUP_SESSION = "accounts_signup"


@bp.route("/signup", methods=["GET", "POST"])
@public
@limiter.limit(login_limit, methods=["POST"])
def signup():
    """Step 1: the email or mobile; a code goes there (the page says the same whether it has an account)."""
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    form = SignupStartForm(next=request.args.get("next", ""))
    if form.validate_on_submit():

        def start() -> tuple[str, bool]:
            channel, address = signup_service.clean_contact(form.contact.data)
            return address, signup_service.start_signup(channel, address, language=session.get("lang"))

        done = commit_or_show(start, form)
        if done and not done.value[1]:
            form.contact.errors = [_("Too many codes were sent to this address. Wait an hour and try again.")]
            return render_template("accounts/signup_start.html", form=form), 429
        if done:
            target = form.next.data
            session[SIGNUP_SESSION] = {"address": done.value[0], "next": target if is_safe_next(target) else ""}
            return redirect(url_for("accounts.signup_details"))
    return render_template("accounts/signup_start.html", form=form)


@bp.route("/signup/details", methods=["GET", "POST"])
@public
@limiter.limit(login_limit, methods=["POST"])
def signup_details():
    """Step 2: the code and the account's details; the account is made only with the right code."""
    pending = session.get(SIGNUP_SESSION) or {}
    address = pending.get("address")
    if not address or current_user.is_authenticated:
        return redirect(url_for("accounts.signup"))
    form = SignupForm()
    if form.validate_on_submit():
        done = commit_or_show(
            lambda: signup_service.complete_signup(
                address,
                form.code.data,
                name=form.name.data,
                password=form.password.data,
                birth_date=form.birth_date.data,
            ),
            form,
        )
        if done and done.value is not None:
            session.pop(SIGNUP_SESSION, None)
            login_user(done.value)
            flash(_("Welcome! Your account is ready."), "success")
            target = pending.get("next")
            return redirect(target if is_safe_next(target) else url_for("core.dashboard"))
        if done:  # committed: the wrong guess is counted
            form.code.errors = [_("This code is not right, or it has expired. Ask for a new one.")]
    from core.privacy import mask_contact

    return render_template("accounts/signup.html", form=form, masked=mask_contact(address))


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("core.home"))


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    password_form = PasswordChangeForm(prefix="pw")
    token_form = ApiTokenForm(prefix="tok")
    new_token = None
    if password_form.submit.data and password_form.validate_on_submit():
        user = current_user._get_current_object()
        if commit_or_show(
            lambda: services.change_password(
                user,
                password_form.current_password.data,
                password_form.password.data,
                revoke_tokens=password_form.revoke_tokens.data,
            ),
            password_form,
        ):
            login_user(user)  # this session goes on under the new session version; every other one ends
            flash(_("Your password was changed. You were logged out on every other device."), "success")
            return redirect(url_for("accounts.profile"))
    elif token_form.submit.data and token_form.validate_on_submit():
        _row, new_token = services.create_api_token(current_user, token_form.name.data)
        db.session.commit()
    tokens = (
        db.session.execute(sa.select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.id.desc()))
        .scalars()
        .all()
    )
    return render_template(
        "accounts/profile.html", password_form=password_form, token_form=token_form, tokens=tokens, new_token=new_token
    )


@bp.route("/profile/logout-everywhere", methods=["POST"])
def logout_everywhere():
    """End every session of the user, on every device, this one included (API tokens stay: revoke them apart)."""
    services.end_all_sessions(current_user._get_current_object())
    db.session.commit()
    logout_user()
    flash(_("You were logged out on every device."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_token(token_id: int):
    token = get_or_404(ApiToken, token_id)
    if token.user_id != current_user.id:
        abort(403)
    services.revoke_api_token(token, actor=current_user)
    db.session.commit()
    flash(_("The token was revoked."), "info")
    return redirect(url_for("accounts.profile"))


# --- invitations ---------------------------------------------------------------------------------------


def _org_choices(kinds: tuple[str, ...] | None = None) -> list[tuple[int, str]]:
    orgs = services.organisations_visible_to(current_user)
    return [(o.id, o.name) for o in orgs if kinds is None or o.kind in kinds]


@bp.route("/invitations", methods=["GET", "POST"])
def invitations():
    require("invitation.create")
    form = InvitationForm()
    form.organisation_id.choices = [(0, "—")] + _org_choices()
    form.contest_id.choices = [(0, "—")] + scopes.invitation_choices(Role.JUDGE, current_user)
    form.event_id.choices = [(0, "—")] + scopes.invitation_choices(Role.CHECKIN, current_user)
    link = None
    if form.validate_on_submit():
        role = form.role.data
        org = get_or_404(Organisation, form.organisation_id.data) if form.organisation_id.data else None
        scope_id = {Role.JUDGE.value: form.contest_id.data, Role.CHECKIN.value: form.event_id.data}.get(role) or None
        done = commit_or_show(
            lambda: invitation_service.create_invitation(
                role=role,
                created_by=current_user._get_current_object(),
                organisation=org,
                scope_id=scope_id,
                email=form.email.data,
                mobile=form.mobile.data or None,
                name=form.name.data or "",
                days=current_app.config["INVITATION_DAYS"],
            ),
            form,
        )
        if done:
            _invitation, token = done.value
            link = url_for("accounts.accept_invitation", token=token, _external=True)
    query = sa.select(Invitation).order_by(Invitation.id.desc()).limit(100)
    if not is_admin(current_user):
        query = query.where(Invitation.created_by_id == current_user.id)
    rows = db.session.execute(query).scalars().all()
    scope_names = scopes.invitation_scope_names(rows, current_user)
    return render_template("accounts/invitations.html", form=form, link=link, invitations=rows, scope_names=scope_names)


@bp.route("/invite/<token>", methods=["GET", "POST"])
@public
@limiter.limit(login_limit, methods=["POST"])
def accept_invitation(token: str):
    try:
        invitation = invitation_service.find_invitation(token)
    except DomainError as exc:
        return render_template("errors/error.html", status=410, message=str(exc)), 410
    form = AcceptInvitationForm(email=invitation.email, mobile=invitation.mobile, name=invitation.name)
    if form.validate_on_submit():
        done = commit_or_show(
            lambda: invitation_service.accept_invitation(
                token,
                name=form.name.data,
                password=form.password.data,
                email=form.email.data or None,
                mobile=form.mobile.data or None,
            ),
            form,
        )
        if done:
            login_user(done.value)
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(url_for("core.dashboard"))
    return render_template(
        "accounts/accept_invitation.html",
        form=form,
        invitation=invitation,
        scope_name=scopes.invitation_scope_name(invitation),
    )


# --- organisations -------------------------------------------------------------------------------------


@bp.route("/organisations")
def organisations():
    require("organisation.create")
    kind = request.args.get("kind") or None
    orgs = services.organisations_visible_to(current_user, kind)
    return render_template("accounts/organisations.html", organisations=orgs, kind=kind)


def _fill_org_form(form: OrganisationForm) -> None:
    form.parent_id.choices = [(0, "—")] + _org_choices((OrganisationKind.ASSOCIATION,))


@bp.route("/organisations/new", methods=["GET", "POST"])
@bp.route("/organisations/<int:org_id>/edit", methods=["GET", "POST"])
def edit_organisation(org_id: int | None = None):
    org = get_or_404(Organisation, org_id) if org_id else None
    if org is not None:
        require("organisation.manage", org)
    else:
        require("organisation.create")
    form = OrganisationForm(obj=org)
    _fill_org_form(form)
    if form.validate_on_submit():
        parent = db.session.get(Organisation, form.parent_id.data) if form.parent_id.data else None
        require("organisation.create", parent)
        if commit_or_show(
            lambda: services.save_organisation(
                org,
                kind=form.kind.data,
                name=form.name.data,
                code=form.code.data,
                parent_id=parent.id if parent else None,
                stage=form.stage.data or None,
                district=form.district.data or None,
                address=form.address.data or None,
                contact_phone=form.contact_phone.data or None,
            ),
            form,
            _("Saved."),
        ):
            return redirect(url_for("accounts.organisations"))
    return render_template("accounts/organisation_form.html", form=form, organisation=org)


@bp.route("/organisations/<int:org_id>/brand", methods=["GET", "POST"])
def edit_brand(org_id: int):
    """An association's organiser sets its main colour and logo."""
    org = get_or_404(Organisation, org_id)
    require("organisation.manage", org)
    if org.kind != OrganisationKind.ASSOCIATION:
        abort(404)
    form = BrandForm(obj=org)
    if form.validate_on_submit():
        upload = form.logo.data
        if commit_or_show(
            lambda: branding.set_brand(
                org,
                colour=form.brand_colour.data,
                logo=upload.read() if upload else None,
                remove_logo=form.remove_logo.data,
            ),
            form,
            _("Saved."),
        ):
            return redirect(url_for("accounts.edit_brand", org_id=org.id))
    return render_template("accounts/brand_form.html", form=form, organisation=org, brand=branding.brand_of(org))


@bp.route("/brand/<int:org_id>/<name>")
@public
def brand_logo(org_id: int, name: str):
    """An association's logo (public: it is on public pages and link previews); the name changes with each upload."""
    org = get_or_404(Organisation, org_id)
    path = branding.logo_path(org)
    if path is None or name != org.logo_file:
        abort(404)
    return send_file(path, mimetype="image/png", max_age=30 * 24 * 3600)


@bp.route("/users", methods=["GET", "POST"])
def users():
    require("user.manage")
    form = UserCreateForm()
    form.organisation_id.choices = [(0, "—")] + _org_choices()
    if form.validate_on_submit():
        org = db.session.get(Organisation, form.organisation_id.data) if form.organisation_id.data else None

        def create():
            user = services.create_user(
                name=form.name.data,
                password=form.password.data,
                email=form.email.data or None,
                mobile=form.mobile.data or None,
            )
            if form.role.data:
                services.grant_role(user, form.role.data, organisation=org)

        if commit_or_show(create, form, _("The account was created.")):
            return redirect(url_for("accounts.users"))
    page = db.paginate(sa.select(User).order_by(User.id), per_page=50, error_out=False)
    return render_template("accounts/users.html", page=page, form=form)
