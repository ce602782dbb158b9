"""Certificate services: fonts, templates, issuing with numbering, revoke/reissue, verification, rendering.

Every state change flushes and never commits; views, API, CLI and jobs commit.
"""
from __future__ import annotations

import io
import re
import secrets
import subprocess
import tempfile
import threading
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from certificates import fonts as font_lib
from certificates.layout import TemplateItem, TemplateProblem, TemplateSpec, validate_template
from certificates.models import (
    KIND_CODES,
    Certificate,
    CertificateFont,
    CertificateSeries,
    CertificateStatus,
    CertificateTemplate,
)
from certificates.numbering import DEFAULT_PATTERN, NumberPattern, NumberPatternError, parse_pattern
from certificates.render import (
    CertificateData,
    CertificateRenderer,
    PreflightReport,
    is_image_bytes,
    is_image_file,
    sample_certificate,
)
from certificates.sources import Holder, SourceBatch, SourceNotFound, SourceNotReady, get_source
from core import audit
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from core.locks import acquire_lock

TOKEN_BYTES = 24  # 192 bits, URL-safe base64: 32 characters
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
KIND_LABELS = {
    "award": _l("Award certificate"),
    "participation": _l("Participation certificate"),
    "advisor": _l("Outstanding advisor"),
    "organisation": _l("Outstanding organising unit"),
    "attendance": _l("Event attendance"),
}
STATUS_LABELS = {"valid": _l("Valid"), "revoked": _l("Revoked"), "superseded": _l("Superseded")}


# ---- files ---------------------------------------------------------------------------------------------


def storage_dir(kind: str) -> Path:
    """uploads/certificates/<kind> (fonts, images) or instance/exports/certificates, created on demand."""
    if kind == "exports":
        path = Path(current_app.instance_path) / "exports" / "certificates"
    else:
        path = Path(current_app.config["UPLOAD_DIR"]) / "certificates" / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


MAX_IMAGE_PIXELS = 25_000_000  # A4 at 500 dpi; every render decodes the image, so a huge one costs GBs of memory


def store_image(filename: str, data: bytes) -> str:
    """Store an uploaded background/seal image; only real PNG or JPEG files of at most MAX_IMAGE_PIXELS
    pixels are accepted (a small PNG of 12000 × 12000 plain pixels took 1.5 GB to render)."""
    from core.images import check_image_pixels

    if not data:
        raise DomainError(_l("The file is not a PNG or JPEG image."), field="image", code="not_image")
    check_image_pixels(data, MAX_IMAGE_PIXELS, field="image", advice=_(  # from the header, before decoding
        "A full A4 page at 300 dpi needs only 3508 × 2480. Scale it down and upload it again."))
    if not is_image_bytes(data):
        raise DomainError(_l("The file is not a PNG or JPEG image."), field="image", code="not_image")
    suffix = ".png" if data[:8] == b"\x89PNG\r\n\x1a\n" else ".jpg"
    name = "img-" + secrets.token_hex(12) + suffix
    (storage_dir("images") / name).write_bytes(data)
    return name


def discard_images(names: Iterable[str]) -> None:
    """Remove images stored for a template that was not saved after all (its form was rejected)."""
    for name in names:
        if name:
            (storage_dir("images") / Path(name).name).unlink(missing_ok=True)


def image_path(name: str | None) -> str | None:
    """Absolute path of a stored image name (names never contain directories)."""
    if not name:
        return None
    return str(storage_dir("images") / Path(name).name)


# ---- fonts ---------------------------------------------------------------------------------------------

_system_cache: dict[str, font_lib.FontFace] | None = None
_system_lock = threading.Lock()


def system_faces() -> dict[str, font_lib.FontFace]:
    """Installed CJK TrueType faces, discovered once per process (about a second of parsing)."""
    global _system_cache
    with _system_lock:
        if _system_cache is None:
            dirs = current_app.config.get("CERTIFICATE_FONT_DIRS") or font_lib.SYSTEM_FONT_DIRS
            _system_cache = {f.key: f for f in font_lib.discover_system_fonts(dirs)}
        return _system_cache


