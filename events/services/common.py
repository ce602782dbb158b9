"""What the events services share: the clock argument, the period check, iCalendar sequence bumps, token
hashes, local times for messages and the personal-data choice."""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask_babel import lazy_gettext as _l

from core.db import utcnow
from core.errors import DomainError
from events.models import PersonalData

MAX_HEAD_COUNT = 500


def _now(now: datetime | None) -> datetime:
    return now if now is not None else utcnow()


def bump_sequence(obj) -> None:
    """iCalendar SEQUENCE goes up on every change a calendar client should notice."""
    obj.sequence = (obj.sequence or 0) + 1


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_period(start: datetime | None, end: datetime | None, field: str = "starts_at") -> None:
    if start is None or end is None:
        raise DomainError(_l("Give a start and an end time."), field=field)
    if end <= start:
        raise DomainError(_l("The end must be after the start."), field=field.replace("start", "end"))


def _personal_data(value: str | None) -> str:
    if (value or "") not in set(PersonalData):
        raise DomainError(_l("Unknown choice."), field="personal_data")
    return value or PersonalData.NONE


def _local(moment: datetime | None) -> str:
    """`yyyy-MM-dd HH:mm` in the user's time zone."""
    from flask_babel import get_timezone

    if moment is None:
        return ""
    return moment.astimezone(get_timezone()).strftime("%Y-%m-%d %H:%M")
