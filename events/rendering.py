"""Ticket images: the QR code (PNG), a printable ticket card (PNG) and tickets as PDF (one per page section).

The QR code holds only the ticket code (never a row id or a URL with personal data). Chinese text: PNG uses
a system CJK TrueType font when one is installed (fonts-wqy-*), PDF uses ReportLab's built-in STSong-Light
CID font, so no font file has to be shipped.
"""
from __future__ import annotations

import io
from pathlib import Path

import qrcode
from flask_babel import format_datetime
from flask_babel import gettext as _
from PIL import Image, ImageDraw, ImageFont

from events.tickets import format_code

CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)


def qr_matrix_image(code: str, box: int = 10, border: int = 4) -> Image.Image:
    qr = qrcode.QRCode(border=border, box_size=box, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(code)
    qr.make(fit=True)
    return qr.make_image(fill_color="black", back_color="white").get_image().convert("RGB")


def qr_png(code: str) -> bytes:
    buffer = io.BytesIO()
    qr_matrix_image(code).save(buffer, "PNG")
    return buffer.getvalue()


def _font(size: int):
    for path in CJK_FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def _ticket_lines(registration) -> list[str]:
    event = registration.event
    lines = [event.title, format_datetime(registration.session.starts_at, "yyyy-MM-dd HH:mm")]
    if registration.session.title:
        lines.append(registration.session.title)
    if event.venue is not None:
        lines.append(event.venue.name)
    lines.append(registration.name + (f" · {registration.school_name}" if registration.school_name else ""))
    if registration.kind == "group":
        lines.append(_("Group of %(n)d people", n=registration.head_count))
    return lines


def ticket_png(registration) -> bytes:
    """A ticket card: title, time, venue, name (and group head-count), QR code and the readable code."""
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


def ticket_pdf(registrations) -> bytes:
    """Tickets on A4, two per page, each with its QR code; group tickets show the head-count."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    for index, registration in enumerate(registrations):
        slot = index % 2
        if index and slot == 0:
            pdf.showPage()
        top = height - 20 * mm - slot * (height / 2)
        pdf.setFont("STSong-Light", 16)
        lines = _ticket_lines(registration)
        pdf.drawString(20 * mm, top, lines[0][:40])
        pdf.setFont("STSong-Light", 12)
        for number, line in enumerate(lines[1:], start=1):
            pdf.drawString(20 * mm, top - number * 8 * mm, line[:48])
        pdf.setFont("Courier", 11)
        pdf.drawString(20 * mm, top - 7 * 8 * mm, format_code(registration.code))
        image = ImageReader(io.BytesIO(qr_png(registration.code)))
        pdf.drawImage(image, width - 90 * mm, top - 75 * mm, 70 * mm, 70 * mm)
        if slot == 0:
            pdf.line(10 * mm, height / 2, width - 10 * mm, height / 2)  # cut here
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
