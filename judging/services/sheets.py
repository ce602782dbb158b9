"""What the results documents print: the people of each entry (students masked by the caller's rule, advisors in
full), the rows of the results export, the per-judge score sheets and the labels of the PDFs."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask_babel import gettext

from competitions.models import Advisor
from core.extensions import db
from judging.models import (
    AWARD_LABELS,
    Judge,
    Round,
)
from judging.services.assignment import judge_worklist
from judging.services.judges import judges_of
from judging.services.results import results_of


def entry_people(results, mask=None) -> dict[int, tuple[str, str]]:
    """Entry id -> (students, advisors), names joined with "、" in the entry's order; two queries for all rows.

    ``mask`` (the public page's rule for minors) is applied to students only: advisors are adults and are named
    in full on public lists, as a 表彰 list names them."""
    from competitions.models import EntryAdvisor, EntryMember, Student

    ids = sorted({r.entry_id for r in results})
    if not ids:
        return {}
    students: dict[int, list[str]] = defaultdict(list)
    for entry_id, name in db.session.execute(
        sa.select(EntryMember.entry_id, Student.name)
        .join(Student, Student.id == EntryMember.student_id)
        .where(EntryMember.entry_id.in_(ids))
        .order_by(EntryMember.entry_id, EntryMember.position)
    ).all():
        students[entry_id].append(mask(name) if mask else name)
    advisors: dict[int, list[str]] = defaultdict(list)
    for entry_id, name in db.session.execute(
        sa.select(EntryAdvisor.entry_id, Advisor.name)
        .join(Advisor, Advisor.id == EntryAdvisor.advisor_id)
        .where(EntryAdvisor.entry_id.in_(ids))
        .order_by(EntryAdvisor.entry_id, EntryAdvisor.position)
    ).all():
        advisors[entry_id].append(name)
    return {eid: ("、".join(students.get(eid, [])), "、".join(advisors.get(eid, []))) for eid in ids}


def result_rows(rnd: Round) -> list:
    """Rows of the results export (organisers only): students and advisors named in full; award names in the
    default language, like the Chinese column headers."""
    from flask import current_app
    from flask_babel import force_locale

    from judging.exports import ResultRow

    rows = results_of(rnd)
    people = entry_people(rows)
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")):
        return [
            ResultRow(
                r.entry.code or "",
                r.entry.category.name,
                r.entry.title,
                r.entry.school.name,
                "" if r.score is None else f"{r.score:.2f}",
                r.rank,
                str(AWARD_LABELS[r.award]) if r.award else "",
                *people.get(r.entry_id, ("", "")),
            )
            for r in rows
        ]


def score_sheet_data(rnd: Round, judge: Judge | None = None) -> list:
    """Per-judge score sheets (one per judge and category) with the judge's current scores, for the PDF."""
    from judging.pdf import ScoreSheet, SheetEntry

    sheets = []
    judges = [judge] if judge else judges_of(rnd.contest)
    for j in judges:
        worklist = judge_worklist(rnd, j)
        by_category = defaultdict(list)
        for a in worklist:
            by_category[a.entry.category_id].append(a)
        for rc in rnd.categories:
            items = by_category.get(rc.category_id)
            if not items or rc.is_performance:
                continue
            entries = []
            for a in items:
                values = a.score.values if a.score else {}
                entries.append(
                    SheetEntry(
                        a.entry.code or "",
                        a.entry.title,
                        [values.get(str(c.id), "") for c in rc.criteria],
                        "" if not a.score or a.score.total is None else f"{a.score.total:.2f}",
                        a.score.comment if a.score else "",
                    )
                )
            sheets.append(
                ScoreSheet(
                    rnd.contest.name,
                    rnd.name,
                    rc.category.name,
                    j.user.display_name,
                    [
                        (c.name, f"{c.maximum:g}" if c.weight == 1 else f"{c.maximum:g}×{c.weight:g}")
                        for c in rc.criteria
                    ],
                    entries,
                )
            )
    return sheets


def pdf_labels() -> dict[str, str]:
    return {
        "title": gettext("Score sheet"),
        "contest": gettext("Contest"),
        "round": gettext("Round"),
        "category": gettext("Category"),
        "judge": gettext("Judge"),
        "code": gettext("Entry code"),
        "entry": gettext("Entry title"),
        "total": gettext("Total"),
        "comment": gettext("Comment"),
        "signature": gettext("Judge's signature"),
        "date": gettext("Date"),
        "school": gettext("School"),
        "award": gettext("Award"),
        "students": gettext("Students"),
        "advisors": gettext("Advisors"),
    }
