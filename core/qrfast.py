"""QR matrices at a fixed version, error-correction level and mask, built fast (certificates and tickets).

A batch of certificates puts URLs of equal length into QR codes, so everything except the data bits is
the same on every page: function patterns, format/version information, the order in which data bits are
placed and the mask. We let the `qrcode` package lay out that skeleton once (so we reuse its tested
placement logic), then per URL only encode the bytes, compute Reed–Solomon error correction with
log/antilog tables and drop the bits into the precomputed positions. tests/certificates/test_qr.py checks
the result module-for-module against `qrcode` itself; it is several times faster than `qrcode.make`
even at a fixed mask.
"""

from __future__ import annotations

import qrcode
from qrcode import base, util
from qrcode.constants import ERROR_CORRECT_M
from qrcode.util import MODE_8BIT_BYTE, QRData

# GF(256) with the QR primitive polynomial x^8 + x^4 + x^3 + x^2 + 1
_EXP = [0] * 512
_LOG = [0] * 256
_x = 1
for _i in range(255):
    _EXP[_i] = _x
    _LOG[_x] = _i
    _x <<= 1
    if _x & 0x100:
        _x ^= 0x11D
for _i in range(255, 512):
    _EXP[_i] = _EXP[_i - 255]

_PAD = (0xEC, 0x11)
_MODE_8BIT = 4


def _generator_logs(degree: int) -> list[int]:
    """Logs of the coefficients (after the leading 1) of prod (x - a^i), i < degree."""
    poly = [1]
    for i in range(degree):
        nxt = [0] * (len(poly) + 1)
        for j, coef in enumerate(poly):
            nxt[j] ^= coef
            if coef:
                nxt[j + 1] ^= _EXP[_LOG[coef] + i]
        poly = nxt
    return [_LOG[c] for c in poly[1:]]


def _rs_remainder(data: list[int], gen_logs: list[int]) -> list[int]:
    degree = len(gen_logs)
    rem = [0] * degree
    exp, log = _EXP, _LOG
    for byte in data:
        factor = byte ^ rem[0]
        del rem[0]
        rem.append(0)
        if factor:
            lf = log[factor]
            for i in range(degree):
                rem[i] ^= exp[gen_logs[i] + lf]
    return rem


class _SkeletonProbe(qrcode.QRCode):
    """qrcode.QRCode that stops before placing data: modules left as None are data positions."""

    def map_data(self, data, mask_pattern):  # noqa: D401 - overriding the library's method
        self.skeleton = [row[:] for row in self.modules]


