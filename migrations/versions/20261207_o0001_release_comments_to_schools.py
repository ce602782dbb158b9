"""judging: release judges' comments to schools (per round)

Revision ID: o0001
Revises: j0002
Create Date: 2026-12-07 12:00:00

The organiser chooses per round whether the judges' comments (评语) are shown to the schools, anonymised, once
the results are final (issue 21, point 4). Off for every existing round.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "o0001"
down_revision = "t0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("judging_rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("comments_released", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("judging_rounds", schema=None) as batch_op:
        batch_op.drop_column("comments_released")
