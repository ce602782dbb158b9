"""Results exports (.csv with BOM, .xlsx), written through core.spreadsheets (pure logic)."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass

from core.spreadsheets import csv_bytes, new_workbook, workbook_bytes

RESULT_HEADERS = ("作品编号", "类别", "作品名称", "学校", "最终得分", "排名", "奖项", "学生", "辅导教师")


@dataclass(frozen=True)
class ResultRow:
    code: str
    category: str
    title: str
    school: str
    score: str  # already formatted (2 decimals) or "" when not scored
    rank: int | None
    award: str
    students: str = ""  # names in full: exports are for organisers (a 表彰 list names the students)
    advisors: str = ""  # 辅导教师


def _cells(row: ResultRow) -> list:
    return [
        row.code,
        row.category,
        row.title,
        row.school,
        row.score,
        "" if row.rank is None else row.rank,
        row.award,
        row.students,
        row.advisors,
    ]


def results_csv(rows: Sequence[ResultRow]) -> bytes:
    """UTF-8 with BOM so that Excel on Chinese Windows opens it correctly."""
    return csv_bytes([RESULT_HEADERS, *(_cells(row) for row in rows)])


def results_xlsx(rows: Sequence[ResultRow], sheet_title: str = "评审结果") -> bytes:
    from openpyxl.styles import Font

    workbook = new_workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    sheet.append(list(RESULT_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        cells = _cells(row)
        if cells[4] != "":
            with contextlib.suppress(ValueError):  # a score typed as words stays as typed
                cells[4] = float(cells[4])
        sheet.append(cells)
    for column, width in zip("ABCDEFGHI", (16, 14, 36, 26, 10, 8, 10, 24, 20), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    return workbook_bytes(workbook)
