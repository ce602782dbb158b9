"""Fixtures of the certificates tests."""

import pytest

from core import fontfiles as kc_fonts
from tests.certificates.helpers import build_font
from tests.conftest import require_packages

# ---- fixtures shared by the certificates tests -------------------------------------------------------

EXT_B_CHARS = "𠮷"  # U+20BB7: no installed font covers CJK Extension B


@pytest.fixture(scope="session")
def system_faces():
    require_packages("fonts-wqy-microhei", "fonts-wqy-zenhei", "fonts-hanazono")
    faces = {f.key: f for f in kc_fonts.discover_system_fonts()}
    if not {"wqy-microhei-0", "wqy-zenhei-0", "hanamina-0", "hanaminb-0"} <= set(faces):
        pytest.fail(
            "fonts-wqy-microhei, fonts-wqy-zenhei and fonts-hanazono must be installed for the certificates "
            "tests (.ci/run installs them)"
        )
    return faces


@pytest.fixture(scope="session")
def upload_dir(tmp_path_factory):
    """A directory of 'uploaded' fonts: one real TrueType font covering 𠮷, one file that is not a font."""
    directory = tmp_path_factory.mktemp("fonts")
    build_font(directory / "extb.ttf", EXT_B_CHARS + "AB", family="KC ExtB")
    (directory / "broken.ttf").write_bytes(b"this is not a font at all")
    return directory


@pytest.fixture(scope="session")
def uploaded_faces(upload_dir):
    faces, errors = kc_fonts.load_font_directory(upload_dir)
    assert set(errors) == {"broken.ttf"}
    return {f.key: f for f in faces}


@pytest.fixture(scope="session")
def all_faces(system_faces, uploaded_faces):
    return {**system_faces, **uploaded_faces}


@pytest.fixture(scope="session")
def background_png(tmp_path_factory):
    from PIL import Image, ImageDraw

    path = tmp_path_factory.mktemp("img") / "bg.png"
    img = Image.new("RGB", (1169, 826), (250, 240, 210))
    ImageDraw.Draw(img).rectangle([20, 20, 1149, 806], outline=(160, 30, 30), width=8)
    img.save(path)
    return str(path)
