"""judging: per-category run limits (maximum points, time limit)

Revision ID: j0002
Revises: e0004
Create Date: 2026-12-07 09:00:00

A robot category sets the most points a run can earn and the longest time it may take; the referee's entry above
them is refused (issue 22).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "j0002"
down_revision = "a0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("judging_round_categories", schema=None) as batch_op:
        batch_op.add_column(sa.Column("max_points", sa.Numeric(precision=8, scale=2), nullable=True))
        batch_op.add_column(sa.Column("time_limit_cs", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(op.f("ck_judging_round_categories_max_points"), "max_points IS NULL OR max_points > 0")
        batch_op.create_check_constraint(op.f("ck_judging_round_categories_time_limit"), "time_limit_cs IS NULL OR time_limit_cs > 0")


def downgrade():
    with op.batch_alter_table("judging_round_categories", schema=None) as batch_op:
        batch_op.drop_constraint("ck_judging_round_categories_time_limit", type_="check")
        batch_op.drop_constraint("ck_judging_round_categories_max_points", type_="check")
        batch_op.drop_column("time_limit_cs")
        batch_op.drop_column("max_points")
