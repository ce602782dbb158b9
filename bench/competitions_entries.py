"""Organiser's entry list with 5,000 entries: time to render one page (issue 3: <= 150 ms), plus the review
queue and the master-list export for scale.

Run: .venv/bin/python bench/competitions_entries.py   (temporary SQLite database; DATABASE_URL to use another)
Prints `name: value unit (ratio vs reference)` lines and returns a dict.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ENTRIES = 5000
SCHOOLS = 100


def _seed(db):
    from accounts import services as account_services
    from accounts.models import Organisation
    from competitions.models import Advisor, Category, Contest, Entry, EntryAdvisor, EntryMember, Material, Student
    from core.permissions import Role

    county = Organisation(kind="association", name="基准县科协", code="BENCH-KX")
    db.session.add(county)
    db.session.flush()
    schools = [
        Organisation(
            kind="school",
            name=f"基准学校{i:03d}",
            code=f"B{i:03d}",
            parent_id=county.id,
            stage="junior",
            district=f"镇{i % 8}",
        )
        for i in range(SCHOOLS)
    ]
    db.session.add_all(schools)
    now = datetime.now(UTC)
    contest = Contest(
        organisation_id=county.id,
        year=2025,
        name="基准赛事",
        status="registration",
        registration_opens_at=now - timedelta(days=5),
        registration_closes_at=now + timedelta(days=5),
    )
    db.session.add(contest)
    db.session.flush()
    categories = [
        Category(contest_id=contest.id, code=f"K{i}", name=f"类别{i}", entry_type="individual") for i in range(5)
    ]
    db.session.add_all(categories)
    db.session.flush()
    students = [
        Student(
            school_id=schools[i % SCHOOLS].id,
            name=f"学生{i}",
            gender="男女"[i % 2],
            birth_date=date(2011, 1, 1) + timedelta(days=i % 700),
            grade=7 + i % 3,
        )
        for i in range(ENTRIES)
    ]
    advisors = [Advisor(school_id=s.id, name=f"老师{n}") for n, s in enumerate(schools)]
    db.session.add_all(students + advisors)
    db.session.flush()
    sequences = {}
    for i, student in enumerate(students):
        category = categories[i % 5]
        sequences[category.id] = sequences.get(category.id, 0) + 1
        entry = Entry(
            contest_id=contest.id,
            category_id=category.id,
            school_id=student.school_id,
            title=f"作品{i}",
            status=("submitted", "approved", "draft", "returned")[i % 4],
            sequence=sequences[category.id],
            code=f"2025-{category.code}-{sequences[category.id]:04d}",
            submitted_at=now,
        )
        entry.members.append(EntryMember(student_id=student.id, position=0, is_leader=True))
        entry.advisors.append(EntryAdvisor(advisor_id=advisors[i % SCHOOLS].id, position=0))
        entry.materials.append(
            Material(
                kind="report",
                original_name="r.pdf",
                stored_name=f"bench-{i}.pdf",
                file_type="pdf",
                size=100,
                sha256="0" * 64,
            )
        )
        db.session.add(entry)
    user = account_services.create_user(name="基准组织者", email="bench@example.cn", password="bench-password-1")
    account_services.grant_role(user, Role.ORGANISER, organisation=county)
    db.session.commit()
    return contest.id


def _time(client, url: str, repeat: int = 15) -> float:
    client.get(url)  # warm-up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples)


def main() -> dict:
    from core import create_app
    from core.extensions import db

    tmp = Path(tempfile.mkdtemp(prefix="kc-bench-"))
    app = create_app(
        {
            "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{tmp / 'bench.db'}",
            "SECRET_KEY": "bench-secret-key-0123456789-abcdefghijkl",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "UPLOAD_DIR": str(tmp / "uploads"),
        },
        instance_path=str(tmp / "instance"),
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        contest_id = _seed(db)
    client = app.test_client()
    assert client.post("/login", data={"login": "bench@example.cn", "password": "bench-password-1"}).status_code == 302
    results = {}
    for name, url, reference in (
        ("competitions_entry_list_page_5000", f"/contests/{contest_id}/entries", 0.150),
        ("competitions_entry_list_page_5000_last_page", f"/contests/{contest_id}/entries?page=100", 0.150),
        ("competitions_entry_list_search_5000", f"/contests/{contest_id}/entries?q=学生49&status=submitted", 0.150),
        ("competitions_entry_api_page_5000", f"/api/v1/competitions/contests/{contest_id}/entries", 0.150),
    ):
        seconds = _time(client, url)
        results[name] = seconds
        print(f"{name}: {seconds * 1000:.1f} ms ({seconds / reference:.2f} vs reference {reference * 1000:.0f} ms)")
    seconds = _time(client, f"/contests/{contest_id}/review", repeat=3)
    results["competitions_review_queue_1250_submitted"] = seconds
    print(
        f"competitions_review_queue_1250_submitted: {seconds * 1000:.0f} ms (no reference; all checks for every entry)"
    )
    # above 2,000 entries the page hands the export to a background job; time the job's work itself
    from competitions.models import Contest
    from competitions.services import listings as listings_service

    with app.test_request_context():
        start = time.perf_counter()
        data = listings_service.master_list_xlsx(db.session.get(Contest, contest_id))
        seconds = time.perf_counter() - start
    assert data.startswith(b"PK")
    results["competitions_master_list_xlsx_5000"] = seconds
    print(f"competitions_master_list_xlsx_5000: {seconds:.2f} s (no reference; runs as a background job)")
    return results


if __name__ == "__main__":
    main()
