"""What a font face covers, for the organiser's font list and `flask certificates fonts`: characters per
Unicode block and of the 6,763 hanzi of GB 2312 (built on first use, not at import)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from core.fontfiles import FontFace
from core.i18n import N_

#: Unicode blocks reported in a font's coverage (label, first, last), inclusive. The labels are msgids,
#: translated where they are shown (fonts page, `flask certificates fonts`) to the names GB 13000 uses
#: (中日韩统一表意文字扩展B区 …).
COVERAGE_BLOCKS: tuple[tuple[str, int, int], ...] = (
    (N_("Basic Latin"), 0x20, 0x7E),
    (N_("CJK Unified Ideographs"), 0x4E00, 0x9FFF),
    (N_("CJK Extension A"), 0x3400, 0x4DBF),
    (N_("CJK Extension B"), 0x20000, 0x2A6DF),
    (N_("CJK Symbols and Punctuation"), 0x3000, 0x303F),
    (N_("Fullwidth Forms"), 0xFF01, 0xFF5E),
)


@functools.cache
def gb2312_hanzi() -> str:
    """The 6,763 hanzi of GB 2312 (rows 16–87), the baseline a Chinese name font should cover."""
    chars = []
    for row in range(16, 88):
        for cell in range(1, 95):
            try:
                chars.append(bytes((row + 0xA0, cell + 0xA0)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


@dataclass(frozen=True)
class FontCoverage:
    """What a face covers, for the organiser's font list and the CLI."""

    key: str
    family: str
    glyph_count: int
    gb2312_covered: int
    gb2312_total: int
    blocks: tuple[tuple[str, int, int], ...]  # (label, covered, size)


def coverage_of(face: FontFace) -> FontCoverage:
    """Count covered characters per block and of the GB 2312 hanzi."""
    cps = face.codepoints
    blocks = tuple((label, sum(1 for cp in cps if lo <= cp <= hi), hi - lo + 1) for label, lo, hi in COVERAGE_BLOCKS)
    hanzi = gb2312_hanzi()
    gb = sum(1 for c in hanzi if ord(c) in cps)
    return FontCoverage(
        key=face.key,
        family=face.family,
        glyph_count=len(cps),
        gb2312_covered=gb,
        gb2312_total=len(hanzi),
        blocks=blocks,
    )
