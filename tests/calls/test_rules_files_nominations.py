"""Eligibility rules over a call's fields (refused over a missing field when saved, checked on submit with the field
named), file fields (type, size, count; nothing written when the application is refused), and nominations by lower
associations within their quotas (refused beyond, with a message; the parent sees them by association)."""

import threading
from datetime import date
from pathlib import Path

import pytest
from flask import current_app
from flask_babel import force_locale

from calls import files, nominations, services
from calls.files import Upload
from calls.models import Call, CallApplication
from core.errors import DomainError
from core.extensions import db
from tests import factories
from tests.calls.test_services import ANSWERS, make_call, paper

PDF = paper()["f6"][0].data


def stored_files() -> set[str]:
    directory = Path(current_app.config["UPLOAD_DIR"]) / "calls"
    return {p.name for p in directory.iterdir()} if directory.exists() else set()


# --- eligibility --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule, message",
    [
        ({"kind": "within_years", "field": "f9", "years": 2}, "申请表中没有"),
        ({"kind": "within_years", "field": "f1", "years": 2}, "论文题目"),  # a text field
        ({"kind": "within_years", "field": "f3"}, "请填写年数"),
        ({"kind": "age_between", "field": "f3"}, "最小年龄"),
        ({"kind": "one_of", "field": "f5", "values": ["文科"]}, "理科、工科、农科"),
        ({"kind": "nonsense", "field": "f3"}, "请选择条件类型"),
    ],
)
def test_a_wrong_rule_is_refused_in_chinese_and_nothing_saved(rule, message):
    call = make_call()
    with force_locale("zh_CN"), pytest.raises(DomainError) as refused:
        services.add_rule(call, rule)
    assert message in str(refused.value)
    db.session.expire_all()
    assert call.eligibility == []


def test_a_field_a_rule_uses_cannot_be_removed():
    call = make_call()
    services.add_rule(call, {"kind": "within_years", "field": "f3", "years": 2})
    with force_locale("zh_CN"), pytest.raises(DomainError) as refused:
        services.remove_field(call, "f3")
    assert "发表日期" in str(refused.value)
    services.remove_rule(call, 0)
    services.remove_field(call, "f3")


def test_published_within_two_years_checked_on_submit():
    call = make_call()
    services.add_rule(call, {"kind": "within_years", "field": "f3", "years": 2})
    services.set_status(call, "open")
    with force_locale("zh_CN"), pytest.raises(DomainError) as refused:
        services.submit_application(
            call,
            title="旧论文",
            applicant_name="张三",
            unit_name="",
            uploads=paper(),
            answers={**ANSWERS, "f3": "2023-06-01"},
            actor=None,
            today=date(2026, 12, 7),
        )
    assert "发表日期" in str(refused.value) and "2024-12-07" in str(refused.value)
    assert refused.value.field == "f3"
    application = services.submit_application(
        call,
        title="新论文",
        applicant_name="张三",
        unit_name="",
        uploads=paper(),
        answers={**ANSWERS, "f3": "2025-06-01"},
        actor=None,
        today=date(2026, 12, 7),
    )
    assert application.number == 1


def test_age_at_a_reference_date_and_unit_type():
    form = [
        {"label": "出生日期", "kind": "date", "required": True},
        {"label": "单位类型", "kind": "choice", "required": False, "choices": ["小学", "初中", "企业"]},
    ]
    call = make_call(form=form)
    services.add_rule(call, {"kind": "age_between", "field": "f1", "min": "", "max": "60", "reference": "2026-12-31"})
    services.add_rule(call, {"kind": "one_of", "field": "f2", "values": ["小学", "初中"]})
    services.set_status(call, "open")

    def submit(birth, unit):
        return services.submit_application(
            call, title="辅导员", applicant_name="何秀英", unit_name="", answers={"f1": birth, "f2": unit}, actor=None
        )

    with force_locale("zh_CN"):
        with pytest.raises(DomainError) as refused:
            submit("1965-12-31", "小学")  # 61 on the reference date
        assert "出生日期" in str(refused.value) and "61" in str(refused.value)
        with pytest.raises(DomainError) as refused:
            submit("1966-01-01", "企业")
        assert "单位类型" in str(refused.value) and "小学、初中" in str(refused.value)
        with pytest.raises(DomainError) as refused:
            submit("1966-01-01", "")  # an optional field a rule needs
        assert "单位类型" in str(refused.value)
    assert submit("1966-01-01", "初中").number == 1  # 60 on the reference date
    assert db.session.query(CallApplication).count() == 1


