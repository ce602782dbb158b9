"""An association's brand: a main colour and a logo, carried by its public pages, tickets and emails.

The platform's own look stays neutral; a page shows a brand only when it belongs to an organisation that has one
(or whose nearest association above it has one). Every state change flushes and never commits.
"""

from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, has_request_context, url_for
from flask_babel import lazy_gettext as _l

from accounts.models import Organisation, OrganisationKind
from core import audit
from core.errors import DomainError
from core.extensions import db
from core.images import is_image_bytes

COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
MIN_CONTRAST = 4.5  # WCAG AA for normal text: white text on the brand colour must stay readable
LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_SIDE = 512  # stored logos are scaled down to this, so pages stay light on a phone
BRAND_FIELDS = ["brand_colour", "logo_file"]


@dataclass(frozen=True)
class Brand:
    organisation_id: int
    name: str
    colour: str | None
    logo_url: str | None


def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two "#rrggbb" colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def brand_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "brand"
    path.mkdir(parents=True, exist_ok=True)
    return path


def logo_path(org: Organisation) -> Path | None:
    if not org.logo_file:
        return None
    path = brand_dir() / Path(org.logo_file).name
    return path if path.exists() else None


def _store_logo(org: Organisation, data: bytes) -> str:
    if len(data) > LOGO_MAX_BYTES:
        raise DomainError(_l("The logo is larger than %(mb)d MB.", mb=LOGO_MAX_BYTES // (1024 * 1024)), field="logo")
    if not is_image_bytes(data):
        raise DomainError(_l("The file is not a PNG or JPEG image."), field="logo")
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        if img.width * img.height > 25_000_000:
            raise DomainError(_l("The logo has too many pixels; scale it below 5000 × 5000."), field="logo")
        img = img.convert("RGBA")
        img.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE))
        out = io.BytesIO()
        img.save(out, "PNG", optimize=True)
    # a new name each time, so browsers and chat apps never keep showing the old logo
    name = f"org{org.id}-{secrets.token_hex(8)}.png"
    (brand_dir() / name).write_bytes(out.getvalue())
    return name


def set_brand(org: Organisation, *, colour: str | None, logo: bytes | None = None, remove_logo: bool = False) -> None:
    """Set an association's main colour ("#rrggbb", readable under white text at AA contrast, or None for the
    neutral look) and optionally replace or remove its logo (PNG or JPEG, stored as a PNG of at most 512 px)."""
    if org.kind != OrganisationKind.ASSOCIATION:
        raise DomainError(_l("Only an association (科协) carries a brand."), field="brand_colour")
    colour = (colour or "").strip().lower() or None
    if colour is not None:
        if not COLOUR_RE.match(colour):
            raise DomainError(_l("Give the colour as #rrggbb, for example #c8102e."), field="brand_colour")
        ratio = contrast_ratio(colour, "#ffffff")
        if ratio < MIN_CONTRAST:
            raise DomainError(
                _l(
                    "White text on %(colour)s has a contrast of %(ratio).1f:1, below the 4.5:1 people "
                    "need to read it; choose a darker colour.",
                    colour=colour,
                    ratio=ratio,
                ),
                field="brand_colour",
            )
    before = audit.snapshot(org, BRAND_FIELDS)
    old_logo = org.logo_file
    if logo:
        org.logo_file = _store_logo(org, logo)
    elif remove_logo:
        org.logo_file = None
    org.brand_colour = colour
    db.session.flush()
    if old_logo and old_logo != org.logo_file:
        (brand_dir() / Path(old_logo).name).unlink(missing_ok=True)
    audit.record("update", org, before=before, after=audit.snapshot(org, BRAND_FIELDS))


def _logo_url(org: Organisation) -> str:
    """Absolute: link previews and emails need it. Outside a request (emails sent by jobs) from BASE_URL."""
    if has_request_context():
        return url_for("accounts.brand_logo", org_id=org.id, name=org.logo_file, _external=True)
    path = current_app.url_map.bind("localhost").build("accounts.brand_logo", {"org_id": org.id, "name": org.logo_file})
    return current_app.config["BASE_URL"].rstrip("/") + path


def brand_of(org: Organisation | int | None) -> Brand | None:
    """The brand a page of org (or of the organisation with this id) shows: org's own, else its nearest
    association above with one; None when none has a colour or a logo (the page keeps the neutral look)."""
    if isinstance(org, int):
        org = db.session.get(Organisation, org)
    seen = 0
    while org is not None and seen < 10:  # the hierarchy is a tree (save_organisation refuses cycles)
        if org.kind == OrganisationKind.ASSOCIATION and (org.brand_colour or org.logo_file):
            logo_url = _logo_url(org) if org.logo_file else None
            return Brand(org.id, org.name, org.brand_colour, logo_url)
        org = org.parent
        seen += 1
    return None
