"""Templates: validation, the default design, create/update/duplicate/archive, previews and layout checks.

Every state change flushes and never commits; views, API, CLI and jobs commit.
"""

from __future__ import annotations

import contextlib
import secrets
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from certificates.layout import TemplateItem, TemplateProblem, TemplateSpec, validate_template
from certificates.models import (
    KIND_CODES,
    CertificateTemplate,
)
from certificates.numbering import DEFAULT_PATTERN, NumberPatternError, parse_pattern
from certificates.render import (
    CertificateRenderer,
    is_image_file,
    sample_certificate,
)
from certificates.services.base import TOKEN_BYTES, verify_url
from certificates.services.files import image_path
from certificates.services.fonts import available_faces, system_faces
from core import audit
from core import pdffonts as font_lib
from core.errors import DomainError
from core.extensions import db
from core.i18n import local_today

# ---- templates -----------------------------------------------------------------------------------------


def problem_messages(problems: Sequence[TemplateProblem]) -> list[str]:
    """Localised, item-numbered messages for template problems."""
    out = []
    for p in problems:
        text = _(p.message, **dict(p.params)) if p.params else _(p.message)
        out.append(_("Item %(n)d: %(problem)s", n=p.item + 1, problem=text) if p.item is not None else text)
    return out


def pattern_message(exc: NumberPatternError) -> str:
    return _(exc.message, **exc.params) if exc.params else _(exc.message)


def resolve_spec(spec_data: dict) -> TemplateSpec:
    """The stored spec with image names turned into absolute paths, ready to render."""
    spec = TemplateSpec.from_dict(spec_data)
    spec.background = image_path(spec.background)
    for item in spec.items:
        if item.kind == "image":
            item.image = image_path(item.image)
    return spec


def layout_check(spec_data: dict) -> dict:
    """Page size, item boxes and localised layout warnings of a design, for the designer's overlay."""
    from certificates.layout import item_box, layout_warnings

    try:
        spec = TemplateSpec.from_dict(spec_data)
        page_w, page_h = spec.page.dimensions_mm()
    except (TypeError, ValueError, KeyError):
        return {"page": None, "items": [], "warnings": []}
    warnings = layout_warnings(spec)
    flagged = {w.item for w in warnings if w.item is not None}
    flagged |= {int(dict(w.params)["other"]) - 1 for w in warnings if "other" in dict(w.params)}
    return {
        "page": [page_w, page_h],
        "items": [
            {
                "index": i,
                "kind": item.kind,
                "box": item_box(item),
                "warn": i in flagged,
                "label": (item.text or item.kind)[:24],
            }
            for i, item in enumerate(spec.items)
        ],
        "warnings": problem_messages(warnings),
    }


def check_template(spec_data: dict, number_pattern: str) -> TemplateSpec:
    """Validate a template spec and number pattern; raise DomainError listing every problem."""
    try:
        spec = resolve_spec(spec_data)
    except (TypeError, ValueError) as exc:
        raise DomainError(_l("The template description is malformed."), code="template_invalid") from exc
    problems = validate_template(spec, set(available_faces()), is_image_file)
    messages = problem_messages(problems)
    try:
        parse_pattern(number_pattern)
    except NumberPatternError as exc:
        messages.append(pattern_message(exc))
    if messages:
        raise DomainError("; ".join(messages), code="template_invalid", status=422)
    return spec


def default_fonts() -> list[str]:
    """The platform's fallback chain from the installed fonts (Micro Hei, then Zen Hei and HanaMin A/B for
    rare hanzi such as 䶮 and 𠮷): what a new template, and every seeded one, carries."""
    return font_lib.default_chain_keys(system_faces())


#: The colour of the heading and the award on a default template of an organisation without a brand.
NEUTRAL_ACCENT = "#b22222"


@dataclass(frozen=True)
class TemplateBrand:
    """What a default template takes from its association's brand: the main colour and the logo (a copy in
    the certificates' image store, so a later change of logo never alters certificates already designed)."""

    colour: str | None
    logo: str | None  # stored image name