def uploaded_faces() -> dict[str, font_lib.FontFace]:
    """Faces of the uploaded fonts; a file that vanished or broke is skipped (and shows in the font list)."""
    faces: dict[str, font_lib.FontFace] = {}
    directory = storage_dir("fonts")
    for row in db.session.execute(sa.select(CertificateFont).order_by(CertificateFont.id)).scalars():
        try:
            for face in font_lib.load_font_file(directory / row.stored_name, source="uploaded"):
                faces[face.key] = face
        except (font_lib.FontError, OSError):
            continue
    return faces


def available_faces() -> dict[str, font_lib.FontFace]:
    return {**system_faces(), **uploaded_faces()}


def upload_font(filename: str, data: bytes, *, organisation_id: int | None, user=None) -> CertificateFont:
    """Store an uploaded .ttf/.ttc after checking it is a TrueType font ReportLab can embed."""
    try:
        font_lib.validate_font_bytes(data, filename or "")
    except font_lib.FontError as exc:
        if "PostScript" in str(exc):
            raise DomainError(_l("This font has PostScript (CFF) outlines, which cannot be embedded; upload a "
                                 "TrueType font (.ttf or .ttc)."), field="font", code="font_not_truetype") from exc
        raise DomainError(_l("This file is not a TrueType font (.ttf or .ttc)."), field="font",
                          code="font_not_truetype") from exc
    suffix = ".ttc" if data[:4] == b"ttcf" else ".ttf"
    stored = "font" + secrets.token_hex(8) + suffix
    path = storage_dir("fonts") / stored
    path.write_bytes(data)
    try:
        faces = font_lib.load_font_file(path, source="uploaded")
        row = CertificateFont(stored_name=stored, original_name=(filename or stored)[:200],
                              family=", ".join(sorted({f.family for f in faces}))[:200], faces=len(faces),
                              organisation_id=organisation_id, uploaded_by_id=getattr(user, "id", None))
        db.session.add(row)
        db.session.flush()
    except Exception:
        path.unlink(missing_ok=True)  # nothing half-written
        raise
    audit.record("upload", row, after={"original_name": row.original_name, "family": row.family})
    return row


@dataclass
class FontInfo:
    face: font_lib.FontFace
    coverage: font_lib.FontCoverage


def font_overview() -> list[FontInfo]:
    """Every available face with what it covers, system fonts first."""
    faces = available_faces()
    return [FontInfo(f, font_lib.coverage_of(f)) for f in faces.values()]


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
    """A fallback chain from the installed fonts: Micro Hei (clean), then Zen Hei and Droid for rare hanzi."""
    faces = system_faces()
    preferred = ["wqy-microhei-0", "wqy-zenhei-0", "droidsansfallbackfull-0"]
    chain = [k for k in preferred if k in faces]
    return chain or list(faces)[:2]


def default_spec(background: str | None = None, kind: str = "award") -> dict:
    """A ready-to-use A4 landscape design (placeholders, wrapping text, QR box) for award or attendance."""
    if kind == "attendance":
        heading, body, highlight = "参与证明", "参加了{org}举办的“{contest}”活动，特发此证。", ""
    else:
        heading, body, highlight = "荣誉证书", "在{contest}中，《{title}》（{category}）荣获", "{award}"
    items = [
        TemplateItem("text", 20, 28, 257, text=heading, size_pt=42, min_size_pt=24, align="center", colour="#b22222"),
        TemplateItem("text", 40, 62, 217, text="{name}", size_pt=28, min_size_pt=14, align="left"),
        TemplateItem("text", 40, 78, 217, text="{school}", size_pt=14, min_size_pt=9, align="left"),
        TemplateItem("textbox", 40, 92, 217, 40, text=body, size_pt=18, min_size_pt=10, line_spacing=1.5),
    ]
    if highlight:
        items.append(TemplateItem("text", 40, 132, 217, text=highlight, size_pt=34, min_size_pt=18, align="center",
                                  colour="#b22222"))
    items += [
        TemplateItem("text", 157, 160, 110, text="{org}", size_pt=15, min_size_pt=9, align="right"),
        TemplateItem("text", 157, 170, 110, text="{date}", size_pt=14, min_size_pt=9, align="right"),
        TemplateItem("text", 24, 188, 150, text="证书编号：{number}", size_pt=10, min_size_pt=7),
        TemplateItem("qr", 24, 152, 32),
    ]
    return TemplateSpec(items=items, fonts=default_fonts(), background=background).to_dict()


