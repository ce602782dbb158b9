"""Calendar periods of the reports in China time (Asia/Shanghai): plain Python, no Flask."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[start, end) of a calendar year in China time, as aware UTC datetimes."""
    start = datetime(year, 1, 1, tzinfo=CHINA).astimezone(UTC)
    return start, datetime(year + 1, 1, 1, tzinfo=CHINA).astimezone(UTC)


def month_bounds(now: datetime) -> tuple[datetime, datetime]:
    """[start, end) of the China-time calendar month that contains now, as aware UTC datetimes."""
    local = now.astimezone(CHINA)
    start = datetime(local.year, local.month, 1, tzinfo=CHINA)
    end = datetime(local.year + (local.month == 12), local.month % 12 + 1, 1, tzinfo=CHINA)
    return start.astimezone(UTC), end.astimezone(UTC)


def local_iso(value: datetime | None) -> str | None:
    """A moment as ISO 8601 in China time, to the minute (open data)."""
    return value.astimezone(CHINA).isoformat(timespec="minutes") if value else None
