"""Forms of the caravan: caravans, crew, blackout days, a school's request and the decisions on it. Times are
typed in local time (Asia/Shanghai)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from events.forms import _when
from events.models import VENUE_KIND_LABELS, VenueKind


class CaravanForm(FlaskForm):
    organisation_id = SelectField(_l("Organising unit"), coerce=int, validate_choice=False)
    name = StringField(_l("Caravan name"), validators=[DataRequired(), Length(max=100)])
    vehicle = StringField(_l("Vehicle"), validators=[Optional(), Length(max=100)])
    exhibit_set = TextAreaField(_l("Exhibit set"), validators=[Optional(), Length(max=5000)])
    crew_ids = SelectMultipleField(_l("Default crew"), coerce=int, validate_choice=False)
    active = BooleanField(_l("In service"), default=True)
    submit = SubmitField(_l("Save"))


class CaravanStaffForm(FlaskForm):
    organisation_id = SelectField(_l("Organising unit"), coerce=int, validate_choice=False)
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    role = StringField(_l("Role (driver, guide…)"), validators=[Optional(), Length(max=60)])
    submit = SubmitField(_l("Add staff member"))


class BlackoutForm(FlaskForm):
    organisation_id = SelectField(_l("Organising unit"), coerce=int, validate_choice=False)
    caravan_id = SelectField(_l("Caravan"), coerce=int, validate_choice=False)
    first_day = DateField(_l("First day"), validators=[DataRequired()])
    last_day = DateField(_l("Last day"), validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Add blackout"))


class VisitRequestForm(FlaskForm):
    organisation_id = SelectField(_l("Science association"), coerce=int, validate_choice=False)
    host_kind = SelectField(
        _l("We are a"),
        choices=[(kind.value, VENUE_KIND_LABELS[kind]) for kind in (VenueKind.SCHOOL, VenueKind.COMMUNITY)],
    )
    host_name = StringField(_l("School or community name"), validators=[DataRequired(), Length(max=200)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    contact_name = StringField(_l("Contact person"), validators=[DataRequired(), Length(max=100)])
    contact_phone = StringField(_l("Contact mobile number"), validators=[DataRequired(), Length(max=30)])
    preferred_start = _when(_l("Preferred start"))
    preferred_end = _when(_l("Preferred end"))
    alternative_start = _when(_l("Alternative start (optional)"), required=False)
    alternative_end = _when(_l("Alternative end (optional)"), required=False)
    expected_audience = IntegerField(
        _l("Expected audience (people)"), validators=[DataRequired(), NumberRange(min=1, max=100000)]
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Send request"))


class ApproveVisitForm(FlaskForm):
    caravan_id = SelectField(_l("Caravan"), coerce=int, validate_choice=False)
    staff_ids = SelectMultipleField(_l("Staff"), coerce=int, validate_choice=False)
    starts_at = _when(_l("Starts"))
    ends_at = _when(_l("Ends"))
    capacity = IntegerField(_l("Capacity"), validators=[Optional(), NumberRange(min=0, max=100000)])
    submit = SubmitField(_l("Approve and schedule"))


class DeclineVisitForm(FlaskForm):
    reason = TextAreaField(_l("Reason (shown to the requester)"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Decline"))


class ProposeVisitForm(FlaskForm):
    starts_at = _when(_l("Proposed start"))
    ends_at = _when(_l("Proposed end"))
    reason = TextAreaField(_l("Message to the requester"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Propose this date"))


class RescheduleVisitForm(FlaskForm):
    starts_at = _when(_l("New start"))
    ends_at = _when(_l("New end"))
    submit = SubmitField(_l("Move the visit"))


class CounterProposeVisitForm(FlaskForm):
    starts_at = _when(_l("Start"))
    ends_at = _when(_l("End"))
    message = TextAreaField(_l("Message to the organiser"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Propose this time instead"))


class CancelVisitForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Cancel visit"))
