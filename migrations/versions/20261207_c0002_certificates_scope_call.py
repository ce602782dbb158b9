"""certificates: the scope "call" (certificates for results of calls)

Revision ID: c0002
Revises: r0001
Create Date: 2026-12-07 07:10:00

Issue 25 §5: a certificate's holder may come from the results of a call (评选), not only from a contest or an
event; the CHECK on certificates.scope takes 'call'. The downgrade refuses while certificates of calls exist.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c0002'
down_revision = 'r0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_certificates_scope'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_certificates_scope'), "scope IN ('contest','event','call')")


def downgrade():
    held = op.get_bind().execute(sa.text("SELECT count(*) FROM certificates WHERE scope = 'call'")).scalar()
    if held:
        raise RuntimeError(f"{held} certificates of calls exist: revoke and delete them before downgrading")
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_certificates_scope'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_certificates_scope'), "scope IN ('contest','event')")
