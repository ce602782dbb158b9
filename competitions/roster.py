"""Student roster files as schools have them: .xlsx or .csv in, validated rows or a list of errors out.

Pure Python (openpyxl, csv), needs no app or request. ``parse_roster(data, filename)`` returns a ``RosterResult`` that holds
either every row, normalised, or the errors (by spreadsheet row number and column) — never a partial list,
because an import is all-or-nothing.

Messages are English msgids marked with ``N_`` (core.i18n) so Babel extracts them; the caller translates with
``gettext(error.message) % error.params`` (see ``RosterError.render``).
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from competitions.eligibility import stage_of_grade
from competitions.idcard import IdNumberError, parse_id_number
from core.i18n import N_

MAX_ROSTER_BYTES = 10 * 1024 * 1024
MAX_ROSTER_ROWS = 20000
HEADER_SEARCH_ROWS = 10  # a title row or two above the header is common

# canonical field -> accepted header spellings (compared after normalise_header)
FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "学生姓名", "name", "student_name"),
    "gender": ("性别", "gender", "sex"),
    "birth_date": ("出生日期", "出生年月日", "生日", "birth_date", "birthdate", "date_of_birth", "birthday"),
    "grade": ("年级", "grade"),
    "class_name": ("班级", "class", "class_name"),
    "id_number": ("身份证号", "身份证号码", "身份证", "id_number", "id_no", "id"),
    "guardian_phone": ("监护人电话", "监护人手机", "家长电话", "家长手机", "联系电话", "guardian_phone", "phone"),
}
REQUIRED_FIELDS = ("name", "gender", "birth_date", "grade")
# The header the downloadable template uses, and the order of export columns.
TEMPLATE_HEADERS = ("姓名", "性别", "出生日期", "年级", "班级", "身份证号", "监护人电话")
TEMPLATE_FIELDS = ("name", "gender", "birth_date", "grade", "class_name", "id_number", "guardian_phone")
FIELD_LABELS = dict(zip(TEMPLATE_FIELDS, TEMPLATE_HEADERS, strict=True))

GRADE_WORDS = {
    "一年级": 1, "二年级": 2, "三年级": 3, "四年级": 4, "五年级": 5, "六年级": 6,
    "七年级": 7, "八年级": 8, "九年级": 9,
    "初一": 7, "初二": 8, "初三": 9, "初中一年级": 7, "初中二年级": 8, "初中三年级": 9,
    "高一": 10, "高二": 11, "高三": 12, "高中一年级": 10, "高中二年级": 11, "高中三年级": 12,
}
GRADE_LABELS = {1: "一年级", 2: "二年级", 3: "三年级", 4: "四年级", 5: "五年级", 6: "六年级",
                7: "初一", 8: "初二", 9: "初三", 10: "高一", 11: "高二", 12: "高三"}
_DIGITS_CN = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
              "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7, "8": 8, "9": 9}

_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_DATETIME_TAIL = re.compile(r"[ T]0?0:00(:00)?(\.0+)?$")
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_MERGE_TAG = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*ref=\"([A-Z]+\d+):")
EXCEL_EPOCH = date(1899, 12, 30)


@dataclass(frozen=True)
class RosterRow:
    """One student as read from the file, normalised. ``row`` is the spreadsheet row number."""

    row: int
    name: str
    gender: str
    birth_date: date
    grade: int
    class_name: str | None = None
    id_number: str | None = None
    guardian_phone: str | None = None


@dataclass(frozen=True)
class RosterError:
    """A problem, by spreadsheet row number and column (both None for a file-level problem)."""

    code: str
    message: str
    params: dict = field(default_factory=dict)
    row: int | None = None
    column: str | None = None  # the column letter, e.g. "C"
    header: str | None = None  # the header text as the file has it, e.g. "出生日期"

    def render(self, gettext: Callable[[str], str] = lambda s: s) -> str:
        """The message in the caller's language with its parameters filled in."""
        return gettext(self.message) % self.params