def create_template(organisation_id: int, name: str, *, kind: str | None = None, spec: dict | None = None,
                    number_pattern: str = DEFAULT_PATTERN, user=None) -> CertificateTemplate:
    """A new template; the design must validate (placeholders, page bounds, fonts, images)."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Give the template a name."), field="name", code="name_required")
    spec = spec if spec is not None else default_spec()
    check_template(spec, number_pattern)
    template = CertificateTemplate(organisation_id=organisation_id, name=name[:200], kind=kind or None,
                                   number_pattern=number_pattern, spec=spec)
    db.session.add(template)
    db.session.flush()
    audit.record("create", template, after={"name": template.name})
    return template


def update_template(template: CertificateTemplate, *, name: str, kind: str | None, spec: dict,
                    number_pattern: str) -> CertificateTemplate:
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
    copy = CertificateTemplate(organisation_id=template.organisation_id, name=_("%(name)s (copy)", name=template.name)[:200],
                               kind=template.kind, number_pattern=template.number_pattern, spec=dict(template.spec))
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
    try:
        sample.values = {**sample.values, "number": parse_pattern(number_pattern).format(
            date.today().year, "KC", KIND_CODES["award"], 1)}
    except NumberPatternError:
        pass
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
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(src), str(Path(tmp) / "p")],
                       check=True, timeout=30, capture_output=True)
        return (Path(tmp) / "p.png").read_bytes()


# ---- numbering -----------------------------------------------------------------------------------------


def take_numbers(pattern: NumberPattern, year: int, code: str, kind: str, count: int) -> list[str]:
    """Reserve `count` consecutive numbers of a series inside the current transaction.

    The named lock serialises issuers of the same series until commit, so concurrent issuing neither
    duplicates nor skips a number (a rolled-back transaction gives its numbers back)."""
    code = series_code(code)
    key = pattern.series_key(year, code, KIND_CODES[kind])
    acquire_lock("certificates.series:" + key)
    series = db.session.execute(sa.select(CertificateSeries).where(CertificateSeries.key == key)).scalar_one_or_none()
    if series is None:
        series = CertificateSeries(key=key, last_seq=0)
        db.session.add(series)
        db.session.flush()
    first = series.last_seq + 1
    series.last_seq += count
    db.session.flush()
    return [pattern.format(year, code, KIND_CODES[kind], seq) for seq in range(first, first + count)]


def series_code(code: str) -> str:
    """{CONTEST} as numbers print it: letters and digits only, upper case, at most 16 characters."""
    return re.sub(r"[^A-Za-z0-9]", "", code or "").upper()[:16] or "X"


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def verify_url(token: str) -> str:
    """What the QR code holds: <BASE_URL>/v/<token>."""
    return current_app.config["BASE_URL"].rstrip("/") + "/v/" + token


# ---- issuing -------------------------------------------------------------------------------------------


def collect_batch(source_key: str, scope_id: int) -> tuple:
    """(source, batch) or a DomainError: unknown source, unknown contest/event, or not ready (results not final)."""
    source = get_source(source_key)
    if source is None:
        raise DomainError(_l("Unknown certificate source."), field="source", code="unknown_source", status=404)
    try:
        batch = source.collect(int(scope_id))
    except SourceNotFound as exc:
        raise DomainError(_l("No such contest or event."), field="scope_id", code="not_found", status=404) from exc
    except SourceNotReady as exc:
        raise DomainError(exc.message, field="scope_id", code="not_ready", status=409) from exc
    return source, batch


def filter_holders(holders: Iterable[Holder], category_code: str | None = None,
                   school_id: int | None = None) -> list[Holder]:
    return [h for h in holders if (not category_code or h.category_code == category_code)
            and (school_id is None or h.school_id == school_id)]


def format_issue_date(value: date) -> str:
    """Dates on certificates are Chinese: 2026年5月20日."""
    return f"{value.year}年{value.month}月{value.day}日"


def holder_data(holder: Holder, batch: SourceBatch, number: str, issue_date: date, token: str = "") -> CertificateData:
    values = {"name": holder.name, "school": holder.school, "award": holder.award, "contest": batch.scope_title,
              "category": holder.category, "title": holder.title, "advisors": holder.advisors,
              "date": format_issue_date(issue_date), "number": number, "org": batch.org_name}
    key = number or (f"{holder.name}（{holder.school}）" if holder.school else holder.name)
    return CertificateData(key=key, values=values,
                           verify_url=verify_url(token) if token else "")


@dataclass
class IssuePlan:
    source_key: str
    kind: str
    scope: str
    scope_id: int
    batch: SourceBatch
    new_holders: list[Holder]
    already: int
    preflight: PreflightReport
    template: CertificateTemplate
    issue_date: date


def plan_issue(source_key: str, scope_id: int, template: CertificateTemplate, *, category_code: str | None = None,
               school_id: int | None = None, issue_date: date | None = None) -> IssuePlan:
    """What issuing would do: which holders are new (idempotency) and the glyph/overflow preflight."""
    source, batch = collect_batch(source_key, scope_id)
    if template.kind and template.kind != source.kind:
        raise DomainError(_l("This template is meant for another kind of certificate."), field="template",
                          code="template_kind")
    known_codes = sorted({h.category_code for h in batch.holders if h.category_code})
    if category_code and category_code not in known_codes:
        raise DomainError(_l("No eligible holder has the category code %(code)s; the codes here are: %(codes)s.",
                             code=category_code, codes=", ".join(known_codes) or "—"),
                          field="category_code", code="unknown_category")
    holders = filter_holders(batch.holders, category_code, school_id)
    existing = set(db.session.execute(
        sa.select(Certificate.holder_ref).where(Certificate.source_key == source_key, Certificate.scope_id == scope_id,
                                                Certificate.status != CertificateStatus.SUPERSEDED)).scalars())
    new = [h for h in holders if h.ref not in existing]
    day = issue_date or batch.issue_date or date.today()
    renderer = renderer_for(template.spec)
    report = renderer.preflight(holder_data(h, batch, "", day) for h in new)
    return IssuePlan(source_key, source.kind, source.scope, int(scope_id), batch, new, len(holders) - len(new), report,
                     template, day)


def preflight_messages(report: PreflightReport, limit: int = 20) -> list[str]:
    out = []
    for char, keys in report.missing.items():
        shown = "、".join(keys[:limit]) + ("…" if len(keys) > limit else "")
        out.append(_("No font of the template has the character %(char)s (U+%(code)04X), used by: %(holders)s",
                     char=char, code=ord(char), holders=shown))
    for over in report.overflows[:limit]:
        out.append(_("The text of item %(n)d for %(holder)s does not fit even at %(size)s pt: %(text)s",
                     n=over.item + 1, holder=over.key, size=over.min_size_pt, text=over.text))
    return out


def issue_certificates(source_key: str, scope_id: int, template: CertificateTemplate, *, user=None,
                       category_code: str | None = None, school_id: int | None = None,
                       issue_date: date | None = None, public_full_name: bool = False,
                       accept_preflight: bool = False) -> tuple[list[Certificate], IssuePlan]:
    """Issue certificates to every eligible holder of the source that has none yet (idempotent).

    Refused when the source is not ready (e.g. results not final) and, unless accepted, when the
    preflight finds characters no font covers or text that does not fit. Numbers are taken inside this
    transaction under the series lock."""
    acquire_lock(f"certificates.issue:{source_key}:{int(scope_id)}")  # one issuer per source and scope at a time
    plan = plan_issue(source_key, scope_id, template, category_code=category_code, school_id=school_id,
                      issue_date=issue_date)
    if not plan.preflight.ok and not accept_preflight:
        raise DomainError("; ".join(preflight_messages(plan.preflight)), code="preflight", status=422)
    if not plan.new_holders:
        return [], plan
    batch = plan.batch
    try:
        pattern = parse_pattern(template.number_pattern)
        numbers = take_numbers(pattern, plan.issue_date.year, batch.scope_code, plan.kind, len(plan.new_holders))
    except NumberPatternError as exc:
        raise DomainError(pattern_message(exc), field="template", code="number_pattern") from exc
    if _numbers_taken(numbers):
        raise DomainError(_l("A certificate with one of these numbers already exists (another series uses the same "
                             "pattern); change the number pattern."), code="number_taken", status=409)
    issued = []
    for holder, number in zip(plan.new_holders, numbers, strict=False):
        cert = Certificate(
            kind=plan.kind, number=number, token=new_token(), status=CertificateStatus.VALID,
            source_key=source_key, scope=plan.scope, scope_id=plan.scope_id, holder_ref=holder.ref[:120],
            holder_name=holder.name[:200], holder_minor=holder.minor, public_full_name=public_full_name,
            holder_user_id=holder.user_id, school_id=holder.school_id, school_name=holder.school[:200],
            award=holder.award[:100], category=holder.category[:200], category_code=holder.category_code[:40],
            title=holder.title[:300], advisors=holder.advisors[:300], scope_title=batch.scope_title[:300],
            org_name=batch.org_name[:200], sort_order=holder.order, organisation_id=batch.organisation_id,
            template_id=template.id, issue_date=plan.issue_date, issued_by_id=getattr(user, "id", None))
        db.session.add(cert)
        issued.append(cert)
    db.session.flush()
    audit.record("issue", object_type="certificate_batch", object_id=f"{source_key}:{scope_id}",
                 organisation_id=batch.organisation_id,
                 after={"count": len(issued), "first": numbers[0], "last": numbers[-1], "template": template.id,
                        "category": category_code, "school_id": school_id})
    return issued, plan


def _numbers_taken(numbers: list[str]) -> bool:
    """Another series with an overlapping pattern could have produced one of these numbers already."""
    for start in range(0, len(numbers), 1000):
        chunk = numbers[start:start + 1000]
        if db.session.execute(sa.select(Certificate.id).where(Certificate.number.in_(chunk)).limit(1)).first():
            return True
    return False


# ---- revoke and reissue --------------------------------------------------------------------------------

REISSUE_FIELDS = ("holder_name", "school_name", "award", "category", "title", "advisors")


def revoke_certificate(cert: Certificate, reason: str, *, user=None) -> Certificate:
    """Revoke a valid certificate; a reason is required and shown on the verification page."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError(_l("Give the reason for revoking (it is shown when the certificate is verified)."),
                          field="reason", code="reason_required")
    if cert.status != CertificateStatus.VALID:
        raise DomainError(_l("Only a valid certificate can be revoked."), code="not_valid", status=409)
    before = audit.snapshot(cert, ["status"])
    cert.status, cert.revoked_at, cert.revoke_reason = CertificateStatus.REVOKED, utcnow(), reason[:500]
    db.session.flush()
    audit.record("revoke", cert, before=before, after={"status": cert.status, "reason": cert.revoke_reason})
    return cert


