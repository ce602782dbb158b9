"""Benchmark: issue N award certificates in one transaction (preflight, numbering, inserts) on SQLite.

Prints `name: value unit (ratio vs reference)` lines and returns a dict. The reference is a bare bulk
insert of the same rows through the same session (no preflight, no source, no lock), measured in the same run.

    .venv/bin/python bench/certificates_issue.py [--count 5000]
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
from datetime import date

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main(count: int = 5000) -> dict:
    from accounts.models import Organisation
    from certificates import services
    from certificates.models import Certificate
    from certificates.sources import CertificateSource, Holder, SourceBatch, register_source
    from core import create_app
    from core.extensions import db

    tmp = tempfile.mkdtemp(prefix="kc-bench-cert-")
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
            "SQLALCHEMY_DATABASE_URI": None,
            "SECRET_KEY": "bench-" + "x" * 40,
            "UPLOAD_DIR": f"{tmp}/uploads",
            "JOBS_IMMEDIATE": True,
        },
        instance_path=tmp,
    )
    surnames, given = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高", "子涵欣怡梓萱浩宇一诺宇轩思远雨桐俊杰佳琪明轩嘉怡"
    with app.app_context():
        db.create_all()
        county = Organisation(kind="association", name="青溪县科学技术协会", code="QXKX")
        db.session.add(county)
        db.session.flush()
        schools = [Organisation(kind="school", name=f"第{i}中学", code=f"S{i}", parent_id=county.id) for i in range(20)]
        db.session.add_all(schools)
        db.session.flush()

        def holders(prefix):
            return [
                Holder(
                    ref=f"{prefix}:{i}",
                    name=surnames[i % 20] + given[i % 24] + given[(i * 7) % 24],
                    school_id=schools[i % 20].id,
                    school=schools[i % 20].name,
                    award="一等奖",
                    category="科技创新成果",
                    category_code="INV",
                    title=f"作品{i}",
                    advisors="李老师",
                )
                for i in range(count)
            ]

        batch = SourceBatch(
            "第25届青少年科技创新大赛", "KC", county.id, county.name, 2026, holders("b"), date(2026, 5, 20)
        )
        register_source(CertificateSource("bench.awards", "award", "contest", "bench", lambda _id: batch))
        template = services.create_template(county.id, "bench", kind="award")
        db.session.commit()

        start = time.perf_counter()
        issued, plan = services.issue_certificates("bench.awards", 1, template)
        db.session.commit()
        ours = time.perf_counter() - start
        assert len(issued) == count

        start = time.perf_counter()
        again, _ = services.issue_certificates("bench.awards", 1, template)
        db.session.commit()
        rerun = time.perf_counter() - start
        assert again == []

        start = time.perf_counter()
        for i, h in enumerate(holders("bare")):
            db.session.add(
                Certificate(
                    kind="award",
                    number=f"BARE-{i:06d}",
                    token=secrets.token_urlsafe(24),
                    status="valid",
                    source_key="bare",
                    scope="contest",
                    scope_id=2,
                    holder_ref=h.ref,
                    holder_name=h.name,
                    school_id=h.school_id,
                    school_name=h.school,
                    award=h.award,
                    category=h.category,
                    category_code=h.category_code,
                    title=h.title,
                    advisors=h.advisors,
                    scope_title=batch.scope_title,
                    org_name=batch.org_name,
                    organisation_id=county.id,
                    template_id=template.id,
                    issue_date=date(2026, 5, 20),
                )
            )
        db.session.commit()
        bare = time.perf_counter() - start
    result = {
        "issued_per_s": count / ours,
        "bare_insert_per_s": count / bare,
        "ratio": bare / ours,
        "rerun_s": rerun,
        "count": count,
    }
    print(
        f"certificates_issue: {result['issued_per_s']:.0f} certificates/s "
        f"({result['ratio']:.2f}x vs bare ORM insert at {result['bare_insert_per_s']:.0f}/s)"
    )
    print(f"certificates_issue_rerun: {rerun:.2f} s for {count} holders that already have one")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=5000)
    main(parser.parse_args().count)