@dataclass
class RosterResult:
    """Either ``rows`` (and no errors) or ``errors`` (and no rows)."""

    rows: list[RosterRow] = field(default_factory=list)
    errors: list[RosterError] = field(default_factory=list)
    columns: frozenset[str] = frozenset()  # canonical fields present in the file (re-import keeps the others)
    file_format: str | None = None  # 'xlsx' or 'csv'
    encoding: str | None = None  # for csv
    notes: list[RosterError] = field(default_factory=list)  # accepted, but worth a look (namesakes told apart)

    @property
    def ok(self) -> bool:
        return not self.errors


class RosterFileError(Exception):
    """A file-level problem; carries one RosterError."""

    def __init__(self, error: RosterError):
        super().__init__(error.code)
        self.error = error


def _file_error(code: str, message: str, **params: Any) -> RosterFileError:
    return RosterFileError(RosterError(code=code, message=message, params=params))


# ---------------------------------------------------------------- helpers

def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def normalise_text(value: Any) -> str:
    """NFKC (full-width letters, digits and spaces become ASCII), trimmed; None -> ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    return text.replace("\u200b", "").replace("\ufeff", "").strip()


def normalise_header(value: Any) -> str:
    text = normalise_text(value).lower()
    text = re.sub(r"\(.*?\)|\[.*?\]|【.*?】", "", text)  # 出生日期（必填）, 身份证号(选填)
    text = re.sub(r"[\s*＊:：()（）]", "", text)
    return text.replace("-", "_")


_HEADER_LOOKUP = {normalise_header(alias): name for name, aliases in FIELDS.items() for alias in aliases}


def normalise_name(value: Any) -> str:
    """Trim, NFKC, drop spaces between Chinese characters, collapse other runs of spaces; 䶮 and 𠮷 stay."""
    text = normalise_text(value)
    text = _SPACE_BETWEEN_CJK.sub("", text)
    text = re.sub(r"\s+", " ", text)
    return text.replace("•", "·").replace("・", "·")


def excel_serial_to_date(serial: float) -> date:
    """Excel's 1900 date system (with its fictitious 1900-02-29: serials from 61 on count from 1899-12-30)."""
    days = int(serial)
    if days < 1:
        raise ValueError("serial")
    if days < 61:
        return date(1899, 12, 31) + timedelta(days=days)
    return EXCEL_EPOCH + timedelta(days=days)


def parse_date(value: Any) -> date:
    """Accept a real Excel date, an Excel serial number, or 2012-03-05 / 2012/3/5 / 2012年3月5日 / 2012.03.05 /
    20120305. Raises ValueError('date_format') or ValueError('date_impossible')."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # serials for 1954..2119
            return excel_serial_to_date(value)
        value = str(int(value)) if float(value).is_integer() else str(value)
    text = normalise_text(value)
    text = _DATETIME_TAIL.sub("", text).replace(" ", "")
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return date(year, month, day)
            except ValueError:
                raise ValueError("date_impossible") from None
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        serial = int(float(text))
        if 20000 <= serial <= 80000:
            return excel_serial_to_date(serial)
    raise ValueError("date_format")


def parse_grade(value: Any) -> int:
    """一年级…六年级, 七年级…九年级, 初一…初三, 高一…高三, 小学三年级, or a number 1-12 (also '3年级')."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 1 <= int(value) <= 12:
            return int(value)
        raise ValueError("grade")
    text = normalise_text(value).replace(" ", "")
    if text.startswith("小学"):
        text = text[2:]
    if text in GRADE_WORDS:
        return GRADE_WORDS[text]
    match = re.fullmatch(r"(\d{1,2})(年级)?", text)
    if match and 1 <= int(match.group(1)) <= 12:
        return int(match.group(1))
    match = re.fullmatch(r"([一二三四五六七八九])年级", text)
    if match:
        return _DIGITS_CN[match.group(1)]
    match = re.fullmatch(r"([初高])([1-3])", text)
    if match:
        return (6 if match.group(1) == "初" else 9) + int(match.group(2))
    raise ValueError("grade")


def grade_label(grade: int | None) -> str:
    return GRADE_LABELS.get(grade or 0, "")


def parse_gender(value: Any) -> str:
    text = normalise_text(value)
    if text in ("男", "女"):
        return text
    raise ValueError("gender")


