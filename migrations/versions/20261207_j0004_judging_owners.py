"""judging: rounds, judges and notices owned by a contest or a call; rows keyed by submission

Revision ID: j0004
Revises: c0002
Create Date: 2026-12-07 07:00:00

Issue 25, decision 0007: a round, a judge and a notice belong to an *owner* — a contest through contest_id (its
foreign key and cascade stay, so every existing row is a contest's and needs no data migration), or another
registered kind (a call) through owner_kind/owner_id, with contest_id NULL (ck_..._owner says which). A call's
round judges one group, so its rubric row and its results have no category (category_id nullable). Assignments,
scores, results and objections keep the column entry_id, now a *submission* id of the round owner's kind: its
foreign key to entries goes (competitions only ever deletes draft entries, which judging never holds).
The downgrade refuses while a call owns a round, a judge or a notice.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "j0004"
down_revision = "c0002"
branch_labels = None
depends_on = None

OWNER = (
    "(owner_kind = 'contest' AND contest_id IS NOT NULL AND owner_id IS NULL)"
    " OR (owner_kind <> 'contest' AND contest_id IS NULL AND owner_id IS NOT NULL)"
)
OWNED = {
    "judging_rounds": ["owner_kind", "owner_id", "name"],
    "judging_judges": ["owner_kind", "owner_id", "user_id"],
    "judging_notices": ["owner_kind", "owner_id"],
}
SUBMISSION_KEYED = {
    "judging_assignments": "CASCADE",
    "judging_scores": "CASCADE",
    "judging_results": "CASCADE",
    "judging_objections": "SET NULL",
}


def upgrade():
    for table, unique in OWNED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("owner_kind", sa.String(length=20), server_default="contest", nullable=False))
            batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
            batch_op.alter_column("contest_id", existing_type=sa.Integer(), nullable=True)
            batch_op.create_unique_constraint(batch_op.f(f"uq_{table}_{'_'.join(unique)}"), unique)
            batch_op.create_check_constraint(batch_op.f(f"ck_{table}_owner"), OWNER)
    for table in ("judging_round_categories", "judging_results"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("category_id", existing_type=sa.Integer(), nullable=True)
    for table in SUBMISSION_KEYED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_entry_id_entries", type_="foreignkey")


def downgrade():
    bind = op.get_bind()
    for table in OWNED:
        if bind.execute(sa.text(f"SELECT 1 FROM {table} WHERE owner_kind <> 'contest' LIMIT 1")).first():  # noqa: S608
            raise RuntimeError(f"{table} has rows owned by a call: they cannot go back to contest-only judging")
    for table in ("judging_round_categories", "judging_results"):
        if bind.execute(sa.text(f"SELECT 1 FROM {table} WHERE category_id IS NULL LIMIT 1")).first():  # noqa: S608
            raise RuntimeError(f"{table} has rows without a category (a call's round)")
    for table, ondelete in SUBMISSION_KEYED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_entry_id_entries"), "entries", ["entry_id"], ["id"], ondelete=ondelete
            )
    for table in ("judging_round_categories", "judging_results"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("category_id", existing_type=sa.Integer(), nullable=False)
    for table, unique in OWNED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"ck_{table}_owner"), type_="check")
            batch_op.drop_constraint(batch_op.f(f"uq_{table}_{'_'.join(unique)}"), type_="unique")
            batch_op.alter_column("contest_id", existing_type=sa.Integer(), nullable=False)
            batch_op.drop_column("owner_id")
            batch_op.drop_column("owner_kind")
