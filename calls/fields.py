"""The application form of a call: typed field definitions an organiser builds, checked by a marshmallow schema,
and the answers to them, checked by a schema made from those definitions. Pure rules, no Flask request."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from core.errors import DomainError


class FieldKind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"
    FILE = "file"


FIELD_KIND_LABELS = {
    FieldKind.TEXT: _l("Text"),
    FieldKind.LONG_TEXT: _l("Long text"),
    FieldKind.NUMBER: _l("Numeric"),
    FieldKind.DATE: _l("Date"),
    FieldKind.CHOICE: _l("Choice"),
    FieldKind.FILE: _l("File"),
}
TEXT_LIMITS = {FieldKind.TEXT: 200, FieldKind.LONG_TEXT: 5000}
#: The largest upload a request may carry (core's MAX_CONTENT_LENGTH is 60 MB).
MAX_FILE_MB = 60


def _required(name):
    return {"required": _l("%(name)s is required.", name=name), "null": _l("%(name)s is required.", name=name)}


class FieldSchema(Schema):
    """One field definition. Kind-specific settings are required where the kind needs them and refused where it
    does not (a choice without options, a file without allowed types, limits on a date...)."""

    class Meta:
        unknown = EXCLUDE

    key = fields.String(load_default=None)
    label = fields.String(
        required=True,
        validate=validate.Length(min=1, max=100, error=_l("A field's label has 1 to 100 characters.")),
        error_messages=_required(_l("The field's label")),
    )
    kind = fields.String(
        required=True,
        validate=validate.OneOf([k.value for k in FieldKind], error=_l("Choose the kind of the field.")),
        error_messages=_required(_l("The field's kind")),
    )
    required = fields.Boolean(load_default=False)
    help = fields.String(
        load_default="", validate=validate.Length(max=300, error=_l("Help text has at most 300 characters."))
    )
    choices = fields.List(fields.String(validate=validate.Length(min=1, max=100)), load_default=list)
    minimum = fields.Decimal(
        load_default=None, allow_none=True, as_string=True, error_messages={"invalid": _l("The minimum is a number.")}
    )
    maximum = fields.Decimal(
        load_default=None, allow_none=True, as_string=True, error_messages={"invalid": _l("The maximum is a number.")}
    )
    accept = fields.List(
        fields.String(
            validate=validate.Regexp(r"^[a-z0-9]{1,10}$", error=_l("File types are extensions such as pdf, docx, jpg."))
        ),
        load_default=list,
    )
    max_mb = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=MAX_FILE_MB, error=_l("The size limit is 1 to %(n)d MB.", n=MAX_FILE_MB)),
        error_messages={"invalid": _l("The size limit is a whole number of MB.")},
    )
    max_count = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=20, error=_l("A field takes 1 to 20 files.")),
        error_messages={"invalid": _l("The number of files is a whole number.")},
    )

    @validates_schema
    def _kind_settings(self, data, **kwargs):
        kind = data.get("kind")
        if kind == FieldKind.CHOICE:
            choices = [c.strip() for c in data.get("choices") or [] if c.strip()]
            if len(choices) < 2:
                raise ValidationError(_("A choice field needs at least two options."), "choices")
            if len(set(choices)) != len(choices):
                raise ValidationError(_("The options of a choice field are all different."), "choices")
        elif data.get("choices"):
            raise ValidationError(_("Only a choice field has options."), "choices")
        if kind == FieldKind.NUMBER:
            low, high = data.get("minimum"), data.get("maximum")
            if low is not None and high is not None and Decimal(low) > Decimal(high):
                raise ValidationError(_("The minimum is above the maximum."), "minimum")
        elif data.get("minimum") is not None or data.get("maximum") is not None:
            raise ValidationError(_("Only a number field has a minimum and a maximum."), "minimum")
        if kind == FieldKind.FILE:
            if not data.get("accept"):
                raise ValidationError(_("A file field names the file types it accepts."), "accept")
            if data.get("max_mb") is None:
                raise ValidationError(_("A file field has a size limit."), "max_mb")
            if data.get("max_count") is None:
                raise ValidationError(_("A file field says how many files it takes."), "max_count")
        elif data.get("accept") or data.get("max_mb") is not None or data.get("max_count") is not None:
            raise ValidationError(_("Only a file field has file types and limits."), "accept")


def _first_error(errors: dict) -> tuple[str, str]:
    """(field name, message) of the first error marshmallow reports, however deeply nested."""
    name, value = next(iter(errors.items()))
    while isinstance(value, dict):
        value = next(iter(value.values()))
    if isinstance(value, list):
        value = value[0]
        while isinstance(value, dict | list):
            value = next(iter(value.values())) if isinstance(value, dict) else value[0]
    return str(name), str(value)


def check_field(definition: dict) -> dict:
    """The definition as stored (defaults filled, options trimmed), or DomainError naming what is wrong."""
    try:
        data = FieldSchema().load(definition)
    except ValidationError as exc:
        name, message = _first_error(exc.messages)
        raise DomainError(message, field=None if name == "_schema" else name) from None
    data["choices"] = [c.strip() for c in data["choices"] if c.strip()]
    data["label"] = data["label"].strip()
    for bound in ("minimum", "maximum"):  # stored as written: JSON has no decimals
        if data.get(bound) is not None:
            data[bound] = str(data[bound])
    if not data["label"]:
        raise DomainError(_("%(name)s is required.", name=_("The field's label")), field="label")
    return data


def check_fields(definitions: list[dict]) -> list[dict]:
    """Every definition checked; labels unique within the form."""
    checked = [check_field(d) for d in definitions]
    labels = [d["label"] for d in checked]
    for label in labels:
        if labels.count(label) > 1:
            raise DomainError(_("Two fields are called %(label)s.", label=label), field="label")
    return checked


def answer_fields(definitions: list[dict]) -> list[dict]:
    """The fields answered in the form's text inputs (files are uploaded separately)."""
    return [d for d in definitions if d["kind"] != FieldKind.FILE]


