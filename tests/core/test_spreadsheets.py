"""core.spreadsheets: uploads are read within limits checked before inflating; every .xlsx and .csv the
platform writes carries no formula, whoever typed the text (issue 19, holes 2 and 3)."""

from __future__ import annotations

import csv
import io
import re
import tracemalloc
import zipfile
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from competitions.roster.reading import parse_roster, read_table
from competitions.roster.writing import write_roster_csv, write_roster_template, write_roster_xlsx
from core.extensions import db
from core.spreadsheets import (
    FORMULA_START,
    MAX_UNCOMPRESSED_BYTES,
    SpreadsheetRefused,
    StreamWorkbook,
    check_archive,
    csv_bytes,
    new_workbook,
    workbook_bytes,
)
from events.models import Registration
from judging.exports import ResultRow, results_csv, results_xlsx
from judging.importing import read_score_sheet
from tests import factories
from tests.events import factories as ef

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ['=HYPERLINK("http://x","y")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\t=1+1", "\r=1+1"]

MINIMAL_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        '<sheet name="学生名单" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    ),
}


def inflating_xlsx(inflated_bytes: int = 110 * 1024 * 1024) -> bytes:
    """A real .xlsx (it opens in openpyxl) whose one sheet inflates to ``inflated_bytes`` of XML from a
    zip of a few hundred KB: a header row, then one row of padding repeated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in MINIMAL_PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
                + "姓名".encode()
                + b"</t></is></c></row>"
            )
            block = b"<!-- padding -->" * 65536  # 1 MiB of XML
            written = 0
            while written < inflated_bytes:
                sheet.write(block)
                written += len(block)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return inflating_xlsx()


@pytest.mark.no_app
def test_the_bomb_is_small_and_real(bomb):
    assert len(bomb) < 2 * 1024 * 1024
    assert sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(bomb)).infolist()) >= 100 * 1024 * 1024


@pytest.mark.no_app
def test_an_inflating_sheet_is_refused_from_the_directory_without_inflating(bomb):
    tracemalloc.start()
    try:
        with pytest.raises(SpreadsheetRefused) as refused:
            check_archive(bomb)
        result = parse_roster(bomb, "名单.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.code in ("inflates_too_much", "compression_ratio")
    assert not result.ok and result.errors[0].code in ("inflates_too_much", "compression_ratio")
    assert "MB" in result.errors[0].render() or "times" in result.errors[0].render()
    assert peak < 16 * 1024 * 1024  # the 110 MB sheet was never inflated (its zip alone is < 2 MB)


@pytest.mark.no_app
def test_a_highly_compressed_member_under_the_size_cap_is_refused():
    data = inflating_xlsx(8 * 1024 * 1024)  # well under MAX_UNCOMPRESSED_BYTES, ratio in the thousands
    assert sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist()) < MAX_UNCOMPRESSED_BYTES
    with pytest.raises(SpreadsheetRefused) as refused:
        check_archive(data)
    assert refused.value.code == "compression_ratio"
    assert parse_roster(data, "x.xlsx").errors[0].code == "compression_ratio"


@pytest.mark.no_app
def test_every_xlsx_reader_refuses_the_bomb(bomb):
    from competitions.roster.values import RosterFileError

    with pytest.raises(RosterFileError) as roster:
        read_table(bomb, "schools.xlsx")  # also the reader of the schools import
    assert roster.value.error.code in ("inflates_too_much", "compression_ratio")
    scores = read_score_sheet(bomb, ["创新性"])
    assert [p.code for p in scores.errors] == ["refused"]
    assert scores.errors[0].message()


def test_the_roster_upload_page_says_why_in_chinese(client, login, bomb):
    school = factories.school(factories.association())
    coordinator = factories.coordinator(school)
    factories.commit()
    login(coordinator)
    response = client.post(
        f"/contests/school/{school.id}/students/import",
        data={"file": (io.BytesIO(bomb), "名单.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "解压" in response.get_data(as_text=True)


# ---------------------------------------------------------------- writing


def assert_no_formula(data: bytes) -> None:
    """No cell of any sheet is a formula: neither in the XML (<f> tags) nor as openpyxl reads it back."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<(?:\w+:)?f[\s>/]", archive.read(name)), name
    for sheet in load_workbook(io.BytesIO(data)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)


def assert_csv_neutralised(text: str) -> None:
    for row in csv.reader(io.StringIO(text)):
        for value in row:
            assert not value.startswith(FORMULA_START), value


