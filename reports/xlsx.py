"""Render a reports.document.Report as an .xlsx workbook with openpyxl (plain Python, no Flask).

One summary sheet with the headline figures, then one sheet per table. Numbers stay numbers (so the
organiser can sum them in Excel); a number with a link becomes a hyperlink to the list it counts. Text that
looks like a formula is written as text by core.spreadsheets, so a school or title can never run as one.
"""

from __future__ import annotations

import re

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.spreadsheets import new_workbook, workbook_bytes
from reports.document import Report

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
HEADER_FILL = PatternFill("solid", fgColor="E8EEF6")
LINK_FONT = Font(color="1D5FA8", underline="single")


def sheet_title(title: str, taken: set[str]) -> str:
    """A valid, unique sheet name: no []:*?/\\, at most 31 characters."""
    base = _SHEET_FORBIDDEN.sub(" ", title).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name.lower())
    return name


def _set(cell, value, link: str | None = None) -> None:
    cell.value = value
    if link and "://" in link:
        cell.hyperlink = link
        cell.font = LINK_FONT


def build_xlsx(report: Report, summary_title: str = "Summary") -> bytes:
    """The report as .xlsx bytes."""
    wb = new_workbook()
    summary = wb.active
    taken: set[str] = set()
    summary.title = sheet_title(summary_title, taken)
    summary["A1"] = report.title
    summary["A1"].font = Font(bold=True, size=14)
    summary["A2"] = report.subtitle
    row = 4
    for section in report.sections:
        summary.cell(row=row, column=1, value=section.title).font = Font(bold=True, size=12)
        row += 1
        for fig in section.figures:
            summary.cell(row=row, column=1, value=fig.label)
            _set(summary.cell(row=row, column=2), fig.value, fig.link)
            row += 1
        row += 1
    if report.definitions:
        summary.cell(row=row, column=1, value=report.definitions_title).font = Font(bold=True, size=12)
        row += 1
        for text in report.definitions:
            summary.cell(row=row, column=1, value=text).alignment = Alignment(wrap_text=True)
            row += 1
        row += 1
    if report.footer:
        summary.cell(row=row, column=1, value=report.footer).font = Font(italic=True, color="777777")
    summary.column_dimensions["A"].width = 44
    summary.column_dimensions["B"].width = 14

    for section in report.sections:
        for table in section.tables:
            ws = wb.create_sheet(sheet_title(table.title, taken))
            ws.cell(row=1, column=1, value=table.title).font = Font(bold=True, size=12)
            headers = [table.label_header, *table.columns]
            for col, text in enumerate(headers, start=1):
                cell = ws.cell(row=3, column=col, value=text)
                cell.font = Font(bold=True)
                cell.fill = HEADER_FILL
                cell.alignment = Alignment(horizontal="center")
            for r, data in enumerate(table.rows, start=4):
                ws.cell(row=r, column=1, value=data.label)
                for c, value in enumerate(data.values):
                    _set(ws.cell(row=r, column=c + 2), value, data.link(c))
            if table.note:
                ws.cell(row=len(table.rows) + 5, column=1, value=table.note).font = Font(italic=True)
            ws.freeze_panes = "B4"
            ws.column_dimensions["A"].width = max(16, min(50, max((len(r.label) for r in table.rows), default=8) * 2))
            for col in range(2, len(headers) + 1):
                ws.column_dimensions[get_column_letter(col)].width = 14
    return workbook_bytes(wb)
