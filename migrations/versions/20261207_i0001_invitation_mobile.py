"""accounts: an invitation may carry a mobile number (the link is sent by SMS)

Revision ID: i0001
Revises: s0001
Create Date: 2026-12-07 02:40:00

Issue 21: the invitation link is sent when an email or a mobile number is given. Existing invitations have none.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "i0001"
down_revision = "d0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mobile", sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_column("mobile")
