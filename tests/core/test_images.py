"""Images are checked for pixel count from their header, before anything decodes them (issue 19, hole 2)."""

from __future__ import annotations

import io
import tracemalloc

import pytest
from PIL import Image

from core.errors import DomainError
from core.images import MAX_PHOTO_PIXELS, check_image_pixels
from tests.hostile import huge_png


@pytest.fixture(scope="module")
def bomb_png() -> bytes:
    return huge_png(13000, 13000)


def test_the_bomb_is_a_real_small_png(bomb_png):
    import warnings

    assert len(bomb_png) < 1024 * 1024
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # that is the point of this file
        with Image.open(io.BytesIO(bomb_png)) as img:
            assert img.size == (13000, 13000) and img.format == "PNG"


def test_too_many_pixels_is_refused_from_the_header(bomb_png):
    tracemalloc.start()
    try:
        with pytest.raises(DomainError) as refused:
            check_image_pixels(bomb_png, MAX_PHOTO_PIXELS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.code == "image_too_large" and "13000" in str(refused.value)
    assert peak < 16 * 1024 * 1024  # 169 million pixels were never decoded


def test_beyond_pillows_own_limit_is_refused_not_a_500():
    with pytest.raises(DomainError) as refused:
        check_image_pixels(huge_png(20000, 20000), 25_000_000, field="image")
    assert refused.value.code == "image_too_large" and refused.value.field == "image"


def test_not_an_image_is_refused():
    with pytest.raises(DomainError) as refused:
        check_image_pixels(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, MAX_PHOTO_PIXELS)
    assert refused.value.code == "not_image"


def test_a_small_image_passes():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(buffer, "PNG")
    assert check_image_pixels(buffer.getvalue(), MAX_PHOTO_PIXELS) == (64, 48)


def test_certificate_images_are_capped(bomb_png):
    from certificates.services import store_image

    for data in (bomb_png, huge_png(20000, 20000)):
        with pytest.raises(DomainError) as refused:
            store_image("背景.png", data)
        assert refused.value.code == "image_too_large"
