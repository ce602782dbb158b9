"""Material files (研究报告, photos, video, research log, declarations): type by content, size limits.

The type comes from the file's first bytes (and, for Office files, the parts inside the zip), never from the
extension; an extension that names another type is refused too, so a PDF renamed to .docx is caught.
Pure Python, needs no app or request.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

from core.i18n import N_

FILE_TYPES = ("pdf", "png", "jpeg", "gif", "webp", "mp4", "mov", "docx", "xlsx", "pptx", "doc", "xls", "ppt")
MIME_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
}
EXTENSIONS = {
    ".pdf": "pdf",
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".jpe": "jpeg",
    ".gif": "gif",
    ".webp": "webp",
    ".mp4": "mp4",
    ".m4v": "mp4",
    ".mov": "mov",
    ".qt": "mov",
    ".docx": "docx",
    ".xlsx": "xlsx",
    ".pptx": "pptx",
    ".doc": "doc",
    ".xls": "xls",
    ".ppt": "ppt",
}
FILE_EXTENSION = {
    "pdf": ".pdf",
    "png": ".png",
    "jpeg": ".jpg",
    "gif": ".gif",
    "webp": ".webp",
    "mp4": ".mp4",
    "mov": ".mov",
    "docx": ".docx",
    "xlsx": ".xlsx",
    "pptx": ".pptx",
    "doc": ".doc",
    "xls": ".xls",
    "ppt": ".ppt",
}
IMAGE_TYPES = frozenset({"png", "jpeg", "gif", "webp"})
# Groups an organiser picks from when defining a required material.
TYPE_GROUPS = {
    "pdf": frozenset({"pdf"}),
    "image": IMAGE_TYPES,
    "video": frozenset({"mp4", "mov"}),
    "document": frozenset({"pdf", "docx", "doc"}),
    "office": frozenset({"docx", "xlsx", "pptx", "doc", "xls", "ppt"}),
}
MB = 1024 * 1024
DEFAULT_LIMITS = {"pdf": 20 * MB, "image": 10 * MB, "video": 50 * MB, "document": 20 * MB, "office": 20 * MB}
# The material kinds of CASTIC entries; categories list which are required.
MATERIAL_KINDS = ("report", "photos", "video", "research_log", "declaration", "other")
MATERIAL_KIND_LABELS = {
    "report": N_("Research report (PDF)"),
    "photos": N_("Photos"),
    "video": N_("Video"),
    "research_log": N_("Research log"),
    "declaration": N_("Declarations"),
    "other": N_("Other material"),
}

_QUICKTIME_BRANDS = {b"qt  "}
_QUICKTIME_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}
_MP4_BRANDS = {
    b"isom",
    b"iso2",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"M4V ",
    b"M4VP",
    b"dash",
    b"MSNV",
    b"3gp4",
    b"3gp5",
    b"3g2a",
    b"mmp4",
    b"f4v ",
}


def _ole_kind(data: bytes) -> str | None:
    # Compound File directory entries store stream names in UTF-16LE.
    if "WordDocument".encode("utf-16-le") in data:
        return "doc"
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return "xls"
    if "PowerPoint Document".encode("utf-16-le") in data:
        return "ppt"
    return None


def _zip_kind(data: bytes) -> str | None:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    return None


def detect_type(data: bytes) -> str | None:
    """The file type by content: one of FILE_TYPES, or None for anything else (zip, exe, text, …).
    ``data`` is the whole file (Office types need the zip directory at the end)."""
    head = data[:64]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _QUICKTIME_BRANDS:
            return "mov"
        if brand in _MP4_BRANDS or brand.startswith(b"mp4") or brand.startswith(b"iso"):
            return "mp4"
        return None
    if len(head) >= 8 and head[4:8] in _QUICKTIME_ATOMS:
        return "mov"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _ole_kind(data[: 1024 * 1024])
    return None


def type_of_extension(filename: str | None) -> str | None:
    if not filename:
        return None
    return EXTENSIONS.get(PurePath(filename).suffix.lower())


def expand_types(accepted: str | frozenset[str] | set[str] | list[str]) -> frozenset[str]:
    """'image' -> {png, jpeg, gif, webp}; a list mixes group names and type names."""
    items = [accepted] if isinstance(accepted, str) else list(accepted)
    out: set[str] = set()
    for item in items:
        if item in TYPE_GROUPS:
            out |= TYPE_GROUPS[item]
        elif item in FILE_TYPES:
            out.add(item)
        else:
            raise ValueError(f"unknown file type {item!r}")
    return frozenset(out)


@dataclass(frozen=True)
class MaterialCheck:
    """The outcome for one uploaded file: its detected type, or a problem (code, message, params)."""

    file_type: str | None
    code: str | None = None
    params: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.code is None

    @property
    def message(self) -> str | None:
        return MESSAGES.get(self.code) if self.code else None

    def render(self, gettext=lambda s: s) -> str:
        return gettext(self.message) % self.params if self.code else ""


MESSAGES = {
    "empty": N_("%(filename)s is empty."),
    "too_large": N_("%(filename)s is %(size)s MB; the limit for this material is %(limit)s MB."),
    "unknown_type": N_("%(filename)s is not a file type we accept (its content is not %(accepted)s)."),
    "extension_mismatch": N_("%(filename)s is really a %(actual)s file, not %(claimed)s. Upload the original file."),
    "type_not_accepted": N_("%(filename)s is a %(actual)s file; this material accepts %(accepted)s."),
}


def _label(file_type: str) -> str:
    return file_type.upper()


def check_material(
    data: bytes, filename: str, accepted: str | frozenset[str] | set[str] | list[str], max_bytes: int
) -> MaterialCheck:
    """Accept a file when it is non-empty, within ``max_bytes``, its content is an accepted type, and its
    extension (if it has a known one) names that same type."""
    accepted_types = expand_types(accepted)
    accepted_label = ", ".join(sorted(_label(t) for t in accepted_types))
    name = PurePath(filename or "file").name
    if not data:
        return MaterialCheck(None, "empty", {"filename": name})
    if len(data) > max_bytes:
        return MaterialCheck(
            None, "too_large", {"filename": name, "size": round(len(data) / MB, 1), "limit": round(max_bytes / MB, 1)}
        )
    actual = detect_type(data)
    if actual is None:
        return MaterialCheck(None, "unknown_type", {"filename": name, "accepted": accepted_label})
    claimed = type_of_extension(name)
    if claimed is not None and claimed != actual:
        return MaterialCheck(
            actual, "extension_mismatch", {"filename": name, "actual": _label(actual), "claimed": _label(claimed)}
        )
    if actual not in accepted_types:
        return MaterialCheck(
            actual, "type_not_accepted", {"filename": name, "actual": _label(actual), "accepted": accepted_label}
        )
    return MaterialCheck(actual)


def format_size(size: int) -> str:
    """1536 -> '1.5 KB'."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"