def parse_phone(value: Any) -> str:
    """A roster's phone cell through the one phone rule (core.phones); ValueError when it is not one."""
    from core.phones import parse_mobile

    return parse_mobile(value)


def parse_class(value: Any) -> str | None:
    text = normalise_text(value)
    return text or None


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
        raise _file_error("encoding", N_("The file's text encoding could not be recognised. Save it as UTF-8 or as CSV from Excel.")) from None


def _read_csv(data: bytes) -> tuple[list[tuple[int, tuple]], str]:
    text, encoding = decode_csv_bytes(data)
    if "\x00" in text:
        raise _file_error("not_spreadsheet", N_("This file is not a spreadsheet. Upload an .xlsx or .csv file."))
    sample = text[:4096]
    first_line = sample.splitlines()[0] if sample.splitlines() else ""
    delimiter = max((",", "\t", ";", "，"), key=first_line.count) if first_line else ","
    if first_line.count(delimiter) == 0:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [(number, tuple(cells)) for number, cells in enumerate(reader, start=1)]
    except csv.Error:
        raise _file_error("not_spreadsheet", N_("This file is not a spreadsheet. Upload an .xlsx or .csv file.")) from None
    return rows, encoding


def _read_xlsx(data: bytes) -> list[tuple[int, tuple]]:
    from core.spreadsheets import SpreadsheetRefused, open_xlsx

    try:
        book = open_xlsx(data)  # checks the archive's directory (sizes, ratios) before inflating anything
    except SpreadsheetRefused as exc:
        raise _file_error(exc.code, exc.message, **exc.params) from None
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
        raise _file_error(exc.code, exc.message, **exc.params) from None
    merges = _merge_ranges(book) if found["merge"] else []
    has_formula = found["formula"] is not None
    rows: list[tuple[int, tuple]] = []
    try:
        if has_formula:
            for cells in sheet.iter_rows():
                for cell in cells:
                    if getattr(cell, "data_type", None) == "f":
                        raise _file_error("formulas", N_("The sheet contains formulas (first at %(cell)s). Paste the values only (Paste Special → Values) and try again."), cell=cell.coordinate)
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=sheet.min_row or 1):
            rows.append((number, values))
            if len(rows) > MAX_ROSTER_ROWS + HEADER_SEARCH_ROWS + 1000:
                break
    except RosterFileError:
        raise
    except Exception:
        raise _file_error("not_spreadsheet", N_("The spreadsheet could not be read; it may be damaged. Open it in Excel and save it again as .xlsx.")) from None
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
                found.setdefault(match.group(0), (f"{match.group(1).decode()}{int(match.group(2))}",
                                                  int(match.group(2)), int(match.group(3))))
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
            raise _file_error("merged_cells", N_("The sheet has merged cells (first at %(cell)s). Unmerge all cells and try again."), cell=cell)


def read_table(data: bytes, filename: str | None = None, max_bytes: int = MAX_ROSTER_BYTES,
               size: int | None = None) -> tuple[list[tuple[int, tuple]], str, str | None]:
    """The raw rows of the first sheet: [(spreadsheet row number, cell values)], plus format and encoding.
    Raises RosterFileError for files that are empty, too large, or not spreadsheets. ``size`` is the whole
    upload's size when the caller read only the first max_bytes + 1 bytes of it."""
    size = max(size or 0, len(data))
    if size > max_bytes:
        raise _file_error("too_large", N_("The file is too large (%(size)s MB); the limit is %(limit)s MB."),
                          size=round(size / 1048576, 1), limit=round(max_bytes / 1048576))
    if not data or not data.strip():
        raise _file_error("empty", N_("The file is empty."))
    kind = _sniff_format(data, filename)
    if kind == "zip":
        return _read_xlsx(data), "xlsx", None
    if kind == "ole":
        raise _file_error("xls", N_("Old .xls workbooks are not supported. Open the file in Excel or WPS and save it as .xlsx."))
    if kind == "pdf":
        raise _file_error("not_spreadsheet", N_("This file is not a spreadsheet. Upload an .xlsx or .csv file."))
    if _looks_binary(data):
        raise _file_error("not_spreadsheet", N_("This file is not a spreadsheet. Upload an .xlsx or .csv file."))
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

    found = find_header_row(rows, lambda value: _HEADER_LOOKUP.get(normalise_header(value)), required="name",
                            search_rows=HEADER_SEARCH_ROWS)
    if found is None:
        raise _file_error("missing_name_column", N_("No 姓名 (name) column was found in the first rows. The header row must contain 姓名."))
    position, mapping, duplicates = found
    if duplicates:
        raise _file_error("duplicate_column", N_("The column %(header)s appears twice in the header row."), header=normalise_text(duplicates[0]))
    values = rows[position][1]
    return position, mapping, {name: normalise_text(values[index]) for name, index in mapping.items()}


