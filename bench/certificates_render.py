"""Benchmark: render N award certificates (background + 6 texts + QR) into one PDF.

Prints `name: value unit (ratio vs reference)` lines and returns a dict. The reference is a bare
ReportLab canvas drawing the same items in the same run the way the issue measured it: background once as
a form XObject, rl_accel, one font, each QR built with the `qrcode` package at a fixed version and mask
and drawn as rectangles. Ours adds the fallback chain and shrink-to-fit, and uses core/qrfast.py.

    .venv/bin/python bench/certificates_render.py [--count 10000]
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import qrcode  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402
from qrcode.constants import ERROR_CORRECT_M  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from certificates.layout import MM, PageSpec, TemplateItem, TemplateSpec  # noqa: E402
from certificates.render import CertificateData, CertificateRenderer  # noqa: E402
from core import fontfiles, pdffonts  # noqa: E402
from core.qrfast import QrEncoder  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "子涵欣怡梓萱浩宇一诺宇轩思远雨桐俊杰佳琪明轩嘉怡"
SCHOOLS = ["第一实验小学", "城关中学", "育才中学", "实验初级中学", "县第二中学"]
AWARDS = ["一等奖", "二等奖", "三等奖", "优秀奖"]


def make_background(path: str) -> None:
    img = Image.new("RGB", (1754, 1240), (252, 246, 228))
    draw = ImageDraw.Draw(img)
    for i in range(0, 60, 6):
        draw.rectangle([40 + i, 40 + i, 1714 - i, 1200 - i], outline=(180, 40, 40), width=2)
    img.save(path, "JPEG", quality=85)


def make_data(count: int, base: str = "https://kc.example.org/v/"):
    for i in range(count):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 3 + 1) % len(GIVEN)]
        yield CertificateData(
            key=str(i),
            verify_url=base + secrets.token_urlsafe(16),
            values={
                "name": name,
                "school": SCHOOLS[i % 5],
                "award": AWARDS[i % 4],
                "contest": "第十届青少年科技创新大赛",
                "date": "2026年5月20日",
                "number": f"2026-KC-{i + 1:05d}",
            },
        )


ITEMS = [  # (placeholder text, x, y, width mm, size pt, align)
    ("{name}", 40, 60, 217, 28, "center"),
    ("{school}", 40, 80, 217, 16, "center"),
    ("在{contest}中荣获", 40, 100, 217, 16, "center"),
    ("{award}", 40, 115, 217, 32, "center"),
    ("{date}", 180, 165, 80, 14, "right"),
    ("证书编号：{number}", 30, 190, 120, 10, "left"),
]


def bench_kechuang(count: int, background: str, face_key: str, faces, out: str) -> float:
    spec = TemplateSpec(
        page=PageSpec("A4", "landscape"),
        fonts=[face_key],
        background=background,
        items=[TemplateItem("text", x, y, w, text=t, size_pt=s, align=a) for t, x, y, w, s, a in ITEMS]
        + [TemplateItem("qr", 240, 150, 30)],
    )
    renderer = CertificateRenderer(spec, faces)
    start = time.perf_counter()
    renderer.render(make_data(count), out)
    return time.perf_counter() - start


def bench_bare(count: int, background: str, face, out: str) -> float:
    """Bare canvas: same items, one font, no fallback chain, no fitting."""
    name = pdffonts.register_face(face)
    page_w, page_h = 297 * MM, 210 * MM
    version = QrEncoder()
    version.matrix(next(iter(make_data(1))).verify_url)  # same version and mask as ours
    start = time.perf_counter()
    c = Canvas(out, pagesize=(page_w, page_h), pageCompression=1, initialFontName=name)
    c.beginForm("bg")
    c.drawImage(background, 0, 0, page_w, page_h)
    c.endForm()
    for cert in make_data(count):
        c.doForm("bg")
        for text, x, y, w, size, align in ITEMS:
            s = text.format(**cert.values)
            base = page_h - y * MM - size * 0.8
            if align == "left":
                c.setFont(name, size)
                c.drawString(x * MM, base, s)
            else:
                width = pdfmetrics.stringWidth(s, name, size)
                c.setFont(name, size)
                c.drawString(x * MM + (w * MM - width) / (2 if align == "center" else 1), base, s)
        code = qrcode.QRCode(
            version=version.fixed.version, error_correction=ERROR_CORRECT_M, mask_pattern=version.fixed.mask, border=0
        )
        code.add_data(cert.verify_url)
        code.make(fit=False)
        modules = code.modules
        unit = 30 * MM / (len(modules) + 8)
        c.saveState()
        c.transform(unit, 0, 0, -unit, 240 * MM + 4 * unit, page_h - 150 * MM - 4 * unit)
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
    return time.perf_counter() - start


def main(count: int = 10000) -> dict:
    faces = {f.key: f for f in fontfiles.discover_system_fonts()}
    key = "wqy-microhei-0" if "wqy-microhei-0" in faces else next(iter(faces))
    with tempfile.TemporaryDirectory() as tmp:
        bg = os.path.join(tmp, "bg.jpg")
        make_background(bg)
        # warm-up: font parsing and registration are one-off costs of the process, not per batch
        bench_bare(5, bg, faces[key], os.path.join(tmp, "warm.pdf"))
        bare = bench_bare(count, bg, faces[key], os.path.join(tmp, "bare.pdf"))
        ours = bench_kechuang(count, bg, key, faces, os.path.join(tmp, "kc.pdf"))
        size_mb = os.path.getsize(os.path.join(tmp, "kc.pdf")) / 1e6
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "certificates_per_s": count / ours,
        "bare_canvas_per_s": count / bare,
        "ratio": (count / ours) / (count / bare),
        "peak_rss_mb": peak_mb,
        "pdf_mb": size_mb,
        "count": count,
    }
    print(
        f"certificates_render: {result['certificates_per_s']:.0f} certificates/s "
        f"({result['ratio']:.2f}x vs bare ReportLab canvas at {result['bare_canvas_per_s']:.0f}/s)"
    )
    print(f"certificates_render_peak_rss: {peak_mb:.0f} MB (limit 300 MB)")
    print(f"certificates_render_pdf_size: {size_mb:.1f} MB for {count} pages")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10000)
    main(parser.parse_args().count)
