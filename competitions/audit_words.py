"""The competitions area's words for the audit log page (core.audit.describe): its objects, actions, fields,
coded values and names for contest, category and entry ids, so organisers read 作品 · 审核通过 · 状态：已提交 → 已通过.
core.create_app calls describe_audit() of every area that has an audit_words module."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


def describe_audit() -> None:
    from competitions.forms import ACCEPTED_LABELS, QUOTA_SCOPE_LABELS
    from competitions.materials import MATERIAL_KIND_LABELS
    from competitions.models import (
        CONTEST_STATUS_LABELS,
        ENTRY_STATUS_LABELS,
        ENTRY_TYPE_LABELS,
        STAGE_LABELS,
        Category,
        Contest,
        Entry,
    )
    from competitions.roster.values import GRADE_LABELS
    from core import audit

    audit.describe(
        objects={
            "contests": _l("Contest"),
            "categories": _l("Category"),
            "entries": _l("Entry"),
            "students": _l("Student"),
            "advisors": _l("Advisor"),
            "roster": _l("Student roster"),
            "materials": _l("Material"),
            "school_deadlines": _l("Deadline extension"),
        },
        actions={
            "status": _l("changed the status"),
            "extend_deadline": _l("extended the deadline"),
            "requirements": _l("changed the required materials"),
            "quotas": _l("changed the quotas"),
            "import_definition": _l("imported from a definition file"),
            "roster_import": _l("imported the roster"),
            "submit": _l("submitted"),
            "approve": _l("approved"),
            "returned": _l("returned for correction"),
            "rejected": _l("rejected"),
            "add_material": _l("uploaded a material"),
            "remove_material": _l("removed a material"),
            "advance": _l("advanced to the next level"),
        },
        fields={
            "name": _l("Name"),
            "code": _l("Code"),
            "title": _l("Title"),
            "year": _l("Year"),
            "status": _l("Status"),
            "description": _l("Description"),
            "abstract": _l("Abstract"),
            "registration_opens_at": _l("Registration opens"),
            "registration_closes_at": _l("Registration closes"),
            "timezone": _l("Time zone"),
            "reference_date": _l("Reference date"),
            "closes_at": _l("Deadline"),
            "school_id": _l("School"),
            "reason": _l("Reason"),
            "entry_type": _l("Entry type"),
            "min_members": _l("Minimum team members"),
            "max_members": _l("Maximum team members"),
            "allowed_stages": _l("Allowed stages"),
            "max_advisors": _l("Maximum advisors"),
            "grade_min": _l("Lowest grade (1-12)"),
            "grade_max": _l("Highest grade (1-12)"),
            "age_min": _l("Minimum age at the reference date"),
            "age_max": _l("Maximum age at the reference date"),
            "completion_months": _l("Work done within this many months before the reference date"),
            "scoring_mode": _l("Scoring mode"),
            "position": _l("Order"),
            "materials": _l("Required materials"),
            "quotas": _l("Quotas"),
            "kind": _l("Material"),
            "label": _l("Name shown to schools"),
            "accepted": _l("Accepted files"),
            "max_mb": _l("Max. MB per file"),
            "max_files": _l("Max. files"),
            "required": _l("Required"),
            "scope": _l("Counted"),
            "stage": _l("Stage"),
            "limit": _l("At most"),
            "category_id": _l("Category"),
            "work_started_on": _l("Work started on"),
            "work_completed_on": _l("Work completed on"),
            "members": _l("Students"),
            "advisors": _l("Advisors"),
            "gender": _l("Gender"),
            "birth_date": _l("Birth date"),
            "grade": _l("Grade"),
            "class_name": _l("Class"),
            "id_number": _l("ID number"),
            "guardian_phone": _l("Guardian's phone"),
            "phone": _l("Mobile number"),
            "email": _l("Email"),
            "subject": _l("Subject taught"),
            "created": _l("New"),
            "updated": _l("Updated"),
            "unchanged": _l("Unchanged"),
            "file_format": _l("File type"),
            "material_id": _l("File number"),
            "file_type": _l("File type"),
            "original_name": _l("File name"),
            "categories": _l("Categories"),
            "from_entry": _l("Advanced from entry"),
            "from_code": _l("Advanced from"),
            "review_reason": _l("Review comment"),
            "seeded": _l("Demo data"),
        },
        ids={
            "target_contest_id": audit.names_of(Contest.id, Contest.name),
            "category_id": audit.names_of(Category.id, Category.name),
            "from_entry": audit.names_of(Entry.id, Entry.code),
        },
    )
    audit.describe(object_type="entries", actions={"withdraw": _l("withdrew to draft")})
    audit.describe(object_type="students", fields={"name": _l("Full name")})
    audit.describe(
        object_type="entries",
        fields={"code": _l("Entry code"), "size": _l("File size (bytes)"), "name": _l("File name")},
    )
    audit.describe(object_type="advisors", fields={"name": _l("Full name"), "title": _l("Professional title")})
    values = {}
    for labels, field in (
        (CONTEST_STATUS_LABELS, "status"),
        (ENTRY_STATUS_LABELS, "status"),
        (ENTRY_TYPE_LABELS, "entry_type"),
        (STAGE_LABELS, "stage"),
        (STAGE_LABELS, "allowed_stages"),
        (MATERIAL_KIND_LABELS, "kind"),
        (ACCEPTED_LABELS, "accepted"),
        (QUOTA_SCOPE_LABELS, "scope"),
        (ENTRY_TYPE_LABELS, "kind"),
    ):
        values.update(
            {(field, str(key)): label if not isinstance(label, str) else _l(label) for key, label in labels.items()}
        )
    values.update(
        {
            ("scoring_mode", "rubric"): _l("Rubric"),
            ("scoring_mode", "performance"): _l("Performance (runs)"),
            ("timezone", "Asia/Shanghai"): _l("Beijing time (UTC+8)"),
        }
    )
    values.update({("grade", str(grade)): label for grade, label in GRADE_LABELS.items()})
    audit.describe(values=values)
