"""WTForms of the competitions area, one per use case."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from competitions.materials import MATERIAL_KINDS
from competitions.models import EntryType, ScoringMode

STAGE_CHOICES = [("primary", _l("Primary school")), ("junior", _l("Junior secondary")), ("senior", _l("Senior secondary"))]


class ContestForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(2000, 2100)])
    organisation_id = SelectField(_l("Organising unit"), coerce=int, validate_choice=False)
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    timezone = StringField(_l("Time zone"), default="Asia/Shanghai", validators=[DataRequired(), Length(max=64)])
    registration_opens_at = DateTimeLocalField(_l("Registration opens (contest time zone)"), format="%Y-%m-%dT%H:%M",
                                               validators=[Optional()])
    registration_closes_at = DateTimeLocalField(_l("Registration closes (contest time zone)"), format="%Y-%m-%dT%H:%M",
                                                validators=[Optional()])
    reference_date = DateField(_l("Reference date for age and completion window"), validators=[Optional()])
    submit = SubmitField(_l("Save"))


class DefinitionImportForm(FlaskForm):
    file = FileField(_l("Contest definition (.json)"), validators=[FileRequired()])
    organisation_id = SelectField(_l("Organising unit"), coerce=int, validate_choice=False)
    year = IntegerField(_l("Year of the new edition (optional)"), validators=[Optional(), NumberRange(2000, 2100)])
    name = StringField(_l("Name of the new contest (optional)"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Import"))


class CategoryForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=12)], description=_l("e.g. JQR; used in entry codes"))
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    entry_type = SelectField(_l("Entry type"), choices=[(EntryType.INDIVIDUAL.value, _l("Individual")),
                                                        (EntryType.TEAM.value, _l("Team")),
                                                        (EntryType.ADVISOR.value, _l("Advisor track"))])
    min_members = IntegerField(_l("Minimum team members"), default=2, validators=[Optional(), NumberRange(1, 10)])
    max_members = IntegerField(_l("Maximum team members"), default=3, validators=[Optional(), NumberRange(1, 10)])
    allowed_stages = SelectMultipleField(_l("Allowed stages"), choices=STAGE_CHOICES,
                                         default=["primary", "junior", "senior"], validators=[DataRequired()])
    max_advisors = IntegerField(_l("Maximum advisors"), default=2, validators=[NumberRange(0, 10)])
    grade_min = IntegerField(_l("Lowest grade (1-12)"), validators=[Optional(), NumberRange(1, 12)])
    grade_max = IntegerField(_l("Highest grade (1-12)"), validators=[Optional(), NumberRange(1, 12)])
    age_min = IntegerField(_l("Minimum age at the reference date"), validators=[Optional(), NumberRange(0, 100)])
    age_max = IntegerField(_l("Maximum age at the reference date"), validators=[Optional(), NumberRange(0, 100)])
    completion_months = IntegerField(_l("Work done within this many months before the reference date"),
                                     validators=[Optional(), NumberRange(1, 120)])
    scoring_mode = SelectField(_l("Scoring mode"), choices=[(ScoringMode.RUBRIC.value, _l("Rubric")),
                                                            (ScoringMode.PERFORMANCE.value, _l("Performance (runs)"))])
    materials = TextAreaField(_l("Required materials"), validators=[Optional(), Length(max=5000)],
                              description=_l("One per line: kind | accepted types | max MB | max files | required (yes/no) | label. "
                                             "Kinds: report, photos, video, research_log, declaration, other. "
                                             "Types: pdf, image, video, document, office."))
    quotas = TextAreaField(_l("Quotas"), validators=[Optional(), Length(max=5000)],
                           description=_l("One per line: school or district | primary/junior/senior | individual/team | limit"))
    submit = SubmitField(_l("Save"))


class ExtensionForm(FlaskForm):
    school_id = SelectField(_l("School"), coerce=int, validate_choice=False)
    closes_at = DateTimeLocalField(_l("New deadline (contest time zone)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Extend for this school"))


class UploadForm(FlaskForm):
    file = FileField(_l("File (.xlsx or .csv)"), validators=[FileRequired()])
    submit = SubmitField(_l("Check the file"))


class StudentForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=50)])
    gender = SelectField(_l("Gender"), choices=[("男", "男"), ("女", "女")])
    birth_date = DateField(_l("Birth date"), validators=[DataRequired()])
    grade = SelectField(_l("Grade"), coerce=int, choices=[(g, label) for g, label in enumerate(
        ["一年级", "二年级", "三年级", "四年级", "五年级", "六年级", "初一", "初二", "初三", "高一", "高二", "高三"], start=1)])
    class_name = StringField(_l("Class"), validators=[Optional(), Length(max=50)])
    id_number = StringField(_l("ID number (optional)"), validators=[Optional(), Length(max=18)])
    guardian_phone = StringField(_l("Guardian's phone"), validators=[Optional(), Length(max=20)])
    submit = SubmitField(_l("Save"))


class AdvisorForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=50)])
    gender = SelectField(_l("Gender"), choices=[("", "—"), ("男", "男"), ("女", "女")], validators=[Optional()])
    phone = StringField(_l("Mobile number"), validators=[Optional(), Length(max=20)])
    email = StringField(_l("Email"), validators=[Optional(), Length(max=254)])
    subject = StringField(_l("Subject taught"), validators=[Optional(), Length(max=50)])
    title = StringField(_l("Professional title"), validators=[Optional(), Length(max=50)])
    submit = SubmitField(_l("Save"))


class EntryForm(FlaskForm):
    """Members and advisors are added per place by the view (member_0…, advisor_0…): their order matters."""

    category_id = SelectField(_l("Category"), coerce=int, validate_choice=False)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    abstract = TextAreaField(_l("Abstract"), validators=[Optional(), Length(max=5000)])
    leader_id = SelectField(_l("Team leader"), coerce=int, validate_choice=False, validators=[Optional()])
    work_started_on = DateField(_l("Work started on"), validators=[Optional()])
    work_completed_on = DateField(_l("Work completed on"), validators=[Optional()])
    submit = SubmitField(_l("Save"))


class MaterialForm(FlaskForm):
    kind = SelectField(_l("Material"), choices=[(k, k) for k in MATERIAL_KINDS])
    file = FileField(_l("File"), validators=[FileRequired()])
    submit = SubmitField(_l("Upload"))


class ReviewForm(FlaskForm):
    action = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Reason (shown to the school)"), validators=[Optional(), Length(max=2000)])
