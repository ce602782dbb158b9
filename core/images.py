"""The pixel cap for uploaded images, checked from the file's header before anything is decoded.

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


def check_image_pixels(data: bytes, max_pixels: int, *, field: str = "file", advice: str | None = None) -> tuple[int, int]:
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
        raise DomainError(_l("The file is not an image we can read. Save it again as PNG or JPEG."),
                          field=field, code="not_image") from None
    if width is None or width * height > max_pixels:
        if width is None:
            size = _("The image has far more than %(max)s million pixels.", max=max_pixels // 1_000_000)
        else:
            size = _("The image has %(width)d × %(height)d pixels, more than %(max)s million.", width=width,
                     height=height, max=max_pixels // 1_000_000)
        raise DomainError(f"{size} {advice or _('Scale it down and upload it again.')}", field=field,
                          code="image_too_large")
    return width, height