def template_brand(organisation_id: int | None) -> TemplateBrand | None:
    """The brand (accounts.branding.brand_of: the unit's own, else its nearest association's) for a new
    template of this organisation; None keeps the neutral default. The logo is copied once per logo file
    (its stored name is derived from the brand's file name), so opening the designer again adds no file."""
    from accounts.branding import brand_of, logo_path
    from accounts.models import Organisation

    brand = brand_of(organisation_id) if organisation_id else None
    if brand is None:
        return None
    logo = None
    source = logo_path(db.session.get(Organisation, brand.organisation_id)) if brand.logo_url else None
    if source is not None:
        logo = f"brand-{source.stem}{source.suffix}"
        target = Path(image_path(logo))
        if not target.exists():
            target.write_bytes(source.read_bytes())  # stored by accounts.branding as a checked PNG ≤ 512 px
    return TemplateBrand(colour=brand.colour, logo=logo)


def default_spec(background: str | None = None, kind: str = "award", brand: TemplateBrand | None = None) -> dict:
    """A ready-to-use A4 landscape design (placeholders, wrapping text, QR box) for award or attendance.

    With a brand, the heading and the award are in its colour (readable: accounts.branding only accepts
    colours with AA contrast against white paper) and its logo stands above the heading."""
    accent = (brand.colour if brand and brand.colour else None) or NEUTRAL_ACCENT
    logo = brand.logo if brand else None
    if kind == "attendance":
        heading, body, highlight = "参与证明", "参加了{org}举办的“{contest}”活动，特发此证。", ""
    else:
        heading, body, highlight = "荣誉证书", "在{contest}中，《{title}》（{category}）荣获", "{award}"
    items = [
        TemplateItem(
            "text", 20, 31 if logo else 28, 257, text=heading, size_pt=42, min_size_pt=24, align="center", colour=accent
        ),
        TemplateItem("text", 40, 62, 217, text="{name}", size_pt=28, min_size_pt=14, align="left"),
        TemplateItem("text", 40, 78, 217, text="{school}", size_pt=14, min_size_pt=9, align="left"),
        TemplateItem("textbox", 40, 92, 217, 40, text=body, size_pt=18, min_size_pt=10, line_spacing=1.5),
    ]
    if highlight:
        items.append(
            TemplateItem(
                "text", 40, 132, 217, text=highlight, size_pt=34, min_size_pt=18, align="center", colour=accent
            )
        )
    items += [
        TemplateItem("text", 157, 160, 110, text="{org}", size_pt=15, min_size_pt=9, align="right"),
        TemplateItem("text", 157, 170, 110, text="{date}", size_pt=14, min_size_pt=9, align="right"),
        TemplateItem("text", 24, 188, 150, text="证书编号：{number}", size_pt=10, min_size_pt=7),
        TemplateItem("qr", 24, 152, 32),
    ]
    if logo:  # centred above the heading, 14–28 mm from the top (inside the usual border); the heading moves down
        items.insert(0, TemplateItem("image", 138.5, 14, 20, 14, image=logo))
    return TemplateSpec(items=items, fonts=default_fonts(), background=background).to_dict()


def create_template(
    organisation_id: int,
    name: str,
    *,
    kind: str | None = None,
    spec: dict | None = None,
    number_pattern: str = DEFAULT_PATTERN,
    user=None,
) -> CertificateTemplate:
    """A new template; the design must validate (placeholders, page bounds, fonts, images)."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Give the template a name."), field="name", code="name_required")
    spec = spec if spec is not None else default_spec(brand=template_brand(organisation_id))
    check_template(spec, number_pattern)
    template = CertificateTemplate(
        organisation_id=organisation_id, name=name[:200], kind=kind or None, number_pattern=number_pattern, spec=spec
    )
    db.session.add(template)
    db.session.flush()
    audit.record("create", template, after={"name": template.name})
    return template


def update_template(
    template: CertificateTemplate, *, name: str, kind: str | None, spec: dict, number_pattern: str
) -> CertificateTemplate:
    """Replace the design. Issued certificates keep their number; re-rendering uses the new design."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Give the template a name."), field="name", code="name_required")
    check_template(spec, number_pattern)
    before = audit.snapshot(template, ["name", "kind", "number_pattern"])
    template.name, template.kind, template.number_pattern = name[:200], kind or None, number_pattern
    template.spec = dict(spec)
    db.session.flush()
    audit.record("update", template, before=before, after=audit.snapshot(template, ["name", "kind", "number_pattern"]))
    return template


