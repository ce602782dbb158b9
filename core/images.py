"""What counts as an uploaded image, for every area: a readable PNG or JPEG (what ReportLab embeds unconverted)."""
from __future__ import annotations

import io

IMAGE_FORMATS = ("PNG", "JPEG")


def is_image_file(path: str) -> bool:
    """True when the file is a readable PNG or JPEG."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            fmt = img.format
            img.verify()
        return fmt in IMAGE_FORMATS
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError):
        return False


def is_image_bytes(data: bytes) -> bool:
    """Same check for uploaded bytes, before they are stored."""
    return bool(data) and is_image_file(io.BytesIO(data))  # type: ignore[arg-type]
