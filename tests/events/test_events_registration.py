"""Registration: capacity per session (also under concurrent registrations), waiting list, duplicates, cancel."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from events.models import EventStatus, Registration, RegistrationSource, RegistrationStatus
from events.services import capacity as capacity_service
from events.services import checkin as checkin_service
from events.services import planning as planning_service
from events.services import registration as registration_service
from events.services.planning import SessionSpec
from events.tickets import CODE_LENGTH, parse_code
from tests import factories
from tests.events import factories as ef


def test_registration_gets_an_unguessable_code_and_link():
    event = ef.event(capacity=5)
    registration = ef.registration(event, phone="138 0000 1234")
    assert registration.status == RegistrationStatus.CONFIRMED
    assert len(registration.code) == CODE_LENGTH and parse_code(registration.code) == registration.code
    assert str(registration.id) not in registration.code
    assert len(registration.link_token) >= 32
    assert registration.phone == "13800001234"


def test_capacity_then_waitlist_then_full():
    event = ef.event(capacity=2)
    first, second = ef.registration(event), ef.registration(event)
    third = ef.registration(event)
    assert [r.status for r in (first, second, third)] == ["confirmed", "confirmed", "waitlisted"]
    event.waitlist_enabled = False
    with pytest.raises(DomainError) as excinfo:
        ef.registration(event)
    assert excinfo.value.code == "full" and excinfo.value.status == 409
    assert db.session.execute(sa.select(sa.func.count(Registration.id))).scalar() == 3


def test_group_takes_its_head_count_and_must_fit_whole():
    event = ef.event(capacity=30)
    ef.registration(event, kind="group", head_count=25, name="王老师", school_name="青溪县实验小学")
    group = ef.registration(event, kind="group", head_count=6, name="李老师")
    assert group.status == RegistrationStatus.WAITLISTED  # 6 don't fit in the 5 left
    single = ef.registration(event)
    assert single.status == RegistrationStatus.CONFIRMED  # 1 fits
    counts = capacity_service.session_counts([event.sessions[0].id])[event.sessions[0].id]
    assert (counts.registered, counts.waitlisted) == (26, 6)


def test_sessions_have_their_own_capacity():
    start = utcnow() + timedelta(days=3)
    event = ef.event(
        sessions=[
            SessionSpec(start, start + timedelta(hours=1), 1, "上午场"),
            SessionSpec(start + timedelta(hours=2), start + timedelta(hours=3), 1, "下午场"),
        ]
    )
    morning, afternoon = event.sessions
    assert ef.registration(event, session=morning).status == "confirmed"
    assert ef.registration(event, session=afternoon).status == "confirmed"
    assert ef.registration(event, session=morning).status == "waitlisted"


def test_same_phone_twice_for_the_same_session_is_refused():
    event = ef.event(capacity=10)
    ef.registration(event, phone="13811112222")
    with pytest.raises(DomainError) as excinfo:
        ef.registration(event, phone="+86 138-1111-2222", name="别人")
    assert excinfo.value.field == "phone" and excinfo.value.code == "duplicate"


def test_same_phone_may_register_again_after_cancelling():
    event = ef.event(capacity=10)
    first = ef.registration(event, phone="13811112222")
    registration_service.cancel_registration(first)
    again = ef.registration(event, phone="13811112222")
    assert again.status == RegistrationStatus.CONFIRMED


@pytest.mark.parametrize("phone", ["", "12345", "2381234567"])
def test_bad_phone_is_refused(phone):
    event = ef.event(capacity=10)
    with pytest.raises(DomainError) as excinfo:
        ef.registration(event, phone=phone)
    assert excinfo.value.field == "phone"


def test_registration_window_and_status():
    now = utcnow()
    event = ef.event(capacity=10, registration_opens_at=now + timedelta(hours=1))
    with pytest.raises(DomainError):
        ef.registration(event)
    draft = ef.event(capacity=10, status=EventStatus.DRAFT)
    with pytest.raises(DomainError):
        ef.registration(draft)
    # walk-ins at the door skip the window, not the capacity
    walk_in = ef.registration(event, source=RegistrationSource.WALK_IN, phone=None)
    assert walk_in.status == RegistrationStatus.CONFIRMED and walk_in.phone is None


def test_school_group_events_refuse_individuals():
    event = ef.event(capacity=50, audience="school_groups")
    with pytest.raises(DomainError) as excinfo:
        ef.registration(event)
    assert excinfo.value.field == "kind"
    assert ef.registration(event, kind="group", head_count=40).status == "confirmed"


def test_cancellation_promotes_the_waiting_list_in_order():
    event = ef.event(capacity=2)
    first, _second = ef.registration(event), ef.registration(event)
    waiting_a, waiting_b = ef.registration(event), ef.registration(event)
    promoted = registration_service.cancel_registration(first)
    assert promoted == [waiting_a]
    db.session.refresh(waiting_a)
    assert waiting_a.status == RegistrationStatus.CONFIRMED and waiting_a.promoted_at is not None
    assert waiting_b.status == RegistrationStatus.WAITLISTED
    # cancelling a waiting registration frees no seat and promotes nobody
    assert registration_service.cancel_registration(waiting_b) == []
    assert registration_service.cancel_registration(waiting_b) == []  # twice is harmless


def test_raising_capacity_promotes():
    event = ef.event(capacity=1)
    ef.registration(event)
    waiting = ef.registration(event)
    session = event.sessions[0]
    planning_service.update_session(session, starts_at=session.starts_at, ends_at=session.ends_at, capacity=2)
    assert waiting.status == RegistrationStatus.CONFIRMED


def test_checked_in_ticket_cannot_be_cancelled():
    event = ef.event(capacity=2)
    registration = ef.registration(event)
    assert checkin_service.perform_checkin(event, raw_code=registration.code).http_status == 201
    with pytest.raises(DomainError):
        registration_service.cancel_registration(registration)


def test_concurrent_registrations_never_overfill(app):
    org = factories.association()
    event = ef.event(org, capacity=5)
    session_id = event.sessions[0].id
    db.session.commit()
    results, errors = [], []
    barrier = threading.Barrier(12)

    def register(n):
        with app.app_context():
            barrier.wait()
            try:
                session = db.session.get(type(event.sessions[0]), session_id)
                registration = registration_service.register(session, name=f"访客{n}", phone=f"1390000{n:04d}")
                db.session.commit()
                results.append(registration.status)
            except Exception as exc:  # noqa: BLE001  (collected and asserted below)
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == ["confirmed"] * 5 + ["waitlisted"] * 7
    confirmed = db.session.execute(
        sa.select(sa.func.count()).where(Registration.session_id == session_id, Registration.status == "confirmed")
    ).scalar()
    assert confirmed == 5


def test_registration_for_a_session_that_is_over_is_refused(org):
    """An event's morning session is over while the event (and so its registration window) still runs."""
    start = (utcnow() - timedelta(hours=5)).replace(microsecond=0)
    event = ef.event(org, capacity=10, starts_at=start, hours=8)
    over = event.sessions[0]
    planning_service.update_session(over, starts_at=start, ends_at=start + timedelta(hours=2), capacity=10)
    later = planning_service.add_session(
        event, starts_at=utcnow() + timedelta(hours=1), ends_at=start + timedelta(hours=8), capacity=10
    )
    with pytest.raises(DomainError) as refused:
        ef.registration(event, session=over)
    assert refused.value.field == "session_id"
    assert "结束" in str(refused.value) or "over" in str(refused.value)
    assert ef.registration(event, session=later).status == "confirmed"
    # a walk-in is bound by the session's check-in window instead, and refused before anything is written
    with pytest.raises(DomainError) as outside:
        registration_service.register(over, name="现场", phone=None, source="walk_in")
    assert outside.value.code == "outside_window"
    assert capacity_service.session_counts([over.id])[over.id].registrations == 0
