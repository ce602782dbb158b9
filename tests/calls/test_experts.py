"""The expert pool (专家库): experts added with the phone rule, searched by field and name, their contacts masked on
the list, invited to a call (an account invitation for one without an account, the expert role and a notification
for one with), calls served and conflicts kept; an expert sees only the calls they were invited to."""

import pytest
import sqlalchemy as sa

from accounts.invitations import accept_invitation
from accounts.models import Invitation
from calls import experts, services
from core.errors import DomainError
from core.extensions import db
from core.permissions import Role
from notifications.models import Message
from tests import factories
from tests.calls.test_services import BANDS, FORM


def make_call(org, title="自然科学优秀学术论文评选"):
    return services.create_call(
        org, year=2026, title=title, subject="paper", applicants="units", outcome="bands", outcome_rule=BANDS, form=FORM
    )


def test_experts_are_added_with_clean_contacts_and_refused_when_incomplete():
    city = factories.association("青溪市科学技术协会")
    expert = experts.add_expert(
        city,
        {
            "name": " 欧阳䶮 ",
            "title": "教授",
            "field": "材料科学",
            "mobile": "138 0013 8000",
            "email": "OuYang@Example.cn",
        },
    )
    assert (expert.name, expert.mobile, expert.email) == ("欧阳䶮", "13800138000", "ouyang@example.cn")
    with pytest.raises(DomainError) as refused:
        experts.add_expert(city, {"name": "", "field": "材料科学"})
    assert refused.value.field == "name"
    with pytest.raises(DomainError) as refused:
        experts.add_expert(city, {"name": "张三", "mobile": "12345"})
    assert refused.value.field == "mobile"


def test_search_by_field_and_name_within_the_association():
    city, other = factories.association("青溪市科学技术协会"), factories.association("临江市科学技术协会")
    for name, field in [("孙德明", "材料科学"), ("陈志远", "材料科学"), ("刘晓梅", "生物医药"), ("孙丽娟", "农学")]:
        experts.add_expert(city, {"name": name, "field": field})
    experts.add_expert(other, {"name": "孙悟", "field": "材料科学"})
    assert {e.name for e in experts.search_experts({city.id}, field="材料科学").items} == {"孙德明", "陈志远"}
    assert {e.name for e in experts.search_experts({city.id}, name="孙").items} == {"孙德明", "孙丽娟"}
    assert [e.name for e in experts.search_experts({city.id}, name="孙", field="农学").items] == ["孙丽娟"]
    assert experts.search_experts({city.id}, name="%").total == 0  # LIKE wildcards are searched as text
    assert experts.pool_fields({city.id}) == sorted({"材料科学", "生物医药", "农学"})


def test_invite_without_an_account_sends_an_invitation_for_the_call(app):
    city = factories.association("青溪市科学技术协会")
    organiser = factories.organiser(city)
    call, other_call = make_call(city), make_call(city, "十佳科技辅导员评选")
    expert = experts.add_expert(city, {"name": "孙德明", "field": "材料科学", "email": "sun@example.cn"})
    served = experts.invite_to_call(expert, call, organiser)
    invitation = served.invitation
    assert (invitation.role, invitation.scope_id, invitation.email) == ("expert", call.id, "sun@example.cn")
    assert db.session.execute(sa.select(Message).where(Message.kind == "accounts.invitation")).scalars().first()
    with pytest.raises(DomainError):  # once per call
        experts.invite_to_call(expert, call, organiser)
    # accepting the link (the token is only in the message: make a fresh one as accounts would)
    from accounts.invitations import create_invitation

    _inv, token = create_invitation(role=Role.EXPERT, created_by=organiser, scope_id=call.id, email="sun@example.cn")
    user = accept_invitation(token, name="孙德明", password="a-long-password-1", email=None, mobile=None)
    assert experts.calls_of_expert(user) == [call]  # this call, not the other one
    assert other_call not in experts.calls_of_expert(user)
    assert served.expert.user_id is None
    invitation.used_by_id, invitation.used_at = user.id, _inv.used_at
    assert experts.link_accepted_invitations(call) == 1 and expert.user_id == user.id


