"""PDF documents of the judging area: per-judge score sheets (评分表) and award lists (pure logic).

ReportLab platypus tables, in the platform's embedded font chain (core.pdffonts), like every PDF it prints.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle


def cjk_font() -> str:
    """The registered name of the platform chain's main face (core.pdffonts), embedded as a subset; names and
    titles go through _esc(), which draws characters it lacks (䶮, 𠮷) from the chain's fallbacks."""
    from core.pdffonts import platform_chain, register_face

    return register_face(platform_chain().primary)


@dataclass
class SheetEntry:
    code: str
    title: str
    scores: list[str]  # one formatted value per criterion ("" when blank)
    total: str = ""
    comment: str = ""


@dataclass
class ScoreSheet:
    contest: str
    round: str
    category: str
    judge: str
    criteria: list[tuple[str, str]]  # (name, maximum as text)
    entries: list[SheetEntry] = field(default_factory=list)


@dataclass
class AwardListCategory:
    category: str
    rows: list[tuple[str, str, str, str, str, str]]  # (code, title, school, students, advisors, award)


def _styles(font: str):
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=1, spaceAfter=4)
    meta = ParagraphStyle("meta", fontName=font, fontSize=10, leading=14)
    # wordWrap="CJK": Chinese has no spaces, so lines may break between any two characters (and never put a
    # closing "。" or "，" at the start of a line)
    cell = ParagraphStyle("cell", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    return title, meta, cell


def _table(data, widths, font, header_rows=1):
    table = Table(data, colWidths=widths, repeatRows=header_rows)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (2, 1), (-1, -1), "CENTER"),
            ]
        )
    )
    return table


def score_sheets_pdf(sheets: Sequence[ScoreSheet], labels: dict[str, str]) -> bytes:
    """One landscape A4 sheet (or more) per judge; ``labels`` holds the translated captions:
    title, contest, round, category, judge, code, entry, total, comment, signature, date."""
    font = cjk_font()
    title_style, meta_style, cell_style = _styles(font)
    buffer = io.BytesIO()
    # The signature line is drawn at the foot of EVERY page: a sheet longer than one page is signed on each
    # page, and the line can never end up alone on a page without scores.
    footer = f"{labels['signature']}: ______________________　　{labels['date']}: ______________"

    def draw_footer(canvas, doc_):
        canvas.saveState()
        canvas.setFont(font, 10)
        canvas.drawString(12 * mm, 10 * mm, footer)
        canvas.drawRightString(landscape(A4)[0] - 12 * mm, 10 * mm, str(doc_.page))
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        initialFontName=font,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=20 * mm,
        title=labels["title"],
    )
    story = []
    for index, sheet in enumerate(sheets):
        if index:
            story.append(PageBreak())
        story.append(Paragraph(labels["title"], title_style))
        story.append(
            Paragraph(
                f"{labels['contest']}: {_esc(sheet.contest)}　{labels['round']}: {_esc(sheet.round)}　"
                f"{labels['category']}: {_esc(sheet.category)}　{labels['judge']}: {_esc(sheet.judge)}",
                meta_style,
            )
        )
        story.append(Spacer(1, 4 * mm))
        header = (
            [labels["code"], labels["entry"]]
            + [Paragraph(f"{_esc(name)}<br/>({_esc(maximum)})", cell_style) for name, maximum in sheet.criteria]
            + [labels["total"], labels["comment"]]
        )
        data = [header]
        for entry in sheet.entries:
            data.append(
                [
                    entry.code,
                    Paragraph(_esc(entry.title), cell_style),
                    *entry.scores,
                    entry.total,
                    Paragraph(_esc(entry.comment), cell_style),
                ]
            )
        usable = landscape(A4)[0] - 24 * mm
        fixed = 28 * mm + 60 * mm + 16 * mm + 40 * mm
        per = max((usable - fixed) / max(len(sheet.criteria), 1), 14 * mm)
        story.append(_table(data, [28 * mm, 60 * mm] + [per] * len(sheet.criteria) + [16 * mm, 40 * mm], font))
    if not sheets:
        story.append(Paragraph(labels["title"], title_style))
    doc.build(story, onFirstPage=draw_footer, onLaterPages=draw_footer)
    return buffer.getvalue()


def award_list_pdf(title: str, categories: Sequence[AwardListCategory], labels: dict[str, str]) -> bytes:
    """Landscape A4 award list (获奖名单), one table per category; labels: code, entry, school, students,
    advisors, award."""
    font = cjk_font()
    title_style, meta_style, cell_style = _styles(font)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        initialFontName=font,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title,
    )
    story = [Paragraph(_esc(title), title_style), Spacer(1, 4 * mm)]
    for category in categories:
        story.append(Paragraph(_esc(category.category), meta_style))
        data = [
            [labels["code"], labels["entry"], labels["school"], labels["students"], labels["advisors"], labels["award"]]
        ]
        for code, entry_title, school, students, advisors, award in category.rows:
            data.append(
                [
                    code,
                    Paragraph(_esc(entry_title), cell_style),
                    Paragraph(_esc(school), cell_style),
                    Paragraph(_esc(students), cell_style),
                    Paragraph(_esc(advisors), cell_style),
                    award,
                ]
            )
        story.append(_table(data, [30 * mm, 70 * mm, 50 * mm, 50 * mm, 40 * mm, 23 * mm], font))
        story.append(Spacer(1, 6 * mm))
    doc.build(story)
    return buffer.getvalue()


def _esc(text: str) -> str:
    """Paragraph markup of a text: escaped, runs the main face lacks in their fallback face."""
    from core.pdffonts import chain_markup, platform_chain

    return chain_markup(platform_chain(), str(text or ""))
