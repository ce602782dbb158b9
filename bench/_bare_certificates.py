"""The reference of bench/certificates_cli.py, run as its own process: a bare ReportLab canvas drawing the
same pages (background once as a form, the same texts at the template's positions, the QR code built with
the `qrcode` package at a fixed version and mask) with the same font. No Flask, no database, no fitting.
Characters outside the main face (rare names) are drawn from the fallback face the job names for them,
registered the first time a page needs it: the same faces are parsed and embedded as in ours.

    python bench/_bare_certificates.py pages.json out.pdf
"""

import json
import sys

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

MM = 72.0 / 25.4


def main(src: str, out: str) -> None:
    with open(src, encoding="utf-8") as fh:
        job = json.load(fh)
    pdfmetrics.registerFont(TTFont("F", job["font_path"], subfontIndex=job["font_index"]))
    face_of = {ch: f"F{n}" for ch, n in job["face_of"].items()}
    registered = {"F"}

    def runs(text):
        out = []
        for ch in text:
            name = face_of.get(ch, "F")
            if name not in registered:
                path, index = job["fallbacks"][int(name[1:])]
                pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
                registered.add(name)
            if out and out[-1][0] == name:
                out[-1][1] += ch
            else:
                out.append([name, ch])
        return out

    page_w, page_h = job["page_mm"][0] * MM, job["page_mm"][1] * MM
    c = Canvas(out, pagesize=(page_w, page_h), pageCompression=1, initialFontName="F")
    c.beginForm("bg")
    c.drawImage(job["background"], 0, 0, page_w, page_h)
    c.endForm()
    qx, qy, qside = job["qr"]
    for page in job["pages"]:
        c.doForm("bg")
        for text, x, y, w, size, align in page["texts"]:
            base = page_h - y * MM - size * 0.8
            parts = runs(text)
            left = x * MM
            if align != "left":
                width = sum(pdfmetrics.stringWidth(run, name, size) for name, run in parts)
                left += (w * MM - width) / (2 if align == "center" else 1)
            t = c.beginText(left, base)
            for name, run in parts:
                t.setFont(name, size)
                t.textOut(run)
            c.drawText(t)
        code = qrcode.QRCode(
            version=job["qr_version"], error_correction=ERROR_CORRECT_M, mask_pattern=job["qr_mask"], border=0
        )
        code.add_data(page["url"])
        code.make(fit=False)
        modules = code.modules
        unit = qside * MM / (len(modules) + 8)
        c.saveState()
        c.transform(unit, 0, 0, -unit, qx * MM + 4 * unit, page_h - qy * MM - 4 * unit)
        p = c.beginPath()
        for r, row in enumerate(modules):
            col = 0
            while col < len(row):
                if row[col]:
                    s0 = col
                    while col < len(row) and row[col]:
                        col += 1
                    p.rect(s0, r, col - s0, 1)
                else:
                    col += 1
        c.drawPath(p, stroke=0, fill=1)
        c.restoreState()
        c.showPage()
    c.save()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
