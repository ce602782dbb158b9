"""The .y4m fake-camera file: header, 4:2:0 layout, studio range, and a QR code a decoder can read."""

import pytest
from PIL import Image

from events.tickets import new_code
from events.y4m import FRAME_MARK, frame_planes, qr_image, read_first_frame_luma, write_qr_video
from tests.qr import decode_qr

pytestmark = pytest.mark.no_app  # pure logic: no app context or database


def test_header_and_frame_layout(tmp_path):
    path = write_qr_video(tmp_path / "cam.y4m", "HELLO", width=320, height=240, fps=10, frames=3)
    data = path.read_bytes()
    header = b"YUV4MPEG2 W320 H240 F10:1 Ip A1:1 C420jpeg\n"
    assert data.startswith(header)
    frame_bytes = 320 * 240 + 2 * (160 * 120)  # Y plus quarter-size U and V
    assert len(data) == len(header) + 3 * (len(FRAME_MARK) + frame_bytes)
    assert data.count(FRAME_MARK) >= 3
    # every frame starts exactly where Chromium's parser expects it
    for n in range(3):
        offset = len(header) + n * (len(FRAME_MARK) + frame_bytes)
        assert data[offset : offset + 6] == FRAME_MARK


def test_studio_range_and_neutral_chroma_for_black_and_white():
    white = Image.new("L", (4, 4), 255)
    planes = frame_planes(white, 4, 4)
    assert planes[:16] == bytes([235]) * 16
    assert planes[16:] == bytes([128]) * 8
    black = Image.new("L", (4, 4), 0)
    assert frame_planes(black, 4, 4)[:16] == bytes([16]) * 16


def test_chroma_is_averaged_over_2x2_blocks():
    red = Image.new("RGB", (2, 2), (255, 0, 0))
    planes = frame_planes(red, 2, 2)
    y, u, v = planes[0], planes[4], planes[5]
    # BT.601: Y = 0.299*255 = 76 full range -> 16 + 76*219/255 = 81; Cr = 255 -> 128 + 127*224/255 = 240
    assert y == 81
    assert v == 240
    assert u < 128


def test_odd_sizes_are_refused():
    with pytest.raises(ValueError):
        frame_planes(Image.new("L", (2, 2)), 5, 4)


def test_qr_image_fits_and_keeps_whole_modules():
    image = qr_image("ABC", 200)
    assert image.width == image.height <= 200
    assert sorted(colour for _, colour in image.getcolors()) == [0, 255]


def test_the_written_video_decodes_to_the_ticket_code(tmp_path):
    code = new_code()
    path = write_qr_video(tmp_path / "ticket.y4m", code)
    luma = read_first_frame_luma(path)
    assert luma.size == (640, 480)
    decoded = decode_qr(luma)
    assert decoded == [code]
