from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

CHANNEL_CHOICES = [("inbox", _l("In the platform")), ("email", _l("Email")), ("sms", _l("SMS"))]


class AnnouncementForm(FlaskForm):
    """An organiser's message to registrants of an event or session, or to the coordinators of a contest's schools.
    The first submit (preview) shows how many people it reaches; `send` sends it."""

    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=120)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=2000)])
    channels = SelectMultipleField(
        _l("Channels"),
        choices=CHANNEL_CHOICES,
        default=["inbox", "email", "sms"],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validators=[DataRequired(message=_l("Choose at least one channel."))],
    )
    preview = SubmitField(_l("Preview the recipients"))
    send = SubmitField(_l("Send"))
