"""Render certificates into one PDF, fast, with embedded subset fonts.

Plain Python (no Flask). Speed comes from three things (see bench/certificates_render.py):
- everything that is the same on every page (background, seal images, texts without placeholders) is drawn
  once into form XObjects and each page only references them;
- ReportLab's C accelerators (the `rl_accel` package) for string widths and number formatting;
- the QR code is built at a fixed version and mask (chosen once per batch) and drawn as rectangles in a
  scaled coordinate system, instead of rendering a bitmap per page.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.fontfiles import FontFace
from core.images import IMAGE_FORMATS, is_image_bytes, is_image_file  # noqa: F401 (re-exported)
from core.pdffonts import FontChain, chain_with_fallbacks, register_face

from .layout import (
    MM,
    PLACEHOLDERS,
    TemplateInvalid,
    TemplateItem,
    TemplateSpec,
    fill_text,
    fit_box,
    fit_line,
    placeholders_in,
    validate_template,
)

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

# ReportLab and the QR encoder are imported when a renderer is built, not by every process that imports the
# certificates services (decision 0010). The ToUnicode fix that makes 𠮷 copy and search as 𠮷 is installed
# by core.pdffonts.register_face, before any face draws.

QR_QUIET_MODULES = 4  # white border around the code, in modules, as ISO 18004 asks
# IMAGE_FORMATS, is_image_file and is_image_bytes live in core.images (brand logos use them too).


@dataclass
class CertificateData:
    """What one page prints: placeholder values and the verification URL carried by the QR code."""

    key: str  # identifies the certificate in preflight reports (number, or holder while unnumbered)
    values: Mapping[str, str]
    verify_url: str = ""


@dataclass(frozen=True)
class Overflow:
    key: str
    item: int
    text: str
    min_size_pt: float


@dataclass
class PreflightReport:
    missing: dict[str, list[str]] = field(default_factory=dict)  # character -> keys of affected certificates
    overflows: list[Overflow] = field(default_factory=list)
    checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.missing and not self.overflows

    def affected_keys(self) -> list[str]:
        keys = {k for ks in self.missing.values() for k in ks} | {o.key for o in self.overflows}
        return sorted(keys)


@dataclass
class _PreparedItem:
    index: int
    item: TemplateItem
    chain: FontChain | None = None
    colour: object = None
    static: bool = False
    pdf_names: dict = field(default_factory=dict)  # FontFace.key -> registered name


class CertificateRenderer:
    """Renders a validated TemplateSpec for many certificates into one PDF.

    `faces` maps font keys to FontFace; the chain of an item is its own font followed by the template's.
    """

    def __init__(
        self, spec: TemplateSpec, faces: Mapping[str, FontFace], image_ok: Callable[[str], bool] = is_image_file
    ):
        problems = validate_template(spec, set(faces), image_ok)
        if problems:
            raise TemplateInvalid(problems)
        self.spec = spec
        self.faces = faces
        self.page_w_mm, self.page_h_mm = spec.page.dimensions_mm()
        self.page_w, self.page_h = self.page_w_mm * MM, self.page_h_mm * MM
        self.dx, self.dy = spec.effective_offset()
        from core.qrfast import QrEncoder
        from core.rlinternals import ImageCache

        self.qr = QrEncoder()
        self.images = ImageCache()
        self._names: dict[str, str] = {}
        self._widths: dict[tuple[int, str], float] = {}
        self.items = [self._prepare(i, item) for i, item in enumerate(spec.items)]

    # ---- preparation --------------------------------------------------------------------------------
    def chain_for(self, item: TemplateItem) -> FontChain:
        """The item's font, the template's fonts, then the platform's installed fallbacks (core.pdffonts)."""
        keys = ([item.font] if item.font else []) + [k for k in self.spec.fonts if k != item.font]
        return FontChain(chain_with_fallbacks(keys, self.faces))

    def _prepare(self, index: int, item: TemplateItem) -> _PreparedItem:
        prepared = _PreparedItem(index, item)
        if item.kind in ("text", "textbox"):
            prepared.chain = self.chain_for(item)
            from reportlab.lib.colors import HexColor

            prepared.colour = HexColor(item.colour)
            prepared.static = not placeholders_in(item.text)
        elif item.kind == "image":
            prepared.static = True
        return prepared

    def _font_name(self, face: FontFace) -> str:
        try:
            return self._names[face.key]
        except KeyError:
            name = self._names[face.key] = register_face(face)
            return name

    # ---- geometry -----------------------------------------------------------------------------------
    def _x(self, mm: float) -> float:
        return (mm + self.dx) * MM

    def _y_top(self, mm: float) -> float:
        """PDF y of a distance from the top edge (PDF origin is bottom-left)."""
        return self.page_h - (mm + self.dy) * MM

    # ---- measuring and fitting ----------------------------------------------------------------------
    def measure(self, chain: FontChain, text: str) -> float:
        """Width of the text at 1 pt, each run in the face that draws it (primary face for missing glyphs).

        Cached per chain: wrapping measures the same characters and words over and over."""
        key = (id(chain), text)
        width = self._widths.get(key)
        if width is None:
            from reportlab.pdfbase import pdfmetrics

            width = 0.0
            for face, run in chain.split_runs(text):
                width += pdfmetrics.stringWidth(run, self._font_name(face or chain.primary), 1.0)
            if len(self._widths) > 200_000:  # bounded: a batch of unique names must not grow it forever
                self._widths.clear()
            self._widths[key] = width
        return width

    def layout_text(self, prepared: _PreparedItem, text: str):
        """(size, lines, overflow) of a text or textbox item for the given filled text."""
        item, chain = prepared.item, prepared.chain

        def measure(s: str) -> float:
            return self.measure(chain, s)

        if item.kind == "text":
            text = text.replace("\n", " ")
            fit = fit_line(text, item.width_mm * MM, item.size_pt, item.min_size_pt, measure)
            return fit.size_pt, (text,), fit.overflow
        fit = fit_box(
            text, item.width_mm * MM, item.height_mm * MM, item.size_pt, item.min_size_pt, item.line_spacing, measure
        )
        return fit.size_pt, fit.lines, fit.overflow

    # ---- preflight ----------------------------------------------------------------------------------
    def preflight(self, certificates: Iterable[CertificateData]) -> PreflightReport:
        """Check every text to be printed: characters no font of the chain covers, and text that does not
        fit its box even at the minimum size."""
        report = PreflightReport()
        for cert in certificates:
            report.checked += 1
            for prepared in self.items:
                if prepared.chain is None:
                    continue
                text = fill_text(prepared.item.text, cert.values)
                for ch in prepared.chain.missing_chars(text):
                    keys = report.missing.setdefault(ch, [])
                    if not keys or keys[-1] != cert.key:
                        keys.append(cert.key)
                _size, _lines, overflow = self.layout_text(prepared, text)
                if overflow:
                    report.overflows.append(Overflow(cert.key, prepared.index, text, prepared.item.min_size_pt))
        return report

    def missing_glyphs(self, certificates: Iterable[CertificateData]) -> dict[str, list[str]]:
        """{certificate key: characters no face of the chain has} for the texts these certificates print:
        the cheap half of the preflight, run over issued certificates before every print."""
        out: dict[str, list[str]] = {}
        for cert in certificates:
            chars: dict[str, None] = {}
            for prepared in self.items:
                if prepared.chain is not None:
                    for ch in prepared.chain.missing_chars(fill_text(prepared.item.text, cert.values)):
                        chars[ch] = None
            if chars:
                out[cert.key] = list(chars)
        return out

    # ---- drawing ------------------------------------------------------------------------------------
    def _draw_lines(self, canvas: Canvas, prepared: _PreparedItem, text: str) -> None:
        from reportlab.pdfbase import pdfmetrics

        item, chain = prepared.item, prepared.chain
        size, lines, _overflow = self.layout_text(prepared, text)
        ascent = chain.primary.ascent / 1000.0 * size
        leading = size * item.line_spacing
        left, width = self._x(item.x_mm), item.width_mm * MM
        baseline = self._y_top(item.y_mm) - ascent
        textobj = canvas.beginText()
        textobj.setFillColor(prepared.colour)
        for line in lines:
            runs = chain.split_runs(line)
            named = [(self._font_name(face or chain.primary), run) for face, run in runs]
            if item.align == "left":
                x = left
            else:
                line_w = sum(pdfmetrics.stringWidth(run, name, size) for name, run in named)
                x = left + (width - line_w) / (2.0 if item.align == "center" else 1.0)
            textobj.setTextOrigin(x, baseline)
            for name, run in named:
                textobj.setFont(name, size)
                textobj.textOut(run)
            baseline -= leading
        canvas.drawText(textobj)

    def _draw_image(self, canvas: Canvas, item: TemplateItem) -> None:
        self.images.draw(
            canvas,
            item.image,
            self._x(item.x_mm),
            self._y_top(item.y_mm + item.height_mm),
            item.width_mm * MM,
            item.height_mm * MM,
            mask="auto",
            preserve_aspect_ratio=True,
            anchor="c",
        )

    def _draw_qr(self, canvas: Canvas, item: TemplateItem, url: str) -> None:
        from core.qrfast import draw_qr

        if url:
            draw_qr(
                canvas,
                self.qr.matrix(url),
                self._x(item.x_mm),
                self._y_top(item.y_mm),
                item.width_mm * MM,
                QR_QUIET_MODULES,
            )

    def prepare_canvas(self, canvas: Canvas, prefix: str = "kc") -> list:
        """Define this template's static forms on a (possibly shared) canvas; returns the page layers.

        Several renderers may draw into one canvas (a merged PDF of certificates of several templates):
        each uses its own form-name prefix, and draw_page() sets its own page size."""
        return self._static_forms(canvas, prefix)

    def _static_forms(
        self, canvas: Canvas, prefix: str = "kc"
    ) -> list[tuple[str, list[_PreparedItem]] | _PreparedItem]:
        """Group the page into layers: runs of static items (and the background) become one form XObject
        drawn once; the rest is drawn per page. Order of items is kept."""
        layers: list = []
        pending: list[_PreparedItem] = []
        with_background = bool(self.spec.background) and not self.spec.preprinted

        def flush():
            if pending or (with_background and not layers):
                name = f"{prefix}Static{len(layers)}"
                canvas.beginForm(name, lowerx=0, lowery=0, upperx=self.page_w, uppery=self.page_h)
                if with_background and not layers:
                    self.images.draw(canvas, self.spec.background, 0, 0, self.page_w, self.page_h)
                for p in pending:
                    if p.item.kind == "image":
                        self._draw_image(canvas, p.item)
                    else:
                        self._draw_lines(canvas, p, fill_text(p.item.text, {}))
                canvas.endForm()
                layers.append((name, list(pending)))
                pending.clear()

        for prepared in self.items:
            if prepared.static:
                pending.append(prepared)
            else:
                flush()
                layers.append(prepared)
        flush()
        return layers

    def new_canvas(self, out, title: str = "Certificates") -> Canvas:
        from reportlab.pdfgen.canvas import Canvas

        # The initial font is the template's main font: ReportLab's default (Helvetica, never embedded)
        # would otherwise appear in every page's resources.
        primary = self._font_name(self.faces[self.spec.fonts[0]])
        canvas = Canvas(out, pagesize=(self.page_w, self.page_h), pageCompression=1, initialFontName=primary)
        canvas.setTitle(title)
        canvas.setCreator("Kechuang")
        return canvas

    def render(
        self,
        certificates: Iterable[CertificateData],
        out,
        title: str = "Certificates",
        progress: Callable[[int], None] | None = None,
        progress_every: int = 100,
    ) -> int:
        """Draw one page per certificate into `out` (a path or binary file); returns the page count."""
        canvas = self.new_canvas(out, title)
        layers = self._static_forms(canvas)
        count = 0
        for cert in certificates:
            self.draw_page(canvas, layers, cert)
            count += 1
            if progress is not None and count % progress_every == 0:
                progress(count)
        if count == 0:
            raise ValueError("no certificates to render")
        canvas.save()
        if progress is not None:
            progress(count)
        return count

    def draw_page(self, canvas: Canvas, layers, cert: CertificateData) -> None:
        canvas.setPageSize((self.page_w, self.page_h))
        for layer in layers:
            if isinstance(layer, tuple):
                canvas.doForm(layer[0])
                continue
            item = layer.item
            if item.kind == "qr":
                self._draw_qr(canvas, item, cert.verify_url)
            else:
                self._draw_lines(canvas, layer, fill_text(item.text, cert.values))
        canvas.showPage()

    def render_bytes(self, certificates: Iterable[CertificateData], title: str = "Certificates") -> bytes:
        buf = io.BytesIO()
        self.render(certificates, buf, title)
        return buf.getvalue()