# ---------------------------------------------------------------- validation

MESSAGES = {
    "required": N_("%(header)s is required."),
    "date_format": N_("%(header)s: “%(value)s” is not a date; write it as 2012-03-05."),
    "date_impossible": N_("%(header)s: “%(value)s” is not a real date."),
    "date_future": N_("%(header)s: %(value)s is in the future."),
    "date_too_old": N_("%(header)s: %(value)s is too far in the past for a student."),
    "gender": N_("%(header)s must be 男 or 女, not “%(value)s”."),
    "grade": N_("%(header)s: “%(value)s” is not a grade; use 一年级…六年级, 初一…初三, 高一…高三 or 1-12."),
    "phone": N_("%(header)s: “%(value)s” is not an 11-digit mobile number."),
    "id_number_as_number": N_("%(header)s was stored as a number and Excel dropped its last digits; format the column as text and type the ID numbers again."),
    "id_length": N_("%(header)s: “%(value)s” must have 18 characters."),
    "id_format": N_("%(header)s: “%(value)s” must be 17 digits followed by a digit or X."),
    "id_checksum": N_("%(header)s: “%(value)s” fails the check digit (GB 11643); it has a typing error."),
    "id_birth_date": N_("%(header)s: “%(value)s” contains an impossible birth date."),
    "id_birth_mismatch": N_("%(header)s: the ID number says born %(id_date)s but 出生日期 is %(birth_date)s."),
    "id_gender_mismatch": N_("%(header)s: the ID number belongs to a %(id_gender)s student but 性别 is %(gender)s."),
    "name_too_long": N_("%(header)s is longer than %(limit)s characters."),
    "duplicate_id_number": N_("%(header)s: the ID number is also on row %(other_row)s."),
    "duplicate_student": N_("%(header)s: %(value)s with the same birth date is also on row %(other_row)s, and nothing "
                            "(gender, class or ID number) tells the two apart."),
    "namesake": N_("%(value)s on rows %(other_row)s and %(row)s share a name and birth date; taken as two students "
                   "because their %(by)s differ."),
    "grade_not_taught": N_("%(header)s: %(value)s is not taught at this school (%(stages)s)."),
    "age_for_grade": N_("%(header)s: born %(birth_date)s, the student is %(age)s on 1 September — unusual for %(value)s."),
    "too_many_rows": N_("The file has %(count)s students; at most %(limit)s can be imported at once."),
    "no_rows": N_("The file has a header row but no students."),
}


