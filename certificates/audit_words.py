"""The certificates area's words for the audit log page (core.audit.describe): fonts, templates, issued
batches and certificates, with names for template ids."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


def describe_audit() -> None:
    from certificates.models import CertificateTemplate
    from certificates.services.base import KIND_LABELS, STATUS_LABELS
    from core import audit

    audit.describe(
        objects={
            "certificate_fonts": _l("Certificate font"),
            "certificate_templates": _l("Certificate template"),
            "certificates": _l("Certificate"),
            "certificate_batch": _l("Certificates issued together"),
        },
        actions={
            "upload": _l("uploaded"),
            "issue": _l("issued"),
            "reissue": _l("reissued"),
            "duplicate": _l("copied"),
            "archive": _l("archived"),
        },
        fields={
            "family": _l("Font family"),
            "count": _l("Certificates"),
            "first": _l("First number"),
            "last": _l("Last number"),
            "template": _l("Template"),
            "category": _l("Category"),
            "superseded_by": _l("Replaced by"),
            "number": _l("Certificate number"),
            "replaces": _l("Replaces"),
            "from_template": _l("Copied from"),
            "archived": _l("Archived"),
            "number_pattern": _l("Number pattern"),
            "holder_name": _l("Holder"),
            "school_name": _l("School"),
            "advisors": _l("Advisors"),
        },
        values={
            **{("status", key): label for key, label in STATUS_LABELS.items()},
            **{("kind", key): label for key, label in KIND_LABELS.items()},
        },
        ids={
            "template": audit.names_of(CertificateTemplate.id, CertificateTemplate.name),
            "from_template": audit.names_of(CertificateTemplate.id, CertificateTemplate.name),
        },
    )
    audit.describe(object_type="certificates", actions={"revoke": _l("revoked the certificate")})
    audit.describe(object_type="certificate_templates", fields={"kind": _l("Type")})
