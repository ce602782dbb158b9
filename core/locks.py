"""Named locks held until the end of the current transaction, on PostgreSQL and SQLite alike."""

from __future__ import annotations

import sqlalchemy as sa

from core.extensions import db


def acquire_lock(name: str) -> None:
    """Serialise a critical section (capacity check, numbering, double-booking check) across processes.

    Call it FIRST in the transaction, before reading what the section decides on. PostgreSQL takes a
    transaction-scoped advisory lock; SQLite takes the database write lock by writing a lock row, which
    later writers wait for (busy timeout). Either way the lock ends with commit or rollback.
    """
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:name, 0))"), {"name": name})
        return
    session.execute(
        sa.text(
            "INSERT INTO named_locks (name, counter) VALUES (:name, 1) "
            "ON CONFLICT(name) DO UPDATE SET counter = counter + 1"
        ),
        {"name": name},
    )
