"""Forms of the calls area, one per use case."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from calls.eligibility import RULE_KIND_LABELS
from calls.fields import FIELD_KIND_LABELS
from calls.models import APPLICANTS_LABELS, OUTCOME_LABELS, SUBJECT_LABELS
from core.i18n import local_today
from judging.models import METHOD_LABELS


class OutcomeForm(FlaskForm):
    """How results are decided, typed as the organiser says it: bands one per line (优秀 90 100), quota shares in
    percent, or N."""

    outcome = SelectField(_l("Outcome"), choices=list(OUTCOME_LABELS.items()))
    bands = TextAreaField(
        _l("Bands"),
        description=_l(
            "One band per line: name, lowest score, highest score (优秀 90 100). Together they cover 0 to 100."
        ),
        default="优秀 90 100\n合格 60 90\n不合格 0 60",
    )
    first = StringField(_l("First prize %"), default="10")
    second = StringField(_l("Second prize %"), default="20")
    third = StringField(_l("Third prize %"), default="30")
    top_n = IntegerField(_l("Number of places (N)"), default=10, validators=[Optional(), NumberRange(min=1)])

    def outcome_rule(self) -> dict:
        """The rule of the chosen outcome, as calls.outcomes.check_rule takes it."""
        if self.outcome.data == "bands":
            bands = []
            for line in (self.bands.data or "").splitlines():
                parts = line.split()
                if len(parts) >= 3:
                    bands.append({"label": " ".join(parts[:-2]), "min": parts[-2], "max": parts[-1]})
                elif parts:  # a line without both bounds: check_bands says which bound is missing
                    bands.append({"label": parts[0], "min": parts[1] if len(parts) > 1 else "", "max": ""})
            return {"bands": bands}
        if self.outcome.data == "top":
            return {"n": self.top_n.data}
        return {
            "levels": [
                ["first", self.first.data or "0"],
                ["second", self.second.data or "0"],
                ["third", self.third.data or "0"],
            ]
        }

    def fill_from(self, outcome: str, rule: dict) -> None:
        """Show a call's stored rule in the inputs (on GET)."""
        self.outcome.data = outcome
        if outcome == "bands":
            self.bands.data = "\n".join(f"{b['label']} {b['min']} {b['max']}" for b in rule["bands"])
        elif outcome == "top":
            self.top_n.data = rule["n"]
        else:
            shares = dict(rule["levels"])
            self.first.data, self.second.data, self.third.data = (
                shares.get(lv, "0") for lv in ("first", "second", "third")
            )


class CallForm(OutcomeForm):
    """A new call: what it selects, who applies, how its experts' scores are combined, and its outcome."""

    title = StringField(_l("Call title"), validators=[DataRequired(), Length(max=200)])
    year = IntegerField(
        _l("Year"), default=lambda: local_today().year, validators=[InputRequired(), NumberRange(min=2000, max=2100)]
    )
    description = TextAreaField(_l("About the call"), validators=[Optional(), Length(max=5000)])
    subject = SelectField(_l("What is selected"), choices=list(SUBJECT_LABELS.items()))
    applicants = SelectField(_l("Who may apply"), choices=list(APPLICANTS_LABELS.items()))
    method = SelectField(
        _l("Aggregation of the experts' scores"), choices=list(METHOD_LABELS.items()), default="trimmed_mean"
    )


class FieldForm(FlaskForm):
    """One typed field of the application form."""

    label = StringField(_l("Label"), validators=[DataRequired(), Length(max=100)])
    kind = SelectField(_l("Kind"), choices=list(FIELD_KIND_LABELS.items()))
    required = BooleanField(_l("Required"))
    help = StringField(_l("Help text"), validators=[Optional(), Length(max=300)])
    choices = StringField(_l("Options"), description=_l("Choice fields: options separated by commas."))
    minimum = StringField(_l("Smallest value"))
    maximum = StringField(_l("Largest value"))
    accept = StringField(_l("File types"), description=_l("File fields: extensions separated by commas (pdf, docx)."))
    max_mb = StringField(_l("Size limit (MB)"))
    max_count = StringField(_l("Number of files"))

    def definition(self) -> dict:
        """The field definition as calls.fields.check_field takes it; blank settings are left out."""

        def split(value):
            return [v.strip() for v in (value or "").replace("，", ",").split(",") if v.strip()]

        data = {
            "label": self.label.data,
            "kind": self.kind.data,
            "required": self.required.data,
            "help": self.help.data or "",
            "choices": split(self.choices.data),
            "accept": [v.lower().lstrip(".") for v in split(self.accept.data)],
        }
        for name in ("minimum", "maximum", "max_mb", "max_count"):
            value = (getattr(self, name).data or "").strip()
            if value:
                data[name] = value
        return data


class ReviewForm(FlaskForm):
    decision = SelectField(
        _l("Decision"),
        choices=[
            ("accepted", _l("Accept for review")),
            ("returned", _l("Return for completion")),
            ("rejected", _l("Reject")),
        ],
    )
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])


class ScoreForm(FlaskForm):
    expert_name = StringField(_l("Expert"), validators=[DataRequired(), Length(max=100)])
    total = StringField(_l("Total score"), validators=[DataRequired()])


class ExpertForm(FlaskForm):
    """An expert added to the association's pool (专家库)."""

    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=50)])
    title = StringField(
        _l("Professional title"), validators=[Optional(), Length(max=50)], description=_l("Such as 教授, 高级工程师.")
    )
    field = StringField(
        _l("Field of expertise"), validators=[Optional(), Length(max=50)], description=_l("Such as 材料科学.")
    )
    workplace = StringField(_l("Workplace"), validators=[Optional(), Length(max=100)])
    mobile = StringField(_l("Mobile"), validators=[Optional(), Length(max=20)])
    email = StringField(_l("Email"), validators=[Optional(), Length(max=254)])


class ConflictForm(FlaskForm):
    """A conflict of interest an expert declared (回避)."""

    call_id = SelectField(_l("Call"), coerce=int, choices=[])
    note = StringField(
        _l("Conflict"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("Such as: works with the applicant unit 青溪精工; co-author of an applicant."),
    )


class RuleForm(FlaskForm):
    """An eligibility rule over one of the form's fields."""

    kind = SelectField(_l("Rule"), choices=list(RULE_KIND_LABELS.items()))
    field = SelectField(_l("Form field"), choices=[])
    years = StringField(
        _l("Years"), description=_l("Date rules: no more than this many years before the reference date.")
    )
    min = StringField(_l("Youngest age"))
    max = StringField(_l("Oldest age"))
    reference = StringField(_l("Reference date"), description=_l("Such as 2026-12-31; blank: the day of submission."))
    values = StringField(_l("Allowed options"), description=_l("Choice rules: options separated by commas."))

    def rule(self) -> dict:
        values = [v.strip() for v in (self.values.data or "").replace("，", ",").split(",") if v.strip()]
        return {
            "kind": self.kind.data,
            "field": self.field.data,
            "years": self.years.data,
            "min": self.min.data,
            "max": self.max.data,
            "reference": self.reference.data or "",
            "values": values,
        }


class RecommendForm(FlaskForm):
    """推荐上报: the parent association's call, and the results recommended to it (checkboxes on the page)."""

    parent_id = SelectField(_l("Recommend to"), coerce=int, validators=[InputRequired()])
    application_ids = SelectMultipleField(_l("Results to recommend"), coerce=int)
