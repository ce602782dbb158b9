"""iCalendar output, parsed back with the `icalendar` library."""

from datetime import UTC, datetime, timedelta, timezone

import icalendar
import pytest

from events.ics import (
    CANCELLED,
    TENTATIVE,
    CalendarItem,
    escape_text,
    fold_line,
    make_uid,
    render_calendar,
)

pytestmark = pytest.mark.no_app  # pure logic: no app context or database

CST = timezone(timedelta(hours=8))
STAMP = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def item(**overrides):
    values = dict(
        uid=make_uid("visit", 12, "kc.example.cn"),
        sequence=3,
        start=datetime(2026, 4, 10, 9, 0, tzinfo=CST),
        end=datetime(2026, 4, 10, 11, 30, tzinfo=CST),
        summary="科普大篷车进校园：实验小学",
        description="展品：机器人、VR\n带队：王老师; 联系电话见后台",
        location="城关镇实验小学, 操场",
        url="https://kc.example.cn/events/12",
    )
    values.update(overrides)
    return CalendarItem(**values)


def parse(data: bytes):
    calendar = icalendar.Calendar.from_ical(data)
    return calendar, list(calendar.walk("VEVENT"))


def test_round_trip_through_icalendar():
    data = render_calendar([item()], "大篷车一号", STAMP)
    calendar, events = parse(data)
    assert str(calendar["X-WR-CALNAME"]) == "大篷车一号"
    assert str(calendar["VERSION"]) == "2.0"
    assert len(events) == 1
    event = events[0]
    assert str(event["UID"]) == "kechuang-visit-12@kc.example.cn"
    assert int(event["SEQUENCE"]) == 3
    assert event.decoded("DTSTART") == datetime(2026, 4, 10, 1, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2026, 4, 10, 3, 30, tzinfo=UTC)
    assert event.decoded("DTSTAMP") == STAMP
    assert str(event["SUMMARY"]) == "科普大篷车进校园：实验小学"
    assert str(event["DESCRIPTION"]) == "展品：机器人、VR\n带队：王老师; 联系电话见后台"
    assert str(event["LOCATION"]) == "城关镇实验小学, 操场"
    assert str(event["URL"]) == "https://kc.example.cn/events/12"
    assert str(event["STATUS"]) == "CONFIRMED"


def test_uid_is_stable_and_sequence_follows_changes():
    before = item(sequence=0)
    after = item(
        sequence=1,
        start=datetime(2026, 4, 11, 9, 0, tzinfo=CST),
        end=datetime(2026, 4, 11, 11, 0, tzinfo=CST),
        summary="改期：实验小学",
    )
    (_, [one]), (_, [two]) = parse(render_calendar([before], "c", STAMP)), parse(render_calendar([after], "c", STAMP))
    assert str(one["UID"]) == str(two["UID"])
    assert int(two["SEQUENCE"]) == int(one["SEQUENCE"]) + 1
    # rendering the same data twice gives the same bytes (no random UID)
    assert render_calendar([before], "c", STAMP) == render_calendar([before], "c", STAMP)


def test_cancelled_and_tentative_status_and_categories():
    data = render_calendar([item(status=CANCELLED, categories=("大篷车", "进校园"))], "c", STAMP)
    _, [event] = parse(data)
    assert str(event["STATUS"]) == "CANCELLED"
    assert [str(c) for c in event["CATEGORIES"].cats] == ["大篷车", "进校园"]
    _, [event] = parse(render_calendar([item(status=TENTATIVE)], "c", STAMP))
    assert str(event["STATUS"]) == "TENTATIVE"


def test_events_are_ordered_by_start():
    late = item(uid="b@x", start=datetime(2026, 4, 12, 9, 0, tzinfo=CST), end=datetime(2026, 4, 12, 10, 0, tzinfo=CST))
    early = item(uid="a@x")
    _, events = parse(render_calendar([late, early], "c", STAMP))
    assert [str(e["UID"]) for e in events] == ["a@x", "b@x"]


def test_empty_calendar_is_valid():
    calendar, events = parse(render_calendar([], "空", STAMP))
    assert events == []
    assert str(calendar["PRODID"]).startswith("-//Kechuang")


def test_lines_are_crlf_and_at_most_75_octets():
    long_title = "青少年科技创新大赛科普讲座" * 10
    data = render_calendar([item(summary=long_title, description="x" * 300)], "c", STAMP)
    assert b"\n" not in data.replace(b"\r\n", b"")
    for line in data.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # no character split across lines
    _, [event] = parse(data)
    assert str(event["SUMMARY"]) == long_title
    assert str(event["DESCRIPTION"]) == "x" * 300


def test_fold_line_by_hand():
    # icalendar folds before a line reaches 75 octets: 74 on the first line, a space and 74 on the next
    assert fold_line("A" * 74) == "A" * 74
    assert fold_line("A" * 75) == "A" * 74 + "\r\n A"
    assert fold_line("A" * 150) == "A" * 74 + "\r\n " + "A" * 74 + "\r\n " + "AA"
    # 24 three-octet characters = 72 octets fit; the 25th (75 octets) moves on, never split
    assert fold_line("中" * 26) == "中" * 24 + "\r\n 中中"


def test_escape_text_by_hand():
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"start": datetime(2026, 4, 10, 9, 0)},  # noqa: DTZ001 — a naive start is refused
        {"end": datetime(2026, 4, 10, 8, 0, tzinfo=CST)},
        {"sequence": -1},
        {"status": "DONE"},
        {"uid": "a\r\nb"},
    ],
)
def test_invalid_items_are_refused(kwargs):
    with pytest.raises(ValueError):
        item(**kwargs)
