"""Uploaded images for every area: a readable PNG or JPEG (what ReportLab embeds unconverted), and the pixel cap,
checked from the header before anything is decoded.

A PNG of 13000 × 13000 plain pixels is a few hundred KB on disk and 500 MB to 1.5 GB once decoded (a
thumbnail, a certificate render). Pillow's ``Image.open`` reads only the header, so the size is known before
any pixel is; every place that accepts an image calls ``check_image_pixels`` first.
"""

from __future__ import annotations

import io
import warnings

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.errors import DomainError

#: Photos of entries (a 50-megapixel phone photo is 8160 × 6120 = 49.9 million pixels).
MAX_PHOTO_PIXELS = 50_000_000


def check_image_pixels(
    data: bytes, max_pixels: int, *, field: str = "file", advice: str | None = None
) -> tuple[int, int]:
    """(width, height) of an image whose header says it has at most ``max_pixels`` pixels; otherwise a
    DomainError (code image_too_large or not_image) with a localised message, never a decoded image.
    ``advice``: what to do instead, for the place the image is for (default: scale it down)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # we compare with our own cap
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
    except Image.DecompressionBombError:  # beyond twice Pillow's own limit: refused by the header alone
        width = height = None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise DomainError(
            _l("The file is not an image we can read. Save it again as PNG or JPEG."), field=field, code="not_image"
        ) from None
    if width is None or width * height > max_pixels:
        if width is None:
            size = _("The image has far more than %(max)s million pixels.", max=max_pixels // 1_000_000)
        else:
            size = _(
                "The image has %(width)d × %(height)d pixels, more than %(max)s million.",
                width=width,
                height=height,
                max=max_pixels // 1_000_000,
            )
        raise DomainError(
            f"{size} {advice or _('Scale it down and upload it again.')}", field=field, code="image_too_large"
        )
    return width, height


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
