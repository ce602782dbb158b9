"""Results exports (.csv with BOM, .xlsx) and name masking for the public notice (pure logic)."""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

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


def mask_name(name: str | None) -> str:
    """Mask a person's name for public pages: 张三明 -> 张*明, 李四 -> 李*, 欧阳娜娜 -> 欧**娜.

    The first and (for three or more characters) the last character stay; every other
    character becomes '*'.  Works on code points, so 𠮷 counts as one character.
    """
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _cells(row: ResultRow) -> list:
    return [row.code, row.category, row.title, row.school, row.score, "" if row.rank is None else row.rank, row.award,
            row.students, row.advisors]


def _safe(value):
    """Neutralise spreadsheet formula injection (=, +, -, @ at the start of text)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def results_csv(rows: Sequence[ResultRow]) -> bytes:
    """UTF-8 with BOM so that Excel on Chinese Windows opens it correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(RESULT_HEADERS)
    for row in rows:
        writer.writerow([_safe(c) for c in _cells(row)])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def results_xlsx(rows: Sequence[ResultRow], sheet_title: str = "评审结果") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    sheet.append(list(RESULT_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        cells = _cells(row)
        if cells[4] != "":
            try:
                cells[4] = float(cells[4])
            except ValueError:
                pass
        sheet.append([_safe(c) for c in cells])
    for column, width in zip("ABCDEFGHI", (16, 14, 36, 26, 10, 8, 10, 24, 20), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