# --- files --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "uploads, message",
    [
        ({}, "请填写论文全文"),
        ({"f6": [Upload("全文.pdf", b"PK\x03\x04" + b"0" * 100)]}, "论文全文"),  # not a PDF by content
        ({"f6": [Upload("全文.pdf", PDF), Upload("附件.pdf", PDF)]}, "最多"),  # max_count 1
        ({"f6": [Upload("全文.pdf", b"%PDF-1.4\n" + b"0" * (21 * 1024 * 1024))]}, "20"),  # max_mb 20
    ],
)
def test_file_fields_are_checked_and_nothing_is_written_when_refused(uploads, message):
    call = make_call()
    services.set_status(call, "open")
    before = stored_files()
    with force_locale("zh_CN"), pytest.raises(DomainError) as refused:
        services.submit_application(
            call, title="论文", applicant_name="张三", unit_name="", answers=ANSWERS, uploads=uploads, actor=None
        )
    assert message in str(refused.value) and refused.value.field == "f6"
    assert stored_files() == before
    assert db.session.query(CallApplication).count() == 0


def test_files_are_stored_with_the_application_and_removed_on_rollback(app):
    call = make_call()
    services.set_status(call, "open")
    factories.commit()
    before = stored_files()
    application = services.submit_application(
        call,
        title="论文",
        applicant_name="张三",
        unit_name="",
        answers=ANSWERS,
        uploads=paper("论文全文.pdf"),
        actor=None,
    )
    [stored] = files.files_of(application)["f6"]
    assert (stored.original_name, stored.file_type, stored.size) == ("论文全文.pdf", "pdf", len(PDF))
    assert files.path_of(stored).read_bytes() == PDF
    db.session.rollback()  # e.g. the commit failed: the written file goes with the rows
    assert stored_files() == before
    application = services.submit_application(
        db.session.get(Call, call.id),
        title="论文",
        applicant_name="张三",
        unit_name="",
        answers=ANSWERS,
        uploads=paper(),
        actor=None,
    )
    db.session.commit()
    assert len(stored_files() - before) == 1


# --- nominations --------------------------------------------------------------------------------------------


def nomination_call():
    city = factories.association("青溪市科学技术协会")
    counties = [factories.association(name, parent=city) for name in ("青溪县科协", "龙泉县科协")]
    call = services.create_call(
        city,
        year=2026,
        title="十佳科技辅导员评选",
        subject="person",
        applicants="nominations",
        outcome="top",
        outcome_rule={"n": 10},
        form=[{"label": "工作单位", "kind": "text", "required": True}],
    )
    services.set_status(call, "open")
    return city, counties, call


def nominate(call, org, actor, name="何秀英"):
    return nominations.nominate(
        call, org.id, actor, title=name, applicant_name=name, unit_name="", answers={"f1": "青溪县实验小学"}
    )


def test_a_county_nominates_up_to_its_quota():
    city, (qingxi, longquan), call = nomination_call()
    county_organiser = factories.organiser(qingxi)
    nominations.set_quotas(call, {qingxi.id: "2", longquan.id: "1"})
    assert [q.organisation_id for q in nominations.nominating_for(call, county_organiser)] == [qingxi.id]
    nominate(call, qingxi, county_organiser, "何秀英")
    nominate(call, qingxi, county_organiser, "罗建华")
    with force_locale("zh_CN"), pytest.raises(DomainError) as refused:
        nominate(call, qingxi, county_organiser, "梁晓东")
    assert "青溪县科协" in str(refused.value) and "2" in str(refused.value) and refused.value.status == 409
    with pytest.raises(DomainError):  # not theirs to nominate for
        nominate(call, longquan, county_organiser)
    by_association = {
        q.organisation.name: [a.title for a in apps] for q, apps in nominations.nominations_by_association(call)
    }
    assert by_association == {"青溪县科协": ["何秀英", "罗建华"], "龙泉县科协": []}
    with force_locale("zh_CN"), pytest.raises(DomainError) as refused:
        nominations.set_quotas(call, {qingxi.id: "1"})  # below what it already nominated
    assert "青溪县科协" in str(refused.value)


