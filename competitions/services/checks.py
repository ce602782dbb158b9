"""Eligibility of an entry as facts for the pure rules in competitions.eligibility: the problems an entry has, quota counts, and how a problem reads."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from competitions import eligibility
from competitions.eligibility import CategoryRules, EntryFacts, Problem, QuotaCount, QuotaRule, StudentFacts
from competitions.models import (
    LIVE_ENTRY_STATUSES,
    QUOTA_ENTRY_STATUSES,
    Category,
    Contest,
    Entry,
    EntryMember,
)
from core.extensions import db


def category_rules(category: Category, contest: Contest) -> CategoryRules:
    return CategoryRules(
        code=category.code,
        entry_type=category.entry_type,
        min_members=category.min_members,
        max_members=category.max_members,
        allowed_stages=frozenset(category.allowed_stages or eligibility.STAGES),
        max_advisors=category.max_advisors,
        grade_min=category.grade_min,
        grade_max=category.grade_max,
        age_min=category.age_min,
        age_max=category.age_max,
        reference_date=contest.reference_date,
        completion_months=category.completion_months,
    )


def entry_facts(entry: Entry) -> EntryFacts:
    return EntryFacts(
        id=entry.id,
        school_id=entry.school_id,
        members=tuple(
            StudentFacts(
                id=m.student.id,
                name=m.student.name,
                birth_date=m.student.birth_date,
                grade=m.student.grade,
                school_id=m.student.school_id,
            )
            for m in entry.members
        ),
        advisor_count=len(entry.advisors),
        work_started_on=entry.work_started_on,
        work_completed_on=entry.work_completed_on,
    )


def quota_rules(category: Category) -> list[QuotaRule]:
    return [QuotaRule(q.scope, q.stage, q.kind, q.limit) for q in category.quotas]


def required_kinds(category: Category) -> dict[str, str]:
    """Required material kinds, each with the name the category gives it ('' for the standard name)."""
    return {r.kind: r.label for r in category.requirements if r.required}


def entry_problems(
    entry: Entry, counted: list[QuotaCount] | None = None, other_entries: dict[int, str] | None = None
) -> list[Problem]:
    """Every eligibility problem of one entry (team size, stage, advisors, grade, age, completion window, one
    entry per student, quota, missing materials). Quotas count the school's other submitted/approved entries."""
    category, contest = entry.category, entry.contest
    facts = entry_facts(entry)
    if other_entries is None:
        other_entries = students_in_other_entries(entry.contest_id, [m.id for m in facts.members], entry.id)
    if counted is None:
        counted = _quota_counts(entry.category_id, exclude_entry_id=entry.id)
    return eligibility.check_entry(
        category_rules(category, contest),
        facts,
        other_entries=other_entries,
        quota_rules=quota_rules(category),
        district=entry.school.district,
        counted=counted,
        required_materials=required_kinds(category),
        present_materials=[m.kind for m in entry.materials],
    )


def _quota_counts(
    category_id: int, exclude_entry_id: int | None = None, before: tuple[datetime, int] | None = None
) -> list[QuotaCount]:
    """Counted entries of a category as QuotaCount (stage from the members' grades)."""
    entries = (
        db.session.execute(
            sa.select(Entry)
            .options(selectinload(Entry.members).joinedload(EntryMember.student), joinedload(Entry.school))
            .where(
                Entry.category_id == category_id,
                Entry.status.in_([s.value for s in QUOTA_ENTRY_STATUSES]),
                Entry.id != (exclude_entry_id or -1),
            )
        )
        .unique()
        .scalars()
    )
    return [quota_count(e) for e in entries]


def quota_count(entry: Entry) -> QuotaCount:
    """What quotas count of an entry: school, district, stage and individual/team (members only)."""
    return plain_quota_count(
        entry.school_id,
        entry.school.district,
        [
            StudentFacts(
                id=m.student.id,
                name=m.student.name,
                birth_date=m.student.birth_date,
                grade=m.student.grade,
                school_id=m.student.school_id,
            )
            for m in entry.members
        ],
    )


def problems_message(problems: list[Problem]):
    """One localised sentence per problem, joined."""
    from flask_babel import gettext

    return " ".join(render_problem(p, gettext) for p in problems)


def stage_names(stages: str, gettext: Callable[[str], str] | None = None) -> str:
    """A rule's "primary, junior" parameter in the reader's words: 小学、初中."""
    from flask_babel import gettext as default_gettext

    gettext = gettext or default_gettext
    return "、".join(gettext(eligibility.STAGE_LABELS[s]) for s in stages.split(", "))


def render_problem(problem: Problem, gettext: Callable[[str], str] | None = None) -> str:
    from flask_babel import gettext as default_gettext

    gettext = gettext or default_gettext
    params = dict(problem.params)
    stage, kind = params.get("stage"), params.get("kind")
    if stage in eligibility.STAGE_LABELS:
        params["stage"] = gettext(eligibility.STAGE_LABELS[stage])
    if "stages" in params:
        params["stages"] = stage_names(params["stages"], gettext)
    if kind in eligibility.ENTRY_TYPE_LABELS:
        params["kind"] = gettext(eligibility.ENTRY_TYPE_LABELS[kind])
    if "material" in params:
        from competitions.materials import MATERIAL_KIND_LABELS

        params["material"] = params.get("label") or gettext(
            MATERIAL_KIND_LABELS.get(params["material"], params["material"])
        )
    if params.get("rule_scope") == "school":
        params["scope"] = gettext("your school")
    return gettext(problem.message) % params


def students_in_other_entries(
    contest_id: int, student_ids: Iterable[int], exclude_entry_id: int | None = None
) -> dict[int, str]:
    """student id -> code (or title) of another live entry of the contest that has the student."""
    ids = list(student_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(EntryMember.student_id, Entry.code, Entry.title)
        .join(Entry, Entry.id == EntryMember.entry_id)
        .where(
            Entry.contest_id == contest_id,
            EntryMember.student_id.in_(ids),
            Entry.status.in_([s.value for s in LIVE_ENTRY_STATUSES]),
            Entry.id != (exclude_entry_id or -1),
        )
    ).all()
    return {sid: code or f"“{title}”" for sid, code, title in rows}


def plain_quota_count(school_id: int, district: str | None, members: list[StudentFacts]) -> QuotaCount:
    """What quotas count of an entry: school, district, stage (the highest of the members') and individual/team."""
    stages = [eligibility.stage_of_grade(m.grade) for m in members]
    stage = max(stages, key=eligibility.STAGES.index) if stages else None
    return QuotaCount(school_id, district, stage, "team" if len(stages) > 1 else "individual")
