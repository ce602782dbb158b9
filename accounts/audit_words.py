"""The accounts area's words for the audit log page (core.audit.describe): organisations, users, roles,
invitations and API tokens, with names for organisation and user ids."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


def describe_audit() -> None:
    from accounts.models import Organisation, User
    from accounts.notifications import ROLE_LABELS
    from core import audit

    organisation_names = audit.names_of(Organisation.id, Organisation.name)
    audit.describe(
        objects={
            "organisations": _l("Organisation"),
            "users": _l("User account"),
            "memberships": _l("Role"),
            "invitations": _l("Invitation"),
            "api_tokens": _l("API token"),
        },
        actions={
            "change_password": _l("changed the password"),
            "end_sessions": _l("signed out on every device"),
            "grant_role": _l("granted a role"),
            "revoke_role": _l("took back a role"),
            "revoke": _l("revoked"),
            "sign_up": _l("registered themselves (address verified by a code)"),
        },
        fields={
            "mobile": _l("Mobile number"),
            "role": _l("Role"),
            "organisation_id": _l("Organisation"),
            "scope_id": _l("For (contest or event number)"),
            "prefix": _l("Token prefix"),
            "parent_id": _l("Parent organisation"),
            "district": _l("District"),
            "address": _l("Address"),
            "contact_phone": _l("Contact phone"),
            "brand_colour": _l("Brand colour"),
            "logo_file": _l("Logo"),
            "user_id": _l("User"),
            "affiliation_id": _l("Workplace"),
            "verified": _l("Verified by a code sent by"),
        },
        values={
            **{("role", key): label for key, label in ROLE_LABELS.items()},
            ("role", "admin"): _l("Administrator"),
            ("kind", "association"): _l("Science association"),
            ("kind", "school"): _l("School"),
            ("kind", "community"): _l("Community"),
            ("kind", "science_base"): _l("Science education base"),
            ("verified", "email"): _l("Email"),
            ("verified", "sms"): _l("SMS"),
        },
        ids={
            "organisation_id": organisation_names,
            "school_id": organisation_names,
            "parent_id": organisation_names,
            "affiliation_id": organisation_names,
            "conflict_school_ids": organisation_names,
            "user_id": audit.names_of(User.id, User.name),
            "confirmed_by_id": audit.names_of(User.id, User.name),
        },
    )
    audit.describe(object_type="organisations", fields={"kind": _l("Type"), "name": _l("Name")})
