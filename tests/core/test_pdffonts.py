"""The one font chain of every PDF (core/pdffonts.py): the font index in instance/, fallbacks in the
annual report and the judging lists, and nothing but embedded TrueType fonts."""

import io
import os
import shutil

import pypdf

from core import fontfiles
from core.fontfiles import FontIndex

WQY = "/usr/share/fonts/truetype/wqy"


def _font_names(pdf: bytes, allow_unused_helvetica: bool = False) -> set[str]:
    names = set()
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            if allow_unused_helvetica and font["/BaseFont"] == "/Helvetica":
                continue  # reportlab.graphics charts start from a Helvetica state; their labels use the chain's face
            descendant = font.get("/DescendantFonts")
            desc = (descendant[0].get_object() if descendant else font).get("/FontDescriptor")
            assert desc is not None and "/FontFile2" in desc.get_object(), f"{font['/BaseFont']} is not embedded"
            names.add(str(font["/BaseFont"]))
    return names


def test_index_parses_a_font_once_and_again_when_it_changes(tmp_path, monkeypatch):
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    shutil.copy(f"{WQY}/wqy-microhei.ttc", fonts / "wqy-microhei.ttc")
    path = tmp_path / "instance" / "font-index.json"
    first = FontIndex(path)
    faces = fontfiles.discover_system_fonts([str(fonts)], index=first)
    assert [f.key for f in faces] == ["wqy-microhei-0", "wqy-microhei-1"] and first.parsed and path.exists()

    def no_parsing(*args, **kwargs):
        raise AssertionError("an indexed, unchanged font was parsed again")

    monkeypatch.setattr(fontfiles, "_read_face", no_parsing)
    again = FontIndex(path)
    cached = fontfiles.discover_system_fonts([str(fonts)], index=again)
    assert again.parsed == [] and [f.codepoints for f in cached] == [f.codepoints for f in faces]
    assert cached[0].family == "WenQuanYi Micro Hei" and cached[0].ascent == faces[0].ascent
    monkeypatch.undo()
    stat = os.stat(fonts / "wqy-microhei.ttc")
    os.utime(fonts / "wqy-microhei.ttc", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    changed = FontIndex(path)
    fontfiles.discover_system_fonts([str(fonts)], index=changed)
    assert changed.parsed == [str(fonts / "wqy-microhei.ttc")]


def test_a_damaged_index_is_rebuilt(tmp_path):
    path = tmp_path / "font-index.json"
    path.write_text("{not json")
    index = FontIndex(path)
    assert fontfiles.load_font_file(f"{WQY}/wqy-microhei.ttc", source="system", key_prefix="", index=index)
    index.save()
    assert FontIndex(path).entries


def test_annual_report_prints_rare_names_from_the_fallbacks():
    from reports.document import Report, Row, Section, Table
    from reports.pdf import build_pdf

    report = Report(
        title="2026年度统计报告",
        subtitle="青溪县科学技术协会",
        footer="",
        sections=[
            Section(
                "获奖",
                tables=[
                    Table("names", "获奖学生", ["奖项"], [Row("刘䶮", [1]), Row("董𠮷祥", [2])], label_header="姓名")
                ],
            )
        ],
    )
    pdf = build_pdf(report)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "刘䶮" in text and "董𠮷祥" in text
    fonts = _font_names(pdf, allow_unused_helvetica=True)
    assert any("ZenHei" in f for f in fonts) and any("HanaMinA" in f for f in fonts)


def test_award_list_prints_rare_names_in_embedded_fonts():
    from judging.pdf import AwardListCategory, award_list_pdf

    labels = {k: k for k in ("title", "code", "entry", "school", "students", "advisors", "award", "category")}
    pdf = award_list_pdf(
        "第十届大赛获奖名单",
        [
            AwardListCategory(
                "科技创新成果", [("A001", "董𠮷祥的节水装置", "青溪县实验小学", "刘䶮、董𠮷祥", "王春华", "一等奖")]
            )
        ],
        labels,
    )
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages).replace(" ", "")
    assert "董𠮷祥的节水装置" in text and "刘䶮" in text
    assert not any("STSong" in f for f in _font_names(pdf))
