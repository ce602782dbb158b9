"""The small design system's server side: icons inlined from Bootstrap Icons (npm, copied by core/assets.py).

Icons are inlined as SVG rather than loaded as an icon font: a page carries only the few it uses (an icon font
and its CSS would cost more than the rest of a public page over a phone's connection). docs/design.md lists the
patterns (page header, empty state, badge colours, toasts).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from flask import Flask
from markupsafe import Markup

ICON_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor" / "bootstrap-icons"

# The icons core/assets.py copies; a name outside this list is a typo and fails loudly in tests.
ICONS = (
    "arrow-left",
    "award",
    "calendar-event",
    "check-circle",
    "chevron-right",
    "clock",
    "download",
    "envelope-exclamation",
    "exclamation-triangle",
    "geo-alt",
    "info-circle",
    "inbox",
    "list-check",
    "megaphone",
    "mortarboard",
    "patch-check",
    "people",
    "person-badge",
    "printer",
    "qr-code",
    "search",
    "shield-check",
    "share",
    "ticket-perforated",
    "truck",
    "x-circle",
)


@functools.cache
def _svg(name: str) -> str:
    path = ICON_DIR / f"{name}.svg"
    if not path.exists():  # no npm on this machine: pages keep their text, without icons
        return ""
    svg = path.read_text(encoding="utf-8")
    svg = re.sub(r'\s(width|height)="16"', "", svg, count=2)
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


def icon(name: str) -> Markup:
    """An inline SVG icon, decorative (aria-hidden): the text next to it says what it means."""
    if name not in ICONS:
        raise ValueError(f"unknown icon {name!r}: add it to core.design.ICONS")
    return Markup(_svg(name))  # noqa: S704 — built only from the ICONS constants checked above, no user input


def init_design(app: Flask) -> None:
    app.jinja_env.globals["icon"] = icon
