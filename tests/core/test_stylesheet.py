"""The site's own stylesheets parse as their author meant: every block closed. An unclosed @media block
silently turns every later rule into a phone-only rule (desktop toasts showed full-width icons)."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.no_app

CSS = sorted((Path(__file__).resolve().parents[2] / "static" / "css").glob("*.css"))


@pytest.mark.parametrize("path", CSS, ids=lambda p: p.name)
def test_every_block_is_closed(path):
    text = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.S)
    text = re.sub(r"\"[^\"\n]*\"|'[^'\n]*'", "", text)  # braces inside strings (content: "{") do not count
    depth = 0
    for number, line in enumerate(text.splitlines(), 1):
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"{path.name}:{number}: a block is closed twice"
    assert depth == 0, f"{path.name}: {depth} block(s) never closed"