def reissue_certificate(cert: Certificate, changes: dict, *, user=None) -> Certificate:
    """Fix a certificate (e.g. a typo in the name): a new certificate with a new number and token
    supersedes the old one, whose verification page then links to the replacement."""
    if cert.status != CertificateStatus.VALID:
        raise DomainError(_l("Only a valid certificate can be reissued."), code="not_valid", status=409)
    values = {f: (changes.get(f) if changes.get(f) is not None else getattr(cert, f)) for f in REISSUE_FIELDS}
    values = {k: str(v).strip() for k, v in values.items()}
    if not values["holder_name"]:
        raise DomainError(_l("The holder's name is required."), field="holder_name", code="name_required")
    template = cert.template
    try:
        pattern = parse_pattern(template.number_pattern)
        code = _scope_code_of(cert, pattern)
        number = take_numbers(pattern, cert.issue_date.year, code, cert.kind, 1)[0]
    except NumberPatternError as exc:
        raise DomainError(pattern_message(exc), code="number_pattern") from exc
    before = audit.snapshot(cert, ["status", *REISSUE_FIELDS])
    cert.status, cert.superseded_at = CertificateStatus.SUPERSEDED, utcnow()
    db.session.flush()  # the partial unique index admits the new current certificate only after this
    new = Certificate(**{c: getattr(cert, c) for c in (
        "kind", "source_key", "scope", "scope_id", "holder_ref", "holder_minor", "public_full_name", "holder_user_id",
        "school_id", "category_code", "scope_title", "org_name", "sort_order", "organisation_id", "template_id",
        "issue_date")}, **values, number=number, token=new_token(), status=CertificateStatus.VALID,
        issued_by_id=getattr(user, "id", None))
    db.session.add(new)
    db.session.flush()
    cert.superseded_by_id = new.id
    db.session.flush()
    audit.record("reissue", cert, before=before, after={"status": cert.status, "superseded_by": new.number, **values})
    audit.record("issue", new, after={"number": new.number, "replaces": cert.number})
    return new


