"""Write a YUV4MPEG2 (.y4m) video that shows a QR code, for Chromium's fake camera in the browser test.

Chromium reads `--use-file-for-fake-video-capture=<file.y4m>` as planar 4:2:0 (I420) frames: a one-line
header `YUV4MPEG2 W<w> H<h> F<fps>:1 Ip A1:1 C420jpeg`, then per frame the line `FRAME` followed by the Y
plane (w*h bytes) and the U and V planes at half width and half height. It loops the file, so a few
identical frames are enough. Samples are BT.601 "studio" range (Y 16-235, chroma 16-240).
"""

from __future__ import annotations

from pathlib import Path

import qrcode
from PIL import Image

HEADER_TEMPLATE = "YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n"
FRAME_MARK = b"FRAME\n"


def qr_image(text: str, size: int, border: int = 4) -> Image.Image:
    """A black-on-white QR code of `text` scaled (nearest neighbour, whole pixels per module) to fit `size`."""
    qr = qrcode.QRCode(border=border, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(text)
    qr.make(fit=True)
    modules = qr.get_matrix()  # includes the quiet zone
    count = len(modules)
    scale = max(1, size // count)
    image = Image.new("L", (count, count), 255)
    image.putdata([0 if dark else 255 for row in modules for dark in row])
    return image.resize((count * scale, count * scale), Image.NEAREST)


def frame_planes(picture: Image.Image, width: int, height: int) -> bytes:
    """One I420 frame (Y, then U, then V) of `picture` centred on white, BT.601 studio range."""
    if width % 2 or height % 2:
        raise ValueError("4:2:0 needs an even width and height")
    canvas = Image.new("RGB", (width, height), (255, 255, 255))
    picture = picture.convert("RGB")
    if picture.width > width or picture.height > height:
        picture.thumbnail((width, height), Image.NEAREST)
    canvas.paste(picture, ((width - picture.width) // 2, (height - picture.height) // 2))
    y, cb, cr = canvas.convert("YCbCr").split()  # full range (JFIF)
    y = y.point(lambda v: 16 + round(v * 219 / 255))
    half = (width // 2, height // 2)
    # BOX resampling to half size averages each 2x2 block: the 4:2:0 chroma subsampling
    cb = cb.resize(half, Image.BOX).point(lambda v: 128 + round((v - 128) * 224 / 255))
    cr = cr.resize(half, Image.BOX).point(lambda v: 128 + round((v - 128) * 224 / 255))
    return y.tobytes() + cb.tobytes() + cr.tobytes()


def write_qr_video(
    path: str | Path,
    text: str,
    width: int = 640,
    height: int = 480,
    fps: int = 15,
    frames: int = 5,
) -> Path:
    """Write a .y4m file of `frames` identical frames showing a QR code of `text`; returns the path."""
    if frames < 1 or fps < 1:
        raise ValueError("need at least one frame and a positive frame rate")
    path = Path(path)
    picture = qr_image(text, int(min(width, height) * 0.8))
    frame = frame_planes(picture, width, height)
    with path.open("wb") as out:
        out.write(HEADER_TEMPLATE.format(width=width, height=height, fps=fps).encode("ascii"))
        for _ in range(frames):
            out.write(FRAME_MARK)
            out.write(frame)
    return path


def read_first_frame_luma(path: str | Path) -> Image.Image:
    """The Y plane of the first frame of a .y4m file as a grayscale image (used to check what we wrote)."""
    data = Path(path).read_bytes()
    header_end = data.index(b"\n")
    tags = dict((token[:1], token[1:]) for token in data[:header_end].decode("ascii").split()[1:])
    width, height = int(tags["W"]), int(tags["H"])
    start = data.index(FRAME_MARK, header_end) + len(FRAME_MARK)
    return Image.frombytes("L", (width, height), data[start : start + width * height])
