"""What the reports count is stated where they are read, and counts what it says (issue 23 point 7): the
check-in rate over events that have ended, the year an award counts in, whole-number chart ticks, and every
word of the files in the user's language (sheet names, the open-data descriptions)."""

from __future__ import annotations

import io
import re
import secrets
import sqlite3
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from core.extensions import db
from reports import services
from tests.reports.factories import at, build_world


@pytest.fixture
def world():
    w = build_world()
    db.session.commit()
    return w


# --- the check-in rate ---------------------------------------------------------------------------------------


def _event(org, title, start, registered, checked_in):
    """A published one-session lecture with confirmed registrations (head-counts) and the check-ins of the first ones."""
    from events.models import CheckIn, Event, EventSession, Registration

    ev = Event(
        organisation_id=org.id,
        kind="lecture",
        title=title,
        status="published",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        audience="public",
    )
    db.session.add(ev)
    db.session.flush()
    session = EventSession(
        event_id=ev.id, title="第1场", starts_at=start, ends_at=start + timedelta(hours=2), capacity=200
    )
    db.session.add(session)
    db.session.flush()
    for i, head in enumerate(registered):
        reg = Registration(
            event_id=ev.id,
            session_id=session.id,
            kind="group" if head > 1 else "individual",
            status="confirmed",
            source="online",
            name=("刘䶮", "吉𠮷", "王小明")[i % 3],
            head_count=head,
            phone=f"1380000{i:04d}",
            school_name="青溪县实验小学",
            code=secrets.token_hex(10),
            link_token=secrets.token_hex(20),
        )
        db.session.add(reg)
        db.session.flush()
        if i < len(checked_in):
            db.session.add(
                CheckIn(registration_id=reg.id, event_id=ev.id, session_id=session.id, head_count=checked_in[i])
            )
    db.session.flush()
    return ev


def test_checkin_rate_counts_only_events_that_have_ended(world):
    now = at(2027, 3, 15, 12)
    _event(world.county, "三月科普讲座（已结束）", at(2027, 3, 5), registered=[1, 9], checked_in=[1, 8])
    _event(world.county, "三月科普日（还没开始）", at(2027, 3, 25), registered=[40, 60], checked_in=[])
    db.session.commit()
    board = services.dashboard(services.organisation_scope(world.city.id), now=now)
    assert len(board.events) == 2
    assert board.checkin_rate == 90  # 9 of the 10 registered at the event that ended; not 9 of 110 (8 %)
    later = next(e for e in board.events if e["title"].endswith("还没开始）"))
    assert later["percent"] is None  # an event still to come has no rate yet, not 0 %


def test_dashboard_states_what_the_checkin_rate_counts(world, client, login):
    _event(world.county, "本月讲座（未开始）", at(2100, 1, 1), registered=[5], checked_in=[])
    db.session.commit()
    login(world.organiser)
    html = client.get("/reports/").get_data(as_text=True)
    assert 'id="checkin-rate-definition"' in html
    assert "已结束" in html and "尚未结束的活动不计" in html
    panel = client.get("/dashboard").get_data(as_text=True)
    assert "已结束" in panel


# --- the year an award counts in ------------------------------------------------------------------------------


def _announce(world, contest_name: str, when):
    """The public notice (公示) of a contest's final round, opened at `when`."""
    from judging.models import Notice, Round

    contest = next(c for c in world.contests if c.name == contest_name)
    rnd = db.session.scalars(sa.select(Round).where(Round.contest_id == contest.id)).first()
    db.session.add(
        Notice(
            contest_id=contest.id,
            rounds=[rnd],
            starts_at=when,
            ends_at=when + timedelta(days=7),
            mask_names=True,
            finalised_at=when + timedelta(days=8),
        )
    )
    db.session.commit()
    return contest


def test_awards_announced_this_year_for_an_earlier_edition_are_shown_where_they_count(world, app, client, login):
    contest = _announce(world, "第25届青溪县青少年科技创新大赛", at(2026, 1, 10))
    report = services.annual_report(world.county, 2026)
    assert report.figure("awards").value == 0  # awards count in their contest's edition year (2025) …
    assert any("届次年份" in d or "edition" in d for d in report.definitions)
    elsewhere = report.table("awards_elsewhere")  # … and the 2026 report says where they are
    assert [(r.label, r.values) for r in elsewhere.rows] == [(f"{contest.name}（2025年度）", [3])]
    assert services.annual_report(world.county, 2025).figure("awards").value == 3
    assert [
        t.key
        for s in services.annual_report(world.county, 2025).sections
        for t in s.tables
        if t.key == "awards_elsewhere"
    ] == []  # announced in 2026, not in 2025
    # the number links to the list of exactly those awards
    login(world.organiser)
    with app.test_request_context():
        linked = services.build_annual_report(world.county, 2026).table("awards_elsewhere").rows[0].link(0)
    url = urlsplit(linked)
    html = client.get(f"{url.path}?{url.query}").get_data(as_text=True)
    assert int(re.search(r'id="list-figure"[^>]*data-count="(\d+)"', html).group(1)) == 3


