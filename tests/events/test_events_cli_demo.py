"""CLI (events list|registrations|stats), the attendance certificate source, and the demo seeder."""

import csv
import io
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from core.db import utcnow
from core.extensions import db
from events.caravan.models import CaravanVisit
from events.models import Event, Registration
from events.services import attendance as attendance_service
from events.services import capacity as capacity_service
from events.services import checkin as checkin_service
from events.services import planning as planning_service
from tests import factories
from tests.events import factories as ef


def test_events_list_and_registrations_csv(runner):
    org = factories.association()
    event = ef.event(org, capacity=10, title="科技节")
    first = ef.registration(event, name="张三")
    ef.registration(event, kind="group", head_count=4, name="李老师", school_name="实验小学")
    checkin_service.perform_checkin(event, raw_code=first.code, gate="东门")
    factories.commit()
    listing = runner.invoke(args=["events", "list"])
    assert listing.exit_code == 0, listing.output
    rows = list(csv.reader(io.StringIO(listing.output)))
    assert rows[0] == ["id", "start", "title", "registered"]
    assert rows[1][0] == str(event.id) and rows[1][2] == "科技节" and rows[1][3] == "5"
    result = runner.invoke(args=["events", "registrations", "--event", str(event.id), "--format", "csv"])
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.output)))
    assert {"code", "name", "status", "checked_in_at"} <= set(table[0])
    by_name = {row["name"]: row for row in table}
    assert by_name["张三"]["code"] == first.code and by_name["张三"]["checked_in_at"]
    assert by_name["李老师"]["head_count"] == "4" and by_name["李老师"]["checked_in_at"] == ""
    missing = runner.invoke(args=["events", "registrations", "--event", "99999"])
    assert missing.exit_code == 1 and "没有编号为 99999 的活动" in missing.output


def test_events_stats(runner):
    org = factories.association()
    event = ef.event(org, capacity=10)
    registration = ef.registration(event)
    checkin_service.perform_checkin(event, raw_code=registration.code)
    factories.commit()
    year = event.starts_at.astimezone(ef.CST).year
    result = runner.invoke(args=["events", "stats", "--year", str(year)])
    assert result.exit_code == 0, result.output
    # in the installation's language (zh_CN)
    assert "活动: 1\n" in result.output and "报名人数: 1\n" in result.output and "签到人数: 1\n" in result.output
    refused = runner.invoke(args=["events", "stats", "--year", "1900"])
    assert refused.exit_code == 1 and "2000 到 2100" in refused.output


def test_events_stats_count_published_events_only_as_the_annual_report(runner):
    org = factories.association(name="青溪县科学技术协会")
    year = utcnow().year + 2
    start = datetime(year, 5, 18, 9, tzinfo=ef.CST)
    published = ef.event(org, capacity=50, starts_at=start, kind="lecture", title="科普讲座：航天梦")
    ef.registration(published, name="陈思远")
    ef.registration(published, kind="group", head_count=3, name="周老师", school_name="青溪县实验小学")
    draft = ef.event(org, capacity=50, starts_at=start, kind="lecture", title="草稿：机器人工作坊", status="draft")
    cancelled = ef.event(
        org, capacity=50, starts_at=start + timedelta(days=1), kind="science_day", title="已取消：科学之夜"
    )
    ef.registration(cancelled, name="林小雨")  # registered while it was published
    planning_service.set_event_status(cancelled, "cancelled")
    factories.commit()
    assert draft.status == "draft"
    stats = attendance_service.year_stats(year)
    assert stats["events"] == 1 and stats["sessions"] == 1 and stats["registered"] == 4
    assert set(stats["by_kind"]) == {"lecture"} and stats["by_kind"]["lecture"]["events"] == 1
    result = runner.invoke(args=["events", "stats", "--year", str(year)])
    assert result.exit_code == 0, result.output
    assert "活动: 1\n" in result.output and "场次: 1\n" in result.output
    assert "报名人数: 4\n" in result.output and "  讲座：活动 1 场，报名 4 人，签到 0 人\n" in result.output
    assert "科普日" not in result.output and "science_day" not in result.output
    # the same figures as the reports area, where it is installed
    reports = pytest.importorskip("reports.services")
    counts = reports.event_counts(reports.EventFilter(year=year))
    assert sum(v["events"] for v in counts.values()) == stats["events"]
    assert sum(v["registered"] for v in counts.values()) == stats["registered"]
    # the help says which events count, in the installation's language ("published events only")
    assert "只计已发布的活动" in runner.invoke(args=["events", "stats", "--help"]).output


def test_attendance_certificate_source():
    sources = pytest.importorskip("certificates.sources")
    source = sources.get_source("events.attendees")
    assert source is not None and source.kind == "attendance" and source.scope == "event"
    org = factories.association()
    event = ef.event(org, capacity=40)
    person = ef.registration(event, name="赵小龙", school_name="实验小学")
    named_group = ef.registration(
        event, kind="group", head_count=3, name="王老师", member_names="甲同学、乙同学\n丙同学"
    )
    anonymous_group = ef.registration(event, kind="group", head_count=20, name="刘老师", school_name="育才小学")
    ef.registration(event, name="没来的人")
    for registration in (person, named_group, anonymous_group):
        checkin_service.perform_checkin(event, raw_code=registration.code)
    with pytest.raises(sources.SourceNotReady):
        source.collect(event.id)
    event.starts_at, event.ends_at = utcnow() - timedelta(days=2), utcnow() - timedelta(days=2, hours=-3)
    batch = source.collect(event.id)
    names = sorted(h.name for h in batch.holders)
    assert names == sorted(["赵小龙", "甲同学", "乙同学", "丙同学", "育才小学"])
    assert len({h.ref for h in batch.holders}) == 5
    assert batch.organisation_id == org.id and batch.scope_code == f"EV{event.id}"
    with pytest.raises(sources.SourceNotFound):
        source.collect(999999)


def test_demo_seeder_is_complete_and_idempotent(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    confirmed = db.session.execute(
        sa.select(sa.func.count(CaravanVisit.id)).where(CaravanVisit.status == "confirmed")
    ).scalar()
    pending = db.session.execute(
        sa.select(sa.func.count(CaravanVisit.id)).where(CaravanVisit.status == "requested")
    ).scalar()
    assert confirmed >= 1 and pending >= 1
    now = utcnow()
    events = db.session.execute(sa.select(Event)).scalars().all()
    past = [e for e in events if e.ends_at < now]
    assert any(capacity_service.event_counters(e)["checked_in"] > 0 for e in past)
    upcoming_counts = [
        db.session.execute(sa.select(sa.func.count(Registration.id)).where(Registration.event_id == e.id)).scalar()
        for e in events
        if e.starts_at > now
    ]
    assert max(upcoming_counts) >= 200
    before = db.session.execute(sa.select(sa.func.count(Registration.id))).scalar()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert db.session.execute(sa.select(sa.func.count(Registration.id))).scalar() == before
