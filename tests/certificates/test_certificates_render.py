"""Rendering: embedded fonts, extractable text through the fallback chain, a decodable QR, preflight."""

import io
import re
import subprocess
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from certificates.layout import PLACEHOLDERS, PageSpec, TemplateInvalid, TemplateItem, TemplateSpec
from certificates.render import CertificateData, CertificateRenderer, is_image_bytes, render_preview
from tests.certificates.helpers import UNCOVERED
from tests.conftest import require_packages
from tests.qr import decode_qr, qr_top_left

URL = "https://kc.example.org/v/Qm9vayBvZiBLZWNodWFuZyB0b2tlbg"


def award_template(background=None, fonts=("wqy-microhei-0", "wqy-zenhei-0", "upload:extb-0"), **kw):
    return TemplateSpec(
        page=PageSpec("A4", "landscape"),
        fonts=list(fonts),
        background=background,
        items=[
            TemplateItem("text", 20, 20, 257, text="荣誉证书", size_pt=40, align="center"),
            TemplateItem("text", 30, 60, 200, text="{name}同学", size_pt=24, min_size_pt=12),
            TemplateItem("textbox", 30, 80, 230, 40, text="在{contest}中，作品《{title}》荣获{award}。", size_pt=18),
            TemplateItem("text", 180, 165, 90, text="{org}", align="right", size_pt=14, colour="#aa0000"),
            TemplateItem("text", 20, 190, 100, text="证书编号：{number}", size_pt=10),
            TemplateItem("qr", 240, 140, 35),
        ],
        **kw,
    )


def cert(name, number="2026-KC-00001", url=URL):
    return CertificateData(key=number, values={**PLACEHOLDERS, "name": name, "number": number}, verify_url=url)


def rasterise(pdf: bytes, tmp_path, page=1, dpi=150) -> Image.Image:
    require_packages("poppler-utils")
    src = tmp_path / "in.pdf"
    src.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(dpi),
            "-f",
            str(page),
            "-l",
            str(page),
            "-png",
            "-singlefile",
            str(src),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    return Image.open(tmp_path / "page.png")


@pytest.fixture(scope="module")
def rendered(all_faces, background_png):
    renderer = CertificateRenderer(award_template(background_png), all_faces)
    return renderer.render_bytes([cert("王䶮𠮷", url=URL), cert("欧阳明", "2026-KC-00002", URL + "2")])


def test_qr_decodes_to_verify_url(rendered, tmp_path):
    assert decode_qr(rasterise(rendered, tmp_path, page=1)) == [URL]
    assert decode_qr(rasterise(rendered, tmp_path, page=2)) == [URL + "2"]


def _fonts_of(reader):
    found = {}
    for page in reader.pages:

        def walk(resources):
            resources = resources.get_object() if resources is not None else {}
            for _name, ref in (resources.get("/Font") or {}).items():
                font = ref.get_object()
                found[font["/BaseFont"]] = font
            for _name, ref in (resources.get("/XObject") or {}).items():
                xobj = ref.get_object()
                if xobj.get("/Subtype") == "/Form":
                    walk(xobj.get("/Resources"))

        walk(page.get("/Resources"))
    return found


def test_every_font_is_an_embedded_truetype_subset(rendered):
    fonts = _fonts_of(pypdf.PdfReader(io.BytesIO(rendered)))
    assert fonts, "no fonts found"
    families = set()
    for base_font, font in fonts.items():
        assert font["/Subtype"] == "/TrueType", base_font
        assert re.match(r"^/[A-Z]{6}\+", base_font), f"{base_font} is not a subset"
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, f"{base_font} is not embedded"
        assert len(descriptor["/FontFile2"].get_object().get_data()) > 100
        assert "/ToUnicode" in font
        families.add(base_font.split("+", 1)[1].split("-")[0])
    # main font, the Ext A fallback (䶮) and the uploaded Ext B font (𠮷) are all embedded
    assert {"WenQuanYiMicroHei", "WenQuanYiZenHei"} <= families and len(families) == 3


