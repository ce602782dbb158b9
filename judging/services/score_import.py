"""Import of paper score sheets (.xlsx), all-or-nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from core import audit
from core.extensions import db
from judging import scores
from judging.importing import ImportProblem, read_score_sheet
from judging.models import (
    AssignmentStatus,
    JudgeAssignment,
    Round,
)
from judging.services.judges import judges_of
from judging.services.rounds import round_category_for, round_entries
from judging.services.scoring import save_score, save_total_score, score_error_message


@dataclass
class ImportOutcome:
    imported: int = 0
    errors: list[tuple[int | None, str | None, str]] = field(default_factory=list)  # (row, column, message)

    @property
    def ok(self) -> bool:
        return not self.errors


def _problem_text(problem: ImportProblem) -> str:
    if problem.code == "refused":  # a spreadsheet refused before reading (core.spreadsheets)
        return problem.value.render(gettext)
    messages = {
        "not_xlsx": _l("The file is not an .xlsx spreadsheet."),
        "too_large": _l("The file is larger than 10 MB."),
        "empty": _l("The spreadsheet has no data rows."),
        "too_many_rows": _l("The spreadsheet has more than 20,000 rows."),
        "missing_column": _l("Column %(column)s is missing.", column=problem.column),
        "no_score_columns": _l("Add one column per criterion or a single 总分 column."),
        "mixed_total": _l("Use either criterion columns or a 总分 column, not both."),
        "unknown_column": _l("Column %(column)s is not a criterion of this rubric.", column=problem.column),
        "duplicate_column": _l("Column %(column)s appears twice.", column=problem.column),
        "blank": _l("The cell is empty."),
        "formula": _l("The cell contains a formula; type the value instead."),
        "not_a_number": _l("%(value)s is not a number.", value=problem.value),
        "duplicate_row": _l("This entry and judge already appear in row %(row)s.", row=problem.value),
        "unknown_entry": _l("No entry with code %(code)s in this round.", code=problem.value),
        "unknown_judge": _l("No judge with login %(login)s in this contest.", login=problem.value),
        "not_assigned": _l("Judge %(login)s is not assigned to this entry.", login=problem.value),
        "invalid_score": problem.value,
        "merged_cells": _l("The sheet contains merged cells; unmerge them first."),
    }
    return str(messages[problem.code])


def import_scores(  # noqa: C901 — read, check every row, write all or nothing: one transaction in order
    rnd: Round, data: bytes, *, actor=None
) -> ImportOutcome:
    """Import paper score sheets (.xlsx): all rows are checked (entry code in the round, judge's login email
    of a judge of the contest assigned to that entry, every value within maximum and step); any problem means
    nothing is saved. Rows are saved as submitted scores. All criteria of one rubric are needed per file, so a
    file holds one category or categories with identically named criteria."""
    outcome = ImportOutcome()
    if rnd.is_closed():
        outcome.errors.append((None, None, str(_l("The round is closed; scores can no longer change."))))
        return outcome
    rubric_cats = [rc for rc in rnd.categories if not rc.is_performance]
    names = sorted({c.name for rc in rubric_cats for c in rc.criteria})
    partial = len({frozenset(c.name for c in rc.criteria) for rc in rubric_cats}) > 1
    sheet = read_score_sheet(data, names, partial=partial)
    if not sheet.ok:
        outcome.errors = [(p.row, p.column, _problem_text(p)) for p in sheet.errors]
        return outcome
    entries = {e.code: e for e in round_entries(rnd) if e.code}
    judges = {(j.user.email or "").lower(): j for j in judges_of(rnd.owner, include_withdrawn=False)}
    actives = {
        (a.entry_id, a.judge_id): a
        for a in db.session.execute(
            sa.select(JudgeAssignment)
            .options(selectinload(JudgeAssignment.score))
            .where(JudgeAssignment.round_id == rnd.id, JudgeAssignment.status == AssignmentStatus.ACTIVE.value)
        ).scalars()
    }
    planned = []
    for row in sheet.rows:
        entry = entries.get(row.entry_code)
        judge = judges.get(row.judge_login)
        if entry is None:
            outcome.errors.append(
                (
                    row.row,
                    "作品编号",
                    _problem_text(ImportProblem(row.row, "作品编号", "unknown_entry", row.entry_code)),
                )
            )
        if judge is None:
            outcome.errors.append(
                (row.row, "评委", _problem_text(ImportProblem(row.row, "评委", "unknown_judge", row.judge_login)))
            )
        if entry is None or judge is None:
            continue
        a = actives.get((entry.id, judge.id))
        if a is None:
            outcome.errors.append(
                (row.row, "评委", _problem_text(ImportProblem(row.row, "评委", "not_assigned", row.judge_login)))
            )
            continue
        rc = round_category_for(rnd, entry.category_id)
        if rc.is_performance:
            outcome.errors.append(
                (row.row, "作品编号", str(_l("This category is scored by runs on the referee page.")))
            )
            continue
        if sheet.uses_total:
            try:
                scores.validate_criterion_score(row.values["总分"], rc.maximum_total, "0.01")
            except scores.ScoreError as exc:
                outcome.errors.append((row.row, "总分", score_error_message(exc)))
                continue
            planned.append((a, None, row.values["总分"]))
        else:
            by_name = {c.name: c for c in rc.criteria}
            values = {}
            for name, raw in row.values.items():
                criterion = by_name.get(name)
                if criterion is None:
                    outcome.errors.append(
                        (row.row, name, str(_l("Column %(column)s is not a criterion of this rubric.", column=name)))
                    )
                    continue
                try:
                    values[str(criterion.id)] = scores.validate_criterion_score(raw, criterion.maximum, criterion.step)
                except scores.ScoreError as exc:
                    outcome.errors.append((row.row, name, score_error_message(exc)))
            for criterion in rc.criteria:
                if criterion.name not in row.values:
                    outcome.errors.append((row.row, criterion.name, str(_l("The cell is empty."))))
            if len(values) == len(rc.criteria):
                planned.append((a, values, None))
    if outcome.errors:
        return outcome
    for a, values, total in planned:
        if values is None:
            save_total_score(a, total, actor=actor)
        else:
            save_score(a, values, submit=True, actor=actor, imported=True)
    outcome.imported = len(planned)
    audit.record("import_scores", rnd, after={"rows": outcome.imported}, actor=actor)
    return outcome
