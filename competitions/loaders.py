"""Loading by id what competitions' pages and API both load, with their 404: views and api import this,
never each other."""

from __future__ import annotations

from flask import abort

from accounts.models import Organisation, OrganisationKind
from core.permissions import get_or_404


def load_school(school_id: int) -> Organisation:
    """A school by id; 404 for an unknown id or an organisation that is not a school."""
    school = get_or_404(Organisation, school_id)
    if school.kind != OrganisationKind.SCHOOL.value:
        abort(404)
    return school
