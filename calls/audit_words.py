"""The calls area's words for the audit log page (core.audit.describe): its objects, for the filter and rows."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


def describe_audit() -> None:
    from core import audit

    audit.describe(
        objects={
            "calls": _l("Call for applications"),
            "call_applications": _l("Application"),
            "call_scores": _l("Expert score"),
            "call_application_files": _l("Application file"),
            "call_experts": _l("Expert in the pool"),
            "call_expert_invites": _l("Expert invited to a call"),
            "call_expert_conflicts": _l("Conflict declared by an expert"),
            "call_quotas": _l("Nomination quota"),
        }
    )
    audit.describe(
        object_type="call_applications",
        actions={"recommend": _l("recommended to the parent association's call")},
        fields={"recommended_from_id": _l("Recommended from (application number)"), "result": _l("Result")},
    )
