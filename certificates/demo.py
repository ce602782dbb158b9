"""Demo data: a designed award template with a background for the finished edition, and its certificates."""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.demo import DemoContext, demo_seeder
from core.extensions import db

TEMPLATE_NAME = "获奖证书（横版，带底纹）"
ATTENDANCE_TEMPLATE_NAME = "活动参与证明（横版）"


def make_background_png() -> bytes:
    """A certificate background drawn with Pillow: cream paper, a red double frame and corner ornaments."""
    from PIL import Image, ImageDraw

    width, height = 2339, 1654  # A4 landscape at 200 dpi
    img = Image.new("RGB", (width, height), (253, 248, 232))
    draw = ImageDraw.Draw(img)
    for offset, line in ((60, 14), (100, 4)):
        draw.rectangle([offset, offset, width - offset, height - offset], outline=(178, 34, 34), width=line)
    for cx, cy in ((130, 130), (width - 130, 130), (130, height - 130), (width - 130, height - 130)):
        for r in (40, 26, 12):
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=(212, 160, 23), width=5)
    for y in range(240, height - 240, 36):  # faint guilloche-like lines
        draw.line([(240, y), (width - 240, y)], fill=(250, 242, 220), width=2)
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def _finished_contest_ids(ctx: DemoContext) -> list[int]:
    """Contests the earlier seeders marked finished, else every contest id they left in ctx.data."""
    ids = []
    for key in ("finished_contest", "finished_contest_id"):
        value = ctx.data.get(key)
        if value is not None:
            ids.append(getattr(value, "id", value))
    for value in ctx.data.get("contests", []) or []:
        ids.append(getattr(value, "id", value))
    return list(dict.fromkeys(int(i) for i in ids))


def _template(organisation_id: int, name: str, kind: str):
    """The demo template of a unit, made once (with a drawn background image)."""
    from certificates import services
    from certificates.models import CertificateTemplate

    template = db.session.execute(
        sa.select(CertificateTemplate).where(
            CertificateTemplate.organisation_id == organisation_id, CertificateTemplate.name == name
        )
    ).scalar_one_or_none()
    if template is None:
        background = services.store_image("background.png", make_background_png())
        template = services.create_template(
            organisation_id,
            name,
            kind=kind,
            spec=services.default_spec(background, kind=kind, brand=services.template_brand(organisation_id)),
        )
    return template


def _issue(source_key: str, scope_id: int, name: str, kind: str) -> int:
    from certificates import services
    from core.errors import DomainError

    try:
        _source, batch = services.collect_batch(source_key, scope_id)
    except DomainError:
        return 0  # not finished (results not final, event not over) or gone
    template = _template(batch.organisation_id, name, kind)
    # Demo names include rare characters on purpose; the preflight report is accepted, as an organiser would
    # after uploading a font that covers them.
    issued, _plan = services.issue_certificates(source_key, scope_id, template, accept_preflight=True)
    db.session.commit()
    return len(issued)


@demo_seeder(50, "certificates", _l("certificates"))
def seed(ctx: DemoContext) -> None:
    from certificates.sources import get_source

    awards = attendance = 0
    if get_source("judging.awards") is not None:
        for contest_id in _finished_contest_ids(ctx):
            awards += _issue("judging.awards", contest_id, TEMPLATE_NAME, "award")
    else:
        ctx.echo("  " + _("certificates: no award source registered (judging area missing)"))
    past_event = ctx.data.get("events_past")
    if past_event is not None and get_source("events.attendees") is not None:
        attendance = _issue(
            "events.attendees", getattr(past_event, "id", past_event), ATTENDANCE_TEMPLATE_NAME, "attendance"
        )
    ctx.echo(
        "  "
        + _(
            "certificates: %(awards)d award and %(attendance)d attendance certificates issued",
            awards=awards,
            attendance=attendance,
        )
    )
