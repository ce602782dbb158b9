"""Declarative base with a constraint naming convention (deterministic migrations) and shared column helpers."""
from __future__ import annotations

import queue
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from werkzeug.routing import IntegerConverter

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


DB_INT_MAX = 2**31 - 1  # the largest value of an INTEGER column (ids): larger ones name nothing


class DatabaseIdConverter(IntegerConverter):
    """Flask's <int:…> converter bounded to what an INTEGER id can be: a larger number matches no rule (404)
    instead of reaching the database (an overflow, a 500)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = DB_INT_MAX,  # noqa: A002
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


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


class ConnectionsBusy(RuntimeError):
    """No shared connection came free in time (SharedConnections.connection's timeout)."""


class SharedConnections:
    """A few autocommit psycopg connections shared by the threads of a process, for hot paths built of single
    statements (each statement is its own transaction: atomic, and no BEGIN/COMMIT round trips). They are opened
    through `engine` (its URL, connect arguments and connect events) when first needed and then kept out of the pool:
    a use costs no checkout, no reset and no autocommit switch. Raw DBAPI: the caller writes PostgreSQL SQL and
    passes aware datetimes.

    At most `size` threads hold one at a time; the others wait for one to come back. Few connections are the point:
    PostgreSQL spends markedly more CPU per statement when many backends run at once on a few cores (snapshots,
    locks, caches), and a gunicorn worker runs Python on one core at a time anyway, so its threads queue for a
    connection for no longer than a statement's round trip. On this kind of machine one per worker served a gthread
    worker's 4 threads with fewer backends' CPU per check-in than one per thread (bench/events_checkin.py;
    docs/notes/2026-12-05-shared-connection.md).

    A connection that broke is closed and replaced at the next use; one handed back inside a transaction (a caller
    that began one and failed) is rolled back first."""

    def __init__(self, engine: Engine, size: int = 1):
        if size < 1:
            raise ValueError("SharedConnections needs at least one connection")
        self.engine = engine
        # the slots: a connection, or None for one not opened yet. SimpleQueue waits in C (a contended
        # threading.Semaphore runs a Python Condition on every acquire and release)
        self.slots: queue.SimpleQueue = queue.SimpleQueue()
        for _ in range(size):
            self.slots.put(None)

    @contextmanager
    def connection(self, timeout: float | None = None):
        """A connection for the block; waits at most `timeout` seconds for one (None: as long as it takes), then
        raises ConnectionsBusy."""
        try:
            connection = self.slots.get(timeout=timeout)
        except queue.Empty:
            raise ConnectionsBusy(f"no shared connection came free within {timeout} s") from None
        try:
            if connection is None or connection.closed:
                connection = None
                connection = self._open()
            yield connection
        except BaseException:
            if connection is not None and (connection.closed or connection.broken):
                connection.close()
                connection = None
            raise
        finally:
            self.slots.put(self._kept(connection))

    def idle(self) -> list:
        """The open connections no thread holds now (for tests and diagnostics)."""
        slots = self._take_free_slots()
        for slot in slots:
            self.slots.put(slot)
        return [slot for slot in slots if slot is not None]

    def close(self) -> None:
        """Close the connections no thread holds now (one in use stays open; it is kept when it comes back)."""
        for connection in self._take_free_slots():
            if connection is not None:
                connection.close()
            self.slots.put(None)

    def _take_free_slots(self) -> list:
        taken = []
        while True:
            try:
                taken.append(self.slots.get_nowait())
            except queue.Empty:
                return taken

    @staticmethod
    def _kept(connection):
        """The connection to put back in its slot: None when it is gone; rolled back first when a caller left a
        transaction open."""
        from psycopg.pq import TransactionStatus

        if connection is None or connection.closed:
            return None
        if connection.info.transaction_status != TransactionStatus.IDLE:
            try:
                connection.rollback()
            except Exception:
                connection.close()
                return None
        return connection

    def _open(self):
        from psycopg.pq import TransactionStatus

        fairy = self.engine.raw_connection()
        connection = fairy.driver_connection
        fairy.detach()  # the pool forgets it: closing it is ours to do (when it broke, or close())
        if connection.info.transaction_status != TransactionStatus.IDLE:
            connection.rollback()
        connection.autocommit = True
        return connection
