"""Issue 26, certificates: default templates carry the association's brand (main colour, logo); an
association without a brand keeps the neutral default. Checked on the rendered PDF itself: rasterised
with poppler's pdftoppm (pixels of the brand colour in the heading, of the logo above it), fonts embedded,
rare names (䶮, 𠮷) still printed."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from PIL import Image
from pypdf import PdfReader

from accounts import branding
from certificates import services
from core.extensions import db
from tests import factories as f
from tests.certificates import factories as cf

BRAND = "#0b5394"  # a dark blue: white text on it reads at AA contrast, as branding requires
LOGO_RGB = (0, 160, 60)  # a green that appears nowhere else on a certificate
NEUTRAL_RGB = (0xB2, 0x22, 0x22)
DPI = 50
MM_PX = DPI / 25.4


@pytest.fixture(autouse=True)
def _source():
    cf.install_source()
    cf.BATCHES.clear()
    yield
    cf.BATCHES.clear()


def _png(rgb, size=(200, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, rgb).save(out, "PNG")
    return out.getvalue()


def _issue(county, contest_id: int):
    school = f.school(county, name="青溪县实验小学")
    cf.contest(contest_id, county, cf.holders_for(school, ["刘䶮", "董𠮷祥"]))
    template = services.create_template(county.id, "获奖证书", kind="award")  # the default design
    certs, _plan = services.issue_certificates(cf.SOURCE_KEY, contest_id, template, accept_preflight=True)
    db.session.commit()
    buf = io.BytesIO()
    services.render_merged_pdf(certs, buf)
    return template, buf.getvalue()


def _raster(pdf: bytes, tmp_path) -> Image.Image:
    if shutil.which("pdftoppm") is None:
        pytest.fail("poppler-utils (pdftoppm) must be installed")
    src = tmp_path / "c.pdf"
    src.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-png", "-f", "1", "-l", "1", "-singlefile", str(src), str(tmp_path / "c")],
        check=True,
        timeout=60,
    )
    return Image.open(tmp_path / "c.png").convert("RGB")


def _count(img: Image.Image, box_mm, rgb, tolerance: int = 40) -> int:
    """Pixels within `tolerance` (per channel) of rgb inside a box given in mm (left, top, right, bottom)."""
    left, top, right, bottom = (round(v * MM_PX) for v in box_mm)
    region = img.crop((left, top, right, bottom))
    return sum(1 for px in region.getdata() if all(abs(a - b) <= tolerance for a, b in zip(px, rgb, strict=True)))


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


HEADING_MM = (20, 28, 277, 50)  # the default design's heading line
LOGO_MM = (128, 10, 169, 29)  # above it, centred


def _fonts_embedded(pdf: bytes) -> bool:
    fonts = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = page.get("/Resources") or {}
        for name, ref in (resources.get("/Font") or {}).items():
            fonts[name] = ref.get_object()
    descendants = [
        font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font for font in fonts.values()
    ]
    return bool(descendants) and all(d["/FontDescriptor"].get_object().get("/FontFile2") for d in descendants)


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_default_template_of_a_branded_association_prints_its_colour_and_logo(app, tmp_path):
    county = f.association(name="青溪县科学技术协会")
    branding.set_brand(county, colour=BRAND, logo=_png(LOGO_RGB))
    template, pdf = _issue(county, 41)

    heading = next(i for i in template.spec["items"] if i.get("text") == "荣誉证书")
    assert heading["colour"] == BRAND
    logo = next(i for i in template.spec["items"] if i["kind"] == "image")
    assert services.image_path(logo["image"]) and logo["image"].startswith("brand-")

    img = _raster(pdf, tmp_path)
    assert _count(img, HEADING_MM, _rgb(BRAND)) > 50, "the heading is not in the brand colour"
    assert _count(img, HEADING_MM, NEUTRAL_RGB) == 0
    assert _count(img, LOGO_MM, LOGO_RGB, tolerance=10) > 300, "the logo is not above the heading"
    assert _fonts_embedded(pdf)
    text = _text(pdf)
    assert "刘䶮" in text and "董𠮷祥" in text


def test_a_unit_under_a_branded_association_and_a_second_template_reuse_one_logo_copy(app):
    county = f.association()
    branding.set_brand(county, colour=BRAND, logo=_png(LOGO_RGB))
    office = f.association(parent=county)  # a unit without its own brand takes the nearest association's
    first = services.template_brand(office.id)
    second = services.template_brand(county.id)
    assert first == second and first.colour == BRAND and first.logo


def test_default_template_without_a_brand_stays_neutral(app, tmp_path):
    county = f.association(name="白石县科学技术协会")
    template, pdf = _issue(county, 42)

    assert not any(i["kind"] == "image" for i in template.spec["items"])
    heading = next(i for i in template.spec["items"] if i.get("text") == "荣誉证书")
    assert heading["colour"] == services.NEUTRAL_ACCENT
    img = _raster(pdf, tmp_path)
    assert _count(img, HEADING_MM, NEUTRAL_RGB) > 50
    assert _count(img, HEADING_MM, _rgb(BRAND)) == 0
    assert _count(img, LOGO_MM, LOGO_RGB, tolerance=10) == 0
    assert _fonts_embedded(pdf)
    assert "刘䶮" in _text(pdf)


def test_new_template_page_opens_in_the_brand(client, login, app):
    county = f.association()
    branding.set_brand(county, colour=BRAND, logo=_png(LOGO_RGB))
    login(f.organiser(county))
    db.session.commit()
    html = client.get("/certificates/templates/new").get_data(as_text=True)
    assert BRAND in html and "brand-" in html
