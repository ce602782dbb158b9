"""The fast fixed-version QR encoder must produce exactly what the qrcode package produces."""

import pytest
import qrcode
from hypothesis import given, settings
from hypothesis import strategies as st
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q
from qrcode.exceptions import DataOverflowError
from qrcode.util import MODE_8BIT_BYTE, QRData

from core.qrfast import FixedQr


def reference(data: bytes, version, ecc, mask):
    code = qrcode.QRCode(version=version, error_correction=ecc, mask_pattern=mask, border=0)
    code.add_data(QRData(data, mode=MODE_8BIT_BYTE))
    code.make(fit=False)
    return code.modules


@pytest.mark.parametrize("version", [1, 2, 4, 7, 10, 14])
@pytest.mark.parametrize("ecc", [ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q, ERROR_CORRECT_H])
def test_matches_qrcode_module_for_module(version, ecc):
    for mask in range(8):
        fixed = FixedQr(version, ecc, mask)
        for data in (b"", b"x", b"https://kc.example.org/v/AbC-123_xyz"):
            try:
                expected = reference(data, version, ecc, mask)
            except DataOverflowError:
                with pytest.raises(ValueError):
                    fixed.matrix(data)
                continue
            assert fixed.matrix(data) == expected


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=60), mask=st.integers(0, 7))
def test_matches_qrcode_for_arbitrary_bytes(data, mask):
    assert FixedQr(5, ERROR_CORRECT_M, mask).matrix(data) == reference(data, 5, ERROR_CORRECT_M, mask)
