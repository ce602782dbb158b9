"""Rendering: pages to print, the missing-glyph check before printing, merged PDF, ZIP and the job.

Every state change flushes and never commits; views, API, CLI and jobs commit.
"""

from __future__ import annotations

import io
import re
import secrets
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from certificates.models import (
    Certificate,
)
from certificates.render import (
    CertificateData,
    CertificateRenderer,
)
from certificates.services.base import verify_url
from certificates.services.files import storage_dir
from certificates.services.issuing import format_issue_date
from certificates.services.listing import certificates_stmt
from certificates.services.templates import renderer_for
from core.errors import DomainError
from core.extensions import db

# ---- rendering -----------------------------------------------------------------------------------------


def certificate_data(cert: Certificate) -> CertificateData:
    return CertificateData(
        key=cert.number,
        values=cert.placeholder_values(format_issue_date(cert.issue_date)),
        verify_url=verify_url(cert.token),
    )


@dataclass(frozen=True)
class PrintItem:
    """One page to print, detached from the ORM: a job commits its progress while rendering, and a
    commit expires ORM objects (reloading each would cost a query per certificate)."""

    template_id: int
    data: CertificateData
    filename: str


def print_items(certs: Iterable[Certificate]) -> tuple[list[PrintItem], dict[int, dict]]:
    """(pages in the given order, template specs by id); load certificates with selectinload(template)."""
    items, specs = [], {}
    for cert in certs:
        specs.setdefault(cert.template_id, cert.template.spec)
        items.append(
            PrintItem(
                cert.template_id, certificate_data(cert), safe_filename(f"{cert.number}_{cert.holder_name}") + ".pdf"
            )
        )
    return items, specs


@dataclass(frozen=True)
class MissingGlyphs:
    """A holder whose certificate would print with a gap: the characters no installed font has."""

    number: str
    holder: str
    chars: tuple[str, ...]

    @property
    def codes(self) -> str:
        return " ".join(f"U+{ord(c):04X}" for c in self.chars)


def missing_glyphs(items: Sequence[PrintItem], specs: dict[int, dict]) -> list[MissingGlyphs]:
    """Every page to print whose texts have characters no face of its template's chain (with the
    platform's fallbacks) covers, in print order: what the organiser sees before printing and what the
    render job and the CLI report."""
    by_template: dict[int, list[PrintItem]] = {}
    for item in items:
        by_template.setdefault(item.template_id, []).append(item)
    found: dict[str, list[str]] = {}
    for template_id, group in by_template.items():
        found.update(renderer_for(specs[template_id]).missing_glyphs(i.data for i in group))
    return [
        MissingGlyphs(i.data.key, i.data.values.get("name", ""), tuple(found[i.data.key]))
        for i in items
        if i.data.key in found
    ]


def print_check(
    scope: str,
    scope_id: int,
    *,
    category_code: str | None = None,
    school_id: int | None = None,
    organisation_ids: Iterable[int] | None = None,
) -> list[MissingGlyphs]:
    """missing_glyphs() of the valid certificates of a contest/event selection."""
    from sqlalchemy.orm import selectinload

    stmt = certificates_stmt(
        scope=scope,
        scope_id=scope_id,
        category_code=category_code,
        school_id=school_id,
        organisation_ids=organisation_ids,
    ).options(selectinload(Certificate.template))
    items, specs = print_items(db.session.execute(stmt).scalars())
    return missing_glyphs(items, specs) if items else []


def render_merged_pdf(certs: Iterable[Certificate], out, *, progress=None) -> int:
    """All certificates into one PDF in the given order; each template's static parts are drawn once."""
    items, specs = print_items(certs)
    return render_items_pdf(items, specs, out, progress=progress)


def render_items_pdf(items: Sequence[PrintItem], specs: dict[int, dict], out, *, progress=None) -> int:
    if not items:
        raise DomainError(_l("There are no certificates to print."), code="empty")
    renderers: dict[int, tuple[CertificateRenderer, list]] = {}
    canvas = None
    for count, item in enumerate(items, start=1):
        if item.template_id not in renderers:
            renderer = renderer_for(specs[item.template_id])
            if canvas is None:
                canvas = renderer.new_canvas(out, title="Certificates")
            renderers[item.template_id] = (renderer, renderer.prepare_canvas(canvas, prefix=f"t{item.template_id}"))
        renderer, layers = renderers[item.template_id]
        renderer.draw_page(canvas, layers, item.data)
        if progress is not None and count % 200 == 0:
            progress(count)
    canvas.save()
    return len(items)


