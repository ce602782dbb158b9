"""The caravan's own resources: caravans (with their crew and private feed token), staff, and blackout days;
and what the organisers' caravan pages list of them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from accounts.models import Organisation
from core import audit
from core.errors import DomainError
from core.extensions import db
from events.caravan.models import Blackout, Caravan, CaravanStaff, CaravanVisit
from events.models import PENDING_VISIT_STATUSES, VisitStatus


def save_caravan(
    caravan: Caravan | None, *, organisation_id: int, crew_ids: Iterable[int] = (), actor=None, **fields
) -> Caravan:
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
        db.session.execute(
            sa.update(CaravanVisit)
            .where(CaravanVisit.caravan_id == caravan.id)
            .values(sequence=CaravanVisit.sequence + 1)
        )
    crew_ids = list(crew_ids)
    caravan.crew = (
        db.session.execute(
            sa.select(CaravanStaff).where(
                CaravanStaff.id.in_(crew_ids), CaravanStaff.organisation_id == organisation_id
            )
        )
        .scalars()
        .all()
        if crew_ids
        else []
    )
    db.session.flush()
    audit.record(
        "create" if created else "update",
        caravan,
        after={"name": caravan.name, "crew": [s.id for s in caravan.crew]},
        actor=actor,
    )
    return caravan


def reset_caravan_feed(caravan: Caravan, actor=None) -> Caravan:
    """Give the caravan's staff calendar feed a new random address; the old one stops answering at once."""
    import secrets

    caravan.feed_token = secrets.token_urlsafe(24)
    db.session.flush()
    audit.record("reset_feed", caravan, actor=actor)
    return caravan


def save_caravan_staff(
    staff: CaravanStaff | None, *, organisation_id: int, name: str, role: str = "", active: bool = True, actor=None
) -> CaravanStaff:
    if not (name or "").strip():
        raise DomainError(_l("Give a name."), field="name")
    if staff is None:
        staff = CaravanStaff(organisation_id=organisation_id)
        db.session.add(staff)
    staff.name, staff.role, staff.active = name.strip(), (role or "").strip(), active
    db.session.flush()
    audit.record(
        "save",
        staff,
        object_type="event_caravan_staff",
        after={"name": staff.name},
        organisation_id=organisation_id,
        actor=actor,
    )
    return staff


def add_blackout(
    *,
    organisation_id: int,
    first_day: date,
    last_day: date,
    caravan_id: int | None = None,
    reason: str = "",
    actor=None,
) -> Blackout:
    if last_day < first_day:
        raise DomainError(_l("The last day must not be before the first day."), field="last_day")
    blackout = Blackout(
        organisation_id=organisation_id,
        first_day=first_day,
        last_day=last_day,
        caravan_id=caravan_id,
        reason=(reason or "").strip(),
    )
    db.session.add(blackout)
    db.session.flush()
    audit.record(
        "add_blackout",
        blackout,
        object_type="event_caravan_blackout",
        organisation_id=organisation_id,
        after={"first_day": first_day, "last_day": last_day, "caravan_id": caravan_id},
        actor=actor,
    )
    return blackout


def delete_blackout(blackout: Blackout, actor=None) -> None:
    audit.record(
        "delete_blackout",
        blackout,
        object_type="event_caravan_blackout",
        organisation_id=blackout.organisation_id,
        before={"first_day": blackout.first_day, "last_day": blackout.last_day},
        actor=actor,
    )
    db.session.delete(blackout)
    db.session.flush()


def caravan_by_feed_token(token: str) -> Caravan | None:
    return db.session.execute(sa.select(Caravan).where(Caravan.feed_token == token[:64])).scalar_one_or_none()


def caravan_organisations() -> list[Organisation]:
    """The associations with an active caravan (those a school can ask), by name."""
    return (
        db.session.execute(
            sa.select(Organisation)
            .where(Organisation.id.in_(sa.select(Caravan.organisation_id).where(Caravan.active.is_(True))))
            .order_by(Organisation.name)
        )
        .scalars()
        .all()
    )


def active_caravans(organisation_id: int) -> list[Caravan]:
    """An association's active caravans with their crew, by name."""
    return (
        db.session.execute(
            sa.select(Caravan)
            .options(selectinload(Caravan.crew))
            .where(Caravan.organisation_id == organisation_id, Caravan.active.is_(True))
            .order_by(Caravan.name)
        )
        .scalars()
        .all()
    )


def active_staff(organisation_ids: Iterable[int]) -> list[CaravanStaff]:
    """The active caravan staff of the associations, by name."""
    return (
        db.session.execute(
            sa.select(CaravanStaff)
            .where(CaravanStaff.organisation_id.in_(list(organisation_ids)), CaravanStaff.active.is_(True))
            .order_by(CaravanStaff.name)
        )
        .scalars()
        .all()
    )


def blackouts_between(organisation_ids: Iterable[int] | None, first_day: date, last_day: date) -> list[Blackout]:
    """Blackouts touching [first_day, last_day], of all associations (None) or of these, with their caravan."""
    query = (
        sa.select(Blackout)
        .options(selectinload(Blackout.caravan))
        .where(Blackout.first_day <= last_day, Blackout.last_day >= first_day)
    )
    if organisation_ids is not None:
        query = query.where(Blackout.organisation_id.in_(list(organisation_ids)))
    return db.session.execute(query).scalars().all()


@dataclass
class CaravanBoard:
    """The organisers' caravan page: caravans, staff, blackouts, requests waiting and visits to come."""

    caravans: list[Caravan]
    staff: list[CaravanStaff]
    blackouts: list[Blackout]
    pending: list[CaravanVisit]
    upcoming: list[CaravanVisit]


def caravan_board(organisation_ids: Iterable[int] | None, now: datetime) -> CaravanBoard:
    """What the caravan page shows, for all associations (None) or these."""
    ids = list(organisation_ids) if organisation_ids is not None else None

    def scoped(model):
        query = sa.select(model)
        return query.where(model.organisation_id.in_(ids)) if ids is not None else query

    def rows(query):
        return db.session.execute(query).scalars().all()

    return CaravanBoard(
        caravans=rows(scoped(Caravan).options(selectinload(Caravan.crew)).order_by(Caravan.name)),
        staff=rows(scoped(CaravanStaff).order_by(CaravanStaff.name)),
        blackouts=rows(scoped(Blackout).options(selectinload(Blackout.caravan)).order_by(Blackout.first_day)),
        pending=rows(
            scoped(CaravanVisit).where(CaravanVisit.status.in_(PENDING_VISIT_STATUSES)).order_by(CaravanVisit.starts_at)
        ),
        upcoming=rows(
            scoped(CaravanVisit)
            .options(selectinload(CaravanVisit.caravan))
            .where(CaravanVisit.status == VisitStatus.CONFIRMED, CaravanVisit.ends_at >= now)
            .order_by(CaravanVisit.starts_at)
        ),
    )