def test_text_extraction_finds_holder_names_through_fallback(rendered):
    reader = pypdf.PdfReader(io.BytesIO(rendered))
    assert len(reader.pages) == 2
    first, second = (p.extract_text() for p in reader.pages)
    assert "王䶮𠮷同学" in first
    assert "2026-KC-00001" in first and "欧阳明同学" in second
    assert "荣誉证书" in first and "荣誉证书" in second  # static text drawn once in a form, shown on each page


def test_background_is_embedded_once(all_faces, background_png):
    renderer = CertificateRenderer(award_template(background_png), all_faces)
    pdf = renderer.render_bytes([cert("甲", str(i)) for i in range(5)])
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    refs = {ref.idnum for page in reader.pages for _n, ref in page["/Resources"]["/XObject"].items()}
    assert len(refs) == 1  # every page references the same static form
    assert pdf.count(b"/Subtype /Image") == 1


def test_preflight_lists_missing_glyphs_with_affected_certificates(system_faces):
    spec = award_template(fonts=("wqy-microhei-0", "wqy-zenhei-0"))
    renderer = CertificateRenderer(spec, system_faces)
    report = renderer.preflight([cert("王䶮𠮷" + UNCOVERED, "N1"), cert("李明", "N2"), cert("吉" + UNCOVERED, "N3")])
    # 䶮 and 𠮷 come from the platform's installed fallbacks (Zen Hei, HanaMin) although the template names
    # only two fonts; only a character no installed face has is reported
    assert report.missing == {UNCOVERED: ["N1", "N3"]}
    assert not report.ok and report.affected_keys() == ["N1", "N3"] and report.checked == 3


def test_preflight_passes_when_fallback_covers_everything(all_faces):
    report = CertificateRenderer(award_template(), all_faces).preflight([cert("王䶮𠮷")])
    assert report.ok and report.missing == {}


def test_shrink_to_fit_and_overflow_report(system_faces):
    spec = award_template(fonts=("wqy-microhei-0",))
    renderer = CertificateRenderer(spec, system_faces)
    name_item = renderer.items[1]  # 200 mm wide, 24 pt, min 12 pt
    size, _lines, overflow = renderer.layout_text(name_item, "张" * 10 + "同学")  # 12 em at 24 pt = 288 pt
    assert (size, overflow) == (24, False)
    size, _lines, overflow = renderer.layout_text(name_item, "张" * 40)  # 40 em: 566.9 pt / 40 -> 14 pt
    assert (size, overflow) == (14.0, False)
    report = renderer.preflight([cert("张" * 60, "LONG"), cert("李四", "SHORT")])
    assert [(o.key, o.item) for o in report.overflows] == [("LONG", 1)]


def test_preprinted_mode_omits_background_and_shifts_by_offset(all_faces, background_png, tmp_path):
    plain = CertificateRenderer(award_template(background_png), all_faces).render_bytes([cert("甲")])
    shifted_spec = award_template(background_png, preprinted=True, offset_x_mm=5, offset_y_mm=-3)
    shifted = CertificateRenderer(shifted_spec, all_faces).render_bytes([cert("甲")])
    assert b"/Subtype /Image" in plain and b"/Subtype /Image" not in shifted
    ax, ay = qr_top_left(rasterise(plain, tmp_path, dpi=254))  # 254 dpi: 10 px per mm
    bx, by = qr_top_left(rasterise(shifted, tmp_path, dpi=254))
    assert abs((bx - ax) - 50) <= 2 and abs((by - ay) + 30) <= 2


