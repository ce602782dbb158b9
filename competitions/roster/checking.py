"""Checking one roster row: the messages (English msgids marked with ``N_``, translated by the caller with
``gettext(error.message) % error.params``, see ``RosterError.render``) and the ``RowChecker``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from competitions.idcard import IdNumberError, parse_id_number
from competitions.roster.values import (
    FIELD_LABELS,
    REQUIRED_FIELDS,
    RosterError,
    RosterRow,
    column_letter,
    normalise_name,
    normalise_text,
    parse_class,
    parse_date,
    parse_gender,
    parse_grade,
    parse_phone,
)
from core.i18n import N_

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
    "id_number_as_number": N_(
        "%(header)s was stored as a number and Excel dropped its last digits; format the column as text and type the ID numbers again."
    ),
    "id_length": N_("%(header)s: “%(value)s” must have 18 characters."),
    "id_format": N_("%(header)s: “%(value)s” must be 17 digits followed by a digit or X."),
    "id_checksum": N_("%(header)s: “%(value)s” fails the check digit (GB 11643); it has a typing error."),
    "id_birth_date": N_("%(header)s: “%(value)s” contains an impossible birth date."),
    "id_birth_mismatch": N_("%(header)s: the ID number says born %(id_date)s but 出生日期 is %(birth_date)s."),
    "id_gender_mismatch": N_("%(header)s: the ID number belongs to a %(id_gender)s student but 性别 is %(gender)s."),
    "name_too_long": N_("%(header)s is longer than %(limit)s characters."),
    "duplicate_id_number": N_("%(header)s: the ID number is also on row %(other_row)s."),
    "duplicate_student": N_(
        "%(header)s: %(value)s with the same birth date is also on row %(other_row)s, and nothing "
        "(gender, class or ID number) tells the two apart."
    ),
    "namesake": N_(
        "%(value)s on rows %(other_row)s and %(row)s share a name and birth date; taken as two students "
        "because their %(by)s differ."
    ),
    "grade_not_taught": N_("%(header)s: %(value)s is not taught at this school (%(stages)s)."),
    "age_for_grade": N_(
        "%(header)s: born %(birth_date)s, the student is %(age)s on 1 September — unusual for %(value)s."
    ),
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
        params = {
            "header": header,
            "value": normalise_text(value) if not isinstance(value, (date, datetime)) else value.isoformat(),
            **params,
        }
        self.errors.append(
            RosterError(
                code=code,
                message=MESSAGES[code],
                params=params,
                row=row,
                column=column_letter(index) if index is not None else None,
                header=header,
            )
        )

    def cell(self, values: tuple, field_name: str) -> Any:
        index = self.mapping.get(field_name)
        if index is None or index >= len(values):
            return None
        value = values[index]
        if isinstance(value, str) and not normalise_text(value):
            return None
        return value

    def check(self, number: int, values: tuple) -> RosterRow | None:  # noqa: C901 — one flat pass over the row's fields in
        # the column order a school reads its file in, each field's check a few lines; split, it would scatter the row
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
                        self.error(
                            number,
                            "id_number",
                            "id_birth_mismatch",
                            text,
                            id_date=info.birth_date.isoformat(),
                            birth_date=birth.isoformat(),
                        )
                    if gender is not None and info.gender != gender:
                        self.error(
                            number, "id_number", "id_gender_mismatch", text, id_gender=info.gender, gender=gender
                        )

        if len(self.errors) != before:
            return None
        return RosterRow(
            row=number,
            name=name,
            gender=gender,
            birth_date=birth,
            grade=grade,
            class_name=parse_class(self.cell(values, "class_name")),
            id_number=id_number,
            guardian_phone=phone,
        )