def _scope_code_of(cert: Certificate, pattern: NumberPattern) -> str:
    """The {CONTEST} code of the original number, so a reissue stays in the same series."""
    if not pattern.uses("CONTEST"):
        return "X"
    regex = []
    for token, arg in pattern.parts:
        if token == "lit":
            regex.append(re.escape(arg))
        elif token == "CONTEST":
            regex.append(r"(?P<code>[A-Z0-9]{1,16})")
        elif token == "KIND":
            regex.append(r"[A-Z0-9]{1,16}")
        elif token == "YEAR":
            regex.append(r"\d{4}")
        else:
            regex.append(r"\d+")
    found = re.fullmatch("".join(regex), cert.number)
    return found.group("code") if found else "X"


# ---- lookup and verification ---------------------------------------------------------------------------


def certificate_by_token(token: str) -> Certificate | None:
    """The certificate of a verification token; malformed tokens never reach the database."""
    if not token or not _TOKEN_RE.match(token):
        return None
    return db.session.execute(sa.select(Certificate).where(Certificate.token == token)).scalar_one_or_none()


def _normalise_name(name: str) -> str:
    return re.sub(r"[\s·•・.]", "", name or "")


def certificate_by_number_and_name(number: str, name: str) -> Certificate | None:
    """Lookup by typed number plus holder name (both must match: a number alone reveals nothing).

    The number is matched regardless of letter case and of full-width typing (２０２６－ from a Chinese
    input method): number patterns may contain lower-case literals such as ``qx-{YEAR}-{SEQ:05d}``."""
    import unicodedata

    typed = re.sub(r"\s+", "", number or "")
    if not typed or not name or len(typed) > 64:
        return None
    forms = {typed, unicodedata.normalize("NFKC", typed)}
    candidates = sorted({v for form in forms for v in (form, form.upper(), form.lower())})
    certs = list(db.session.execute(sa.select(Certificate).where(Certificate.number.in_(candidates))).scalars())
    if not certs:  # mixed-case literals: compare case-insensitively (a scan, but verification is rate-limited)
        certs = list(db.session.execute(sa.select(Certificate).where(
            sa.func.upper(Certificate.number).in_(sorted({f.upper() for f in forms}))).limit(10)).scalars())
    wanted = _normalise_name(name)
    for cert in certs:
        if _normalise_name(cert.holder_name) == wanted:
            return cert
    return None


