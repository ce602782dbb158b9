"""The competitions blueprint and what its pages share: the labels templates show, an upload read with a cap,
the signed-in user's schools and organising units, a workbook as a download."""

from __future__ import annotations

import io

from flask import Blueprint, send_file
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from accounts.models import Organisation
from competitions.forms import ACCEPTED_LABELS, QUOTA_KIND_LABELS, QUOTA_SCOPE_LABELS, TIMEZONE_LABELS
from competitions.materials import MATERIAL_KIND_LABELS
from competitions.models import CONTEST_STATUS_LABELS, ENTRY_STATUS_LABELS, STAGE_LABELS
from competitions.services import schools as schools_service
from core.permissions import Role, is_admin

bp = Blueprint("competitions", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PER_PAGE = 50
SCORING_LABELS = {"rubric": _l("Rubric"), "performance": _l("Performance (runs)")}


def read_capped(upload, limit: int) -> tuple[bytes, int]:
    """At most limit + 1 bytes of an uploaded file (enough to know it is too large), and its full size."""
    data = upload.read(limit + 1)
    size = len(data)
    if size > limit:
        try:
            upload.stream.seek(0, io.SEEK_END)
            size = upload.stream.tell()
        except (AttributeError, OSError, ValueError):
            pass
    return data, size


def my_schools() -> list[Organisation]:
    """The schools the signed-in user coordinates, in name order."""
    return schools_service.schools_by_ids(current_user.scope_ids(Role.COORDINATOR))


def managed_units() -> list[Organisation]:
    """The organising units the signed-in user organises (every one for an administrator), in name order."""
    return schools_service.organising_units(None if is_admin(current_user) else current_user.organised_org_ids())


def xlsx_response(data: bytes, name: str):
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)


@bp.app_context_processor
def competitions_globals():
    """Labels for keywords shown in competitions templates (the pure modules' labels are plain msgids)."""
    return {
        "contest_status_labels": CONTEST_STATUS_LABELS,
        "entry_status_labels": ENTRY_STATUS_LABELS,
        "stage_labels": STAGE_LABELS,
        "quota_kind_labels": QUOTA_KIND_LABELS,
        "quota_scope_labels": QUOTA_SCOPE_LABELS,
        "scoring_labels": SCORING_LABELS,
        "material_kind_labels": {k: _l(v) for k, v in MATERIAL_KIND_LABELS.items()},
        "accepted_labels": ACCEPTED_LABELS,
        "timezone_label": lambda tz: TIMEZONE_LABELS.get(tz, tz),
    }
