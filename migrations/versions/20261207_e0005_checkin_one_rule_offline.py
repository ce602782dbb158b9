"""events: one check-in rule in Python — the scan function goes; every scan log row keeps its answer; groups
in parts, confirmed over-counts, exit scans, offline uploads

Revision ID: e0005
Revises: e0004
Create Date: 2026-12-07 09:00:00

- PostgreSQL: DROP FUNCTION events_checkin_scan (the decision lives once, in events.checkin; SQLite never had it).
- event_scan_log.response becomes NOT NULL: rows the function wrote without an answer get a minimal one
  (their status and colour), so a replayed nonce always returns a stored answer. New: `direction` (in/out) and
  `offline_result` (what an offline scanner showed before it uploaded the scan).
- event_checkins: `over_count` (a count above the ticket's, confirmed by staff), `checked_out_at`, `checkout_gate`.
- events: `exit_scan` (the event asks for a scan at the exit).

The downgrade drops the columns; it does not bring the function back (e0004's copy is there for whoever needs it).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e0005"
down_revision = "j0002"
branch_labels = None
depends_on = None

COLOUR = "CASE result WHEN 'checked_in' THEN 'green' WHEN 'already_checked_in' THEN 'amber' ELSE 'red' END"


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS events_checkin_scan")
        op.execute("UPDATE event_scan_log SET response = json_build_object("
                   f"'status', result, 'message', '', 'colour', {COLOUR}, 'attendee', NULL) WHERE response IS NULL")
    else:
        op.execute("UPDATE event_scan_log SET response = json_object("
                   f"'status', result, 'message', '', 'colour', {COLOUR}, 'attendee', NULL) WHERE response IS NULL")
    with op.batch_alter_table("event_scan_log") as batch:
        batch.alter_column("response", existing_type=sa.JSON(), nullable=False)
        batch.add_column(sa.Column("direction", sa.String(3), server_default="in", nullable=False))
        batch.add_column(sa.Column("offline_result", sa.String(30), nullable=True))
    with op.batch_alter_table("event_checkins") as batch:
        batch.add_column(sa.Column("over_count", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("checked_out_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("checkout_gate", sa.String(60), server_default="", nullable=False))
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("exit_scan", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("events") as batch:
        batch.drop_column("exit_scan")
    with op.batch_alter_table("event_checkins") as batch:
        batch.drop_column("checkout_gate")
        batch.drop_column("checked_out_at")
        batch.drop_column("over_count")
    with op.batch_alter_table("event_scan_log") as batch:
        batch.drop_column("offline_result")
        batch.drop_column("direction")
        batch.alter_column("response", existing_type=sa.JSON(), nullable=True)
