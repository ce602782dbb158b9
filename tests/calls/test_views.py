"""Pages of calls as their users use them: the organiser creates a call and builds its form, an applicant applies,
the organiser reviews and types in scores, the results page shows the rule and the bands; others get 403."""

import io

import pytest

from calls import services
from calls.models import Call
from core.extensions import db
from tests import factories
from tests.calls.test_services import ANSWERS, BANDS, FORM, paper, scored_call


def test_organiser_creates_a_call_and_builds_its_form(client, login):
    org = factories.association("青溪市科学技术协会")
    login(factories.organiser(org))
    factories.commit()
    response = client.post(
        "/calls/new",
        data={
            "title": "十佳科技辅导员评选",
            "year": "2026",
            "subject": "person",
            "applicants": "units",
            "method": "trimmed_mean",
            "outcome": "top",
            "top_n": "10",
            "bands": "",
            "first": "",
            "second": "",
            "third": "",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    call = db.session.query(Call).one()
    assert (call.subject, call.outcome, call.outcome_rule) == ("person", "top", {"n": 10})
    response = client.post(
        f"/calls/{call.id}/fields",
        data={
            "field-label": "辅导学生获奖情况",
            "field-kind": "choice",
            "field-choices": "国家级，省级, 市级",
            "field-required": "y",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert call.form_fields[0]["choices"] == ["国家级", "省级", "市级"] and call.form_fields[0]["required"] is True
    client.post(
        f"/calls/{call.id}/fields", data={"field-label": "事迹材料", "field-kind": "file", "field-accept": "pdf"}
    )
    page = client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert "文件字段须设置大小上限" in page  # refused, nothing added
    db.session.expire_all()
    assert len(call.form_fields) == 1
    assert "辅导学生获奖情况" in page and "国家级、省级、市级" in page


def test_a_band_gap_is_shown_next_to_the_bands(client, login):
    login(factories.organiser())
    factories.commit()
    page = client.post(
        "/calls/new",
        data={
            "title": "工作站绩效评估",
            "year": "2026",
            "subject": "organisation",
            "applicants": "units",
            "method": "mean",
            "outcome": "bands",
            "bands": "优秀 90 100\n合格 60 85\n不合格 0 60",
        },
    ).get_data(as_text=True)
    assert "等次之间有空档：85 至 90 分没有对应的等次" in page
    assert db.session.query(Call).count() == 0


def test_apply_review_score_and_results(client, login):
    org = factories.association("青溪市科学技术协会")
    organiser = factories.organiser(org)
    call = services.create_call(
        org,
        year=2026,
        title="自然科学优秀学术论文评选",
        subject="paper",
        applicants="units",
        outcome="bands",
        outcome_rule=BANDS,
        form=FORM,
    )
    services.set_status(call, "open")
    applicant = factories.coordinator(name="欧阳䶮")
    factories.commit()
    login(applicant)
    assert "自然科学优秀学术论文评选" in client.get("/calls/").get_data(as_text=True)
    page = client.post(
        f"/calls/{call.id}/apply",
        data={"title": "𠮷祥河水质", "applicant_name": "欧阳䶮", "unit_name": "䶮山学会", **ANSWERS, "f4": "十一"},
    )
    assert "作者人数须为数字" in page.get_data(as_text=True)
    page = client.post(
        f"/calls/{call.id}/apply",
        data={"title": "𠮷祥河水质", "applicant_name": "欧阳䶮", "unit_name": "䶮山学会", **ANSWERS},
    ).get_data(as_text=True)
    assert "请填写论文全文" in page  # the required file field, named; nothing saved
    assert not call.applications
    page = client.post(
        f"/calls/{call.id}/apply",
        data={
            "title": "𠮷祥河水质",
            "applicant_name": "欧阳䶮",
            "unit_name": "䶮山学会",
            **ANSWERS,
            "f6": (io.BytesIO(b"PK\x03\x04 not a pdf"), "全文.pdf"),
        },
    )
    assert "论文全文" in page.get_data(as_text=True) and "PDF" in page.get_data(as_text=True)
    upload = paper()["f6"][0]
    response = client.post(
        f"/calls/{call.id}/apply",
        data={
            "title": "𠮷祥河水质",
            "applicant_name": "欧阳䶮",
            "unit_name": "䶮山学会",
            **ANSWERS,
            "f6": (io.BytesIO(upload.data), upload.filename),
        },
    )
    assert response.status_code == 302
    application = call.applications[0]
    page = client.get(f"/calls/applications/{application.id}").get_data(as_text=True)
    assert "全文.pdf" in page
    from calls.files import files_of

    stored = files_of(application)["f6"][0]
    download = client.get(f"/calls/files/{stored.id}")
    assert download.status_code == 200 and download.data == upload.data
    assert client.get(f"/calls/applications/{application.id}").status_code == 200
    assert (
        client.post(
            f"/calls/applications/{application.id}", data={"action": "review", "review-decision": "accepted"}
        ).status_code
        == 403
    )
    assert client.get(f"/calls/{call.id}").status_code == 403
    assert client.get(f"/calls/{call.id}/results").status_code == 403

    client.post("/logout")
    login(organiser)
    page = client.post(
        f"/calls/applications/{application.id}",
        data={"action": "review", "review-decision": "rejected", "review-reason": ""},
    ).get_data(as_text=True)
    assert "请说明退回或不予受理的理由" in page
    assert (
        client.post(
            f"/calls/applications/{application.id}", data={"action": "review", "review-decision": "accepted"}
        ).status_code
        == 302
    )
    for expert, total in [("陈志远", "91"), ("刘晓梅", "93")]:
        assert (
            client.post(
                f"/calls/applications/{application.id}",
                data={"action": "score", "score-expert_name": expert, "score-total": total},
            ).status_code
            == 302
        )
    page = client.get(f"/calls/{call.id}/results").get_data(as_text=True)
    assert "优秀 ≥ 90 分" in page and "92.00" in page and "𠮷祥河水质" in page and "优秀 1" in page


@pytest.mark.parametrize("who", ["outsider", "coordinator", "judge"])
def test_only_the_call_organisers_manage_it(client, login, who):
    call, _apps = scored_call("bands", BANDS, [80])
    user = {"outsider": factories.organiser, "coordinator": factories.coordinator, "judge": lambda: factories.judge(1)}[
        who
    ]()
    login(user)
    factories.commit()
    for url in (
        f"/calls/{call.id}",
        f"/calls/{call.id}/results",
        f"/calls/{call.id}/outcome",
        f"/calls/applications/{_apps[0].id}",
    ):
        assert client.get(url).status_code == 403, url
    for url, data in (
        (f"/calls/{call.id}/status", {"status": "review"}),
        (f"/calls/{call.id}/fields", {"field-label": "x", "field-kind": "text"}),
        (f"/calls/{call.id}/outcome", {"outcome": "top", "top_n": "1"}),
    ):
        assert client.post(url, data=data).status_code == 403, url
    if who != "outsider":  # an organiser of another association sets up calls of their own
        assert client.get("/calls/new").status_code == 403


def test_results_page_keeps_its_query_count(client, login, count_queries):
    call, _apps = scored_call("bands", BANDS, [95, 80])
    login(factories.organiser(call.organisation))
    factories.commit()
    with count_queries() as few:
        client.get(f"/calls/{call.id}/results")
    more, _more = scored_call("bands", BANDS, [95, 80, 70, 60, 50, 40, 30, 20])
    more.organisation_id = call.organisation_id
    factories.commit()
    with count_queries() as many:
        client.get(f"/calls/{more.id}/results")
    assert len(many) == len(few)


@pytest.mark.parametrize("fmt", ["csv"])
def test_cli_lists_calls_and_writes_results(runner, fmt):
    call, _apps = scored_call("bands", BANDS, [95, 70, 50])
    factories.commit()
    listing = runner.invoke(args=["calls", "list"])
    assert listing.exit_code == 0
    assert listing.output.strip() == f"{call.id}\t2026\t自然科学优秀学术论文评选\tpaper\tbands\topen"
    result = runner.invoke(args=["calls", "results", "--call", str(call.id), "--format", fmt])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "code,title,unit,score,rank,result"
    assert lines[1] == f"SB2026-{call.id}-001,申报1,单位1,95.00,1,优秀"
    assert lines[3].endswith(",50.00,3,不合格")
    assert runner.invoke(args=["calls", "results", "--call", "999999"]).exit_code != 0


def test_organiser_changes_the_bands_and_a_gap_is_refused(client, login):
    call, _apps = scored_call("bands", BANDS, [95, 88, 50])
    login(factories.organiser(call.organisation))
    factories.commit()
    page = client.get(f"/calls/{call.id}/outcome").get_data(as_text=True)
    assert "优秀 90 100\n合格 60 90\n不合格 0 60" in page
    page = client.post(
        f"/calls/{call.id}/outcome", data={"outcome": "bands", "bands": "优秀 85 100\n合格 60 80\n不合格 0 60"}
    )
    assert "等次之间有空档：80 至 85 分没有对应的等次" in page.get_data(as_text=True)
    response = client.post(
        f"/calls/{call.id}/outcome", data={"outcome": "bands", "bands": "优秀 85 100\n合格 60 85\n不合格 0 60"}
    )
    assert response.status_code == 302
    page = client.get(f"/calls/{call.id}/results").get_data(as_text=True)
    assert "优秀 ≥ 85 分" in page and "优秀 2" in page
    response = client.post(f"/calls/{call.id}/outcome", data={"outcome": "top", "top_n": "1"})
    assert response.status_code == 302
    assert "前 1 名 1" in client.get(f"/calls/{call.id}/results").get_data(as_text=True)


def test_applicants_find_their_applications_with_the_reason(client, login):
    call, _apps = scored_call("bands", BANDS, [])
    applicant = factories.coordinator(name="欧阳䶮")
    application = services.submit_application(
        call,
        title="𠮷祥河水质",
        applicant_name="欧阳䶮",
        unit_name="",
        answers=ANSWERS,
        uploads=paper(),
        actor=applicant,
    )
    services.review_application(application, "returned", "缺少推荐意见", factories.organiser(call.organisation))
    factories.commit()
    login(applicant)
    page = client.get("/calls/").get_data(as_text=True)
    assert "𠮷祥河水质" in page and "缺少推荐意见" in page


def test_a_refused_answer_is_shown_next_to_its_field_and_nothing_is_saved(client, login):
    """The apply page commits through core.forms.commit_or_show and keeps each error beside its own field."""
    import re

    org = factories.association("青溪市科学技术协会")
    call = services.create_call(
        org,
        year=2026,
        title="自然科学优秀学术论文评选",
        subject="paper",
        applicants="units",
        outcome="bands",
        outcome_rule=BANDS,
        form=FORM,
    )
    services.set_status(call, "open")
    login(factories.coordinator(name="欧阳䶮"))
    factories.commit()
    base = {"title": "𠮷祥河水质", "applicant_name": "欧阳䶮", "unit_name": "䶮山学会", **ANSWERS}
    page = client.post(f"/calls/{call.id}/apply", data={**base, "f4": "十一"}).get_data(as_text=True)
    assert re.search(r'id="f4"[^>]*>\s*<div class="invalid-feedback">作者人数须为数字', page)
    assert 'is-invalid" id="f4"' in page or re.search(r'is-invalid"[^>]*id="f4"', page)
    page = client.post(f"/calls/{call.id}/apply", data={**base, "applicant_name": " "}).get_data(as_text=True)
    assert re.search(r'id="applicant_name"[^>]*>\s*<div class="invalid-feedback">请填写申报人', page), page[:3000]
    db.session.expire_all()
    assert not db.session.get(Call, call.id).applications


def test_the_home_page_lists_calls_open_to_individuals_with_the_way_to_register(client):
    """A visitor finds the selections that take individuals' applications on the public home page: each links to
    its apply page (login, then 注册账号); calls for units or nominations are not listed."""
    from calls import services as call_services
    from tests.calls.test_services import FORM

    city = factories.association("青溪市科学技术协会")
    made = {}
    for applicants, title in (("individuals", "最美科技工作者评选"), ("units", "优秀学会评选")):
        call = call_services.create_call(
            city,
            year=2026,
            title=title,
            subject="person",
            applicants=applicants,
            outcome="top",
            outcome_rule={"n": 10},
            form=FORM,
        )
        call_services.set_status(call, "open")
        made[applicants] = call
    factories.commit()
    html = client.get("/").get_data(as_text=True)
    assert "接受个人申报的评选" in html and "最美科技工作者评选" in html and "优秀学会评选" not in html
    assert f"/calls/{made['individuals'].id}/apply" in html and "/signup" in html
