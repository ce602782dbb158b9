"""Reading a roster file: .xlsx or .csv bytes to raw rows, the header found, then ``parse_roster`` — every row
validated, or every error (by spreadsheet row and column); never a partial list, an import is all-or-nothing."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import date

from competitions.roster.checking import MESSAGES, RowChecker
from competitions.roster.matching import namesake_difference
from competitions.roster.values import (
    HEADER_LOOKUP,
    HEADER_SEARCH_ROWS,
    MAX_ROSTER_BYTES,
    MAX_ROSTER_ROWS,
    RosterError,
    RosterFileError,
    RosterResult,
    RosterRow,
    file_error,
    normalise_header,
    normalise_text,
)
from core.i18n import N_, local_today

_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_MERGE_TAG = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*ref=\"([A-Z]+\d+):")


# ---------------------------------------------------------------- reading files


def _sniff_format(data: bytes, filename: str | None) -> str:
    if data[:4] == b"PK\x03\x04":
        return "zip"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "ole"
    if data[:5] == b"%PDF-":
        return "pdf"
    return "text"


def decode_csv_bytes(data: bytes) -> tuple[str, str]:
    """Detect the encoding Chinese Excel and WPS write: UTF-8 with BOM, UTF-16 with BOM, UTF-8, else GB18030
    (a superset of GBK and GB2312). Returns (text, encoding)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise file_error(
            "encoding", N_("The file's text encoding could not be recognised. Save it as UTF-8 or as CSV from Excel.")
        ) from None


def _read_csv(data: bytes) -> tuple[list[tuple[int, tuple]], str]:
    text, encoding = decode_csv_bytes(data)
    if "\x00" in text:
        raise file_error("not_spreadsheet", N_("This file is not a spreadsheet. Upload an .xlsx or .csv file."))
    sample = text[:4096]
    first_line = sample.splitlines()[0] if sample.splitlines() else ""
    delimiter = max((",", "\t", ";", "，"), key=first_line.count) if first_line else ","
    if first_line.count(delimiter) == 0:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [(number, tuple(cells)) for number, cells in enumerate(reader, start=1)]
    except csv.Error:
        raise file_error(
            "not_spreadsheet", N_("This file is not a spreadsheet. Upload an .xlsx or .csv file.")
        ) from None
    return rows, encoding


def _read_xlsx(data: bytes) -> list[tuple[int, tuple]]:
    from core.spreadsheets import SpreadsheetRefused, open_xlsx

    try:
        book = open_xlsx(data)  # checks the archive's directory (sizes, ratios) before inflating anything
    except SpreadsheetRefused as exc:
        raise file_error(exc.code, exc.message, **exc.params) from None
    try:
        return _xlsx_rows(book)
    finally:
        book.close()


def _xlsx_rows(book) -> list[tuple[int, tuple]]:
    from core.spreadsheets import SpreadsheetRefused, scan_sheet

    sheet = book.sheet
    try:
        found = scan_sheet(book, {"merge": _MERGE_TAG, "formula": _FORMULA_TAG})
    except SpreadsheetRefused as exc:
        raise file_error(exc.code, exc.message, **exc.params) from None
    merges = _merge_ranges(book) if found["merge"] else []
    has_formula = found["formula"] is not None
    rows: list[tuple[int, tuple]] = []
    try:
        if has_formula:
            for cells in sheet.iter_rows():
                for cell in cells:
                    if getattr(cell, "data_type", None) == "f":
                        raise file_error(
                            "formulas",
                            N_(
                                "The sheet contains formulas (first at %(cell)s). Paste the values only (Paste Special → Values) and try again."
                            ),
                            cell=cell.coordinate,
                        )
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=sheet.min_row or 1):
            rows.append((number, values))
            if len(rows) > MAX_ROSTER_ROWS + HEADER_SEARCH_ROWS + 1000:
                break
    except RosterFileError:
        raise
    except Exception:
        raise file_error(
            "not_spreadsheet",
            N_("The spreadsheet could not be read; it may be damaged. Open it in Excel and save it again as .xlsx."),
        ) from None
    if merges:
        _refuse_merges_below_titles(rows, merges)
    return rows


_MERGE_RANGE = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*ref=\"([A-Z]+)(\d+):[A-Z]+(\d+)\"")
MAX_MERGES_READ = 10000


def _merge_ranges(book) -> list[tuple[str, int, int]]:
    """Every merged range of the sheet as (first cell, first row, last row), in the file's order (the XML read
    in chunks, bounded memory)."""
    from core.spreadsheets import SCAN_CHUNK_BYTES

    found: dict[bytes, tuple[str, int, int]] = {}
    tail = b""
    with book.archive.open(book.sheet_path) as stream:
        while len(found) < MAX_MERGES_READ:
            chunk = stream.read(SCAN_CHUNK_BYTES)
            if not chunk:
                break
            window = tail + chunk
            for match in _MERGE_RANGE.finditer(window):
                found.setdefault(
                    match.group(0),
                    (f"{match.group(1).decode()}{int(match.group(2))}", int(match.group(2)), int(match.group(3))),
                )
            tail = window[-4096:]
    return list(found.values())


def _refuse_merges_below_titles(rows: list[tuple[int, tuple]], merges: list[tuple[str, int, int]]) -> None:
    """A title merged across the columns above the header row is what schools' files have, and harmless; a
    merge in the header or the data hides values (only its first cell holds one), so the file is refused."""
    try:
        header_row = rows[_find_header(rows)[0]][0]
    except RosterFileError:
        header_row = 0  # no header found: every merge counts
    for cell, _first, last in merges:
        if last >= header_row:
            raise file_error(
                "merged_cells",
                N_("The sheet has merged cells (first at %(cell)s). Unmerge all cells and try again."),
                cell=cell,
            )


