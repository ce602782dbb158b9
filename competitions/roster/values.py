"""What a roster row holds and how one cell is read: the columns and their spellings, the row, error and result
types, and the parsers of names, dates, grades, genders, phones and classes. Pure Python."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

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
    "一年级": 1,
    "二年级": 2,
    "三年级": 3,
    "四年级": 4,
    "五年级": 5,
    "六年级": 6,
    "七年级": 7,
    "八年级": 8,
    "九年级": 9,
    "初一": 7,
    "初二": 8,
    "初三": 9,
    "初中一年级": 7,
    "初中二年级": 8,
    "初中三年级": 9,
    "高一": 10,
    "高二": 11,
    "高三": 12,
    "高中一年级": 10,
    "高中二年级": 11,
    "高中三年级": 12,
}
GRADE_LABELS = {
    1: "一年级",
    2: "二年级",
    3: "三年级",
    4: "四年级",
    5: "五年级",
    6: "六年级",
    7: "初一",
    8: "初二",
    9: "初三",
    10: "高一",
    11: "高二",
    12: "高三",
}
_DIGITS_CN = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "1": 1,
    "2": 2,
    "3": 3,
    "4": 4,
    "5": 5,
    "6": 6,
    "7": 7,
    "8": 8,
    "9": 9,
}

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


def file_error(code: str, message: str, **params: Any) -> RosterFileError:
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


HEADER_LOOKUP = {normalise_header(alias): name for name, aliases in FIELDS.items() for alias in aliases}


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


# A class name that already names its grade, as many schools write it: "4年级1班", "四年级(1)班", "初二2班", "高一3班".
_CLASS_WITH_GRADE = re.compile(r"^(小学)?(\d{1,2}年级|[一二三四五六七八九]年级|[初高][一二三1-3])")


def grade_and_class(grade: int | None, class_name: str | None) -> str:
    """How lists name a student's class: 四年级1班 — but a class name that already names its grade is shown as
    written ("4年级1班", not "四年级4年级1班")."""
    written = (class_name or "").strip()
    if written and _CLASS_WITH_GRADE.match(normalise_text(written)):
        return written
    return f"{grade_label(grade)}{written}"


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
