"""accounts: an association's brand (main colour, logo) for its public pages, tickets and emails

Revision ID: d0001
Revises: j0003
Create Date: 2026-12-07 02:00:00

Two nullable columns on organisations (issue 26): brand_colour ("#rrggbb") and logo_file (a file name under
<UPLOAD_DIR>/brand/). Nothing to fill in: without them pages keep the platform's neutral look.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d0001"
down_revision = "s0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("brand_colour", sa.String(length=7), nullable=True))
        batch.add_column(sa.Column("logo_file", sa.String(length=100), nullable=True))


def downgrade():
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("logo_file")
        batch.drop_column("brand_colour")
