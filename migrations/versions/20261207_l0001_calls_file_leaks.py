"""calls: the blind-round leak check of an application's file

Revision ID: l0001
Revises: j0005
Create Date: 2026-12-07 08:10:00

Issue 25: an uploaded PDF's text is read once and the applicants' and unit's names found in it are kept with the
file (calls.leaks): a JSON list of {"name", "kind", "pages"}, [] for a clean PDF, NULL when the text was not read.
Files uploaded before this revision were never read: they stay NULL and the organiser is told to check them by
hand.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "l0001"
down_revision = "j0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("call_application_files") as batch:
        batch.add_column(sa.Column("leaks", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("call_application_files") as batch:
        batch.drop_column("leaks")
