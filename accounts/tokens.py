"""The owner of an API token, read by a hot path's own statement instead of loading the User through the ORM.

A scanner at a gate sends hundreds of requests a minute with its token. Flask-Login's request loader reads token,
user and memberships with the ORM (one query, but a costly one to build objects from); a hot path such as
POST /api/v1/checkins instead joins PRINCIPAL_SQL into the one statement it runs anyway and builds a
TokenPrincipal from those columns. The principal answers the same role questions as User (RolesMixin), so
core.permissions applies the same rules to it.
"""
from __future__ import annotations

from typing import NamedTuple

from accounts.models import RolesMixin
from accounts.services import TOKEN_RE, bearer_token, hash_token

# The token's owner, if the token is known, unrevoked and its user active; PostgreSQL, parameter %(token_hash)s.
# Columns: token_id, user_id, user_active, grants (JSON array of [role, organisation_id,
# scope_id], in membership order: events_checkin_scan compares its text, see events.fastscan). A caller joins it as
# a derived table: LEFT JOIN (PRINCIPAL_SQL) AS principal ON true.
PRINCIPAL_SQL = """
    SELECT t.id AS token_id, u.id AS user_id, u.active AS user_active,
           (SELECT json_agg(json_build_array(m.role, m.organisation_id, m.scope_id) ORDER BY m.id)
              FROM memberships m WHERE m.user_id = u.id) AS grants
      FROM api_tokens t JOIN users u ON u.id = t.user_id
     WHERE t.token_hash = %(token_hash)s AND t.revoked_at IS NULL
"""
PRINCIPAL_COLUMNS = 4

class Grant(NamedTuple):
    """One membership as a role rule reads it."""

    role: str
    organisation_id: int | None
    scope_id: int | None


class TokenPrincipal(RolesMixin):
    """An authenticated API caller, built from PRINCIPAL_SQL's columns; read-only, no ORM state."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, user_id: int, active: bool, grants, token_id: int):
        self.id = user_id
        self.active = bool(active)
        self.memberships = [Grant(*grant) for grant in grants or ()]
        self.token_id = token_id

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return str(self.id)

    def __repr__(self) -> str:
        return f"<TokenPrincipal user={self.id} token={self.token_id}>"


def bearer_token_hash(authorization: str | None) -> str | None:
    """The SHA-256 of a well-formed `Bearer kc_...` header's token, or None (no header, or another scheme)."""
    token = bearer_token(authorization)
    if token is None:
        return None
    return hash_token(token) if TOKEN_RE.match(token) else ""  # "" matches no token: answered as invalid


def principal_from_columns(columns) -> TokenPrincipal | None:
    """A TokenPrincipal from PRINCIPAL_SQL's four columns, or None when the token matched nothing or its user
    is deactivated (the same answer as accounts.services.user_for_api_token)."""
    token_id, user_id, active, grants = columns
    if token_id is None or not active:
        return None
    return TokenPrincipal(user_id, active, grants, token_id)
