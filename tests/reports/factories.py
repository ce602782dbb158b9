"""A small world for the reports tests: a city association with a county below it, schools, contests with
entries in every state, judging with scores and awards, events with registrations and check-ins, the
caravan with visits; plus a second county that must never be counted. Built directly from the models
(flushed), and remembered in plain lists so the tests can count independently of the reports' queries."""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from accounts import services as account_services
from core.extensions import db
from core.permissions import Role
from tests import factories

CST = timezone(timedelta(hours=8))
_n = itertools.count(1)


def at(y, m, d, h=9) -> datetime:
    """A China-time moment as aware UTC."""
    return datetime(y, m, d, h, tzinfo=CST).astimezone(UTC)


@dataclass
class World:
    city: object = None
    county: object = None
    other: object = None
    schools: list = field(default_factory=list)
    other_school: object = None
    contests: list = field(default_factory=list)
    categories: list = field(default_factory=list)
    students: list = field(default_factory=list)
    entries: list = field(default_factory=list)
    results: list = field(default_factory=list)
    specials: list = field(default_factory=list)
    judges: list = field(default_factory=list)
    events: list = field(default_factory=list)
    registrations: list = field(default_factory=list)
    checkins: list = field(default_factory=list)
    visits: list = field(default_factory=list)
    crew: list = field(default_factory=list)
    checkin_users: list = field(default_factory=list)
    advisors: list = field(default_factory=list)
    organiser: object = None
    coordinator: object = None
    personal: list = field(default_factory=list)  # every personal value stored (for the open-data search)


def student(w: World, school, name: str, grade: int):
    from competitions.models import Student

    n = next(_n)
    birth = date(2025 - 6 - grade, 1 + n % 12, 1 + n % 27)
    s = Student(
        school_id=school.id,
        name=name,
        gender="男" if n % 2 else "女",
        birth_date=birth,
        grade=grade,
        id_number=f"4201022{n:03d}0{birth:%m%d}{n % 10}",
        guardian_phone=f"1390{n:07d}",
    )
    db.session.add(s)
    db.session.flush()
    w.students.append(s)
    w.personal += [
        s.name,
        s.id_number,
        s.guardian_phone,
        birth.isoformat(),
        f"{birth:%Y%m%d}",
        f"{birth.year}年{birth.month}月{birth.day}日",
        f"{birth:%Y/%m/%d}",
    ]
    return s


def entry(w: World, contest, category, school, members, status: str, title: str | None = None):
    from competitions.models import Entry, EntryMember

    n = next(_n)
    submitted = status not in ("draft",)
    e = Entry(
        contest_id=contest.id,
        category_id=category.id,
        school_id=school.id,
        status=status,
        title=title or f"作品{n}：智能垃圾分类装置",
        code=f"{contest.year}-{n:04d}" if submitted else None,
        submitted_at=at(contest.year, 3, 1) if submitted else None,
    )
    db.session.add(e)
    db.session.flush()
    for i, s in enumerate(members):
        db.session.add(EntryMember(entry_id=e.id, student_id=s.id, position=i, is_leader=i == 0))
    db.session.flush()
    w.entries.append(e)
    return e


def _contest(w: World, org, year, status, name):
    """A contest of ``org`` with its two categories (个人 A, 集体 B), recorded in ``w``."""
    from competitions.models import Category, Contest

    ct = Contest(organisation_id=org.id, year=year, name=name, status=status)
    db.session.add(ct)
    db.session.flush()
    cats = []
    for i, (code, cname, etype, mx) in enumerate(
        (("A", "青少年科技创新成果（个人）", "individual", 1), ("B", "青少年科技创新成果（集体）", "team", 3))
    ):
        cat = Category(
            contest_id=ct.id,
            code=code,
            name=cname,
            position=i,
            entry_type=etype,
            max_members=mx,
            min_members=1 if mx == 1 else 2,
        )
        db.session.add(cat)
        cats.append(cat)
    db.session.flush()
    w.contests.append(ct)
    w.categories += cats
    return ct, cats


