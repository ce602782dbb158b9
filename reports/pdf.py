"""Render a reports.document.Report as a PDF with ReportLab platypus (plain Python, no Flask).

Charts are vector drawings (reportlab.graphics bar and pie charts), not images. The CJK font is a TrueType
face embedded as a subset (WenQuanYi Micro Hei subfont 0 by default), so the PDF reads the same on a
computer without Chinese fonts. Numbers with a link become PDF hyperlinks to the list they count.
"""

from __future__ import annotations

import io

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from reports.document import Figure, Report, Row
from reports.document import Table as ReportTable

#: Bars shown in one chart; the table under it always lists every row.
MAX_CHART_ROWS = 15
PALETTE = ["#2f6fb0", "#e07b39", "#4a9d5b", "#c0504d", "#8064a2", "#4bacc6", "#f2b134", "#7f7f7f", "#9bbb59", "#2c4d75"]


class ReportFontMissing(RuntimeError):
    """No Chinese TrueType font was found, so a readable PDF cannot be made."""


def register_font() -> str:
    """The registered name of the platform chain's main face (core.pdffonts), embedded as a subset."""
    from core.fontfiles import FontError
    from core.pdffonts import platform_chain, register_face

    try:
        return register_face(platform_chain().primary)
    except FontError as exc:
        raise ReportFontMissing("no Chinese TrueType font found (install fonts-wqy-microhei)") from exc


def escape(text: str, entities: dict | None = None) -> str:
    """Paragraph markup of a text: escaped, and runs the main face lacks (䶮, 𠮷) in their fallback face."""
    from xml.sax.saxutils import escape as xml_escape

    from core.pdffonts import chain_markup, platform_chain

    if entities:  # an attribute value (a link), not printed text
        return xml_escape(text, entities)
    return chain_markup(platform_chain(), text)


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=20, leading=26, spaceAfter=4),
        "subtitle": ParagraphStyle(
            "subtitle", parent=base, fontSize=11, leading=15, textColor=colors.HexColor("#555555"), spaceAfter=10
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontSize=14,
            leading=19,
            spaceBefore=10,
            spaceAfter=6,
            textColor=colors.HexColor("#1d3f6e"),
        ),
        "h3": ParagraphStyle("h3", parent=base, fontSize=11, leading=15, spaceBefore=6, spaceAfter=4),
        "body": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=12),
        "num": ParagraphStyle("num", parent=base, fontSize=9, leading=12, alignment=2),
        "big": ParagraphStyle(
            "big", parent=base, fontSize=16, leading=20, alignment=1, textColor=colors.HexColor("#1d3f6e")
        ),
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11, textColor=colors.HexColor("#666666")),
    }


def _fmt(value) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _linked(text: str, link: str | None, style: ParagraphStyle) -> Paragraph:
    body = escape(text)
    if link and "://" in link:  # a relative link means nothing inside a PDF file
        body = f'<a href="{escape(link, {chr(34): "&quot;"})}" color="#1d5fa8">{body}</a>'
    return Paragraph(body, style)


def _figures_block(figures: list[Figure], st, width: float) -> Table:
    per_row = 3
    cells, row = [], []
    for fig in figures:
        row.append([_linked(_fmt(fig.value), fig.link, st["big"]), Paragraph(escape(fig.label), st["small"])])
        if len(row) == per_row:
            cells.append(row)
            row = []
    if row:
        row += [""] * (per_row - len(row))
        cells.append(row)
    table = Table(cells, colWidths=[width / per_row] * per_row)
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor("#c8d3e0")),
                ("INNERGRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#c8d3e0")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def _data_table(table: ReportTable, st, width: float) -> Table:
    header = [Paragraph(escape(table.label_header), st["cell"])] + [
        Paragraph(escape(c), st["num"]) for c in table.columns
    ]
    body = [header]
    for row in table.rows:
        body.append(
            [Paragraph(escape(row.label), st["cell"])]
            + [_linked(_fmt(v), row.link(i), st["num"]) for i, v in enumerate(row.values)]
        )
    value_width = min(28 * mm, width * 0.6 / max(1, len(table.columns)))
    col_widths = [width - value_width * len(table.columns)] + [value_width] * len(table.columns)
    out = Table(body, colWidths=col_widths, repeatRows=1)
    out.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor("#8aa2c0")),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#d9d9d9")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return out


def _chart_rows(table: ReportTable) -> list[Row]:
    rows = [r for r in table.rows if isinstance(r.values[table.chart_column], int)]
    return rows[:MAX_CHART_ROWS]


