"""Benchmark: the expert pool (专家库) of 5,000 experts searched by field and by name (issue 25: <= 150 ms), through
calls.experts.search_experts — the count and the page of 50 with each expert's calls and conflicts, as the pool
page shows them — and the pool page itself through the test client (its query count, constant whatever the pool
holds). The reference in the same run is one page of the pool without any filter.

Database: a throw-away SQLite file, or BENCH_DATABASE_URL (e.g. the PostgreSQL test database).
Run: .venv/bin/python bench/calls_experts.py
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BUDGET_S = 0.150
N_EXPERTS = 5000
FIELDS = [
    "材料科学",
    "生物医药",
    "机械工程",
    "电子信息",
    "农学",
    "环境科学",
    "科学教育",
    "化学化工",
    "土木建筑",
    "数学",
    "物理学",
    "地球科学",
    "林学",
    "水利工程",
    "能源动力",
    "计算机",
    "医学影像",
    "食品科学",
    "畜牧兽医",
    "经济管理",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "德明志远晓梅建国明轩丽娟慧敏文博海涛丽清秀英建华晓东美玲志刚雪梅国强丽萍文杰海燕立新慧芳伟明春兰家豪玉珍"


def _seed(db) -> tuple[int, int]:
    import sqlalchemy as sa

    from accounts import services as accounts
    from calls import services
    from calls.experts import CallExpert, Expert, ExpertConflict

    rng = random.Random(25)
    org = accounts.save_organisation(None, kind="association", name="基准市科协", code="BENCH-POOL")
    other = accounts.save_organisation(None, kind="association", name="另一市科协", code="BENCH-POOL-2")
    calls = [
        services.create_call(
            org,
            year=2020 + i % 7,
            title=f"基准评选{i}",
            subject="paper",
            applicants="units",
            outcome="top",
            outcome_rule={"n": 10},
            form=[{"label": "题目", "kind": "text", "required": True}],
        )
        for i in range(20)
    ]
    rows = []
    for i in range(N_EXPERTS + 1000):  # 5,000 in the pool searched, 1,000 in another association's
        name = rng.choice(SURNAMES) + rng.choice(GIVEN[::2]) + rng.choice(GIVEN[1::2])
        rows.append(
            {
                "organisation_id": org.id if i < N_EXPERTS else other.id,
                "name": name,
                "title": "教授",
                "field": FIELDS[i % len(FIELDS)],
                "workplace": f"单位{i % 300}",
                "mobile": f"139{i:08d}",
                "email": None,
                "user_id": None,
            }
        )
    db.session.execute(sa.insert(Expert), rows)
    ids = db.session.execute(sa.select(Expert.id).where(Expert.organisation_id == org.id)).scalars().all()
    db.session.execute(
        sa.insert(CallExpert),
        [
            {"call_id": calls[j % 20].id, "expert_id": e}
            for k, e in enumerate(ids)
            for j in range(k % 4)
            if (k % 4) and j < 3
        ][:6000],
    )
    db.session.execute(
        sa.insert(ExpertConflict),
        [{"expert_id": e, "call_id": None, "note": "与某申报单位有合作关系"} for e in ids[::7]],
    )
    db.session.commit()
    return org.id, len(ids)


def _best(fn, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> dict:
    from bench._app import throwaway_app
    from calls import experts
    from core.extensions import db

    app = throwaway_app("kc-bench-pool-", database_url=os.environ.get("BENCH_DATABASE_URL"), WTF_CSRF_ENABLED=False)
    figures: dict[str, float] = {}
    with app.app_context():
        org_id, in_pool = _seed(db)
        name = db.session.execute(
            db.select(experts.Expert.name).where(experts.Expert.organisation_id == org_id).limit(1).offset(1234)
        ).scalar_one()
        surname = name[0]

        def run(**filters):
            page = experts.search_experts({org_id}, **filters)
            for e in page.items:  # what the page shows of each
                len(e.calls), len(e.conflicts)
            db.session.expunge_all()
            return page

        assert run().total == in_pool
        assert run(field="材料科学").total > 0, "field"
        assert run(name=name).total >= 1, name
        reference = _best(run)
        cases = {
            "field": {"field": "材料科学"},
            "name": {"name": surname},
            "full_name": {"name": name},
            "field_and_name": {"field": "农学", "name": surname},
        }
        print(f"calls_pool_page_reference: {reference * 1000:.1f} ms (one page of {in_pool} experts, no filter)")
        figures["calls_pool_page_reference_ms"] = reference * 1000
        for label, filters in cases.items():
            took = _best(lambda filters=filters: run(**filters))
            print(
                f"calls_pool_search_{label}: {took * 1000:.1f} ms ({took / BUDGET_S:.2f}x of 150 ms, "
                f"{took / reference:.2f}x the reference)"
            )
            figures[f"calls_pool_search_{label}_ms"] = took * 1000

    from sqlalchemy import event

    from accounts.services import create_user, grant_role

    with app.app_context():
        from accounts.models import Organisation

        user = create_user(name="基准组织者", email="bench-pool@example.cn", password="bench-password-123")
        grant_role(user, "organiser", organisation=db.session.get(Organisation, org_id))
        db.session.commit()
    client = app.test_client()
    assert (
        client.post("/login", data={"login": "bench-pool@example.cn", "password": "bench-password-123"}).status_code
        == 302
    )
    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    for query in ("", "?field=材料科学", f"?name={surname}"):
        statements.clear()
        started = time.perf_counter()
        response = client.get(f"/calls/experts{query}")
        took = time.perf_counter() - started
        print(
            f"calls_pool_page{query or ' (all)'}: HTTP {response.status_code}, {took * 1000:.0f} ms, "
            f"{len(statements)} queries"
        )
        figures[f"calls_pool_page_queries{query}"] = len(statements)
    return figures


if __name__ == "__main__":
    main()
