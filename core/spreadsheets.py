"""Every spreadsheet the platform reads or writes goes through here (plain Python, no Flask).

Reading (.xlsx uploads): an .xlsx is a zip archive, and a 1 MB archive can hold a sheet that inflates to
gigabytes. ``open_xlsx`` therefore checks the archive's central directory BEFORE inflating anything: the
declared uncompressed size of the whole archive (MAX_UNCOMPRESSED_BYTES), the compression ratio of every
large member (MAX_COMPRESSION_RATIO) and the number of members. Python's zipfile never inflates a member
beyond the size its directory entry declares (a lying entry fails its CRC check instead), so the checked
figures bound the work. The workbook is then opened with openpyxl's read-only (streaming) mode, and
``scan_sheet`` looks for tags in the sheet XML chunk by chunk, never holding the whole sheet in memory.

Writing (.xlsx and .csv downloads): text that a spreadsheet program would run as a formula — it starts with
= + - @, a tab or a carriage return (``is_formula_like``) — is neutralised, one rule for both formats:

* .xlsx: the cell is written with the text type, so it is shown exactly as typed and never evaluated
  (``workbook_bytes`` retypes every such cell of a workbook before saving; ``StreamWorkbook`` does the same
  row by row for large write-only exports);
* .csv: the field is prefixed with an apostrophe (``csv_value``), which Excel and WPS show as text.

Nothing else in the platform creates an openpyxl ``Workbook`` or a ``csv.writer``
(tests/core/test_spreadsheets.py holds every export to this).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from core.i18n import N_

#: Declared uncompressed size of all members of an uploaded .xlsx (a 20,000-student roster is ~10 MB).
MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024
#: Members larger than this must not inflate more than MAX_COMPRESSION_RATIO times their stored size.
RATIO_CHECK_FROM_BYTES = 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_MEMBERS = 2000
SCAN_CHUNK_BYTES = 1024 * 1024

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


NOT_SPREADSHEET = N_("This file is not a spreadsheet. Upload an .xlsx or .csv file.")
DAMAGED = N_("The spreadsheet could not be read; it may be damaged. Open it in Excel and save it again as .xlsx.")
TOO_LARGE_INFLATED = N_(
    "The spreadsheet unpacks to %(size)s MB; the limit is %(limit)s MB. Remove unused sheets, pictures and empty formatted rows, then save it again."
)
TOO_COMPRESSED = N_(
    "The spreadsheet's contents are packed %(ratio)s times smaller than they are (at most %(limit)s is accepted); it is not an ordinary Excel file. Open it in Excel and save it again as .xlsx."
)
TOO_MANY_PARTS = N_("The spreadsheet has too many parts (%(count)s). Open it in Excel and save it again as .xlsx.")


class SpreadsheetRefused(ValueError):
    """An upload refused before or while reading it: ``code`` for machines, ``message`` a msgid, ``params``."""

    def __init__(self, code: str, message: str, **params: Any):
        super().__init__(code)
        self.code, self.message, self.params = code, message, params

    def render(self, gettext=lambda s: s) -> str:
        return gettext(self.message) % self.params if self.params else gettext(self.message)


# ---------------------------------------------------------------- reading


def check_archive(data: bytes) -> zipfile.ZipFile:
    """Open ``data`` as a zip archive and check its directory (sizes, ratios, member count) before
    anything is inflated. Raises SpreadsheetRefused."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise SpreadsheetRefused("not_spreadsheet", NOT_SPREADSHEET) from None
    if len(members) > MAX_MEMBERS:
        raise SpreadsheetRefused("too_many_parts", TOO_MANY_PARTS, count=len(members))
    total = sum(member.file_size for member in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise SpreadsheetRefused(
            "inflates_too_much",
            TOO_LARGE_INFLATED,
            size=round(total / 1048576),
            limit=MAX_UNCOMPRESSED_BYTES // 1048576,
        )
    for member in members:
        if member.file_size >= RATIO_CHECK_FROM_BYTES:
            ratio = member.file_size / max(member.compress_size, 1)
            if ratio > MAX_COMPRESSION_RATIO:
                raise SpreadsheetRefused(
                    "compression_ratio", TOO_COMPRESSED, ratio=int(ratio), limit=MAX_COMPRESSION_RATIO
                )
    return archive


@dataclass
class XlsxFile:
    """A checked archive and its workbook opened for streaming (read-only); close() when done."""

    archive: zipfile.ZipFile
    workbook: Any
    sheet: Any
    sheet_path: str = ""

    def close(self) -> None:
        self.workbook.close()
        self.archive.close()


def open_xlsx(data: bytes) -> XlsxFile:
    """The first (active) sheet of an .xlsx upload, streamed: the archive is checked first (check_archive),
    then openpyxl opens it read-only. Raises SpreadsheetRefused for anything that is not a readable .xlsx."""
    import openpyxl  # imported lazily: CSV-only callers do not pay for it

    archive = check_archive(data)
    if "xl/workbook.xml" not in set(archive.namelist()):
        raise SpreadsheetRefused("not_spreadsheet", NOT_SPREADSHEET)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        sheet = workbook.active
        if sheet is None:
            sheet = workbook.worksheets[0]
        sheet_path = sheet._worksheet_path
        archive.getinfo(sheet_path)
    except Exception:  # openpyxl raises many kinds on corrupt archives
        raise SpreadsheetRefused("damaged", DAMAGED) from None
    return XlsxFile(archive=archive, workbook=workbook, sheet=sheet, sheet_path=sheet_path)


def scan_sheet(book: XlsxFile, patterns: dict[str, re.Pattern[bytes]]) -> dict[str, re.Match[bytes] | None]:
    """The first match of each byte pattern in the sheet's XML, read in chunks (bounded memory). Patterns
    must match fewer than 4 KB (a tag), so a match split between two chunks is still found."""
    found: dict[str, re.Match[bytes] | None] = dict.fromkeys(patterns)
    overlap = 4096
    tail = b""
    try:
        with book.archive.open(book.sheet_path) as stream:
            while True:
                chunk = stream.read(SCAN_CHUNK_BYTES)
                if not chunk:
                    break
                window = tail + chunk
                for name, pattern in patterns.items():
                    if found[name] is None:
                        found[name] = pattern.search(window)
                if all(found.values()):
                    break
                tail = window[-overlap:]
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError):
        raise SpreadsheetRefused("damaged", DAMAGED) from None
    return found


