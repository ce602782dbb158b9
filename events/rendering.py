"""Ticket images: the QR code (PNG), a printable ticket card (PNG) and tickets as PDF (two per A4 page).

The QR code holds only the ticket code (never a row id or a URL with personal data). Chinese text: PNG uses
a system CJK TrueType font when one is installed (fonts-wqy-*); the PDF uses the platform's font chain
(core.pdffonts: embedded TrueType subsets with fallbacks, so 䶮 and 𠮷 print and "·" is never a "�").
Everything printed is in the installation's language (core.i18n.print_locale), whatever the page's.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from flask_babel import format_datetime
from flask_babel import gettext as _

from events.tickets import format_code

if TYPE_CHECKING:
    from PIL import Image, ImageDraw

# qrcode and Pillow are imported by the functions that draw, not by every process that registers the
# ticket routes (decision 0010).

CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)


def qr_matrix_image(code: str, box: int = 10, border: int = 4) -> Image.Image:
    import qrcode
    import qrcode.constants

    qr = qrcode.QRCode(border=border, box_size=box, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(code)
    qr.make(fit=True)
    return qr.make_image(fill_color="black", back_color="white").get_image().convert("RGB")


def qr_png(code: str) -> bytes:
    buffer = io.BytesIO()
    qr_matrix_image(code).save(buffer, "PNG")
    return buffer.getvalue()


def _font(size: int):
    from PIL import ImageFont

    for path in CJK_FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def ticket_time(session) -> str:
    """Start and end of a session: "2026-05-20 09:00–11:30", or both dates when it ends on another day."""
    start = format_datetime(session.starts_at, "yyyy-MM-dd HH:mm")
    same_day = format_datetime(session.starts_at, "yyyy-MM-dd") == format_datetime(session.ends_at, "yyyy-MM-dd")
    end = format_datetime(session.ends_at, "HH:mm" if same_day else "yyyy-MM-dd HH:mm")
    return f"{start}–{end}"


def _ticket_lines(registration, time_text: str | None = None) -> list[str]:
    event = registration.event
    lines = [event.title, time_text or ticket_time(registration.session)]
    if registration.session.title:
        lines.append(registration.session.title)
    if event.venue is not None:
        lines.append(event.venue.name)
        if event.venue.address:
            lines.append(event.venue.address)
    lines.append(registration.name + (f" · {registration.school_name}" if registration.school_name else ""))
    if registration.kind == "group":
        lines.append(_("Group of %(n)d people", n=registration.head_count))
    return lines


def ticket_png(registration) -> bytes:
    """A ticket card: title, time, venue, name (and group head-count), QR code and the readable code."""
    from PIL import Image, ImageDraw

    qr = qr_matrix_image(registration.code, box=8).resize((400, 400), Image.NEAREST)
    card = Image.new("RGB", (480, 720), "white")
    draw = ImageDraw.Draw(card)
    big, small = _font(26), _font(20)
    y = 24
    for index, line in enumerate(_ticket_lines(registration)):
        draw.text((24, y), line[:24], fill="black", font=big if index == 0 else small)
        y += 36 if index == 0 else 28
    card.paste(qr, (40, max(y + 8, 250)))
    draw.text((24, 680), format_code(registration.code), fill="black", font=_font(18))
    buffer = io.BytesIO()
    card.save(buffer, "PNG")
    return buffer.getvalue()


def event_time(event) -> str:
    """Start and end of an event, as tickets show a session's."""
    return ticket_time(event)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int, max_lines: int) -> list[str]:
    """Break text to lines of at most `width` pixels, character by character (Chinese has no spaces)."""
    lines, line = [], ""
    for char in text:
        if draw.textlength(line + char, font=font) > width:
            lines.append(line)
            line = char.lstrip()
        else:
            line += char
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…"
    return lines


