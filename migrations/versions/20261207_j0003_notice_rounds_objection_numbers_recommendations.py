"""judging: a notice covers several rounds; objections numbered; recommendations to a parent's contest

Revision ID: j0003
Revises: j0002
Create Date: 2026-12-07 14:00:00

公示 covers a contest's results across all its rounds (judging_notice_rounds replaces judging_notices.round_id,
each notice keeping its round); every objection gets a number per notice, its objector's reference (existing
ones numbered in the order they came); the county recommends entries to the city's contest
(judging_recommendations) (issue 22).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "j0003"
down_revision = "n0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "judging_notice_rounds",
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["notice_id"], ["judging_notices.id"],
                                name=op.f("fk_judging_notice_rounds_notice_id_judging_notices"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["judging_rounds.id"],
                                name=op.f("fk_judging_notice_rounds_round_id_judging_rounds"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("notice_id", "round_id", name=op.f("pk_judging_notice_rounds")),
    )
    op.execute("INSERT INTO judging_notice_rounds (notice_id, round_id) SELECT id, round_id FROM judging_notices")
    with op.batch_alter_table("judging_notices", schema=None) as batch_op:
        batch_op.drop_constraint("fk_judging_notices_round_id_judging_rounds", type_="foreignkey")
        batch_op.drop_column("round_id")

    with op.batch_alter_table("judging_objections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.Integer(), nullable=True))
    op.execute("UPDATE judging_objections SET number = (SELECT COUNT(*) FROM judging_objections AS o "
               "WHERE o.notice_id = judging_objections.notice_id AND o.id <= judging_objections.id)")
    with op.batch_alter_table("judging_objections", schema=None) as batch_op:
        batch_op.alter_column("number", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(op.f("uq_judging_objections_notice_id_number"), ["notice_id", "number"])

    op.create_table(
        "judging_recommendations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("target_contest_id", sa.Integer(), nullable=False),
        sa.Column("award", sa.String(length=20), nullable=True),
        sa.Column("score", sa.Numeric(precision=12, scale=4), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("round_name", sa.String(length=100), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reply", sa.String(length=500), nullable=False),
        sa.Column("recommended_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("registered_entry_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('pending','accepted','declined')",
                           name=op.f("ck_judging_recommendations_status")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"],
                                name=op.f("fk_judging_recommendations_decided_by_id_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["entry_id"], ["entries.id"],
                                name=op.f("fk_judging_recommendations_entry_id_entries"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recommended_by_id"], ["users.id"],
                                name=op.f("fk_judging_recommendations_recommended_by_id_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["registered_entry_id"], ["entries.id"],
                                name=op.f("fk_judging_recommendations_registered_entry_id_entries"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["target_contest_id"], ["contests.id"],
                                name=op.f("fk_judging_recommendations_target_contest_id_contests"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judging_recommendations")),
        sa.UniqueConstraint("entry_id", "target_contest_id",
                            name=op.f("uq_judging_recommendations_entry_id_target_contest_id")),
    )
    with op.batch_alter_table("judging_recommendations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_judging_recommendations_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_judging_recommendations_target_contest_id"), ["target_contest_id"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("judging_recommendations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_judging_recommendations_target_contest_id"))
        batch_op.drop_index(batch_op.f("ix_judging_recommendations_entry_id"))
    op.drop_table("judging_recommendations")

    with op.batch_alter_table("judging_objections", schema=None) as batch_op:
        batch_op.drop_constraint("uq_judging_objections_notice_id_number", type_="unique")
        batch_op.drop_column("number")

    with op.batch_alter_table("judging_notices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("round_id", sa.Integer(), nullable=True))
    # a notice of several rounds keeps its latest one
    op.execute("UPDATE judging_notices SET round_id = (SELECT MAX(round_id) FROM judging_notice_rounds AS nr "
               "WHERE nr.notice_id = judging_notices.id)")
    with op.batch_alter_table("judging_notices", schema=None) as batch_op:
        batch_op.alter_column("round_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key("fk_judging_notices_round_id_judging_rounds", "judging_rounds", ["round_id"],
                                    ["id"], ondelete="CASCADE")
    op.drop_table("judging_notice_rounds")