class RowChecker:
    """Validates and normalises one row at a time (roster files, and the single-student form), collecting
    errors by row and column."""
    def __init__(self, mapping: dict[str, int], headers: dict[str, str], today: date):
        self.mapping = mapping
        self.headers = headers
        self.today = today
        self.errors: list[RosterError] = []

    def error(self, row: int, field_name: str, code: str, value: Any = "", **params: Any) -> None:
        header = self.headers.get(field_name, FIELD_LABELS.get(field_name, field_name))
        index = self.mapping.get(field_name)
        params = {"header": header, "value": normalise_text(value) if not isinstance(value, (date, datetime)) else value.isoformat(), **params}
        self.errors.append(RosterError(code=code, message=MESSAGES[code], params=params, row=row,
                                       column=column_letter(index) if index is not None else None, header=header))

    def cell(self, values: tuple, field_name: str) -> Any:
        index = self.mapping.get(field_name)
        if index is None or index >= len(values):
            return None
        value = values[index]
        if isinstance(value, str) and not normalise_text(value):
            return None
        return value

    def check(self, number: int, values: tuple) -> RosterRow | None:
        before = len(self.errors)
        for required in REQUIRED_FIELDS:
            if required in self.mapping and self.cell(values, required) is None:
                self.error(number, required, "required")
        for missing in REQUIRED_FIELDS:
            if missing not in self.mapping:
                self.error(number, missing, "required")
        name = normalise_name(self.cell(values, "name"))
        if len(name) > 50:
            self.error(number, "name", "name_too_long", name, limit=50)

        gender = None
        raw = self.cell(values, "gender")
        if raw is not None:
            try:
                gender = parse_gender(raw)
            except ValueError:
                self.error(number, "gender", "gender", raw)

        birth = None
        raw = self.cell(values, "birth_date")
        if raw is not None:
            try:
                birth = parse_date(raw)
            except ValueError as exc:
                self.error(number, "birth_date", str(exc), raw)
            else:
                if birth > self.today:
                    self.error(number, "birth_date", "date_future", birth)
                    birth = None
                elif birth.year < self.today.year - 30:
                    self.error(number, "birth_date", "date_too_old", birth)
                    birth = None

        grade = None
        raw = self.cell(values, "grade")
        if raw is not None:
            try:
                grade = parse_grade(raw)
            except ValueError:
                self.error(number, "grade", "grade", raw)

        phone = None
        raw = self.cell(values, "guardian_phone")
        if raw is not None:
            try:
                phone = parse_phone(raw)
            except ValueError:
                self.error(number, "guardian_phone", "phone", raw)

        id_number = None
        raw = self.cell(values, "id_number")
        if raw is not None:
            if isinstance(raw, (int, float)) and not isinstance(raw, bool) and len(str(int(raw))) > 15:
                self.error(number, "id_number", "id_number_as_number", raw)
            else:
                text = normalise_text(raw)
                try:
                    info = parse_id_number(text)
                except IdNumberError as exc:
                    self.error(number, "id_number", exc.code, text)
                else:
                    id_number = info.number
                    if birth is not None and info.birth_date != birth:
                        self.error(number, "id_number", "id_birth_mismatch", text,
                                   id_date=info.birth_date.isoformat(), birth_date=birth.isoformat())
                    if gender is not None and info.gender != gender:
                        self.error(number, "id_number", "id_gender_mismatch", text, id_gender=info.gender, gender=gender)

        if len(self.errors) != before:
            return None
        return RosterRow(row=number, name=name, gender=gender, birth_date=birth, grade=grade,
                         class_name=parse_class(self.cell(values, "class_name")), id_number=id_number,
                         guardian_phone=phone)


def roster_to_json(result: RosterResult) -> bytes:
    """A validated roster as JSON: kept between preview and confirmation, so the file is parsed once."""
    import json

    if not result.ok:
        raise ValueError("keep only a valid roster")
    rows = [{**r.__dict__, "birth_date": r.birth_date.isoformat()} for r in result.rows]
    return json.dumps({"rows": rows, "columns": sorted(result.columns), "file_format": result.file_format,
                       "encoding": result.encoding}, ensure_ascii=False).encode()


def roster_from_json(data: bytes) -> RosterResult:
    """The RosterResult roster_to_json kept (ValueError if the data is not one)."""
    import json

    try:
        kept = json.loads(data)
        rows = [RosterRow(**{**r, "birth_date": date.fromisoformat(r["birth_date"])}) for r in kept["rows"]]
        return RosterResult(rows=rows, columns=frozenset(kept["columns"]), file_format=kept["file_format"],
                            encoding=kept["encoding"])
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError("not a kept roster") from exc


NAMESAKE_DIFFERENCES = {"id_number": N_("ID numbers"), "gender": N_("genders"), "class_name": N_("classes")}


def namesake_difference(a: RosterRow, b: RosterRow) -> str | None:
    """What tells apart two students of one name and birth date (a key of NAMESAKE_DIFFERENCES), or None
    when nothing does and they are one student written twice. A blank cell tells nothing."""
    if a.id_number and b.id_number and a.id_number != b.id_number:
        return "id_number"
    if a.gender and b.gender and a.gender != b.gender:
        return "gender"
    if a.class_name and b.class_name and a.class_name != b.class_name:
        return "class_name"
    return None