def public_holder_name(cert: Certificate) -> str:
    """Minors' names are masked (core.privacy: 张*明, 欧阳**) on public pages unless the organiser chose to show them."""
    if not cert.holder_minor or cert.public_full_name:
        return cert.holder_name
    from core.privacy import mask_minor_name

    return mask_minor_name(cert.holder_name)


def verification_payload(cert: Certificate) -> dict:
    """What the public verification page and API show: no ids, no personal data beyond the masked name."""
    payload = {
        "status": cert.status,
        "number": cert.number,
        "holder": public_holder_name(cert),
        "kind": cert.kind,
        "award": cert.award,
        "category": cert.category,
        "contest": cert.scope_title,
        "organisation": cert.org_name,
        "issue_date": cert.issue_date.isoformat(),
    }
    if cert.status == CertificateStatus.REVOKED:
        payload["revoked_at"] = cert.revoked_at.date().isoformat() if cert.revoked_at else None
        payload["revoke_reason"] = cert.revoke_reason
    if cert.status == CertificateStatus.SUPERSEDED and cert.superseded_by is not None:
        payload["superseded_by"] = {"number": cert.superseded_by.number,
                                    "url": verify_url(cert.superseded_by.token)}
    return payload


# ---- holder downloads (ticket pages) -------------------------------------------------------------------