def test_invite_with_an_account_grants_the_role_and_notifies(app):
    city = factories.association("青溪市科学技术协会")
    organiser = factories.organiser(city)
    call = make_call(city)
    user = factories.user("孙德明", email="sun@example.cn")
    expert = experts.add_expert(city, {"name": "孙德明", "field": "材料科学"})
    expert.user_id = user.id
    db.session.flush()
    experts.invite_to_call(expert, call, organiser)
    assert call.id in user.scope_ids(Role.EXPERT)
    assert (
        db.session.execute(sa.select(Message.kind).where(Message.user_id == user.id)).scalars().first()
        == "calls.expert_invited"
    )
    assert db.session.query(Invitation).count() == 0
    assert [c.call for c in expert.calls] == [call]


def test_only_the_pools_experts_and_only_with_a_way_to_reach_them():
    city, other = factories.association("青溪市科学技术协会"), factories.association("临江市科学技术协会")
    organiser = factories.organiser(city)
    call = make_call(city)
    stranger = experts.add_expert(other, {"name": "外市专家", "email": "x@example.cn"})
    with pytest.raises(DomainError):
        experts.invite_to_call(stranger, call, organiser)
    silent = experts.add_expert(city, {"name": "无联系方式"})
    with pytest.raises(DomainError) as refused:
        experts.invite_to_call(silent, call, organiser)
    assert "无联系方式" in str(refused.value)


def test_conflicts_are_kept_with_the_expert():
    city = factories.association("青溪市科学技术协会")
    call = make_call(city)
    expert = experts.add_expert(city, {"name": "刘晓梅", "field": "生物医药"})
    experts.declare_conflict(expert, "与市医学会推荐论文作者为同一课题组", call)
    with pytest.raises(DomainError):
        experts.declare_conflict(expert, " ")
    assert [c.note for c in expert.conflicts] == ["与市医学会推荐论文作者为同一课题组"]


def test_pool_page_masks_contacts_and_keeps_its_query_count(client, login, count_queries):
    city = factories.association("青溪市科学技术协会")
    organiser = factories.organiser(city)
    call = make_call(city)
    for i in range(3):
        e = experts.add_expert(
            city,
            {"name": f"专家{i}", "field": "材料科学", "mobile": f"1380013800{i}", "email": f"expert{i}@example.cn"},
        )
        experts.declare_conflict(e, "同一单位", call)
    factories.commit()
    login(organiser)
    page = client.get("/calls/experts").get_data(as_text=True)
    assert "138****8000" in page and "13800138000" not in page and "ex***@example.cn" in page
    factories.commit()  # both counts start from an expired session
    with count_queries() as few:
        client.get("/calls/experts")
    for i in range(3, 30):
        e = experts.add_expert(city, {"name": f"专家{i}", "field": "材料科学", "mobile": f"138001380{i:02d}"})
        experts.declare_conflict(e, "同一单位", call)
    factories.commit()
    with count_queries() as many:
        page = client.get("/calls/experts").get_data(as_text=True)
    assert "专家29" in page or "专家9" in page
    assert len(many) == len(few), "\n".join(s[:90] for s in many) + "\n---\n" + "\n".join(s[:90] for s in few)


def test_pages_of_the_pool_and_of_an_experts_calls_are_guarded(client, login):
    city = factories.association("青溪市科学技术协会")
    organiser = factories.organiser(city)
    call, hidden = make_call(city), make_call(city, "十佳科技辅导员评选")
    user = factories.user("孙德明", email="sun@example.cn")
    expert = experts.add_expert(city, {"name": "孙德明", "field": "材料科学"})
    expert.user_id = user.id
    factories.commit()
    login(organiser)
    response = client.post(f"/calls/{call.id}/experts", data={"expert_id": expert.id})
    assert response.status_code == 302
    assert "孙德明" in client.get(f"/calls/{call.id}/experts").get_data(as_text=True)
    client.post("/logout")
    login(user)
    assert client.get("/calls/experts").status_code == 403
    assert client.get(f"/calls/experts/{expert.id}").status_code == 403
    assert client.get(f"/calls/{call.id}/experts").status_code == 403
    page = client.get("/calls/mine/expert").get_data(as_text=True)
    assert call.title in page and hidden.title not in page
