"""The contest definition as JSON (docs/contest-format.md): validation of an imported document.

Pure Python: ``validate_definition(doc)`` returns (ContestDefinition, []) or (None, errors) where each error
names the JSON path of the bad value, so an organiser can fix a template a city handed down. Nothing about
who enters (schools, students, entries) is part of a definition.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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


class _Reader:
    def __init__(self):
        self.errors: list[DefinitionError] = []

    def fail(self, path: str, message: str, **params: Any) -> None:
        self.errors.append(DefinitionError(path, message, params))

    def get(self, obj: dict, key: str, path: str, kind: type | tuple, default: Any = ..., *, allow_none: bool = False):
        if key not in obj:
            if default is ...:
                self.fail(f"{path}.{key}", N_("is required"))
                return None
            return default
        value = obj[key]
        if value is None and allow_none:
            return None
        if isinstance(value, bool) and kind is not bool and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            self.fail(f"{path}.{key}", N_("has the wrong type"))
            return None if default is ... else default
        if not isinstance(value, kind):
            self.fail(f"{path}.{key}", N_("has the wrong type"))
            return None if default is ... else default
        return value

    def positive(self, obj: dict, key: str, path: str, default: Any = ..., *, allow_none: bool = False,
                 minimum: int = 0, maximum: int = 10000):
        value = self.get(obj, key, path, int, default, allow_none=allow_none)
        if isinstance(value, int) and not minimum <= value <= maximum:
            self.fail(f"{path}.{key}", N_("must be between %(min)s and %(max)s"), min=minimum, max=maximum)
        return value

    def day(self, obj: dict, key: str, path: str) -> date | None:
        value = self.get(obj, key, path, str, None, allow_none=True)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"{path}.{key}", N_("must be a date like 2025-03-01"))
            return None

    def moment(self, obj: dict, key: str, path: str) -> datetime | None:
        value = self.get(obj, key, path, str, None, allow_none=True)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"{path}.{key}", N_("must be a date and time like 2025-03-01T17:00"))
            return None
        return parsed.replace(tzinfo=None) if parsed.tzinfo is None else parsed


def validate_definition(doc: Any) -> tuple[ContestDefinition | None, list[DefinitionError]]:
    """Check a whole definition document; nothing is returned unless every part is valid."""
    r = _Reader()
    if not isinstance(doc, dict):
        return None, [DefinitionError("$", N_("is not a JSON object"))]
    if doc.get("format") != FORMAT:
        r.fail("$.format", N_("must be %(format)s"), format=FORMAT)
    if doc.get("version") != VERSION:
        r.fail("$.version", N_("must be %(version)s"), version=VERSION)
    contest = doc.get("contest")
    if not isinstance(contest, dict):
        r.fail("$.contest", N_("is required"))
        return None, r.errors
    p = "$.contest"
    name = r.get(contest, "name", p, str)
    if isinstance(name, str) and not (1 <= len(name.strip()) <= 200):
        r.fail(f"{p}.name", N_("must have 1 to 200 characters"))
    year = r.positive(contest, "year", p, minimum=2000, maximum=2100)
    tz = r.get(contest, "timezone", p, str, "Asia/Shanghai")
    try:
        ZoneInfo(tz or "")
    except (ZoneInfoNotFoundError, ValueError):
        r.fail(f"{p}.timezone", N_("is not a known time zone"))
    definition = ContestDefinition(
        name=(name or "").strip(), year=year or 0, description=r.get(contest, "description", p, str, ""),
        timezone=tz or "Asia/Shanghai", reference_date=r.day(contest, "reference_date", p),
        registration_opens_at=r.moment(contest, "registration_opens_at", p),
        registration_closes_at=r.moment(contest, "registration_closes_at", p))
    if (definition.registration_opens_at and definition.registration_closes_at
            and definition.registration_closes_at <= definition.registration_opens_at):
        r.fail(f"{p}.registration_closes_at", N_("must be after registration_opens_at"))

    categories = r.get(doc, "categories", "$", list, [])
    seen_codes: set[str] = set()
    for index, raw in enumerate(categories or []):
        cp = f"$.categories[{index}]"
        if not isinstance(raw, dict):
            r.fail(cp, N_("is not a JSON object"))
            continue
        category = _read_category(r, raw, cp)
        if category is None:
            continue
        if category.code in seen_codes:
            r.fail(f"{cp}.code", N_("%(code)s appears twice"), code=category.code)
        seen_codes.add(category.code)
        definition.categories.append(category)
    if r.errors:
        return None, r.errors
    return definition, []


def _read_category(r: _Reader, raw: dict, cp: str) -> CategoryDef | None:
    code = r.get(raw, "code", cp, str)
    if isinstance(code, str):
        code = code.strip().upper()
        if not CATEGORY_CODE_RE.match(code):
            r.fail(f"{cp}.code", N_("must be 1-12 letters or digits starting with a letter"))
    name = r.get(raw, "name", cp, str)
    entry_type = r.get(raw, "entry_type", cp, str, "individual")
    if entry_type not in ("individual", "team", "advisor"):
        r.fail(f"{cp}.entry_type", N_("must be individual, team or advisor"))
    scoring = r.get(raw, "scoring_mode", cp, str, "rubric")
    if scoring not in ("rubric", "performance"):
        r.fail(f"{cp}.scoring_mode", N_("must be rubric or performance"))
    stages = r.get(raw, "allowed_stages", cp, list, list(STAGES))
    if isinstance(stages, list) and (not stages or any(s not in STAGES for s in stages)):
        r.fail(f"{cp}.allowed_stages", N_("must list stages among primary, junior, senior"))
    defaults = {"individual": (1, 1), "team": (2, 3), "advisor": (0, 0)}.get(entry_type, (1, 1))
    min_members = r.positive(raw, "min_members", cp, defaults[0], maximum=10)
    max_members = r.positive(raw, "max_members", cp, defaults[1], maximum=10)
    if isinstance(min_members, int) and isinstance(max_members, int) and max_members < min_members:
        r.fail(f"{cp}.max_members", N_("must not be smaller than min_members"))
    category = CategoryDef(
        code=code or "", name=(name or "").strip(), description=r.get(raw, "description", cp, str, ""),
        entry_type=entry_type or "individual", min_members=min_members or 0, max_members=max_members or 0,
        allowed_stages=[s for s in STAGES if s in (stages or [])], max_advisors=r.positive(raw, "max_advisors", cp, 2, maximum=10) or 0,
        grade_min=r.positive(raw, "grade_min", cp, None, allow_none=True, minimum=1, maximum=12),
        grade_max=r.positive(raw, "grade_max", cp, None, allow_none=True, minimum=1, maximum=12),
        age_min=r.positive(raw, "age_min", cp, None, allow_none=True, maximum=100),
        age_max=r.positive(raw, "age_max", cp, None, allow_none=True, maximum=100),
        completion_months=r.positive(raw, "completion_months", cp, None, allow_none=True, minimum=1, maximum=120),
        scoring_mode=scoring or "rubric")
    if category.grade_min and category.grade_max and category.grade_max < category.grade_min:
        r.fail(f"{cp}.grade_max", N_("must not be smaller than grade_min"))
    kinds: set[str] = set()
    for index, item in enumerate(r.get(raw, "materials", cp, list, []) or []):
        mp = f"{cp}.materials[{index}]"
        if not isinstance(item, dict):
            r.fail(mp, N_("is not a JSON object"))
            continue
        kind = r.get(item, "kind", mp, str)
        if kind is not None and kind not in MATERIAL_KINDS:
            r.fail(f"{mp}.kind", N_("must be one of %(kinds)s"), kinds=", ".join(MATERIAL_KINDS))
        if kind in kinds:
            r.fail(f"{mp}.kind", N_("%(code)s appears twice"), code=kind)
        kinds.add(kind)
        accepted = r.get(item, "accepted", mp, list, ["pdf"])
        if isinstance(accepted, list) and (not accepted or any(a not in TYPE_GROUPS and a not in FILE_TYPES for a in accepted)):
            r.fail(f"{mp}.accepted", N_("must list file types among %(types)s"),
                   types=", ".join(list(TYPE_GROUPS) + list(FILE_TYPES)))
        category.materials.append(RequirementDef(
            kind=kind or "", label=r.get(item, "label", mp, str, ""), accepted=accepted or ["pdf"],
            max_mb=r.positive(item, "max_mb", mp, 20, minimum=1, maximum=60) or 20,
            max_files=r.positive(item, "max_files", mp, 1, minimum=1, maximum=20) or 1,
            required=r.get(item, "required", mp, bool, True)))
    quota_keys: set[tuple] = set()
    for index, item in enumerate(r.get(raw, "quotas", cp, list, []) or []):
        qp = f"{cp}.quotas[{index}]"
        if not isinstance(item, dict):
            r.fail(qp, N_("is not a JSON object"))
            continue
        scope = r.get(item, "scope", qp, str, "school")
        stage = r.get(item, "stage", qp, str)
        kind = r.get(item, "kind", qp, str)
        limit = r.positive(item, "limit", qp)
        if scope not in ("school", "district"):
            r.fail(f"{qp}.scope", N_("must be school or district"))
        if stage is not None and stage not in STAGES:
            r.fail(f"{qp}.stage", N_("must be primary, junior or senior"))
        if kind is not None and kind not in ("individual", "team"):
            r.fail(f"{qp}.kind", N_("must be individual or team"))
        key = (scope, stage, kind)
        if key in quota_keys:
            r.fail(qp, N_("the same quota appears twice"))
        quota_keys.add(key)
        category.quotas.append(QuotaDef(scope=scope or "school", stage=stage or "", kind=kind or "", limit=limit or 0))
    return category
