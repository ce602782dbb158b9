"""Permission rules of the certificates area: designing, issuing, managing, downloading.

Imported by the area's init_app, which registers every @policy below (core.permissions holds the mechanism)."""

from __future__ import annotations

from core.permissions import Role, coordinates, is_organiser, organises, policy


@policy("certificate.view_list")
def _view_certificate_list(user, obj) -> bool:
    """The certificates menu: organisers (their units) and school coordinators (their students)."""
    return is_organiser(user) or bool(user.scope_ids(Role.COORDINATOR))


@policy("certificate.design")
def _design_certificates(user, organisation_id) -> bool:
    """Create templates and upload fonts/images: organisers, for their own units (None: any of them)."""
    return is_organiser(user) if organisation_id is None else organises(user, organisation_id)


@policy("certificate.template.edit")
def _edit_certificate_template(user, template) -> bool:
    return template is not None and organises(user, template.organisation_id)


@policy("certificate.issue")
def _issue_certificates(user, organisation_id) -> bool:
    """Issue for a contest/event: organisers of the unit that runs it (the source batch's organisation)."""
    return organisation_id is not None and organises(user, organisation_id)


@policy("certificate.manage")
def _manage_certificate(user, cert) -> bool:
    """See the full record, revoke, reissue: organisers of the issuing unit."""
    return cert is not None and organises(user, cert.organisation_id)


@policy("certificate.download")
def _download_certificate(user, cert) -> bool:
    """One certificate's PDF: its organisers, the holder's school coordinator, or the holder."""
    return cert is not None and (
        organises(user, cert.organisation_id)
        or coordinates(user, cert.school_id)
        or (cert.holder_user_id is not None and cert.holder_user_id == user.id)
    )


@policy("certificate.school_download")
def _download_school_certificates(user, school_id) -> bool:
    """A school's certificates in bulk: that school's coordinators (and organisers above the school)."""
    return school_id is not None and (coordinates(user, school_id) or organises(user, school_id))
