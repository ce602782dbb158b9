"""Merge the area branches (events, judging over competitions, certificates) into one head.

Revision ID: m0001
Revises: e0001, j0001, k0001
Create Date: 2026-11-22

"""

revision = "m0001"
down_revision = ("e0001", "j0001", "k0001")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
