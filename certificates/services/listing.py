"""Listing: certificates in print order and per-contest/event summaries.

Every state change flushes and never commits; views, API, CLI and jobs commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from certificates.models import (
    Certificate,
    CertificateStatus,
)
from core.extensions import db

# ---- listing -------------------------------------------------------------------------------------------


def certificates_stmt(
    *,
    scope: str | None = None,
    scope_id: int | None = None,
    category_code: str | None = None,
    school_id: int | None = None,
    organisation_ids: Iterable[int] | None = None,
    statuses: Sequence[str] | None = (CertificateStatus.VALID,),
    holder_user_id: int | None = None,
):
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
    stmt = sa.select(
        Certificate.scope,
        Certificate.scope_id,
        sa.func.max(Certificate.scope_title),
        sa.func.max(Certificate.organisation_id),
        Certificate.status,
        sa.func.count(),
    )
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