@pytest.mark.no_app
def test_the_writers_keep_hostile_text_as_text():
    book = new_workbook()
    book.active.append(HOSTILE)
    book.active.cell(row=2, column=1, value=HOSTILE[0])
    data = workbook_bytes(book)
    assert_no_formula(data)
    # shown as typed (XML itself turns a CR into a LF)
    assert [c.value for c in load_workbook(io.BytesIO(data)).active[1]][:5] == HOSTILE[:5]
    stream = StreamWorkbook()
    sheet = stream.create_sheet("名单")
    sheet.append(HOSTILE)
    sheet.append([sheet.cell(HOSTILE[0]), sheet.cell(date(2014, 3, 5), number_format="yyyy-mm-dd")])
    assert_no_formula(stream.to_bytes())
    text = csv_bytes([HOSTILE]).decode("utf-8-sig")
    assert_csv_neutralised(text)
    assert next(csv.reader(io.StringIO(text)))[0] == "'" + HOSTILE[0]


@pytest.mark.no_app
def test_hostile_text_through_the_pure_exports():
    from reports.document import Report, Row, Section, Table
    from reports.xlsx import build_xlsx

    rows = [ResultRow(HOSTILE[0], HOSTILE[1], HOSTILE[2], HOSTILE[3], "", None, HOSTILE[4])]
    assert_no_formula(results_xlsx(rows))
    assert_csv_neutralised(results_csv(rows).decode("utf-8-sig"))
    student = {
        "name": HOSTILE[0],
        "gender": "男",
        "birth_date": date(2014, 3, 5),
        "grade": 3,
        "class_name": HOSTILE[3],
        "id_number": HOSTILE[2],
        "guardian_phone": HOSTILE[1],
    }
    assert_no_formula(write_roster_xlsx([student]))
    assert_no_formula(write_roster_template(rows=3))
    assert_csv_neutralised(write_roster_csv([student]).decode("utf-8-sig"))
    report = Report(
        title=HOSTILE[0],
        subtitle=HOSTILE[1],
        footer=HOSTILE[2],
        sections=[
            Section(
                HOSTILE[3],
                tables=[Table("t", HOSTILE[0], [HOSTILE[5]], [Row(HOSTILE[4], [HOSTILE[0]])], label_header=HOSTILE[1])],
            )
        ],
    )
    assert_no_formula(build_xlsx(report, summary_title="概览"))


def test_a_visitor_named_as_a_formula_stays_text_in_every_event_export(client, login, runner):
    org = factories.association(name="青溪县科学技术协会")
    organiser = factories.organiser(org)
    event = ef.event(org, capacity=5, title="-1+1 天文观测夜")
    factories.commit()
    response = client.post(
        f"/events/{event.id}",
        data={
            "session_id": event.sessions[0].id,
            "kind": "individual",
            "name": HOSTILE[0],
            "phone": "13800138000",
            "school_name": "@SUM(1+1)",
            "grade": "+五年级",
            "head_count": 1,
        },
    )
    assert response.status_code == 302
    assert db.session.execute(sa.select(Registration.name)).scalar_one() == HOSTILE[0]
    login(organiser)
    attendance = client.get(f"/events/{event.id}/attendance.xlsx")
    assert attendance.status_code == 200
    assert_no_formula(attendance.data)
    names = [c.value for row in load_workbook(io.BytesIO(attendance.data)).worksheets[3].iter_rows() for c in row]
    assert HOSTILE[0] in names  # the no-shows sheet shows the name as typed
    for args in (["events", "list"], ["events", "registrations", "--event", str(event.id)]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
        assert_csv_neutralised(result.output)


def test_nothing_writes_a_spreadsheet_but_core_spreadsheets():
    """Every export goes through core.spreadsheets: no other module builds a workbook or a CSV writer."""
    pattern = re.compile(r"\bWorkbook\(|csv\.(?:writer|DictWriter)\(|write_only=True")
    offenders = []
    for path in ROOT.glob("*/**/*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith((".venv/", "tests/", "bench/", "node_modules/")) or rel == "core/spreadsheets.py":
            continue
        offenders += [
            f"{rel}:{n}"
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if pattern.search(line)
        ]
    assert offenders == []


@pytest.mark.no_app
def test_one_header_row_finder_for_every_import():
    from core.spreadsheets import find_header_row

    fields = {"姓名": "name", "学校名称": "name", "性别": "gender"}
    rows = [(1, ("2026年 学生名单", None)), (2, ("性别", "姓名", "姓名")), (3, ("男", "䶮", "𠮷"))]
    assert find_header_row(rows, fields.get, required="name") == (1, {"gender": 0, "name": 1}, ["姓名"])
    assert find_header_row(rows, fields.get, required="name", search_rows=1) is None
