"""Declarative base with a constraint naming convention (deterministic migrations) and shared column helpers."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Timezone-aware UTC now; the database stores UTC, the UI shows the configured timezone."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """DateTime that always comes back timezone-aware in UTC, on SQLite and PostgreSQL alike."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC) if dialect.name == "postgresql" else value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: WAL for concurrent readers, enforced foreign keys, and a busy timeout instead of 'database is locked'."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class ThreadConnections:
    """One autocommit psycopg connection per thread, for hot paths built of single statements (each statement is
    its own transaction: atomic, and no BEGIN/COMMIT round trips). It is opened through `engine` (its URL,
    connect arguments and connect events) and then kept out of the pool: a use costs no checkout, no reset and
    no autocommit switch. Raw DBAPI: the caller writes PostgreSQL SQL with %(name)s parameters and passes aware
    datetimes. A connection that broke is closed and the thread's next use opens a new one.

    A gunicorn gthread worker keeps its threads for its lifetime, so this adds at most one connection per thread
    to what the pool holds (workers x threads in all)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.local = threading.local()

    @contextmanager
    def connection(self):
        connection = getattr(self.local, "connection", None)
        if connection is None or connection.closed:
            connection = self.local.connection = self._open()
        try:
            yield connection
        except BaseException:
            if connection.closed or connection.broken:
                connection.close()
                self.local.connection = None
            raise

    def _open(self):
        from psycopg.pq import TransactionStatus

        fairy = self.engine.raw_connection()
        connection = fairy.driver_connection
        fairy.detach()  # the pool forgets it: closing it is ours to do (the thread's end, or when it broke)
        if connection.info.transaction_status != TransactionStatus.IDLE:
            connection.rollback()
        connection.autocommit = True
        return connection