def render_calibration(spec: TemplateSpec, faces: Mapping[str, FontFace]) -> bytes:
    """A test sheet for pre-printed paper: a 10 mm grid and every item's box, shifted by the calibration
    offset. Printed on a pre-printed sheet (or held against one), it shows which way and how far to move."""
    renderer = CertificateRenderer(spec, faces)
    buf = io.BytesIO()
    canvas = renderer.new_canvas(buf, title="Calibration")
    font = renderer._font_name(faces[spec.fonts[0]])
    w_mm, h_mm = renderer.page_w_mm, renderer.page_h_mm
    canvas.setLineWidth(0.2)
    canvas.setStrokeColorRGB(0.75, 0.75, 0.75)
    for x in range(0, int(w_mm) + 1, 10):
        canvas.line(x * MM, 0, x * MM, renderer.page_h)
    for y in range(0, int(h_mm) + 1, 10):
        canvas.line(0, renderer.page_h - y * MM, renderer.page_w, renderer.page_h - y * MM)
    canvas.setFont(font, 6)
    canvas.setFillColorRGB(0.5, 0.5, 0.5)
    for x in range(10, int(w_mm), 10):
        canvas.drawString(x * MM + 0.5, renderer.page_h - 3 * MM, str(x))
    for y in range(10, int(h_mm), 10):
        canvas.drawString(1 * MM, renderer.page_h - y * MM + 0.5, str(y))
    canvas.setStrokeColorRGB(0.8, 0, 0)
    canvas.setFillColorRGB(0.8, 0, 0)
    canvas.setLineWidth(0.6)
    for prepared in renderer.items:
        item = prepared.item
        left, top = renderer._x(item.x_mm), renderer._y_top(item.y_mm)
        height = item.box_height_mm() * MM
        canvas.rect(left, top - height, item.width_mm * MM, height, stroke=1, fill=0)
        label = f"{prepared.index + 1}. {item.kind} {item.text[:24]}".strip()
        canvas.setFont(font, 7)
        canvas.drawString(left + 1, top - 8, label)
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def sample_certificate(verify_url: str = "https://example.org/v/SAMPLE-TOKEN-NOT-VALID") -> CertificateData:
    """The sample data of the live preview."""
    return CertificateData(key=PLACEHOLDERS["number"], values=dict(PLACEHOLDERS), verify_url=verify_url)


def render_preview(spec: TemplateSpec, faces: Mapping[str, FontFace], verify_url: str | None = None) -> bytes:
    """One-page PDF of the template filled with sample data (the live preview)."""
    renderer = CertificateRenderer(spec, faces)
    return renderer.render_bytes([sample_certificate(verify_url or "https://example.org/v/preview")], title="Preview")


__all__ = [
    "CertificateData",
    "CertificateRenderer",
    "Overflow",
    "PreflightReport",
    "is_image_bytes",
    "is_image_file",
    "render_calibration",
    "render_preview",
    "sample_certificate",
]
