"""trust (data half): caravan staff feeds behind a random token; jobs carry their worker and a heartbeat

Revision ID: t0001
Revises: e0004
Create Date: 2026-12-07 01:16:00

event_caravans.feed_token: every existing caravan gets its own 192-bit random token (the staff .ics feed
moves from /events/caravans/<id>.ics to /events/caravans/feed/<token>.ics). jobs.worker / jobs.heartbeat_at:
core.jobs reaps a running job whose worker died.
"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 't0001'
down_revision = 'j0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event_caravans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('feed_token', sa.String(length=64), nullable=True))
    caravans = sa.table('event_caravans', sa.column('id', sa.Integer), sa.column('feed_token', sa.String))
    connection = op.get_bind()
    for (caravan_id,) in connection.execute(sa.select(caravans.c.id)).all():
        connection.execute(caravans.update().where(caravans.c.id == caravan_id)
                           .values(feed_token=secrets.token_urlsafe(24)))
    with op.batch_alter_table('event_caravans', schema=None) as batch_op:
        batch_op.alter_column('feed_token', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_event_caravans_feed_token'), ['feed_token'])

    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('worker', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.alter_column('worker', existing_type=sa.String(length=120), server_default=None)


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('worker')

    with op.batch_alter_table('event_caravans', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_event_caravans_feed_token'), type_='unique')
        batch_op.drop_column('feed_token')
