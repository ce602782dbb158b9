"""Organisers reach people (issue 23, point 4): full phones (each view and export audited), group members in the
attendance export, the insurance/contact list for 研学, the printable sign-in sheet per session."""

import io
import subprocess
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from core.errors import DomainError
from core.extensions import db
from core.idcard import make_id_number
from core.models import AuditLog
from events.services import checkin as checkin_service
from tests import factories
from tests.events import factories as ef


@pytest.fixture
def org():
    return factories.association(name="青溪县科学技术协会")


def _contacts_seen() -> list[str]:
    rows = (
        db.session.execute(sa.select(AuditLog).where(AuditLog.action == "view_contacts").order_by(AuditLog.id))
        .scalars()
        .all()
    )
    return [row.after["what"] for row in rows]


def test_organiser_sees_full_phones_and_each_view_and_export_is_audited(client, login, org):
    organiser = factories.organiser(org)
    event = ef.event(org, capacity=50)
    ef.registration(event, name="刘䶮", phone="13911112222", school_name="青溪县实验小学")
    group = ef.registration(
        event,
        name="董老师",
        kind="group",
        head_count=3,
        phone="13933334444",
        school_name="青溪县育才小学",
        member_names="王𠮷祥\n李四、欧阳娜娜",
    )
    checkin_service.perform_checkin(event, raw_code=group.code, gate="东门")
    factories.commit()
    login(organiser)
    page = client.get(f"/events/{event.id}/registrations").get_data(as_text=True)
    assert "13911112222" in page and "王𠮷祥" in page
    attendance = client.get(f"/events/{event.id}/attendance").get_data(as_text=True)
    assert "13911112222" in attendance  # the no-show is called
    book = load_workbook(io.BytesIO(client.get(f"/events/{event.id}/attendance.xlsx").data))
    attendees = [[c.value for c in row] for row in book.worksheets[2].iter_rows()]
    assert "团体成员" in attendees[0]
    assert attendees[1][:2] == ["董老师", "13933334444"] and "王𠮷祥、李四、欧阳娜娜" in attendees[1]
    assert _contacts_seen() == ["registrations", "attendance", "attendance.xlsx"]
    row = db.session.execute(sa.select(AuditLog).where(AuditLog.action == "view_contacts")).scalars().first()
    assert row.actor_id == organiser.id and row.organisation_id == org.id


def test_insurance_list_with_id_numbers_for_a_study_visit(client, login, org):
    organiser = factories.organiser(org)
    event = ef.event(org, capacity=50, kind="study_visit", title="研学：走进国家天文台", personal_data="id_number")
    number = make_id_number("110105", date(2013, 5, 20), 12, "女")
    factories.commit()
    # the public form asks for the ID number, and refuses a wrong check digit next to the field
    form = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert 'name="id_number"' in form and 'name="birth_date"' not in form
    data = {
        "session_id": event.sessions[0].id,
        "kind": "individual",
        "name": "刘䶮",
        "phone": "13800138000",
        "school_name": "青溪县实验小学",
        "grade": "五年级",
        "head_count": 1,
    }
    wrong = client.post(
        f"/events/{event.id}", data={**data, "id_number": number[:-1] + ("0" if number[-1] != "0" else "1")}
    )
    assert wrong.status_code == 200 and "is-invalid" in wrong.get_data(as_text=True)
    assert client.post(f"/events/{event.id}", data={**data, "id_number": number}).status_code == 302
    ef.registration(
        event,
        name="带队老师",
        kind="group",
        head_count=2,
        phone="13955556666",
        school_name="青溪县育才小学",
        member_names="王𠮷祥\n张三",
    )
    factories.commit()
    login(organiser)
    book = load_workbook(io.BytesIO(client.get(f"/events/{event.id}/insurance.xlsx").data))
    rows = [[c.value for c in row] for row in book.active.iter_rows()]
    assert book.active.title == "保险名单"
    assert rows[0][:6] == ["序号", "姓名", "性别", "出生日期", "身份证号", "监护人/联系电话"]
    assert rows[1][1:6] == ["刘䶮", "女", "2013-05-20", number, "13800138000"]
    assert [r[1] for r in rows[2:]] == ["带队老师", "王𠮷祥", "张三"] and rows[3][5] == "13955556666"
    assert _contacts_seen() == ["insurance.xlsx"]


def test_birth_date_and_gender_are_required_where_asked(org):
    event = ef.event(org, capacity=5, personal_data="birth_date")
    with pytest.raises(DomainError) as excinfo:
        ef.registration(event, name="刘䶮")
    assert excinfo.value.field == "gender"
    registration = ef.registration(event, name="刘䶮", gender="男", birth_date=date(2014, 3, 1))
    assert (registration.gender, registration.birth_date) == ("男", date(2014, 3, 1))
    # events that don't ask keep nothing
    plain = ef.registration(ef.event(org, capacity=5), name="王小丫", gender="男", birth_date=date(2014, 3, 1))
    assert plain.birth_date is None and plain.gender == ""


def test_signin_sheet_per_session(client, login, org, tmp_path):
    organiser = factories.organiser(org)
    event = ef.event(org, capacity=50, title="科普讲座：走近人工智能")
    ef.registration(event, name="刘䶮", phone="13911112222", school_name="青溪县实验小学")
    ef.registration(
        event, name="董老师", kind="group", head_count=3, school_name="青溪县育才小学", member_names="王𠮷祥、李四"
    )
    factories.commit()
    login(organiser)
    admin = client.get(f"/events/{event.id}/admin").get_data(as_text=True)
    url = f"/events/sessions/{event.sessions[0].id}/signin.pdf"
    assert url in admin
    response = client.get(url)
    assert response.mimetype == "application/pdf"
    path = tmp_path / "signin.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
    assert "签到表" in text and "刘䶮" in text and "王𠮷祥" in text and "签名" in text
    assert "139****2222" in text and "13911112222" not in text  # the sheet lies open at the door
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])  # every font embedded
    assert _contacts_seen() == [f"signin.pdf:{event.sessions[0].id}"]


def test_checkin_staff_cannot_open_contacts(client, login, org):
    event = ef.event(org, capacity=10)
    staff = factories.checkin_staff(event.id)
    factories.commit()
    login(staff)
    for url in (f"/events/{event.id}/insurance.xlsx", f"/events/sessions/{event.sessions[0].id}/signin.pdf"):
        assert client.get(url).status_code == 403, url
