"""Materials of an entry: files on disk with thumbnails, adding and removing them."""

from __future__ import annotations

import hashlib
import io
import secrets
from datetime import datetime
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from competitions.materials import FILE_EXTENSION, IMAGE_TYPES, check_material
from competitions.models import (
    Entry,
    Material,
)
from competitions.services.contests import require_editable
from core import audit
from core.errors import DomainError
from core.extensions import db

THUMBNAIL_SIZE = (320, 320)


def upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "competitions"
    path.mkdir(parents=True, exist_ok=True)
    return path


def material_path(stored_name: str) -> Path:
    return upload_dir() / stored_name


def add_material(
    entry: Entry, kind: str, filename: str, data: bytes, actor=None, now: datetime | None = None
) -> Material:
    """Store an uploaded file for a required (or 'other') material: type by content (magic bytes) with the
    requirement's accepted types and size limit; a random stored name; a thumbnail for images."""
    require_editable(entry, now)
    requirement = next((r for r in entry.category.requirements if r.kind == kind), None)
    if requirement is None and kind != "other":
        raise DomainError(_l("This category does not ask for that material."), field="kind")
    accepted = list(requirement.accepted) if requirement else ["pdf", "image", "video", "office"]
    max_bytes = (requirement.max_mb if requirement else 20) * 1024 * 1024
    check = check_material(data, filename, accepted, max_bytes)
    if not check.ok:
        raise DomainError(_l(check.message, **check.params), field="file", code=check.code)
    existing = [m for m in entry.materials if m.kind == kind]
    limit = requirement.max_files if requirement else 10
    if len(existing) >= limit:
        raise DomainError(_l("At most %(n)s files for this material; remove one first.", n=limit), field="file")
    if check.file_type in IMAGE_TYPES:  # pixels counted from the header before the thumbnail decodes it
        from core.images import MAX_PHOTO_PIXELS, check_image_pixels

        check_image_pixels(data, MAX_PHOTO_PIXELS, field="file")
    stored = secrets.token_hex(16) + FILE_EXTENSION[check.file_type]
    path = material_path(stored)
    path.write_bytes(data)
    thumbnail = None
    if check.file_type in IMAGE_TYPES:
        thumbnail = _make_thumbnail(data)
    material = Material(
        entry=entry,
        kind=kind,
        original_name=Path(filename).name[:255] or stored,
        stored_name=stored,
        file_type=check.file_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        thumbnail_name=thumbnail,
        uploaded_by_id=getattr(actor, "id", None),
    )
    db.session.add(material)
    db.session.flush()
    audit.record(
        "add_material",
        entry,
        after={
            "material_id": material.id,
            "kind": kind,
            "file_type": check.file_type,
            "size": len(data),
            "name": material.original_name,
        },
        actor=actor,
    )
    return material


def _make_thumbnail(data: bytes) -> str | None:
    """A JPEG preview at most 320 px, or None if Pillow cannot decode the image (the upload still stands)."""
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail(THUMBNAIL_SIZE)
            if image.mode not in ("RGB", "L"):
                background = Image.new("RGB", image.size, "white")
                rgba = image.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                image = background
            name = "thumb-" + secrets.token_hex(16) + ".jpg"
            image.save(material_path(name), "JPEG", quality=80)
            return name
    except Exception:  # noqa: BLE001  (a corrupt image gets no thumbnail; Pillow raises many kinds)
        return None


def remove_material(material: Material, actor=None, now: datetime | None = None) -> None:
    entry = material.entry
    require_editable(entry, now)
    audit.record(
        "remove_material",
        entry,
        before={"material_id": material.id, "kind": material.kind, "name": material.original_name},
        actor=actor,
    )
    remove_material_files(material)
    entry.materials.remove(material)
    db.session.delete(material)
    db.session.flush()


def remove_material_files(material: Material) -> None:
    # Files go when the row goes; a crash in between leaves an orphan file, never a row without a file.
    for name in (material.stored_name, material.thumbnail_name):
        if name:
            material_path(name).unlink(missing_ok=True)
