"""events: what an event asks for its insurance/contact list (研学), and the answers on registrations

Revision ID: v0001
Revises: t0001
Create Date: 2026-12-07 02:00:00

events.personal_data: '' (nothing), 'birth_date' (gender and birth date) or 'id_number' (the ID number, from
which gender and birth date are read). event_registrations.gender / birth_date / id_number hold the answers.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'v0001'
down_revision = "o0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('personal_data', sa.String(length=20), server_default='', nullable=False))
        batch_op.create_check_constraint('personal_data', "personal_data IN ('','birth_date','id_number')")
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gender', sa.String(length=2), server_default='', nullable=False))
        batch_op.add_column(sa.Column('birth_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('id_number', sa.String(length=18), nullable=True))


def downgrade():
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.drop_column('id_number')
        batch_op.drop_column('birth_date')
        batch_op.drop_column('gender')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint('personal_data', type_='check')
        batch_op.drop_column('personal_data')
