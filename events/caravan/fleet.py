"""The caravan's own resources: caravans (with their crew and private feed token), staff, and blackout days."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core import audit
from core.errors import DomainError
from core.extensions import db
from events.models import (
    Blackout,
    Caravan,
    CaravanStaff,
    CaravanVisit,
)


def save_caravan(caravan: Caravan | None, *, organisation_id: int, crew_ids: Iterable[int] = (), actor=None,
                 **fields) -> Caravan:
    if not (fields.get("name") or (caravan and caravan.name) or "").strip():
        raise DomainError(_l("Give the caravan a name."), field="name")
    created = caravan is None
    if caravan is None:
        caravan = Caravan(organisation_id=organisation_id)
        db.session.add(caravan)
    name_before = caravan.name
    for key, value in fields.items():
        setattr(caravan, key, value.strip() if isinstance(value, str) else value)
    if not created and caravan.name != name_before:  # the visits' calendar items name their caravan
        db.session.execute(sa.update(CaravanVisit).where(CaravanVisit.caravan_id == caravan.id)
                           .values(sequence=CaravanVisit.sequence + 1))
    crew_ids = list(crew_ids)
    caravan.crew = db.session.execute(
        sa.select(CaravanStaff).where(CaravanStaff.id.in_(crew_ids), CaravanStaff.organisation_id == organisation_id)
    ).scalars().all() if crew_ids else []
    db.session.flush()
    audit.record("create" if created else "update", caravan, after={"name": caravan.name,
                                                                    "crew": [s.id for s in caravan.crew]}, actor=actor)
    return caravan


def reset_caravan_feed(caravan: Caravan, actor=None) -> Caravan:
    """Give the caravan's staff calendar feed a new random address; the old one stops answering at once."""
    import secrets

    caravan.feed_token = secrets.token_urlsafe(24)
    db.session.flush()
    audit.record("reset_feed", caravan, actor=actor)
    return caravan


def save_caravan_staff(staff: CaravanStaff | None, *, organisation_id: int, name: str, role: str = "",
                       active: bool = True, actor=None) -> CaravanStaff:
    if not (name or "").strip():
        raise DomainError(_l("Give a name."), field="name")
    if staff is None:
        staff = CaravanStaff(organisation_id=organisation_id)
        db.session.add(staff)
    staff.name, staff.role, staff.active = name.strip(), (role or "").strip(), active
    db.session.flush()
    audit.record("save", staff, object_type="event_caravan_staff", after={"name": staff.name},
                 organisation_id=organisation_id, actor=actor)
    return staff


def add_blackout(*, organisation_id: int, first_day: date, last_day: date, caravan_id: int | None = None,
                 reason: str = "", actor=None) -> Blackout:
    if last_day < first_day:
        raise DomainError(_l("The last day must not be before the first day."), field="last_day")
    blackout = Blackout(organisation_id=organisation_id, first_day=first_day, last_day=last_day,
                        caravan_id=caravan_id, reason=(reason or "").strip())
    db.session.add(blackout)
    db.session.flush()
    audit.record("add_blackout", blackout, object_type="event_caravan_blackout", organisation_id=organisation_id,
                 after={"first_day": first_day, "last_day": last_day, "caravan_id": caravan_id}, actor=actor)
    return blackout


def delete_blackout(blackout: Blackout, actor=None) -> None:
    audit.record("delete_blackout", blackout, object_type="event_caravan_blackout",
                 organisation_id=blackout.organisation_id,
                 before={"first_day": blackout.first_day, "last_day": blackout.last_day}, actor=actor)
    db.session.delete(blackout)
    db.session.flush()
