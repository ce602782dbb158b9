"""Issuing, numbering (also under concurrency), revoke/reissue and the audit trail."""

import threading
from datetime import date

import pytest
import sqlalchemy as sa

from certificates import services
from certificates.models import Certificate, CertificateSeries, CertificateStatus
from core.errors import DomainError
from core.extensions import db
from core.models import AuditLog
from tests import factories as f
from tests.certificates import factories as cf
from tests.certificates.helpers import UNCOVERED


@pytest.fixture(autouse=True)
def _source():
    cf.install_source()
    cf.BATCHES.clear()
    yield
    cf.BATCHES.clear()


def test_issue_assigns_sequential_numbers_and_is_idempotent():
    county = f.association()
    school_a, school_b = f.school(county), f.school(county)
    cf.contest(1, county, cf.holders_for(school_a, ["王䶮", "李明"]) + cf.holders_for(school_b, ["赵一"], prefix="s"))
    template = cf.template(county)
    issued, plan = services.issue_certificates(cf.SOURCE_KEY, 1, template)
    db.session.commit()
    assert [c.number for c in issued] == ["2026-KC-00001", "2026-KC-00002", "2026-KC-00003"]
    assert plan.already == 0 and all(c.status == CertificateStatus.VALID for c in issued)
    assert issued[0].issue_date == date(2026, 5, 20) and issued[0].holder_name == "王䶮"
    tokens = {c.token for c in issued}
    assert len(tokens) == 3 and all(len(t) >= 32 for t in tokens)  # 192-bit urlsafe tokens
    assert not any(c.number in t for c in issued for t in tokens)

    again, plan = services.issue_certificates(cf.SOURCE_KEY, 1, template)
    db.session.commit()
    assert again == [] and plan.already == 3
    # a new holder appears later: only that one is issued, continuing the series
    cf.BATCHES[1]["batch"].holders.append(cf.holders_for(school_b, ["钱二"], prefix="late")[0])
    late, _ = services.issue_certificates(cf.SOURCE_KEY, 1, template)
    assert [c.number for c in late] == ["2026-KC-00004"]
    assert db.session.execute(sa.select(sa.func.count()).select_from(Certificate)).scalar_one() == 4


def test_issue_filters_by_category_and_school():
    county = f.association()
    a, b = f.school(county), f.school(county)
    cf.contest(
        2,
        county,
        cf.holders_for(a, ["甲", "乙"], category_code="INV")
        + cf.holders_for(b, ["丙"], prefix="b", category_code="ROB"),
    )
    template = cf.template(county)
    issued, _ = services.issue_certificates(cf.SOURCE_KEY, 2, template, category_code="ROB")
    assert [c.holder_name for c in issued] == ["丙"]
    issued, _ = services.issue_certificates(cf.SOURCE_KEY, 2, template, school_id=a.id)
    assert sorted(c.holder_name for c in issued) == ["乙", "甲"]


def test_issue_refused_when_results_not_final_and_nothing_written():
    county = f.association()
    cf.contest(3, county, cf.holders_for(f.school(county), ["甲"]), final=False)
    template = cf.template(county)
    db.session.commit()
    with pytest.raises(DomainError) as info:
        services.issue_certificates(cf.SOURCE_KEY, 3, template)
    assert info.value.code == "not_ready" and info.value.status == 409 and "not final" in str(info.value)
    db.session.rollback()
    assert db.session.execute(sa.select(sa.func.count()).select_from(Certificate)).scalar_one() == 0
    with pytest.raises(DomainError) as info:
        services.issue_certificates(cf.SOURCE_KEY, 999, template)
    assert info.value.status == 404


def test_preflight_blocks_missing_glyph_unless_accepted(system_faces):  # the check reads the CJK fonts
    county = f.association()
    school = f.school(county)
    cf.contest(4, county, cf.holders_for(school, ["吉" + UNCOVERED, "王五"]))
    template = cf.template(county)
    db.session.commit()
    with pytest.raises(DomainError) as info:
        services.issue_certificates(cf.SOURCE_KEY, 4, template)
    assert info.value.code == "preflight" and UNCOVERED in str(info.value) and "吉" + UNCOVERED in str(info.value)
    db.session.rollback()
    issued, plan = services.issue_certificates(cf.SOURCE_KEY, 4, template, accept_preflight=True)
    assert len(issued) == 2 and list(plan.preflight.missing) == [UNCOVERED]


