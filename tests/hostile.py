"""Hostile files for tests and benchmarks, built in memory without ever holding their decoded size."""

from __future__ import annotations

import struct
import zlib


def huge_png(width: int = 13000, height: int = 13000) -> bytes:
    """A real greyscale PNG of width × height plain pixels: a few hundred KB that decode to width*height bytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    packer = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * width  # filter byte, then white pixels
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
