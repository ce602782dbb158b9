"""Font discovery, loading, coverage and the fallback chain (no app needed)."""

from pathlib import Path

import pytest

from core import fontcoverage, fontfiles, pdffonts
from core.fontfiles import FontError
from core.pdffonts import FontChain
from tests.certificates.helpers import build_font


def test_discovers_installed_cjk_truetype_faces_including_ttc_subfonts(system_faces):
    assert {"wqy-microhei-0", "wqy-microhei-1", "wqy-zenhei-0", "wqy-zenhei-1", "wqy-zenhei-2"} <= set(system_faces)
    assert system_faces["wqy-zenhei-0"].family == "WenQuanYi Zen Hei"
    assert system_faces["wqy-zenhei-2"].subfont_index == 2
    # DejaVu is TrueType but has no hanzi: not a CJK face
    assert not any("dejavu" in k for k in system_faces)
    assert all(f.source == "system" for f in system_faces.values())
    all_faces = {f.key for f in fontfiles.discover_system_fonts(cjk_only=False)}
    assert "dejavusans-0" in all_faces


def test_coverage_counts_blocks_and_gb2312(system_faces):
    assert len(fontcoverage.gb2312_hanzi()) == 6763
    cov = fontcoverage.coverage_of(system_faces["wqy-zenhei-0"])
    assert cov.gb2312_covered == cov.gb2312_total == 6763
    blocks = {label: (n, size) for label, n, size in cov.blocks}
    assert blocks["Basic Latin"] == (95, 95)
    assert blocks["CJK Extension A"][1] == 0x4DBF - 0x3400 + 1
    assert blocks["CJK Extension A"][0] > 6000  # Zen Hei has 䶮 and most of Ext A
    micro = {label: n for label, n, _ in fontcoverage.coverage_of(system_faces["wqy-microhei-0"]).blocks}
    assert micro["CJK Extension A"] < 10  # Micro Hei lacks Ext A: the reason for a fallback chain


def test_uploaded_font_loads_and_covers_exactly_its_glyphs(uploaded_faces):
    face = uploaded_faces["upload:extb-0"]
    assert face.source == "uploaded" and face.family == "KC ExtB"
    assert face.covers("𠮷") and face.covers("A") and not face.covers("中")
    # space, 𠮷, A, B (+ no-break space, which ReportLab maps to the space glyph)
    assert {0x20, 0x41, 0x42, 0x20BB7} <= face.codepoints <= {0x20, 0xA0, 0x41, 0x42, 0x20BB7}
    cov = fontcoverage.coverage_of(face)
    assert cov.gb2312_covered == 0
    assert dict((label, n) for label, n, _ in cov.blocks)["CJK Extension B"] == 1


def test_load_font_directory_reports_bad_files(upload_dir):
    faces, errors = fontfiles.load_font_directory(upload_dir)
    assert [f.key for f in faces] == ["upload:extb-0"]
    assert "not a TrueType font" in errors["broken.ttf"]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"OTTO" + b"\0" * 100, "PostScript (CFF) outlines"),
        (b"%!PS-AdobeFont-1.0", "not a TrueType font"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "not a TrueType font"),
        (b"\x00\x01\x00\x00" + b"\0" * 8, "not a usable TrueType font"),  # right magic, truncated tables
    ],
)
def test_validate_font_bytes_rejects_non_truetype(data, message):
    with pytest.raises(FontError, match=message.replace("(", r"\(").replace(")", r"\)")):
        fontfiles.validate_font_bytes(data, "x.ttf")


def test_validate_font_bytes_checks_extension_and_accepts_real_font(tmp_path):
    path = build_font(tmp_path / "ok.ttf", "中")
    data = Path(path).read_bytes()
    fontfiles.validate_font_bytes(data, "Fangsong.TTF")
    with pytest.raises(FontError, match=r"\.ttf or \.ttc"):
        fontfiles.validate_font_bytes(data, "font.otf")


def test_chain_splits_runs_by_first_covering_face(system_faces, uploaded_faces):
    micro, zen, extb = system_faces["wqy-microhei-0"], system_faces["wqy-zenhei-0"], uploaded_faces["upload:extb-0"]
    chain = FontChain([micro, zen, extb])
    runs = chain.split_runs("王䶮𠮷 Li明")
    assert [(f.key if f else None, t) for f, t in runs] == [
        ("wqy-microhei-0", "王"),
        ("wqy-zenhei-0", "䶮"),
        ("upload:extb-0", "𠮷 "),
        ("wqy-microhei-0", "Li明"),
    ]
    assert chain.missing_chars("王䶮𠮷") == []


def test_chain_reports_characters_no_face_covers_once_in_order(system_faces):
    chain = FontChain([system_faces["wqy-microhei-0"], system_faces["wqy-zenhei-0"]])
    assert chain.missing_chars("𠮷王𪚥𠮷\n") == ["𠮷", "𪚥"]
    runs = chain.split_runs("a𠮷b")
    assert runs[1] == (None, "𠮷")
    # line breaks are layout, not glyphs
    assert chain.missing_chars("王\n李\t") == []


def test_chain_needs_a_face():
    with pytest.raises(FontError):
        FontChain([])


def test_register_face_is_idempotent_and_embeddable(system_faces):
    face = system_faces["wqy-zenhei-1"]
    assert pdffonts.register_face(face) == pdffonts.register_face(face) == face.pdf_name
    assert face.pdf_name.startswith("KC_wqy_zenhei_1_")
