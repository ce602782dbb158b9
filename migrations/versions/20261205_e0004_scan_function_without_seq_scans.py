"""events: the scan function runs with sequential scans off (function events_checkin_scan)

Revision ID: e0004
Revises: e0003
Create Date: 2026-12-05 09:00:00

Every statement of events_checkin_scan is a lookup by a key with a unique index. Its plans are cached for the
session; planned against statistics that said a table was empty (event_checkins analysed before the first event),
a sequential scan stayed in the plan while the table grew, each scan slower than the last until the next ANALYZE.
`SET enable_seqscan = off` on the function keeps the index plans whatever the statistics say. A frozen copy of
events.models.CHECKIN_SCAN_FUNCTION as of this revision (tests/core/test_migrations.py checks that the migrated
database holds the models' function); the downgrade puts back e0003's.
"""
import importlib.util
from pathlib import Path

from alembic import op

# revision identifiers, used by Alembic.
revision = 'e0004'
down_revision = 'e0003'
branch_labels = None
depends_on = None

FUNCTION = """CREATE OR REPLACE FUNCTION events_checkin_scan(
    p_token_hash text, p_grants text, p_event_id integer, p_organisation_id integer, p_code text, p_raw_code text,
    p_gate text, p_nonce text, p_scanned_at timestamptz, p_device text, p_head_count integer, p_session_id integer,
    p_now timestamptz, p_max_clock_skew interval, p_max_head_count integer, p_token_touch_interval interval)
RETURNS TABLE (outcome text, user_id integer, event_checkin_opens_minutes integer, event_status text,
               registration_id integer, ticket_event_id integer, ticket_session_id integer, ticket_status text,
               name text, phone text, kind text, head_count integer, school_name text, grade text,
               session_title text, session_starts_at timestamptz, session_ends_at timestamptz, ticket_event_title text,
               prior_checked_in_at timestamptz, prior_gate text, admitted_head_count integer)
LANGUAGE plpgsql VOLATILE SET enable_seqscan = off AS $function$
DECLARE
    v_token_id integer;
    v_last_used_at timestamptz;
    v_active boolean;
    v_grants text;
    v_organisation_id integer;
    v_http_status integer;
    v_scan_time timestamptz;
BEGIN
    SELECT t.id, t.last_used_at, u.id, u.active,
           (SELECT json_agg(json_build_array(m.role, m.organisation_id, m.scope_id) ORDER BY m.id)
              FROM memberships m WHERE m.user_id = u.id)::text
      INTO v_token_id, v_last_used_at, user_id, v_active, v_grants
      FROM api_tokens t JOIN users u ON u.id = t.user_id
     WHERE t.token_hash = p_token_hash AND t.revoked_at IS NULL;
    SELECT e.organisation_id, e.checkin_opens_minutes, e.status
      INTO v_organisation_id, event_checkin_opens_minutes, event_status
      FROM events e WHERE e.id = p_event_id;
    IF v_token_id IS NULL OR NOT v_active OR v_grants IS DISTINCT FROM p_grants
       OR v_organisation_id IS DISTINCT FROM p_organisation_id THEN
        outcome := 'stale';
        RETURN NEXT;
        RETURN;
    END IF;

    IF p_code IS NOT NULL THEN
        -- the lock services.checkin_lock_name names; each statement below reads a fresh snapshot taken after it
        PERFORM pg_advisory_xact_lock(hashtextextended('events.checkin:' || p_code, 0));
        SELECT r.id, r.event_id, r.session_id, r.status, r.name, r.phone, r.kind, r.head_count, r.school_name,
               r.grade, s.title, s.starts_at, s.ends_at, re.title, c.checked_in_at, c.gate
          INTO registration_id, ticket_event_id, ticket_session_id, ticket_status, name, phone, kind, head_count,
               school_name, grade, session_title, session_starts_at, session_ends_at, ticket_event_title,
               prior_checked_in_at, prior_gate
          FROM event_registrations r
          JOIN event_sessions s ON s.id = r.session_id
          JOIN events re ON re.id = r.event_id
          LEFT JOIN event_checkins c ON c.registration_id = r.id
         WHERE r.code = p_code;
    END IF;

    v_scan_time := CASE WHEN p_scanned_at IS NULL OR p_scanned_at > p_now + p_max_clock_skew THEN p_now
                        ELSE p_scanned_at END;
    outcome := CASE
        WHEN registration_id IS NULL THEN 'not_found'
        WHEN ticket_event_id <> p_event_id OR ticket_session_id <> coalesce(p_session_id, ticket_session_id)
            THEN 'wrong_event'
        WHEN ticket_status = 'cancelled' THEN 'cancelled'
        WHEN ticket_status = 'waitlisted' THEN 'waitlisted'
        WHEN ticket_status <> 'confirmed' THEN NULL
        WHEN prior_checked_in_at IS NOT NULL THEN 'already_checked_in'
        WHEN v_scan_time < session_starts_at - make_interval(mins => event_checkin_opens_minutes)
             OR v_scan_time > session_ends_at THEN 'outside_window'
        ELSE 'checked_in' END;
    IF outcome IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = 'unknown registration status ' || ticket_status;
    END IF;
    IF event_status = 'cancelled' AND outcome IN ('checked_in', 'outside_window') THEN
        outcome := 'cancelled';  -- the event itself was called off
    END IF;
    v_http_status := CASE outcome WHEN 'checked_in' THEN 201 WHEN 'already_checked_in' THEN 200
                                  WHEN 'not_found' THEN 404 ELSE 409 END;

    IF outcome = 'checked_in' THEN
        admitted_head_count := CASE WHEN p_head_count IS NULL THEN head_count
                                    ELSE greatest(0, least(p_head_count, p_max_head_count)) END;
        INSERT INTO event_checkins (registration_id, event_id, session_id, checked_in_at, scanned_at, gate,
                                    head_count, checked_in_by_id, staff_link_id)
        VALUES (registration_id, p_event_id, ticket_session_id, p_now, p_scanned_at, p_gate, admitted_head_count,
                user_id, NULL);
    ELSE
        -- Only the scan's log row (and at times the token's last use) is written: its commit need not wait for
        -- the disk. A crash of the database server could lose the last moments of such rows, never a check-in.
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;
    -- response stays NULL: a replay renders the answer from the stored result (services.replay_scan)
    INSERT INTO event_scan_log (event_id, registration_id, gate, device, raw_code, nonce, result, http_status,
                                response, scanned_at, server_at, user_id, staff_link_id)
    VALUES (p_event_id, registration_id, p_gate, p_device, p_raw_code, p_nonce, outcome, v_http_status,
            NULL, p_scanned_at, p_now, user_id, NULL);
    IF v_last_used_at IS NULL OR p_now - v_last_used_at > p_token_touch_interval THEN
        UPDATE api_tokens SET last_used_at = p_now WHERE id = v_token_id;
    END IF;
    RETURN NEXT;
END
$function$"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_revision_e0003().FUNCTION)


def _revision_e0003():
    path = Path(__file__).with_name("20261204_e0003_async_commit_of_log_only_scans.py")
    spec = importlib.util.spec_from_file_location("kechuang_migration_e0003", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
