"""Issuing: numbering under the series lock, the preflight, idempotent issue, revoke and reissue.

Every state change flushes and never commits; views, API, CLI and jobs commit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from certificates import notifications as notices
from certificates.models import (
    KIND_CODES,
    Certificate,
    CertificateSeries,
    CertificateStatus,
    CertificateTemplate,
)
from certificates.numbering import NumberPattern, NumberPatternError, parse_pattern
from certificates.render import (
    CertificateData,
    PreflightReport,
)
from certificates.services.base import new_token, verify_url
from certificates.services.templates import pattern_message, renderer_for
from certificates.sources import Holder, SourceBatch, SourceNotFound, SourceNotReady, get_source
from core import audit
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from core.i18n import local_today
from core.locks import acquire_lock

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


# ---- issuing -------------------------------------------------------------------------------------------


def collect_batch(source_key: str, scope_id: int) -> tuple:
    """(source, batch) or a DomainError: unknown source, unknown contest/event, or not ready (results not final)."""
    from core.i18n import print_locale

    source = get_source(source_key)
    if source is None:
        raise DomainError(_l("Unknown certificate source."), field="source", code="unknown_source", status=404)
    try:
        with print_locale():  # award names and titles are stored as printed: in the installation's language
            batch = source.collect(int(scope_id))
    except SourceNotFound as exc:
        raise DomainError(
            _l("No such contest, event or call."), field="scope_id", code="not_found", status=404
        ) from exc
    except SourceNotReady as exc:
        raise DomainError(exc.message, field="scope_id", code="not_ready", status=409) from exc
    return source, batch


def filter_holders(
    holders: Iterable[Holder], category_code: str | None = None, school_id: int | None = None
) -> list[Holder]:
    return [
        h
        for h in holders
        if (not category_code or h.category_code == category_code) and (school_id is None or h.school_id == school_id)
    ]


def format_issue_date(value: date) -> str:
    """Dates on certificates are Chinese: 2026年5月20日."""
    return f"{value.year}年{value.month}月{value.day}日"


def holder_data(holder: Holder, batch: SourceBatch, number: str, issue_date: date, token: str = "") -> CertificateData:
    values = {
        "name": holder.name,
        "school": holder.school,
        "award": holder.award,
        "contest": batch.scope_title,
        "category": holder.category,
        "title": holder.title,
        "advisors": holder.advisors,
        "date": format_issue_date(issue_date),
        "number": number,
        "org": batch.org_name,
    }
    key = number or (f"{holder.name}（{holder.school}）" if holder.school else holder.name)
    return CertificateData(key=key, values=values, verify_url=verify_url(token) if token else "")


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


def plan_issue(
    source_key: str,
    scope_id: int,
    template: CertificateTemplate,
    *,
    category_code: str | None = None,
    school_id: int | None = None,
    issue_date: date | None = None,
) -> IssuePlan:
    """What issuing would do: which holders are new (idempotency) and the glyph/overflow preflight."""
    source, batch = collect_batch(source_key, scope_id)
    if template.kind and template.kind != source.kind:
        raise DomainError(
            _l("This template is meant for another kind of certificate."), field="template", code="template_kind"
        )
    known_codes = sorted({h.category_code for h in batch.holders if h.category_code})
    if category_code and category_code not in known_codes:
        raise DomainError(
            _l(
                "No eligible holder has the category code %(code)s; the codes here are: %(codes)s.",
                code=category_code,
                codes=", ".join(known_codes) or "—",
            ),
            field="category_code",
            code="unknown_category",
        )
    holders = filter_holders(batch.holders, category_code, school_id)
    existing = set(
        db.session.execute(
            sa.select(Certificate.holder_ref).where(
                Certificate.source_key == source_key,
                Certificate.scope_id == scope_id,
                Certificate.status != CertificateStatus.SUPERSEDED,
            )
        ).scalars()
    )
    new = [h for h in holders if h.ref not in existing]
    day = issue_date or batch.issue_date or local_today()
    renderer = renderer_for(template.spec)
    report = renderer.preflight(holder_data(h, batch, "", day) for h in new)
    return IssuePlan(
        source_key, source.kind, source.scope, int(scope_id), batch, new, len(holders) - len(new), report, template, day
    )


def preflight_messages(report: PreflightReport, limit: int = 20) -> list[str]:
    out = []
    for char, keys in report.missing.items():
        shown = "、".join(keys[:limit]) + ("…" if len(keys) > limit else "")
        out.append(
            _(
                "No font of the template has the character %(char)s (U+%(code)04X), used by: %(holders)s",
                char=char,
                code=ord(char),
                holders=shown,
            )
        )
    for over in report.overflows[:limit]:
        out.append(
            _(
                "The text of item %(n)d for %(holder)s does not fit even at %(size)s pt: %(text)s",
                n=over.item + 1,
                holder=over.key,
                size=over.min_size_pt,
                text=over.text,
            )
        )
    return out


def issue_certificates(
    source_key: str,
    scope_id: int,
    template: CertificateTemplate,
    *,
    user=None,
    category_code: str | None = None,
    school_id: int | None = None,
    issue_date: date | None = None,
    public_full_name: bool = False,
    accept_preflight: bool = False,
) -> tuple[list[Certificate], IssuePlan]:
    """Issue certificates to every eligible holder of the source that has none yet (idempotent).

    Refused when the source is not ready (e.g. results not final) and, unless accepted, when the
    preflight finds characters no font covers or text that does not fit. Numbers are taken inside this
    transaction under the series lock."""
    acquire_lock(f"certificates.issue:{source_key}:{int(scope_id)}")  # one issuer per source and scope at a time
    plan = plan_issue(
        source_key, scope_id, template, category_code=category_code, school_id=school_id, issue_date=issue_date
    )
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
        raise DomainError(
            _l(
                "A certificate with one of these numbers already exists (another series uses the same "
                "pattern); change the number pattern."
            ),
            code="number_taken",
            status=409,
        )
    issued = []
    for holder, number in zip(plan.new_holders, numbers, strict=False):
        cert = Certificate(
            kind=plan.kind,
            number=number,
            token=new_token(),
            status=CertificateStatus.VALID,
            source_key=source_key,
            scope=plan.scope,
            scope_id=plan.scope_id,
            holder_ref=holder.ref[:120],
            holder_name=holder.name[:200],
            holder_minor=holder.minor,
            public_full_name=public_full_name,
            holder_user_id=holder.user_id,
            school_id=holder.school_id,
            school_name=holder.school[:200],
            award=holder.award[:100],
            category=holder.category[:200],
            category_code=holder.category_code[:40],
            title=holder.title[:300],
            advisors=holder.advisors[:300],
            scope_title=batch.scope_title[:300],
            org_name=batch.org_name[:200],
            sort_order=holder.order,
            organisation_id=batch.organisation_id,
            template_id=template.id,
            issue_date=plan.issue_date,
            issued_by_id=getattr(user, "id", None),
        )
        db.session.add(cert)
        issued.append(cert)
    db.session.flush()
    audit.record(
        "issue",
        object_type="certificate_batch",
        object_id=f"{source_key}:{scope_id}",
        organisation_id=batch.organisation_id,
        after={
            "count": len(issued),
            "first": numbers[0],
            "last": numbers[-1],
            "template": template.id,
            "category": category_code,
            "school_id": school_id,
        },
    )
    notices.tell_issued(issued)
    return issued, plan


def _numbers_taken(numbers: list[str]) -> bool:
    """Another series with an overlapping pattern could have produced one of these numbers already."""
    for start in range(0, len(numbers), 1000):
        chunk = numbers[start : start + 1000]
        if db.session.execute(sa.select(Certificate.id).where(Certificate.number.in_(chunk)).limit(1)).first():
            return True
    return False


# ---- revoke and reissue --------------------------------------------------------------------------------

REISSUE_FIELDS = ("holder_name", "school_name", "award", "category", "title", "advisors")


def revoke_certificate(cert: Certificate, reason: str, *, user=None) -> Certificate:
    """Revoke a valid certificate; a reason is required and shown on the verification page."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError(
            _l("Give the reason for revoking (it is shown when the certificate is verified)."),
            field="reason",
            code="reason_required",
        )
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
    new = Certificate(
        **{
            c: getattr(cert, c)
            for c in (
                "kind",
                "source_key",
                "scope",
                "scope_id",
                "holder_ref",
                "holder_minor",
                "public_full_name",
                "holder_user_id",
                "school_id",
                "category_code",
                "scope_title",
                "org_name",
                "sort_order",
                "organisation_id",
                "template_id",
                "issue_date",
            )
        },
        **values,
        number=number,
        token=new_token(),
        status=CertificateStatus.VALID,
        issued_by_id=getattr(user, "id", None),
    )
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
