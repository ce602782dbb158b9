"""Calls in the annual report (applications, experts and results per call) and in the open data (final results
only; adults' names as published, students' names masked)."""

import pytest
from flask_babel import force_locale

from calls import experts, services
from calls.models import Call
from core.extensions import db
from reports.services.annual import annual_report
from reports.services.opendata import collect_open_data
from tests import factories
from tests.calls.test_services import BANDS, scored_call


def test_the_annual_report_counts_applications_experts_and_results_per_call():
    call, apps = scored_call("bands", BANDS, [95, 80, 52])
    organiser = factories.organiser(call.organisation)
    for name in ("孙德明", "陈志远"):
        experts.invite_to_call(
            experts.add_expert(call.organisation, {"name": name, "email": f"{len(name)}{name}@e.cn"}), call, organiser
        )
    services.set_status(call, "review")
    with force_locale("zh_CN"):
        report = annual_report(call.organisation, 2026)
        assert report.figure("call_applications").value == 3
        assert report.figure("call_experts").value == 5  # five experts scored; two of them invited from the pool
        assert report.figure("call_results").value == 3
        [row] = report.table("calls_by_call").rows
        assert (row.label, row.values) == (call.title, [3, 3, 5, 3])
        assert annual_report(call.organisation, 2025).sections[-1].title != "评选申报"  # nothing that year


def test_open_data_publishes_final_results_and_masks_students():
    call, apps = scored_call("bands", BANDS, [95, 80])
    for app, name in zip(apps, ["欧阳䶮", "张三"], strict=True):
        app.applicant_name = name
    with force_locale("zh_CN"):
        tables = {t.name: t for t in collect_open_data()}
        assert tables["call_results"].rows == []  # under review: nothing published
        services.set_status(call, "review")
        services.set_status(call, "finished")
        rows = {r["code"]: r for r in next(t for t in collect_open_data() if t.name == "call_results").rows}
        assert {r["applicant"] for r in rows.values()} == {"欧阳䶮", "张三"}  # a paper's authors: adults, as published
        assert {r["result"] for r in rows.values()} == {"优秀", "合格"}
        call.subject = "entry"  # students' entries: the minors' rule
        db.session.flush()
        rows = next(t for t in collect_open_data() if t.name == "call_results").rows
        assert {r["applicant"] for r in rows} == {"欧阳*", "张*"}
    assert db.session.get(Call, call.id).status == "finished"


def test_certificate_holders_are_the_final_results():
    from calls.certificates import collect_result_holders
    from certificates.sources import SourceNotReady

    call, apps = scored_call("bands", BANDS, [95, 80, 52])
    apps[0].applicant_name = "欧阳䶮"
    services.set_status(call, "review")
    with pytest.raises(SourceNotReady):
        collect_result_holders(call.id)
    services.set_status(call, "finished")
    batch = collect_result_holders(call.id)
    assert [(h.name, h.award, h.minor) for h in batch.holders] == [
        ("欧阳䶮", "优秀", False),
        ("单位2", "合格", False),
        ("单位3", "不合格", False),
    ]
    assert batch.scope_title == call.title and batch.organisation_id == call.organisation_id
    assert len({h.ref for h in batch.holders}) == 3