def test_invalid_template_is_refused(all_faces, tmp_path):
    not_image = tmp_path / "bg.png"
    not_image.write_bytes(b"GIF89a-not-really")
    with pytest.raises(TemplateInvalid) as info:
        CertificateRenderer(award_template(str(not_image)), all_faces)
    assert [p.code for p in info.value.problems] == ["background_not_image"]
    bad = award_template()
    bad.items.append(TemplateItem("text", 10, 10, 50, text="{nickname}"))
    with pytest.raises(TemplateInvalid, match="nickname"):
        CertificateRenderer(bad, all_faces)


def test_image_item_and_preview(all_faces, background_png):
    spec = award_template(background_png)
    spec.items.append(TemplateItem("image", 200, 150, 30, 30, image=background_png))
    pdf = render_preview(spec, all_faces)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1 and PLACEHOLDERS["name"] in reader.pages[0].extract_text()


def test_is_image_bytes(background_png):
    assert is_image_bytes(Path(background_png).read_bytes())
    assert not is_image_bytes(b"%PDF-1.4 not an image")


def test_render_refuses_empty_batch(all_faces):
    with pytest.raises(ValueError):
        CertificateRenderer(award_template(), all_faces).render_bytes([])


def test_calibration_sheet_shows_item_boxes_shifted(all_faces, tmp_path):
    from certificates.render import render_calibration

    spec = award_template(preprinted=True, offset_x_mm=5, offset_y_mm=2)
    pdf = render_calibration(spec, all_faces)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = reader.pages[0].extract_text()
    assert len(reader.pages) == 1 and "1. text 荣誉证书" in text and "6. qr" in text
    assert all(font["/FontDescriptor"].get_object().get("/FontFile2") for font in _fonts_of(reader).values())
    # the QR box outline (240 mm + 5 mm offset) is drawn in red at x = 245 mm: check the raster
    img = rasterise(pdf, tmp_path, dpi=254).convert("RGB")
    row = 10 * (140 + 2 + 17)  # halfway down the QR box
    red = [x for x in range(img.width) if img.getpixel((x, row))[0] > 150 and img.getpixel((x, row))[1] < 80]
    assert any(abs(x - 2450) <= 3 for x in red)


def test_one_renderer_decodes_each_image_once_across_separate_pdfs(all_faces, background_png, tmp_path, monkeypatch):
    """QA: a ZIP (one PDF per holder) decoded and re-compressed the background and the seal for every PDF,
    which made it ~60 times slower than the merged PDF. Each file is now decoded once per renderer, and
    every PDF still carries the complete images (the seal with its transparency mask)."""
    from reportlab.pdfbase import pdfdoc

    seal = tmp_path / "seal.png"
    Image.new("RGBA", (120, 120), (200, 0, 0, 128)).save(seal)
    spec = award_template(background_png)
    spec.items.append(TemplateItem("image", 200, 150, 30, 30, image=str(seal)))
    renderer = CertificateRenderer(spec, all_faces)
    loads = []
    original = pdfdoc.PDFImageXObject.loadImageFromSRC
    monkeypatch.setattr(
        pdfdoc.PDFImageXObject, "loadImageFromSRC", lambda self, im: (loads.append(1), original(self, im))[1]
    )
    pdfs = [renderer.render_bytes([cert(name, f"2026-KC-0000{i}")]) for i, name in enumerate(["甲", "乙", "丙"])]
    assert len(loads) == 3  # background, seal and its alpha mask: once, not 3 per PDF
    for pdf in pdfs:
        assert pdf.count(b"/Subtype /Image") == 3  # background, seal and the seal's soft mask
        assert b"/SMask" in pdf
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == 1
    page = rasterise(pdfs[2], tmp_path, dpi=50).convert("RGB")
    assert page.getpixel((page.width // 2, page.height - 6)) == (250, 240, 210)  # the background is drawn
    x, y = int((200 + 15) / 25.4 * 50), int((150 + 15) / 25.4 * 50)
    red, green, blue = page.getpixel((x, y))  # the half-transparent red seal over the cream background
    assert red > 200 and green < 150 and blue < 150
