"""Render a reports.document.Report as an .xlsx workbook with openpyxl (plain Python, no Flask).

One summary sheet with the headline figures, then one sheet per table. Numbers stay numbers (so the
organiser can sum them in Excel); a number with a link becomes a hyperlink to the list it counts. Text that
starts with = + - @ is prefixed with ' so that a school or title can never run as a formula.
"""
from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from reports.document import Report

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
HEADER_FILL = PatternFill("solid", fgColor="E8EEF6")
LINK_FONT = Font(color="1D5FA8", underline="single")


def safe_text(value):
    """Neutralise spreadsheet formula injection in text cells."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


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
    cell.value = safe_text(value)
    if link and "://" in link:
        cell.hyperlink = link
        cell.font = LINK_FONT


def build_xlsx(report: Report, summary_title: str = "Summary") -> bytes:
    """The report as .xlsx bytes."""
    wb = Workbook()
    summary = wb.active
    taken: set[str] = set()
    summary.title = sheet_title(summary_title, taken)
    summary["A1"] = safe_text(report.title)
    summary["A1"].font = Font(bold=True, size=14)
    summary["A2"] = safe_text(report.subtitle)
    row = 4
    for section in report.sections:
        summary.cell(row=row, column=1, value=safe_text(section.title)).font = Font(bold=True, size=12)
        row += 1
        for fig in section.figures:
            summary.cell(row=row, column=1, value=safe_text(fig.label))
            _set(summary.cell(row=row, column=2), fig.value, fig.link)
            row += 1
        row += 1
    if report.definitions:
        summary.cell(row=row, column=1, value=safe_text(report.definitions_title)).font = Font(bold=True, size=12)
        row += 1
        for text in report.definitions:
            summary.cell(row=row, column=1, value=safe_text(text)).alignment = Alignment(wrap_text=True)
            row += 1
        row += 1
    if report.footer:
        summary.cell(row=row, column=1, value=safe_text(report.footer)).font = Font(italic=True, color="777777")
    summary.column_dimensions["A"].width = 44
    summary.column_dimensions["B"].width = 14

    for section in report.sections:
        for table in section.tables:
            ws = wb.create_sheet(sheet_title(table.title, taken))
            ws.cell(row=1, column=1, value=safe_text(table.title)).font = Font(bold=True, size=12)
            headers = [table.label_header, *table.columns]
            for col, text in enumerate(headers, start=1):
                cell = ws.cell(row=3, column=col, value=safe_text(text))
                cell.font = Font(bold=True)
                cell.fill = HEADER_FILL
                cell.alignment = Alignment(horizontal="center")
            for r, data in enumerate(table.rows, start=4):
                ws.cell(row=r, column=1, value=safe_text(data.label))
                for c, value in enumerate(data.values):
                    _set(ws.cell(row=r, column=c + 2), value, data.link(c))
            if table.note:
                ws.cell(row=len(table.rows) + 5, column=1, value=safe_text(table.note)).font = Font(italic=True)
            ws.freeze_panes = "B4"
            ws.column_dimensions["A"].width = max(16, min(50, max((len(r.label) for r in table.rows), default=8) * 2))
            for col in range(2, len(headers) + 1):
                ws.column_dimensions[get_column_letter(col)].width = 14
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
