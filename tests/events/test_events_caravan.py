"""Caravan requests and approvals: conflicts with buffers, staff, blackouts, soft conflicts, concurrent approvals."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from core.errors import DomainError
from core.extensions import db
from events.caravan import conflicts as conflicts_service
from events.caravan import fleet as fleet_service
from events.caravan import visits as visits_service
from events.caravan.models import Caravan, CaravanBooking, CaravanVisit
from events.models import EventKind, VisitStatus
from tests import factories
from tests.events import factories as ef


@pytest.fixture
def org():
    return factories.association()


def test_request_then_approve_creates_a_scheduled_event(org):
    driver = ef.staff(org, "司机老陈")
    caravan = ef.caravan(org, crew=[driver])
    start = ef.future_day(20, 9)
    visit = ef.visit_request(org, start, expected_audience=150)
    assert visit.status == VisitStatus.REQUESTED and len(visit.token) >= 32
    visits_service.approve_visit(visit, caravan=caravan)
    assert visit.status == VisitStatus.CONFIRMED
    assert visit.event.kind == EventKind.CARAVAN_SCHOOL
    assert visit.event.sessions[0].capacity == 150
    assert visit.event.venue.name == "青溪县实验小学"
    assert [s.name for s in visit.staff] == ["司机老陈"]
    resources = sorted(db.session.execute(sa.select(CaravanBooking.resource)).scalars())
    assert resources == [f"caravan:{caravan.id}", f"staff:{driver.id}"]
    booking = db.session.execute(sa.select(CaravanBooking).limit(1)).scalar_one()
    # default buffers: 60 min travel + 60 min setup before, 30 min teardown after
    assert booking.blocked_from == start - timedelta(hours=2)
    assert booking.blocked_until == start + timedelta(hours=2, minutes=30)
    assert visit.sequence == 1


def test_request_overlapping_a_confirmed_visit_is_refused(org):
    caravan = ef.caravan(org)
    start = ef.future_day(20, 9)
    visits_service.approve_visit(ef.visit_request(org, start), caravan=caravan)
    with pytest.raises(DomainError) as excinfo:
        ef.visit_request(org, start + timedelta(hours=3), host_name="桃源镇中心小学")  # inside teardown+travel+setup
    assert excinfo.value.code == "conflict" and excinfo.value.field == "preferred_start"
    # a second caravan makes the same slot possible
    ef.caravan(org, name="科普大篷车二号")
    assert ef.visit_request(org, start + timedelta(hours=3), host_name="桃源镇中心小学").status == "requested"


def test_adjacent_after_buffers_is_allowed(org):
    caravan = ef.caravan(org)
    start = ef.future_day(20, 8)
    visits_service.approve_visit(ef.visit_request(org, start, hours=2), caravan=caravan)
    # first blocks until 10:30; the next needs travel 60 + setup 60 before → may start at 12:30
    later = ef.visit_request(org, start + timedelta(hours=4, minutes=30), host_name="白沙镇中心小学")
    visits_service.approve_visit(later, caravan=caravan)
    assert later.status == VisitStatus.CONFIRMED
    # 15:00 would need the caravan from 13:00, while the 12:30 visit keeps it until 15:00
    with pytest.raises(DomainError):
        ef.visit_request(org, start + timedelta(hours=7), host_name="育才小学")


def test_staff_member_cannot_be_on_two_caravans_at_once(org):
    guide = ef.staff(org, "讲解员小林")
    first = ef.caravan(org, "一号车", crew=[guide])
    second = ef.caravan(org, "二号车", crew=[guide])
    start = ef.future_day(25, 9)
    visits_service.approve_visit(ef.visit_request(org, start), caravan=first)
    visit = ef.visit_request(org, start, host_name="城关第二小学")
    with pytest.raises(DomainError) as excinfo:
        visits_service.approve_visit(visit, caravan=second)
    assert excinfo.value.code == "conflict"
    visits_service.approve_visit(visit, caravan=second, staff_ids=[])  # without the shared guide it's fine
    assert visit.status == VisitStatus.CONFIRMED


def test_pending_requests_are_soft_conflicts(org):
    caravan = ef.caravan(org)
    start = ef.future_day(30, 9)
    first = ef.visit_request(org, start)
    second = ef.visit_request(org, start, host_name="育才小学")
    report = conflicts_service.visit_conflicts(second, caravan_id=caravan.id)
    assert report.ok
    assert [c.other_key for c in report.soft] == [first.id]


def test_blackout_days_refuse_requests_and_approvals(org):
    caravan = ef.caravan(org)
    start = ef.future_day(40, 9)
    fleet_service.add_blackout(organisation_id=org.id, first_day=start.date(), last_day=start.date(), reason="车辆年检")
    with pytest.raises(DomainError):
        ef.visit_request(org, start)
    visit = ef.visit_request(org, start + timedelta(days=1))
    with pytest.raises(DomainError) as excinfo:
        visits_service.approve_visit(visit, caravan=caravan, starts_at=start, ends_at=start + timedelta(hours=2))
    assert "车辆年检" in str(excinfo.value)


def test_decline_needs_a_reason_and_propose_then_accept(org):
    caravan = ef.caravan(org)
    visit = ef.visit_request(org, ef.future_day(20))
    with pytest.raises(DomainError):
        visits_service.decline_visit(visit, reason=" ")
    new_start = ef.future_day(21)
    visits_service.propose_visit_date(
        visit, starts_at=new_start, ends_at=new_start + timedelta(hours=2), reason="20日已满"
    )
    assert visit.status == VisitStatus.PROPOSED and visit.starts_at == new_start
    visits_service.accept_proposed_date(visit)
    assert visit.status == VisitStatus.REQUESTED
    visits_service.approve_visit(visit, caravan=caravan)
    with pytest.raises(DomainError):
        visits_service.decline_visit(visit, reason="太晚了")
    visits_service.cancel_visit(visit, reason="学校停课")
    assert visit.status == VisitStatus.CANCELLED and visit.event.status == "cancelled"
    assert db.session.execute(sa.select(sa.func.count(CaravanBooking.id))).scalar() == 0


def test_requests_refuse_bad_input(org):
    ef.caravan(org)
    with pytest.raises(DomainError) as excinfo:
        ef.visit_request(org, ef.future_day(-2))
    assert excinfo.value.field == "preferred_start"
    with pytest.raises(DomainError) as excinfo:
        ef.visit_request(org, ef.future_day(5), contact_phone="123")
    assert excinfo.value.field == "contact_phone"
    assert db.session.execute(sa.select(sa.func.count(CaravanVisit.id))).scalar() == 0


def test_concurrent_approvals_cannot_double_book(app, org):
    caravan = ef.caravan(org)
    start = ef.future_day(15, 9)
    visits = [ef.visit_request(org, start + timedelta(minutes=10 * n), host_name=f"学校{n}") for n in range(4)]
    db.session.commit()
    ids, caravan_id = [v.id for v in visits], caravan.id
    barrier = threading.Barrier(len(ids))
    outcomes = []

    def approve(visit_id):
        with app.app_context(), app.test_request_context("/"):
            try:
                barrier.wait()
                visit = db.session.get(CaravanVisit, visit_id)
                visits_service.approve_visit(visit, caravan=db.session.get(Caravan, caravan_id))
                db.session.commit()
                outcomes.append("ok")
            except DomainError as exc:
                db.session.rollback()
                outcomes.append(exc.code)
            except Exception as exc:  # noqa: BLE001
                db.session.rollback()
                outcomes.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict"] * 3 + ["ok"]
    confirmed = db.session.execute(
        sa.select(sa.func.count(CaravanVisit.id)).where(CaravanVisit.status == VisitStatus.CONFIRMED)
    ).scalar()
    assert confirmed == 1


def test_database_refuses_overlapping_bookings_on_postgresql(org):
    """The exclusion constraint holds even if the application check were skipped."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("exclusion constraints exist on PostgreSQL only (SQLite relies on the locked check)")
    caravan = ef.caravan(org)
    start = ef.future_day(15, 9)
    a, b = ef.visit_request(org, start), ef.visit_request(org, start, host_name="其他学校")
    visits_service.approve_visit(a, caravan=caravan)
    db.session.add(
        CaravanBooking(
            visit_id=b.id,
            resource=f"caravan:{caravan.id}",
            blocked_from=start,
            blocked_until=start + timedelta(hours=1),
        )
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_double_booking_refusal_shows_the_visit_times_and_the_buffered_interval_as_such(org):
    """The refusal names the colliding visit's own times, and says the longer blocked time includes travel,
    setup and packing up (default buffers: 60 min travel + 60 min setup before, 30 min after)."""
    guide = ef.staff(org, "讲解员林晓")
    caravan = ef.caravan(org, "科普大篷车一号", crew=[guide])
    start = ef.future_day(20, 9)  # 09:00–11:00 local: blocked 07:00–11:30
    visits_service.approve_visit(ef.visit_request(org, start, host_name="青溪县实验小学"), caravan=caravan)
    later = ef.visit_request(org, start + timedelta(days=1), host_name="桃源镇中心小学")
    with pytest.raises(DomainError) as excinfo:
        visits_service.approve_visit(
            later, caravan=caravan, starts_at=start + timedelta(hours=3), ends_at=start + timedelta(hours=5)
        )
    day = start.strftime("%Y-%m-%d")
    assert str(excinfo.value) == (
        f"无法安排：大篷车已安排在青溪县实验小学：活动时间 {day} 09:00 – 11:00，加上路程、布展和撤展时间，"
        f"大篷车在 {day} 07:00 至 11:30 期间都被占用；随车人员讲解员林晓已安排在青溪县实验小学：活动时间 {day} 09:00 – 11:00，"
        f"加上路程、布展和撤展时间，该人员在 {day} 07:00 至 11:30 期间都被占用；"
        f"而本次活动加上自身的路程、布展和撤展时间，需要占用 {day} 10:00 至 14:30。"
    )
    with force_locale("en"):
        english = conflicts_service.describe_conflicts(
            conflicts_service.visit_conflicts(
                later,
                caravan_id=caravan.id,
                staff_ids=[guide.id],
                start=start + timedelta(hours=3),
                end=start + timedelta(hours=5),
            )
        )
    assert english.startswith(
        f"the caravan is already booked for 青溪县实验小学: the visit runs {day} 09:00 – 11:00, and with travel, "
        f"setup and packing-up time the caravan is busy from {day} 07:00 to 11:30; 讲解员林晓 is already booked"
    )
    assert later.status == VisitStatus.REQUESTED


# --- the staff feed behind a random token (issue 19, item 9) ------------------------------------------------


def test_the_caravan_staff_feed_needs_its_random_token(client, login):
    from events.caravan.models import Caravan
    from tests import factories as f
    from tests.events import factories as caravan_factories

    org = f.association(name="青溪县科学技术协会")
    organiser = f.organiser(org)
    crew = caravan_factories.staff(org, name="欧阳𠮷")
    caravan = caravan_factories.caravan(org, crew=[crew])
    visit = caravan_factories.visit_request(org, caravan_factories.future_day(20), host_name="青溪县实验小学")
    visits_service.approve_visit(visit, caravan=caravan)
    event = caravan_factories.event(org, title="科技节")
    f.commit()
    token = caravan.feed_token
    assert len(token) >= 32  # 192 random bits, URL-safe
    # the old sequential address no longer lists crew or schools to anyone
    old = client.get(f"/events/caravans/{caravan.id}.ics")
    assert old.status_code == 302 and "/login" in old.headers["Location"]
    assert client.get("/events/caravans/feed/guess.ics").status_code == 404
    feed = client.get(f"/events/caravans/feed/{token}.ics")
    body = feed.get_data(as_text=True)
    assert feed.status_code == 200 and "欧阳𠮷" in body and "青溪县实验小学" in body
    assert "no-store" in feed.headers["Cache-Control"]
    assert client.get(f"/events/{event.id}.ics").status_code == 200  # public event feeds stay public
    login(organiser)
    assert token in client.get(f"/events/caravans/{caravan.id}/edit").get_data(as_text=True)
    assert client.get(f"/events/caravans/{caravan.id}.ics").status_code == 200  # organisers, signed in
    response = client.post(f"/events/caravans/{caravan.id}/feed/reset")
    assert response.status_code == 302
    db.session.expire_all()
    fresh = db.session.get(Caravan, caravan.id).feed_token
    assert fresh != token
    assert client.get(f"/events/caravans/feed/{token}.ics").status_code == 404
    assert client.get(f"/events/caravans/feed/{fresh}.ics").status_code == 200


def test_only_the_caravans_organisers_reset_its_feed(client, login):
    from tests import factories as f
    from tests.events import factories as caravan_factories

    org, other = f.association(), f.association()
    caravan = caravan_factories.caravan(org)
    stranger = f.organiser(other)
    f.commit()
    login(stranger)
    assert client.post(f"/events/caravans/{caravan.id}/feed/reset").status_code == 403
    assert client.get(f"/events/caravans/{caravan.id}.ics").status_code == 403


def test_a_coordinator_finds_the_caravan_requests_of_the_school_on_the_dashboard(client, login, org):
    """A coordinator who asked for the caravan from the account had nowhere in it to follow the request (the
    dashboard showed nothing of the events area) nor a way to send one."""
    school = factories.school(parent=org, name="青溪县实验小学")
    coordinator = factories.coordinator(school)
    ef.caravan(org)
    visit = ef.visit_request(org, ef.future_day(12), host_name="青溪县实验小学", host_organisation_id=school.id)
    ef.visit_request(org, ef.future_day(14), host_name="别的学校")
    factories.commit()
    login(coordinator)
    page = client.get("/dashboard").get_data(as_text=True)
    assert f"/events/caravans/visits/{visit.id}" in page and "别的学校" not in page
    assert "/events/caravan/request" in page
    assert client.get(f"/events/caravans/visits/{visit.id}").status_code == 200


def test_the_all_caravans_calendar_says_which_caravan_a_blackout_is_for(client, login, org):
    """On the calendar of all caravans a one-caravan blackout (its annual inspection) looked like a day on which
    no caravan could go out."""
    organiser = factories.organiser(org)
    first, second = ef.caravan(org, name="科普大篷车一号"), ef.caravan(org, name="科普大篷车二号")
    day = ef.future_day(20).date()
    fleet_service.add_blackout(
        organisation_id=org.id, first_day=day, last_day=day, caravan_id=second.id, reason="车辆年检"
    )
    factories.commit()
    login(organiser)
    month = day.strftime("%Y-%m")
    page = client.get(f"/events/caravans/calendar?month={month}").get_data(as_text=True)
    assert "科普大篷车二号: 车辆年检" in page
    assert "车辆年检" not in client.get(f"/events/caravans/{first.id}/calendar?month={month}").get_data(as_text=True)
    assert "科普大篷车二号: 车辆年检" not in client.get(
        f"/events/caravans/{second.id}/calendar?month={month}"
    ).get_data(as_text=True)
