"""Fonts of templates: the installed faces (through the font index) and uploaded TrueType fonts.

Every state change flushes and never commits; views, API, CLI and jobs commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from certificates.models import (
    CertificateFont,
)
from certificates.services.files import storage_dir
from core import audit, fontcoverage, fontfiles
from core.errors import DomainError
from core.extensions import db

# ---- fonts ---------------------------------------------------------------------------------------------


def system_faces() -> dict[str, fontfiles.FontFace]:
    """Installed CJK TrueType faces, from the font index in instance/ (a file is parsed only when new or
    changed), once per process."""
    return fontfiles.app_system_faces()


def _font_index() -> fontfiles.FontIndex:
    return fontfiles.FontIndex(fontfiles.index_path(current_app.instance_path))


def uploaded_faces() -> dict[str, fontfiles.FontFace]:
    """Faces of the uploaded fonts; a file that vanished or broke is skipped (and shows in the font list)."""
    faces: dict[str, fontfiles.FontFace] = {}
    directory = storage_dir("fonts")
    index = None
    for row in db.session.execute(sa.select(CertificateFont).order_by(CertificateFont.id)).scalars():
        index = index or _font_index()
        try:
            for face in fontfiles.load_font_file(directory / row.stored_name, source="uploaded", index=index):
                faces[face.key] = face
        except (fontfiles.FontError, OSError):
            continue
    if index is not None:
        index.save()
    return faces


def available_faces() -> dict[str, fontfiles.FontFace]:
    return {**system_faces(), **uploaded_faces()}


def font_error_message(error: str):
    """The reader's words for a core.fontfiles.FontError (its own text is English, for logs)."""
    if "PostScript" in error:
        return _l(
            "This font has PostScript (CFF) outlines, which cannot be embedded; upload a TrueType font (.ttf or .ttc)."
        )
    return _l("This file is not a TrueType font (.ttf or .ttc).")


def upload_font(filename: str, data: bytes, *, organisation_id: int | None, user=None) -> CertificateFont:
    """Store an uploaded .ttf/.ttc after checking it is a TrueType font ReportLab can embed."""
    try:
        fontfiles.validate_font_bytes(data, filename or "")
    except fontfiles.FontError as exc:
        raise DomainError(font_error_message(str(exc)), field="font", code="font_not_truetype") from exc
    suffix = ".ttc" if data[:4] == b"ttcf" else ".ttf"
    stored = "font" + secrets.token_hex(8) + suffix
    path = storage_dir("fonts") / stored
    path.write_bytes(data)
    try:
        faces = fontfiles.load_font_file(path, source="uploaded")
        row = CertificateFont(
            stored_name=stored,
            original_name=(filename or stored)[:200],
            family=", ".join(sorted({f.family for f in faces}))[:200],
            faces=len(faces),
            organisation_id=organisation_id,
            uploaded_by_id=getattr(user, "id", None),
        )
        db.session.add(row)
        db.session.flush()
    except Exception:
        path.unlink(missing_ok=True)  # nothing half-written
        raise
    audit.record("upload", row, after={"original_name": row.original_name, "family": row.family})
    return row


@dataclass
class FontInfo:
    face: fontfiles.FontFace
    coverage: fontcoverage.FontCoverage


def font_overview() -> list[FontInfo]:
    """Every available face with what it covers, system fonts first."""
    faces = available_faces()
    return [FontInfo(f, fontcoverage.coverage_of(f)) for f in faces.values()]
