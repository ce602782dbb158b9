"""The pure check-in decision: one table of cases (checkin_cases.json) run against the server's rule
(events.checkin.decide_checkin) and the offline scanner's mirror (static/js/events-checkin-rule.js, through node);
HTTP statuses, colours, check-out, and the window and clock rules."""

import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from events.checkin import (
    ALREADY_CHECKED_IN,
    ALREADY_CHECKED_OUT,
    CANCELLED,
    CHECKED_OUT,
    CONFIRMED,
    HTTP_STATUS,
    NOT_CHECKED_IN,
    NOT_FOUND,
    OVER_COUNT,
    REASONS,
    STATE_CANCELLED,
    WAITLISTED,
    WRONG_EVENT,
    PriorCheckIn,
    TicketState,
    Window,
    checkin_window,
    decide_checkin,
    decide_checkout,
    effective_scan_time,
)

pytestmark = pytest.mark.no_app  # pure logic: no app context or database

HERE = Path(__file__).resolve().parent
CASES = json.loads((HERE / "checkin_cases.json").read_text(encoding="utf-8"))["cases"]
START = datetime(2026, 5, 16, 1, 0, tzinfo=UTC)  # 09:00 in Beijing
END = datetime(2026, 5, 16, 4, 0, tzinfo=UTC)
WINDOW = checkin_window(START, END, opens_before=timedelta(minutes=30))
DURING = START + timedelta(minutes=10)
PRIOR = PriorCheckIn(START - timedelta(minutes=5), "东门")


def ticket(status=CONFIRMED, event_id=7, session_id=70, head_count=1):
    return TicketState(event_id=event_id, session_id=session_id, status=status, head_count=head_count)


def _moment(text):
    return datetime.fromisoformat(text)


def _python_decision(case) -> dict:
    t, w, p = case["ticket"], case["window"], case["prior"]
    if case.get("direction") == "out":
        decision = decide_checkout(
            TicketState(**t) if t else None,
            case["event_id"],
            PriorCheckIn(_moment(p["checked_in_at"]), p["gate"], p["head_count"]) if p else None,
            _moment(case["checked_out_at"]) if case.get("checked_out_at") else None,
        )
        return {"reason": decision.reason, "people": decision.people, "over_count": decision.over_count}
    decision = decide_checkin(
        TicketState(**t) if t else None,
        case["event_id"],
        Window(_moment(w["opens_at"]), _moment(w["closes_at"])) if w else None,
        _moment(case["scan_time"]),
        PriorCheckIn(_moment(p["checked_in_at"]), p["gate"], p["head_count"]) if p else None,
        session_id=case["session_id"],
        arriving=case["arriving"],
        confirm_over=case["confirm_over"],
        event_cancelled=case.get("event_cancelled", False),
    )
    return {"reason": decision.reason, "people": decision.people, "over_count": decision.over_count}


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_the_server_rule_decides_every_case_of_the_table(case):
    assert _python_decision(case) == case["expected"]


def test_the_offline_scanner_rule_decides_every_case_of_the_table_alike():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the scanner's rule is checked in the browser tests only")
    out = subprocess.run(
        [node, str(HERE / "checkin_cases_runner.js")], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    decided = {row.pop("name"): row for row in map(json.loads, out.splitlines())}
    assert decided == {case["name"]: case["expected"] for case in CASES}


def test_the_table_covers_every_reason_in_and_out():
    exits = {CHECKED_OUT, ALREADY_CHECKED_OUT, NOT_CHECKED_IN}
    entries = [case for case in CASES if case.get("direction") != "out"]
    assert {case["expected"]["reason"] for case in entries} == set(REASONS) - exits
    assert {case["expected"]["reason"] for case in CASES if case.get("direction") == "out"} == exits | {
        NOT_FOUND,
        WRONG_EVENT,
        CANCELLED,
        WAITLISTED,
    }


def test_http_status_mapping_is_exactly_as_specified():
    assert HTTP_STATUS == {
        "checked_in": 201,
        "already_checked_in": 200,
        "not_found": 404,
        "wrong_event": 409,
        "outside_window": 409,
        "cancelled": 409,
        "waitlisted": 409,
        "over_count": 409,
        "checked_out": 201,
        "already_checked_out": 200,
        "not_checked_in": 409,
    }
    assert set(REASONS) == set(HTTP_STATUS)


def test_colours_and_what_admits():
    admitted = decide_checkin(ticket(), 7, WINDOW, DURING, None)
    assert (admitted.http_status, admitted.colour, admitted.admitted) == (201, "green", True)
    again = decide_checkin(ticket(), 7, WINDOW, DURING, PRIOR)
    assert (again.reason, again.colour, again.prior, again.admitted) == (ALREADY_CHECKED_IN, "amber", PRIOR, False)
    assert decide_checkin(None, 7, WINDOW, DURING, None).colour == "red"
    over = decide_checkin(ticket(head_count=2), 7, WINDOW, DURING, None, arriving=9)
    assert (over.reason, over.colour, over.admitted) == (OVER_COUNT, "amber", False)


def test_a_scan_admits_at_least_one_person():
    with pytest.raises(ValueError):
        decide_checkin(ticket(), 7, WINDOW, DURING, None, arriving=0)


def test_check_out():
    assert decide_checkout(None, 7, None, None).reason == NOT_FOUND
    assert decide_checkout(ticket(event_id=8), 7, PRIOR, None).reason == WRONG_EVENT
    assert decide_checkout(ticket(STATE_CANCELLED), 7, None, None).reason == CANCELLED
    assert decide_checkout(ticket(), 7, None, None).reason == NOT_CHECKED_IN
    out = decide_checkout(ticket(), 7, PRIOR, None)
    assert (out.reason, out.http_status, out.colour) == (CHECKED_OUT, 201, "green")
    assert decide_checkout(ticket(), 7, PRIOR, END).reason == ALREADY_CHECKED_OUT


def test_unknown_status_is_a_programming_error():
    with pytest.raises(ValueError):
        decide_checkin(ticket("pending"), 7, WINDOW, DURING, None)


def test_window_validation():
    with pytest.raises(ValueError):
        Window(END, START)
    with pytest.raises(ValueError):
        Window(datetime(2026, 5, 16), datetime(2026, 5, 17))  # noqa: DTZ001 — naive is what is refused


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
    assert effective_scan_time(datetime(2026, 5, 16, 2, 0), now) == now  # noqa: DTZ001 — naive: no timezone, not believed
