from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, HiddenField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional


class LoginForm(FlaskForm):
    login = StringField(_l("Email or mobile number"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8, max=128)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )
    revoke_tokens = BooleanField(_l("Also revoke my API tokens (scripts and scanners using them need new ones)"))
    submit = SubmitField(_l("Change password"))


class ApiTokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=100)])
    submit = SubmitField(_l("Create token"))


class InvitationForm(FlaskForm):
    role = SelectField(
        _l("Role"),
        choices=[
            ("coordinator", _l("School coordinator")),
            ("judge", _l("Judge")),
            ("checkin", _l("Check-in staff")),
            ("organiser", _l("Organiser")),
        ],
    )
    organisation_id = SelectField(
        _l("Organisation (organisers and school coordinators)"),
        coerce=int,
        validators=[Optional()],
        validate_choice=False,
    )
    # The service refuses an id the inviter does not manage or that names nothing, with a message.
    contest_id = SelectField(_l("Contest (judges)"), coerce=int, validators=[Optional()], validate_choice=False)
    event_id = SelectField(_l("Event (check-in staff)"), coerce=int, validators=[Optional()], validate_choice=False)
    email = StringField(
        _l("Email (optional)"),
        validators=[
            Optional(),
            Length(max=254),
            Email(message=_l("Enter a valid email address, such as name@example.cn.")),
        ],
    )
    # Checked by the service with the one phone rule (accounts.services.clean_mobile).
    mobile = StringField(_l("Mobile number (optional)"), validators=[Optional(), Length(max=20)])
    name = StringField(_l("Name (optional)"), validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("Create invitation link"))


class AcceptInvitationForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=100)])
    email = StringField(_l("Email"), validators=[Optional(), Length(max=254)])
    mobile = StringField(_l("Mobile number"), validators=[Optional(), Length(max=20)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, max=128)])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )
    submit = SubmitField(_l("Create my account"))


class SignupStartForm(FlaskForm):
    """Registering oneself, step 1: where the code goes."""

    contact = StringField(_l("Email or mobile number"), validators=[DataRequired(), Length(max=254)])
    next = HiddenField()
    submit = SubmitField(_l("Send me a code"))


class SignupForm(FlaskForm):
    """Registering oneself, step 2: the code and the account's details."""

    code = StringField(_l("Code from the message"), validators=[DataRequired(), Length(min=6, max=6)])
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=100)])
    birth_date = DateField(_l("Birth date"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, max=128)])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )
    submit = SubmitField(_l("Create my account"))


class OrganisationForm(FlaskForm):
    kind = SelectField(
        _l("Kind"),
        choices=[
            ("school", _l("School")),
            ("association", _l("Organising unit (科协)")),
            ("community", _l("Community")),
            ("science_base", _l("Science base")),
        ],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    code = StringField(_l("Code"), validators=[Optional(), Length(max=40)])
    parent_id = SelectField(_l("Parent unit"), coerce=int, validate_choice=False)
    stage = SelectField(
        _l("Stage (学段)"),
        choices=[
            ("", "—"),
            ("primary", _l("Primary school")),
            ("junior", _l("Junior middle school")),
            ("senior", _l("Senior middle school")),
            ("complete", _l("Complete middle school")),
            ("nine_year", _l("Nine-year school")),
        ],
        validators=[Optional()],
    )
    district = StringField(_l("District"), validators=[Optional(), Length(max=100)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=30)])
    submit = SubmitField(_l("Save"))


class UserCreateForm(FlaskForm):
    """An administrator creates an account directly (e.g. for an organiser), optionally with a role."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    email = StringField(_l("Email"), validators=[Optional(), Length(max=254)])
    mobile = StringField(_l("Mobile number"), validators=[Optional(), Length(max=20)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, max=128)])
    role = SelectField(
        _l("Role"),
        choices=[
            ("", "—"),
            ("organiser", _l("Organiser")),
            ("coordinator", _l("School coordinator")),
            ("admin", _l("Administrator")),
        ],
        validators=[Optional()],
    )
    organisation_id = SelectField(_l("Organisation"), coerce=int, validators=[Optional()], validate_choice=False)
    submit = SubmitField(_l("Create account"))


class BrandForm(FlaskForm):
    brand_colour = StringField(
        _l("Main colour"),
        validators=[Optional(), Length(max=7)],
        description=_l(
            "Buttons and the header band of your public pages, tickets and emails. Empty: the platform's neutral look."
        ),
    )
    logo = FileField(
        _l("Logo (PNG or JPEG)"),
        description=_l("Shown on public pages, tickets, emails and link previews; a square logo looks best."),
    )
    remove_logo = BooleanField(_l("Remove the logo"))
    submit = SubmitField(_l("Save the brand"))