def test_revoke_needs_reason_and_is_audited():
    county = f.association()
    cf.contest(5, county, cf.holders_for(f.school(county), ["甲"]))
    (cert,), _ = services.issue_certificates(cf.SOURCE_KEY, 5, cf.template(county))
    with pytest.raises(DomainError) as info:
        services.revoke_certificate(cert, "  ")
    assert info.value.field == "reason"
    services.revoke_certificate(cert, "成绩复核后取消")
    db.session.commit()
    assert cert.status == "revoked" and cert.revoked_at is not None
    with pytest.raises(DomainError):
        services.revoke_certificate(cert, "again")
    row = db.session.execute(sa.select(AuditLog).where(AuditLog.action == "revoke")).scalar_one()
    assert (
        row.object_id == str(cert.id) and row.after["reason"] == "成绩复核后取消" and row.organisation_id == county.id
    )


def test_reissue_supersedes_with_new_number_and_links():
    county = f.association()
    cf.contest(6, county, cf.holders_for(f.school(county), ["王小明", "李四"]))
    first, second = services.issue_certificates(cf.SOURCE_KEY, 6, cf.template(county))[0]
    new = services.reissue_certificate(first, {"holder_name": "王晓明"})
    db.session.commit()
    assert new.number == "2026-KC-00003" and new.holder_name == "王晓明" and new.token != first.token
    assert first.status == "superseded" and first.superseded_by_id == new.id
    assert new.holder_ref == first.holder_ref and new.school_name == first.school_name
    # re-running the batch issues nothing: the holder has a current certificate (the new one)
    again, plan = services.issue_certificates(cf.SOURCE_KEY, 6, cf.template(county, name="另一个"))
    assert again == [] and plan.already == 2
    actions = (
        db.session.execute(sa.select(AuditLog.action).where(AuditLog.object_type == "certificates")).scalars().all()
    )
    assert "reissue" in actions and "issue" in actions
    with pytest.raises(DomainError):
        services.reissue_certificate(first, {"holder_name": "x"})


def test_numbers_unique_and_gapless_under_concurrent_issuing(app):
    """Four organisers issue four contests of one series at the same time: 1..N without duplicates or gaps."""
    county = f.association()
    contests = []
    for n in range(4):
        school = f.school(county)
        cf.contest(100 + n, county, cf.holders_for(school, [f"学生{n}-{i}" for i in range(15)], prefix=f"c{n}"))
        contests.append(100 + n)
    template = cf.template(county)
    db.session.commit()
    template_id = template.id
    errors = []
    barrier = threading.Barrier(len(contests))

    def worker(contest_id):
        with app.app_context():
            try:
                from certificates.models import CertificateTemplate

                tpl = db.session.get(CertificateTemplate, template_id)
                barrier.wait(timeout=30)
                services.issue_certificates(cf.SOURCE_KEY, contest_id, tpl)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported below
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(c,)) for c in contests]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    db.session.expire_all()
    numbers = db.session.execute(sa.select(Certificate.number)).scalars().all()
    assert len(numbers) == 60 and len(set(numbers)) == 60
    assert sorted(int(n.rsplit("-", 1)[1]) for n in numbers) == list(range(1, 61))
    assert db.session.execute(sa.select(CertificateSeries.last_seq)).scalar_one() == 60


def test_concurrent_second_run_issues_nothing_twice(app):
    """Two organisers issue the same contest at once: every holder gets exactly one certificate."""
    county = f.association()
    cf.contest(200, county, cf.holders_for(f.school(county), [f"学生{i}" for i in range(10)]))
    template_id = cf.template(county).id
    db.session.commit()
    errors = []
    barrier = threading.Barrier(2)

    def worker():
        with app.app_context():
            try:
                from certificates.models import CertificateTemplate

                tpl = db.session.get(CertificateTemplate, template_id)
                barrier.wait(timeout=30)
                services.issue_certificates(cf.SOURCE_KEY, 200, tpl)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert db.session.execute(sa.select(sa.func.count()).select_from(Certificate)).scalar_one() == 10


