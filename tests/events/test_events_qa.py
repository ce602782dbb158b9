"""Regressions found by walking through issue 6 as its users would (QA pass): one test per bug fixed."""
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from accounts import services as account_services
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from events import services
from events.models import CheckIn, Registration, ScanLog
from tests import factories
from tests.events import factories as ef


@pytest.fixture
def org():
    return factories.association(name="青溪县科学技术协会")


def _walk_in(client, headers, event, nonce, **fields):
    payload = {"session_id": event.sessions[0].id, "name": "现场观众", "phone": "", "nonce": nonce, **fields}
    return client.post(f"/api/v1/events/{event.id}/walk-ins", headers=headers, json=payload)


def test_a_retried_walk_in_registers_the_visitor_once(client, org):
    """The scanner page retries a walk-in with the same nonce after a network error: the retry must answer like
    the first attempt instead of registering the visitor a second time (and leaving a ticket never used)."""
    event = ef.event(org, capacity=5)
    staff = factories.checkin_staff(event.id)
    _row, token = account_services.create_api_token(staff, "scanner")
    factories.commit()
    headers = {"Authorization": f"Bearer {token}"}
    first = _walk_in(client, headers, event, "walk-1")
    again = _walk_in(client, headers, event, "walk-1")
    assert first.status_code == 201 and again.status_code == 201
    assert again.get_json() == first.get_json()
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScanLog)) == 2  # the retry is logged too
    # with a phone the retry used to be refused as a duplicate registration instead of replaying the answer
    with_phone = _walk_in(client, headers, event, "walk-2", phone="13912340000", name="李四")
    retry = _walk_in(client, headers, event, "walk-2", phone="13912340000", name="李四")
    assert with_phone.status_code == 201 and retry.status_code == 201 and retry.get_json() == with_phone.get_json()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 2


def test_registration_for_a_session_that_is_over_is_refused(org):
    """An event's morning session is over while the event (and so its registration window) still runs."""
    start = (utcnow() - timedelta(hours=5)).replace(microsecond=0)
    event = ef.event(org, capacity=10, starts_at=start, hours=8)
    over = event.sessions[0]
    services.update_session(over, starts_at=start, ends_at=start + timedelta(hours=2), capacity=10)
    later = services.add_session(event, starts_at=utcnow() + timedelta(hours=1), ends_at=start + timedelta(hours=8),
                                 capacity=10)
    with pytest.raises(DomainError) as refused:
        ef.registration(event, session=over)
    assert refused.value.field == "session_id"
    assert "结束" in str(refused.value) or "over" in str(refused.value)
    assert ef.registration(event, session=later).status == "confirmed"
    # walk-ins at the door are not bound by the registration window
    assert services.register(over, name="现场", phone=None, source="walk_in").status == "confirmed"


def test_event_pages_use_their_own_words_not_other_areas(client, login, org):
    """Catalogs of all areas are merged and other areas win for shared msgids: the events pages must not show a
    contest's "作品名称" for an event title, "名称" for a person's name, or "上一页" for the previous month."""
    organiser = factories.organiser(org)
    event = ef.event(org, capacity=10)
    registration = ef.registration(event, name="王小明", phone="13911112222")
    services.perform_checkin(event, raw_code=registration.code, gate="东门")
    ef.caravan(org)
    factories.commit()
    login(organiser)
    manage = client.get("/events/manage").get_data(as_text=True)
    assert "作品名称" not in manage and "活动名称" in manage
    assert "作品名称" not in client.get("/events/new").get_data(as_text=True)
    for url in (f"/events/{event.id}/registrations", f"/events/{event.id}/attendance", f"/events/{event.id}/scan"):
        page = client.get(url).get_data(as_text=True)
        assert "<th>名称</th>" not in page and ">名称<" not in page, url
        assert "姓名" in page, url
    calendar = client.get("/events/caravans/calendar").get_data(as_text=True)
    assert "上一页" not in calendar and "上个月" in calendar and "下个月" in calendar
    workbook = load_workbook(io.BytesIO(client.get(f"/events/{event.id}/attendance.xlsx").data))
    assert workbook.worksheets[2].cell(1, 1).value == "姓名"
