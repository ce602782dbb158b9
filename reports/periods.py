"""Calendar periods of the reports in the installation's time zone (core.i18n.installation_zone, China time by
default): where a year and a month begin. No Flask of its own: outside an app the default configuration's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from core.i18n import installation_zone


def zone() -> ZoneInfo:
    """The zone the reports' years and months are counted in."""
    return installation_zone()


def local(value: datetime) -> datetime:
    """An aware moment in the reports' zone (for its year, month or date)."""
    return value.astimezone(zone())


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[start, end) of a calendar year in the installation's zone, as aware UTC datetimes."""
    here = zone()
    start = datetime(year, 1, 1, tzinfo=here).astimezone(UTC)
    return start, datetime(year + 1, 1, 1, tzinfo=here).astimezone(UTC)


def month_bounds(now: datetime) -> tuple[datetime, datetime]:
    """[start, end) of the installation's calendar month that contains now, as aware UTC datetimes."""
    here = zone()
    at = now.astimezone(here)
    start = datetime(at.year, at.month, 1, tzinfo=here)
    end = datetime(at.year + (at.month == 12), at.month % 12 + 1, 1, tzinfo=here)
    return start.astimezone(UTC), end.astimezone(UTC)


def local_iso(value: datetime | None) -> str | None:
    """A moment as ISO 8601 in the installation's zone, to the minute (open data)."""
    return local(value).isoformat(timespec="minutes") if value else None
