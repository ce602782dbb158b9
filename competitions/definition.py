"""The contest definition as JSON (docs/contest-format.md): validation of an imported document.

``validate_definition(doc)`` returns (ContestDefinition, []) or (None, errors) where each error names the JSON
path of the bad value, so an organiser can fix a template a city handed down. Nothing about who enters
(schools, students, entries) is part of a definition. The document is read by marshmallow schemas whose fields
are strict about JSON types (true is not a number); each error is a msgid with its values, translated where
it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validates_schema

from competitions.codes import CATEGORY_CODE_RE
from competitions.eligibility import STAGES
from competitions.materials import FILE_TYPES, MATERIAL_KINDS, TYPE_GROUPS
from core.i18n import N_

FORMAT = "kechuang.contest"
VERSION = 1


@dataclass
class RequirementDef:
    kind: str
    label: str = ""
    accepted: list[str] = field(default_factory=lambda: ["pdf"])
    max_mb: int = 20
    max_files: int = 1
    required: bool = True


@dataclass
class QuotaDef:
    scope: str
    stage: str
    kind: str
    limit: int


@dataclass
class CategoryDef:
    code: str
    name: str
    description: str = ""
    entry_type: str = "individual"
    min_members: int = 1
    max_members: int = 1
    allowed_stages: list[str] = field(default_factory=lambda: list(STAGES))
    max_advisors: int = 2
    grade_min: int | None = None
    grade_max: int | None = None
    age_min: int | None = None
    age_max: int | None = None
    completion_months: int | None = None
    scoring_mode: str = "rubric"
    materials: list[RequirementDef] = field(default_factory=list)
    quotas: list[QuotaDef] = field(default_factory=list)


@dataclass
class ContestDefinition:
    name: str
    year: int
    description: str = ""
    timezone: str = "Asia/Shanghai"
    reference_date: date | None = None
    registration_opens_at: datetime | None = None  # naive = wall time in ``timezone``
    registration_closes_at: datetime | None = None
    categories: list[CategoryDef] = field(default_factory=list)


@dataclass(frozen=True)
class DefinitionError:
    path: str
    message: str
    params: dict = field(default_factory=dict)

    def render(self, gettext=lambda s: s) -> str:
        return f"{self.path}: " + gettext(self.message) % self.params


@dataclass(frozen=True)
class _Problem:
    """What marshmallow carries for us: a msgid and its values (never formatted before it is shown)."""

    message: str
    params: dict = field(default_factory=dict)


def _problem(message: str, **params: Any) -> ValidationError:
    return ValidationError([_Problem(message, params)])


_REQUIRED = _Problem(N_("is required"))
_WRONG_TYPE = _Problem(N_("has the wrong type"))
_NOT_OBJECT = _Problem(N_("is not a JSON object"))


class _Typed(fields.Field):
    """A JSON value of exactly one type (a boolean is not a number), with the definition's messages."""

    kind: type = object

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("allow_none", False)
        super().__init__(error_messages={"required": [_REQUIRED], "null": [_WRONG_TYPE]}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if (isinstance(value, bool) and self.kind is not bool) or not isinstance(value, self.kind):
            raise ValidationError([_WRONG_TYPE])
        return value


class _Text(_Typed):
    kind = str


class _Flag(_Typed):
    kind = bool


class _Int(_Typed):
    kind = int

    def __init__(self, minimum: int = 0, maximum: int = 10000, **kwargs: Any):
        super().__init__(**kwargs)
        self.minimum, self.maximum = minimum, maximum

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if not self.minimum <= value <= self.maximum:
            raise _problem(N_("must be between %(min)s and %(max)s"), min=self.minimum, max=self.maximum)
        return value


class _Choice(_Text):
    """One of `choices`, else `message` with `params`."""

    def __init__(self, choices, message: str, params: dict | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.choices, self.message, self.params = tuple(choices), message, params or {}

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if value not in self.choices:
            raise _problem(self.message, **self.params)
        return value


class _Choices(_Typed):
    """A non-empty list whose every item is one of `choices`, else `message` with `params`."""

    kind = list

    def __init__(self, choices, message: str, params: dict | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.choices, self.message, self.params = tuple(choices), message, params or {}

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if not value or any(item not in self.choices for item in value):
            raise _problem(self.message, **self.params)
        return value


class _Day(_Text):
    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return date.fromisoformat(super()._deserialize(value, attr, data, **kwargs))
        except ValueError:
            raise _problem(N_("must be a date like 2025-03-01")) from None


class _Moment(_Text):
    """An ISO date and time; without an offset it is wall time in the contest's timezone (kept naive)."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return datetime.fromisoformat(super()._deserialize(value, attr, data, **kwargs))
        except ValueError:
            raise _problem(N_("must be a date and time like 2025-03-01T17:00")) from None


class _Objects(_Typed):
    """A list of JSON objects, each read by `schema`; `unique(raw)` names the items that may not repeat: it
    returns (key, field or None, message, params) or None for an item it does not judge."""

    kind = list

    def __init__(self, schema: type[Schema], unique=None, **kwargs: Any):
        kwargs.setdefault("load_default", list)
        super().__init__(**kwargs)
        self.schema, self.unique = schema, unique

    def _deserialize(self, value, attr, data, **kwargs):
        items = super()._deserialize(value, attr, data, **kwargs)
        loaded, errors, seen = [], {}, set()
        for index, raw in enumerate(items):
            if not isinstance(raw, dict):
                errors[index] = [_NOT_OBJECT]
                continue
            try:
                loaded.append(self.schema().load(raw))
            except ValidationError as exc:
                errors[index] = dict(exc.messages)
            verdict = self.unique(raw) if self.unique else None
            if verdict is not None:
                key, where, message, params = verdict
                if key in seen:
                    errors.setdefault(index, {}).setdefault(where or "_schema", []).append(_Problem(message, params))
                seen.add(key)
        if errors:
            raise ValidationError(errors)
        return loaded


class _Strict(Schema):
    class Meta:
        unknown = EXCLUDE  # keys a later version may add are ignored


class _RequirementSchema(_Strict):
    kind = _Choice(MATERIAL_KINDS, N_("must be one of %(kinds)s"), {"kinds": ", ".join(MATERIAL_KINDS)}, required=True)
    label = _Text(load_default="")
    accepted = _Choices(
        list(TYPE_GROUPS) + list(FILE_TYPES),
        N_("must list file types among %(types)s"),
        {"types": ", ".join(list(TYPE_GROUPS) + list(FILE_TYPES))},
        load_default=lambda: ["pdf"],
    )
    max_mb = _Int(minimum=1, maximum=60, load_default=20)
    max_files = _Int(minimum=1, maximum=20, load_default=1)
    required = _Flag(load_default=True)

    @post_load
    def make(self, data: dict, **kwargs) -> RequirementDef:
        return RequirementDef(**data)


class _QuotaSchema(_Strict):
    scope = _Choice(("school", "district"), N_("must be school or district"), load_default="school")
    stage = _Choice(STAGES, N_("must be primary, junior or senior"), required=True)
    kind = _Choice(("individual", "team"), N_("must be individual or team"), required=True)
    limit = _Int(required=True)

    @post_load
    def make(self, data: dict, **kwargs) -> QuotaDef:
        return QuotaDef(**data)


def _material_kind(raw: dict):
    kind = raw.get("kind")
    return (kind, "kind", N_("%(code)s appears twice"), {"code": kind}) if isinstance(kind, str) else None


def _quota_key(raw: dict):
    def text(key: str, default: str | None = None) -> str | None:
        value = raw.get(key, default)
        return value if isinstance(value, str) else default

    key = (text("scope", "school"), text("stage"), text("kind"))
    return key, None, N_("the same quota appears twice"), {}


def _category_code(raw: dict):
    code = raw.get("code")
    if not isinstance(code, str):
        return None
    code = code.strip().upper()
    return code, "code", N_("%(code)s appears twice"), {"code": code}


_MEMBER_DEFAULTS = {"individual": (1, 1), "team": (2, 3), "advisor": (0, 0)}


class _Code(_Text):
    def _deserialize(self, value, attr, data, **kwargs):
        code = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if not CATEGORY_CODE_RE.match(code):
            raise _problem(N_("must be 1-12 letters or digits starting with a letter"))
        return code


class _CategorySchema(_Strict):
    code = _Code(required=True)
    name = _Text(required=True)
    description = _Text(load_default="")
    entry_type = _Choice(
        ("individual", "team", "advisor"), N_("must be individual, team or advisor"), load_default="individual"
    )
    scoring_mode = _Choice(("rubric", "performance"), N_("must be rubric or performance"), load_default="rubric")
    allowed_stages = _Choices(
        STAGES, N_("must list stages among primary, junior, senior"), load_default=lambda: list(STAGES)
    )
    min_members = _Int(maximum=10)  # default by entry_type (_MEMBER_DEFAULTS)
    max_members = _Int(maximum=10)
    max_advisors = _Int(maximum=10, load_default=2)
    grade_min = _Int(minimum=1, maximum=12, load_default=None, allow_none=True)
    grade_max = _Int(minimum=1, maximum=12, load_default=None, allow_none=True)
    age_min = _Int(maximum=100, load_default=None, allow_none=True)
    age_max = _Int(maximum=100, load_default=None, allow_none=True)
    completion_months = _Int(minimum=1, maximum=120, load_default=None, allow_none=True)
    materials = _Objects(_RequirementSchema, unique=_material_kind)
    quotas = _Objects(_QuotaSchema, unique=_quota_key)

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def check_ranges(self, data: dict, original: dict, **kwargs) -> None:
        """Bounds that depend on each other, compared as given (a number out of its range still counts)."""

        def number(key: str, default: int | None) -> int | None:
            value = original.get(key, default)
            return value if isinstance(value, int) and not isinstance(value, bool) else default

        entry_type = original.get("entry_type", "individual")
        low, high = _MEMBER_DEFAULTS.get(entry_type if isinstance(entry_type, str) else "individual", (1, 1))
        low, high = number("min_members", low), number("max_members", high)
        errors: dict[str, list] = {}
        if high < low:
            errors["max_members"] = [_Problem(N_("must not be smaller than min_members"))]
        grade_min, grade_max = number("grade_min", None), number("grade_max", None)
        if grade_min and grade_max and grade_max < grade_min:
            errors["grade_max"] = [_Problem(N_("must not be smaller than grade_min"))]
        if errors:
            raise ValidationError(errors)

    @post_load
    def make(self, data: dict, **kwargs) -> CategoryDef:
        low, high = _MEMBER_DEFAULTS[data["entry_type"]]
        data.setdefault("min_members", low)
        data.setdefault("max_members", high)
        data["name"] = data["name"].strip()
        data["allowed_stages"] = [s for s in STAGES if s in data["allowed_stages"]]
        return CategoryDef(**data)


class _Zone(_Text):
    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise _problem(N_("is not a known time zone")) from None
        return value


class _Name(_Text):
    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs).strip()
        if not 1 <= len(value) <= 200:
            raise _problem(N_("must have 1 to 200 characters"))
        return value


class _ContestSchema(_Strict):
    name = _Name(required=True)
    year = _Int(minimum=2000, maximum=2100, required=True)
    description = _Text(load_default="")
    timezone = _Zone(load_default="Asia/Shanghai")
    reference_date = _Day(load_default=None, allow_none=True)
    registration_opens_at = _Moment(load_default=None, allow_none=True)
    registration_closes_at = _Moment(load_default=None, allow_none=True)

    @validates_schema(skip_on_field_errors=False)
    def check_window(self, data: dict, **kwargs) -> None:
        opens, closes = data.get("registration_opens_at"), data.get("registration_closes_at")
        if opens and closes and closes <= opens:
            raise ValidationError([_Problem(N_("must be after registration_opens_at"))], "registration_closes_at")


class _DocumentSchema(_Strict):
    contest = fields.Nested(_ContestSchema, required=True)
    categories = _Objects(_CategorySchema, unique=_category_code)

    @post_load
    def make(self, data: dict, **kwargs) -> ContestDefinition:
        return ContestDefinition(**data["contest"], categories=data["categories"])


def _flatten(messages: Any, path: str) -> list[DefinitionError]:
    """marshmallow's nested error messages as a list of errors, each with its JSON path."""
    if isinstance(messages, dict):
        found = []
        for key, value in messages.items():
            inner = path if key == "_schema" else f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}"
            found += _flatten(value, inner)
        return found
    if isinstance(messages, list):
        return [error for message in messages for error in _flatten(message, path)]
    if isinstance(messages, _Problem):
        return [DefinitionError(path, messages.message, messages.params)]
    return [DefinitionError(path, str(messages))]  # marshmallow's own message (a field we did not write)


def validate_definition(doc: Any) -> tuple[ContestDefinition | None, list[DefinitionError]]:
    """Check a whole definition document; nothing is returned unless every part is valid."""
    if not isinstance(doc, dict):
        return None, [DefinitionError("$", N_("is not a JSON object"))]
    errors = []
    if doc.get("format") != FORMAT:
        errors.append(DefinitionError("$.format", N_("must be %(format)s"), {"format": FORMAT}))
    if doc.get("version") != VERSION:
        errors.append(DefinitionError("$.version", N_("must be %(version)s"), {"version": VERSION}))
    if not isinstance(doc.get("contest"), dict):
        return None, [*errors, DefinitionError("$.contest", N_("is required"))]
    try:
        definition = _DocumentSchema().load(doc)
    except ValidationError as exc:
        return None, errors + _flatten(exc.messages, "$")
    if errors:
        return None, errors
    return definition, []