def download_signature(cert: Certificate) -> str:
    """HMAC of the certificate's token: a capability to download its PDF, separate from the QR token, so a
    scanned QR code (which anyone may see) never gives the PDF with a minor's full name."""
    import hashlib
    import hmac

    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"certificate-download:" + cert.token.encode(), hashlib.sha256).hexdigest()[:32]


def check_download_signature(cert: Certificate, signature: str) -> bool:
    import hmac

    return hmac.compare_digest(download_signature(cert), signature or "")


def download_url(cert: Certificate) -> str:
    from flask import url_for

    return url_for("certificates_verify.holder_download", token=cert.token, signature=download_signature(cert))


def holder_certificates(source_key: str, scope_id: int, holder_ref: str) -> list[Certificate]:
    """Valid certificates of one holder, or of every holder whose ref starts with `<holder_ref>:` (a group
    registration's members). Areas call this to show download links, e.g. on an event ticket page:

        certs = holder_certificates("events.attendees", event.id, f"registration:{registration.id}")
        links = [(c.holder_name, download_url(c)) for c in certs]
    """
    stmt = (sa.select(Certificate)
            .where(Certificate.source_key == source_key, Certificate.scope_id == scope_id,
                   Certificate.status == CertificateStatus.VALID,
                   sa.or_(Certificate.holder_ref == holder_ref, Certificate.holder_ref.startswith(holder_ref + ":")))
            .order_by(Certificate.holder_ref))
    return list(db.session.execute(stmt).scalars())


# ---- listing -------------------------------------------------------------------------------------------