def find_header_row(
    rows: Sequence[tuple[int, Sequence[Any]]],
    field_of: Callable[[Any], str | None],
    *,
    required: str,
    search_rows: int = 10,
) -> tuple[int, dict[str, int], list[Any]] | None:
    """The header row of an uploaded sheet: the first of the first ``search_rows`` rows (a title row or two
    above the header is common) in which ``field_of(cell)`` names the ``required`` field. Returns its index in
    ``rows``, {field: column index} (the first column naming a field wins) and the cells that named a field
    already seen (duplicate columns), or None."""
    for position, (_number, values) in enumerate(rows[:search_rows]):
        mapping: dict[str, int] = {}
        duplicates: list[Any] = []
        for index, value in enumerate(values):
            name = field_of(value)
            if name is None:
                continue
            if name in mapping:
                duplicates.append(value)
            else:
                mapping[name] = index
        if required in mapping:
            return position, mapping, duplicates
    return None


# ---------------------------------------------------------------- writing


def is_formula_like(value: Any) -> bool:
    """Text a spreadsheet program would run as a formula (or as DDE): it starts with = + - @, tab or CR."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_value(value: Any) -> Any:
    """A CSV field Excel and WPS will show as text: formula-like text gets a leading apostrophe."""
    return "'" + value if is_formula_like(value) else value


def write_csv(stream: IO[str], rows: Iterable[Sequence[Any]], *, lineterminator: str = "\r\n") -> None:
    """Write rows (the header is the first one) to a text stream, every field through csv_value."""
    writer = csv.writer(stream, lineterminator=lineterminator)
    for row in rows:
        writer.writerow([csv_value(v) for v in row])


def csv_bytes(rows: Iterable[Sequence[Any]], *, encoding: str = "utf-8-sig") -> bytes:
    """A whole CSV file. UTF-8 with a BOM by default: Excel on Chinese Windows needs it to read UTF-8."""
    buffer = io.StringIO(newline="")
    write_csv(buffer, rows)
    return buffer.getvalue().encode(encoding)


def new_workbook():
    """An empty openpyxl workbook (with its active sheet); save it with workbook_bytes."""
    from openpyxl import Workbook

    return Workbook()


def neutralise_workbook(workbook) -> None:
    """Retype every formula-like text cell of an (ordinary) workbook as text."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or is_formula_like(cell.value):
                    cell.data_type = "s"


def workbook_bytes(workbook) -> bytes:
    """The .xlsx file of a workbook made with new_workbook, with no formula cell in it."""
    neutralise_workbook(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class StreamSheet:
    """A sheet of a StreamWorkbook: rows are appended once (write-only), formula-like text typed as text."""

    def __init__(self, sheet):
        self._sheet = sheet

    def cell(self, value: Any, number_format: str | None = None):
        """A styled cell to put into a row (a date with its format, for instance)."""
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self._sheet, value=value)
        if is_formula_like(value):
            cell.data_type = "s"
        if number_format:
            cell.number_format = number_format
        return cell

    def append(self, values: Iterable[Any]) -> None:
        from openpyxl.cell.cell import Cell

        row = []
        for value in values:
            if isinstance(value, Cell):
                if value.data_type == "f":
                    value.data_type = "s"
                row.append(value)
            elif is_formula_like(value):
                row.append(self.cell(value))
            else:
                row.append(value)
        self._sheet.append(row)


class StreamWorkbook:
    """A write-only workbook for large exports (50,000 rows without holding them as cell objects)."""

    def __init__(self):
        from openpyxl import Workbook

        self._workbook = Workbook(write_only=True)

    def create_sheet(self, title: str) -> StreamSheet:
        return StreamSheet(self._workbook.create_sheet(title[:31]))

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self._workbook.save(buffer)
        return buffer.getvalue()
