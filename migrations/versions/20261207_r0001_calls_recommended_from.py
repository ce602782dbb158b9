"""calls: an application recommended upward keeps the result it came from

Revision ID: r0001
Revises: h0001
Create Date: 2026-12-07 07:00:00

Issue 25 (recommendation upward): a finished call's organiser recommends results to the parent association's
call; each becomes a nominated application there, pointing at the application it was recommended from
(call_applications.recommended_from_id, SET NULL when that one goes), once per parent call (unique with call_id).
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'r0001'
down_revision = 'h0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('call_applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recommended_from_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_call_applications_recommended_from_id'), ['recommended_from_id'], unique=False)
        batch_op.create_unique_constraint(
            batch_op.f('uq_call_applications_call_id_recommended_from_id'), ['call_id', 'recommended_from_id']
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_call_applications_recommended_from_id_call_applications'),
            'call_applications', ['recommended_from_id'], ['id'], ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('call_applications', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_call_applications_recommended_from_id_call_applications'), type_='foreignkey'
        )
        batch_op.drop_constraint(batch_op.f('uq_call_applications_call_id_recommended_from_id'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_call_applications_recommended_from_id'))
        batch_op.drop_column('recommended_from_id')
