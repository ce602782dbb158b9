"""Test helpers: build_font makes tiny real TrueType fonts, because no installed font covers CJK
Extension B (e.g. 𠮷).

Each glyph is a filled square with a hole, so rendered text is visible; the cmap gets a format 12
subtable automatically when a character lies beyond the BMP.
"""

from __future__ import annotations

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen


def _box_glyph(upm: int):
    pen = TTGlyphPen(None)
    m, s = upm // 10, upm - upm // 10
    for contour in (((m, 0), (m, s), (s, s), (s, 0)), ((2 * m, m), (s - m, m), (s - m, s - m), (2 * m, s - m))):
        pen.moveTo(contour[0])
        for point in contour[1:]:
            pen.lineTo(point)
        pen.closePath()
    return pen.glyph()


def build_font(path, chars: str, family: str = "Kechuang Test") -> str:
    """Write a TrueType font covering exactly `chars` (plus space) to path; returns the path."""
    upm = 1000
    names = [".notdef", "space"] + [f"g{ord(c):05X}" for c in chars]
    fb = FontBuilder(upm, isTTF=True)
    fb.setupGlyphOrder(names)
    cmap = {0x20: "space"}
    cmap.update({ord(c): f"g{ord(c):05X}" for c in chars})
    fb.setupCharacterMap(cmap)
    empty = TTGlyphPen(None).glyph()
    glyphs = {".notdef": _box_glyph(upm), "space": empty}
    glyphs.update({f"g{ord(c):05X}": _box_glyph(upm) for c in chars})
    fb.setupGlyf(glyphs)
    fb.setupHorizontalMetrics({n: (upm if n not in ("space",) else upm // 2, 0) for n in names})
    fb.setupHorizontalHeader(ascent=880, descent=-120)
    fb.setupNameTable({"familyName": family, "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
    fb.setupPost()
    fb.save(str(path))
    return str(path)


#: U+30000 (CJK Extension G): no installed font covers it, not even the HanaMin fallbacks, so it stands for
#: "a character the chain cannot print" now that 𠮷 (Extension B) prints from HanaMin.
UNCOVERED = "\U00030000"