def test_the_annual_page_pdf_and_xlsx_state_the_definitions(world, client, login):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    login(world.organiser)
    html = client.get(f"/reports/annual?org={world.city.id}&year=2025").get_data(as_text=True)
    assert 'id="report-definitions"' in html
    assert "奖项计入其赛事的届次年份" in html
    pdf = client.get(f"/reports/annual.pdf?org={world.city.id}&year=2025")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "届次年份" in text.replace("\n", "")
    book = load_workbook(io.BytesIO(client.get(f"/reports/annual.xlsx?org={world.city.id}&year=2025").data))
    cells = [c.value for row in book.worksheets[0].iter_rows() for c in row if isinstance(c.value, str)]
    assert any("届次年份" in v for v in cells)


# --- the user's language in files -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lang, summary, stage_sheet", [("zh_CN", "概览", "按学段统计学生"), ("en", "Summary", "Students by stage")]
)
def test_the_background_export_is_in_the_language_of_whoever_asked(world, client, login, lang, summary, stage_sheet):
    from openpyxl import load_workbook

    from core.models import Job

    login(world.organiser)
    with client.session_transaction() as s:
        s["lang"] = lang
    response = client.post("/reports/annual/export", data={"org": world.city.id, "year": 2025, "format": "xlsx"})
    assert response.status_code == 302
    job = db.session.scalars(sa.select(Job)).one()
    db.session.refresh(job)
    assert job.status == "done", job.error
    book = load_workbook(io.BytesIO(client.get(f"/jobs/{job.id}/download").data))
    assert book.sheetnames[0] == summary and stage_sheet in book.sheetnames
    direct = load_workbook(io.BytesIO(client.get(f"/reports/annual.xlsx?org={world.city.id}&year=2025").data))
    assert direct.sheetnames == book.sheetnames  # the page's download and the job's file agree


def test_opendata_descriptions_are_in_the_installation_language(world, runner, tmp_path):
    out = tmp_path / "open.db"
    assert runner.invoke(args=["opendata", "export", str(out)]).exit_code == 0
    conn = sqlite3.connect(out)
    described = dict(conn.execute("select table_name, description from _tables").fetchall())
    about = dict(conn.execute("select key, value from _about").fetchall())
    conn.close()
    assert set(described) == {
        "contests",
        "categories",
        "results",
        "events",
        "attendance",
        "caravan_visits",
        "call_results",
    }  # calls register their table (calls.reports)
    for name, text in described.items():
        assert re.search(r"[\u4e00-\u9fff]", text) and not re.search(r"[A-Za-z]{3,}", text), (name, text)
    for key in ("title", "note"):
        assert re.search(r"[\u4e00-\u9fff]", about[key]) and not re.search(r"[A-Za-z]{3,}", about[key]), about


# --- whole-number ticks -----------------------------------------------------------------------------------------


@pytest.mark.browser
def test_count_charts_have_whole_number_ticks(browser, live_server, world):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from tests import factories

    browser.get(live_server + "/login")
    browser.find_element(By.NAME, "login").send_keys(world.organiser.email)
    browser.find_element(By.NAME, "password").send_keys(factories.PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith("/dashboard"))
    browser.get(live_server + f"/reports/annual?org={world.county.id}&year=2025")
    script = """return Array.from(document.querySelectorAll('figure[data-chart] canvas')).map(function (c) {
        var chart = window.Chart && window.Chart.getChart(c);
        if (!chart) { return null; }
        return Object.keys(chart.scales).filter(function (k) { return chart.scales[k].type === 'linear'; })
          .map(function (k) { return chart.scales[k].ticks.map(function (t) { return t.value; }); });
      });"""
    WebDriverWait(browser, 10).until(lambda d: len([c for c in d.execute_script(script) if c]) >= 3)
    ticks = [v for chart in browser.execute_script(script) if chart for axis in chart for v in axis]
    assert ticks and all(float(v).is_integer() for v in ticks), ticks
