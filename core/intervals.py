"""Time intervals: the one overlap rule every schedule shares (caravan bookings, presentation slots).

Pure Python, no Flask or database.
"""

from __future__ import annotations

from datetime import datetime


def intervals_overlap(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> bool:
    """Half-open intervals overlap when each starts before the other ends; touching ends don't overlap."""
    return a[0] < b[1] and b[0] < a[1]
