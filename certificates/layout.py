"""Certificate template description, validation and text fitting.

Plain Python (needs no app or request). Coordinates are millimetres from the TOP-LEFT corner of the page, as an
organiser measures a printed sheet with a ruler; render.py converts to PDF points (origin bottom-left).
Every item has a box: x/y is its top-left corner, width its width; text is aligned inside the width.
One module (~510 lines): the template's description, its validation and the text fitting that validation runs
are one rule set that the designer page, the preview and the renderer all read.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import NamedTuple

from core.i18n import N_

MM = 72.0 / 25.4  # points per millimetre


#: The placeholders a template may use, and the sample values of the live preview.
PLACEHOLDERS: dict[str, str] = {
    "name": "张三",
    "school": "第一实验小学",
    "award": "一等奖",
    "contest": "第十届青少年科技创新大赛",
    "category": "科技创新成果",
    "title": "基于物联网的校园节水系统",
    "advisors": "李老师、王老师",
    "date": "2026年5月20日",
    "number": "2026-KC-00001",
    "org": "某某市科学技术协会",
}

PAGE_SIZES_MM: dict[str, tuple[float, float]] = {  # portrait width × height
    "A4": (210.0, 297.0),
    "A5": (148.0, 210.0),
    "B5": (176.0, 250.0),  # ISO B5 (JIS B5 is 182 × 257)
}
ORIENTATIONS = ("portrait", "landscape")
ITEM_KINDS = ("text", "textbox", "qr", "image")
ALIGNMENTS = ("left", "center", "right")
CUSTOM_MIN_MM, CUSTOM_MAX_MM = 50.0, 1200.0
MAX_OFFSET_MM = 30.0  # calibration shifts a pre-printed sheet by a few mm, never more
_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass
class PageSpec:
    size: str = "A4"  # A4, A5, B5 or custom
    orientation: str = "landscape"
    width_mm: float | None = None  # custom only (portrait width)
    height_mm: float | None = None

    def dimensions_mm(self) -> tuple[float, float]:
        """(width, height) in mm after orientation; custom sizes use width_mm × height_mm as given."""
        if self.size == "custom":
            w, h = float(self.width_mm or 0), float(self.height_mm or 0)
        else:
            w, h = PAGE_SIZES_MM[self.size]
        if self.orientation == "landscape" and w < h or self.orientation == "portrait" and w > h:
            w, h = h, w
        return w, h


@dataclass
class TemplateItem:
    kind: str  # text, textbox, qr, image
    x_mm: float
    y_mm: float
    width_mm: float
    height_mm: float = 0.0  # textbox, image; a QR box is square (width)
    text: str = ""  # text and textbox: may contain {placeholders}
    font: str | None = None  # font key; the template's chain follows as fallback
    size_pt: float = 16.0
    min_size_pt: float = 8.0
    colour: str = "#000000"
    align: str = "left"
    line_spacing: float = 1.4  # textbox leading as a multiple of the size
    image: str | None = None  # image item: file path

    def box_height_mm(self) -> float:
        """Height the item occupies: a text line is one size high; a QR is square."""
        if self.kind == "text":
            return self.size_pt / MM
        if self.kind == "qr":
            return self.width_mm
        return self.height_mm


@dataclass
class TemplateSpec:
    page: PageSpec = field(default_factory=PageSpec)
    items: list[TemplateItem] = field(default_factory=list)
    fonts: list[str] = field(default_factory=list)  # fallback chain: main font first
    background: str | None = None  # image path
    preprinted: bool = False  # pre-printed paper: no background, everything shifted by the offset
    offset_x_mm: float = 0.0
    offset_y_mm: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping) -> TemplateSpec:
        """Build from stored JSON; unknown keys are ignored so old templates keep loading."""
        page_fields = PageSpec.__dataclass_fields__
        item_fields = TemplateItem.__dataclass_fields__
        page = PageSpec(**{k: v for k, v in dict(data.get("page") or {}).items() if k in page_fields})
        items = [
            TemplateItem(**{k: v for k, v in dict(i).items() if k in item_fields}) for i in data.get("items") or []
        ]
        return cls(
            page=page,
            items=items,
            fonts=list(data.get("fonts") or []),
            background=data.get("background"),
            preprinted=bool(data.get("preprinted")),
            offset_x_mm=float(data.get("offset_x_mm") or 0),
            offset_y_mm=float(data.get("offset_y_mm") or 0),
        )

    def effective_offset(self) -> tuple[float, float]:
        """The calibration shift applies only on pre-printed paper."""
        return (self.offset_x_mm, self.offset_y_mm) if self.preprinted else (0.0, 0.0)


@dataclass(frozen=True)
class TemplateProblem:
    """One reason a template cannot be used. `message` is an English msgid with %(name)s parameters."""

    code: str
    message: str
    params: tuple[tuple[str, object], ...] = ()
    item: int | None = None  # index into TemplateSpec.items, None for the page/template

    def text(self) -> str:
        return self.message % dict(self.params)


class TemplateInvalid(ValueError):
    def __init__(self, problems: list[TemplateProblem]):
        super().__init__("; ".join(p.text() for p in problems))
        self.problems = problems


def placeholders_in(text: str) -> list[str]:
    """Field names used in a template text, in order. Raises ValueError on unbalanced braces."""
    return [name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None]


def _check_text(index: int, text: str) -> list[TemplateProblem]:
    problems = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return [
            TemplateProblem(
                "braces", N_("Unbalanced { or } in the text; write {{ or }} for a literal brace."), item=index
            )
        ]
    for _lit, name, spec, conv in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS:
            problems.append(
                TemplateProblem(
                    "placeholder_unknown",
                    N_("Unknown placeholder {%(name)s}; use one of: %(known)s."),
                    (("name", name), ("known", " ".join(f"{{{p}}}" for p in PLACEHOLDERS))),
                    index,
                )
            )
        elif spec or conv:
            problems.append(
                TemplateProblem(
                    "placeholder_format",
                    N_("Placeholder {%(name)s} must not carry a format or conversion."),
                    (("name", name),),
                    index,
                )
            )
    return problems


def validate_template(  # noqa: C901 — one pass listing every problem of a design, each check two lines
    spec: TemplateSpec, font_keys: set[str] | frozenset[str], image_ok: Callable[[str], bool] | None = None
) -> list[TemplateProblem]:
    """Every reason the template cannot be rendered; an empty list means it is valid.

    `font_keys` are the TrueType faces available (system and uploaded); `image_ok(path)` says whether a
    file is a readable image (render.is_image_file in production).
    """
    problems: list[TemplateProblem] = []
    page = spec.page
    if page.size not in PAGE_SIZES_MM and page.size != "custom":
        problems.append(
            TemplateProblem(
                "page_size", N_("Unknown page size %(size)s; use A4, A5, B5 or custom."), (("size", page.size),)
            )
        )
        return problems
    if page.orientation not in ORIENTATIONS:
        problems.append(TemplateProblem("orientation", N_("Orientation must be portrait or landscape.")))
        return problems
    if page.size == "custom":
        for value in (page.width_mm, page.height_mm):
            if value is None or not CUSTOM_MIN_MM <= float(value) <= CUSTOM_MAX_MM:
                problems.append(
                    TemplateProblem(
                        "page_custom",
                        N_("A custom page must be between %(lo)d and %(hi)d mm on each side."),
                        (("lo", CUSTOM_MIN_MM), ("hi", CUSTOM_MAX_MM)),
                    )
                )
                return problems
    page_w, page_h = page.dimensions_mm()
    if not spec.fonts:
        problems.append(TemplateProblem("fonts_empty", N_("Choose at least one font for the template.")))
    for key in spec.fonts:
        if key not in font_keys:
            problems.append(
                TemplateProblem(
                    "font_unknown", N_("Font %(font)s is not an available TrueType font."), (("font", key),)
                )
            )
    if spec.background and not spec.preprinted and image_ok is not None and not image_ok(spec.background):
        problems.append(TemplateProblem("background_not_image", N_("The background is not a PNG or JPEG image.")))
    if spec.preprinted and (abs(spec.offset_x_mm) > MAX_OFFSET_MM or abs(spec.offset_y_mm) > MAX_OFFSET_MM):
        problems.append(
            TemplateProblem(
                "offset", N_("The calibration offset must be within ±%(max)d mm."), (("max", MAX_OFFSET_MM),)
            )
        )
    dx, dy = spec.effective_offset()
    qr_count = 0
    for index, item in enumerate(spec.items):
        if item.kind not in ITEM_KINDS:
            problems.append(
                TemplateProblem("item_kind", N_("Unknown item kind %(kind)s."), (("kind", item.kind),), index)
            )
            continue
        if item.width_mm <= 0 or item.kind in ("textbox", "image") and item.height_mm <= 0:
            problems.append(TemplateProblem("item_size", N_("The item needs a positive width and height."), item=index))
            continue
        left, top = item.x_mm + dx, item.y_mm + dy
        right, bottom = left + item.width_mm, top + item.box_height_mm()
        eps = 1e-6
        if left < -eps or top < -eps or right > page_w + eps or bottom > page_h + eps:
            problems.append(
                TemplateProblem(
                    "item_outside",
                    N_(
                        "The item (%(x).1f, %(y).1f mm, %(w).1f × %(h).1f mm) lies outside the "
                        "%(pw).0f × %(ph).0f mm page."
                    ),
                    (
                        ("x", left),
                        ("y", top),
                        ("w", item.width_mm),
                        ("h", item.box_height_mm()),
                        ("pw", page_w),
                        ("ph", page_h),
                    ),
                    index,
                )
            )
        if item.kind in ("text", "textbox"):
            problems.extend(_check_text(index, item.text))
            if not 1 <= item.size_pt <= 400 or not 1 <= item.min_size_pt <= item.size_pt:
                problems.append(
                    TemplateProblem("font_size", N_("Font sizes must satisfy 1 ≤ minimum ≤ size ≤ 400 pt."), item=index)
                )
            if item.font is not None and item.font not in font_keys:
                problems.append(
                    TemplateProblem(
                        "font_unknown",
                        N_("Font %(font)s is not an available TrueType font."),
                        (("font", item.font),),
                        index,
                    )
                )
            if not _COLOUR_RE.match(item.colour or ""):
                problems.append(TemplateProblem("colour", N_("Colour must look like #RRGGBB."), item=index))
            if item.align not in ALIGNMENTS:
                problems.append(TemplateProblem("align", N_("Alignment must be left, center or right."), item=index))
            if item.kind == "textbox" and not 1.0 <= item.line_spacing <= 3.0:
                problems.append(
                    TemplateProblem("line_spacing", N_("Line spacing must be between 1 and 3."), item=index)
                )
        elif item.kind == "qr":
            qr_count += 1
            if item.width_mm < 10:
                problems.append(
                    TemplateProblem("qr_small", N_("A QR box must be at least 10 mm wide to scan."), item=index)
                )
        elif item.kind == "image":
            if not item.image or (image_ok is not None and not image_ok(item.image)):
                problems.append(
                    TemplateProblem("image_not_image", N_("The item's file is not a PNG or JPEG image."), item=index)
                )
    if qr_count > 1:
        problems.append(TemplateProblem("qr_many", N_("A template has at most one QR box.")))
    return problems


#: Kinds whose boxes must not overlap: printed texts and the QR code. Images (a seal over the organiser's name,
#: a logo) are meant to overlap text.
_NO_OVERLAP_KINDS = ("text", "textbox", "qr")


def item_box(item: TemplateItem, offset: tuple[float, float] = (0.0, 0.0)) -> tuple[float, float, float, float]:
    """(left, top, width, height) in mm of the page area an item occupies."""
    return item.x_mm + offset[0], item.y_mm + offset[1], item.width_mm, item.box_height_mm()


def layout_warnings(spec: TemplateSpec) -> list[TemplateProblem]:
    """What the designer warns about while the organiser places items (the template may still be saved):
    texts or the QR code whose boxes overlap (the name and school lines printed over each other), and items
    that leave the page (also a validation error when saving)."""
    warnings: list[TemplateProblem] = []
    page_w, page_h = (
        spec.page.dimensions_mm() if spec.page.size in PAGE_SIZES_MM or spec.page.size == "custom" else (0.0, 0.0)
    )
    offset = spec.effective_offset()
    boxes = [(i, item_box(item, offset)) for i, item in enumerate(spec.items) if item.kind in ITEM_KINDS]
    eps = 1e-6
    for i, (left, top, width, height) in boxes:
        if page_w and (left < -eps or top < -eps or left + width > page_w + eps or top + height > page_h + eps):
            warnings.append(TemplateProblem("item_off_page", N_("The item leaves the page."), item=i))
    solid = [(i, b) for i, b in boxes if spec.items[i].kind in _NO_OVERLAP_KINDS]
    for n, (i, (l1, t1, w1, h1)) in enumerate(solid):
        for j, (l2, t2, w2, h2) in solid[n + 1 :]:
            if min(l1 + w1, l2 + w2) - max(l1, l2) > eps and min(t1 + h1, t2 + h2) - max(t1, t2) > eps:
                warnings.append(
                    TemplateProblem("items_overlap", N_("The item overlaps item %(other)d."), (("other", j + 1),), i)
                )
    return warnings


_BRACKETED = re.compile(r"[《（(“「【]\{(\w+)\}[》）)”」】]")


def fill_text(text: str, values: Mapping[str, str]) -> str:
    """Substitute placeholders; a placeholder without a value prints as nothing, and so do brackets that
    enclose only that placeholder (an organisation's award has no 《{title}》 or （{category}）)."""
    blank = _Blank(values)
    text = _BRACKETED.sub(
        lambda m: "" if not blank.get(m.group(1)) and m.group(1) in PLACEHOLDERS else m.group(0), text
    )
    return string.Formatter().vformat(text, (), blank)


class _Blank(dict):
    def __init__(self, values: Mapping[str, str]):
        super().__init__((k, "" if v is None else str(v)) for k, v in values.items())

    def __missing__(self, key):
        return ""


# ---- fitting -----------------------------------------------------------------------------------------

Measure = Callable[[str], float]  # width of a text in points at size 1 pt


class LineFit(NamedTuple):
    size_pt: float
    overflow: bool  # True when even the minimum size is too wide


def fit_line(text: str, width_pt: float, size_pt: float, min_size_pt: float, measure: Measure) -> LineFit:
    """Largest size ≤ size_pt (in 0.5 pt steps) at which the text fits the width, not below min_size_pt.

    Text width scales linearly with size, so the fitting size is width / width-at-1pt, rounded down to a
    half point. If that is below the minimum the minimum is used and the line is an overflow.
    """
    unit = measure(text)
    if unit <= 0 or unit * size_pt <= width_pt + 1e-9:
        return LineFit(size_pt, False)
    fitting = int(width_pt / unit * 2) / 2.0
    if fitting < min_size_pt:
        return LineFit(min_size_pt, True)
    return LineFit(fitting, False)


_BREAK_AFTER = set(" \t-/")
_NO_LINE_START = set("，。、；：！？）》」』】,.;:!?)%")


def wrap_text(text: str, width_pt: float, size_pt: float, measure: Measure) -> list[str]:
    """Break text into lines no wider than width_pt at size_pt.

    CJK text may break between any two characters; Latin words break at spaces and hyphens unless a
    single word is wider than the box. Closing punctuation never starts a line (禁则), and a paragraph never
    ends on a line of a single hanzi (see _avoid_widow). Explicit newlines are kept. Widths are summed token by token (ReportLab does not kern), so this is linear in the text.
    """
    lines: list[str] = []
    limit = width_pt / size_pt + 1e-9
    for paragraph in text.split("\n"):
        start = len(lines)
        line, line_w = "", 0.0
        for token in _tokens(paragraph):
            token_w = measure(token)
            trimmed_w = measure(token.rstrip(" ")) if token.endswith(" ") else token_w
            if not line or line_w + trimmed_w <= limit:
                line, line_w = line + token, line_w + token_w
                continue
            if token[0] in _NO_LINE_START and len(line) > 1:
                # carry the last character down with the punctuation
                lines.append(line[:-1].rstrip())
                line = line[-1] + token
            else:
                lines.append(line.rstrip())
                line = token.lstrip(" ")
            line_w = measure(line)
        lines.append(line.rstrip())
        _avoid_widow(lines, start, limit, measure)
    out: list[str] = []
    for line in lines:
        # a single token wider than the box is split character by character
        out.extend(_split_long(line, limit, measure))
    return out


def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return 0x3400 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0x20000 <= cp <= 0x3134F


def _avoid_widow(lines: list[str], start: int, limit: float, measure: Measure) -> None:
    """CJK line-breaking rule: a paragraph does not end on a line of one hanzi (with its punctuation), as in
    "特发此 / 证。"; the previous line gives up its last hanzi ("特发 / 此证。"), or more when what it
    would end on may not end a line. Latin words are never split for this."""
    if len(lines) - start < 2:
        return
    last, prev = lines[-1], lines[-2]
    body = last.rstrip("".join(_NO_LINE_START))
    if len(body) != 1 or not _is_cjk(body):
        return
    take = 1
    while take < len(prev) and prev[-take] in _NO_LINE_START:
        take += 1  # punctuation travels with the hanzi before it
    moved = prev[-take:]
    if take >= len(prev) or not _is_cjk(moved[0]) or measure(moved + last) > limit:
        return
    lines[-2], lines[-1] = prev[:-take], moved + last


def _tokens(paragraph: str) -> list[str]:
    """Latin words (with their trailing break characters) stay whole; every other character is a token."""
    tokens: list[str] = []
    word = ""
    for ch in paragraph:
        if ch.isascii() and ch.isalnum() or ch in "'’." and word:
            word += ch
            continue
        if word:
            tokens.append(word)
            word = ""
        if ch in _BREAK_AFTER and tokens and tokens[-1][-1:].isascii():
            tokens[-1] += ch
        else:
            tokens.append(ch)
    if word:
        tokens.append(word)
    return tokens


def _split_long(line: str, limit: float, measure: Measure) -> list[str]:
    if len(line) <= 1 or measure(line) <= limit:
        return [line]
    parts, current, current_w = [], "", 0.0
    for ch in line:
        ch_w = measure(ch)
        if current and current_w + ch_w > limit:
            parts.append(current)
            current, current_w = ch, ch_w
        else:
            current, current_w = current + ch, current_w + ch_w
    parts.append(current)
    return parts


class BoxFit(NamedTuple):
    size_pt: float
    lines: tuple[str, ...]
    overflow: bool


def fit_box(
    text: str,
    width_pt: float,
    height_pt: float,
    size_pt: float,
    min_size_pt: float,
    line_spacing: float,
    measure: Measure,
) -> BoxFit:
    """Wrap the text into the box, shrinking by 0.5 pt steps until the lines fit its height.

    If even min_size_pt does not fit, the text is laid out at the minimum and reported as overflow.
    """
    size = size_pt
    while True:
        lines = wrap_text(text, width_pt, size, measure)
        needed = size + (len(lines) - 1) * size * line_spacing
        if needed <= height_pt + 1e-9:
            return BoxFit(size, tuple(lines), False)
        if size - 0.5 < min_size_pt - 1e-9:
            return BoxFit(min_size_pt, tuple(wrap_text(text, width_pt, min_size_pt, measure)), True)
        size -= 0.5
