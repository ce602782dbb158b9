"""iCalendar (RFC 5545) feeds for caravans, venues and events.

Each calendar item has a UID that never changes for the thing it describes (derived from its kind and row
id and the site's host, never from its title or time), and a SEQUENCE the model bumps on every change, so a
calendar client updates the entry it already has instead of adding a second one. Cancelled items stay in
the feed with STATUS:CANCELLED, which tells clients to strike them.

Times are written in UTC ("...Z"); X-WR-TIMEZONE tells clients the calendar's home timezone. Text is
escaped and lines are folded at 75 octets without splitting a UTF-8 character (Chinese titles are 3 octets
per character).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

CONFIRMED = "CONFIRMED"
TENTATIVE = "TENTATIVE"
CANCELLED = "CANCELLED"
STATUSES = (CONFIRMED, TENTATIVE, CANCELLED)

PRODID = "-//Kechuang//Events//ZH"
MAX_OCTETS = 75


@dataclass(frozen=True)
class CalendarItem:
    uid: str
    sequence: int
    start: datetime
    end: datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    status: str = CONFIRMED
    last_modified: datetime | None = None
    categories: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("calendar times must be timezone-aware")
        if self.end < self.start:
            raise ValueError("a calendar item must not end before it starts")
        if self.sequence < 0:
            raise ValueError("SEQUENCE must not be negative")
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")
        if not self.uid or any(c in self.uid for c in "\r\n"):
            raise ValueError("a UID must be a non-empty single line")


def make_uid(kind: str, key: int | str, host: str) -> str:
    """A UID that stays the same for the life of the object: 'kechuang-<kind>-<key>@<host>'."""
    return f"kechuang-{kind}-{key}@{host}"


def escape_text(value: str) -> str:
    """RFC 5545 TEXT escaping: backslash, semicolon, comma and newlines."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def format_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold_line(line: str) -> str:
    """Split a content line into chunks of at most 75 octets, continuation lines starting with a space."""
    pieces: list[str] = []
    current = ""
    current_octets = 0
    limit = MAX_OCTETS
    for char in line:
        size = len(char.encode("utf-8"))
        if current_octets + size > limit:
            pieces.append(current)
            current, current_octets = "", 0
            limit = MAX_OCTETS - 1  # the leading space counts
        current += char
        current_octets += size
    pieces.append(current)
    return "\r\n ".join(pieces)


def _event_lines(item: CalendarItem, stamp: datetime) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{item.uid}",
        f"SEQUENCE:{item.sequence}",
        f"DTSTAMP:{format_utc(stamp)}",
        f"DTSTART:{format_utc(item.start)}",
        f"DTEND:{format_utc(item.end)}",
        f"SUMMARY:{escape_text(item.summary)}",
        f"STATUS:{item.status}",
    ]
    if item.last_modified is not None:
        lines.append(f"LAST-MODIFIED:{format_utc(item.last_modified)}")
    if item.description:
        lines.append(f"DESCRIPTION:{escape_text(item.description)}")
    if item.location:
        lines.append(f"LOCATION:{escape_text(item.location)}")
    if item.url:
        lines.append(f"URL:{item.url}")
    if item.categories:
        lines.append("CATEGORIES:" + ",".join(escape_text(c) for c in item.categories))
    lines.append("END:VEVENT")
    return lines


def render_calendar(
    items: Iterable[CalendarItem],
    name: str,
    generated_at: datetime,
    timezone_name: str = "Asia/Shanghai",
) -> bytes:
    """A complete VCALENDAR (UTF-8, CRLF line ends) with one VEVENT per item, ordered by start then UID."""
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"X-WR-TIMEZONE:{timezone_name}",
    ]
    for item in sorted(items, key=lambda i: (i.start, i.uid)):
        lines.extend(_event_lines(item, generated_at))
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold_line(line) for line in lines) + "\r\n").encode("utf-8")
