"""Every figure equals a count computed independently (in Python, from the objects the test made), and every
figure's link lists exactly as many rows as the figure says."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from core.extensions import db
from judging.models import Score
from reports import services
from tests.reports.factories import CST, build_world

YEAR = 2025


@pytest.fixture
def world():
    w = build_world()
    db.session.commit()
    return w


def _local_year(moment: datetime) -> int:
    return moment.astimezone(CST).year


def _scope_ids(w):
    return {w.city.id, w.county.id, *(s.id for s in w.schools)}


def expected(w):
    """The annual figures for the city (and the county below it) in 2025, counted in Python."""
    scope = _scope_ids(w)
    contests = {c.id: c for c in w.contests if c.organisation_id in scope and c.year == YEAR}
    part = [e for e in w.entries if e.contest_id in contests and e.submitted_at is not None and e.status != "rejected"]
    students = {m.student_id for e in part for m in e.members}
    public = {cid for cid, c in contests.items() if c.status in ("notice", "final", "archived")}
    awards = Counter(r.award for r in w.results if r.award and r.entry.contest_id in public)
    events = [
        e
        for e in w.events
        if e.status == "published" and e.organisation_id in scope and _local_year(e.starts_at) == YEAR
    ]
    ev_ids = {e.id for e in events}
    registered = sum(r.head_count for r in w.registrations if r.event_id in ev_ids and r.status == "confirmed")
    checked = sum(c.head_count for c in w.checkins if c.event_id in ev_ids)
    groups = sum(c.head_count for c in w.checkins if c.event_id in ev_ids and c.registration.kind == "group")
    visits = [
        v
        for v in w.visits
        if v.status == "confirmed" and v.organisation_id in scope and _local_year(v.starts_at) == YEAR
    ]
    checked_events = {c.event_id for c in w.checkins}
    uncounted = sum(v.expected_audience for v in visits if v.event_id is None or v.event_id not in checked_events)
    return {
        "contests": len(contests),
        "entries": len(part),
        "students": len(students),
        "schools": len({e.school_id for e in part}),
        "awards": sum(awards.values()),
        "special_awards": sum(1 for s in w.specials if s.contest_id in public),
        "events": len(events),
        "sessions": sum(len(e.sessions) for e in events),
        "registered": registered,
        "checked_in": checked,
        "group_checked_in": groups,
        "uncounted_audience": uncounted,
        "reached": checked + uncounted,
        "visits": len(visits),
        "schools_visited": len({v.host_name for v in visits if v.host_kind == "school"}),
        "communities_visited": len({v.host_name for v in visits if v.host_kind == "community"}),
        "judges": len({j.user_id for j in w.judges if j.contest_id in contests and j.withdrawn_at is None}),
        "checkin_staff": len(
            {m.user_id for u in w.checkin_users for m in u.memberships if m.role == "checkin" and m.scope_id in ev_ids}
        ),
        "crew": len({s.id for v in visits for s in v.staff}),
        "_awards": awards,
        "_part": part,
        "_events": events,
    }


def test_annual_figures_equal_independent_counts(world):
    report = services.annual_report(world.city, YEAR)
    exp = expected(world)
    for key, value in exp.items():
        if not key.startswith("_"):
            assert report.figure(key).value == value, key
    # the same figures, written down by hand from the world's description (guards the helper above)
    assert (exp["entries"], exp["students"], exp["events"], exp["registered"], exp["checked_in"]) == (8, 9, 4, 93, 90)
    assert (exp["uncounted_audience"], exp["reached"], exp["visits"], exp["judges"], exp["crew"]) == (260, 350, 4, 2, 2)
    assert "15" in report.chart_limit_note % {"n": 15}


def test_annual_tables_equal_independent_counts(world):
    report = services.annual_report(world.city, YEAR)
    exp = expected(world)
    part = exp["_part"]
    by_school = Counter(e.school_id for e in part)
    names = {s.id: s.name for s in world.schools}
    assert {r.label: r.values[0] for r in report.table("by_school").rows} == {names[k]: v for k, v in by_school.items()}
    stage_students = {"primary": set(), "junior": set(), "senior": set()}
    for e in part:
        for m in e.members:
            g = m.student.grade
            stage_students["primary" if g <= 6 else "junior" if g <= 9 else "senior"].add(m.student_id)
    assert [r.values[0] for r in report.table("by_stage").rows] == [len(stage_students[s]) for s in services.STAGES]
    by_cat = Counter(e.category_id for e in part)
    assert sum(r.values[0] for r in report.table("by_category").rows) == sum(by_cat.values())
    awards = report.table("by_award")
    assert [r.values[0] for r in awards.rows[:4]] == [exp["_awards"].get(a, 0) for a in services.AWARD_LEVELS]
    kinds = Counter(e.kind for e in exp["_events"])
    table = report.table("events_by_kind")
    assert {r.label: r.values[0] for r in table.rows} == {
        str(services.EVENT_KIND_LABELS[k]): n for k, n in kinds.items()
    }
    hosts = report.table("hosts")
    assert sum(r.values[0] for r in hosts.rows) == exp["visits"]
    venues = Counter()
    for c in world.checkins:
        ev = (
            next(e for e in exp["_events"] if e.id == c.event_id)
            if c.event_id in {e.id for e in exp["_events"]}
            else None
        )
        if ev is not None:
            venues[ev.venue.kind if ev.venue_id else "other"] += c.head_count
    assert {r.label: r.values[0] for r in report.table("reached_by_venue").rows} == {
        str(services.HOST_KIND_LABELS[k]): n for k, n in venues.items()
    }
    assert venues["science_base"] == 13
    contests = report.table("by_contest")
    assert sorted(r.values for r in contests.rows) == sorted(
        [
            [
                sum(1 for e in exp["_part"] if e.contest_id == c.id),
                len({m.student_id for e in exp["_part"] if e.contest_id == c.id for m in e.members}),
                sum(1 for r in world.results if r.award and r.entry.contest_id == c.id and c.status == "final"),
            ]
            for c in world.contests
            if c.year == YEAR and c.organisation_id in _scope_ids(world)
        ]
    )


def test_a_county_sees_only_itself(world):
    report = services.annual_report(world.county, YEAR)
    # the county's own contest: e1, e2, e3, e4, e7 participate; the city's contest and the other county don't count
    assert report.figure("entries").value == 5
    assert report.figure("awards").value == 3
    other = services.annual_report(world.other, YEAR)
    assert other.figure("entries").value == 2
    assert other.figure("events").value == 1


def test_year_boundaries_are_china_time(world):
    assert services.year_bounds(2025)[0] == datetime(2024, 12, 31, 16, tzinfo=UTC)
    report = services.annual_report(world.county, 2024)
    assert report.figure("events").value == 1  # 2024-12-31 23:00 in China is still 2024


def test_periods_follow_the_installations_time_zone(app):
    """Years and months begin where the installation is (BABEL_DEFAULT_TIMEZONE), not always in China."""
    from reports import periods

    before = app.config["BABEL_DEFAULT_TIMEZONE"]
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Europe/Berlin"
    try:
        assert services.year_bounds(2025) == (
            datetime(2024, 12, 31, 23, tzinfo=UTC),
            datetime(2025, 12, 31, 23, tzinfo=UTC),
        )
        # 2025-08-01 00:30 in Berlin (summer time, UTC+2) is in August there, still July in UTC
        assert services.month_bounds(datetime(2025, 7, 31, 22, 30, tzinfo=UTC)) == (
            datetime(2025, 7, 31, 22, tzinfo=UTC),
            datetime(2025, 8, 31, 22, tzinfo=UTC),
        )
        assert periods.local_iso(datetime(2025, 1, 1, 12, tzinfo=UTC)) == "2025-01-01T13:00+01:00"
    finally:
        app.config["BABEL_DEFAULT_TIMEZONE"] = before
    assert services.year_bounds(2025)[0] == datetime(2024, 12, 31, 16, tzinfo=UTC)


def _total(html: str) -> int:
    """The figure a list page shows: its number of rows, or the people they hold (measure=people)."""
    match = re.search(r'id="list-figure"[^>]*data-count="(\d+)"', html)
    assert match, html[:2000]
    return int(match.group(1))


def test_every_figure_links_to_a_list_of_exactly_that_many_rows(world, app, client, login):
    login(world.organiser)
    from reports.services.annual import list_link

    with app.test_request_context():
        report = services.annual_report(world.city, YEAR, link=list_link)
    checked = 0
    for section in report.sections:
        numbers = [(f.label, f.value, f.link) for f in section.figures]
        for table in section.tables:
            numbers += [
                (f"{table.key}:{row.label}", v, row.link(i)) for row in table.rows for i, v in enumerate(row.values)
            ]
        for label, value, link in numbers:
            if not link:
                continue
            url = urlsplit(link)
            response = client.get(f"{url.path}?{url.query}")
            assert response.status_code == 200, (label, link)
            total = _total(response.get_data(as_text=True))
            assert total == value, (label, link, total, value)
            checked += 1
    assert checked >= 30


def test_school_history_equals_independent_counts(world):
    school = world.schools[0]
    history = {row["year"]: row for row in services.school_history(school.id)}
    part = [e for e in world.entries if e.school_id == school.id and e.submitted_at and e.status != "rejected"]
    years = {e.contest.year for e in part}
    assert set(history) == years
    for year in years:
        mine = [e for e in part if e.contest.year == year]
        assert history[year]["entries"] == len(mine)
        assert history[year]["students"] == len({m.student_id for e in mine for m in e.members})
    public_awards = Counter(
        r.award
        for r in world.results
        if r.entry.school_id == school.id and r.entry.contest.status in ("notice", "final", "archived")
    )
    assert history[2025]["awards"] == dict(public_awards) == {"first": 2, "second": 1}


def test_dashboard_figures_equal_independent_counts(world):
    board = services.dashboard(services.organisation_scope(world.city.id))
    scope = _scope_ids(world)
    active = {
        c.id
        for c in world.contests
        if c.organisation_id in scope and c.status in ("registration", "closed", "judging", "notice")
    }
    for row in board.pipeline:
        mine = [e for e in world.entries if e.category_id == row["category_id"]]
        awarded = {r.entry_id for r in world.results if r.award}
        scored = {s.entry_id for s in db.session.scalars(sa.select(Score)) if s.submitted}
        assert row["contest_id"] in active
        assert row["counts"] == {
            "registered": len(mine),
            "submitted": sum(1 for e in mine if e.submitted_at is not None),
            "approved": sum(1 for e in mine if e.status == "approved"),
            "scored": sum(1 for e in mine if e.status == "approved" and e.id in scored),
            "awarded": sum(1 for e in mine if e.id in awarded),
        }
    assert {row["contest_id"] for row in board.pipeline} == {
        c for c in active if any(e.contest_id == c for e in world.entries)
    }
    # judging progress: active assignments and submitted scores per round
    progress = {r["round"] + str(r["contest_id"]): (r["assignments"], r["submitted"]) for r in board.rounds}
    c26 = next(c for c in world.contests if c.year == 2026)
    assert progress["初评" + str(c26.id)] == (2, 1)  # the removed assignment does not count; one draft score
    # this month's events: published, in scope, starting this month
    now = datetime.now(UTC)
    start, end = services.month_bounds(now)
    month = [
        e for e in world.events if e.status == "published" and e.organisation_id in scope and start <= e.starts_at < end
    ]
    assert [e["id"] for e in board.events] == [e.id for e in sorted(month, key=lambda e: e.starts_at)]
    reg = sum(
        r.head_count for r in world.registrations if r.status == "confirmed" and r.event_id in {e.id for e in month}
    )
    chk = sum(c.head_count for c in world.checkins if c.event_id in {e.id for e in month})
    assert (reg, chk) == (12, 9)
    ended = {e.id for e in month if e.ends_at <= now}  # the rate reads only the events that are over
    reg = sum(r.head_count for r in world.registrations if r.status == "confirmed" and r.event_id in ended)
    chk = sum(c.head_count for c in world.checkins if c.event_id in ended)
    assert board.checkin_rate == (round(100 * chk / reg) if reg else None)
    assert [v.host_name for v in board.visits] == ["青溪县第一中学"]


def test_dashboard_runs_a_constant_number_of_queries(world, count_queries):
    with count_queries() as small:
        services.dashboard(None)
    build_world()  # three times the data
    build_world()
    db.session.commit()
    with count_queries() as large:
        board = services.dashboard(None)
    assert len(large) == len(small) <= 6
    assert len(board.pipeline) >= 2
