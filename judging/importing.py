"""Reading paper score sheets typed into .xlsx (pure logic, no Flask).

Columns: 作品编号 (entry code), 评委 (the judge's login email), then either one column per
criterion name or a single 总分 (total) column.  English aliases: entry_code, judge, total.
The reader checks the file's shape and cell syntax only; the service checks entries, judges,
assignments and criterion maxima/steps against the database.  Either every row is good and
``ScoreImport.rows`` is returned, or ``errors`` lists every problem by spreadsheet row and
column and nothing is imported.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20000
ENTRY_HEADERS = {"作品编号", "entry_code", "entry code", "code"}
JUDGE_HEADERS = {"评委", "judge", "judge_email", "email"}
TOTAL_HEADERS = {"总分", "total", "total_score"}


@dataclass
class ImportProblem:
    row: int | None  # spreadsheet row number as Excel shows it (header row is 1)
    column: str | None
    code: str
    value: Any = None

    MESSAGES = {
        "not_xlsx": "The file is not an .xlsx spreadsheet.",
        "too_large": "The file is larger than 10 MB.",
        "empty": "The spreadsheet has no data rows.",
        "too_many_rows": "The spreadsheet has more than 20,000 rows.",
        "missing_column": "Column {column} is missing.",
        "no_score_columns": "Add one column per criterion or a single 总分 column.",
        "mixed_total": "Use either criterion columns or a 总分 column, not both.",
        "unknown_column": "Column {column} is not a criterion of this rubric.",
        "duplicate_column": "Column {column} appears twice.",
        "blank": "The cell is empty.",
        "formula": "The cell contains a formula; type the value instead.",
        "not_a_number": "{value} is not a number.",
        "duplicate_row": "This entry and judge already appear in row {value}.",
        "unknown_entry": "No entry with code {value} in this round.",
        "unknown_judge": "No judge with login {value} in this contest.",
        "not_assigned": "Judge {value} is not assigned to this entry.",
        "invalid_score": "{value}",
        "merged_cells": "The sheet contains merged cells; unmerge them first.",
        "refused": "{value}",
    }

    def message(self) -> str:
        if self.code == "refused":
            return self.value.render()
        return self.MESSAGES[self.code].format(column=self.column, value=self.value)


@dataclass
class ScoreRow:
    row: int
    entry_code: str
    judge_login: str
    values: dict[str, Any]  # criterion name -> raw cell value (or {"总分": value})


@dataclass
class ScoreImport:
    rows: list[ScoreRow] = field(default_factory=list)
    errors: list[ImportProblem] = field(default_factory=list)
    uses_total: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _norm(text: Any) -> str:
    return unicodedata.normalize("NFKC", str(text or "")).strip()


def read_score_sheet(  # noqa: C901 — the sheet's checks in the order a judge's clerk fills it; each reports a cell
    data: bytes, criterion_names: list[str], *, partial: bool = False
) -> ScoreImport:
    """Parse the first sheet of an .xlsx score file into rows, or return every problem found.

    ``partial``: the round's categories have different rubrics, so a file may carry only some criterion
    columns and blank cells for criteria that are not in an entry's rubric (the service checks each row
    against its entry's rubric)."""
    import re

    from core.spreadsheets import SpreadsheetRefused, open_xlsx, scan_sheet

    result = ScoreImport()
    if len(data) > MAX_BYTES:
        result.errors.append(ImportProblem(None, None, "too_large"))
        return result
    if not data.startswith(b"PK"):
        result.errors.append(ImportProblem(None, None, "not_xlsx"))
        return result
    try:
        book = open_xlsx(data)  # the archive's directory is checked before anything is inflated
    except SpreadsheetRefused as exc:
        # not a readable .xlsx keeps its own message; a bomb gets the reason it was refused
        refused = exc.code not in ("not_spreadsheet", "damaged")
        result.errors.append(
            ImportProblem(None, None, "refused", exc) if refused else ImportProblem(None, None, "not_xlsx")
        )
        return result
    try:
        if scan_sheet(book, {"merge": re.compile(rb"<(?:\w+:)?mergeCell[\s>/]")})["merge"]:
            result.errors.append(ImportProblem(None, None, "merged_cells"))
            return result
        rows = []
        for values in book.sheet.iter_rows(values_only=True):
            rows.append(values)
            if len(rows) > MAX_ROWS + 1000:  # trailing blank rows are dropped below; far beyond is refused
                break
    except SpreadsheetRefused as exc:
        result.errors.append(ImportProblem(None, None, "refused", exc))
        return result
    except Exception:  # openpyxl raises many kinds on a damaged sheet
        result.errors.append(ImportProblem(None, None, "not_xlsx"))
        return result
    finally:
        book.close()
    while rows and all(_norm(c) == "" for c in rows[-1]):
        rows.pop()
    if len(rows) < 2:
        result.errors.append(ImportProblem(None, None, "empty"))
        return result
    if len(rows) > MAX_ROWS + 1:
        result.errors.append(ImportProblem(None, None, "too_many_rows"))
        return result
    headers = [_norm(h) for h in rows[0]]
    criteria = {_norm(n): n for n in criterion_names}
    columns: dict[str, int] = {}
    score_columns: dict[str, int] = {}
    for index, header in enumerate(headers):
        if not header:
            continue
        lower = header.lower()
        if lower in ENTRY_HEADERS or header in ENTRY_HEADERS:
            key = "entry"
        elif lower in JUDGE_HEADERS or header in JUDGE_HEADERS:
            key = "judge"
        elif lower in TOTAL_HEADERS or header in TOTAL_HEADERS:
            key = "total"
        elif header in criteria:
            if criteria[header] in score_columns:
                result.errors.append(ImportProblem(1, header, "duplicate_column"))
            score_columns[criteria[header]] = index
            continue
        else:
            result.errors.append(ImportProblem(1, header, "unknown_column"))
            continue
        if key in columns:
            result.errors.append(ImportProblem(1, header, "duplicate_column"))
        columns[key] = index
    for key, label in (("entry", "作品编号"), ("judge", "评委")):
        if key not in columns:
            result.errors.append(ImportProblem(1, label, "missing_column"))
    if "total" in columns and score_columns:
        result.errors.append(ImportProblem(1, "总分", "mixed_total"))
    elif "total" not in columns and not score_columns:
        result.errors.append(ImportProblem(1, None, "no_score_columns"))
    elif "total" not in columns and not partial and set(score_columns) != set(criterion_names):
        for name in criterion_names:
            if name not in score_columns:
                result.errors.append(ImportProblem(1, name, "missing_column"))
    if result.errors:
        return result
    result.uses_total = "total" in columns
    value_columns = {"总分": columns["total"]} if result.uses_total else score_columns
    seen: dict[tuple[str, str], int] = {}
    for offset, cells in enumerate(rows[1:], start=2):
        cells = list(cells) + [None] * (len(headers) - len(cells))
        if all(_norm(c) == "" for c in cells):
            continue
        entry_code = _norm(cells[columns["entry"]])
        judge = _norm(cells[columns["judge"]]).lower()
        for label, value in (("作品编号", entry_code), ("评委", judge)):
            if not value:
                result.errors.append(ImportProblem(offset, label, "blank"))
        values = {}
        for name, index in value_columns.items():
            cell = cells[index]
            if isinstance(cell, str) and cell.startswith("="):
                result.errors.append(ImportProblem(offset, name, "formula"))
            elif cell is None or _norm(cell) == "":
                if not partial or result.uses_total:
                    result.errors.append(ImportProblem(offset, name, "blank"))
            elif isinstance(cell, bool) or not _is_number(cell):
                result.errors.append(ImportProblem(offset, name, "not_a_number", cell))
            else:
                values[name] = cell if not isinstance(cell, str) else _norm(cell)
        if entry_code and judge:
            key = (entry_code, judge)
            if key in seen:
                result.errors.append(ImportProblem(offset, None, "duplicate_row", seen[key]))
            seen[key] = offset
        result.rows.append(ScoreRow(offset, entry_code, judge, values))
    if result.errors:
        result.rows = []
    return result


def _is_number(value: Any) -> bool:
    if isinstance(value, (int, float)):
        return True
    try:
        float(_norm(value))
        return True
    except ValueError:
        return False
