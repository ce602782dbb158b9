"""Decode the QR codes in a picture, for tests that check what the platform prints.

zxing-cpp's wheel carries its native decoder, so this needs no system library (pyzbar needed libzbar).
"""

from __future__ import annotations

import zxingcpp
from PIL import Image


def decode_qr(image: Image.Image) -> list[str]:
    """The texts of every QR code found in `image`, top to bottom."""
    results = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    return [r.text for r in sorted(results, key=lambda r: (r.position.top_left.y, r.position.top_left.x))]


def qr_top_left(image: Image.Image) -> tuple[int, int]:
    """Pixel position (x, y) of the top-left corner of the first QR code found in `image`."""
    results = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    assert results, "no QR code found"
    corner = results[0].position.top_left
    return corner.x, corner.y