# Age on 1 September of the school year, by grade: 一年级 starts at 6. A year either side is common (early or
# late entry, a repeated year); beyond that a typing slip in the grade or the birth date is likelier.
SCHOOL_ENTRY_AGE = 6
AGE_SLACK = 2


def school_year_start(today: date) -> date:
    return date(today.year if today.month >= 9 else today.year - 1, 9, 1)


def plausibility_warnings(rows: Iterable[RosterRow], today: date, stages: Iterable[str] | None = None,
                          headers: dict[str, str] | None = None) -> list[RosterError]:
    """Warnings, not errors, for rows that are valid but unlikely: a grade the school does not teach (高二 in a
    primary school; ``stages`` are the ones it teaches, None when unknown), or an age far from the grade's
    (a child born 2023 in 三年级). The import goes ahead; the preview lists them so a slip is caught."""
    headers = {**FIELD_LABELS, **(headers or {})}
    stages = set(stages) if stages else None
    start = school_year_start(today)
    out = []
    for row in rows:
        label = grade_label(row.grade)
        if stages is not None and stage_of_grade(row.grade) not in stages:
            out.append(RosterError(code="grade_not_taught", message=MESSAGES["grade_not_taught"], row=row.row,
                                   header=headers["grade"], params={"header": headers["grade"], "value": label,
                                                                    "stages": ", ".join(sorted(stages, key=STAGE_ORDER.index))}))
        age = start.year - row.birth_date.year - ((start.month, start.day) < (row.birth_date.month, row.birth_date.day))
        expected = SCHOOL_ENTRY_AGE + row.grade - 1
        if abs(age - expected) > AGE_SLACK:
            out.append(RosterError(code="age_for_grade", message=MESSAGES["age_for_grade"], row=row.row,
                                   header=headers["birth_date"],
                                   params={"header": headers["birth_date"], "value": label, "age": age,
                                           "birth_date": row.birth_date.isoformat()}))
    return out


STAGE_ORDER = ["primary", "junior", "senior"]


def parse_roster(data: bytes, filename: str | None = None, *, today: date | None = None,
                 max_bytes: int = MAX_ROSTER_BYTES, max_rows: int = MAX_ROSTER_ROWS, size: int | None = None) -> RosterResult:
    """Read and validate a roster file. All rows or all errors: any error leaves ``rows`` empty. ``size``: the
    upload's full size when only its first max_bytes + 1 bytes were read (for the "too large" message)."""
    today = today or date.today()
    try:
        raw_rows, file_format, encoding = read_table(data, filename, max_bytes=max_bytes, size=size)
        position, mapping, headers = _find_header(raw_rows)
    except RosterFileError as exc:
        return RosterResult(errors=[exc.error])
    body = [(n, v) for n, v in raw_rows[position + 1:] if not _is_blank(v)]
    result = RosterResult(columns=frozenset(mapping), file_format=file_format, encoding=encoding)
    if not body:
        result.errors.append(RosterError(code="no_rows", message=MESSAGES["no_rows"]))
        return result
    if len(body) > max_rows:
        result.errors.append(RosterError(code="too_many_rows", message=MESSAGES["too_many_rows"],
                                         params={"count": len(body), "limit": max_rows}))
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
            result.notes.append(RosterError(code="namesake", message=MESSAGES["namesake"], row=number,
                                            params={"value": row.name, "row": number, "other_row": other.row,
                                                    "by": namesake_difference(other, row)}))
        others.append(row)
        rows.append(row)
    if checker.errors:
        result.errors = checker.errors
        return result
    result.rows = rows
    return result


# ---------------------------------------------------------------- writing

def roster_row_values(row: RosterRow | dict) -> list[Any]:
    """The template column values for one student (export and round trip)."""
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
    return [get("name"), get("gender"), get("birth_date"), grade_label(get("grade")),
            get("class_name") or "", get("id_number") or "", get("guardian_phone") or ""]


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
