"""Forms of the judging area, one per use case. Criterion scores are a dynamic form handled in the view."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from competitions.forms import CheckboxesField
from judging.models import (
    ADVANCEMENT_LABELS,
    AWARD_LABELS,
    AWARD_MODE_LABELS,
    METHOD_LABELS,
    PERFORMANCE_RULE_LABELS,
    RUN_STATUS_LABELS,
    SPECIAL_AWARD_LABELS,
)

TIE_BREAK_CHOICES = [("raw_sum", _l("Sum of all judges' raw scores")), ("later_round", _l("Score in the later round"))]


class RoundForm(FlaskForm):
    name = StringField(_l("Round name (e.g. 初评, 终评)"), validators=[DataRequired(), Length(max=100)])
    position = IntegerField(_l("Order"), validators=[Optional(), NumberRange(min=1, max=20)])
    onsite = BooleanField(_l("On site (defense / 问辩)"))
    categories = CheckboxesField(_l("Categories judged in this round"), coerce=int)
    opens_at = DateTimeLocalField(_l("Opens at"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Closes at"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    judges_per_entry = IntegerField(
        _l("Judges per entry (k)"), default=3, validators=[DataRequired(), NumberRange(min=1, max=15)]
    )
    method = SelectField(_l("Aggregation method"), choices=list(METHOD_LABELS.items()), default="trimmed_mean")
    n_min = IntegerField(
        _l("Fewest scores needed to drop the highest and lowest"),
        default=5,
        description=_l("With fewer scores, none is dropped."),
        validators=[DataRequired(), NumberRange(min=3, max=50)],
    )
    tie_breaks = SelectMultipleField(_l("Tie-breaks, in order"), choices=TIE_BREAK_CHOICES, default=["raw_sum"])
    tie_criterion = StringField(_l("Then this criterion (name, optional)"), validators=[Optional(), Length(max=100)])
    advancement = SelectField(_l("Advancement"), choices=list(ADVANCEMENT_LABELS.items()), default="none")
    advancement_value = DecimalField(_l("N, percentage or score for advancement"), places=2, validators=[Optional()])
    award_mode = SelectField(_l("Awards"), choices=list(AWARD_MODE_LABELS.items()), default="none")
    first = DecimalField(_l("First prize (% or minimum score)"), places=2, validators=[Optional()])
    second = DecimalField(_l("Second prize (% or minimum score)"), places=2, validators=[Optional()])
    third = DecimalField(_l("Third prize (% or minimum score)"), places=2, validators=[Optional()])
    merit = DecimalField(_l("Merit award (% or minimum score)"), places=2, validators=[Optional()])
    cap = DecimalField(_l("Total cap (% of entries)"), places=2, validators=[Optional(), NumberRange(min=0, max=100)])
    rounding = SelectField(
        _l("Rounding of quotas"),
        choices=[("half_up", _l("Round half up (2.5 → 3)")), ("down", _l("Round down (2.9 → 2)"))],
        default="half_up",
    )
    strict_cap = BooleanField(_l("Strict cap: a tie across the cap gets no award"))
    submit = SubmitField(_l("Save round"))


class CriterionForm(FlaskForm):
    name = StringField(_l("Criterion"), validators=[DataRequired(), Length(max=100)])
    description = StringField(_l("Criterion description"), validators=[Optional(), Length(max=500)])
    weight = DecimalField(_l("Weight"), places=2, default=1, validators=[DataRequired()])
    maximum = DecimalField(_l("Maximum"), places=2, validators=[DataRequired()])
    step = DecimalField(_l("Step"), places=2, default=1, validators=[DataRequired()])
    submit = SubmitField(_l("Save criterion"))


class TemplateForm(FlaskForm):
    template = SelectField(_l("Rubric template"), choices=[])
    submit = SubmitField(_l("Apply template"))


class PerformanceRuleForm(FlaskForm):
    performance_rule = SelectField(_l("Rule"), choices=list(PERFORMANCE_RULE_LABELS.items()))
    runs = IntegerField(_l("Runs (N)"), validators=[DataRequired(), NumberRange(min=1, max=10)])
    confirm_runs = BooleanField(_l("A second person confirms each run"))
    max_points = DecimalField(
        _l("Maximum points per run"), places=2, validators=[DataRequired(), NumberRange(min=0.01, max=999999)]
    )
    time_limit = StringField(_l("Time limit per run (mm:ss.cc, optional)"), validators=[Optional(), Length(max=12)])
    submit = SubmitField(_l("Save rule"))


class InviteJudgeForm(FlaskForm):
    email = StringField(_l("Judge's email"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name (for a new account)"), validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("Invite judge"))


class JudgeProfileForm(FlaskForm):
    expertise = CheckboxesField(_l("Expertise (categories; none selected = any)"), coerce=int)
    affiliation_id = SelectField(_l("Works at (organisation)"), coerce=int, validate_choice=False)
    conflict_schools = CheckboxesField(_l("Conflicts: schools"), coerce=int)
    conflict_entries = StringField(
        _l("Conflicts: entry codes, separated by commas"), validators=[Optional(), Length(max=2000)]
    )
    submit = SubmitField(_l("Save"))


class AssignForm(FlaskForm):
    entry_code = StringField(_l("Entry code"), validators=[DataRequired(), Length(max=40)])
    judge_id = SelectField(_l("Judge"), coerce=int, validate_choice=False)
    submit = SubmitField(_l("Assign"))


class DeclineForm(FlaskForm):
    reason = StringField(_l("Why can you not judge this entry?"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Cannot judge"))


class RunForm(FlaskForm):
    run_number = IntegerField(_l("Run"), validators=[DataRequired(), NumberRange(min=1, max=10)])
    status = SelectField(_l("Status"), choices=list(RUN_STATUS_LABELS.items()), default="ok")
    # a DNF/DQ run needs no points: the service asks for them only for a finished run
    points = StringField(
        _l("Points"), validators=[Optional(), Length(max=20)], description=_l("Not needed for a DNF or DQ run.")
    )
    time = StringField(_l("Time (mm:ss.cc)"), validators=[Optional(), Length(max=12)])
    penalty_seconds = IntegerField(_l("Penalty seconds"), default=0, validators=[Optional(), NumberRange(min=0)])
    submit = SubmitField(_l("Save run"))


class ImportScoresForm(FlaskForm):
    file = FileField(_l("Score sheet (.xlsx)"), validators=[FileRequired()])
    submit = SubmitField(_l("Import scores"))


class OverrideForm(FlaskForm):
    award = SelectField(_l("Award"), choices=[("", _l("No award"))] + list(AWARD_LABELS.items()))
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Change award"))


class RecheckForm(FlaskForm):
    message = StringField(_l("Message to the judge"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Ask to re-check"))


class SpecialAwardForm(FlaskForm):
    kind = SelectField(_l("Special award"), choices=list(SPECIAL_AWARD_LABELS.items()))
    entry_code = StringField(_l("Entry code (for an entry or its advisor)"), validators=[Optional(), Length(max=40)])
    organisation_id = SelectField(_l("Or an organisation"), coerce=int, validate_choice=False)
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Add special award"))


class NoticeForm(FlaskForm):
    # checkboxes (templates/judging/notice.html): the rubric round and the robot round are published together
    rounds = SelectMultipleField(
        _l("Results of rounds"),
        coerce=int,
        validators=[DataRequired(_l("Choose the rounds whose results are published."))],
    )
    days = IntegerField(_l("Notice period (days)"), default=7, validators=[DataRequired(), NumberRange(min=1, max=60)])
    mask_names = BooleanField(_l("Mask student names (张*明)"), default=True)
    submit = SubmitField(_l("Publish notice"))


class ObjectionForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=100)])
    contact = StringField(_l("Phone or email"), validators=[DataRequired(), Length(max=200)])
    entry_code = StringField(_l("Entry code (optional)"), validators=[Optional(), Length(max=40)])
    reason = TextAreaField(_l("Your objection"), validators=[DataRequired(), Length(min=10, max=5000)])
    submit = SubmitField(_l("Submit objection"))


class AnswerForm(FlaskForm):
    decision = SelectField(
        _l("Decision"), choices=[("reject", _l("Reject the objection")), ("accept", _l("Accept the objection"))]
    )
    reply = TextAreaField(_l("Reply"), validators=[DataRequired(), Length(max=5000)])
    submit = SubmitField(_l("Answer"))


class PresentationRoomForm(FlaskForm):
    name = StringField(_l("Room (会场)"), validators=[DataRequired(), Length(max=80)])
    submit = SubmitField(_l("Add the room"))


class PresentationSlotForm(FlaskForm):
    """A presentation slot: room, start and end (in the user's time zone), panel."""

    room = SelectField(_l("Room"), coerce=int, validators=[DataRequired()])
    starts_at = DateTimeLocalField(_l("Starts at"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("Ends at"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    judges = CheckboxesField(_l("Panel"), coerce=int)
    submit = SubmitField(_l("Add the slot"))