def build_world(now: datetime | None = None) -> World:
    from competitions.models import Advisor, EntryAdvisor
    from events.caravan.models import Caravan, CaravanStaff, CaravanVisit
    from events.models import CheckIn, Event, EventSession, Registration, Venue
    from judging.models import Judge, JudgeAssignment, Result, Round, Score, SpecialAward

    w = World()
    w.city = factories.association("江城市科学技术协会")
    w.county = factories.association("青溪县科学技术协会", parent=w.city)
    w.other = factories.association("白沙县科学技术协会")
    w.schools = [
        factories.school(w.county, "primary", "青溪县实验小学"),
        factories.school(w.county, "junior", "青溪县第一中学"),
        factories.school(w.city, "senior", "江城市第一高级中学"),
    ]
    w.other_school = factories.school(w.other, "primary", "白沙县中心小学")
    w.organiser = factories.organiser(w.city, name="王丽华")
    w.coordinator = factories.coordinator(w.schools[0], name="刘芳")
    w.personal += [w.organiser.email, w.coordinator.email]

    a, b, c = w.schools
    s_a = [student(w, a, n, g) for n, g in (("张三明", 4), ("李四", 5), ("欧阳娜娜", 6), ("王", 3))]
    s_b = [student(w, b, n, g) for n, g in (("赵小刚", 7), ("钱多多", 8), ("孙悟空", 9))]
    s_c = [student(w, c, n, g) for n, g in (("周杰", 10), ("吴敏", 11))]
    s_o = [student(w, w.other_school, n, g) for n, g in (("郑成功", 5), ("冯巩", 4))]

    def contest(org, year, status, name):
        return _contest(w, org, year, status, name)

    c25, (i25, t25) = contest(w.county, 2025, "final", "第25届青溪县青少年科技创新大赛")
    c25city, (i25c, t25c) = contest(w.city, 2025, "judging", "2025年江城市青少年科技创新大赛")
    c26, (i26, t26) = contest(w.county, 2026, "registration", "第26届青溪县青少年科技创新大赛")
    o25, (io25, _to25) = contest(w.other, 2025, "final", "第25届白沙县青少年科技创新大赛")

    e1 = entry(w, c25, i25, a, [s_a[0]], "approved", "基于单片机的智能垃圾分类装置")
    e2 = entry(w, c25, i25, a, [s_a[1]], "approved", "校园水质检测小助手")
    e3 = entry(w, c25, t25, a, [s_a[2], s_a[3]], "approved", "家庭节水系统")
    entry(w, c25, t25, b, [s_b[0], s_b[1]], "submitted", "桥梁承重研究")
    entry(w, c25, i25, b, [s_b[2]], "rejected", "被退回的作品")
    entry(w, c25, i25, b, [s_b[2]], "draft", "草稿作品")
    entry(w, c25, i25, b, [s_b[2]], "returned", "退回修改的作品")
    e8 = entry(w, c25city, i25c, c, [s_c[0]], "approved", "高中生物实验")
    entry(w, c25city, t25c, c, [s_c[0], s_c[1]], "submitted", "城市热岛效应调查")
    entry(w, c25city, i25c, a, [s_a[0]], "approved", "市赛作品：智能台灯")  # the same student again
    entry(w, c26, i26, a, [s_a[1]], "draft", "2026草稿")
    entry(w, c26, i26, a, [s_a[0]], "submitted", "2026已提交")
    e13 = entry(w, c26, t26, b, [s_b[0], s_b[1]], "approved", "2026已通过")
    entry(w, o25, io25, w.other_school, [s_o[0]], "approved", "白沙县作品")
    entry(w, o25, io25, w.other_school, [s_o[1]], "approved", "白沙县作品二")

    advisor = Advisor(school_id=a.id, name="陈老师傅", phone="13712345678", email="chen.advisor@example.cn")
    db.session.add(advisor)
    db.session.flush()
    db.session.add(EntryAdvisor(entry_id=e1.id, advisor_id=advisor.id, position=0))
    w.advisors.append(advisor)
    w.personal += [advisor.name, advisor.phone, advisor.email]

    # judging: county 2025 (final, awards public), city 2025 (judging: awards not public), county 2026 (active)
    def judge_user(name):
        u = factories.user(name=name)
        w.personal.append(u.email)
        return u

    u1, u2, u3 = judge_user("孙德明"), judge_user("周评委"), judge_user("吴评委")

    def rnd(ct, name, pos, status="closed"):
        r = Round(contest_id=ct.id, name=name, position=pos, status=status, award_mode="manual")
        db.session.add(r)
        db.session.flush()
        return r

    def judge(ct, u, withdrawn=False):
        j = Judge(contest_id=ct.id, user_id=u.id, withdrawn_at=at(2025, 4, 1) if withdrawn else None)
        db.session.add(j)
        db.session.flush()
        w.judges.append(j)
        return j

    def assign(r, e, j, submitted, status="active"):
        asg = JudgeAssignment(round_id=r.id, entry_id=e.id, judge_id=j.id, status=status)
        db.session.add(asg)
        db.session.flush()
        if submitted is not None:
            db.session.add(
                Score(
                    assignment_id=asg.id,
                    round_id=r.id,
                    entry_id=e.id,
                    judge_id=j.id,
                    submitted=submitted,
                    total=Decimal("80") if submitted else None,
                )
            )
            db.session.flush()
        return asg

    def result(r, e, award, rank):
        res = Result(
            round_id=r.id, entry_id=e.id, category_id=e.category_id, score=Decimal("88.5"), rank=rank, award=award
        )
        db.session.add(res)
        db.session.flush()
        w.results.append(res)
        return res

    r25 = rnd(c25, "终评", 1)
    j1, j2 = judge(c25, u1), judge(c25, u2)
    judge(c25, u3, withdrawn=True)
    for e in (e1, e2, e3):
        assign(r25, e, j1, True)
        assign(r25, e, j2, True)
    result(r25, e1, "first", 1)
    result(r25, e2, "second", 2)
    result(r25, e3, "first", 1)
    w.specials.append(SpecialAward(contest_id=c25.id, kind="best_creativity", entry_id=e1.id))
    db.session.add(w.specials[-1])
    r25c = rnd(c25city, "初评", 1, status="open")
    jc = judge(c25city, u1)  # the same person judges two contests: one judge in the year's figures
    assign(r25c, e8, jc, True)
    result(r25c, e8, "third", 3)  # awards not public yet (contest still judging)
    r26 = rnd(c26, "初评", 1, status="open")
    j26a, j26b = judge(c26, u2), judge(c26, u3)
    assign(r26, e13, j26a, True)
    assign(r26, e13, j26b, False)  # draft score: not submitted
    assign(r26, e13, j1, None, status="removed")
    db.session.flush()

    # events
    now = now or datetime.now(UTC)

    def event(org, kind, title, start, status="published", sessions=1, capacity=50):
        ev = Event(
            organisation_id=org.id,
            kind=kind,
            title=title,
            status=status,
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            audience="public",
        )
        db.session.add(ev)
        db.session.flush()
        for i in range(sessions):
            db.session.add(
                EventSession(
                    event_id=ev.id,
                    title=f"第{i + 1}场",
                    starts_at=start + timedelta(hours=i),
                    ends_at=start + timedelta(hours=i + 1),
                    capacity=capacity,
                )
            )
        db.session.flush()
        db.session.refresh(ev)
        w.events.append(ev)
        return ev

    def register(ev, name, head=1, kind="individual", status="confirmed", check=None, phone=None):
        n = next(_n)
        phone = phone or f"1360{n:07d}"
        reg = Registration(
            event_id=ev.id,
            session_id=ev.sessions[n % len(ev.sessions)].id,
            kind=kind,
            status=status,
            source="online",
            name=name,
            phone=phone,
            school_name="青溪县实验小学",
            head_count=head,
            member_names="张同学、李同学" if kind == "group" else "",
            code=secrets.token_hex(10),
            link_token=secrets.token_hex(20),
        )
        db.session.add(reg)
        db.session.flush()
        w.registrations.append(reg)
        w.personal += [phone]
        if check is not None:
            ci = CheckIn(registration_id=reg.id, event_id=ev.id, session_id=reg.session_id, head_count=check)
            db.session.add(ci)
            db.session.flush()
            w.checkins.append(ci)
        return reg

    ev1 = event(w.county, "science_day", "2025年全国科普日青溪县主场活动", at(2025, 9, 20), sessions=2)
    ev2 = event(w.city, "lecture", "院士讲座：走近人工智能", at(2025, 5, 12))
    base = Venue(organisation_id=w.city.id, kind="science_base", name="江城市青少年科技馆", capacity=300)
    db.session.add(base)
    db.session.flush()
    ev2.venue_id = base.id
    ev3 = event(w.county, "lecture", "草稿讲座", at(2025, 6, 1), status="draft")
    ev4 = event(w.other, "lecture", "白沙县讲座", at(2025, 6, 2))
    ev5 = event(w.county, "lecture", "2024年的讲座", at(2024, 12, 31, 15))  # 2024-12-31 23:00 China time
    ev6 = event(w.county, "exhibition", "元旦科技展", at(2025, 1, 1, 1))  # 2025-01-01 01:00 China time
    register(ev1, "张小明", check=1)
    register(ev1, "李华", check=1)
    register(ev1, "王芳")  # no-show
    register(ev1, "刘老师", head=30, kind="group", check=28)
    register(ev1, "取消的人", status="cancelled")
    register(ev1, "候补的人", status="waitlisted")
    register(ev2, "陈晨", check=1)
    register(ev2, "赵老师", head=12, kind="group", check=12)
    register(ev3, "草稿报名", check=1)
    register(ev4, "外县的人", check=1)
    register(ev5, "去年的人", check=1)
    register(ev6, "元旦的人", head=2, kind="group", check=2)
    w.personal += [r.name for r in w.registrations] + ["张同学", "李同学"]
    for ev in (ev1, ev2):
        u = factories.user(name="签到志愿者")
        account_services.grant_role(u, Role.CHECKIN, scope_id=ev.id)
        w.checkin_users.append(u)
        w.personal.append(u.email)
    helper = w.checkin_users[0]
    account_services.grant_role(helper, Role.CHECKIN, scope_id=ev2.id)  # one person, two events
    u_out = factories.user(name="外县志愿者")
    account_services.grant_role(u_out, Role.CHECKIN, scope_id=ev4.id)

    # this month's events and the caravan schedule (for the dashboard), relative to now
    month_start = datetime(now.astimezone(CST).year, now.astimezone(CST).month, 1, 10, tzinfo=CST).astimezone(UTC)
    ev_m1 = event(w.county, "lecture", "本月讲座", month_start + timedelta(hours=1))
    ev_m2 = event(w.city, "training", "本月培训", month_start + timedelta(hours=5), sessions=2)
    event(w.other, "lecture", "外县本月讲座", month_start + timedelta(hours=2))
    register(ev_m1, "本月甲", check=1)
    register(ev_m1, "本月乙")
    register(ev_m2, "本月团体", head=10, kind="group", check=8)

    # caravan
    car = Caravan(organisation_id=w.county.id, name="青溪科普大篷车1号")
    db.session.add(car)
    crew = [CaravanStaff(organisation_id=w.county.id, name=n, role="讲解员") for n in ("黄讲解", "林司机", "闲置人员")]
    db.session.add_all(crew)
    db.session.flush()
    w.crew = crew

    def visit(
        host_kind, host_name, start, status="confirmed", audience=100, staff=(), event_id=None, host_org=None, org=None
    ):
        n = next(_n)
        v = CaravanVisit(
            organisation_id=(org or w.county).id,
            caravan_id=car.id,
            status=status,
            host_kind=host_kind,
            host_name=host_name,
            host_organisation_id=host_org.id if host_org else None,
            contact_name=f"联系人{n}号",
            contact_phone=f"1350{n:07d}",
            expected_audience=audience,
            preferred_start=start,
            preferred_end=start + timedelta(hours=3),
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            token=secrets.token_urlsafe(24),
            event_id=event_id,
            address="某某路88号",
        )
        v.staff = list(staff)
        db.session.add(v)
        db.session.flush()
        w.visits.append(v)
        w.personal += [v.contact_name, v.contact_phone, v.address]
        return v

    ev_car = event(w.county, "caravan_school", "科普大篷车进青溪县实验小学", at(2025, 10, 10))
    register(ev_car, "实验小学四年级", head=45, kind="group", check=45)
    visit("school", "青溪县实验小学", at(2025, 10, 10), audience=50, staff=crew[:2], event_id=ev_car.id, host_org=a)
    visit("school", "青溪县实验小学", at(2025, 11, 10), audience=60, staff=crew[:1], host_org=a)  # no event: uncounted
    visit("school", "青溪县第一中学", at(2025, 4, 10), audience=80, host_org=b)  # uncounted
    visit("community", "城关镇幸福社区", at(2025, 7, 7), audience=120, staff=crew[1:2])  # uncounted
    visit("community", "城关镇幸福社区", at(2025, 8, 8), status="declined", audience=999)
    visit("community", "外县社区", at(2025, 8, 9), org=w.other, audience=77)
    visit("school", "青溪县第一中学", now + timedelta(days=3), audience=40)  # upcoming (schedule)
    db.session.flush()
    return w
