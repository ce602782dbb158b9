"""Template validation and text fitting with a hand-checkable measure (every character 1 em wide)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certificates.layout import (
    PageSpec,
    TemplateItem,
    TemplateSpec,
    fill_text,
    fit_box,
    fit_line,
    placeholders_in,
    validate_template,
    wrap_text,
)

FONTS = {"f1", "f2"}


def em(text):  # every character is exactly 1 pt wide at 1 pt
    return float(len(text))


def spec(*items, **kw):
    return TemplateSpec(page=kw.pop("page", PageSpec("A4", "landscape")), items=list(items), fonts=["f1"], **kw)


def codes(problems):
    return [(p.code, p.item) for p in problems]


@pytest.mark.parametrize(
    "page, dims",
    [
        (PageSpec("A4", "portrait"), (210, 297)),
        (PageSpec("A4", "landscape"), (297, 210)),
        (PageSpec("A5", "landscape"), (210, 148)),
        (PageSpec("B5", "portrait"), (176, 250)),
        (PageSpec("custom", "landscape", 200, 140), (200, 140)),
        (PageSpec("custom", "portrait", 200, 140), (140, 200)),
    ],
)
def test_page_dimensions(page, dims):
    assert page.dimensions_mm() == dims


def test_valid_template_has_no_problems():
    s = spec(
        TemplateItem("text", 10, 10, 100, text="{name} {school} {award}"),
        TemplateItem("textbox", 10, 40, 200, 50, text="在{contest}中荣获{award}", font="f2"),
        TemplateItem("qr", 250, 160, 30),
    )
    assert validate_template(s, FONTS) == []


def test_unknown_placeholder_names_it_and_lists_known():
    problems = validate_template(spec(TemplateItem("text", 10, 10, 100, text="{name}{grade}")), FONTS)
    assert codes(problems) == [("placeholder_unknown", 0)]
    assert "{grade}" in problems[0].text() and "{school}" in problems[0].text()


def test_placeholder_format_and_braces():
    assert codes(validate_template(spec(TemplateItem("text", 10, 10, 100, text="{name:>5}")), FONTS)) == [
        ("placeholder_format", 0)
    ]
    assert codes(validate_template(spec(TemplateItem("text", 10, 10, 100, text="{name")), FONTS)) == [("braces", 0)]
    assert validate_template(spec(TemplateItem("text", 10, 10, 100, text="{{literal}}")), FONTS) == []


@pytest.mark.parametrize(
    "item, ok",
    [
        (TemplateItem("text", 0, 0, 297), True),
        (TemplateItem("text", 200, 10, 98), False),  # right edge 298 > 297
        (TemplateItem("text", -1, 10, 50), False),
        (TemplateItem("textbox", 10, 180, 50, 31), False),  # bottom 211 > 210
        (TemplateItem("qr", 270, 183, 27), True),  # square: bottom exactly 210
        (TemplateItem("qr", 270, 184, 27), False),
        (TemplateItem("text", 10, 205, 50, size_pt=16), False),  # 16 pt is 5.64 mm high: bottom 210.6
    ],
)
def test_item_outside_page(item, ok):
    problems = validate_template(spec(item), FONTS)
    assert (problems == []) == ok, problems
    if not ok:
        assert problems[0].code == "item_outside" and "297 × 210 mm page" in problems[0].text()


def test_preprinted_offset_moves_items_and_is_bounded():
    item = TemplateItem("text", 240, 10, 50)
    assert validate_template(spec(item), FONTS) == []
    assert codes(validate_template(spec(item, preprinted=True, offset_x_mm=8), FONTS)) == [("item_outside", 0)]
    # without pre-printed mode the offset is ignored
    assert validate_template(spec(item, offset_x_mm=8), FONTS) == []
    assert codes(validate_template(spec(item, preprinted=True, offset_x_mm=-31), FONTS))[0] == ("offset", None)


def test_fonts_sizes_colours_alignment():
    bad = TemplateItem("text", 10, 10, 100, font="nope", size_pt=10, min_size_pt=12, colour="red", align="justify")
    assert sorted(codes(validate_template(spec(bad), FONTS))) == [
        ("align", 0),
        ("colour", 0),
        ("font_size", 0),
        ("font_unknown", 0),
    ]
    s = spec(TemplateItem("text", 10, 10, 100))
    s.fonts = ["missing"]
    assert codes(validate_template(s, FONTS)) == [("font_unknown", None)]
    s.fonts = []
    assert codes(validate_template(s, FONTS)) == [("fonts_empty", None)]


def test_background_and_image_checked_with_image_ok():
    def image_ok(path):
        return path.endswith(".png")

    s = spec(TemplateItem("image", 10, 10, 30, 30, image="seal.pdf"), background="bg.txt")
    assert codes(validate_template(s, FONTS, image_ok)) == [("background_not_image", None), ("image_not_image", 0)]
    s.preprinted = True  # the background is not printed on pre-printed paper
    assert codes(validate_template(s, FONTS, image_ok)) == [("image_not_image", 0)]


def test_page_and_kind_errors():
    assert codes(validate_template(spec(page=PageSpec("Letter")), FONTS)) == [("page_size", None)]
    assert codes(validate_template(spec(page=PageSpec("custom", "portrait", 30, 100)), FONTS)) == [
        ("page_custom", None)
    ]
    assert codes(validate_template(spec(TemplateItem("barcode", 1, 1, 10)), FONTS)) == [("item_kind", 0)]
    assert codes(validate_template(spec(TemplateItem("qr", 1, 1, 20), TemplateItem("qr", 40, 1, 20)), FONTS)) == [
        ("qr_many", None)
    ]
    assert codes(validate_template(spec(TemplateItem("qr", 1, 1, 8)), FONTS)) == [("qr_small", 0)]


def test_round_trip_through_dict():
    s = spec(
        TemplateItem("textbox", 10, 40, 200, 50, text="{title}", font="f2"),
        background="bg.png",
        preprinted=True,
        offset_x_mm=1.5,
    )
    assert TemplateSpec.from_dict(s.to_dict()) == s


def test_fill_text_and_placeholders():
    assert placeholders_in("{name}，{school}{{x}}") == ["name", "school"]
    assert fill_text("{name}（{school}）", {"name": "张三"}) == "张三"
    assert fill_text("{{number}}: {number}", {"number": 7}) == "{number}: 7"
    # brackets around an empty placeholder disappear with it; literal brackets stay
    assert fill_text("作品《{title}》（{category}）荣获", {"title": "", "category": "发明"}) == "作品（发明）荣获"
    assert fill_text("《{title}》（）", {}) == "（）"


def test_fit_line_hand_computed():
    # 10 characters, 1 pt each at 1 pt: 20 pt size needs 200 pt
    assert fit_line("0123456789", 200, 20, 8, em) == (20, False)
    assert fit_line("0123456789", 150, 20, 8, em) == (15.0, False)
    assert fit_line("0123456789", 147, 20, 8, em) == (14.5, False)  # rounded down to half points
    assert fit_line("0123456789", 70, 20, 8, em) == (8, True)
    assert fit_line("", 10, 20, 8, em) == (20, False)


def test_wrap_cjk_and_latin():
    # a paragraph never ends on one hanzi alone: the line before gives one up
    assert wrap_text("一二三四五六七", 30, 10, em) == ["一二三", "四五", "六七"]
    # words stay whole; a single over-long word is split
    assert wrap_text("ab cd efgh", 50, 10, em) == ["ab cd", "efgh"]
    assert wrap_text("abcdefgh", 30, 10, em) == ["abc", "def", "gh"]
    # closing punctuation never starts a line: the previous character moves down with it
    assert wrap_text("一二三。四", 30, 10, em) == ["一二", "三。四"]
    assert wrap_text("一\n二三", 30, 10, em) == ["一", "二三"]


def test_fit_box_shrinks_then_reports_overflow():
    text = "一" * 20
    # 100 pt wide, 40 pt high, line spacing 1.0: at 20 pt 5 per line -> 4 lines = 80 pt high: too high.
    fit = fit_box(text, 100, 40, 20, 5, 1.0, em)
    # at 14 pt: 7 per line -> 3 lines -> 42 > 40; 13.5: 7 per line, 40.5 > 40; 13: 7 per line, 39 <= 40
    assert fit.size_pt == 13.0 and not fit.overflow and fit.lines == ("一" * 7, "一" * 7, "一" * 6)
    over = fit_box(text * 10, 100, 40, 20, 10, 1.0, em)
    assert over.overflow and over.size_pt == 10


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet="一二三四五六七八九十。，、（）《》", min_size=0, max_size=80),
    width=st.integers(min_value=10, max_value=200),
)
def test_wrap_keeps_every_character_and_fits(text, width):
    lines = wrap_text(text, width, 10, em)
    assert "".join(lines) == text  # CJK: nothing lost, nothing added
    for line in lines:
        assert len(line) * 10 <= width + 10 or len(line) <= 2  # at most one carried character over the limit
    for line in lines[1:]:
        assert not line or line[0] not in "。，、）》" or len(line) == 1 or line[1] in "。，、）》"


@settings(max_examples=100, deadline=None)
@given(
    text=st.text(alphabet="一二三四五", min_size=1, max_size=60),
    width=st.integers(20, 300),
    height=st.integers(10, 200),
)
def test_fit_box_never_grows_and_fits_unless_overflow(text, width, height):
    fit = fit_box(text, width, height, 20, 6, 1.2, em)
    assert 6 <= fit.size_pt <= 20
    needed = fit.size_pt + (len(fit.lines) - 1) * fit.size_pt * 1.2
    assert fit.overflow or needed <= height + 1e-9
    if not fit.overflow and fit.size_pt < 20:  # half a point larger would not have fitted
        bigger = wrap_text(text, width, fit.size_pt + 0.5, em)
        assert (fit.size_pt + 0.5) + (len(bigger) - 1) * (fit.size_pt + 0.5) * 1.2 > height


def _one_unit_per_char(text: str) -> float:
    return float(len(text))


@pytest.mark.parametrize(
    "text, width, last",
    [
        ("参加了科学技术协会举办的活动，特发此证。", 9, "此证。"),  # was "证。" alone on the last line
        ("在第十届大赛中荣获一等奖", 11, "等奖"),  # was "奖"
        ("在第十届大赛中荣获一等奖。", 12, "等奖。"),
    ],
)
def test_wrap_never_ends_a_paragraph_on_one_hanzi(text, width, last):
    lines = wrap_text(text, width, 1.0, _one_unit_per_char)
    assert "".join(lines) == text and lines[-1] == last
    assert all(len(line) <= width for line in lines)


def test_wrap_keeps_a_single_latin_word_and_short_paragraphs():
    assert wrap_text("特发此证", 10, 1.0, _one_unit_per_char) == ["特发此证"]
    assert wrap_text("荣获一等奖 A", 5, 1.0, _one_unit_per_char)[-1] == "A"  # a Latin last line is left alone


def test_layout_warnings_flag_overlapping_texts_and_items_off_the_page():
    from certificates.layout import layout_warnings

    spec = TemplateSpec(
        fonts=["f"],
        items=[
            TemplateItem("text", 40, 62, 217, text="{name}", size_pt=28),  # 62 .. 71.9 mm
            TemplateItem("text", 40, 70, 217, text="{school}", size_pt=14),  # starts inside the name line
            TemplateItem("image", 150, 60, 40, 40, image="seal.png"),  # a seal over texts is meant to be there
            TemplateItem("qr", 280, 190, 32),  # beyond the 297 × 210 mm page
        ],
    )
    found = [(w.code, w.item, dict(w.params)) for w in layout_warnings(spec)]
    assert found == [("item_off_page", 3, {}), ("items_overlap", 0, {"other": 2})]
    spec.items[1].y_mm = 78
    assert [w.code for w in layout_warnings(spec)] == ["item_off_page"]