def test_quotas_go_only_to_lower_associations_and_bad_numbers_save_nothing():
    city, (qingxi, longquan), call = nomination_call()
    elsewhere = factories.association("临江市科协")
    factories.commit()
    with pytest.raises(DomainError):
        nominations.set_quotas(call, {elsewhere.id: "3"})
    with force_locale("zh_CN"), pytest.raises(DomainError) as refused:
        nominations.set_quotas(call, {qingxi.id: "3", longquan.id: "三"})
    assert "龙泉县科协" in str(refused.value)
    db.session.rollback()
    assert nominations.quotas_of(db.session.get(Call, call.id)) == []


def test_the_county_nominates_on_the_apply_page_and_the_city_sees_it(client, login):
    city, (qingxi, longquan), call = nomination_call()
    nominations.set_quotas(call, {qingxi.id: "1", longquan.id: "1"})
    county_organiser, city_organiser = factories.organiser(qingxi), factories.organiser(city)
    outsider = factories.coordinator()
    factories.commit()
    login(outsider)
    assert client.get(f"/calls/{call.id}/apply").status_code == 403
    client.post("/logout")
    login(county_organiser)
    page = client.get(f"/calls/{call.id}/apply").get_data(as_text=True)
    assert "青溪县科协" in page and "龙泉县科协" not in page
    data = {"title": "何秀英", "applicant_name": "何秀英", "f1": "青溪县实验小学", "nominated_by": str(qingxi.id)}
    assert client.post(f"/calls/{call.id}/apply", data=data).status_code == 302
    page = client.post(f"/calls/{call.id}/apply", data={**data, "title": "罗建华"}).get_data(as_text=True)
    assert "名额" in page
    assert db.session.query(CallApplication).count() == 1
    client.post("/logout")
    login(city_organiser)
    page = client.get(f"/calls/{call.id}/nominations").get_data(as_text=True)
    assert "何秀英" in page and "龙泉县科协" in page
    response = client.post(
        f"/calls/{call.id}/nominations", data={f"quota-{qingxi.id}": "2", f"quota-{longquan.id}": "0"}
    )
    assert response.status_code == 302
    assert {q.organisation_id: q.quota for q in nominations.quotas_of(call)} == {qingxi.id: 2}


def test_concurrent_nominations_never_exceed_the_quota(app):
    city, (qingxi, _longquan), call = nomination_call()
    nominations.set_quotas(call, {qingxi.id: "3"})
    organiser = factories.organiser(qingxi)
    db.session.commit()
    call_id, org_id, user_id = call.id, qingxi.id, organiser.id
    done, refused, errors = [], [], []
    barrier = threading.Barrier(8)

    def nominate_one(n):
        from accounts.models import User

        with app.app_context():
            barrier.wait()
            try:
                application = nominations.nominate(
                    db.session.get(Call, call_id),
                    org_id,
                    db.session.get(User, user_id),
                    title=f"辅导员{n}",
                    applicant_name=f"辅导员{n}",
                    unit_name="",
                    answers={"f1": "青溪县实验小学"},
                )
                db.session.commit()
                done.append(application.number)
            except DomainError as exc:
                db.session.rollback()
                refused.append(exc.code)
            except Exception as exc:  # noqa: BLE001  (collected and asserted below)
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=nominate_one, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(done) == [1, 2, 3] and refused == ["quota"] * 5
    assert db.session.query(CallApplication).filter_by(nominated_by_id=org_id).count() == 3