def safe_filename(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_") or "certificate"


def render_single_pdf(cert: Certificate) -> bytes:
    buf = io.BytesIO()
    render_merged_pdf([cert], buf)
    return buf.getvalue()


def render_zip(certs: Iterable[Certificate], out, *, progress=None) -> int:
    """A ZIP with one PDF per holder, named <number>_<name>.pdf."""
    items, specs = print_items(certs)
    return render_items_zip(items, specs, out, progress=progress)


def render_items_zip(items: Sequence[PrintItem], specs: dict[int, dict], out, *, progress=None) -> int:
    if not items:
        raise DomainError(_l("There are no certificates to print."), code="empty")
    renderers: dict[int, CertificateRenderer] = {}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for count, item in enumerate(items, start=1):
            renderer = renderers.get(item.template_id)
            if renderer is None:
                renderer = renderers[item.template_id] = renderer_for(specs[item.template_id])
            archive.writestr(item.filename, renderer.render_bytes([item.data], title=item.data.key))
            if progress is not None and count % 50 == 0:
                progress(count)
    return len(items)


@dataclass
class RenderRequest:
    scope: str
    scope_id: int
    category_code: str | None = None
    school_id: int | None = None
    fmt: str = "pdf"  # pdf (merged) or zip
    organisation_ids: list[int] | None = field(default=None)


def start_render_job(req: RenderRequest, *, user, title: str):
    """Queue the background rendering job (merged PDF or ZIP); the caller commits."""
    from core.jobs import enqueue

    if req.fmt not in ("pdf", "zip"):
        raise DomainError(_l("Choose PDF or ZIP."), field="fmt", code="format")
    count = db.session.execute(
        sa.select(sa.func.count()).select_from(
            certificates_stmt(
                scope=req.scope,
                scope_id=req.scope_id,
                category_code=req.category_code,
                school_id=req.school_id,
                organisation_ids=req.organisation_ids,
            ).subquery()
        )
    ).scalar_one()
    if not count:
        raise DomainError(_l("There are no certificates to print."), code="empty")
    return enqueue(
        "certificates.render",
        owner=user,
        title=title,
        scope=req.scope,
        scope_id=req.scope_id,
        category_code=req.category_code,
        school_id=req.school_id,
        fmt=req.fmt,
        organisation_ids=req.organisation_ids,
    )


def run_render(
    progress,
    *,
    scope: str,
    scope_id: int,
    category_code: str | None = None,
    school_id: int | None = None,
    fmt: str = "pdf",
    organisation_ids: list[int] | None = None,
) -> dict:
    """Job body: render the selection into instance/exports/certificates and return the download."""
    from sqlalchemy.orm import selectinload

    stmt = certificates_stmt(
        scope=scope,
        scope_id=scope_id,
        category_code=category_code,
        school_id=school_id,
        organisation_ids=organisation_ids,
    ).options(selectinload(Certificate.template))
    certs = list(db.session.execute(stmt).scalars())
    items, specs = print_items(certs)
    title = certs[0].scope_title if certs else "certificates"
    total = len(items)
    progress.update(0, total)
    name = secrets.token_hex(12) + "." + fmt
    path = storage_dir("exports") / name

    def report(n: int) -> None:
        progress.update(n, total)

    missing = missing_glyphs(items, specs) if items else []
    progress.claim_file(path)  # removed by core.jobs if the worker dies while writing it
    try:
        with path.open("wb") as fh:
            if fmt == "zip":
                render_items_zip(items, specs, fh, progress=report)
            else:
                render_items_pdf(items, specs, fh, progress=report)
    except Exception:
        path.unlink(missing_ok=True)
        raise
    progress.update(total, total)
    rel = path.relative_to(Path(current_app.instance_path))
    return {
        "file": str(rel),
        "filename": safe_filename(f"{title}_证书") + "." + fmt,
        "count": total,
        "missing_glyphs": [{"number": m.number, "holder": m.holder, "chars": "".join(m.chars)} for m in missing],
    }
