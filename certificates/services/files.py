"""Stored files of the certificates area: uploaded images (backgrounds, seals) and exports.

Every state change flushes and never commits; views, API, CLI and jobs commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from certificates.render import (
    is_image_bytes,
)
from core.errors import DomainError

# ---- files ---------------------------------------------------------------------------------------------


def storage_dir(kind: str) -> Path:
    """uploads/certificates/<kind> (fonts, images) or instance/exports/certificates, created on demand."""
    if kind == "exports":
        path = Path(current_app.instance_path) / "exports" / "certificates"
    else:
        path = Path(current_app.config["UPLOAD_DIR"]) / "certificates" / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


MAX_IMAGE_PIXELS = 25_000_000  # A4 at 500 dpi; every render decodes the image, so a huge one costs GBs of memory


def store_image(filename: str, data: bytes) -> str:
    """Store an uploaded background/seal image; only real PNG or JPEG files of at most MAX_IMAGE_PIXELS
    pixels are accepted (a small PNG of 12000 × 12000 plain pixels took 1.5 GB to render)."""
    from core.images import check_image_pixels

    if not data:
        raise DomainError(_l("The file is not a PNG or JPEG image."), field="image", code="not_image")
    check_image_pixels(
        data,
        MAX_IMAGE_PIXELS,
        field="image",
        advice=_(  # from the header, before decoding
            "A full A4 page at 300 dpi needs only 3508 × 2480. Scale it down and upload it again."
        ),
    )
    if not is_image_bytes(data):
        raise DomainError(_l("The file is not a PNG or JPEG image."), field="image", code="not_image")
    suffix = ".png" if data[:8] == b"\x89PNG\r\n\x1a\n" else ".jpg"
    name = "img-" + secrets.token_hex(12) + suffix
    (storage_dir("images") / name).write_bytes(data)
    return name


def discard_images(names: Iterable[str]) -> None:
    """Remove images stored for a template that was not saved after all (its form was rejected)."""
    for name in names:
        if name:
            (storage_dir("images") / Path(name).name).unlink(missing_ok=True)


def image_path(name: str | None) -> str | None:
    """Absolute path of a stored image name (names never contain directories)."""
    if not name:
        return None
    return str(storage_dir("images") / Path(name).name)