def read_table(
    data: bytes, filename: str | None = None, max_bytes: int = MAX_ROSTER_BYTES, size: int | None = None
) -> tuple[list[tuple[int, tuple]], str, str | None]:
    """The raw rows of the first sheet: [(spreadsheet row number, cell values)], plus format and encoding.
    Raises RosterFileError for files that are empty, too large, or not spreadsheets. ``size`` is the whole
    upload's size when the caller read only the first max_bytes + 1 bytes of it."""
    size = max(size or 0, len(data))
    if size > max_bytes:
        raise file_error(
            "too_large",
            N_("The file is too large (%(size)s MB); the limit is %(limit)s MB."),
            size=round(size / 1048576, 1),
            limit=round(max_bytes / 1048576),
        )
    if not data or not data.strip():
        raise file_error("empty", N_("The file is empty."))
    kind = _sniff_format(data, filename)
    if kind == "zip":
        return _read_xlsx(data), "xlsx", None
    if kind == "ole":
        raise file_error(
            "xls", N_("Old .xls workbooks are not supported. Open the file in Excel or WPS and save it as .xlsx.")
        )
    if kind == "pdf":
        raise file_error("not_spreadsheet", N_("This file is not a spreadsheet. Upload an .xlsx or .csv file."))
    if _looks_binary(data):
        raise file_error("not_spreadsheet", N_("This file is not a spreadsheet. Upload an .xlsx or .csv file."))
    rows, encoding = _read_csv(data)
    return rows, "csv", encoding


def _looks_binary(data: bytes) -> bool:
    """Text files (any encoding we read) have almost no control characters; images, archives and random
    bytes have many. UTF-16 files (with a BOM) contain NULs by design."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    head = data[:4096]
    controls = sum(1 for b in head if b < 9 or 13 < b < 32 or b == 127)
    return controls > max(2, len(head) // 100)


def _is_blank(values: Iterable) -> bool:
    return all(v is None or (isinstance(v, str) and not normalise_text(v)) for v in values)


def _find_header(rows: list[tuple[int, tuple]]) -> tuple[int, dict[str, int], dict[str, str]]:
    """Index into rows of the header row, canonical field -> column index, and field -> header text."""
    from core.spreadsheets import find_header_row

    found = find_header_row(
        rows, lambda value: HEADER_LOOKUP.get(normalise_header(value)), required="name", search_rows=HEADER_SEARCH_ROWS
    )
    if found is None:
        raise file_error(
            "missing_name_column",
            N_("No 姓名 (name) column was found in the first rows. The header row must contain 姓名."),
        )
    position, mapping, duplicates = found
    if duplicates:
        raise file_error(
            "duplicate_column",
            N_("The column %(header)s appears twice in the header row."),
            header=normalise_text(duplicates[0]),
        )
    values = rows[position][1]
    return position, mapping, {name: normalise_text(values[index]) for name, index in mapping.items()}


def parse_roster(
    data: bytes,
    filename: str | None = None,
    *,
    today: date | None = None,
    max_bytes: int = MAX_ROSTER_BYTES,
    max_rows: int = MAX_ROSTER_ROWS,
    size: int | None = None,
) -> RosterResult:
    """Read and validate a roster file. All rows or all errors: any error leaves ``rows`` empty. ``size``: the
    upload's full size when only its first max_bytes + 1 bytes were read (for the "too large" message)."""
    today = today or local_today()
    try:
        raw_rows, file_format, encoding = read_table(data, filename, max_bytes=max_bytes, size=size)
        position, mapping, headers = _find_header(raw_rows)
    except RosterFileError as exc:
        return RosterResult(errors=[exc.error])
    body = [(n, v) for n, v in raw_rows[position + 1 :] if not _is_blank(v)]
    result = RosterResult(columns=frozenset(mapping), file_format=file_format, encoding=encoding)
    if not body:
        result.errors.append(RosterError(code="no_rows", message=MESSAGES["no_rows"]))
        return result
    if len(body) > max_rows:
        result.errors.append(
            RosterError(
                code="too_many_rows", message=MESSAGES["too_many_rows"], params={"count": len(body), "limit": max_rows}
            )
        )
        return result

    checker = RowChecker(mapping, headers, today)
    rows: list[RosterRow] = []
    seen_ids: dict[str, int] = {}
    seen_people: dict[tuple[str, date], list[RosterRow]] = {}
    for number, values in body:
        row = checker.check(number, values)
        if row is None:
            continue
        if row.id_number:
            other = seen_ids.setdefault(row.id_number, number)
            if other != number:
                checker.error(number, "id_number", "duplicate_id_number", row.id_number, other_row=other)
                continue
        # Same name and birth date is the same student unless something tells the two apart: different ID
        # numbers (twins), a different gender, or a different class. Namesakes are rare but real; the
        # preview says which ones were taken as two students and why.
        others = seen_people.setdefault((row.name, row.birth_date), [])
        same = next((other for other in others if not namesake_difference(other, row)), None)
        if same is not None:
            checker.error(number, "name", "duplicate_student", row.name, other_row=same.row)
            continue
        for other in others:
            result.notes.append(
                RosterError(
                    code="namesake",
                    message=MESSAGES["namesake"],
                    row=number,
                    params={
                        "value": row.name,
                        "row": number,
                        "other_row": other.row,
                        "by": namesake_difference(other, row),
                    },
                )
            )
        others.append(row)
        rows.append(row)
    if checker.errors:
        result.errors = checker.errors
        return result
    result.rows = rows
    return result