def bar_chart(table: ReportTable, font: str, width: float) -> Drawing | None:
    """A horizontal bar chart of one column (vector drawing); None when there is nothing to plot."""
    rows = _chart_rows(table)
    if not rows or not any(r.values[table.chart_column] for r in rows):
        return None
    bar_h = 14
    height = bar_h * len(rows) + 30
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = width * 0.34, 18
    chart.width, chart.height = width * 0.6, bar_h * len(rows)
    # bottom-up in ReportLab: reverse so the first row is on top, as in the table
    values = [int(r.values[table.chart_column]) for r in reversed(rows)]
    chart.data = [values]
    chart.bars[0].fillColor = colors.HexColor(PALETTE[0])
    chart.bars[0].strokeColor = None
    chart.categoryAxis.categoryNames = [_shorten(r.label, 16) for r in reversed(rows)]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.forceZero = True
    top = max(values)
    chart.valueAxis.valueMax = top + max(1, top // 10)
    chart.valueAxis.valueStep = _nice_step(chart.valueAxis.valueMax)
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def pie_chart(table: ReportTable, font: str, width: float) -> Drawing | None:
    """A pie chart of one column with a legend (vector drawing); None when every value is zero."""
    rows = [r for r in _chart_rows(table) if r.values[table.chart_column]]
    if not rows:
        return None
    size = 120
    drawing = Drawing(width, size + 20)
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 20, 10, size, size
    pie.data = [int(r.values[table.chart_column]) for r in rows]
    pie.labels = None
    pie.slices.strokeColor = colors.white
    pie.slices.strokeWidth = 0.5
    for i in range(len(rows)):
        pie.slices[i].fillColor = colors.HexColor(PALETTE[i % len(PALETTE)])
    drawing.add(pie)
    total = sum(pie.data)
    for i, row in enumerate(rows):  # legend: colour square, label, value and share
        y = size + 2 - i * 13
        drawing.add(Rect(size + 45, y, 8, 8, fillColor=colors.HexColor(PALETTE[i % len(PALETTE)]), strokeColor=None))
        share = round(100 * pie.data[i] / total)
        drawing.add(
            String(size + 58, y, f"{_shorten(row.label, 20)}  {pie.data[i]:,} ({share}%)", fontName=font, fontSize=8)
        )
    return drawing


def _nice_step(top: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000):
        if top / step <= 6:
            return step
    return max(1, top // 5)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def build_pdf(report: Report) -> bytes:
    """The report as PDF bytes: title, then per section its figures, charts and tables (A4 portrait)."""
    font = register_font()
    st = _styles(font)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        initialFontName=font,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=report.title,
        subject=report.subtitle,
        author="Kechuang",
        creator="Kechuang reports",
    )
    width = doc.width
    story: list = [Paragraph(escape(report.title), st["title"]), Paragraph(escape(report.subtitle), st["subtitle"])]
    for section in report.sections:
        story.append(Paragraph(escape(section.title), st["h2"]))
        if section.figures:
            story += [_figures_block(section.figures, st, width), Spacer(1, 6)]
        for table in section.tables:
            block: list = [Paragraph(escape(table.title), st["h3"])]
            if not table.rows:
                block.append(Paragraph("—", st["body"]))
                story.append(KeepTogether(block))
                continue
            chart = None
            if table.chart == "bar":
                chart = bar_chart(table, font, width)
            elif table.chart == "pie":
                chart = pie_chart(table, font, width)
            if chart is not None:
                block.append(chart)
                if len(table.rows) > MAX_CHART_ROWS and report.chart_limit_note:
                    block.append(Paragraph(escape(report.chart_limit_note % {"n": MAX_CHART_ROWS}), st["small"]))
            story.append(KeepTogether(block))
            story.append(_data_table(table, st, width))
            if table.note:
                story.append(Paragraph(escape(table.note), st["small"]))
            story.append(Spacer(1, 6))
    if report.definitions:  # what the figures count, after them
        story.append(Paragraph(escape(report.definitions_title), st["h2"]))
        story += [Paragraph(escape(text), st["small"]) for text in report.definitions]

    def footer(canvas, doc_):
        canvas.saveState()
        canvas.setFont(font, 7.5)
        canvas.setFillColor(colors.HexColor("#777777"))
        canvas.drawString(doc_.leftMargin, 9 * mm, report.footer)
        canvas.drawRightString(doc_.leftMargin + doc_.width, 9 * mm, str(canvas.getPageNumber()))
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
