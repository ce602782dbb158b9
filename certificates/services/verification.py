"""Verification: lookup by token or by number and name, the public payload, holder downloads.

Every state change flushes and never commits; views, API, CLI and jobs commit.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import current_app

from certificates.models import (
    Certificate,
    CertificateStatus,
)
from certificates.services.base import _TOKEN_RE, verify_url
from core.extensions import db

# ---- lookup and verification ---------------------------------------------------------------------------


def verify_limit() -> str:
    """The rate limit of every public verification endpoint (pages and API): RATELIMIT_VERIFY."""
    return current_app.config["RATELIMIT_VERIFY"]


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
        certs = list(
            db.session.execute(
                sa.select(Certificate)
                .where(sa.func.upper(Certificate.number).in_(sorted({f.upper() for f in forms})))
                .limit(10)
            ).scalars()
        )
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
        payload["superseded_by"] = {"number": cert.superseded_by.number, "url": verify_url(cert.superseded_by.token)}
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
    stmt = (
        sa.select(Certificate)
        .where(
            Certificate.source_key == source_key,
            Certificate.scope_id == scope_id,
            Certificate.status == CertificateStatus.VALID,
            sa.or_(Certificate.holder_ref == holder_ref, Certificate.holder_ref.startswith(holder_ref + ":")),
        )
        .order_by(Certificate.holder_ref)
    )
    return list(db.session.execute(stmt).scalars())
