"""WTForms of the competitions area, one per use case."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from competitions.materials import MATERIAL_KIND_LABELS, MATERIAL_KINDS
from competitions.models import STAGE_LABELS, EntryType, ScoringMode

STAGE_CHOICES = list(STAGE_LABELS.items())


# Time zones a Chinese contest is run in, by the names people use (the IANA name is never shown).
TIMEZONE_CHOICES = [("Asia/Shanghai", _l("Beijing time (UTC+8)")), ("Asia/Urumqi", _l("Xinjiang time (UTC+6)"))]
TIMEZONE_LABELS = dict(TIMEZONE_CHOICES)


class CheckboxesField(SelectMultipleField):
    """Several choices as a row of checkboxes (no Ctrl-click)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


# What a material accepts, as an organiser picks it (competitions.materials.TYPE_GROUPS).
ACCEPTED_LABELS = {
    "pdf": _l("PDF"),
    "image": _l("image (PNG, JPEG, GIF, WebP)"),
    "video": _l("video (MP4, MOV)"),
    "document": _l("document (PDF, Word)"),
    "office": _l("Office file (Word, Excel, PowerPoint)"),
}
QUOTA_KIND_LABELS = {"individual": _l("Individual"), "team": _l("Team")}
QUOTA_SCOPE_LABELS = {"school": _l("per school"), "district": _l("per district")}
# short words for the checkboxes of a material row; ACCEPTED_LABELS says the formats where there is room
ACCEPTED_CHOICES = [
    ("pdf", _l("PDF")),
    ("image", _l("Images")),
    ("video", _l("Video")),
    ("document", _l("Documents")),
    ("office", _l("Office files")),
]
QUOTA_SCOPE_CHOICES = list(QUOTA_SCOPE_LABELS.items())
QUOTA_KIND_CHOICES = list(QUOTA_KIND_LABELS.items())


class MaterialRowForm(Form):
    """One material a category asks for; a row without a kind is left out."""

    kind = SelectField(
        _l("Material"),
        choices=[("", "—")] + [(k, _l(MATERIAL_KIND_LABELS[k])) for k in MATERIAL_KINDS],
        validators=[Optional()],
    )
    label = StringField(_l("Name shown to schools"), validators=[Optional(), Length(max=200)])
    accepted = CheckboxesField(_l("Accepted files"), choices=ACCEPTED_CHOICES, default=["pdf"])
    max_mb = IntegerField(_l("Max. MB per file"), default=20, validators=[Optional(), NumberRange(1, 60)])
    max_files = IntegerField(_l("Max. files"), default=1, validators=[Optional(), NumberRange(1, 20)])
    required = BooleanField(_l("Required"), default=True)


class QuotaRowForm(Form):
    """At most ``limit`` entries of a kind and stage per school or district; a row without a number is left out."""

    scope = SelectField(_l("Counted"), choices=QUOTA_SCOPE_CHOICES)
    stage = SelectField(_l("Stage"), choices=STAGE_CHOICES)
    kind = SelectField(_l("Entry type"), choices=QUOTA_KIND_CHOICES)
    limit = IntegerField(_l("At most"), validators=[Optional(), NumberRange(0, 10000)])


class ContestForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    # InputRequired, not DataRequired: 0 is a value (out of range), not a missing one
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(2000, 2100)])
    organisation_id = SelectField(_l("Organising unit"), coerce=int, validate_choice=False)
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    timezone = SelectField(_l("Time zone"), default="Asia/Shanghai", choices=TIMEZONE_CHOICES, validate_choice=False)
    registration_opens_at = DateTimeLocalField(
        _l("Registration opens (contest time zone)"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    registration_closes_at = DateTimeLocalField(
        _l("Registration closes (contest time zone)"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    reference_date = DateField(_l("Reference date for age and completion window"), validators=[Optional()])
    submit = SubmitField(_l("Save"))


class DefinitionImportForm(FlaskForm):
    file = FileField(_l("Contest definition (.json)"), validators=[FileRequired()])
    organisation_id = SelectField(_l("Organising unit"), coerce=int, validate_choice=False)
    year = IntegerField(_l("Year of the new edition (optional)"), validators=[Optional(), NumberRange(2000, 2100)])
    name = StringField(_l("Name of the new contest (optional)"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Import"))


class CategoryForm(FlaskForm):
    code = StringField(
        _l("Code"), validators=[DataRequired(), Length(max=12)], description=_l("e.g. JQR; used in entry codes")
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    entry_type = SelectField(
        _l("Entry type"),
        choices=[
            (EntryType.INDIVIDUAL.value, _l("Individual")),
            (EntryType.TEAM.value, _l("Team")),
            (EntryType.ADVISOR.value, _l("Advisor track")),
        ],
    )
    min_members = IntegerField(_l("Minimum team members"), default=2, validators=[Optional(), NumberRange(2, 10)])
    max_members = IntegerField(_l("Maximum team members"), default=3, validators=[Optional(), NumberRange(2, 10)])
    allowed_stages = CheckboxesField(
        _l("Allowed stages"),
        choices=STAGE_CHOICES,
        default=["primary", "junior", "senior"],
        validators=[DataRequired()],
    )
    max_advisors = IntegerField(_l("Maximum advisors"), default=2, validators=[InputRequired(), NumberRange(0, 10)])
    grade_min = IntegerField(_l("Lowest grade (1-12)"), validators=[Optional(), NumberRange(1, 12)])
    grade_max = IntegerField(_l("Highest grade (1-12)"), validators=[Optional(), NumberRange(1, 12)])
    age_min = IntegerField(_l("Minimum age at the reference date"), validators=[Optional(), NumberRange(0, 100)])
    age_max = IntegerField(_l("Maximum age at the reference date"), validators=[Optional(), NumberRange(0, 100)])
    completion_months = IntegerField(
        _l("Work done within this many months before the reference date"), validators=[Optional(), NumberRange(1, 120)]
    )
    scoring_mode = SelectField(
        _l("Scoring mode"),
        choices=[(ScoringMode.RUBRIC.value, _l("Rubric")), (ScoringMode.PERFORMANCE.value, _l("Performance (runs)"))],
    )
    materials = FieldList(FormField(MaterialRowForm), label=_l("Required materials"))
    quotas = FieldList(FormField(QuotaRowForm), label=_l("Quotas"))
    submit = SubmitField(_l("Save"))

    BLANK_ROWS = 2  # empty rows offered below the saved ones (and a button adds more)

    def add_blank_rows(self) -> None:
        for field_list in (self.materials, self.quotas):
            blank = sum(1 for row in field_list if not _row_filled(row))
            for _ in range(max(0, self.BLANK_ROWS - blank)):
                field_list.append_entry()
                if field_list is self.materials:
                    field_list[-1].form.kind.data = ""

    def material_rows(self) -> list[dict]:
        return [
            {
                "kind": row.kind.data,
                "label": (row.label.data or "").strip(),
                "accepted": row.accepted.data or ["pdf"],
                "max_mb": row.max_mb.data or 20,
                "max_files": row.max_files.data or 1,
                "required": bool(row.required.data),
            }
            for row in (entry.form for entry in self.materials)
            if row.kind.data
        ]

    def quota_rows(self) -> list[dict]:
        return [
            {"scope": row.scope.data, "stage": row.stage.data, "kind": row.kind.data, "limit": row.limit.data}
            for row in (entry.form for entry in self.quotas)
            if row.limit.data is not None
        ]


def _row_filled(entry) -> bool:
    form = entry.form
    return bool(form.kind.data) if isinstance(form, MaterialRowForm) else form.limit.data is not None


class ExtensionForm(FlaskForm):
    school_id = SelectField(_l("School"), coerce=int, validate_choice=False)
    closes_at = DateTimeLocalField(
        _l("New deadline (contest time zone)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Extend for this school"))


class UploadForm(FlaskForm):
    file = FileField(_l("File (.xlsx or .csv)"), validators=[FileRequired()])
    submit = SubmitField(_l("Check the file"))


class StudentForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=50)])
    gender = SelectField(_l("Gender"), choices=[("男", "男"), ("女", "女")])
    birth_date = DateField(_l("Birth date"), validators=[DataRequired()])
    grade = SelectField(
        _l("Grade"),
        coerce=int,
        choices=[
            (g, label)
            for g, label in enumerate(
                [
                    "一年级",
                    "二年级",
                    "三年级",
                    "四年级",
                    "五年级",
                    "六年级",
                    "初一",
                    "初二",
                    "初三",
                    "高一",
                    "高二",
                    "高三",
                ],
                start=1,
            )
        ],
    )
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
