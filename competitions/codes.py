"""作品编号 (entry codes): ``<year>-<category code>-<sequence>``, e.g. 2024-JQR-0001.

A code is given once, when an entry is first submitted, as the next number within (contest, category), and
never changes or gets reused afterwards: judging, results and certificates all print it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CATEGORY_CODE_RE = re.compile(r"^[A-Z][A-Z0-9]{0,11}$")
_ENTRY_CODE_RE = re.compile(r"^(\d{4})-([A-Z][A-Z0-9]{0,11})-(\d{4,})$")


def normalise_category_code(code: str) -> str:
    """Upper-case and trimmed; raises ValueError unless 1-12 letters/digits starting with a letter."""
    text = (code or "").strip().upper()
    if not CATEGORY_CODE_RE.match(text):
        raise ValueError("category code must be 1-12 letters or digits, starting with a letter")
    return text


def format_entry_code(year: int, category_code: str, sequence: int, width: int = 4) -> str:
    """2024, 'jqr', 1 -> '2024-JQR-0001'. Sequences beyond 9999 simply grow wider."""
    if sequence < 1:
        raise ValueError("sequence starts at 1")
    if not 1000 <= year <= 9999:
        raise ValueError("year must have four digits")
    return f"{year}-{normalise_category_code(category_code)}-{sequence:0{width}d}"


@dataclass(frozen=True)
class EntryCode:
    year: int
    category_code: str
    sequence: int


def parse_entry_code(code: str) -> EntryCode:
    """'2024-JQR-0001' -> EntryCode(2024, 'JQR', 1); ValueError for anything else."""
    match = _ENTRY_CODE_RE.match((code or "").strip().upper())
    if not match:
        raise ValueError("not an entry code")
    return EntryCode(int(match.group(1)), match.group(2), int(match.group(3)))


def next_sequence(existing_codes: list[str], year: int, category_code: str) -> int:
    """One more than the highest sequence already used for this year and category (gaps are not refilled)."""
    category_code = normalise_category_code(category_code)
    highest = 0
    for code in existing_codes:
        try:
            parsed = parse_entry_code(code)
        except ValueError:
            continue
        if parsed.year == year and parsed.category_code == category_code:
            highest = max(highest, parsed.sequence)
    return highest + 1
