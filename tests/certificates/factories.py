"""Certificates test factories: a registered in-memory certificate source and a valid template.

The source is a real CertificateSource whose holders come from a dict the test fills, so these tests
exercise issuing, numbering and verification without depending on the judging area's data model.
"""

from __future__ import annotations

from datetime import date

from certificates import services
from certificates.sources import CertificateSource, Holder, SourceBatch, SourceNotFound, SourceNotReady, register_source

SOURCE_KEY = "tests.awards"
BATCHES: dict[int, dict] = {}  # contest id -> {"final": bool, "batch": SourceBatch}


def collect(contest_id: int) -> SourceBatch:
    entry = BATCHES.get(contest_id)
    if entry is None:
        raise SourceNotFound()
    if not entry["final"]:
        raise SourceNotReady("The results of this contest are not final yet.")
    return entry["batch"]


def install_source() -> None:
    register_source(
        CertificateSource(key=SOURCE_KEY, kind="award", scope="contest", label="Test award winners", collect=collect)
    )


def contest(
    contest_id: int, organiser_org, holders: list[Holder], *, final: bool = True, code: str = "KC"
) -> SourceBatch:
    batch = SourceBatch(
        scope_title=f"第{contest_id}届青少年科技创新大赛",
        scope_code=code,
        organisation_id=organiser_org.id,
        org_name=organiser_org.name,
        year=2026,
        holders=holders,
        issue_date=date(2026, 5, 20),
    )
    BATCHES[contest_id] = {"final": final, "batch": batch}
    return batch


def holders_for(
    school, names: list[str], prefix: str = "r", category_code: str = "INV", award: str = "一等奖"
) -> list[Holder]:
    return [
        Holder(
            ref=f"{prefix}:{school.id}:{i}",
            name=name,
            school_id=school.id,
            school=school.name,
            award=award,
            category="科技创新成果",
            category_code=category_code,
            title=f"作品{i}",
            advisors="李老师",
        )
        for i, name in enumerate(names)
    ]


def template(org, **kw):
    return services.create_template(
        org.id, kw.pop("name", "获奖证书"), kind=kw.pop("kind", "award"), spec=kw.pop("spec", None), **kw
    )
