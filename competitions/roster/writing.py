"""Writing rosters: the downloadable template, and exports as .xlsx or .csv."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from competitions.roster.values import TEMPLATE_HEADERS, RosterRow, grade_label

# ---------------------------------------------------------------- writing


def roster_row_values(row: RosterRow | dict) -> list[Any]:
    """The template column values for one student (export and round trip)."""
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
    return [
        get("name"),
        get("gender"),
        get("birth_date"),
        grade_label(get("grade")),
        get("class_name") or "",
        get("id_number") or "",
        get("guardian_phone") or "",
    ]


def write_roster_xlsx(rows: Iterable[RosterRow | dict]) -> bytes:
    """An .xlsx with the template header; ID numbers and phones as text so Excel keeps every digit, birth
    dates as real Excel dates."""
    from core.spreadsheets import StreamWorkbook

    workbook = StreamWorkbook()
    sheet = workbook.create_sheet("学生名单")
    sheet.append(list(TEMPLATE_HEADERS))
    for row in rows:
        values = roster_row_values(row)
        if values[2] is not None:
            values[2] = sheet.cell(values[2], number_format="yyyy-mm-dd")
        sheet.append(values)
    return workbook.to_bytes()


TEMPLATE_ROWS = 1000


def write_roster_template(rows: int = TEMPLATE_ROWS) -> bytes:
    """The empty download template: the header, then ``rows`` rows whose 身份证号 and 监护人电话 cells are
    formatted as text and whose 出生日期 cells are dates. Unformatted, Excel turns a typed 18-digit ID number
    into 3.30102E+17 and drops its last digits, which the import then has to refuse."""
    import openpyxl

    from core.spreadsheets import new_workbook, workbook_bytes

    workbook = new_workbook()
    sheet = workbook.active
    sheet.title = "学生名单"
    sheet.append(list(TEMPLATE_HEADERS))
    text_columns = [TEMPLATE_HEADERS.index("身份证号") + 1, TEMPLATE_HEADERS.index("监护人电话") + 1]
    date_column = TEMPLATE_HEADERS.index("出生日期") + 1
    for index in text_columns:
        letter = openpyxl.utils.get_column_letter(index)
        sheet.column_dimensions[letter].number_format = "@"
        sheet.column_dimensions[letter].width = 22
    sheet.column_dimensions[openpyxl.utils.get_column_letter(date_column)].number_format = "yyyy-mm-dd"
    sheet.column_dimensions[openpyxl.utils.get_column_letter(date_column)].width = 14
    for number in range(2, rows + 2):
        for index in text_columns:
            sheet.cell(number, index).number_format = "@"
        sheet.cell(number, date_column).number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    return workbook_bytes(workbook)


def write_roster_csv(rows: Iterable[RosterRow | dict], encoding: str = "utf-8-sig") -> bytes:
    """CSV with a BOM by default, which Excel needs to show UTF-8 Chinese correctly; gb18030 also allowed."""
    from core.spreadsheets import csv_bytes

    def lines():
        yield TEMPLATE_HEADERS
        for row in rows:
            values = roster_row_values(row)
            values[2] = values[2].isoformat() if values[2] else ""
            yield values

    return csv_bytes(lines(), encoding=encoding)
