"""Pages, downloads, permissions, the CLI commands and the open-data export of the reports area."""

from __future__ import annotations

import io
import re
import sqlite3
from datetime import UTC

import pytest
import sqlalchemy as sa

from core.extensions import db
from reports import services
from tests import factories
from tests.reports.factories import build_world


@pytest.fixture
def world():
    w = build_world()
    db.session.commit()
    return w


def test_dashboard_page_shows_pipeline_rounds_events_and_caravan(world, client, login):
    login(world.organiser)
    html = client.get("/reports/").get_data(as_text=True)
    for marker in (
        'id="table-pipeline"',
        'id="table-rounds"',
        'id="table-events"',
        'id="table-visits"',
        'data-chart="bar"',
        "chart.umd.min.js",
        "reports-charts.js",
        "本月讲座",
        "青溪县第一中学",
    ):
        assert marker in html, marker
    assert "<script>" not in html and 'style="' not in html  # CSP: no inline script or style


def test_dashboard_panel_for_organisers_only(world, client, login):
    login(world.organiser)
    assert 'id="reports-panel"' in client.get("/dashboard").get_data(as_text=True)


def test_coordinator_has_no_organiser_reports_but_sees_their_school(world, client, login):
    login(world.coordinator)
    assert client.get("/reports/").status_code == 403
    assert client.get(f"/reports/annual?org={world.county.id}&year=2025").status_code == 403
    assert client.get(f"/reports/annual.pdf?org={world.county.id}&year=2025").status_code == 403
    assert client.get(f"/reports/list/entries?org={world.county.id}").status_code == 403
    mine = client.get(f"/reports/schools/{world.schools[0].id}")
    assert mine.status_code == 200
    assert "table-school" in mine.get_data(as_text=True)
    assert client.get(f"/reports/schools/{world.schools[1].id}").status_code == 403
    assert client.get("/reports/schools").status_code == 302
    listed = client.get(f"/reports/list/entries?school={world.schools[0].id}&year=2025")
    assert listed.status_code == 200
    assert client.get(f"/reports/list/entries?school={world.schools[1].id}&year=2025").status_code == 403
    assert client.get("/reports/list/events").status_code == 403


def test_an_organiser_cannot_report_on_another_county(world, client, login):
    login(factories.organiser(world.other))
    db.session.commit()
    assert client.get(f"/reports/annual?org={world.county.id}&year=2025").status_code == 403
    assert client.get(f"/reports/list/entries?org={world.county.id}").status_code == 403
    html = client.get("/reports/list/entries?year=2025").get_data(as_text=True)  # their own scope only
    assert "白沙县作品" in html and "家庭节水系统" not in html