def certificates_stmt(*, scope: str | None = None, scope_id: int | None = None, category_code: str | None = None,
                      school_id: int | None = None, organisation_ids: Iterable[int] | None = None,
                      statuses: Sequence[str] | None = (CertificateStatus.VALID,), holder_user_id: int | None = None):
    """Certificates in print order: school, category, number."""
    stmt = sa.select(Certificate)
    if scope:
        stmt = stmt.where(Certificate.scope == scope)
    if scope_id is not None:
        stmt = stmt.where(Certificate.scope_id == scope_id)
    if category_code:
        stmt = stmt.where(Certificate.category_code == category_code)
    if school_id is not None:
        stmt = stmt.where(Certificate.school_id == school_id)
    if organisation_ids is not None:
        stmt = stmt.where(Certificate.organisation_id.in_(list(organisation_ids)))
    if statuses:
        stmt = stmt.where(Certificate.status.in_(list(statuses)))
    if holder_user_id is not None:
        stmt = stmt.where(Certificate.holder_user_id == holder_user_id)
    return stmt.order_by(Certificate.school_name, Certificate.category_code, Certificate.number)


@dataclass
class ScopeSummary:
    scope: str
    scope_id: int
    title: str
    organisation_id: int
    valid: int
    revoked: int
    superseded: int


def scope_summaries(organisation_ids: Iterable[int] | None, school_id: int | None = None) -> list[ScopeSummary]:
    """One row per contest/event with certificates, counts by status (one grouped query)."""
    stmt = sa.select(Certificate.scope, Certificate.scope_id, sa.func.max(Certificate.scope_title),
                     sa.func.max(Certificate.organisation_id), Certificate.status, sa.func.count())
    if organisation_ids is not None:
        stmt = stmt.where(Certificate.organisation_id.in_(list(organisation_ids)))
    if school_id is not None:
        stmt = stmt.where(Certificate.school_id == school_id)
    stmt = stmt.group_by(Certificate.scope, Certificate.scope_id, Certificate.status)
    rows: dict[tuple, ScopeSummary] = {}
    for scope, scope_id, title, org_id, status, count in db.session.execute(stmt):
        summary = rows.setdefault((scope, scope_id), ScopeSummary(scope, scope_id, title, org_id, 0, 0, 0))
        setattr(summary, status, getattr(summary, status) + count)
    return sorted(rows.values(), key=lambda s: (s.scope, -s.scope_id))


# ---- rendering -----------------------------------------------------------------------------------------


def certificate_data(cert: Certificate) -> CertificateData:
    return CertificateData(key=cert.number, values=cert.placeholder_values(format_issue_date(cert.issue_date)),
                           verify_url=verify_url(cert.token))


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
        items.append(PrintItem(cert.template_id, certificate_data(cert),
                               safe_filename(f"{cert.number}_{cert.holder_name}") + ".pdf"))
    return items, specs


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
    count = db.session.execute(sa.select(sa.func.count()).select_from(
        certificates_stmt(scope=req.scope, scope_id=req.scope_id, category_code=req.category_code,
                          school_id=req.school_id, organisation_ids=req.organisation_ids).subquery())).scalar_one()
    if not count:
        raise DomainError(_l("There are no certificates to print."), code="empty")
    return enqueue("certificates.render", owner=user, title=title, scope=req.scope, scope_id=req.scope_id,
                   category_code=req.category_code, school_id=req.school_id, fmt=req.fmt,
                   organisation_ids=req.organisation_ids)


def run_render(progress, *, scope: str, scope_id: int, category_code: str | None = None, school_id: int | None = None,
               fmt: str = "pdf", organisation_ids: list[int] | None = None) -> dict:
    """Job body: render the selection into instance/exports/certificates and return the download."""
    from sqlalchemy.orm import selectinload

    stmt = certificates_stmt(scope=scope, scope_id=scope_id, category_code=category_code, school_id=school_id,
                             organisation_ids=organisation_ids).options(selectinload(Certificate.template))
    certs = list(db.session.execute(stmt).scalars())
    items, specs = print_items(certs)
    title = certs[0].scope_title if certs else "certificates"
    total = len(items)
    progress.update(0, total)
    name = secrets.token_hex(12) + "." + fmt
    path = storage_dir("exports") / name

    def report(n: int) -> None:
        progress.update(n, total)

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
    return {"file": str(rel), "filename": safe_filename(f"{title}_证书") + "." + fmt, "count": total}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))

