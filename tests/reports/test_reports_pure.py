"""Pure parts of the reports area: the PDF and .xlsx builders, the open-data writer."""

from __future__ import annotations

import io
import sqlite3

import pytest

from reports.document import Figure, Report, Row, Section, Table
from reports.opendata import OpenDataError, OpenTable, write_opendata

pytestmark = pytest.mark.no_app


# --- a small report ------------------------------------------------------------------------------------------


def sample_report() -> Report:
    return Report(
        title="2026年度科技创新工作统计报告",
        subtitle="测试县科学技术协会（含下级单位）",
        footer="生成于 2026-11-22",
        sections=[
            Section(
                "参赛情况",
                figures=[
                    Figure("students", "参赛学生", 1251, "http://localhost/reports/list/students?year=2026"),
                    Figure("entries", "参赛作品", 987, None),
                ],
                tables=[
                    Table(
                        "by_stage",
                        "按学段",
                        ["学生", "作品"],
                        [
                            Row("小学", [700, 500], ["http://localhost/a", None]),
                            Row("初中", [400, 350]),
                            Row("高中", [151, 137]),
                        ],
                        label_header="学段",
                        chart="bar",
                    ),
                    Table(
                        "by_kind",
                        "活动类型",
                        ["活动"],
                        [Row("科普日", [12]), Row("讲座", [20]), Row("=cmd", [0])],
                        label_header="类型",
                        chart="pie",
                    ),
                    Table("empty", "空表", ["数"], [], label_header="x", chart="bar"),
                ],
            ),
        ],
    )


def test_pdf_has_text_embedded_cjk_font_links_and_vector_charts():
    from pypdf import PdfReader

    from reports.pdf import build_pdf

    data = build_pdf(sample_report())
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages)
    for word in ("统计报告", "参赛学生", "1,251", "小学", "科普日"):
        assert word in text
    fonts, images, links = set(), 0, []
    for page in reader.pages:
        resources = page["/Resources"]
        for font in resources.get("/Font", {}).values():
            font = font.get_object()
            descendant = font.get("/DescendantFonts")
            desc = (descendant[0].get_object() if descendant else font).get("/FontDescriptor")
            if desc is not None:
                desc = desc.get_object()
                assert "/FontFile2" in desc, "the TrueType font must be embedded"
                fonts.add(str(font["/BaseFont"]))
        images += len([x for x in resources.get("/XObject", {}).values() if x.get_object().get("/Subtype") == "/Image"])
        for annot in page.get("/Annots", []) or []:
            uri = annot.get_object().get("/A", {}).get("/URI")
            if uri:
                links.append(str(uri))
    assert fonts, "a CJK font is used"
    assert images == 0, "charts are vector drawings, not images"
    assert "http://localhost/reports/list/students?year=2026" in links
    assert "http://localhost/a" in links


def test_bar_and_pie_charts_are_drawings_and_skip_empty_data():
    from reportlab.graphics.shapes import Drawing

    from reports.pdf import bar_chart, pie_chart, register_font

    font = register_font()
    report = sample_report()
    assert isinstance(bar_chart(report.table("by_stage"), font, 400), Drawing)
    assert isinstance(pie_chart(report.table("by_kind"), font, 400), Drawing)
    zero = Table("z", "z", ["n"], [Row("a", [0])], chart="bar")
    assert bar_chart(zero, font, 400) is None
    assert pie_chart(zero, font, 400) is None


def test_xlsx_keeps_numbers_links_and_neutralises_formulas():
    from openpyxl import load_workbook

    from reports.xlsx import build_xlsx, sheet_title

    wb = load_workbook(io.BytesIO(build_xlsx(sample_report(), summary_title="概览")))
    assert wb.sheetnames[0] == "概览"
    summary = wb["概览"]
    values = [(r[0].value, r[1].value) for r in summary.iter_rows(min_row=4) if r[0].value]
    assert ("参赛学生", 1251) in values
    linked = [r[1] for r in summary.iter_rows(min_row=4) if r[1].value == 1251][0]
    assert linked.hyperlink.target == "http://localhost/reports/list/students?year=2026"
    stage = wb["按学段"]
    rows = [[c.value for c in r] for r in stage.iter_rows(min_row=4)]
    assert rows == [["小学", 700, 500], ["初中", 400, 350], ["高中", 151, 137]]
    kinds = {r[0].value: r[0].data_type for r in wb["活动类型"].iter_rows(min_row=4)}
    assert kinds["=cmd"] == "s"  # shown as typed, never a formula
    taken = set()
    assert sheet_title("a/b:c", taken) == "a b c"
    assert sheet_title("A/B:C", taken) == "A B C (2)"
    assert len(sheet_title("x" * 40, taken)) == 31


# --- open data ---------------------------------------------------------------------------------------------


def test_opendata_writes_tables_with_fts_and_replaces_the_file(tmp_path):
    out = tmp_path / "open.db"
    out.write_bytes(b"old")
    counts = write_opendata(
        out,
        [
            OpenTable("contests", [{"id": 1, "name": "第一届青少年科技创新大赛", "year": 2026}], fts=["name"]),
            OpenTable(
                "results",
                [
                    {"id": 5, "title": "智能垃圾分类机器人", "members": "张*明", "contest_id": 1},
                    {"id": 6, "title": "水质检测小助手", "members": "李*", "contest_id": 1},
                ],
                fts=["title"],
                foreign_keys=[("contest_id", "contests", "id")],
            ),
            OpenTable("attendance", [], pk=None, columns={"event_id": int, "checked_in": int}),
        ],
        about={"source": "test"},
    )
    assert counts == {"contests": 1, "results": 2, "attendance": 0}
    conn = sqlite3.connect(out)
    assert conn.execute("select count(*) from results").fetchone() == (2,)
    hits = conn.execute(
        "select title from results where rowid in (select rowid from results_fts where results_fts match ?)",
        ["垃圾分类"],
    ).fetchall()
    assert hits == [("智能垃圾分类机器人",)]
    assert [r[1] for r in conn.execute("pragma table_info(attendance)")] == ["event_id", "checked_in"]
    assert conn.execute("select value from _about where key='source'").fetchone() == ("test",)
    conn.close()


@pytest.mark.parametrize("column", ["phone", "guardian_phone", "id_number", "birth_date", "contact_name", "email"])
def test_opendata_refuses_personal_columns_and_writes_nothing(tmp_path, column):
    out = tmp_path / "open.db"
    with pytest.raises(OpenDataError, match=column):
        write_opendata(out, [OpenTable("people", [{"id": 1, column: "x"}])])
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_long_tables_get_a_note_under_their_cut_chart():
    from pypdf import PdfReader

    from reports.pdf import MAX_CHART_ROWS, build_pdf

    report = sample_report()
    report.chart_limit_note = "图表只显示前 %(n)d 项"
    report.sections[0].tables.append(
        Table(
            "many",
            "很多学校",
            ["作品"],
            [Row(f"学校{i}", [i + 1]) for i in range(40)],
            label_header="学校",
            chart="bar",
        )
    )
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(build_pdf(report))).pages)
    assert f"图表只显示前 {MAX_CHART_ROWS} 项" in text
    assert "学校39" in text  # the table lists every row
