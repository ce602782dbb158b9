"""The pure check-in decision: every reason code, its order, its HTTP status and colour."""
from datetime import UTC, datetime, timedelta

import pytest

from events.checkin import (
    ALREADY_CHECKED_IN,
    CANCELLED,
    CHECKED_IN,
    CONFIRMED,
    HTTP_STATUS,
    NOT_FOUND,
    OUTSIDE_WINDOW,
    REASONS,
    STATE_CANCELLED,
    STATE_WAITLISTED,
    WAITLISTED,
    WRONG_EVENT,
    PriorCheckIn,
    TicketState,
    Window,
    checkin_window,
    decide_checkin,
    effective_scan_time,
)

pytestmark = pytest.mark.no_app  # pure logic: no app context or database

UTC = UTC
START = datetime(2026, 5, 16, 1, 0, tzinfo=UTC)  # 09:00 in Beijing
END = datetime(2026, 5, 16, 4, 0, tzinfo=UTC)
WINDOW = checkin_window(START, END, opens_before=timedelta(minutes=30))
DURING = START + timedelta(minutes=10)
PRIOR = PriorCheckIn(START - timedelta(minutes=5), "东门")


def ticket(status=CONFIRMED, event_id=7, session_id=70):
    return TicketState(event_id=event_id, session_id=session_id, status=status)


def test_http_status_mapping_is_exactly_as_specified():
    assert HTTP_STATUS == {
        "checked_in": 201,
        "already_checked_in": 200,
        "not_found": 404,
        "wrong_event": 409,
        "outside_window": 409,
        "cancelled": 409,
        "waitlisted": 409,
    }
    assert set(REASONS) == set(HTTP_STATUS)


def test_new_check_in():
    decision = decide_checkin(ticket(), 7, WINDOW, DURING, None)
    assert (decision.reason, decision.http_status, decision.colour, decision.admitted) == (CHECKED_IN, 201, "green", True)


def test_already_checked_in_reports_the_first_time_and_gate():
    decision = decide_checkin(ticket(), 7, WINDOW, DURING, PRIOR)
    assert (decision.reason, decision.http_status, decision.colour) == (ALREADY_CHECKED_IN, 200, "amber")
    assert decision.prior == PRIOR
    assert not decision.admitted


def test_unknown_code_is_not_found():
    decision = decide_checkin(None, 7, WINDOW, DURING, None)
    assert (decision.reason, decision.http_status, decision.colour) == (NOT_FOUND, 404, "red")


def test_ticket_for_another_event():
    assert decide_checkin(ticket(event_id=8), 7, WINDOW, DURING, None).reason == WRONG_EVENT


def test_ticket_for_another_session_of_the_same_event_when_the_gate_names_a_session():
    assert decide_checkin(ticket(session_id=71), 7, WINDOW, DURING, None, session_id=70).reason == WRONG_EVENT
    assert decide_checkin(ticket(session_id=70), 7, WINDOW, DURING, None, session_id=70).reason == CHECKED_IN


def test_cancelled_and_waitlisted_are_refused():
    assert decide_checkin(ticket(STATE_CANCELLED), 7, WINDOW, DURING, None).reason == CANCELLED
    assert decide_checkin(ticket(STATE_WAITLISTED), 7, WINDOW, DURING, None).reason == WAITLISTED
    assert decide_checkin(ticket(STATE_WAITLISTED), 7, WINDOW, DURING, None).http_status == 409


@pytest.mark.parametrize("moment, expected", [
    (START - timedelta(minutes=31), OUTSIDE_WINDOW),
    (START - timedelta(minutes=30), CHECKED_IN),  # the window's first instant
    (END, CHECKED_IN),  # its last instant
    (END + timedelta(seconds=1), OUTSIDE_WINDOW),
    (END + timedelta(days=1), OUTSIDE_WINDOW),
])
def test_window_edges(moment, expected):
    assert decide_checkin(ticket(), 7, WINDOW, moment, None).reason == expected


def test_missing_window_is_outside():
    assert decide_checkin(ticket(), 7, None, DURING, None).reason == OUTSIDE_WINDOW


@pytest.mark.parametrize("state, kwargs, expected", [
    # wrong event beats cancelled, waitlisted, already and window
    (ticket(STATE_CANCELLED, event_id=8), {"prior": PRIOR, "scan_time": END + timedelta(days=1)}, WRONG_EVENT),
    # cancelled beats already-checked-in and window
    (ticket(STATE_CANCELLED), {"prior": PRIOR, "scan_time": END + timedelta(days=1)}, CANCELLED),
    (ticket(STATE_WAITLISTED), {"prior": None, "scan_time": END + timedelta(days=1)}, WAITLISTED),
    # a rescan after the doors closed still says "already checked in"
    (ticket(), {"prior": PRIOR, "scan_time": END + timedelta(hours=2)}, ALREADY_CHECKED_IN),
])
def test_order_of_checks(state, kwargs, expected):
    decision = decide_checkin(state, 7, WINDOW, kwargs["scan_time"], kwargs["prior"])
    assert decision.reason == expected


def test_unknown_status_is_a_programming_error():
    with pytest.raises(ValueError):
        decide_checkin(ticket("pending"), 7, WINDOW, DURING, None)


def test_window_validation():
    with pytest.raises(ValueError):
        Window(END, START)
    with pytest.raises(ValueError):
        Window(datetime(2026, 5, 16), datetime(2026, 5, 17))


def test_checkin_window_defaults_open_an_hour_before():
    window = checkin_window(START, END)
    assert window.opens_at == START - timedelta(hours=1)
    assert window.closes_at == END


def test_effective_scan_time():
    now = datetime(2026, 5, 16, 2, 0, tzinfo=UTC)
    assert effective_scan_time(None, now) == now
    earlier = now - timedelta(hours=3)  # an offline scan uploaded later counts at its own time
    assert effective_scan_time(earlier, now) == earlier
    slightly_ahead = now + timedelta(minutes=4)
    assert effective_scan_time(slightly_ahead, now) == slightly_ahead
    assert effective_scan_time(now + timedelta(minutes=6), now) == now  # a clock far ahead isn't believed
    assert effective_scan_time(datetime(2026, 5, 16, 2, 0), now) == now  # naive: no timezone, not believed
