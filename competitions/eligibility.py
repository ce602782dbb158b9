"""Eligibility rules of a contest category (CASTIC national rules plus local ones), as pure functions.

Every check returns a list of ``Problem`` (machine-readable ``code`` + ``params``); an empty list means the
rule holds. Services build the plain facts from the database and call ``check_entry``; the review queue shows
the problems, the school sees them before submitting.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from core.i18n import N_

STAGES = ("primary", "junior", "senior")  # in this order; the one list of students' stages
#: The one wording of the stages (msgids; competitions.models.STAGE_LABELS is their lazy form for pages).
STAGE_LABELS = {"primary": N_("Primary school"), "junior": N_("Junior secondary"), "senior": N_("Senior secondary")}
ENTRY_TYPES = ("individual", "team", "advisor")
ENTRY_TYPE_LABELS = {"individual": N_("Individual"), "team": N_("Team"), "advisor": N_("Advisor track")}


def stage_of_grade(grade: int) -> str:
    """学段 from grade 1-12: 1-6 primary (小学), 7-9 junior (初中), 10-12 senior (高中)."""
    if not 1 <= grade <= 12:
        raise ValueError("grade must be 1-12")
    if grade <= 6:
        return "primary"
    if grade <= 9:
        return "junior"
    return "senior"


def age_on(birth_date: date, reference: date) -> int:
    """Completed years of age on the reference date (a birthday on the reference date counts)."""
    years = reference.year - birth_date.year
    if (reference.month, reference.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def months_before(reference: date, months: int) -> date:
    """The same day ``months`` earlier, clamped to the month's last day (2024-02-29 minus 12 months -> 2023-02-28)."""
    total = reference.year * 12 + (reference.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    return date(year, month, min(reference.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Problem:
    """One broken rule. ``student_id`` names the member concerned when there is one."""

    code: str
    params: dict = field(default_factory=dict)
    student_id: int | None = None

    @property
    def message(self) -> str:
        return MESSAGES[self.code]

    def render(self, gettext=lambda s: s) -> str:
        return gettext(self.message) % self.params


MESSAGES = {
    "no_members": N_("The entry has no students."),
    "members_not_allowed": N_("The advisor track takes no students."),
    "team_too_small": N_("A team needs at least %(min)s students; this one has %(count)s."),
    "team_too_large": N_("A team has at most %(max)s students; this one has %(count)s."),
    "individual_one_member": N_("An individual entry has exactly one student; this one has %(count)s."),
    "mixed_stages": N_("All team members must be from the same school stage (found: %(stages)s)."),
    "stage_not_allowed": N_("%(name)s is in %(stage)s, which this category does not accept."),
    "too_many_advisors": N_("At most %(max)s advisors are allowed; this entry has %(count)s."),
    "advisor_required": N_("The advisor track needs exactly one teacher as the entrant."),
    "grade_out_of_range": N_("%(name)s is in grade %(grade)s; this category accepts grades %(min)s to %(max)s."),
    "too_young": N_("%(name)s is %(age)s on %(reference)s; the minimum age is %(min)s."),
    "too_old": N_("%(name)s is %(age)s on %(reference)s; the maximum age is %(max)s."),
    "started_too_early": N_(
        "The work began on %(started)s, before %(earliest)s (it must be done within %(months)s months before %(reference)s)."
    ),
    "completed_after_reference": N_("The work was completed on %(completed)s, after the reference date %(reference)s."),
    "completion_missing": N_("The dates the work was done are missing."),
    "student_in_other_entry": N_(
        "%(name)s is already in entry %(entry)s of this contest; a student may enter one project per edition."
    ),
    "student_twice": N_("%(name)s is listed twice in this entry."),
    "other_school": N_("%(name)s is not a student of this school."),
    "quota_exceeded": N_(
        "Quota reached: %(scope)s may enter %(limit)s %(kind)s entries in %(stage)s; this would be number %(count)s."
    ),
    "material_missing": N_("Required material missing: %(material)s."),
}


@dataclass(frozen=True)
class CategoryRules:
    """What a category allows. ``None`` means no limit."""

    code: str
    entry_type: str = "individual"  # individual | team | advisor
    min_members: int = 1
    max_members: int = 1
    allowed_stages: frozenset[str] = frozenset(STAGES)
    max_advisors: int = 2
    grade_min: int | None = None
    grade_max: int | None = None
    age_min: int | None = None
    age_max: int | None = None
    reference_date: date | None = None  # age and completion window are measured at this date
    completion_months: int | None = None  # the work was done within this many months before reference_date


@dataclass(frozen=True)
class StudentFacts:
    id: int
    name: str
    birth_date: date
    grade: int
    school_id: int

    @property
    def stage(self) -> str:
        return stage_of_grade(self.grade)


@dataclass(frozen=True)
class EntryFacts:
    """An entry as the rules see it: members in order, how many advisors, when the work was done."""

    id: int | None
    school_id: int
    members: tuple[StudentFacts, ...] = ()
    advisor_count: int = 0
    work_started_on: date | None = None
    work_completed_on: date | None = None

    @property
    def kind(self) -> str:
        """'individual' or 'team' for quotas (the advisor track counts as individual)."""
        return "team" if len(self.members) > 1 else "individual"

    @property
    def stage(self) -> str | None:
        """The entry's stage: its members' common stage, or the highest one if they differ (quota counting)."""
        if not self.members:
            return None
        return max((m.stage for m in self.members), key=STAGES.index)


def check_team_size(rules: CategoryRules, entry: EntryFacts) -> list[Problem]:
    """Individual: one student. Team: between min and max (CASTIC: at most 3). Advisor track: none."""
    count = len(entry.members)
    if rules.entry_type == "advisor":
        return [Problem("members_not_allowed", {"count": count})] if count else []
    if count == 0:
        return [Problem("no_members")]
    if rules.entry_type == "individual":
        return [] if count == 1 else [Problem("individual_one_member", {"count": count})]
    if count < rules.min_members:
        return [Problem("team_too_small", {"min": rules.min_members, "count": count})]
    if count > rules.max_members:
        return [Problem("team_too_large", {"max": rules.max_members, "count": count})]
    return []


def check_duplicate_members(entry: EntryFacts) -> list[Problem]:
    """A student appears at most once in an entry."""
    counts = Counter(m.id for m in entry.members)
    seen: set[int] = set()
    problems = []
    for member in entry.members:
        if counts[member.id] > 1 and member.id not in seen:
            seen.add(member.id)
            problems.append(Problem("student_twice", {"name": member.name}, member.id))
    return problems


def check_same_school(entry: EntryFacts) -> list[Problem]:
    """Members belong to the school that registers the entry."""
    return [Problem("other_school", {"name": m.name}, m.id) for m in entry.members if m.school_id != entry.school_id]


def check_same_stage(entry: EntryFacts) -> list[Problem]:
    """All members of a team are from the same school stage (小学/初中/高中)."""
    stages = sorted({m.stage for m in entry.members}, key=STAGES.index)
    if len(stages) > 1:
        return [Problem("mixed_stages", {"stages": ", ".join(stages)})]
    return []


def check_allowed_stage(rules: CategoryRules, entry: EntryFacts) -> list[Problem]:
    """Each member's stage is one the category accepts."""
    return [
        Problem("stage_not_allowed", {"name": m.name, "stage": m.stage}, m.id)
        for m in entry.members
        if m.stage not in rules.allowed_stages
    ]


def check_advisors(rules: CategoryRules, entry: EntryFacts) -> list[Problem]:
    """At most ``max_advisors`` advisors (CASTIC: 2). The advisor track has exactly one teacher entrant."""
    if rules.entry_type == "advisor":
        return [] if entry.advisor_count == 1 else [Problem("advisor_required", {"count": entry.advisor_count})]
    if entry.advisor_count > rules.max_advisors:
        return [Problem("too_many_advisors", {"max": rules.max_advisors, "count": entry.advisor_count})]
    return []


def check_grade_range(rules: CategoryRules, entry: EntryFacts) -> list[Problem]:
    """Each member's grade lies within [grade_min, grade_max] when the category sets them."""
    low = rules.grade_min if rules.grade_min is not None else 1
    high = rules.grade_max if rules.grade_max is not None else 12
    return [
        Problem("grade_out_of_range", {"name": m.name, "grade": m.grade, "min": low, "max": high}, m.id)
        for m in entry.members
        if not low <= m.grade <= high
    ]


def check_age(rules: CategoryRules, entry: EntryFacts) -> list[Problem]:
    """Each member's age on the reference date lies within [age_min, age_max]."""
    if rules.reference_date is None or (rules.age_min is None and rules.age_max is None):
        return []
    problems = []
    reference = rules.reference_date
    for member in entry.members:
        age = age_on(member.birth_date, reference)
        params = {"name": member.name, "age": age, "reference": reference.isoformat()}
        if rules.age_min is not None and age < rules.age_min:
            problems.append(Problem("too_young", {**params, "min": rules.age_min}, member.id))
        if rules.age_max is not None and age > rules.age_max:
            problems.append(Problem("too_old", {**params, "max": rules.age_max}, member.id))
    return problems


def check_completion_window(rules: CategoryRules, entry: EntryFacts) -> list[Problem]:
    """The work was done within ``completion_months`` before the reference date: started on or after the
    window's first day and completed on or before the reference date."""
    if rules.reference_date is None or rules.completion_months is None:
        return []
    reference = rules.reference_date
    if entry.work_started_on is None:
        return [Problem("completion_missing")]
    earliest = months_before(reference, rules.completion_months)
    problems = []
    if entry.work_started_on < earliest:
        problems.append(
            Problem(
                "started_too_early",
                {
                    "started": entry.work_started_on.isoformat(),
                    "earliest": earliest.isoformat(),
                    "months": rules.completion_months,
                    "reference": reference.isoformat(),
                },
            )
        )
    if entry.work_completed_on is not None and entry.work_completed_on > reference:
        problems.append(
            Problem(
                "completed_after_reference",
                {"completed": entry.work_completed_on.isoformat(), "reference": reference.isoformat()},
            )
        )
    return problems


def check_one_entry_per_student(entry: EntryFacts, other_entries: Mapping[int, str]) -> list[Problem]:
    """One project per student per edition. ``other_entries`` maps student id -> the code (or title) of
    another live entry of the same contest that already has the student."""
    return [
        Problem("student_in_other_entry", {"name": m.name, "entry": other_entries[m.id]}, m.id)
        for m in entry.members
        if m.id in other_entries
    ]


@dataclass(frozen=True)
class QuotaRule:
    """At most ``limit`` entries of ``kind`` (individual|team) in ``stage`` per school, or per district."""

    scope: str  # 'school' | 'district'
    stage: str
    kind: str
    limit: int


@dataclass(frozen=True)
class QuotaCount:
    """Entries already counted against quotas (submitted or approved, excluding the one being checked)."""

    school_id: int
    district: str | None
    stage: str | None
    kind: str


def quota_usage(rule: QuotaRule, counted: Iterable[QuotaCount], school_id: int, district: str | None) -> int:
    """How many counted entries fall under ``rule`` for this school (or its district)."""
    total = 0
    for item in counted:
        if item.stage != rule.stage or item.kind != rule.kind:
            continue
        if (
            rule.scope == "school"
            and item.school_id == school_id
            or rule.scope == "district"
            and district is not None
            and item.district == district
        ):
            total += 1
    return total


def check_quota(
    rules: Iterable[QuotaRule], entry: EntryFacts, district: str | None, counted: Iterable[QuotaCount]
) -> list[Problem]:
    """Adding this entry keeps every applicable quota (stage × individual/team, per school or district)."""
    stage = entry.stage
    counted = list(counted)
    problems = []
    for rule in rules:
        if rule.stage != stage or rule.kind != entry.kind:
            continue
        if rule.scope == "district" and district is None:
            continue
        used = quota_usage(rule, counted, entry.school_id, district)
        if used + 1 > rule.limit:
            problems.append(
                Problem(
                    "quota_exceeded",
                    {
                        "scope": rule.scope if rule.scope == "school" else district,
                        "limit": rule.limit,
                        "kind": rule.kind,
                        "stage": stage,
                        "count": used + 1,
                        "rule_scope": rule.scope,
                    },
                )
            )
    return problems


def check_materials(required: Iterable[str] | Mapping[str, str], present: Iterable[str]) -> list[Problem]:
    """Every required material kind has at least one file. ``required`` may map each kind to the name the
    category gives it (参赛承诺书 for a declaration): the problem then names the material that way."""
    have = set(present)
    names = required if isinstance(required, Mapping) else {}
    return [
        Problem("material_missing", {"material": kind, **({"label": names[kind]} if names.get(kind) else {})})
        for kind in required
        if kind not in have
    ]


def check_entry(
    rules: CategoryRules,
    entry: EntryFacts,
    *,
    other_entries: Mapping[int, str] | None = None,
    quota_rules: Iterable[QuotaRule] = (),
    district: str | None = None,
    counted: Iterable[QuotaCount] = (),
    required_materials: Iterable[str] | Mapping[str, str] = (),
    present_materials: Iterable[str] = (),
) -> list[Problem]:
    """All the rules, in the order a reviewer reads them."""
    problems: list[Problem] = []
    problems += check_team_size(rules, entry)
    problems += check_duplicate_members(entry)
    problems += check_same_school(entry)
    if rules.entry_type == "team":
        problems += check_same_stage(entry)
    problems += check_allowed_stage(rules, entry)
    problems += check_advisors(rules, entry)
    problems += check_grade_range(rules, entry)
    problems += check_age(rules, entry)
    problems += check_completion_window(rules, entry)
    problems += check_one_entry_per_student(entry, other_entries or {})
    problems += check_quota(quota_rules, entry, district, counted)
    problems += check_materials(required_materials, present_materials)
    return problems
