"""Chinese resident identity numbers (GB 11643-1999): checksum, embedded birth date and gender
(masking: core.privacy).

Pure functions, no Flask. The 18th character is a checksum over the first 17 digits (ISO 7064 MOD 11-2);
digits 7-14 are the birth date (YYYYMMDD) and digit 17 is odd for men and even for women.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


def check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: date
    gender: str  # '男' or '女'


class IdNumberError(ValueError):
    """Raised with a machine-readable ``code``: id_length, id_format, id_checksum, id_birth_date."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def normalise_id_number(value: str) -> str:
    """Upper-case the X and drop spaces; does not validate."""
    return "".join(value.split()).upper()


def parse_id_number(value: str) -> IdInfo:
    """Validate an 18-character ID number and return its birth date and gender, or raise IdNumberError."""
    number = normalise_id_number(value)
    if len(number) != 18:
        raise IdNumberError("id_length")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X") or not number.isascii():
        raise IdNumberError("id_format")
    if check_char(number[:17]) != number[17]:
        raise IdNumberError("id_checksum")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError("id_birth_date") from None
    gender = "男" if int(number[16]) % 2 == 1 else "女"
    return IdInfo(number=number, birth_date=born, gender=gender)


def make_id_number(region: str, born: date, sequence: int, gender: str) -> str:
    """Build a valid ID number (demo data and tests): 6-digit region, birth date, 3-digit sequence whose
    parity follows the gender, and the checksum."""
    seq = sequence % 1000
    if (seq % 2 == 1) != (gender == "男"):
        seq = (seq + 1) % 1000
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)
