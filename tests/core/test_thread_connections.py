"""core.db.ThreadConnections: one autocommit psycopg connection per thread, opened through the engine and kept out
of its pool; a connection that broke is replaced at the thread's next use. PostgreSQL only (CI runs the suite on
PostgreSQL too, where these tests run)."""
import threading
from contextlib import ExitStack

import psycopg
import pytest
import sqlalchemy as sa
from psycopg.pq import TransactionStatus

from core.db import ThreadConnections
from core.extensions import db


@pytest.fixture(autouse=True)
def _postgres_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("ThreadConnections holds psycopg connections; CI runs this suite on PostgreSQL")


@pytest.fixture
def connections():
    return ThreadConnections(db.engine)


@pytest.fixture
def obtained():
    """Every connection a test got; closed after it, so that no session outlives the test (the tables are
    emptied after each test)."""
    got = []
    yield got
    for connection in got:
        connection.close()


def backend_pid(connection) -> int:
    return connection.execute("SELECT pg_backend_pid()").fetchone()[0]


def in_thread(connections, obtained) -> int:
    """The backend pid of the connection a new thread gets (kept open: see `obtained`)."""
    pids = []

    def run():
        with connections.connection() as connection:
            obtained.append(connection)
            pids.append(backend_pid(connection))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive()
    return pids[0]


def test_a_thread_gets_the_same_autocommit_connection_each_time(connections, obtained):
    with connections.connection() as first:
        obtained.append(first)
        assert first.autocommit is True
        pid = backend_pid(first)
        assert first.info.transaction_status == TransactionStatus.IDLE  # no transaction left open
        first_xact = first.execute("SELECT pg_current_xact_id()").fetchone()[0]
    with connections.connection() as second:
        assert second is first
        assert backend_pid(second) == pid
        # each statement is a transaction of its own, committed when it ends
        assert second.execute("SELECT pg_current_xact_id()").fetchone()[0] != first_xact
        assert second.info.transaction_status == TransactionStatus.IDLE


def test_a_statement_is_committed_at_once_and_seen_by_other_sessions(connections, obtained):
    with connections.connection() as connection:
        obtained.append(connection)
        connection.execute("CREATE TABLE thread_connections_probe (name text)")
        try:
            connection.execute("INSERT INTO thread_connections_probe VALUES (%(name)s)", {"name": "欧阳𠮷"})
            with db.engine.connect() as other:
                assert other.execute(sa.text("SELECT name FROM thread_connections_probe")).scalars().all() == ["欧阳𠮷"]
        finally:
            connection.execute("DROP TABLE thread_connections_probe")


def test_two_threads_get_two_connections(connections, obtained):
    first, second = in_thread(connections, obtained), in_thread(connections, obtained)
    with connections.connection() as here:
        obtained.append(here)
        mine = backend_pid(here)
    assert len({first, second, mine}) == 3
    assert len({id(connection) for connection in obtained}) == 3


def test_the_connection_is_kept_out_of_the_pool(connections, obtained):
    pool = db.engine.pool
    checked_out = pool.checkedout()
    with connections.connection() as connection:
        obtained.append(connection)
        pid = backend_pid(connection)
        assert pool.checkedout() == checked_out
    assert pool.checkedout() == checked_out
    # all the connections the pool holds idle, and a new one, at once: the thread's is not among them
    with ExitStack() as stack:
        pooled = [stack.enter_context(db.engine.connect()) for _ in range(pool.checkedin() + 1)]
        assert pid not in {other.execute(sa.text("SELECT pg_backend_pid()")).scalar() for other in pooled}
    assert not connection.closed  # nor did the pool close it: it stays the thread's
    with connections.connection() as again:
        assert again is connection


def test_a_connection_that_broke_is_replaced_at_the_next_use(connections, obtained):
    with connections.connection() as connection:
        obtained.append(connection)
        pid = backend_pid(connection)
    with pytest.raises(psycopg.OperationalError):
        with connections.connection() as same:
            assert same is connection
            with db.engine.connect() as other:  # waits up to 5 s for the backend to end
                assert other.execute(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}).scalar()
            same.execute("SELECT 1")
    assert connection.closed
    with connections.connection() as replacement:
        obtained.append(replacement)
        assert replacement is not connection
        assert backend_pid(replacement) != pid
        assert replacement.execute("SELECT 1").fetchone() == (1,)
        assert replacement.autocommit is True


def test_an_sql_error_keeps_the_connection_which_still_works(connections, obtained):
    with connections.connection() as connection:
        obtained.append(connection)
        pid = backend_pid(connection)
    with pytest.raises(psycopg.errors.DivisionByZero):
        with connections.connection() as same:
            same.execute("SELECT 1/0")
    assert not connection.closed and not connection.broken
    with connections.connection() as again:
        assert again is connection
        assert backend_pid(again) == pid
        assert again.info.transaction_status == TransactionStatus.IDLE  # not left in a failed transaction
        assert again.execute("SELECT 2").fetchone() == (2,)