class FixedQr:
    """Encodes byte strings into QR matrices of one version / level / mask."""

    def __init__(self, version: int, error_correction: int = ERROR_CORRECT_M, mask: int = 0):
        self.version, self.error_correction, self.mask = version, error_correction, mask
        probe = _SkeletonProbe(version=version, error_correction=error_correction, mask_pattern=mask, border=0)
        probe.add_data(b"")
        probe.makeImpl(False, mask)
        skeleton = probe.skeleton
        # the module qrcode sets after map_data (the always-dark module)
        n = self.size = len(skeleton)
        skeleton[n - 8][8] = probe.modules[n - 8][8]
        self.base = [[bool(v) for v in row] for row in skeleton]
        self.positions = self._placement_order(skeleton)
        mask_func = util.mask_func(mask)
        self.masked = [bool(mask_func(r, c)) for r, c in self.positions]
        self.blocks = [(b.data_count, b.total_count - b.data_count) for b in base.rs_blocks(version, error_correction)]
        self.capacity = sum(d for d, _ in self.blocks)
        self.count_bits = util.length_in_bits(_MODE_8BIT, version)
        self.gen_logs = {ec: _generator_logs(ec) for _d, ec in self.blocks}

    @staticmethod
    def _placement_order(skeleton) -> list[tuple[int, int]]:
        """Same zig-zag walk as qrcode's map_data, recording the free cells."""
        n = len(skeleton)
        order = []
        inc, row = -1, n - 1
        for col in range(n - 1, 0, -2):
            if col <= 6:
                col -= 1
            while True:
                for c in (col, col - 1):
                    if skeleton[row][c] is None:
                        order.append((row, c))
                row += inc
                if row < 0 or row >= n:
                    row -= inc
                    inc = -inc
                    break
        return order

    def _codewords(self, payload: bytes) -> list[int]:
        bits = [(_MODE_8BIT, 4), (len(payload), self.count_bits)]
        acc, nbits, out = 0, 0, []
        for value, width in bits:
            acc = (acc << width) | value
            nbits += width
        for byte in payload:
            acc = (acc << 8) | byte
            nbits += 8
        limit = self.capacity * 8
        if nbits > limit:
            raise ValueError(f"data too long for QR version {self.version}")
        term = min(4, limit - nbits)
        acc <<= term
        nbits += term
        if nbits % 8:
            acc <<= 8 - nbits % 8
            nbits += 8 - nbits % 8
        out = list(acc.to_bytes(nbits // 8, "big")) if nbits else []
        i = 0
        while len(out) < self.capacity:
            out.append(_PAD[i % 2])
            i += 1
        return out

    def encode(self, data: str | bytes) -> list[int]:
        """Final interleaved codewords (data then error correction)."""
        payload = data.encode("utf-8") if isinstance(data, str) else data
        codewords = self._codewords(payload)
        dc_blocks, ec_blocks = [], []
        offset = 0
        for dc, ec in self.blocks:
            block = codewords[offset : offset + dc]
            offset += dc
            dc_blocks.append(block)
            ec_blocks.append(_rs_remainder(block, self.gen_logs[ec]))
        result = []
        for group in (dc_blocks, ec_blocks):
            for i in range(max(len(b) for b in group)):
                for b in group:
                    if i < len(b):
                        result.append(b[i])
        return result

    def matrix(self, data: str | bytes) -> list[list[bool]]:
        """The QR modules (True = dark), without quiet zone."""
        stream = self.encode(data)
        modules = [row[:] for row in self.base]
        total = len(stream) * 8
        for i, (r, c) in enumerate(self.positions):
            dark = i < total and (stream[i >> 3] >> (7 - (i & 7))) & 1 == 1
            modules[r][c] = dark != self.masked[i]
        return modules


class QrEncoder:
    """QR matrices at one fixed version and mask, picked from the first URL of the batch."""

    def __init__(self, error_correction=ERROR_CORRECT_M):
        self.error_correction = error_correction
        self.fixed: FixedQr | None = None

    def _calibrate(self, data: bytes) -> None:
        probe = qrcode.QRCode(error_correction=self.error_correction, border=0)
        probe.add_data(QRData(data, mode=MODE_8BIT_BYTE))
        probe.best_fit()
        # The penalty-based best mask of the first URL; later URLs of the batch differ only in the token,
        # and any of the eight masks is valid for a decoder.
        self.fixed = FixedQr(probe.version, self.error_correction, probe.best_mask_pattern())

    @property
    def version(self) -> int | None:
        return self.fixed.version if self.fixed else None

    def matrix(self, data: str) -> list[list[bool]]:
        payload = data.encode("utf-8")
        if self.fixed is None:
            self._calibrate(payload)
        try:
            return self.fixed.matrix(payload)
        except ValueError:  # a longer URL than the first one: recalibrate for the rest of the batch
            self._calibrate(payload)
            return self.fixed.matrix(payload)


def draw_qr(canvas, modules: list[list[bool]], left: float, top: float, side: float, quiet: int = 4) -> None:
    """Draw a QR matrix in a square of `side` points whose top-left corner is (left, top) in PDF coordinates,
    with `quiet` white modules around it (ISO 18004 asks for 4). Works in module units with y growing
    downwards and writes one "x y w 1 re" per horizontal run of dark modules (small integers, no float
    formatting per module): certificates and tickets draw their codes with it."""
    from core.rlinternals import append_operators

    n = len(modules)
    unit = side / (n + 2 * quiet)
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(left, top - side, side, side, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.transform(unit, 0, 0, -unit, left + quiet * unit, top - quiet * unit)
    ops = []
    for r, row in enumerate(modules):
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                ops.append(f"{start} {r} {c - start} 1 re")
            else:
                c += 1
    ops.append("f")
    append_operators(canvas, "\n".join(ops))
    canvas.restoreState()