def share_png(
    *, title: str, when: str, where: str, organiser: str, colour: str | None, logo: str | None, footer: str
) -> bytes:
    """The 1200 × 630 picture of a link preview: a band in the organiser's colour (neutral ink without one), its
    logo, the title in large type, time and place."""
    from PIL import Image, ImageDraw

    ink = colour or "#1f2937"
    card = Image.new("RGB", (1200, 630), "white")
    draw = ImageDraw.Draw(card)
    draw.rectangle((0, 0, 1200, 120), fill=ink)
    x = 60
    if logo:
        with Image.open(logo) as img:
            mark = img.convert("RGBA")
            mark.thumbnail((88, 88))
            plate = Image.new("RGBA", (mark.width + 8, mark.height + 8), "white")
            plate.alpha_composite(mark, (4, 4))
            card.paste(plate.convert("RGB"), (x, 16))
            x += plate.width + 24
    draw.text((x, 38), organiser[:30], fill="white", font=_font(40))
    y = 170
    big = _font(64)
    for line in _wrap(draw, title, big, 1080, 3):
        draw.text((60, y), line, fill="#111827", font=big)
        y += 84
    small = _font(36)
    y += 20
    for line in (when, where):
        if line:
            draw.text((60, y), line[:40], fill="#374151", font=small)
            y += 52
    draw.text((60, 560), footer, fill=ink, font=_font(32))
    buffer = io.BytesIO()
    card.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def ticket_pdf(registrations) -> bytes:
    """Tickets on A4, two per page, each with its QR code; group tickets show the head-count.

    Text is drawn in the platform's embedded font chain; QR codes are vector rectangles from a fixed
    version and mask (no bitmap per ticket), so an event's few hundred tickets build within the request."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    from core.i18n import print_locale
    from core.pdffonts import draw_chain_string, platform_chain, register_face
    from core.qrfast import QrEncoder, draw_qr

    chain = platform_chain()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=register_face(chain.primary))
    pdf.setTitle("Tickets")
    width, height = A4
    encoder = QrEncoder()
    times: dict[int, str] = {}  # per session: an event's tickets share a few sessions
    with print_locale():
        for index, registration in enumerate(registrations):
            slot = index % 2
            if index and slot == 0:
                pdf.showPage()
            top = height - 20 * mm - slot * (height / 2)
            session = registration.session
            if session.id not in times:
                times[session.id] = ticket_time(session)
            lines = _ticket_lines(registration, times[session.id])
            draw_chain_string(pdf, chain, 20 * mm, top, lines[0][:40], 16)
            for number, line in enumerate(lines[1:], start=1):
                draw_chain_string(pdf, chain, 20 * mm, top - number * 8 * mm, line[:48], 12)
            draw_chain_string(pdf, chain, 20 * mm, top - 9 * 8 * mm, format_code(registration.code), 11)
            draw_qr(pdf, encoder.matrix(registration.code), width - 90 * mm, top + 5 * mm, 70 * mm)
            if slot == 0:
                pdf.line(10 * mm, height / 2, width - 10 * mm, height / 2)  # cut here
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def signin_sheet_pdf(session, registrations, member_list) -> bytes:
    """The printable sign-in sheet (签到表) of a session, the paper backup of the scanner: one row per
    registration (a group's members listed under its leader), with empty columns to sign and write the time.

    Phones show only their masked form (core.privacy): the sheet lies open at the door. Platypus tables in the
    platform's embedded font chain, like every PDF the platform prints, in the installation's language."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from core.i18n import print_locale
    from core.pdffonts import chain_markup, platform_chain, register_face
    from core.privacy import mask_phone

    chain = platform_chain()
    font = register_face(chain.primary)
    title_style = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=1, spaceAfter=2)
    meta_style = ParagraphStyle("meta", fontName=font, fontSize=10, leading=14, alignment=1)
    cell = ParagraphStyle("cell", fontName=font, fontSize=10, leading=13, wordWrap="CJK")
    small = ParagraphStyle("small", parent=cell, fontSize=8, leading=10, textColor=colors.HexColor("#444444"))

    def text(value, style=cell):
        return Paragraph(chain_markup(chain, str(value or "")), style)

    event = session.event
    buffer = io.BytesIO()
    with print_locale():
        doc = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            initialFontName=font,
            leftMargin=12 * mm,
            rightMargin=12 * mm,
            topMargin=14 * mm,
            bottomMargin=14 * mm,
            title=_("Sign-in sheet"),
        )
        place = ", ".join(p for p in ((event.venue.name, event.venue.address) if event.venue else ()) if p)
        story = [
            text(f"{event.title} · {_('Sign-in sheet')}", title_style),
            text(" · ".join(p for p in (session.title, ticket_time(session), place) if p), meta_style),
            Spacer(1, 4 * mm),
        ]
        data = [
            [
                text(_("No.")),
                text(_("Full name")),
                text(_("School")),
                text(_("People")),
                text(_("Phone")),
                text(_("Signature")),
                text(_("Time")),
            ]
        ]
        for number, registration in enumerate(registrations, 1):
            name = [text(registration.name)]
            members = member_list(registration) if registration.kind == "group" else []
            if members:
                name.append(text(_("Members: %(names)s", names="、".join(members)), small))
            data.append(
                [
                    str(number),
                    name,
                    text(" ".join(p for p in (registration.school_name, registration.grade) if p)),
                    str(registration.head_count),
                    mask_phone(registration.phone),
                    "",
                    "",
                ]
            )
        if not registrations:
            data.append(["", text(_("No confirmed registrations.")), "", "", "", "", ""])
        table = Table(data, colWidths=[12 * mm, 40 * mm, 40 * mm, 12 * mm, 26 * mm, 36 * mm, 20 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), font),
                    ("FONTSIZE", (0, 0), (-1, -1), 10),
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                    ("TOPPADDING", (0, 1), (-1, -1), 6),
                    ("BOTTOMPADDING", (0, 1), (-1, -1), 6),
                ]
            )
        )
        story.append(table)
        story.append(Spacer(1, 4 * mm))
        story.append(
            text(_("Walk-ins: add name, phone and signature on the empty lines; staff enter them later."), small)
        )
        blank = Table(
            [["", "", "", "", "", "", ""] for _row in range(5)],
            colWidths=[12 * mm, 40 * mm, 40 * mm, 12 * mm, 26 * mm, 36 * mm, 20 * mm],
            rowHeights=9 * mm,
        )
        blank.setStyle(
            TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("GRID", (0, 0), (-1, -1), 0.5, colors.black)])
        )
        story.append(blank)
        doc.build(story)
    return buffer.getvalue()
