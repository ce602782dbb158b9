"""Demo data for events: venues, a caravan season (confirmed and pending visits), a past study-visit day with
check-ins, and an upcoming science day with more than 200 registrations. Idempotent: what exists is kept."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.db import utcnow
from core.demo import DemoContext, demo_seeder
from core.errors import DomainError
from core.extensions import db
from core.permissions import Role
from events.caravan import fleet as fleet_service
from events.caravan import visits as visits_service
from events.caravan.models import Caravan, CaravanVisit
from events.models import Event, EventKind, EventStatus, RegistrationKind, RegistrationSource, Venue, VenueKind
from events.services import capacity as capacity_service
from events.services import checkin as checkin_service
from events.services import planning as planning_service
from events.services import registration as registration_service
from events.services.planning import SessionSpec

CST = timezone(timedelta(hours=8))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = [
    "子涵",
    "梓萱",
    "浩然",
    "欣怡",
    "宇轩",
    "思彤",
    "俊杰",
    "雨桐",
    "一诺",
    "明轩",
    "诗琪",
    "博文",
    "佳怡",
    "子墨",
    "若汐",
    "天佑",
    "可馨",
    "志强",
    "晨曦",
    "书瑶",
    "睿泽",
    "梦琪",
    "泽宇",
    "语嫣",
    "皓轩",
    "静怡",
    "嘉懿",
    "紫涵",
]
GRADES = ["三年级", "四年级", "五年级", "六年级", "七年级", "八年级"]

UPCOMING_TITLE = "青溪县全国科普日主题活动"
PAST_TITLE = "青少年科技馆研学开放日"


def _local(days: int, hour: int, minute: int = 0) -> datetime:
    day = (utcnow().astimezone(CST) + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CST)


def _people(rng: random.Random, count: int):
    for n in range(count):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        yield name, f"139{rng.randrange(10**7, 10**8)}", n


def _venue(org_id: int, name: str, kind: str, address: str, capacity: int, host_id=None, travel=None) -> Venue:
    venue = db.session.execute(
        sa.select(Venue).where(Venue.organisation_id == org_id, Venue.name == name)
    ).scalar_one_or_none()
    if venue is None:
        venue = planning_service.save_venue(
            None,
            organisation_id=org_id,
            kind=kind,
            name=name,
            address=address,
            capacity=capacity,
            host_organisation_id=host_id,
            travel_minutes=travel,
        )
    return venue


def _event(org_id: int, title: str):
    return db.session.execute(
        sa.select(Event).where(Event.organisation_id == org_id, Event.title == title)
    ).scalar_one_or_none()


@demo_seeder(40, "events", _l("events and the science caravan"))
def seed_events(ctx: DemoContext) -> None:
    county, schools, users = ctx.data["county"], ctx.data["schools"], ctx.data["users"]
    base_org = ctx.data.get("science_base")
    rng = random.Random(20240915)
    base = _venue(
        county.id,
        base_org.name if base_org else "青溪县青少年科技馆",
        VenueKind.SCIENCE_BASE,
        "城关镇科技路1号",
        400,
        host_id=base_org.id if base_org else None,
    )
    for school in schools[:8]:
        _venue(
            county.id,
            school.name,
            VenueKind.SCHOOL,
            f"{school.district or ''}",
            300,
            host_id=school.id,
            travel=90 if school.district in ("龙潭乡", "白沙镇") else None,
        )
    _seed_caravan_season(ctx, county, schools, users)
    past = _seed_past_event(ctx, county, base, rng)
    upcoming = _seed_upcoming_event(ctx, county, base, schools, rng)
    from accounts.services import grant_role

    for event in (past, upcoming):
        grant_role(users["checkin"], Role.CHECKIN, scope_id=event.id)
    ctx.data.update(events_past=past, events_upcoming=upcoming)
    ctx.echo(
        "  "
        + _(
            "events: past event %(past)d with check-ins, upcoming event %(upcoming)d (%(n)d registered)",
            past=past.id,
            upcoming=upcoming.id,
            n=capacity_service.event_counters(upcoming)["registered"],
        )
    )


def _seed_caravan_season(ctx, county, schools, users) -> None:
    if db.session.execute(sa.select(Caravan.id).where(Caravan.organisation_id == county.id)).first():
        return
    crew = [
        fleet_service.save_caravan_staff(None, organisation_id=county.id, name=name, role=role)
        for name, role in (("陈师傅", "司机"), ("林晓", "科普讲解员"), ("何明", "科普讲解员"), ("吴师傅", "司机"))
    ]
    one = fleet_service.save_caravan(
        None,
        organisation_id=county.id,
        name="科普大篷车一号",
        vehicle="依维柯 赣C·K1234",
        exhibit_set="机器人互动、VR 太空体验、力学展品 12 件",
        crew_ids=[crew[0].id, crew[1].id],
    )
    two = fleet_service.save_caravan(
        None,
        organisation_id=county.id,
        name="科普大篷车二号",
        vehicle="江铃 赣C·K5678",
        exhibit_set="气象与环境、生命科学展品 10 件",
        crew_ids=[crew[3].id, crew[2].id],
    )
    national_day = _local(0, 0).replace(month=10, day=1) if _local(0, 0).month < 10 else None
    if national_day is not None:
        fleet_service.add_blackout(
            organisation_id=county.id,
            first_day=national_day.date(),
            last_day=(national_day + timedelta(days=6)).date(),
            reason="国庆假期",
        )
    fleet_service.add_blackout(
        organisation_id=county.id,
        caravan_id=two.id,
        first_day=_local(12, 0).date(),
        last_day=_local(12, 0).date(),
        reason="车辆年检",
    )
    coordinator = users.get("coordinator")
    season = []  # (school, day offset, caravan, approve?)
    for index, school in enumerate(schools[:8]):
        season.append((school, 7 + index * 2, one if index % 2 == 0 else two, index < 6))
    for school, offset, caravan, approve in season:
        start = _local(offset, 9)
        if _is_blacked(county.id, caravan.id, start):
            start = start + timedelta(days=1)
        visit = visits_service.submit_visit_request(
            organisation_id=county.id,
            host_name=school.name,
            host_kind=VenueKind.SCHOOL,
            contact_name="学校联络员",
            contact_phone=f"1380000{1000 + offset:04d}",
            preferred_start=start,
            preferred_end=start + timedelta(hours=3),
            alternative_start=start + timedelta(days=1),
            alternative_end=start + timedelta(days=1, hours=3),
            expected_audience=180 + offset * 5,
            notes="操场可停车，有电源。",
            address=school.district or "",
            host_organisation_id=school.id,
            user=coordinator if coordinator is not None and school.id == schools[0].id else None,
        )
        if approve:
            visits_service.approve_visit(visit, caravan=caravan)
    community = (ctx.data.get("communities") or [None])[0]
    if community is not None:
        start = _local(9, 14)
        visits_service.submit_visit_request(
            organisation_id=county.id,
            host_name=community.name,
            host_kind=VenueKind.COMMUNITY,
            contact_name="社区主任",
            contact_phone="13800002222",
            preferred_start=start,
            preferred_end=start + timedelta(hours=2),
            expected_audience=80,
            notes="周末下午，社区广场。",
            address=community.district or "",
            host_organisation_id=community.id,
        )
    db.session.flush()
    confirmed = db.session.execute(
        sa.select(sa.func.count(CaravanVisit.id)).where(CaravanVisit.status == "confirmed")
    ).scalar()
    ctx.echo("  " + _("events: caravan season with %(n)d confirmed visits and pending requests", n=confirmed))


def _is_blacked(org_id: int, caravan_id: int, start: datetime) -> bool:
    from events.caravan.models import Blackout

    day = start.astimezone(CST).date()
    return (
        db.session.execute(
            sa.select(Blackout.id).where(
                Blackout.organisation_id == org_id,
                Blackout.first_day <= day,
                Blackout.last_day >= day,
                sa.or_(Blackout.caravan_id.is_(None), Blackout.caravan_id == caravan_id),
            )
        ).first()
        is not None
    )


def _seed_past_event(ctx, county, base, rng) -> Event:
    event = _event(county.id, PAST_TITLE)
    if event is not None:
        return event
    start = _local(-30, 9)
    event = planning_service.create_event(
        organisation_id=county.id,
        kind=EventKind.STUDY_VISIT,
        title=PAST_TITLE,
        venue_id=base.id,
        description="面向中小学生的科技馆研学活动：机器人编程、天文观测、科学实验秀。",
        starts_at=start,
        ends_at=start + timedelta(hours=7),
        status=EventStatus.PUBLISHED,
        registration_opens_at=start - timedelta(days=14),
        registration_closes_at=start - timedelta(hours=12),
        sessions=[
            SessionSpec(start, start + timedelta(hours=3), 60, "上午场"),
            SessionSpec(start + timedelta(hours=4), start + timedelta(hours=7), 60, "下午场"),
        ],
    )
    before = start - timedelta(days=3)
    registrations = []
    for name, phone, n in _people(rng, 70 * ctx.scale):
        session = event.sessions[n % 2]
        try:
            registrations.append(
                registration_service.register(
                    session,
                    name=name,
                    phone=phone,
                    grade=rng.choice(GRADES),
                    school_name=rng.choice(["青溪县实验小学", "青溪县育才小学", ""]),
                    now=before,
                )
            )
        except DomainError:  # a random phone drawn twice: skip that person
            continue
    group = registration_service.register(
        event.sessions[0],
        name="刘芳",
        phone="13800003333",
        kind=RegistrationKind.GROUP,
        head_count=25,
        school_name="青溪县实验小学",
        member_names="",
        now=before,
    )
    for index, registration in enumerate([group] + registrations):
        if registration.status != "confirmed" or index % 5 == 4:  # about one in five doesn't come
            continue
        arrival = registration.session.starts_at + timedelta(minutes=rng.randrange(-20, 40))
        checkin_service.perform_checkin(
            event,
            raw_code=registration.code,
            gate=rng.choice(["东门", "西门"]),
            head_count=23 if registration is group else None,
            now=arrival,
            scanned_at=arrival,
        )
    return event


def _seed_upcoming_event(ctx, county, base, schools, rng) -> Event:
    event = _event(county.id, UPCOMING_TITLE)
    if event is not None:
        return event
    start = _local(10, 9)
    event = planning_service.create_event(
        organisation_id=county.id,
        kind=EventKind.SCIENCE_DAY,
        title=UPCOMING_TITLE,
        venue_id=base.id,
        description="全国科普日青溪县主场活动：科技展览、科学实验表演、院士科普讲座、无人机表演。",
        starts_at=start,
        ends_at=start + timedelta(hours=8),
        status=EventStatus.PUBLISHED,
        registration_opens_at=utcnow() - timedelta(days=5),
        registration_closes_at=start - timedelta(hours=2),
        sessions=[
            SessionSpec(start, start + timedelta(hours=4), 150, "上午场"),
            SessionSpec(start + timedelta(hours=4), start + timedelta(hours=8), 150, "下午场"),
        ],
    )
    for name, phone, n in _people(rng, 200 * ctx.scale + 20):
        session = event.sessions[n % 2]
        try:
            registration_service.register(
                session,
                name=name,
                phone=phone,
                grade=rng.choice(GRADES),
                school_name=rng.choice([s.name for s in schools[:6]] + [""]),
                source=RegistrationSource.ONLINE,
            )
        except DomainError:  # a random phone drawn twice: skip that person
            continue
    for school in schools[6:9]:
        registration_service.register(
            event.sessions[1],
            name=f"{rng.choice(SURNAMES)}老师",
            phone=f"1370000{school.id % 10000:04d}",
            kind=RegistrationKind.GROUP,
            head_count=30,
            school_name=school.name,
            school_id=school.id,
        )
    return event
