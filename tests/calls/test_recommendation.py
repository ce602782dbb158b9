"""Recommendation upward (推荐上报): a finished call's chosen results become nominations of its association in the
parent association's open call — copied title, applicant, unit, answers and files — all or nothing, within the
quota, audited, and the parent call's organisers are told."""

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from calls import nominations, recommendation, services
from calls.files import files_of, path_of
from calls.models import CallApplication
from core.audit import AuditLog
from core.errors import DomainError
from core.extensions import db
from notifications.models import Message
from tests import factories
from tests.calls.test_services import ANSWERS, FORM, paper


def world(quota="2", n=3):
    """A province's open call taking nominations (quota for the city), and the city's finished call of n results."""
    province = factories.association("四川省科学技术协会")
    city = factories.association("青溪市科学技术协会", parent=province)
    province_organiser, city_organiser = factories.organiser(province, name="省科协管理员"), factories.organiser(city)
    parent = services.create_call(
        province,
        year=2026,
        title="全省十佳科技辅导员评选",
        subject="paper",
        applicants="nominations",
        outcome="top",
        outcome_rule={"n": 10},
        form=FORM,
    )
    services.set_status(parent, "open")
    nominations.set_quotas(parent, {city.id: quota})
    call = services.create_call(
        city,
        year=2026,
        title="十佳科技辅导员评选",
        subject="paper",
        applicants="units",
        outcome="top",
        outcome_rule={"n": n},
        form=FORM,
    )
    services.set_status(call, "open")
    apps = []
    for i, centre in enumerate([95, 90, 85, 60][: n + 1]):
        app = services.submit_application(
            call,
            title=f"辅导员{i + 1}",
            applicant_name=f"欧阳䶮{i + 1}",
            unit_name=f"青溪{i + 1}中",
            answers=ANSWERS,
            uploads=paper(f"材料{i + 1}.pdf"),
            actor=None,
        )
        services.review_application(app, "accepted", "", city_organiser)
        for expert in "甲乙丙丁戊":
            services.record_score(app, expert, str(centre), city_organiser)
        apps.append(app)
    services.set_status(call, "review")
    services.set_status(call, "finished")
    return call, parent, apps, city_organiser, province_organiser


def count(parent):
    return db.session.execute(
        sa.select(sa.func.count()).select_from(CallApplication).where(CallApplication.call_id == parent.id)
    ).scalar()


def test_chosen_results_become_nominations_with_copies_audit_and_a_message():
    call, parent, apps, city_organiser, province_organiser = world()
    assert [(p.call.id, p.left) for p in recommendation.parent_calls(call)] == [(parent.id, 2)]
    made = recommendation.recommend_results(call, parent, [apps[1].id, apps[0].id], city_organiser)
    assert [a.title for a in made] == ["辅导员1", "辅导员2"]  # in the order of the results
    first = made[0]
    assert (first.applicant_name, first.unit_name, first.nominated_by_id) == (
        "欧阳䶮1",
        "青溪1中",
        call.organisation_id,
    )
    assert first.recommended_from_id == apps[0].id and first.answers == apps[0].answers
    copied, original = files_of(first)["f6"][0], files_of(apps[0])["f6"][0]
    assert copied.original_name == "材料1.pdf" and copied.stored_name != original.stored_name
    assert path_of(copied).read_bytes() == path_of(original).read_bytes()
    assert recommendation.parent_calls(call)[0].left == 0
    assert set(recommendation.recommended_to(call)) == {apps[0].id, apps[1].id}
    logged = db.session.execute(sa.select(AuditLog).where(AuditLog.action == "recommend")).scalars().all()
    assert {row.object_id for row in logged} == {str(a.id) for a in made}
    message = db.session.execute(
        sa.select(Message).where(
            Message.kind == "calls.results_recommended",
            Message.user_id == province_organiser.id,
            Message.channel == "inbox",
        )
    ).scalar_one()
    assert "青溪市科学技术协会" in message.subject and "辅导员1" in message.body


def test_beyond_the_quota_nothing_is_recommended_and_the_message_says_why():
    call, parent, apps, city_organiser, _province = world(quota="2")
    with force_locale("zh_CN"), pytest.raises(DomainError) as refused:
        recommendation.recommend_results(call, parent, [a.id for a in apps[:3]], city_organiser)
    assert refused.value.code == "quota"
    assert "青溪市科学技术协会" in str(refused.value) and "剩余 2 个名额" in str(refused.value)
    db.session.rollback()
    assert count(parent) == 0


