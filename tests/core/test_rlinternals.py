"""The private ReportLab API the platform relies on (core/rlinternals.py) is still there and still works.

When a ReportLab upgrade renames or removes one of these, this test fails with the attribute's name instead
of certificates and tickets going wrong silently."""

import io

import pypdf
import pytest
from reportlab.pdfbase import ttfonts
from reportlab.pdfgen.canvas import Canvas

from core import rlinternals
from core.fontfiles import app_system_faces
from core.pdffonts import FontChain, chain_with_fallbacks, draw_chain_string


@pytest.mark.parametrize("name", rlinternals.CANVAS_INTERNALS)
def test_canvas_still_has(name):
    canvas = Canvas(io.BytesIO())
    assert hasattr(canvas, name), f"reportlab.pdfgen.canvas.Canvas lost {name}: update core/rlinternals.py"


@pytest.mark.parametrize("name", rlinternals.DOC_INTERNALS)
def test_document_still_has(name):
    doc = Canvas(io.BytesIO())._doc
    assert hasattr(doc, name), f"reportlab.pdfbase.pdfdoc.PDFDocument lost {name}: update core/rlinternals.py"


def test_cmap_hook_exists_and_writes_surrogate_pairs():
    assert hasattr(ttfonts, "makeToUnicodeCMap"), "ttfonts.makeToUnicodeCMap is gone: update core/rlinternals.py"
    rlinternals.install_unicode_cmap_fix()
    cmap = ttfonts.makeToUnicodeCMap("F", [0x41, 0x20BB7])
    assert "<01> <D842DFB7>" in cmap and "<00> <0041>" in cmap


def test_text_beyond_the_bmp_extracts_as_written(app, tmp_path):
    with app.app_context():
        faces = app_system_faces()
    chain = FontChain(chain_with_fallbacks([], faces))
    buf = io.BytesIO()
    canvas = Canvas(buf)
    draw_chain_string(canvas, chain, 72, 700, "董𠮷祥·刘䶮", 20)
    rlinternals.append_operators(canvas, "0 0 1 1 re f")
    canvas.showPage()
    canvas.save()
    text = pypdf.PdfReader(io.BytesIO(buf.getvalue())).pages[0].extract_text()
    assert "董𠮷祥·刘䶮" in text.replace(" ", "")
