"""iCalendar (RFC 5545) feeds for caravans, venues and events.

Each calendar item has a UID that never changes for the thing it describes (derived from its kind and row
id and the site's host, never from its title or time), and a SEQUENCE the model bumps on every change, so a
calendar client updates the entry it already has instead of adding a second one. Cancelled items stay in
the feed with STATUS:CANCELLED, which tells clients to strike them.

Times are written in UTC ("...Z"); X-WR-TIMEZONE tells clients the calendar's home timezone. The `icalendar`
library builds the feed: it escapes TEXT values and folds lines at 75 octets without splitting a UTF-8
character (Chinese titles are 3 octets per character).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from icalendar import Event as VEvent

# icalendar (~0.05 s to import) is imported by the functions that build a feed, not by every process that
# registers the calendar routes (decision 0010).

CONFIRMED = "CONFIRMED"
TENTATIVE = "TENTATIVE"
CANCELLED = "CANCELLED"
STATUSES = (CONFIRMED, TENTATIVE, CANCELLED)

PRODID = "-//Kechuang//Events//ZH"
MAX_OCTETS = 75  # RFC 5545 line length, kept by icalendar's folding


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
    """RFC 5545 TEXT escaping: backslash, semicolon, comma and newlines (icalendar's vText)."""
    from icalendar import vText

    return vText(value).to_ical().decode("utf-8")


def format_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold_line(line: str) -> str:
    """Split a content line into chunks of at most 75 octets, continuation lines starting with a space
    (icalendar's folding, which never splits a UTF-8 character)."""
    from icalendar.parser import Contentline

    return Contentline(line).to_ical().decode("utf-8")


def _event(item: CalendarItem, stamp: datetime) -> VEvent:
    from icalendar import Event as VEvent

    event = VEvent()
    event.add("uid", item.uid)
    event.add("sequence", item.sequence)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", item.start.astimezone(UTC))
    event.add("dtend", item.end.astimezone(UTC))
    event.add("summary", item.summary)
    event.add("status", item.status)
    if item.last_modified is not None:
        event.add("last-modified", item.last_modified.astimezone(UTC))
    if item.description:
        event.add("description", item.description)
    if item.location:
        event.add("location", item.location)
    if item.url:
        event.add("url", item.url)
    if item.categories:
        event.add("categories", list(item.categories))
    return event


def render_calendar(
    items: Iterable[CalendarItem],
    name: str,
    generated_at: datetime,
    timezone_name: str = "Asia/Shanghai",
) -> bytes:
    """A complete VCALENDAR (UTF-8, CRLF line ends) with one VEVENT per item, ordered by start then UID."""
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", timezone_name)
    for item in sorted(items, key=lambda i: (i.start, i.uid)):
        calendar.add_component(_event(item, generated_at))
    return calendar.to_ical()