def _answer_field(d: dict) -> fields.Field:
    label = d["label"]
    messages = {"required": _("%(name)s is required.", name=label)}
    common = {"required": d["required"], "data_key": d["key"]}
    kind = d["kind"]
    if kind in TEXT_LIMITS:
        limit = TEXT_LIMITS[FieldKind(kind)]
        return fields.String(
            validate=validate.Length(max=limit, error=_("%(name)s has at most %(n)d characters.", name=label, n=limit)),
            error_messages=messages,
            **common,
        )
    if kind == FieldKind.NUMBER:
        low = Decimal(d["minimum"]) if d.get("minimum") is not None else None
        high = Decimal(d["maximum"]) if d.get("maximum") is not None else None
        checks = (
            [
                validate.Range(
                    min=low,
                    max=high,
                    error=_(
                        "%(name)s is between %(low)s and %(high)s.",
                        name=label,
                        low="—" if low is None else low,
                        high="—" if high is None else high,
                    ),
                )
            ]
            if low is not None or high is not None
            else []
        )
        messages["invalid"] = _("%(name)s is a number.", name=label)
        return fields.Decimal(validate=checks, error_messages=messages, as_string=True, allow_nan=False, **common)
    if kind == FieldKind.DATE:
        messages["invalid"] = _("%(name)s is a date such as 2026-09-01.", name=label)
        return fields.Date(error_messages=messages, **common)
    return fields.String(
        validate=validate.OneOf(d["choices"], error=_("Choose one of the options of %(name)s.", name=label)),
        error_messages=messages,
        **common,
    )


def check_answers(definitions: list[dict], raw: dict[str, str]) -> dict[str, str]:
    """The answers as stored (text; numbers as written, dates ISO), or DomainError naming the first wrong field.
    Blank inputs count as unanswered."""
    asked = answer_fields(definitions)
    schema = Schema.from_dict({d["key"]: _answer_field(d) for d in asked})(unknown=EXCLUDE)
    given = {k: v.strip() for k, v in raw.items() if isinstance(v, str) and v.strip()}
    try:
        data = schema.load(given)
    except ValidationError as exc:
        key, message = _first_error(exc.messages)
        raise DomainError(message, field=key) from None
    return {d["key"]: str(data[d["key"]]) for d in asked if data.get(d["key"]) is not None}
