"""The one font chain of every PDF the platform prints (certificates, tickets, reports, score sheets).

A chain is an ordered list of faces (core.fontfiles finds them, through the font index): each character is
drawn from the first face that has it, and each face is registered with ReportLab (embedded as a subset) the
first time a PDF draws with it. ReportLab is imported then, not when this module is imported. Callers that
run inside the app use `platform_chain()`, or `chain_with_fallbacks()` with a template's own fonts first.
"""

from __future__ import annotations

import re
import threading

from core.fontfiles import FontError, FontFace, app_system_faces

# Characters that need no glyph: line breaks and other control characters are never drawn.
_NO_GLYPH_NEEDED = re.compile(r"[\x00-\x1f\x7f]")


def needs_glyph(char: str) -> bool:
    """Control characters (line breaks, tabs) are layout, not glyphs."""
    return not _NO_GLYPH_NEEDED.match(char)


class FontChain:
    """An ordered fallback chain: each character is drawn from the first face that covers it."""

    def __init__(self, faces: list[FontFace]):
        if not faces:
            raise FontError("a font chain needs at least one font")
        self.faces = list(faces)
        self._pick: dict[str, FontFace | None] = {}
        self.pdf_names: dict[str, str] = {}  # face key -> registered ReportLab name

    @property
    def primary(self) -> FontFace:
        return self.faces[0]

    def face_for(self, char: str) -> FontFace | None:
        """First face covering the character, or None when no face does."""
        try:
            return self._pick[char]
        except KeyError:
            cp = ord(char)
            picked = next((f for f in self.faces if cp in f.codepoints), None)
            self._pick[char] = picked
            return picked

    def split_runs(self, text: str) -> list[tuple[FontFace | None, str]]:
        """Split text into maximal runs drawn from one face; uncovered characters form runs with None.

        Spaces and punctuation stay with the current run when the current face has them, so a Latin
        space between two CJK words does not needlessly switch font; letters and hanzi always come from the
        first face that has them (董𠮷祥: only 𠮷 is drawn from the fallback, 祥 in the main face again).
        """
        runs: list[tuple[FontFace | None, str]] = []
        current: FontFace | None = None
        buf: list[str] = []
        for ch in text:
            if not needs_glyph(ch):
                continue
            if buf and current is not None and not ch.isalnum() and current.covers(ch):
                buf.append(ch)  # spaces and punctuation stay in the run; hanzi return to the first face having them
                continue
            face = self.face_for(ch)
            if buf and face is current:
                buf.append(ch)
                continue
            if buf:
                runs.append((current, "".join(buf)))
            current, buf = face, [ch]
        if buf:
            runs.append((current, "".join(buf)))
        return runs

    def missing_chars(self, text: str) -> list[str]:
        """Characters of the text no face covers, in order of first appearance, without duplicates."""
        seen: dict[str, None] = {}
        for ch in text:
            if needs_glyph(ch) and ch not in seen and self.face_for(ch) is None:
                seen[ch] = None
        return list(seen)


_registered: set[str] = set()
_register_lock = threading.Lock()


def register_face(face: FontFace) -> str:
    """Register the face with ReportLab (once per process) and return its PDF font name.

    ReportLab's TTFont embeds only the glyphs used (subsetting), which is what we want.
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    from core.rlinternals import install_unicode_cmap_fix

    name = face.pdf_name
    with _register_lock:
        if name not in _registered:
            install_unicode_cmap_fix()  # every PDF drawn with these faces extracts 𠮷 as 𠮷
            try:
                pdfmetrics.registerFont(TTFont(name, face.path, subfontIndex=face.subfont_index))
            except TTFError as exc:
                raise FontError(f"cannot embed {face.family}: {exc}") from exc
            _registered.add(name)
    return name


# ---- the platform's chain ---------------------------------------------------------------------------------

#: Order of the installed faces in every chain: Micro Hei (clean on screen and paper) first, Zen Hei for
#: Extension A (䶮), HanaMin A/B for the rest of the extensions (𠮷), Droid Sans Fallback last.
PREFERRED_FACES: tuple[str, ...] = (
    "wqy-microhei-0",
    "wqy-zenhei-0",
    "hanamina-0",
    "hanaminb-0",
    "droidsansfallbackfull-0",
)


def default_chain_keys(faces) -> list[str]:
    """Keys of the installed faces that make the fallback chain, in PREFERRED_FACES order; any other CJK
    faces when none of those is installed."""
    chain = [k for k in PREFERRED_FACES if k in faces]
    return chain or list(faces)[:3]


def chain_with_fallbacks(keys, faces) -> list[FontFace]:
    """The faces of `keys` (a template's own choice first), then the platform fallbacks not already in it:
    a template whose fonts lack a glyph still prints it from an installed fallback face."""
    ordered = list(dict.fromkeys([*keys, *default_chain_keys(faces)]))
    return [faces[k] for k in ordered if k in faces]


def platform_chain() -> FontChain:
    """The chain every PDF without a template of its own (tickets, reports, score sheets) draws with."""
    faces = app_system_faces()
    chosen = chain_with_fallbacks([], faces)
    if not chosen:
        raise FontError("no Chinese TrueType font is installed (install fonts-wqy-microhei)")
    return FontChain(chosen)


def chain_font_name(chain: FontChain, face: FontFace | None) -> str:
    """Registered PDF name of the face drawing a run (the primary face for characters no face has)."""
    face = face or chain.primary
    name = chain.pdf_names.get(face.key)
    if name is None:
        name = chain.pdf_names[face.key] = register_face(face)
    return name


def draw_chain_string(
    canvas, chain: FontChain, x: float, y: float, text: str, size: float, align: str = "left"
) -> float:
    """Draw one line in the chain's faces (each run embedded from the face that has it); returns its width
    (0 for left-aligned text, which does not need it).

    `align` is left, center (x is the middle) or right (x is the right edge)."""
    from reportlab.pdfbase import pdfmetrics

    runs = [(chain_font_name(chain, face), run) for face, run in chain.split_runs(text)]
    width = sum(pdfmetrics.stringWidth(run, name, size) for name, run in runs) if align != "left" else 0.0
    if align == "center":
        x -= width / 2.0
    elif align == "right":
        x -= width
    textobj = canvas.beginText()
    textobj.setTextOrigin(x, y)
    for name, run in runs:
        textobj.setFont(name, size)
        textobj.textOut(run)
    canvas.drawText(textobj)
    return width


def chain_markup(chain: FontChain, text: str) -> str:
    """Text as ReportLab Paragraph markup: escaped, every run outside the primary face wrapped in a
    <font face=...> tag, so Platypus documents (reports, score sheets) print rare names too."""
    from xml.sax.saxutils import escape

    out = []
    primary = chain.primary
    for face, run in chain.split_runs(text):
        if face is None or face is primary:
            out.append(escape(run))
        else:
            out.append(f'<font face="{register_face(face)}">{escape(run)}</font>')
    return "".join(out)