def duplicate_template(template: CertificateTemplate, *, user=None) -> CertificateTemplate:
    """A copy named "… (copy)" with the same design and files (images are shared, never modified)."""
    copy = CertificateTemplate(
        organisation_id=template.organisation_id,
        name=_("%(name)s (copy)", name=template.name)[:200],
        kind=template.kind,
        number_pattern=template.number_pattern,
        spec=dict(template.spec),
    )
    db.session.add(copy)
    db.session.flush()
    audit.record("duplicate", copy, after={"from_template": template.id})
    return copy


def archive_template(template: CertificateTemplate) -> CertificateTemplate:
    """Hide a template from lists and issuing; issued certificates keep rendering with it."""
    template.archived = True
    db.session.flush()
    audit.record("archive", template, before={"archived": False}, after={"archived": True})
    return template


def templates_for(org_ids: Iterable[int] | None) -> list[CertificateTemplate]:
    """Templates of the given organisations (None: all), newest first."""
    stmt = sa.select(CertificateTemplate).where(CertificateTemplate.archived.is_(False))
    if org_ids is not None:
        stmt = stmt.where(CertificateTemplate.organisation_id.in_(list(org_ids)))
    return list(db.session.execute(stmt.order_by(CertificateTemplate.id.desc())).scalars())


def renderer_for(spec_data: dict) -> CertificateRenderer:
    try:
        return CertificateRenderer(resolve_spec(spec_data), available_faces())
    except Exception as exc:  # TemplateInvalid or a font that stopped loading
        problems = getattr(exc, "problems", None)
        message = "; ".join(problem_messages(problems)) if problems else str(exc)
        raise DomainError(message, code="template_invalid", status=422) from exc


def preview_pdf(spec_data: dict, number_pattern: str = DEFAULT_PATTERN) -> bytes:
    """The live preview: the design filled with sample data, as a one-page PDF."""
    check_template(spec_data, number_pattern)
    renderer = renderer_for(spec_data)
    sample = sample_certificate(verify_url(secrets.token_urlsafe(TOKEN_BYTES)))
    with contextlib.suppress(NumberPatternError):  # a pattern being typed: the sample keeps its own number
        sample.values = {
            **sample.values,
            "number": parse_pattern(number_pattern).format(local_today().year, "KC", KIND_CODES["award"], 1),
        }
    return renderer.render_bytes([sample], title="Preview")


def calibration_pdf(spec_data: dict) -> bytes:
    """The pre-printed paper test sheet: grid plus item boxes, shifted by the calibration offset."""
    from certificates.render import render_calibration

    try:
        return render_calibration(resolve_spec(spec_data), available_faces())
    except Exception as exc:  # TemplateInvalid
        problems = getattr(exc, "problems", None)
        if problems is None:
            raise
        raise DomainError("; ".join(problem_messages(problems)), code="template_invalid", status=422) from exc


def preview_png(spec_data: dict, number_pattern: str = DEFAULT_PATTERN, dpi: int = 60) -> bytes:
    """The preview rasterised (poppler's pdftoppm), for the designer's live image."""
    pdf = preview_pdf(spec_data, number_pattern)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "p.pdf"
        src.write_bytes(pdf)
        # poppler's pdftoppm (a package `make run` installs), fixed arguments
        subprocess.run(  # noqa: S603
            ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(src), str(Path(tmp) / "p")],  # noqa: S607
            check=True,
            timeout=30,
            capture_output=True,
        )
        return (Path(tmp) / "p.png").read_bytes()