def test_refused_when_not_final_already_recommended_or_not_a_result():
    call, parent, apps, city_organiser, _province = world(quota="3")
    recommendation.recommend_results(call, parent, [apps[0].id], city_organiser)
    with pytest.raises(DomainError) as refused:
        recommendation.recommend_results(call, parent, [apps[1].id, apps[0].id], city_organiser)
    assert refused.value.code == "duplicate"
    with pytest.raises(DomainError):  # the fourth scored lowest: no result in the top 3
        recommendation.recommend_results(call, parent, [apps[3].id], city_organiser)
    with pytest.raises(DomainError):
        recommendation.recommend_results(call, parent, [], city_organiser)
    services.set_status(call, "review")
    with pytest.raises(DomainError) as refused:
        recommendation.recommend_results(call, parent, [apps[1].id], city_organiser)
    assert refused.value.code == "not_final"
    db.session.rollback()


def test_a_parent_form_that_refuses_one_refuses_all():
    call, parent, apps, city_organiser, _province = world(quota="3")
    parent.form_fields = [*parent.form_fields, {**parent.form_fields[0], "key": "f9", "label": "省级推荐意见"}]
    db.session.flush()
    with force_locale("zh_CN"), pytest.raises(DomainError) as refused:
        recommendation.recommend_results(call, parent, [apps[0].id, apps[1].id], city_organiser)
    assert "辅导员1" in str(refused.value) and "省级推荐意见" in str(refused.value)
    db.session.rollback()
    assert count(parent) == 0


def test_the_page_recommends_and_is_the_organisers_only(client, login):
    call, parent, apps, city_organiser, province_organiser = world()
    stranger = factories.organiser(factories.association("临江市科学技术协会"))
    factories.commit()
    login(stranger)
    assert client.get(f"/calls/{call.id}/recommend").status_code == 403
    client.post("/logout")
    login(city_organiser)
    page = client.get(f"/calls/{call.id}/recommend").get_data(as_text=True)
    assert "全省十佳科技辅导员评选" in page and "辅导员3" in page and "辅导员4" not in page
    data = {"parent_id": parent.id, "application_ids": [apps[0].id, apps[1].id, apps[2].id]}
    page = client.post(f"/calls/{call.id}/recommend", data=data).get_data(as_text=True)
    assert "剩余 2 个名额" in page and count(parent) == 0
    response = client.post(f"/calls/{call.id}/recommend", data={**data, "application_ids": [apps[0].id]})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已推荐至全省十佳科技辅导员评选" in page
    assert count(parent) == 1


def test_the_demo_seeds_the_province_call_the_city_recommends_into():
    """seed-demo: the demo city gets its province above it, whose 十佳 call takes the city's recommendations
    (3 places); once the city's 十佳 results are final its organiser sees that call. Seeding twice adds nothing."""
    from calls import demo_calls
    from calls.models import Call, CallStatus
    from core.demo import DemoContext

    city = factories.association("青溪市科学技术协会")
    county = factories.association("青溪县科学技术协会", parent=city)
    users = {"city_organiser": factories.organiser(city), "organiser": factories.organiser(county, name="王丽华")}
    context = DemoContext(scale=1, echo=lambda _m: None, data={"city": city, "county": county, "users": users})
    demo_calls.seed_more_calls(context)
    demo_calls.seed_more_calls(context)
    province_calls = db.session.execute(sa.select(Call).where(Call.title == demo_calls.PROVINCE_TITLE)).scalars().all()
    assert len(province_calls) == 1
    (parent,) = province_calls
    assert city.parent.name == "四川省科学技术协会" and parent.organisation_id == city.parent_id
    assert parent.status == CallStatus.OPEN
    assert {q.organisation_id: q.quota for q in nominations.quotas_of(parent)} == {city.id: 3}
    advisors = db.session.execute(sa.select(Call).where(Call.title == demo_calls.ADVISORS_TITLE)).scalar_one()
    services.set_status(advisors, "finished")
    assert [p.call.id for p in recommendation.parent_calls(advisors)] == [parent.id]
