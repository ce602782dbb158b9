"""Matching students: what tells two namesakes apart, and the plausibility of a grade for a birth date."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from competitions.eligibility import STAGES, stage_of_grade
from competitions.roster.checking import MESSAGES
from competitions.roster.values import FIELD_LABELS, RosterError, RosterRow, grade_label
from core.i18n import N_

NAMESAKE_DIFFERENCES = {"id_number": N_("ID numbers"), "gender": N_("genders"), "class_name": N_("classes")}


def namesake_difference(a: RosterRow, b: RosterRow) -> str | None:
    """What tells apart two students of one name and birth date (a key of NAMESAKE_DIFFERENCES), or None
    when nothing does and they are one student written twice. A blank cell tells nothing."""
    if a.id_number and b.id_number and a.id_number != b.id_number:
        return "id_number"
    if a.gender and b.gender and a.gender != b.gender:
        return "gender"
    if a.class_name and b.class_name and a.class_name != b.class_name:
        return "class_name"
    return None


# Age on 1 September of the school year, by grade: 一年级 starts at 6. A year either side is common (early or
# late entry, a repeated year); beyond that a typing slip in the grade or the birth date is likelier.
SCHOOL_ENTRY_AGE = 6
AGE_SLACK = 2


def school_year_start(today: date) -> date:
    return date(today.year if today.month >= 9 else today.year - 1, 9, 1)


def plausibility_warnings(
    rows: Iterable[RosterRow], today: date, stages: Iterable[str] | None = None, headers: dict[str, str] | None = None
) -> list[RosterError]:
    """Warnings, not errors, for rows that are valid but unlikely: a grade the school does not teach (高二 in a
    primary school; ``stages`` are the ones it teaches, None when unknown), or an age far from the grade's
    (a child born 2023 in 三年级). The import goes ahead; the preview lists them so a slip is caught."""
    headers = {**FIELD_LABELS, **(headers or {})}
    stages = set(stages) if stages else None
    start = school_year_start(today)
    out = []
    for row in rows:
        label = grade_label(row.grade)
        if stages is not None and stage_of_grade(row.grade) not in stages:
            out.append(
                RosterError(
                    code="grade_not_taught",
                    message=MESSAGES["grade_not_taught"],
                    row=row.row,
                    header=headers["grade"],
                    params={
                        "header": headers["grade"],
                        "value": label,
                        "stages": ", ".join(sorted(stages, key=STAGES.index)),
                    },
                )
            )
        age = start.year - row.birth_date.year - ((start.month, start.day) < (row.birth_date.month, row.birth_date.day))
        expected = SCHOOL_ENTRY_AGE + row.grade - 1
        if abs(age - expected) > AGE_SLACK:
            out.append(
                RosterError(
                    code="age_for_grade",
                    message=MESSAGES["age_for_grade"],
                    row=row.row,
                    header=headers["birth_date"],
                    params={
                        "header": headers["birth_date"],
                        "value": label,
                        "age": age,
                        "birth_date": row.birth_date.isoformat(),
                    },
                )
            )
    return out