def test_public_name_masking():
    cert = Certificate(holder_name="王小明", holder_minor=True, public_full_name=False)
    assert services.public_holder_name(cert) == "王*明"  # the one rule of core.privacy, as on the 公示 page
    cert.holder_name = "欧阳明轩"
    assert services.public_holder_name(cert) == "欧阳**"
    cert.public_full_name = True
    assert services.public_holder_name(cert) == "欧阳明轩"
    assert services.public_holder_name(Certificate(holder_name="李老师", holder_minor=False)) == "李老师"


def test_number_and_name_lookup():
    county = f.association()
    cf.contest(7, county, cf.holders_for(f.school(county), ["欧阳 明"]))
    (cert,), _ = services.issue_certificates(cf.SOURCE_KEY, 7, cf.template(county))
    assert services.certificate_by_number_and_name(cert.number.lower(), "欧阳明") == cert
    assert services.certificate_by_number_and_name(cert.number, "欧阳亮") is None
    assert services.certificate_by_number_and_name("2026-KC-99999", "欧阳明") is None
    assert services.certificate_by_token("not a token!") is None


def test_long_or_odd_contest_codes_are_normalised():
    county = f.association()
    cf.contest(8, county, cf.holders_for(f.school(county), ["甲"]), code="qx-kx/2026-contest-long")
    (cert,), _ = services.issue_certificates(cf.SOURCE_KEY, 8, cf.template(county))
    assert cert.number == "2026-QXKX2026CONTESTL-00001"
    new = services.reissue_certificate(cert, {"holder_name": "乙"})
    assert new.number == "2026-QXKX2026CONTESTL-00002"


@pytest.mark.parametrize(
    "pattern, typed",
    [
        ("qx-{YEAR}-{SEQ:05d}", lambda n: n),  # lower-case literal typed exactly
        ("qx-{YEAR}-{SEQ:05d}", lambda n: n.upper()),  # … or in capitals
        ("Qx-{YEAR}-{SEQ:05d}", lambda n: n.lower()),  # mixed case in the pattern
        (
            "{YEAR}-{CONTEST}-{SEQ:05d}",
            lambda n: n.translate(  # full-width digits and hyphen from a Chinese IME
                {ord(c): ord(c) + 0xFEE0 for c in "0123456789-"}
            ),
        ),
        ("{YEAR}-{CONTEST}-{SEQ:05d}", lambda n: " " + n.lower() + " "),
    ],
)
def test_lookup_by_number_ignores_case_and_full_width(pattern, typed):
    """QA: lookup upper-cased the typed number, so a number whose pattern has lower-case letters
    (allowed by the pattern rules) could never be verified by number + name."""
    county = f.association()
    cf.contest(17, county, cf.holders_for(f.school(county), ["林小雨"]))
    (cert,), _ = services.issue_certificates(cf.SOURCE_KEY, 17, cf.template(county, number_pattern=pattern))
    db.session.commit()
    assert services.certificate_by_number_and_name(typed(cert.number), "林小雨") == cert
    assert services.certificate_by_number_and_name(typed(cert.number), "林小雪") is None


def test_unknown_category_code_is_rejected_with_the_known_codes():
    """QA: a mistyped category code silently matched nobody and the page said "Nothing new to issue: all 0
    eligible holders already have a certificate"."""
    county = f.association()
    school = f.school(county)
    cf.contest(
        18,
        county,
        cf.holders_for(school, ["甲", "乙"], category_code="INV")
        + cf.holders_for(school, ["丙"], prefix="s", category_code="SCI"),
    )
    template = cf.template(county)
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        services.issue_certificates(cf.SOURCE_KEY, 18, template, category_code="INX")
    assert caught.value.code == "unknown_category" and caught.value.field == "category_code"
    assert "INX" in str(caught.value) and "INV, SCI" in str(caught.value)
    db.session.rollback()
    assert db.session.execute(sa.select(sa.func.count()).select_from(Certificate)).scalar_one() == 0
    issued, _ = services.issue_certificates(cf.SOURCE_KEY, 18, template, category_code="SCI")
    assert [c.holder_name for c in issued] == ["丙"]
