"""judging: presentation rounds (答辩/路演) — rooms, slots with a panel, submissions placed in a slot

Revision ID: p0001
Revises: l0001
Create Date: 2026-12-07 08:10:00

Issue 25: a round's organiser gives it rooms and time slots, each heard by a panel of the owner's judges, and
places each submission of the round in one slot (unique per round). New tables only; the downgrade drops them.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "p0001"
down_revision = "l0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "judging_rooms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["judging_rounds.id"],
            name=op.f("fk_judging_rooms_round_id_judging_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judging_rooms")),
        sa.UniqueConstraint("round_id", "name", name=op.f("uq_judging_rooms_round_id_name")),
    )
    op.create_table(
        "judging_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_judging_slots_interval")),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["judging_rooms.id"],
            name=op.f("fk_judging_slots_room_id_judging_rooms"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["judging_rounds.id"],
            name=op.f("fk_judging_slots_round_id_judging_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judging_slots")),
        sa.UniqueConstraint("room_id", "starts_at", name=op.f("uq_judging_slots_room_id_starts_at")),
    )
    with op.batch_alter_table("judging_slots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_judging_slots_round_id"), ["round_id"], unique=False)
    op.create_table(
        "judging_panelists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("judge_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["judge_id"],
            ["judging_judges.id"],
            name=op.f("fk_judging_panelists_judge_id_judging_judges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["judging_slots.id"],
            name=op.f("fk_judging_panelists_slot_id_judging_slots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judging_panelists")),
        sa.UniqueConstraint("slot_id", "judge_id", name=op.f("uq_judging_panelists_slot_id_judge_id")),
    )
    with op.batch_alter_table("judging_panelists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_judging_panelists_judge_id"), ["judge_id"], unique=False)
    op.create_table(
        "judging_placements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["judging_rounds.id"],
            name=op.f("fk_judging_placements_round_id_judging_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["judging_slots.id"],
            name=op.f("fk_judging_placements_slot_id_judging_slots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judging_placements")),
        sa.UniqueConstraint("round_id", "entry_id", name=op.f("uq_judging_placements_round_id_entry_id")),
    )
    with op.batch_alter_table("judging_placements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_judging_placements_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_judging_placements_slot_id"), ["slot_id"], unique=False)


def downgrade():
    op.drop_table("judging_placements")
    op.drop_table("judging_panelists")
    op.drop_table("judging_slots")
    op.drop_table("judging_rooms")