def test_annual_page_and_downloads(world, client, login):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    login(world.organiser)
    page = client.get(f"/reports/annual?org={world.city.id}&year=2025")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="figure-entries"' in html and "/reports/list/entries?" in html
    pdf = client.get(f"/reports/annual.pdf?org={world.city.id}&year=2025")
    assert pdf.mimetype == "application/pdf"
    assert "filename*=UTF-8''" in pdf.headers["Content-Disposition"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "青溪县实验小学" in text
    xlsx = client.get(f"/reports/annual.xlsx?org={world.city.id}&year=2025")
    wb = load_workbook(io.BytesIO(xlsx.data))
    values = [c.value for row in wb.worksheets[0].iter_rows() for c in row]
    assert 8 in values and 90 in values  # participating entries, checked-in people
    assert client.get(f"/reports/annual?org={world.city.id}&year=abc").status_code == 400
    assert client.get("/reports/annual.pdf?year=2025").status_code == 400
    assert client.get("/reports/list/nonsense").status_code == 404
    assert client.get("/reports/list/entries?step=bogus").status_code == 400


def test_list_pages_run_a_constant_number_of_queries(world, client, login, count_queries):
    login(world.organiser)
    urls = [
        f"/reports/list/{kind}?org={world.city.id}"
        for kind in (
            "contests",
            "schools",
            "entries",
            "students",
            "awards",
            "special_awards",
            "events",
            "sessions",
            "registrations",
            "checkins",
            "visits",
            "hosts",
            "reached",
            "judges",
            "checkin_staff",
            "crew",
        )
    ]
    client.get(urls[0])
    before = {}
    for url in urls:
        db.session.expire_all()  # the same starting point for every measured request
        with count_queries() as stmts:
            assert client.get(url).status_code == 200, url
        before[url] = len(stmts)
    more = build_world()  # twice the rows under a second city; move them under ours
    more.city.parent_id = world.city.id
    db.session.commit()
    for url in urls:
        db.session.expire_all()
        with count_queries() as stmts:
            html = client.get(url).get_data(as_text=True)
        assert len(stmts) == before[url], (url, before[url], len(stmts))
    assert "身份证" not in html


CLI_WORDS = {  # the installation's language: Chinese by default, English when set so
    "zh_CN": {
        "written": "作品 8 件，活动",
        "no_org": "没有代码为 NOPE 的单位。",
        "suffix": "--out 必须以 .pdf 或 .xlsx 结尾，而不是 .doc",
        "year": "--year 1999 不是合理的年份",
        "db": "OUT 必须以 .db、.sqlite 或 .sqlite3 结尾",
        "export": "已写入 ",
    },
    "en": {
        "written": "8 entries,",
        "no_org": "No organisation has the code NOPE.",
        "suffix": "--out must end in .pdf or .xlsx, not .doc",
        "year": "--year 1999 is not a plausible year",
        "db": "OUT must end in .db, .sqlite or .sqlite3",
        "export": "written ",
    },
}


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_report_cli_writes_pdf_and_xlsx_and_refuses_bad_input(world, runner, tmp_path, installation_language, language):
    installation_language(language)
    words = CLI_WORDS[language]
    world.city.code = "JC-KX"
    db.session.commit()
    out = tmp_path / "r.pdf"
    result = runner.invoke(args=["report", "--year", "2025", "--org", "JC-KX", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF") and words["written"] in result.output
    result = runner.invoke(args=["report", "--year", "2025", "--org", "JC-KX", "--out", str(tmp_path / "r.xlsx")])
    assert result.exit_code == 0 and (tmp_path / "r.xlsx").exists()
    bad = runner.invoke(args=["report", "--year", "2025", "--org", "NOPE", "--out", str(tmp_path / "x.pdf")])
    assert bad.exit_code == 1 and words["no_org"] in bad.output and not (tmp_path / "x.pdf").exists()
    bad = runner.invoke(args=["report", "--year", "2025", "--org", "JC-KX", "--out", str(tmp_path / "x.doc")])
    assert bad.exit_code == 1 and words["suffix"] in bad.output
    bad = runner.invoke(args=["report", "--year", "1999", "--org", "JC-KX", "--out", str(tmp_path / "x.pdf")])
    assert bad.exit_code == 1 and words["year"] in bad.output


def _dump(path) -> str:
    conn = sqlite3.connect(path)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


def test_opendata_export_holds_public_tables_and_no_personal_value(world, runner, tmp_path):
    out = tmp_path / "open.db"
    result = runner.invoke(args=["opendata", "export", str(out)])
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(out)
    tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
    assert {"contests", "categories", "results", "events", "attendance", "caravan_visits", "results_fts"} <= tables
    # published results only (the county's final contest, not the city's contest still judging), names masked
    rows = conn.execute("select title, students, award from results order by id").fetchall()
    assert ("基于单片机的智能垃圾分类装置", "张*明", "first") in rows
    assert ("家庭节水系统", "欧阳**、*", "first") in rows
    assert "高中生物实验" not in {r[0] for r in rows}
    hits = conn.execute(
        "select title from results where rowid in (select rowid from results_fts where results_fts match ?)",
        ["垃圾分类"],
    ).fetchall()
    assert hits == [("基于单片机的智能垃圾分类装置",)]
    assert conn.execute("select count(*) from events where title like '%草稿%'").fetchone() == (0,)
    ev = conn.execute(
        "select registered, checked_in from events where title = ?", ["2025年全国科普日青溪县主场活动"]
    ).fetchone()
    assert ev == (33, 30)
    conn.close()
    dump = _dump(out)
    leaked = sorted({v for v in world.personal if v and len(v) >= 2 and v in dump})
    assert leaked == [], leaked
    # every student's full name is absent (a single-character name is masked to "*")
    assert not [s.name for s in world.students if len(s.name) >= 2 and s.name in dump]
    text = re.sub(r"X'[0-9A-Fa-f]*'", "", dump)  # full-text index blobs are hex, not text
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", text), "no mobile number"
    assert not re.search(r"(?<!\d)\d{17}[\dXx](?!\d)", text), "no ID number"
    assert not re.search(r"@example\.cn", text), "no e-mail address"


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_opendata_export_refuses_a_bad_target(world, runner, tmp_path, installation_language, language):
    installation_language(language)
    result = runner.invoke(args=["opendata", "export", str(tmp_path / "open.txt")])
    assert result.exit_code == 1 and CLI_WORDS[language]["db"] in result.output
    result = runner.invoke(args=["opendata", "export", str(tmp_path / "open.db")])
    assert result.exit_code == 0 and CLI_WORDS[language]["export"] + str(tmp_path / "open.db") in result.output


def test_scope_helpers():
    from datetime import datetime

    start, end = services.month_bounds(datetime(2025, 12, 31, 20, tzinfo=UTC))  # 2026-01-01 04:00 China
    assert start == datetime(2025, 12, 31, 16, tzinfo=UTC)
    assert end == datetime(2026, 1, 31, 16, tzinfo=UTC)


def test_api_gives_the_annual_report_as_json(world, client, login):
    assert client.get(f"/api/v1/reports/annual?org={world.city.id}&year=2025").status_code == 401
    login(world.organiser)
    body = client.get(f"/api/v1/reports/annual?org={world.city.id}&year=2025").get_json()
    figures = {f["key"]: f for s in body["sections"] for f in s["figures"]}
    assert figures["entries"]["value"] == 8 and "/reports/list/entries?" in figures["entries"]["link"]
    assert client.get(f"/api/v1/reports/annual?org={world.city.id}&year=1").status_code == 422
    assert client.get(f"/api/v1/reports/annual?org={world.other.id}&year=2025").status_code == 403


def test_panel_and_nav_follow_the_role(world, client, login):
    login(world.coordinator)
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'id="reports-panel"' not in html
    assert "/reports/schools" in html  # "our school" in the navigation


def test_organisers_above_a_school_see_its_view(world, client, login):
    login(factories.organiser(world.county))
    db.session.commit()
    assert client.get(f"/reports/schools/{world.schools[0].id}").status_code == 200
    assert client.get(f"/reports/schools/{world.schools[2].id}").status_code == 403  # a city school
    assert client.get(f"/reports/schools/{world.county.id}").status_code == 404  # not a school


def test_annual_report_as_a_background_job(world, client, login):
    from core.models import Job

    login(world.organiser)
    response = client.post("/reports/annual/export", data={"org": world.city.id, "year": 2025, "format": "pdf"})
    assert response.status_code == 302 and "/jobs/" in response.location
    job = db.session.scalars(sa.select(Job)).one()
    db.session.refresh(job)
    assert job.status == "done", job.error
    assert job.result["filename"].endswith(".pdf")
    download = client.get(f"/jobs/{job.id}/download")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert (
        client.post("/reports/annual/export", data={"org": world.city.id, "year": 2025, "format": "doc"}).status_code
        == 400
    )


def test_background_job_needs_the_right_organisation(world, client, login):
    login(factories.organiser(world.other))
    db.session.commit()
    assert (
        client.post("/reports/annual/export", data={"org": world.city.id, "year": 2025, "format": "pdf"}).status_code
        == 403
    )
