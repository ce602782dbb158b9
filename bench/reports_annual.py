"""Benchmark: the annual report (page data, PDF, .xlsx) for a year with 10,000 entries and 200 events, and the
organiser dashboard (the /reports/ page and the dashboard panel's figures).

Targets (issue 7): annual report <= 3 s; dashboard <= 200 ms with a constant number of queries.
Prints ``name: value unit (ratio vs reference)`` lines (ratio = measured / target) and returns a dict.

    .venv/bin/python bench/reports_annual.py [--entries 10000] [--events 200]
        (temporary SQLite database; BENCH_DATABASE_URL=postgresql+psycopg://… to use PostgreSQL)
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

REPORT_TARGET_S = 3.0
DASHBOARD_TARGET_MS = 200.0
PASSWORD = "bench-password-长一点"
CST = timezone(timedelta(hours=8))


def _at(year, month, day, hour=9):
    return datetime(year, month, day, hour, tzinfo=CST).astimezone(UTC)


def seed(n_entries: int, n_events: int, year: int) -> dict:
    """Bulk-insert a realistic year: 300 schools, two contests (one final, one judging), results and awards,
    judges with scores, events with sessions, registrations and check-ins, caravan visits."""
    import sqlalchemy as sa

    from accounts import services as account_services
    from accounts.models import Organisation
    from competitions.models import Category, Contest, Entry, EntryMember, Student
    from core.extensions import db
    from core.permissions import Role
    from events.caravan.models import Caravan, CaravanStaff, CaravanVisit, visit_staff
    from events.models import CheckIn, Event, EventKind, EventSession, Registration
    from judging.models import Judge, JudgeAssignment, Result, Round, Score

    rng = random.Random(7)
    now = datetime.now(UTC)
    city = Organisation(kind="association", name="江城市科学技术协会", code="BENCH-CITY")
    db.session.add(city)
    db.session.flush()
    counties = [
        Organisation(kind="association", name=f"第{i + 1}县科学技术协会", code=f"BENCH-C{i}", parent_id=city.id)
        for i in range(3)
    ]
    db.session.add_all(counties)
    db.session.flush()
    schools = [
        Organisation(
            kind="school", name=f"第{i + 1}实验学校", code=f"BENCH-S{i}", stage="primary", parent_id=counties[i % 3].id
        )
        for i in range(300)
    ]
    db.session.add_all(schools)
    db.session.flush()
    organiser = account_services.create_user(name="王丽华", email="bench@example.cn", password=PASSWORD)
    account_services.grant_role(organiser, Role.ORGANISER, organisation=city)

    contests = [
        Contest(organisation_id=counties[0].id, year=year, name=f"{year}年青少年科技创新大赛", status="final"),
        Contest(organisation_id=city.id, year=year, name=f"{year}年机器人竞赛", status="judging"),
    ]
    db.session.add_all(contests)
    db.session.flush()
    categories = []
    for c in contests:
        for i in range(5):
            categories.append(Category(contest_id=c.id, code=f"C{i}", name=f"类别{i + 1}", position=i))
    db.session.add_all(categories)
    db.session.flush()

    n_students = int(n_entries * 1.2)
    db.session.execute(
        sa.insert(Student),
        [
            {
                "school_id": schools[i % 300].id,
                "name": f"学生{i}",
                "gender": "男" if i % 2 else "女",
                "birth_date": date(2012, 1 + i % 12, 1 + i % 28),
                "grade": 1 + i % 12,
                "id_number": f"{420102200000000000 + i}",
                "guardian_phone": f"139{i:08d}",
            }
            for i in range(n_students)
        ],
    )
    student_ids = db.session.execute(sa.select(Student.id, Student.school_id).order_by(Student.id)).all()
    statuses = ["approved"] * 6 + ["submitted", "returned", "rejected", "draft"]
    entries = []
    for i in range(n_entries):
        cat = categories[i % len(categories)]
        status = statuses[i % len(statuses)]
        entries.append(
            {
                "contest_id": cat.contest_id,
                "category_id": cat.id,
                "school_id": student_ids[i][1],
                "status": status,
                "title": f"作品{i}",
                "code": f"E{i:06d}" if status != "draft" else None,
                "submitted_at": _at(year, 3, 1) if status != "draft" else None,
            }
        )
    db.session.execute(sa.insert(Entry), entries)
    entry_rows = db.session.execute(
        sa.select(Entry.id, Entry.status, Entry.category_id, Entry.contest_id).order_by(Entry.id)
    ).all()
    members = [
        {"entry_id": e.id, "student_id": student_ids[i][0], "position": 0, "is_leader": True}
        for i, e in enumerate(entry_rows)
    ]
    members += [
        {
            "entry_id": entry_rows[i].id,
            "student_id": student_ids[n_entries + i % (n_students - n_entries)][0],
            "position": 1,
            "is_leader": False,
        }
        for i in range(0, n_entries, 5)
    ]
    db.session.execute(sa.insert(EntryMember), members)

    rounds = [
        Round(
            contest_id=c.id,
            name="终评",
            position=1,
            status="closed" if c.status == "final" else "open",
            award_mode="manual",
        )
        for c in contests
    ]
    db.session.add_all(rounds)
    judge_users = [
        account_services.create_user(name=f"评委{i}", email=f"judge{i}@example.cn", password=PASSWORD)
        for i in range(20)
    ]
    db.session.flush()
    judges = [
        Judge(contest_id=c.id, user_id=u.id) for c in contests for u in judge_users[: 10 if c.status == "final" else 20]
    ]
    db.session.add_all(judges)
    db.session.flush()
    judges_by_contest = {c.id: [j for j in judges if j.contest_id == c.id] for c in contests}
    round_by_contest = {r.contest_id: r for r in rounds}
    approved = [e for e in entry_rows if e.status == "approved"]
    assignments = []
    for e in approved:
        for j in rng.sample(judges_by_contest[e.contest_id], 3):
            assignments.append(
                {"round_id": round_by_contest[e.contest_id].id, "entry_id": e.id, "judge_id": j.id, "status": "active"}
            )
    db.session.execute(sa.insert(JudgeAssignment), assignments)
    asg_rows = db.session.execute(
        sa.select(JudgeAssignment.id, JudgeAssignment.round_id, JudgeAssignment.entry_id, JudgeAssignment.judge_id)
    ).all()
    db.session.execute(
        sa.insert(Score),
        [
            {
                "assignment_id": a.id,
                "round_id": a.round_id,
                "entry_id": a.entry_id,
                "judge_id": a.judge_id,
                "values": {},
                "total": Decimal(rng.randrange(50, 100)),
                "submitted": True,
            }
            for k, a in enumerate(asg_rows)
            if k % 4
        ],
    )
    awards = ["first", "second", "third", "merit", None, None]
    db.session.execute(
        sa.insert(Result),
        [
            {
                "round_id": round_by_contest[e.contest_id].id,
                "entry_id": e.id,
                "category_id": e.category_id,
                "score": Decimal("80.5"),
                "rank": k + 1,
                "award": awards[k % len(awards)],
                "explanation": {},
            }
            for k, e in enumerate(approved)
        ],
    )

    events = []
    kinds = [kind.value for kind in EventKind]
    for i in range(n_events):
        start = _at(year, 1 + i % 12, 1 + i % 27, 9 + i % 8) if i % 10 else now + timedelta(hours=i % 48)
        events.append(
            Event(
                organisation_id=counties[i % 3].id,
                kind=kinds[i % len(kinds)],
                title=f"科普活动{i}",
                status="published",
                starts_at=start,
                ends_at=start + timedelta(hours=3),
            )
        )
    db.session.add_all(events)
    db.session.flush()
    sessions = [
        EventSession(
            event_id=e.id,
            title=f"第{k + 1}场",
            starts_at=e.starts_at + timedelta(hours=k),
            ends_at=e.starts_at + timedelta(hours=k + 1),
            capacity=100,
        )
        for e in events
        for k in range(2)
    ]
    db.session.add_all(sessions)
    db.session.flush()
    regs = []
    for s in sessions:
        for k in range(15):
            group = k == 0
            regs.append(
                {
                    "event_id": s.event_id,
                    "session_id": s.id,
                    "kind": "group" if group else "individual",
                    "status": "confirmed",
                    "source": "online",
                    "name": f"观众{s.id}-{k}",
                    "phone": f"137{s.id:05d}{k:03d}",
                    "head_count": 30 if group else 1,
                    "code": secrets.token_hex(10),
                    "link_token": secrets.token_hex(24),
                }
            )
    db.session.execute(sa.insert(Registration), regs)
    reg_rows = db.session.execute(
        sa.select(Registration.id, Registration.event_id, Registration.session_id, Registration.head_count)
    ).all()
    db.session.execute(
        sa.insert(CheckIn),
        [
            {
                "registration_id": r.id,
                "event_id": r.event_id,
                "session_id": r.session_id,
                "head_count": r.head_count,
                "checked_in_at": now,
            }
            for k, r in enumerate(reg_rows)
            if k % 5 != 1
        ],
    )
    caravan = Caravan(organisation_id=counties[0].id, name="科普大篷车1号")
    crew = [CaravanStaff(organisation_id=counties[0].id, name=f"讲解员{i}") for i in range(4)]
    db.session.add(caravan)
    db.session.add_all(crew)
    db.session.flush()
    visits = []
    for i in range(50):
        start = _at(year, 1 + i % 12, 1 + i % 27) if i < 45 else now + timedelta(days=i - 44)
        visits.append(
            {
                "organisation_id": counties[0].id,
                "caravan_id": caravan.id,
                "status": "confirmed",
                "host_kind": "school" if i % 3 else "community",
                "host_name": f"接待单位{i % 20}",
                "contact_name": "联系人",
                "contact_phone": "13500000000",
                "expected_audience": 100,
                "preferred_start": start,
                "preferred_end": start + timedelta(hours=3),
                "starts_at": start,
                "ends_at": start + timedelta(hours=3),
                "token": secrets.token_urlsafe(24),
            }
        )
    db.session.execute(sa.insert(CaravanVisit), visits)
    visit_ids = db.session.execute(sa.select(CaravanVisit.id)).scalars().all()
    db.session.execute(sa.insert(visit_staff), [{"visit_id": v, "staff_id": crew[v % 4].id} for v in visit_ids])
    db.session.commit()
    return {"city_id": city.id, "organiser_email": organiser.email}


def _best_of(runs: int, fn) -> float:
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=200)
    args = parser.parse_args(argv if argv is not None else [])
    from sqlalchemy import event as sa_event

    from accounts.models import Organisation
    from core import create_app
    from core.extensions import db

    tmp = tempfile.mkdtemp(prefix="kc-bench-reports-")
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "SQLALCHEMY_DATABASE_URI": None,
            "SECRET_KEY": "bench-secret-key-long-enough-0123456789",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_LOGIN": "10000 per minute",
            "BASE_URL": "http://localhost",
        },
        instance_path=tmp,
    )
    year = datetime.now(CST).year
    out: dict = {}
    try:
        with app.app_context():
            db.drop_all()
            db.create_all()
            t0 = time.perf_counter()
            info = seed(args.entries, args.events, year)
            print(f"reports_seed: {time.perf_counter() - t0:.1f} s ({args.entries} entries, {args.events} events)")
            from reports.pdf import build_pdf, register_font
            from reports.services import annual_report
            from reports.services.annual import list_link
            from reports.xlsx import build_xlsx

            register_font()  # once per process, as in a running server
            city = db.session.get(Organisation, info["city_id"])
            with app.test_request_context():
                report = annual_report(city, year, link=list_link)
                print(
                    f"# {report.figure('entries').value} participating entries, {report.figure('events').value} "
                    f"events, {report.figure('checked_in').value} people checked in"
                )
                data_s = _best_of(3, lambda: annual_report(city, year, link=list_link))
                pdf_s = _best_of(3, lambda: build_pdf(annual_report(city, year, link=list_link)))
                xlsx_s = _best_of(3, lambda: build_xlsx(annual_report(city, year, link=list_link)))
        client = app.test_client()
        response = client.post("/login", data={"login": info["organiser_email"], "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        page = client.get(f"/reports/annual?org={info['city_id']}&year={year}")
        assert page.status_code == 200
        page_s = _best_of(3, lambda: client.get(f"/reports/annual?org={info['city_id']}&year={year}"))
        client.get("/reports/")
        statements: list[str] = []
        with app.app_context():
            engine = db.engine

            def count(*_a):
                statements.append("")

            sa_event.listen(engine, "before_cursor_execute", count)
            try:
                dash_s = _best_of(5, lambda: client.get("/reports/"))
                statements.clear()
                client.get("/reports/")
                dash_queries = len(statements)
            finally:
                sa_event.remove(engine, "before_cursor_execute", count)
            from core.db import utcnow  # noqa: F401
            from reports.services import dashboard, organisation_scope

            scope = organisation_scope(info["city_id"])
            panel_s = _best_of(5, lambda: dashboard(scope, visits_limit=0))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    figures = {
        "reports_annual_data_s": (data_s, REPORT_TARGET_S, "s"),
        "reports_annual_pdf_s": (pdf_s, REPORT_TARGET_S, "s"),
        "reports_annual_xlsx_s": (xlsx_s, REPORT_TARGET_S, "s"),
        "reports_annual_page_s": (page_s, REPORT_TARGET_S, "s"),
        "reports_dashboard_page_ms": (dash_s * 1000, DASHBOARD_TARGET_MS, "ms"),
        "reports_dashboard_figures_ms": (panel_s * 1000, DASHBOARD_TARGET_MS, "ms"),
    }
    for name, (value, target, unit) in figures.items():
        print(f"{name}: {value:.3f} {unit} ({value / target:.2f} vs reference {target:g} {unit})")
        out[name] = round(value, 4)
    print(f"reports_dashboard_page_queries: {dash_queries} queries (constant; includes login session and nav)")
    out["reports_dashboard_page_queries"] = dash_queries
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
