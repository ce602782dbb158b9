"""A journey per role: log in, see the dashboard with the role, open every page the navigation offers."""

import re

import pytest

from core.extensions import db
from tests import factories

ROLE_LABELS = {
    "admin": "管理员",
    "organiser": "组织者",
    "coordinator": "学校联络员",
    "judge": "评委",
    "checkin": "签到员",
}


def _make(role: str):
    county = factories.association("青溪县科学技术协会")
    if role == "admin":
        return factories.admin()
    if role == "organiser":
        return factories.organiser(county)
    if role == "coordinator":
        return factories.coordinator(factories.school(parent=county, name="青溪县实验小学"))
    if role == "judge":
        return factories.judge(contest_id=1)
    return factories.checkin_staff(event_id=1)


@pytest.mark.parametrize("role", list(ROLE_LABELS))
def test_role_journey(client, login, role):
    user = _make(role)
    factories.commit()
    login(user)
    dashboard = client.get("/dashboard")
    html = dashboard.get_data(as_text=True)
    assert dashboard.status_code == 200
    assert ROLE_LABELS[role] in html
    nav = re.findall(r'<li class="nav-item"><a class="nav-link" href="([^"]+)">', html)
    for href in nav:
        response = client.get(href, follow_redirects=True)
        assert response.status_code == 200, f"{role}: {href} -> {response.status_code}"
    assert client.get("/profile").status_code == 200
    client.post("/logout")
    assert client.get("/dashboard").status_code == 302


def test_organiser_browses_the_audit_log_by_object(client, login):
    county = factories.association()
    organiser = factories.organiser(county)
    other = factories.organiser(factories.association())
    factories.commit()
    login(organiser)
    client.post(
        "/organisations/new",
        data={"kind": "school", "name": "青溪县第一中学", "code": "QX-9", "parent_id": county.id, "stage": "complete"},
    )
    import sqlalchemy as sa

    from accounts.models import Organisation

    school_id = db.session.execute(sa.select(Organisation.id).where(Organisation.code == "QX-9")).scalar_one()
    page = client.get(f"/audit?object_type=organisations&object_id={school_id}").get_data(as_text=True)
    assert "青溪县第一中学" in page
    client.post("/logout")
    login(other)
    assert "青溪县第一中学" not in client.get("/audit?object_type=organisations").get_data(as_text=True)
