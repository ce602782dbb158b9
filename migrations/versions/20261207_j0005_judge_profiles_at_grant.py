"""Judge profiles are made when the role is granted: existing holders of a judge role (contests) or an expert
role (calls) without a profile get one now, so the judges page and the judge's start page only read.

Revision ID: j0005
Revises: j0004
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime

revision = "j0005"
down_revision = "j0004"
branch_labels = None
depends_on = None

memberships = sa.table("memberships", sa.column("user_id"), sa.column("role"), sa.column("scope_id"))
contests = sa.table("contests", sa.column("id"))
calls = sa.table("calls", sa.column("id"))
judges = sa.table(
    "judging_judges",
    sa.column("owner_kind"),
    sa.column("owner_id"),
    sa.column("contest_id"),
    sa.column("user_id"),
    sa.column("expertise", sa.JSON),
    sa.column("conflict_school_ids", sa.JSON),
    sa.column("conflict_entry_ids", sa.JSON),
    sa.column("created_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
)


def _missing(role: str, owners, *owned) -> sa.Select:
    """Holders of `role` on an existing owner who have no profile on it yet (`owned`: a profile's owner test)."""
    return (
        sa.select(memberships.c.scope_id, memberships.c.user_id)
        .distinct()
        .join(owners, owners.c.id == memberships.c.scope_id)
        .where(
            memberships.c.role == role,
            ~sa.exists().where(judges.c.user_id == memberships.c.user_id, *owned),
        )
    )


def upgrade() -> None:
    bind = op.get_bind()
    now = datetime.now(UTC)
    rows = [
        {"owner_kind": "contest", "owner_id": None, "contest_id": scope_id, "user_id": user_id}
        for scope_id, user_id in bind.execute(
            _missing("judge", contests, judges.c.contest_id == memberships.c.scope_id)
        )
    ]
    rows += [
        {"owner_kind": "call", "owner_id": scope_id, "contest_id": None, "user_id": user_id}
        for scope_id, user_id in bind.execute(
            _missing("expert", calls, judges.c.owner_kind == "call", judges.c.owner_id == memberships.c.scope_id)
        )
    ]
    if rows:
        empty = {
            "expertise": [],
            "conflict_school_ids": [],
            "conflict_entry_ids": [],
            "created_at": now,
            "updated_at": now,
        }
        op.bulk_insert(judges, [{**row, **empty} for row in rows])


def downgrade() -> None:
    """Profiles made here are indistinguishable from those made on first use before: they stay."""
