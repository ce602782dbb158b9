"""Every use of ReportLab's private API, in one place, each checked by tests/core/test_rlinternals.py.

ReportLab (4.x) offers no public way to (a) write correct ToUnicode CMaps for characters beyond the BMP,
(b) reuse one compressed image XObject across several canvases, or (c) append pre-formatted operators to a
page stream. Each helper below is the only code that touches those internals; when a ReportLab upgrade
changes them, the test of this module fails with the name of the attribute, instead of PDFs silently going
wrong. Pinned: reportlab in requirements.txt.
"""

from __future__ import annotations

import copy
import hashlib

from reportlab.lib.boxstuff import aspectRatioFix
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfdoc, ttfonts
from reportlab.pdfgen.canvas import Canvas

#: The private names used below, checked by the test so an upgrade that drops one fails loudly.
CANVAS_INTERNALS = ("_doc", "_code", "_formsinuse", "_setXObjects")
DOC_INTERNALS = ("getXObjectName", "idToObject", "Reference", "addForm")


# (a) ToUnicode for characters beyond the BMP.
# ReportLab writes ToUnicode entries as "<%04X>", which is wrong for characters beyond the BMP such as
# 𠮷 (U+20BB7): a PDF ToUnicode CMap needs UTF-16BE, i.e. a surrogate pair. Without this, text extraction
# and copy-paste of such names yield garbage. The replacement is identical for BMP characters.
# Upstream report to file (ReportLab's tracker is a Mercurial repository with a mailing list):
#   https://hg.reportlab.com/hg-public/reportlab/ — "ttfonts.makeToUnicodeCMap writes <%04X> for code points
#   above U+FFFF; PDF 32000-1 §9.10.3 requires UTF-16BE (surrogate pairs)", with a one-line fix using
#   chr(cp).encode("utf-16-be").
def _to_unicode_cmap(fontname: str, subset) -> str:
    def utf16(cp: int) -> str:
        return chr(cp).encode("utf-16-be", "surrogatepass").hex().upper()

    cmap = (
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
        ]
        + [f"<{i:02X}> <{utf16(v)}>" for i, v in enumerate(subset)]
        + ["endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    )
    return "\n".join(cmap)


def install_unicode_cmap_fix() -> None:
    """Replace ReportLab's ToUnicode CMap writer (idempotent); every PDF writer of the platform needs it."""
    ttfonts.makeToUnicodeCMap = _to_unicode_cmap


# (b) one image XObject shared by many canvases.
class ImageCache:
    """Image XObjects decoded and compressed once, then registered into every PDF that draws them.

    ReportLab's drawImage caches an image only within one canvas, so a ZIP with one PDF per holder
    decoded and re-compressed the background (and seal) for every single PDF: about 60 times slower than
    the merged PDF. Here the compressed stream is built once per file and each canvas gets a copy of the
    (immutable) XObject."""

    def __init__(self):
        self._protos: dict[tuple[str, str], pdfdoc.PDFImageXObject] = {}

    def _proto(self, path: str, mask) -> pdfdoc.PDFImageXObject:
        key = (path, repr(mask))
        proto = self._protos.get(key)
        if proto is None:
            name = "kcimg" + hashlib.md5(repr(key).encode(), usedforsecurity=False).hexdigest()[:16]
            proto = pdfdoc.PDFImageXObject(name, ImageReader(path), mask=mask)
            proto.name = name
            self._protos[key] = proto
        return proto

    def draw(
        self,
        canvas: Canvas,
        path: str,
        x: float,
        y: float,
        width: float,
        height: float,
        *,
        mask=None,
        preserve_aspect_ratio: bool = False,
        anchor: str = "c",
    ) -> None:
        """What Canvas.drawImage does, with the image data built only once per file."""
        proto = self._proto(path, mask)
        doc = canvas._doc
        reg_name = doc.getXObjectName(proto.name)
        obj = doc.idToObject.get(reg_name)
        if obj is None:
            obj = copy.copy(proto)
            smask = obj.__dict__.pop("_smask", None)
            canvas._setXObjects(obj)
            doc.Reference(obj, reg_name)
            doc.addForm(proto.name, obj)
            if smask is not None:
                mask_name = doc.getXObjectName(smask.name)
                if doc.idToObject.get(mask_name) is None:
                    mask_obj = copy.copy(smask)
                    canvas._setXObjects(mask_obj)
                    obj.smask = doc.Reference(mask_obj, mask_name)
                else:
                    obj.smask = pdfdoc.PDFObjectReference(mask_name)
        x, y, width, height, _scaled = aspectRatioFix(
            preserve_aspect_ratio, anchor, x, y, width, height, obj.width, obj.height
        )
        canvas._currentPageHasImages = 1
        canvas.saveState()
        canvas.translate(x, y)
        canvas.scale(width, height)
        canvas._code.append(f"/{reg_name} Do")
        canvas.restoreState()
        canvas._formsinuse.append(proto.name)


# (c) raw operators.
def append_operators(canvas: Canvas, operators: str) -> None:
    """Append already-formatted PDF operators to the current page (or form) stream: QR codes write one
    "x y w 1 re" per run of dark modules with small integers, skipping ReportLab's float formatting."""
    canvas._code.append(operators)
