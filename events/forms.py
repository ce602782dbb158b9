"""Forms of the events area, one per use case (the caravan's are in events.caravan.forms). Times are typed in
local time (Asia/Shanghai)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from events.models import AUDIENCE_LABELS, EVENT_KIND_LABELS, REGISTRATION_KIND_LABELS, VENUE_KIND_LABELS
from notifications.forms import AnnouncementForm

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _when(label, required=True):
    return DateTimeLocalField(label, format=DATETIME_FORMAT, validators=[DataRequired()] if required else [Optional()])


class EventForm(FlaskForm):
    organisation_id = SelectField(_l("Organising unit"), coerce=int, validate_choice=False)
    kind = SelectField(_l("Type"), choices=list(EVENT_KIND_LABELS.items()))
    title = StringField(_l("Event title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    venue_id = SelectField(_l("Venue"), coerce=int, validate_choice=False)
    audience = SelectField(_l("Audience"), choices=list(AUDIENCE_LABELS.items()))
    starts_at = _when(_l("Starts"))
    ends_at = _when(_l("Ends"))
    capacity = IntegerField(_l("Capacity (first session)"), validators=[Optional(), NumberRange(min=0, max=100000)])
    registration_opens_at = _when(_l("Registration opens"), required=False)
    registration_closes_at = _when(_l("Registration closes"), required=False)
    waitlist_enabled = BooleanField(_l("Keep a waiting list when full"), default=True)
    exit_scan = BooleanField(_l("Scan visitors at the exit too (study visits, volunteer hours)"), default=False)
    personal_data = SelectField(
        _l("Asked of each visitor for the insurance list (研学)"),
        choices=[("", _l("Nothing")), ("birth_date", _l("Gender and birth date")), ("id_number", _l("ID number"))],
        default="",
    )
    submit = SubmitField(_l("Save"))


class SessionForm(FlaskForm):
    title = StringField(_l("Session name"), validators=[Optional(), Length(max=200)])
    starts_at = _when(_l("Starts"))
    ends_at = _when(_l("Ends"))
    # InputRequired, not DataRequired: 0 is a real capacity (an organiser closes a session to new registrations)
    capacity = IntegerField(_l("Capacity"), validators=[InputRequired(), NumberRange(min=0, max=100000)])
    submit = SubmitField(_l("Save session"))


class VenueForm(FlaskForm):
    organisation_id = SelectField(_l("Organising unit"), coerce=int, validate_choice=False)
    kind = SelectField(_l("Kind"), choices=list(VENUE_KIND_LABELS.items()))
    name = StringField(_l("Venue name"), validators=[DataRequired(), Length(max=200)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    capacity = IntegerField(_l("Capacity"), validators=[Optional(), NumberRange(min=0, max=100000)], default=0)
    travel_minutes = IntegerField(
        _l("Caravan travel time to here (minutes, empty: default)"),
        validators=[Optional(), NumberRange(min=0, max=1440)],
    )
    submit = SubmitField(_l("Save"))


class RegistrationForm(FlaskForm):
    session_id = SelectField(_l("Session"), coerce=int, validate_choice=False)
    kind = SelectField(_l("Registering as"), choices=list(REGISTRATION_KIND_LABELS.items()))
    name = StringField(_l("Name (group: the leader)"), validators=[DataRequired(), Length(max=100)])
    phone = StringField(_l("Mobile number"), validators=[DataRequired(), Length(max=30)])
    school_name = StringField(_l("School (optional)"), validators=[Optional(), Length(max=200)])
    grade = StringField(_l("Grade (optional)"), validators=[Optional(), Length(max=40)])
    head_count = IntegerField(
        _l("Number of people (groups)"), validators=[Optional(), NumberRange(min=1, max=500)], default=1
    )
    member_names = TextAreaField(
        _l("Names of the group members (optional, one per line)"), validators=[Optional(), Length(max=10000)]
    )
    # asked only where the event needs them for its insurance list (the view removes them otherwise)
    gender = SelectField(_l("Gender"), choices=[("", "—"), ("男", _l("Male")), ("女", _l("Female"))], default="")
    birth_date = DateField(_l("Birth date"), validators=[Optional()])
    id_number = StringField(_l("ID number"), validators=[Optional(), Length(max=30)])
    submit = SubmitField(_l("Register"))


class WalkInForm(FlaskForm):
    session_id = SelectField(_l("Session"), coerce=int, validate_choice=False)
    kind = SelectField(_l("Registering as"), choices=list(REGISTRATION_KIND_LABELS.items()))
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    phone = StringField(_l("Mobile number (optional)"), validators=[Optional(), Length(max=30)])
    school_name = StringField(_l("School (optional)"), validators=[Optional(), Length(max=200)])
    head_count = IntegerField(_l("Number of people"), validators=[Optional(), NumberRange(min=1, max=500)], default=1)
    submit = SubmitField(_l("Register and check in"))


class StaffLinkForm(FlaskForm):
    label = StringField(_l("Gate or helper"), validators=[DataRequired(), Length(max=60)])
    expires_at = _when(_l("Expires (empty: when the event ends)"), required=False)
    submit = SubmitField(_l("Create staff link"))


class GrantStaffForm(FlaskForm):
    login = StringField(_l("Email or mobile number of the account"), validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Grant check-in rights"))


class RecoveryStartForm(FlaskForm):
    contact = StringField(
        _l("The mobile number (or email) you registered with"), validators=[DataRequired(), Length(max=254)]
    )
    submit = SubmitField(_l("Send me a code"))


class RecoveryCodeForm(FlaskForm):
    code = StringField(_l("Code from the message"), validators=[DataRequired(), Length(min=6, max=6)])
    submit = SubmitField(_l("Show my registrations"))


class EventAnnouncementForm(AnnouncementForm):
    session_id = SelectField(_l("Who"), coerce=int, validate_choice=False)
