"""Events factories: venues, events with sessions, registrations, caravans and visits (all flushed)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from core.db import utcnow
from events.caravan import fleet as fleet_service
from events.caravan import visits as visits_service
from events.models import EventKind, EventStatus, RegistrationKind
from events.services import planning as planning_service
from events.services import registration as registration_service
from tests import factories

CST = timezone(timedelta(hours=8))
_phones = iter(range(13800000000, 13900000000))


def phone() -> str:
    return str(next(_phones))


def venue(org=None, **fields):
    org = org or factories.association()
    values = dict(kind="science_base", name="青溪县青少年科技馆", address="城关镇科技路1号", capacity=300)
    values.update(fields)
    return planning_service.save_venue(None, organisation_id=org.id, **values)


def event(
    org=None,
    *,
    capacity: int = 100,
    starts_at: datetime | None = None,
    hours: int = 3,
    status: str = EventStatus.PUBLISHED,
    sessions=None,
    **fields,
):
    """A published event starting in 10 minutes (so check-in is open now) unless told otherwise."""
    org = org or factories.association()
    start = starts_at or (utcnow() + timedelta(minutes=10)).replace(microsecond=0)
    values = dict(kind=EventKind.LECTURE, title="科普讲座：走近人工智能", audience="public")
    values.update(fields)
    return planning_service.create_event(
        organisation_id=org.id,
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        capacity=capacity,
        status=status,
        sessions=sessions or (),
        **values,
    )


def registration(
    ev, *, session=None, name: str = "张小明", kind: str = RegistrationKind.INDIVIDUAL, head_count: int = 1, **fields
):
    session = session or ev.sessions[0]
    fields.setdefault("phone", phone())
    return registration_service.register(session, name=name, kind=kind, head_count=head_count, **fields)


def caravan(org, name: str = "科普大篷车一号", crew=()):
    return fleet_service.save_caravan(
        None,
        organisation_id=org.id,
        name=name,
        vehicle="依维柯",
        exhibit_set="机器人、VR、力学",
        crew_ids=[s.id for s in crew],
    )


def staff(org, name: str = "司机老陈"):
    return fleet_service.save_caravan_staff(None, organisation_id=org.id, name=name, role="司机")


def visit_request(org, start: datetime, hours: int = 2, host_name: str = "青溪县实验小学", **fields):
    values = dict(host_kind="school", contact_name="刘芳", contact_phone="13800001111", expected_audience=120)
    values.update(fields)
    return visits_service.submit_visit_request(
        organisation_id=org.id,
        host_name=host_name,
        preferred_start=start,
        preferred_end=start + timedelta(hours=hours),
        **values,
    )


def future_day(days: int = 30, hour: int = 9) -> datetime:
    """A local (China) date `days` from now at `hour` o'clock, as an aware datetime."""
    day = (utcnow().astimezone(CST) + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, tzinfo=CST)
